/* Schema 1 -> 2 (schema/cache_v2.sql): a cache written by gazsync before
 * the real Gazelle schema opens with the new code, upgrades in place, and
 * keeps every row, high-water mark and push checkpoint; the next pull of a
 * row with the new fields is an ordinary change, pushed once.
 *
 * The version-1 file is built from gs__store_schema_v1, which
 * test_store_schema.c holds equal to schema/cache.sql, the text every
 * version-1 binary ran (unchanged since: `git show main:schema/cache.sql`).
 * Its rows are written with plain SQL in the version-1 columns, as that
 * binary wrote them. */
#include "test_store_util.h"

static const char v1_rows[] =
    "INSERT INTO users (id, first_name, phone, role, updated_at, row_hash,"
    " change_seq, raw) VALUES ('usr_1', 'Lise', '555-0100', 'tech',"
    " '2026-01-01T00:00:00Z', 11, 1, '{\"id\":\"usr_1\"}');"
    "INSERT INTO clients (id, company_name, row_hash, change_seq, raw)"
    " VALUES ('cli_1', 'Acme', 12, 2, '{\"id\":\"cli_1\"}');"
    "INSERT INTO contacts (id, client_id, first_name, row_hash, change_seq,"
    " raw) VALUES ('con_1', 'cli_1', 'Ana', 13, 3, '{\"id\":\"con_1\"}');"
    "INSERT INTO appointments (id, status, piano_ids, row_hash, change_seq,"
    " deleted_at, raw) VALUES ('evt_1', 'ACTIVE', '[\"pia_1\"]', 14, 4,"
    " '2026-01-02T00:00:00Z', '{\"id\":\"evt_1\"}');"
    "INSERT INTO timeline_entries (id, occurred_at, created_at, updated_at,"
    " row_hash, change_seq, raw) VALUES ('tle_1', '2026-01-03T00:00:00Z',"
    " '2026-01-03T00:00:00Z', '2026-01-03T00:00:00Z', 15, 5,"
    " '{\"id\":\"tle_1\"}');"
    "UPDATE counters SET value = 5 WHERE name = 'change_seq';"
    "INSERT INTO sync_state (entity, policy, high_water, resume_cursor,"
    " last_success) VALUES ('timeline_entries', 'since',"
    " '2026-01-03T00:00:00Z', 'full|tl-cursor', '2026-01-04T00:00:00Z'),"
    " ('clients', 'delta', '2026-01-01T00:00:00Z', 'delta|old-order',"
    " '2026-01-04T00:00:00Z');"
    "INSERT INTO push_state (entity, target, last_pushed_seq, rows_pushed)"
    " VALUES ('users', 'supabase', 1, 1), ('timeline_entries', 'supabase',"
    " 5, 1);"
    "INSERT INTO meta (key, value) VALUES ('oauth.refresh_token', 'r-1');";

static void build_v1_cache(const char *path)
{
    const gs_migration v1_only[] = {{1, gs__store_schema_v1}};
    sqlite3 *db;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(gs__store_migrate(db, v1_only, 1), GS_OK);
    assert_int_equal(sql_int(db, "PRAGMA user_version"), 1);
    assert_int_equal(sqlite3_exec(db, v1_rows, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void expect_text(sqlite3 *db, const char *sql, const char *want)
{
    char *got = sql_text(db, sql);

    if (!got || strcmp(got, want) != 0)
        fail_msg("%s: got '%s', want '%s'", sql, got ? got : "(null)", want);
    free(got);
}

static void test_v1_cache_upgrades_and_keeps_everything(void **state)
{
    store_fixture *fx = *state;
    sqlite3 *db;

    build_v1_cache(fx->path);
    assert_int_equal(gs_store_open(&fx->store, fx->path, NULL), GS_OK);
    db = fx->store->db;
    assert_int_equal(sql_int(db, "PRAGMA user_version"),
                     gs_store_schema_version());
    /* every row, with its content, seq and deletion mark */
    assert_int_equal(sql_int(db, "SELECT (SELECT count(*) FROM users) + "
                                 "(SELECT count(*) FROM clients) + "
                                 "(SELECT count(*) FROM contacts) + "
                                 "(SELECT count(*) FROM appointments) + "
                                 "(SELECT count(*) FROM timeline_entries)"),
                     5);
    expect_text(db, "SELECT first_name || raw FROM users",
                "Lise{\"id\":\"usr_1\"}");
    expect_text(db, "SELECT company_name FROM clients", "Acme");
    expect_text(db, "SELECT client_id FROM contacts", "cli_1");
    expect_text(db, "SELECT deleted_at FROM appointments",
                "2026-01-02T00:00:00Z");
    expect_text(db, "SELECT occurred_at FROM timeline_entries",
                "2026-01-03T00:00:00Z");
    assert_int_equal(sql_int(db, "SELECT sum(change_seq) FROM (SELECT "
                                 "change_seq FROM users UNION ALL SELECT "
                                 "change_seq FROM timeline_entries)"),
                     6);
    /* the counter, the marks, the push checkpoints, the tokens */
    assert_int_equal(sql_int(db, "SELECT value FROM counters"), 5);
    expect_text(db,
                "SELECT high_water FROM sync_state WHERE entity = "
                "'timeline_entries'",
                "2026-01-03T00:00:00Z");
    expect_text(db,
                "SELECT high_water FROM sync_state WHERE entity = "
                "'clients'",
                "2026-01-01T00:00:00Z");
    assert_int_equal(sql_int(db, "SELECT sum(last_pushed_seq) FROM "
                                 "push_state"),
                     6);
    expect_text(db,
                "SELECT value FROM meta WHERE key = "
                "'oauth.refresh_token'",
                "r-1");
    /* a timeline full read resumes; the clients cursor of the old order
     * means nothing to a creation-order read and is dropped */
    expect_text(db,
                "SELECT resume_cursor FROM sync_state WHERE entity = "
                "'timeline_entries'",
                "full|tl-cursor");
    assert_true(sql_is_null(db, "SELECT resume_cursor FROM sync_state "
                                "WHERE entity = 'clients'"));
    /* the columns of the real schema are there, the fake ones gone */
    assert_int_equal(sql_int(db, "SELECT count(*) FROM pragma_table_info("
                                 "'users') WHERE name IN ('phone', 'role')"),
                     0);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM pragma_table_info("
                                 "'timeline_entries') WHERE name IN "
                                 "('created_at', 'updated_at')"),
                     0);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM pragma_table_info("
                                 "'contacts') WHERE name IN ('is_default', "
                                 "'archived')"),
                     2);
}

/* The next pull after the upgrade: the same user with the real fields is
 * a change (a new seq above the push checkpoint, so pushed once); the
 * same node again is not. */
static void test_v1_cache_next_pull_is_an_ordinary_change(void **state)
{
    store_fixture *fx = *state;
    int changed = -1;
    gs_push_state ps;

    build_v1_cache(fx->path);
    assert_int_equal(gs_store_open(&fx->store, fx->path, NULL), GS_OK);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS,
                                 "{\"id\":\"usr_1\",\"firstName\":\"Lise\","
                                 "\"status\":\"ACTIVE\",\"accessLevel\":"
                                 "\"TECHNICIAN\"}",
                                 "2026-02-01T00:00:00Z"),
                     GS_OK);
    assert_int_equal(changed, 1);
    expect_text(fx->store->db, "SELECT access_level FROM users", "TECHNICIAN");
    assert_int_equal(sql_int(fx->store->db, "SELECT change_seq FROM users"), 6);
    assert_int_equal(gs_store_push_state_get(&ps, fx->store,
                                             gs_entity_get(GS_ENTITY_USERS),
                                             "supabase"),
                     GS_OK);
    assert_int_equal(ps.last_pushed_seq, 1);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS,
                                 "{\"id\":\"usr_1\",\"firstName\":\"Lise\","
                                 "\"status\":\"ACTIVE\",\"accessLevel\":"
                                 "\"TECHNICIAN\"}",
                                 "2026-02-02T00:00:00Z"),
                     GS_OK);
    assert_int_equal(changed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_v1_cache_upgrades_and_keeps_everything, fixture_dir,
            fixture_close),
        cmocka_unit_test_setup_teardown(
            test_v1_cache_next_pull_is_an_ordinary_change, fixture_dir,
            fixture_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

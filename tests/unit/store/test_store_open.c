/* store/open.c, store/migrate.c and store/schema_sql.c: the file, its
 * pragmas, the schema and its migrations. */
#include <fcntl.h>
#include <sys/stat.h>

#include "test_store_util.h"

static void test_open_creates_the_file_with_mode_0600(void **state)
{
    store_fixture *fx = *state;
    struct stat st;
    mode_t old = umask(0);

    assert_int_equal(gs_store_open(&fx->store, fx->path, NULL), GS_OK);
    umask(old);
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* -wal is created by SQLite with the database file's mode. */
    int changed;
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS,
                                 "{\"id\":\"usr_1\"}", "now"),
                     GS_OK);
    char wal[600];
    snprintf(wal, sizeof wal, "%s-wal", fx->path);
    assert_int_equal(stat(wal, &st), 0);
    assert_int_equal(st.st_mode & 0077, 0);
}

static void test_open_tightens_a_file_readable_by_others(void **state)
{
    store_fixture *fx = *state;
    struct stat st;
    int fd = open(fx->path, O_CREAT | O_WRONLY, 0644);

    assert_true(fd >= 0);
    close(fd);
    chmod(fx->path, 0644);
    assert_int_equal(gs_store_open(&fx->store, fx->path, NULL), GS_OK);
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_open_turns_on_wal_and_the_pragmas(void **state)
{
    store_fixture *fx = *state;
    gs_store_opts opts = {.busy_timeout_ms = 1234};

    assert_int_equal(gs_store_open(&fx->store, fx->path, &opts), GS_OK);
    char *mode = sql_text(fx->store->db, "PRAGMA journal_mode");
    assert_string_equal(mode, "wal");
    free(mode);
    assert_int_equal(sql_int(fx->store->db, "PRAGMA synchronous"), 1);
    assert_int_equal(sql_int(fx->store->db, "PRAGMA foreign_keys"), 0);
    assert_int_equal(sql_int(fx->store->db, "PRAGMA busy_timeout"), 1234);
    assert_int_equal(sql_int(fx->store->db, "PRAGMA user_version"),
                     gs_store_schema_version());
}

static void test_open_read_only_neither_creates_nor_writes(void **state)
{
    store_fixture *fx = *state;
    gs_store_opts ro = {.read_only = 1};
    int changed;

    assert_int_not_equal(gs_store_open(&fx->store, fx->path, &ro), GS_OK);
    assert_null(fx->store);
    assert_int_not_equal(access(fx->path, F_OK), 0);
    assert_int_equal(gs_store_open(&fx->store, fx->path, NULL), GS_OK);
    gs_store_close(fx->store);
    assert_int_equal(gs_store_open(&fx->store, fx->path, &ro), GS_OK);
    long long rows = -1;
    assert_int_equal(
        gs_store_count(&rows, fx->store, gs_entity_get(GS_ENTITY_USERS)),
        GS_OK);
    assert_int_equal(rows, 0);
    assert_int_not_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS,
                                     "{\"id\":\"usr_1\"}", "now"),
                         GS_OK);
}

/* A mistyped --db naming someone else's database: refused untouched. */
static void test_open_refuses_a_database_that_is_not_a_cache(void **state)
{
    store_fixture *fx = *state;
    gs_store_opts ro = {.read_only = 1};
    struct stat st;
    sqlite3 *db;

    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE invoices (id INTEGER);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(chmod(fx->path, 0644), 0);
    assert_int_equal(gs_store_open(&fx->store, fx->path, NULL), GS_ESTORE);
    assert_non_null(strstr(gs_error_last()->message, "not a gazsync cache"));
    assert_null(fx->store);
    assert_int_equal(gs_store_open(&fx->store, fx->path, &ro), GS_ESTORE);
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM sqlite_schema"), 1);
    sqlite3_close(db);
}

static void test_run_lock_refuses_a_second_run(void **state)
{
    store_fixture *fx = *state;
    gs_store_opts run = {.run_lock = 1};
    gs_store *second = NULL;

    assert_int_equal(gs_store_open(&fx->store, fx->path, &run), GS_OK);
    /* flock() locks belong to the open file, so a second open in the same
     * process conflicts as another process would. */
    assert_int_equal(gs_store_open(&second, fx->path, &run), GS_EBUSY);
    assert_null(second);
    assert_non_null(strstr(gs_error_last()->message, fx->path));
    assert_non_null(strstr(gs_error_last()->message, "in use"));
    /* Waiting is bounded: it gives up when the holder stays. */
    run.lock_wait_ms = 200;
    assert_int_equal(gs_store_open(&second, fx->path, &run), GS_EBUSY);
    assert_non_null(strstr(gs_error_last()->message, "gave up waiting"));
    /* Readers take no lock. */
    gs_store_opts ro = {.read_only = 1};
    assert_int_equal(gs_store_open(&second, fx->path, &ro), GS_OK);
    gs_store_close(second);
    second = NULL;
    gs_store_close(fx->store);
    fx->store = NULL;
    assert_int_equal(gs_store_open(&second, fx->path, &run), GS_OK);
    gs_store_close(second);
}

/* A killed run leaves a "running" row and, when an overlapping run of the
 * old gazsync closed its sweep scope, a full read's checkpoint that can no
 * longer sweep. The next run, holding the lock, puts both right. */
static void test_run_lock_repairs_what_a_killed_run_left(void **state)
{
    store_fixture *fx = *state;
    gs_store_opts run = {.run_lock = 1};
    sqlite3 *db;

    assert_int_equal(gs_store_open(&fx->store, fx->path, NULL), GS_OK);
    gs_store_close(fx->store);
    fx->store = NULL;
    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "INSERT INTO sync_runs (command, status, started_at) "
                     "VALUES ('sync', 'running', '2026-01-01T00:00:00Z'), "
                     "('pull', 'ok', '2026-01-02T00:00:00Z');"
                     "INSERT INTO sync_state (entity, status, resume_cursor) "
                     "VALUES ('timeline_entries', 'running', 'full|abc'), "
                     "('pianos', 'failed', 'full|def'), "
                     "('clients', 'failed', 'full|ghi'), "
                     "('users', 'failed', 'delta|jkl');"
                     "INSERT INTO sweep_scope (entity, reset_at) VALUES "
                     "('pianos', 'x'), ('clients', 'x');",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    /* A plain open (no lock: another run may be live) repairs nothing. */
    assert_int_equal(gs_store_open(&fx->store, fx->path, NULL), GS_OK);
    assert_int_equal(sql_int(fx->store->db, "SELECT count(*) FROM sync_runs "
                                            "WHERE status = 'running'"),
                     1);
    gs_store_close(fx->store);
    assert_int_equal(gs_store_open(&fx->store, fx->path, &run), GS_OK);
    char *runs = sql_text(fx->store->db, "SELECT group_concat(status, ',') "
                                         "FROM (SELECT status FROM sync_runs "
                                         "ORDER BY id)");
    assert_string_equal(runs, "interrupted,ok");
    free(runs);
    /* timeline lost its scope: restart; pianos kept it: resume; clients
     * lack their contacts' scope: restart; a delta checkpoint: kept. */
    char *cursors = sql_text(fx->store->db,
                             "SELECT group_concat(entity || '=' || "
                             "coalesce(resume_cursor, '-'), ',') FROM (SELECT "
                             "* FROM sync_state ORDER BY entity)");
    assert_string_equal(cursors, "clients=-,pianos=full|def,"
                                 "timeline_entries=-,users=delta|jkl");
    free(cursors);
    assert_int_equal(sql_int(fx->store->db, "SELECT count(*) FROM sync_state "
                                            "WHERE status = 'running'"),
                     0);
}

static void test_open_migrates_an_empty_version_0_file(void **state)
{
    store_fixture *fx = *state;
    sqlite3 *db;

    /* An older file: version 0, with something in it already. */
    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE notes (t TEXT);"
                                  "INSERT INTO notes VALUES ('keep');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    gs_store_opts adopt = {.adopt = 1}; /* gazsync init */
    assert_int_equal(gs_store_open(&fx->store, fx->path, &adopt), GS_OK);
    assert_int_equal(sql_int(fx->store->db, "PRAGMA user_version"),
                     gs_store_schema_version());
    assert_int_equal(sql_int(fx->store->db, "SELECT count(*) FROM notes"), 1);
    assert_int_equal(sql_int(fx->store->db,
                             "SELECT count(*) FROM sqlite_schema WHERE "
                             "name IN ('users', 'timeline_entries', "
                             "'sync_state', 'v_status', 'v_pending')"),
                     5);
}

static const char v1_fake[] = "CREATE TABLE things (id TEXT PRIMARY KEY);";
static const char v2_fake[] =
    "ALTER TABLE things ADD COLUMN colour TEXT DEFAULT 'red';"
    "CREATE INDEX things_colour ON things (colour);";

static void test_migrate_upgrades_an_older_file_in_place(void **state)
{
    store_fixture *fx = *state;
    const gs_migration old_steps[] = {{1, v1_fake}};
    const gs_migration new_steps[] = {{1, v1_fake}, {2, v2_fake}};
    sqlite3 *db;

    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    assert_int_equal(gs__store_migrate(db, old_steps, 1), GS_OK);
    assert_int_equal(
        sqlite3_exec(db, "INSERT INTO things VALUES ('a')", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(sql_int(db, "PRAGMA user_version"), 1);
    assert_int_equal(gs__store_migrate(db, new_steps, 2), GS_OK);
    assert_int_equal(sql_int(db, "PRAGMA user_version"), 2);
    char *colour = sql_text(db, "SELECT colour FROM things WHERE id = 'a'");
    assert_string_equal(colour, "red");
    free(colour);
    /* Idempotent: a second run changes nothing. */
    assert_int_equal(gs__store_migrate(db, new_steps, 2), GS_OK);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM things"), 1);
    sqlite3_close(db);
}

static void test_migrate_failed_step_leaves_the_old_version(void **state)
{
    store_fixture *fx = *state;
    const gs_migration steps[] = {{1, v1_fake},
                                  {2, "CREATE TABLE x (a); NOT SQL"}};
    sqlite3 *db;

    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    assert_int_equal(gs__store_migrate(db, steps, 2), GS_ESTORE);
    assert_int_equal(sql_int(db, "PRAGMA user_version"), 1);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE "
                                 "name = 'x'"),
                     0);
    sqlite3_close(db);
}

static void test_open_refuses_a_file_from_a_newer_gazsync(void **state)
{
    store_fixture *fx = *state;
    sqlite3 *db;

    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(gs_store_open(&fx->store, fx->path, NULL), GS_ESTORE);
    assert_non_null(strstr(gs_error_last()->message, "99"));
    assert_null(fx->store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fixture_dir, fixture_close)
        T(test_open_creates_the_file_with_mode_0600),
        T(test_open_tightens_a_file_readable_by_others),
        T(test_open_turns_on_wal_and_the_pragmas),
        T(test_open_read_only_neither_creates_nor_writes),
        T(test_open_migrates_an_empty_version_0_file),
        T(test_open_refuses_a_database_that_is_not_a_cache),
        T(test_run_lock_refuses_a_second_run),
        T(test_run_lock_repairs_what_a_killed_run_left),
        T(test_migrate_upgrades_an_older_file_in_place),
        T(test_migrate_failed_step_leaves_the_old_version),
        T(test_open_refuses_a_file_from_a_newer_gazsync),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

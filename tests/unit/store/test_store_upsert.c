/* store/upsert.c and store/extract.c: typed upserts with change detection. */
#include "test_store_util.h"

#define NOW "2024-05-01T10:00:00Z"

static long long seq_of(gs_store *store, const char *table, const char *id)
{
    char sql[256];

    snprintf(sql, sizeof sql, "SELECT change_seq FROM %s WHERE id = '%s'",
             table, id);
    return sql_int(store->db, sql);
}

static void test_upsert_new_row_is_changed_with_a_seq(void **state)
{
    store_fixture *fx = *state;
    int changed = -1;

    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS,
                                 "{\"id\":\"usr_1\",\"firstName\":\"Ann\"}",
                                 NOW),
                     GS_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(seq_of(fx->store, "users", "usr_1"), 1);
    assert_int_equal(sql_int(fx->store->db, "SELECT value FROM counters"), 1);
    char *name = sql_text(fx->store->db,
                          "SELECT first_name FROM users WHERE id='usr_1'");
    assert_string_equal(name, "Ann");
    free(name);
    char *pulled =
        sql_text(fx->store->db, "SELECT pulled_at FROM users WHERE id='usr_1'");
    assert_string_equal(pulled, NOW);
    free(pulled);
}

static void test_upsert_same_node_again_changes_nothing(void **state)
{
    store_fixture *fx = *state;
    const char *node = "{\"id\":\"usr_1\",\"firstName\":\"Ann\"}";
    int changed = -1;

    assert_int_equal(
        upsert_text(&changed, fx->store, GS_ENTITY_USERS, node, NOW), GS_OK);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS, node,
                                 "2024-05-02T10:00:00Z"),
                     GS_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(seq_of(fx->store, "users", "usr_1"), 1);
    assert_int_equal(sql_int(fx->store->db, "SELECT value FROM counters"), 1);
}

static void test_upsert_changed_content_gets_a_higher_seq(void **state)
{
    store_fixture *fx = *state;
    int changed = -1;

    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS,
                                 "{\"id\":\"usr_1\",\"firstName\":\"Ann\"}",
                                 NOW),
                     GS_OK);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS,
                                 "{\"id\":\"usr_2\",\"firstName\":\"Bob\"}",
                                 NOW),
                     GS_OK);
    long long hash_before =
        sql_int(fx->store->db, "SELECT row_hash FROM users WHERE "
                               "id='usr_1'");
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS,
                                 "{\"id\":\"usr_1\",\"firstName\":\"Anna\"}",
                                 NOW),
                     GS_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(seq_of(fx->store, "users", "usr_1"), 3);
    assert_int_equal(seq_of(fx->store, "users", "usr_2"), 2);
    assert_true(hash_before != sql_int(fx->store->db,
                                       "SELECT row_hash FROM users WHERE "
                                       "id='usr_1'"));
    char *name = sql_text(fx->store->db,
                          "SELECT first_name FROM users WHERE id='usr_1'");
    assert_string_equal(name, "Anna");
    free(name);
}

static void test_upsert_key_order_does_not_change_the_hash(void **state)
{
    store_fixture *fx = *state;
    int changed = -1;

    assert_int_equal(
        upsert_text(&changed, fx->store, GS_ENTITY_PIANOS,
                    "{\"id\":\"pia_1\",\"make\":\"Steinway\",\"year\":1920,"
                    "\"client\":{\"id\":\"cli_1\",\"name\":\"x\"}}",
                    NOW),
        GS_OK);
    assert_int_equal(
        upsert_text(&changed, fx->store, GS_ENTITY_PIANOS,
                    "{\"client\":{\"name\":\"x\",\"id\":\"cli_1\"},"
                    "\"year\":1920,\"make\":\"Steinway\",\"id\":\"pia_1\"}",
                    NOW),
        GS_OK);
    assert_int_equal(changed, 0);
    char *raw = sql_text(fx->store->db, "SELECT raw FROM pianos");
    /* raw is the canonical form: compact, keys sorted. */
    assert_string_equal(raw, "{\"client\":{\"id\":\"cli_1\",\"name\":\"x\"},"
                             "\"id\":\"pia_1\",\"make\":\"Steinway\","
                             "\"year\":1920}");
    free(raw);
}

static void test_upsert_null_objects_and_missing_paths_give_null(void **state)
{
    store_fixture *fx = *state;
    int changed;

    assert_int_equal(
        upsert_text(&changed, fx->store, GS_ENTITY_TIMELINE,
                    "{\"id\":\"tl_1\",\"client\":null,\"piano\":{},"
                    "\"user\":{\"id\":null},\"summary\":\"tuned\"}",
                    NOW),
        GS_OK);
    sqlite3 *db = fx->store->db;
    assert_true(sql_is_null(db, "SELECT client_id FROM timeline_entries"));
    assert_true(sql_is_null(db, "SELECT piano_id FROM timeline_entries"));
    assert_true(sql_is_null(db, "SELECT user_id FROM timeline_entries"));
    assert_true(sql_is_null(db, "SELECT invoice_id FROM timeline_entries"));
    assert_true(sql_is_null(db, "SELECT occurred_at FROM timeline_entries"));
    assert_false(sql_is_null(db, "SELECT summary FROM timeline_entries"));
}

static void test_upsert_wrong_types_store_null_and_keep_raw(void **state)
{
    store_fixture *fx = *state;
    int changed;

    assert_int_equal(
        upsert_text(&changed, fx->store, GS_ENTITY_APPOINTMENTS,
                    "{\"id\":\"ev_1\",\"duration\":\"sixty\","
                    "\"isAllDay\":1,\"title\":42,\"confirmedByClient\":true,"
                    "\"start\":\"2024-05-01T09:00:00Z\",\"status\":\"ok\"}",
                    NOW),
        GS_OK);
    sqlite3 *db = fx->store->db;
    assert_true(sql_is_null(db, "SELECT duration FROM appointments"));
    assert_true(sql_is_null(db, "SELECT is_all_day FROM appointments"));
    assert_true(sql_is_null(db, "SELECT title FROM appointments"));
    assert_int_equal(sql_int(db, "SELECT confirmed_by_client FROM "
                                 "appointments"),
                     1);
    assert_int_equal(sql_int(db, "SELECT json_extract(raw, '$.title') FROM "
                                 "appointments"),
                     42);
}

static void test_upsert_array_path_collects_values(void **state)
{
    store_fixture *fx = *state;
    int changed;

    assert_int_equal(
        upsert_text(&changed, fx->store, GS_ENTITY_APPOINTMENTS,
                    "{\"id\":\"ev_1\",\"allEventPianos\":{\"nodes\":["
                    "{\"piano\":{\"id\":\"pia_1\"}},{\"piano\":null},"
                    "{\"piano\":{\"id\":\"pia_2\"}}]},"
                    "\"user\":{\"id\":\"usr_1\"},\"duration\":60,"
                    "\"isAllDay\":false}",
                    NOW),
        GS_OK);
    assert_int_equal(
        upsert_text(&changed, fx->store, GS_ENTITY_APPOINTMENTS,
                    "{\"id\":\"ev_2\",\"allEventPianos\":{\"nodes\":[]}}", NOW),
        GS_OK);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_APPOINTMENTS,
                                 "{\"id\":\"ev_3\",\"allEventPianos\":null}",
                                 NOW),
                     GS_OK);
    sqlite3 *db = fx->store->db;
    char *ids = sql_text(db, "SELECT piano_ids FROM appointments WHERE "
                             "id='ev_1'");
    assert_string_equal(ids, "[\"pia_1\",\"pia_2\"]");
    free(ids);
    ids = sql_text(db, "SELECT piano_ids FROM appointments WHERE id='ev_2'");
    assert_string_equal(ids, "[]");
    free(ids);
    assert_true(sql_is_null(db, "SELECT piano_ids FROM appointments WHERE "
                                "id='ev_3'"));
    assert_int_equal(sql_int(db, "SELECT duration FROM appointments WHERE "
                                 "id='ev_1'"),
                     60);
    assert_int_equal(sql_int(db, "SELECT is_all_day FROM appointments WHERE "
                                 "id='ev_1'"),
                     0);
    char *user = sql_text(db, "SELECT user_id FROM appointments WHERE "
                              "id='ev_1'");
    assert_string_equal(user, "usr_1");
    free(user);
}

static void test_upsert_without_id_is_einval_and_writes_nothing(void **state)
{
    store_fixture *fx = *state;
    int changed = -1;

    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_CLIENTS,
                                 "{\"companyName\":\"x\"}", NOW),
                     GS_EINVAL);
    assert_non_null(strstr(gs_error_last()->message, "clients"));
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_CLIENTS,
                                 "{\"id\":\"\"}", NOW),
                     GS_EINVAL);
    assert_int_equal(
        upsert_text(&changed, fx->store, GS_ENTITY_CLIENTS, "{\"id\":17}", NOW),
        GS_EINVAL);
    assert_int_equal(
        upsert_text(&changed, fx->store, GS_ENTITY_CLIENTS, "[1,2]", NOW),
        GS_EINVAL);
    assert_int_equal(changed, 0);
    assert_int_equal(sql_int(fx->store->db, "SELECT count(*) FROM clients"), 0);
    assert_int_equal(sql_int(fx->store->db, "SELECT value FROM counters"), 0);
}

static void test_upsert_keeps_nul_bytes_in_strings(void **state)
{
    store_fixture *fx = *state;
    int changed;

    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_CLIENTS,
                                 "{\"id\":\"cli_1\",\"personalNotes\":"
                                 "\"a\\u0000b\"}",
                                 NOW),
                     GS_OK);
    assert_int_equal(sql_int(fx->store->db, "SELECT length(CAST("
                                            "personal_notes AS BLOB)) FROM "
                                            "clients"),
                     3);
    json_t *rows = NULL;
    assert_int_equal(gs_store_pending(&rows, fx->store,
                                      gs_entity_get(GS_ENTITY_CLIENTS), 0, 10),
                     GS_OK);
    json_t *notes = json_object_get(json_array_get(rows, 0), "personal_notes");
    assert_int_equal(json_string_length(notes), 3);
    json_decref(rows);
}

static void test_upsert_inside_a_rolled_back_txn_leaves_no_trace(void **state)
{
    store_fixture *fx = *state;
    int changed;

    assert_int_equal(gs_store_begin(fx->store), GS_OK);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS,
                                 "{\"id\":\"usr_1\"}", NOW),
                     GS_OK);
    assert_int_equal(gs_store_rollback(fx->store), GS_OK);
    assert_int_equal(sql_int(fx->store->db, "SELECT count(*) FROM users"), 0);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS,
                                 "{\"id\":\"usr_2\"}", NOW),
                     GS_OK);
    assert_int_equal(seq_of(fx->store, "users", "usr_2"), 1);
}

static void test_upsert_seq_is_file_wide_and_survives_reopen(void **state)
{
    store_fixture *fx = *state;
    int changed;

    assert_int_equal(gs_store_begin(fx->store), GS_OK);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS,
                                 "{\"id\":\"usr_1\"}", NOW),
                     GS_OK);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_CLIENTS,
                                 "{\"id\":\"cli_1\"}", NOW),
                     GS_OK);
    assert_int_equal(gs_store_commit(fx->store), GS_OK);
    gs_store_close(fx->store);
    assert_int_equal(gs_store_open(&fx->store, fx->path, NULL), GS_OK);
    assert_int_equal(
        sqlite3_exec(fx->store->db, "DELETE FROM users", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_PIANOS,
                                 "{\"id\":\"pia_1\"}", NOW),
                     GS_OK);
    assert_int_equal(seq_of(fx->store, "pianos", "pia_1"), 3);
}

static void test_count_and_exists_see_live_rows(void **state)
{
    store_fixture *fx = *state;
    const gs_entity *users = gs_entity_get(GS_ENTITY_USERS);
    long long rows = -1;
    int changed, exists = -1;

    assert_int_equal(gs_store_count(&rows, fx->store, users), GS_OK);
    assert_int_equal(rows, 0);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS,
                                 "{\"id\":\"usr_1\"}", NOW),
                     GS_OK);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_USERS,
                                 "{\"id\":\"usr_2\"}", NOW),
                     GS_OK);
    sqlite3_exec(fx->store->db,
                 "UPDATE users SET deleted_at = 'x' WHERE id = 'usr_2'", NULL,
                 NULL, NULL);
    assert_int_equal(gs_store_count(&rows, fx->store, users), GS_OK);
    assert_int_equal(rows, 1);
    assert_int_equal(gs_store_exists(&exists, fx->store, users, "usr_1"),
                     GS_OK);
    assert_int_equal(exists, 1);
    assert_int_equal(gs_store_exists(&exists, fx->store, users, "usr_2"),
                     GS_OK);
    assert_int_equal(exists, 2);
    assert_int_equal(gs_store_exists(&exists, fx->store, users, "usr_9"),
                     GS_OK);
    assert_int_equal(exists, 0);
}

static void test_upsert_of_a_deleted_row_undeletes_it(void **state)
{
    store_fixture *fx = *state;
    const char *node = "{\"id\":\"usr_1\"}";
    int changed;

    assert_int_equal(
        upsert_text(&changed, fx->store, GS_ENTITY_USERS, node, NOW), GS_OK);
    sqlite3_exec(fx->store->db, "UPDATE users SET deleted_at = 'x'", NULL, NULL,
                 NULL);
    assert_int_equal(
        upsert_text(&changed, fx->store, GS_ENTITY_USERS, node, NOW), GS_OK);
    assert_int_equal(changed, 1);
    assert_true(sql_is_null(fx->store->db, "SELECT deleted_at FROM users"));
    assert_int_equal(seq_of(fx->store, "users", "usr_1"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fixture_open, fixture_close)
        T(test_upsert_new_row_is_changed_with_a_seq),
        T(test_upsert_same_node_again_changes_nothing),
        T(test_upsert_changed_content_gets_a_higher_seq),
        T(test_upsert_key_order_does_not_change_the_hash),
        T(test_upsert_null_objects_and_missing_paths_give_null),
        T(test_upsert_wrong_types_store_null_and_keep_raw),
        T(test_upsert_array_path_collects_values),
        T(test_upsert_without_id_is_einval_and_writes_nothing),
        T(test_upsert_keeps_nul_bytes_in_strings),
        T(test_upsert_inside_a_rolled_back_txn_leaves_no_trace),
        T(test_upsert_seq_is_file_wide_and_survives_reopen),
        T(test_count_and_exists_see_live_rows),
        T(test_upsert_of_a_deleted_row_undeletes_it),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* store/sweep.c and store/status.c. */
#include "test_store_util.h"

#define NOW "2024-05-01T10:00:00Z"

static void add_event(gs_store *store, const char *id, const char *start)
{
    char text[256];
    int changed;

    snprintf(text, sizeof text, "{\"id\":\"%s\",\"start\":\"%s\"}", id, start);
    assert_int_equal(
        upsert_text(&changed, store, GS_ENTITY_APPOINTMENTS, text, NOW), GS_OK);
}

static void test_sweep_marks_only_unseen_rows_inside_the_range(void **state)
{
    store_fixture *fx = *state;
    const gs_entity *events = gs_entity_get(GS_ENTITY_APPOINTMENTS);
    long long deleted = -1;

    add_event(fx->store, "ev_old", "2024-01-01T09:00:00Z");   /* before */
    add_event(fx->store, "ev_gone1", "2024-05-02T09:00:00Z"); /* in, unseen */
    add_event(fx->store, "ev_kept", "2024-05-03T09:00:00Z");  /* in, seen */
    add_event(fx->store, "ev_gone2", "2024-05-04T09:00:00Z"); /* in, unseen */
    add_event(fx->store, "ev_late", "2024-09-01T09:00:00Z");  /* after */
    /* The next window pull sees only ev_kept. */
    assert_int_equal(gs_store_begin(fx->store), GS_OK);
    assert_int_equal(gs_store_seen_reset(fx->store, events), GS_OK);
    add_event(fx->store, "ev_kept", "2024-05-03T09:00:00Z");
    assert_int_equal(gs_store_sweep_unseen(&deleted, fx->store, events, "start",
                                           "2024-05-01", "2024-06-01",
                                           "2024-05-05T00:00Z"),
                     GS_OK);
    assert_int_equal(gs_store_commit(fx->store), GS_OK);
    assert_int_equal(deleted, 2);
    sqlite3 *db = fx->store->db;
    assert_int_equal(sql_int(db, "SELECT count(*) FROM appointments WHERE "
                                 "deleted_at IS NOT NULL AND id IN "
                                 "('ev_gone1', 'ev_gone2')"),
                     2);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM appointments WHERE "
                                 "deleted_at IS NULL"),
                     3);
    /* New, distinct seqs above everything before the sweep (5 rows). */
    assert_int_equal(sql_int(db, "SELECT min(change_seq) FROM appointments "
                                 "WHERE deleted_at IS NOT NULL"),
                     6);
    assert_int_equal(sql_int(db, "SELECT max(change_seq) FROM appointments "
                                 "WHERE deleted_at IS NOT NULL"),
                     7);
    assert_int_equal(sql_int(db, "SELECT value FROM counters"), 7);
    assert_int_equal(sql_int(db, "SELECT change_seq FROM appointments WHERE "
                                 "id = 'ev_kept'"),
                     3);
    /* The sweep closed the scope: upserts stop recording ids, and a second
     * sweep needs a new reset. */
    assert_int_equal(sql_int(db, "SELECT count(*) FROM sweep_seen"), 0);
    add_event(fx->store, "ev_new", "2024-05-06T09:00:00Z");
    assert_int_equal(sql_int(db, "SELECT count(*) FROM sweep_seen"), 0);
    assert_int_equal(gs_store_sweep_unseen(&deleted, fx->store, events, "start",
                                           "2024-05-01", "2024-06-01", NOW),
                     GS_EINVAL);
    assert_int_equal(deleted, 0);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM appointments WHERE "
                                 "deleted_at IS NOT NULL"),
                     2);
}

static void test_sweep_of_the_whole_table_and_seen_survives_reopen(void **state)
{
    store_fixture *fx = *state;
    const gs_entity *events = gs_entity_get(GS_ENTITY_APPOINTMENTS);
    long long deleted = -1;

    add_event(fx->store, "ev_1", "2024-05-02T09:00:00Z");
    add_event(fx->store, "ev_2", "2024-05-03T09:00:00Z");
    assert_int_equal(gs_store_seen_reset(fx->store, events), GS_OK);
    add_event(fx->store, "ev_2", "2024-05-03T09:00:00Z");
    /* A killed pull resumes in a new process: what it saw is remembered. */
    gs_store_close(fx->store);
    assert_int_equal(gs_store_open(&fx->store, fx->path, NULL), GS_OK);
    assert_int_equal(gs_store_sweep_unseen(&deleted, fx->store, events, NULL,
                                           NULL, NULL, NOW),
                     GS_OK);
    assert_int_equal(deleted, 1);
    assert_false(sql_is_null(fx->store->db, "SELECT deleted_at FROM "
                                            "appointments WHERE id = 'ev_1'"));
}

static void test_seen_stop_ends_recording_without_deleting(void **state)
{
    store_fixture *fx = *state;
    const gs_entity *events = gs_entity_get(GS_ENTITY_APPOINTMENTS);
    long long deleted = -1;

    add_event(fx->store, "ev_1", "2024-05-02T09:00:00Z");
    assert_int_equal(gs_store_seen_reset(fx->store, events), GS_OK);
    add_event(fx->store, "ev_2", "2024-05-03T09:00:00Z");
    assert_int_equal(sql_int(fx->store->db, "SELECT count(*) FROM sweep_seen"),
                     1);
    assert_int_equal(gs_store_seen_stop(fx->store, events), GS_OK);
    add_event(fx->store, "ev_3", "2024-05-04T09:00:00Z");
    assert_int_equal(sql_int(fx->store->db, "SELECT count(*) FROM sweep_seen"),
                     0);
    /* Stopped is closed: a sweep now needs a new reset. */
    assert_int_equal(gs_store_sweep_unseen(&deleted, fx->store, events, NULL,
                                           NULL, NULL, NOW),
                     GS_EINVAL);
    assert_int_equal(sql_int(fx->store->db, "SELECT count(*) FROM "
                                            "appointments WHERE deleted_at "
                                            "IS NULL"),
                     3);
}

/* The case seen_stop is for: a sweeping pull killed in an earlier process.
 * A new process, whose first store call this is, stops the scope the file
 * still holds, and its upserts no longer record ids. */
static void test_seen_stop_in_a_new_process_ends_a_left_scope(void **state)
{
    store_fixture *fx = *state;
    const gs_entity *events = gs_entity_get(GS_ENTITY_APPOINTMENTS);

    assert_int_equal(gs_store_seen_reset(fx->store, events), GS_OK);
    add_event(fx->store, "ev_1", "2024-05-02T09:00:00Z");
    gs_store_close(fx->store);
    assert_int_equal(gs_store_open(&fx->store, fx->path, NULL), GS_OK);
    assert_int_equal(gs_store_seen_stop(fx->store, events), GS_OK);
    assert_int_equal(sql_int(fx->store->db, "SELECT count(*) FROM sweep_scope"),
                     0);
    add_event(fx->store, "ev_2", "2024-05-03T09:00:00Z");
    assert_int_equal(sql_int(fx->store->db, "SELECT count(*) FROM sweep_seen"),
                     0);
}

static void add_contact(gs_store *store, const char *id, const char *client)
{
    char node[160];
    int changed;

    snprintf(node, sizeof node, "{\"id\":\"%s\",\"clientId\":\"%s\"}", id,
             client);
    assert_int_equal(
        upsert_text(&changed, store, GS_ENTITY_CONTACTS, node, NOW), GS_OK);
}

static void test_retire_others_marks_only_the_replaced_rows(void **state)
{
    store_fixture *fx = *state;
    const gs_entity *contacts = gs_entity_get(GS_ENTITY_CONTACTS);
    long long retired = -1, seq_before;

    add_contact(fx->store, "con_old", "cli_1");
    add_contact(fx->store, "con_new", "cli_1");
    add_contact(fx->store, "con_also", "cli_1");
    add_contact(fx->store, "con_other", "cli_2");
    seq_before = sql_int(fx->store->db, "SELECT max(change_seq) FROM contacts");
    assert_int_equal(gs_store_retire_others(&retired, fx->store, contacts,
                                            "client_id", "cli_1",
                                            "[\"con_new\",\"con_also\"]", NOW),
                     GS_OK);
    assert_int_equal(retired, 1);
    assert_true(sql_is_null(fx->store->db, "SELECT deleted_at FROM contacts "
                                           "WHERE id = 'con_also'"));
    assert_false(sql_is_null(fx->store->db, "SELECT deleted_at FROM contacts "
                                            "WHERE id = 'con_old'"));
    assert_true(sql_is_null(fx->store->db, "SELECT deleted_at FROM contacts "
                                           "WHERE id = 'con_new'"));
    assert_true(sql_is_null(fx->store->db, "SELECT deleted_at FROM contacts "
                                           "WHERE id = 'con_other'"));
    /* Retired rows are a change to push. */
    assert_true(sql_int(fx->store->db, "SELECT change_seq FROM contacts "
                                       "WHERE id = 'con_old'") > seq_before);
    /* None kept: a client that lists no contact any more. */
    assert_int_equal(gs_store_retire_others(&retired, fx->store, contacts,
                                            "client_id", "cli_2", NULL, NOW),
                     GS_OK);
    assert_int_equal(retired, 1);
    assert_int_equal(gs_store_retire_others(&retired, fx->store, contacts,
                                            "client_id; DROP TABLE users",
                                            "cli_2", NULL, NOW),
                     GS_EINVAL);
}

static void test_sweep_without_reset_or_on_unknown_column_refuses(void **state)
{
    store_fixture *fx = *state;
    const gs_entity *events = gs_entity_get(GS_ENTITY_APPOINTMENTS);
    long long deleted = -1;

    add_event(fx->store, "ev_1", "2024-05-02T09:00:00Z");
    assert_int_equal(gs_store_sweep_unseen(&deleted, fx->store, events, NULL,
                                           NULL, NULL, NOW),
                     GS_EINVAL);
    assert_int_equal(gs_store_seen_reset(fx->store, events), GS_OK);
    assert_int_equal(gs_store_sweep_unseen(&deleted, fx->store, events,
                                           "start; DROP TABLE users", "a", "b",
                                           NOW),
                     GS_EINVAL);
    assert_int_equal(sql_int(fx->store->db, "SELECT count(*) FROM "
                                            "appointments WHERE deleted_at "
                                            "IS NULL"),
                     1);
}

static void test_status_json_has_every_entity(void **state)
{
    store_fixture *fx = *state;
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);
    gs_sync_state st = {.calls_total = 9};
    json_t *status = NULL;
    int changed;

    snprintf(st.policy, sizeof st.policy, "delta");
    snprintf(st.last_success, sizeof st.last_success, "2000-01-01T00:00:00Z");
    assert_int_equal(gs_store_state_put(fx->store, clients, &st), GS_OK);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_CLIENTS,
                                 "{\"id\":\"cli_1\"}", NOW),
                     GS_OK);
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_CLIENTS,
                                 "{\"id\":\"cli_2\"}", NOW),
                     GS_OK);
    assert_int_equal(gs_store_push_advance(fx->store, clients, "sb", 1, 1, NOW),
                     GS_OK);
    assert_int_equal(gs_store_failure_record(fx->store, clients, "sb", "cli_2",
                                             400, "x", "y", NOW),
                     GS_OK);
    assert_int_equal(gs_store_status(&status, fx->store, "sb"), GS_OK);
    assert_int_equal(json_object_size(status), GS_ENTITY_COUNT);
    for (int e = 0; e < GS_ENTITY_COUNT; e++)
        assert_non_null(json_object_get(status, gs_entity_get(e)->name));
    json_t *c = json_object_get(status, "clients");
    assert_int_equal(json_integer_value(json_object_get(c, "rows")), 2);
    assert_int_equal(json_integer_value(json_object_get(c, "pending")), 1);
    assert_int_equal(json_integer_value(json_object_get(c, "failures")), 1);
    assert_int_equal(json_integer_value(json_object_get(c, "calls_total")), 9);
    assert_string_equal(json_string_value(json_object_get(c, "policy")),
                        "delta");
    assert_true(json_integer_value(json_object_get(c, "age_s")) > 86400);
    json_t *users = json_object_get(status, "users");
    assert_int_equal(json_integer_value(json_object_get(users, "pending")), 0);
    assert_true(json_is_null(json_object_get(users, "age_s")));
    json_decref(status);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fixture_open, fixture_close)
        T(test_sweep_marks_only_unseen_rows_inside_the_range),
        T(test_sweep_of_the_whole_table_and_seen_survives_reopen),
        T(test_seen_stop_ends_recording_without_deleting),
        T(test_retire_others_marks_only_the_replaced_rows),
        T(test_seen_stop_in_a_new_process_ends_a_left_scope),
        T(test_sweep_without_reset_or_on_unknown_column_refuses),
        T(test_status_json_has_every_entity),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

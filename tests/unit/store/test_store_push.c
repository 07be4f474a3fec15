/* store/push_backlog.c and store/push_state.c: the backlog, the push mark
 * and the quarantine of refused rows. */
#include "test_store_util.h"

#define NOW "2024-05-01T10:00:00Z"

static void add_pianos(gs_store *store, int n)
{
    for (int i = 1; i <= n; i++) {
        char text[256];
        int changed;

        snprintf(text, sizeof text,
                 "{\"id\":\"pia_%d\",\"year\":%d,\"tags\":[\"t%d\"],"
                 "\"client\":{\"id\":\"cli_1\"}}",
                 i, 1900 + i, i);
        assert_int_equal(
            upsert_text(&changed, store, GS_ENTITY_PIANOS, text, NOW), GS_OK);
    }
}

static void test_pending_is_in_change_seq_order_with_limit(void **state)
{
    store_fixture *fx = *state;
    const gs_entity *pianos = gs_entity_get(GS_ENTITY_PIANOS);
    json_t *rows = NULL, *row;
    long long count;
    int changed;
    size_t i;

    add_pianos(fx->store, 5);
    /* Change pia_2: it moves to the end of the backlog (seq 6). */
    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_PIANOS,
                                 "{\"id\":\"pia_2\",\"year\":2000}", NOW),
                     GS_OK);
    assert_int_equal(gs_store_pending(&rows, fx->store, pianos, 2, 3), GS_OK);
    assert_int_equal(json_array_size(rows), 3);
    const char *want[] = {"pia_3", "pia_4", "pia_5"};
    json_array_foreach(rows, i, row)
    {
        assert_string_equal(json_string_value(json_object_get(row, "id")),
                            want[i]);
        assert_int_equal(json_integer_value(json_object_get(row, "change_seq")),
                         (long long)i + 3);
    }
    json_decref(rows);
    assert_int_equal(gs_store_pending(&rows, fx->store, pianos, 5, 0), GS_OK);
    assert_int_equal(json_array_size(rows), 1);
    row = json_array_get(rows, 0);
    assert_string_equal(json_string_value(json_object_get(row, "id")), "pia_2");
    assert_int_equal(json_integer_value(json_object_get(row, "year")), 2000);
    assert_true(json_is_null(json_object_get(row, "tags")));
    json_decref(rows);
    assert_int_equal(gs_store_pending_count(&count, fx->store, pianos, 2),
                     GS_OK);
    assert_int_equal(count, 4);
}

static void test_pending_rows_carry_typed_values_and_raw(void **state)
{
    store_fixture *fx = *state;
    json_t *rows = NULL, *row;
    int changed;

    assert_int_equal(
        upsert_text(&changed, fx->store, GS_ENTITY_APPOINTMENTS,
                    "{\"id\":\"ev_1\",\"duration\":90,\"isAllDay\":true,"
                    "\"allEventPianos\":{\"nodes\":[{\"piano\":{\"id\":"
                    "\"pia_1\"}}]},\"title\":\"Tune\"}",
                    NOW),
        GS_OK);
    assert_int_equal(gs_store_pending(&rows, fx->store,
                                      gs_entity_get(GS_ENTITY_APPOINTMENTS), 0,
                                      10),
                     GS_OK);
    row = json_array_get(rows, 0);
    assert_int_equal(json_integer_value(json_object_get(row, "duration")), 90);
    assert_true(json_is_true(json_object_get(row, "is_all_day")));
    assert_true(json_is_null(json_object_get(row, "confirmed_by_client")));
    assert_true(json_is_array(json_object_get(row, "piano_ids")));
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(row, "piano_ids"), 0)),
        "pia_1");
    assert_string_equal(json_string_value(json_object_get(row, "title")),
                        "Tune");
    assert_true(json_is_null(json_object_get(row, "deleted_at")));
    /* raw is handed over as the stored text, which is the node's JSON. */
    assert_true(json_is_string(json_object_get(row, "raw")));
    {
        json_t *raw =
            json_loads(json_string_value(json_object_get(row, "raw")), 0, NULL);
        assert_non_null(raw);
        assert_int_equal(json_integer_value(json_object_get(raw, "duration")),
                         90);
        json_decref(raw);
    }
    /* One key per mapped column plus raw, deleted_at and change_seq. */
    assert_int_equal(json_object_size(row),
                     gs_entity_get(GS_ENTITY_APPOINTMENTS)->n_columns + 3);
    json_decref(rows);
}

static void test_rows_by_id_follow_the_given_order(void **state)
{
    store_fixture *fx = *state;
    json_t *ids = json_pack("[sss]", "pia_3", "pia_missing", "pia_1");
    json_t *rows = NULL;

    add_pianos(fx->store, 3);
    assert_int_equal(gs_store_rows_by_id(&rows, fx->store,
                                         gs_entity_get(GS_ENTITY_PIANOS), ids),
                     GS_OK);
    assert_int_equal(json_array_size(rows), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(rows, 0), "id")),
        "pia_3");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(rows, 1), "id")),
        "pia_1");
    json_decref(rows);
    json_decref(ids);
}

static void test_push_advance_never_lowers_the_mark(void **state)
{
    store_fixture *fx = *state;
    const gs_entity *pianos = gs_entity_get(GS_ENTITY_PIANOS);
    gs_push_state ps;

    assert_int_equal(gs_store_push_state_get(&ps, fx->store, pianos, "sb"),
                     GS_OK);
    assert_int_equal(ps.last_pushed_seq, 0);
    assert_string_equal(ps.last_push, "");
    assert_int_equal(gs_store_push_advance(fx->store, pianos, "sb", 10, 10,
                                           "2024-05-01T10:00:00Z"),
                     GS_OK);
    assert_int_equal(gs_store_push_advance(fx->store, pianos, "sb", 4, 2,
                                           "2024-05-01T10:00:01Z"),
                     GS_OK);
    assert_int_equal(gs_store_push_state_get(&ps, fx->store, pianos, "sb"),
                     GS_OK);
    assert_int_equal(ps.last_pushed_seq, 10);
    assert_int_equal(ps.rows_pushed, 12);
    assert_string_equal(ps.last_push, "2024-05-01T10:00:01Z");
    assert_int_equal(gs_store_push_state_get(&ps, fx->store, pianos, "other"),
                     GS_OK);
    assert_int_equal(ps.last_pushed_seq, 0);
}

static void test_failures_record_bump_and_clear(void **state)
{
    store_fixture *fx = *state;
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);
    json_t *ids = NULL;

    assert_int_equal(gs_store_failure_record(fx->store, clients, "sb", "cli_1",
                                             400, "22P02", "bad date", "t1"),
                     GS_OK);
    assert_int_equal(gs_store_failure_record(fx->store, clients, "sb", "cli_2",
                                             409, "23505", "dup", "t1"),
                     GS_OK);
    assert_int_equal(gs_store_failure_record(fx->store, clients, "sb", "cli_1",
                                             422, "X", "still bad", "t2"),
                     GS_OK);
    sqlite3 *db = fx->store->db;
    assert_int_equal(sql_int(db, "SELECT attempts FROM push_failures WHERE "
                                 "id = 'cli_1'"),
                     2);
    assert_int_equal(sql_int(db, "SELECT http_status FROM push_failures "
                                 "WHERE id = 'cli_1'"),
                     422);
    char *text = sql_text(db, "SELECT message || '|' || first_failed_at || "
                              "'|' || last_failed_at FROM push_failures "
                              "WHERE id = 'cli_1'");
    assert_string_equal(text, "still bad|t1|t2");
    free(text);
    assert_int_equal(gs_store_failures_ids(&ids, fx->store, clients, "sb"),
                     GS_OK);
    assert_int_equal(json_array_size(ids), 2);
    json_decref(ids);
    assert_int_equal(gs_store_failure_clear(fx->store, clients, "sb", "cli_1"),
                     GS_OK);
    assert_int_equal(gs_store_failures_ids(&ids, fx->store, clients, "sb"),
                     GS_OK);
    assert_int_equal(json_array_size(ids), 1);
    assert_string_equal(json_string_value(json_array_get(ids, 0)), "cli_2");
    json_decref(ids);
    assert_int_equal(gs_store_failures_ids(&ids, fx->store, clients, "other"),
                     GS_OK);
    assert_int_equal(json_array_size(ids), 0);
    json_decref(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fixture_open, fixture_close)
        T(test_pending_is_in_change_seq_order_with_limit),
        T(test_pending_rows_carry_typed_values_and_raw),
        T(test_rows_by_id_follow_the_given_order),
        T(test_push_advance_never_lowers_the_mark),
        T(test_failures_record_bump_and_clear),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

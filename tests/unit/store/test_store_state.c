/* store/state.c and store/runs.c: sync_state, meta and the run log. */
#include "test_store_util.h"

static void test_state_of_a_never_synced_entity_reads_as_zeros(void **state)
{
    store_fixture *fx = *state;
    gs_sync_state st;

    memset(&st, 0x55, sizeof st);
    assert_int_equal(
        gs_store_state_get(&st, fx->store, gs_entity_get(GS_ENTITY_PIANOS)),
        GS_OK);
    assert_string_equal(st.policy, "");
    assert_string_equal(st.high_water, "");
    assert_int_equal(st.rows, 0);
    assert_int_equal(st.calls_total, 0);
}

static void test_state_round_trips_every_field(void **state)
{
    store_fixture *fx = *state;
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);
    gs_sync_state in = {.rows = 12, .calls_last = 3, .calls_total = 40};
    gs_sync_state out;

    snprintf(in.policy, sizeof in.policy, "delta");
    snprintf(in.last_attempt, sizeof in.last_attempt, "2024-05-01T10:00:00Z");
    snprintf(in.last_success, sizeof in.last_success, "2024-05-01T10:00:05Z");
    snprintf(in.high_water, sizeof in.high_water, "2024-04-30T23:59:59Z");
    snprintf(in.pending_high_water, sizeof in.pending_high_water, "p");
    snprintf(in.resume_cursor, sizeof in.resume_cursor, "cursor==");
    snprintf(in.status, sizeof in.status, "ok");
    snprintf(in.last_error, sizeof in.last_error, "none");
    snprintf(in.decision, sizeof in.decision, "pulled: delta");
    assert_int_equal(gs_store_state_put(fx->store, clients, &in), GS_OK);
    in.calls_total = 41;
    assert_int_equal(gs_store_state_put(fx->store, clients, &in), GS_OK);
    assert_int_equal(gs_store_state_get(&out, fx->store, clients), GS_OK);
    assert_memory_equal(&in, &out, sizeof in);
    /* Another entity is untouched. */
    assert_int_equal(
        gs_store_state_get(&out, fx->store, gs_entity_get(GS_ENTITY_USERS)),
        GS_OK);
    assert_string_equal(out.policy, "");
}

static void test_meta_set_get_overwrite_and_absent(void **state)
{
    store_fixture *fx = *state;
    char *value = (char *)"x";

    assert_int_equal(gs_store_meta_get(&value, fx->store, "oauth.refresh"),
                     GS_OK);
    assert_null(value);
    assert_int_equal(gs_store_meta_set(fx->store, "oauth.refresh", "t1"),
                     GS_OK);
    assert_int_equal(gs_store_meta_set(fx->store, "oauth.refresh", "t2"),
                     GS_OK);
    assert_int_equal(gs_store_meta_get(&value, fx->store, "oauth.refresh"),
                     GS_OK);
    assert_string_equal(value, "t2");
    free(value);
}

static void test_runs_begin_finish_and_list_newest_first(void **state)
{
    store_fixture *fx = *state;
    gs_run_record run = {.command = "pull",
                         .started_at = "2024-05-01T10:00:00Z"};
    long long first, second;
    json_t *runs = NULL;

    assert_int_equal(gs_store_run_begin(&first, fx->store, &run), GS_OK);
    run.command = "push";
    assert_int_equal(gs_store_run_begin(&second, fx->store, &run), GS_OK);
    assert_true(second > first);
    run.command = "pull";
    run.status = "partial";
    run.finished_at = "2024-05-01T10:01:00Z";
    run.gazelle_requests = 7;
    run.rows_in = 500;
    run.rows_changed = 20;
    run.stats_json = "{\"clients\":{\"pages\":2}}";
    run.error = "pianos: timeout";
    assert_int_equal(gs_store_run_finish(fx->store, first, &run), GS_OK);
    assert_int_equal(gs_store_run_finish(fx->store, 999, &run), GS_ENOTFOUND);

    assert_int_equal(gs_store_runs_list(&runs, fx->store, 10), GS_OK);
    assert_int_equal(json_array_size(runs), 2);
    json_t *newest = json_array_get(runs, 0), *older = json_array_get(runs, 1);
    assert_string_equal(json_string_value(json_object_get(newest, "status")),
                        "running");
    assert_string_equal(json_string_value(json_object_get(newest, "command")),
                        "push");
    assert_string_equal(json_string_value(json_object_get(older, "status")),
                        "partial");
    assert_int_equal(
        json_integer_value(json_object_get(older, "gazelle_requests")), 7);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(older, "stats"), "clients"),
            "pages")),
        2);
    assert_string_equal(json_string_value(json_object_get(older, "error")),
                        "pianos: timeout");
    assert_true(json_is_null(json_object_get(newest, "finished_at")));
    json_decref(runs);

    assert_int_equal(gs_store_runs_list(&runs, fx->store, 1), GS_OK);
    assert_int_equal(json_array_size(runs), 1);
    json_decref(runs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fixture_open, fixture_close)
        T(test_state_of_a_never_synced_entity_reads_as_zeros),
        T(test_state_round_trips_every_field),
        T(test_meta_set_get_overwrite_and_absent),
        T(test_runs_begin_finish_and_list_newest_first),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

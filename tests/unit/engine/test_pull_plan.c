/* engine/pull_plan.c: the local decision, made from the cache alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "pull_internal.h"

typedef struct {
    char dir[256];
    char path[512];
    gs_store *store;
    gs_config cfg;
    gs_pull_opts opts;
    gs_pull_report report;
    gs_pull_ctx ctx;
} plan_fixture;

static int setup(void **state)
{
    plan_fixture *fx = calloc(1, sizeof *fx);

    snprintf(fx->dir, sizeof fx->dir, "/tmp/gs_plan_XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->path, sizeof fx->path, "%s/gazsync.db", fx->dir);
    if (gs_store_open(&fx->store, fx->path, NULL) != GS_OK)
        return -1;
    gs_config_defaults(&fx->cfg);
    fx->ctx.store = fx->store;
    fx->ctx.cfg = &fx->cfg;
    fx->opts = (gs_pull_opts)GS_PULL_OPTS_INIT;
    fx->ctx.opts = &fx->opts;
    fx->ctx.report = &fx->report;
    /* 02:00 UTC on the 21st is still the 20th in Montreal. */
    gs_clock_now(fx->ctx.now, &fx->ctx.now_t, "2026-01-21T02:00:00Z");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    plan_fixture *fx = *state;
    char file[600];

    gs_store_close(fx->store);
    gs_config_free(&fx->cfg);
    snprintf(file, sizeof file, "%s/gazsync.db", fx->dir);
    unlink(file);
    snprintf(file, sizeof file, "%s/gazsync.db-wal", fx->dir);
    unlink(file);
    snprintf(file, sizeof file, "%s/gazsync.db-shm", fx->dir);
    unlink(file);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void add_user(plan_fixture *fx, const char *id)
{
    json_t *node = json_pack("{s:s,s:s}", "id", id, "firstName", "Lise");
    int changed;

    assert_int_equal(gs_store_upsert(&changed, fx->store,
                                     gs_entity_get(GS_ENTITY_USERS), node,
                                     fx->ctx.now),
                     GS_OK);
    json_decref(node);
}

static void test_users_if_empty_pulls_an_empty_table(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;

    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_USERS), &st),
                     GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_FULL);
}

static void
test_users_if_empty_skips_with_rows_and_says_how_to_force(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;

    add_user(fx, "usr_aaaaaaaaaaaaaaaa");
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_USERS), &st),
                     GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_SKIP);
    assert_non_null(strstr(plan.reason, "1 rows"));
    assert_non_null(strstr(plan.reason, "--force=users"));
}

static void test_force_overrides_if_empty(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;

    add_user(fx, "usr_aaaaaaaaaaaaaaaa");
    fx->opts.force = 1u << GS_ENTITY_USERS;
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_USERS), &st),
                     GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_FULL);
}

/* The default for clients and pianos: the whole table every night, since
 * no list can be asked by update time. */
static void test_clients_default_is_a_full_read_every_night(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;

    snprintf(st.high_water, sizeof st.high_water, "2026-01-20T12:00:00Z");
    snprintf(st.last_success, sizeof st.last_success, "2026-01-20T12:00:00Z");
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_CLIENTS), &st),
                     GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_FULL);
    assert_non_null(strstr(plan.reason, "always"));
}

static void add_client(plan_fixture *fx, const char *id, const char *created)
{
    json_t *node = json_pack("{s:s,s:s}", "id", id, "createdAt", created);
    int changed;

    assert_int_equal(gs_store_upsert(&changed, fx->store,
                                     gs_entity_get(GS_ENTITY_CLIENTS), node,
                                     fx->ctx.now),
                     GS_OK);
    json_decref(node);
}

/* new-rows: an empty table is read whole; then createdGet is the business
 * date of the newest creation stamp in the cache, minus a day. */
static void test_new_rows_probes_from_the_newest_known_creation(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);

    fx->cfg.policy[GS_ENTITY_CLIENTS].kind = GS_POLICY_NEW_ROWS;
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx, clients, &st), GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_FULL);
    add_client(fx, "cli_old", "2025-06-01T10:00:00Z");
    /* 03:00 UTC on the 18th is the 17th in Montreal */
    add_client(fx, "cli_new", "2026-01-18T03:00:00Z");
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx, clients, &st), GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_NEW_ROWS);
    assert_string_equal(plan.created_get, "2026-01-16");
}

static void test_since_asks_from_mark_minus_lookback(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;

    fx->cfg.policy[GS_ENTITY_TIMELINE].lookback_s = 86400;
    snprintf(st.high_water, sizeof st.high_water, "2026-01-20T12:00:00Z");
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_TIMELINE), &st),
                     GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_SINCE);
    assert_string_equal(plan.since, "2026-01-19T12:00:00Z");
}

static void test_window_uses_business_dates_not_utc(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;

    fx->cfg.policy[GS_ENTITY_APPOINTMENTS].window_past_days = 7;
    fx->cfg.policy[GS_ENTITY_APPOINTMENTS].window_future_days = 30;
    snprintf(fx->cfg.time_zone, sizeof fx->cfg.time_zone, "America/Montreal");
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_APPOINTMENTS),
                                        &st),
                     GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_FULL); /* first run: all history */
    snprintf(st.last_success, sizeof st.last_success, "2026-01-20T01:00:00Z");
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_APPOINTMENTS),
                                        &st),
                     GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_WINDOW);
    /* Today in Montreal is 2026-01-20, not the UTC 21st. */
    assert_string_equal(plan.window_start, "2026-01-13");
    assert_string_equal(plan.window_end, "2026-02-19");
    /* Deletions are swept only over whole days strictly inside: from local
     * midnight of the 14th (05:00Z in winter) to that of the 19th Feb. */
    assert_string_equal(plan.sweep_from, "2026-01-14T05:00:00Z");
    assert_string_equal(plan.sweep_to, "2026-02-19T05:00:00Z");
}

static void test_max_age_skips_a_recent_success_only(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;

    fx->cfg.policy[GS_ENTITY_PIANOS].max_age_s = 6 * 3600;
    snprintf(st.last_success, sizeof st.last_success, "2026-01-20T23:00:00Z");
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_PIANOS), &st),
                     GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_SKIP);
    assert_non_null(strstr(plan.reason, "max-age"));

    snprintf(st.last_success, sizeof st.last_success, "2026-01-20T19:00:00Z");
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_PIANOS), &st),
                     GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_FULL);
}

static void test_full_every_reads_everything_when_due(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);

    fx->cfg.policy[GS_ENTITY_CLIENTS].kind = GS_POLICY_NEW_ROWS;
    fx->cfg.policy[GS_ENTITY_CLIENTS].full_every_s = 30 * 86400;
    add_client(fx, "cli_1", "2026-01-10T12:00:00Z");
    snprintf(st.high_water, sizeof st.high_water, "2026-01-20T12:00:00Z");
    snprintf(st.last_success, sizeof st.last_success, "2026-01-20T12:00:00Z");
    assert_int_equal(gs_store_meta_set(fx->store, "last_full.clients",
                                       "2026-01-01T00:00:00Z"),
                     GS_OK);
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx, clients, &st), GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_NEW_ROWS);
    assert_int_equal(gs_store_meta_set(fx->store, "last_full.clients",
                                       "2025-12-20T00:00:00Z"),
                     GS_OK);
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx, clients, &st), GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_FULL);
    assert_non_null(strstr(plan.reason, "full-every"));
}

/* The clock went back (issue 11, defect 8): a pull under --now 2031-06-01,
 * then pulls at the real date. A last success or a full read stamped in
 * the future is due, and the reason says why. */
static void test_a_last_success_in_the_future_is_due(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);

    fx->cfg.policy[GS_ENTITY_CLIENTS].kind = GS_POLICY_NEW_ROWS;
    fx->cfg.policy[GS_ENTITY_CLIENTS].max_age_s = 6 * 3600;
    fx->cfg.policy[GS_ENTITY_CLIENTS].full_every_s = 30 * 86400;
    add_client(fx, "cli_1", "2026-01-10T12:00:00Z");
    snprintf(st.high_water, sizeof st.high_water, "2031-06-01T00:00:00Z");
    snprintf(st.last_success, sizeof st.last_success, "2031-06-01T00:00:00Z");
    assert_int_equal(gs_store_meta_set(fx->store, "last_full.clients",
                                       "2031-06-01T00:00:00Z"),
                     GS_OK);
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx, clients, &st), GS_OK);
    assert_int_not_equal(plan.mode, GS_PLAN_SKIP);
    assert_int_equal(plan.mode, GS_PLAN_FULL); /* full-every: due as well */
    assert_non_null(strstr(plan.reason, "in the future"));
    assert_non_null(strstr(plan.reason, "2031-06-01T00:00:00Z"));

    /* Without full-every: the policy's own read, still not skipped. */
    fx->cfg.policy[GS_ENTITY_CLIENTS].full_every_s = 0;
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx, clients, &st), GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_NEW_ROWS);
    assert_non_null(strstr(plan.reason, "clock went back"));
}

static void test_disabled_entity_is_skipped(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;

    fx->cfg.policy[GS_ENTITY_PIANOS].enabled = 0;
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_PIANOS), &st),
                     GS_OK);
    assert_int_equal(plan.mode, GS_PLAN_SKIP);
}

/* Decisions travel as data (issue 14): the front end words the skip and
 * its override from these fields, not from the reason's text. */
static void
test_plan_data_skipped_because_table_has_rows_can_be_forced(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;
    gs_entity_report report = {0};

    add_user(fx, "usr_aaaaaaaaaaaaaaaa");
    add_user(fx, "usr_bbbbbbbbbbbbbbbb");
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_USERS), &st),
                     GS_OK);
    gs__pull_plan_report(&report, &plan, GS_POLICY_IF_EMPTY);
    assert_int_equal(report.why, GS_WHY_TABLE_HAS_ROWS);
    assert_int_equal(report.rows, 2);
    assert_true(report.can_force);
    assert_int_equal(report.policy, GS_POLICY_IF_EMPTY);
    assert_string_equal(gs_pull_why_name(report.why), "table-has-rows");
}

static void test_plan_data_forced_is_a_full_read_not_forceable(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;

    add_user(fx, "usr_aaaaaaaaaaaaaaaa");
    fx->opts.force = 1u << GS_ENTITY_USERS;
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_USERS), &st),
                     GS_OK);
    assert_int_equal(plan.why, GS_WHY_FORCED);
    assert_false(plan.can_force);
    assert_int_equal(plan.rows, 0); /* the table was not even counted */
}

static void test_plan_data_max_age_carries_age_and_interval(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;

    fx->cfg.policy[GS_ENTITY_PIANOS].max_age_s = 6 * 3600;
    /* now is 2026-01-21T02:00:00Z: three hours since */
    snprintf(st.last_success, sizeof st.last_success, "2026-01-20T23:00:00Z");
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_PIANOS), &st),
                     GS_OK);
    assert_int_equal(plan.why, GS_WHY_INTERVAL);
    assert_int_equal(plan.age_s, 3 * 3600);
    assert_int_equal(plan.interval_s, 6 * 3600);
    assert_true(plan.can_force);
}

static void test_plan_data_clock_back_is_flagged(void **state)
{
    plan_fixture *fx = *state;
    gs_sync_state st = {0};
    gs_pull_plan plan;

    snprintf(st.last_success, sizeof st.last_success, "2031-06-01T00:00:00Z");
    snprintf(st.high_water, sizeof st.high_water, "2031-06-01T00:00:00Z");
    assert_int_equal(gs__pull_plan_make(&plan, &fx->ctx,
                                        gs_entity_get(GS_ENTITY_CLIENTS), &st),
                     GS_OK);
    assert_int_equal(plan.why, GS_WHY_ALWAYS);
    assert_true(plan.clock_back);
}

/* gs_pull_preview gives status the same struct the pull reports. */
static void test_preview_returns_the_decision_as_data(void **state)
{
    plan_fixture *fx = *state;
    gs_entity_report next;

    add_user(fx, "usr_aaaaaaaaaaaaaaaa");
    assert_int_equal(gs_pull_preview(&next, fx->store, &fx->cfg,
                                     gs_entity_get(GS_ENTITY_USERS),
                                     "2026-01-21T02:00:00Z"),
                     GS_OK);
    assert_int_equal(next.decision, GS_DECISION_SKIPPED);
    assert_int_equal(next.why, GS_WHY_TABLE_HAS_ROWS);
    assert_int_equal(next.rows, 1);
    assert_true(next.can_force);
    assert_false(next.resumes);
    assert_non_null(strstr(next.reason, "1 rows"));

    assert_int_equal(gs_pull_preview(&next, fx->store, &fx->cfg,
                                     gs_entity_get(GS_ENTITY_CONTACTS),
                                     "2026-01-21T02:00:00Z"),
                     GS_OK);
    assert_int_equal(next.why, GS_WHY_WITH_CLIENTS);
    assert_false(next.can_force);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_users_if_empty_pulls_an_empty_table, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_users_if_empty_skips_with_rows_and_says_how_to_force, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_force_overrides_if_empty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_clients_default_is_a_full_read_every_night, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_new_rows_probes_from_the_newest_known_creation, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_since_asks_from_mark_minus_lookback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_uses_business_dates_not_utc,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_max_age_skips_a_recent_success_only, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_full_every_reads_everything_when_due, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_last_success_in_the_future_is_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_entity_is_skipped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_plan_data_skipped_because_table_has_rows_can_be_forced, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_plan_data_forced_is_a_full_read_not_forceable, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_plan_data_max_age_carries_age_and_interval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_data_clock_back_is_flagged,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_preview_returns_the_decision_as_data, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

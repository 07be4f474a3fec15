/* gs_sync_run() (engine/sync): the run's code from its halves, the
 * sync_runs row it opens and completes, which half runs when, the
 * callbacks, and the refusal of an unknown opts version. A real cache on a
 * temporary file; Gazelle is a scripted local server; the push half is a
 * dry run (no Supabase) or one that fails as a whole for want of one. The
 * integration tests run both halves against the simulator and the double. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../store/test_store_util.h"
#include "gazsync/sync.h"
#include "test_server.h"

#define NOW "2026-01-21T15:00:00Z"

typedef struct {
    store_fixture sf;
    gs_test_server *srv;
    gs_http *http;
    gs_gazelle *client;
    char api_url[256];
    gs_config cfg;
    gs_sync_opts opts;
    gs_sync_report report;
    /* what the callbacks saw */
    long long begun_id;
    int pull_told;
    int pushed_when_told;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    gs_http_opts hopts = {0};
    gs_gazelle_opts gopts = {0};

    if (!f)
        return -1;
    snprintf(f->sf.dir, sizeof f->sf.dir, "/tmp/gs_sync_run_XXXXXX");
    if (!mkdtemp(f->sf.dir))
        return -1;
    snprintf(f->sf.path, sizeof f->sf.path, "%s/gazsync.db", f->sf.dir);
    if (gs_store_open(&f->sf.store, f->sf.path, NULL) != GS_OK)
        return -1;
    if (gs_test_server_start(&f->srv) != 0)
        return -1;
    hopts.backoff_base_ms = 1;
    hopts.max_attempts = 1;
    hopts.label = "gazelle";
    if (gs_http_new(&f->http, &hopts) != GS_OK)
        return -1;
    snprintf(f->api_url, sizeof f->api_url, "%s/graphql/private/",
             gs_test_server_url(f->srv));
    gopts.api_url = f->api_url;
    gopts.access_token = "unit-token";
    if (gs_gazelle_new(&f->client, f->http, &gopts) != GS_OK)
        return -1;
    gs_config_defaults(&f->cfg);
    f->cfg.pack = 0; /* canned answers: one page a request */
    f->opts = (gs_sync_opts)GS_SYNC_OPTS_INIT;
    f->opts.now = NOW;
    f->opts.pull_opts.entities = 1u << GS_ENTITY_PIANOS;
    f->opts.pull_opts.now = NOW;
    f->opts.push_opts.entities = 1u << GS_ENTITY_PIANOS;
    f->opts.push_opts.now = NOW;
    f->opts.push_opts.dry_run = 1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    gs_gazelle_free(f->client);
    gs_http_free(f->http);
    gs_test_server_stop(f->srv);
    gs_store_close(f->sf.store);
    gs_config_free(&f->cfg);
    fixture_rmdir(f->sf.dir);
    free(f);
    return 0;
}

static void two_pianos(fixture *f)
{
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allPianos\":{\"nodes\":[{\"id\":\"pia_1\"},"
        "{\"id\":\"pia_2\"}],\"pageInfo\":{\"hasNextPage\":false,"
        "\"endCursor\":null}}}}");
}

static int sync_run(fixture *f)
{
    return gs_sync_run(&f->report, f->sf.store, f->client, NULL, &f->cfg,
                       &f->opts);
}

static long long runs(fixture *f)
{
    return sql_int(f->sf.store->db, "SELECT count(*) FROM sync_runs");
}

/* The text of @p column in the newest run row; free() it. */
static char *last_run(fixture *f, const char *column)
{
    char sql[128];

    snprintf(sql, sizeof sql,
             "SELECT %s FROM sync_runs ORDER BY id DESC LIMIT 1", column);
    return sql_text(f->sf.store->db, sql);
}

static void assert_last_run(fixture *f, const char *column,
                            const char *expected)
{
    char *value = last_run(f, column);

    assert_string_equal(value, expected);
    free(value);
}

/* ---- the code rule ---------------------------------------------------- */

static void test_sync_code_keeps_each_rule(void **state)
{
    static const struct {
        int pull, push, expected;
    } rows[] = {
        {GS_OK, GS_OK, GS_OK},
        /* a cache fault or a stop wins, the pull's first */
        {GS_ESTORE, GS_OK, GS_ESTORE},
        {GS_ECANCELED, GS_EHTTP, GS_ECANCELED},
        {GS_ESTORE, GS_ECANCELED, GS_ESTORE},
        {GS_EAUTH, GS_ESTORE, GS_ESTORE},
        {GS_OK, GS_ECANCELED, GS_ECANCELED},
        {GS_EPARTIAL, GS_ESTORE, GS_ESTORE},
        /* both did at least part of their work: partial */
        {GS_EPARTIAL, GS_OK, GS_EPARTIAL},
        {GS_OK, GS_EPARTIAL, GS_EPARTIAL},
        {GS_EPARTIAL, GS_EPARTIAL, GS_EPARTIAL},
        /* a half failed as a whole: its own code, the pull's first */
        {GS_EAUTH, GS_OK, GS_EAUTH},
        {GS_OK, GS_EHTTP, GS_EHTTP},
        {GS_EPARTIAL, GS_ECONFIG, GS_ECONFIG},
        {GS_EAUTH, GS_EPARTIAL, GS_EAUTH},
        {GS_EAUTH, GS_EHTTP, GS_EAUTH},
    };

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int code = gs_sync_code(rows[i].pull, rows[i].push);

        if (code != rows[i].expected)
            fail_msg("gs_sync_code(%d, %d) = %d, expected %d", rows[i].pull,
                     rows[i].push, code, rows[i].expected);
    }
    assert_string_equal(gs_sync_status(GS_OK), "ok");
    assert_string_equal(gs_sync_status(GS_EPARTIAL), "partial");
    assert_string_equal(gs_sync_status(GS_ECANCELED), "interrupted");
    assert_string_equal(gs_sync_status(GS_EHTTP), "failed");
}

/* ---- the run row ------------------------------------------------------ */

static void test_sync_run_records_both_halves_in_one_row(void **state)
{
    fixture *f = *state;
    char *stats;
    json_t *doc;

    two_pianos(f);
    assert_int_equal(sync_run(f), GS_OK);
    assert_true(f->report.pulled);
    assert_true(f->report.pushed);
    assert_true(f->report.run_id > 0);
    assert_int_equal(f->report.run_log_code, GS_OK);
    assert_int_equal(f->report.pull.entity[GS_ENTITY_PIANOS].rows_seen, 2);
    assert_int_equal(runs(f), 1);
    assert_last_run(f, "command", "sync");
    assert_last_run(f, "status", "ok");
    assert_last_run(f, "started_at", NOW);
    assert_last_run(f, "finished_at", NOW);
    assert_int_equal(sql_int(f->sf.store->db, "SELECT rows_in FROM sync_runs"),
                     2);
    assert_int_equal(
        sql_int(f->sf.store->db, "SELECT gazelle_requests FROM sync_runs"), 1);
    assert_true(sql_is_null(f->sf.store->db, "SELECT error FROM sync_runs"));
    /* both halves' reports, under their names */
    stats = last_run(f, "stats");
    doc = json_loads(stats, 0, NULL);
    assert_non_null(json_object_get(doc, "pull"));
    assert_non_null(json_object_get(doc, "push"));
    assert_non_null(json_object_get(
        json_object_get(json_object_get(doc, "pull"), "entities"), "pianos"));
    json_decref(doc);
    free(stats);
}

/* A pull whose every entity failed is the run's code, and the row says
 * which half and which entity. */
static void test_sync_run_names_the_failed_half_in_the_row(void **state)
{
    fixture *f = *state;
    char *error;

    gs_test_server_push_json(f->srv, 500, "{}");
    assert_int_equal(sync_run(f), GS_EHTTP);
    assert_int_equal(f->report.pull_code, GS_EHTTP);
    assert_int_equal(f->report.push_code, GS_OK);
    assert_true(f->report.pushed); /* the cache is consistent: it goes out */
    assert_ptr_equal(gs_sync_report_error(&f->report), &f->report.pull_error);
    assert_last_run(f, "status", "failed");
    error = last_run(f, "error");
    assert_non_null(strstr(error, "pull pianos: "));
    free(error);
}

/* A push that fails as a whole after a good pull: the push's code. */
static void test_sync_run_failed_push_is_the_code(void **state)
{
    fixture *f = *state;
    char *error;

    two_pianos(f);
    f->opts.push_opts.dry_run = 0; /* and no Supabase transport */
    assert_int_equal(sync_run(f), GS_EINVAL);
    assert_int_equal(f->report.pull_code, GS_OK);
    assert_int_equal(f->report.push_code, GS_EINVAL);
    assert_ptr_equal(gs_sync_report_error(&f->report), &f->report.push_error);
    assert_non_null(strstr(f->report.push_error.message, "no HTTP"));
    error = last_run(f, "error");
    assert_non_null(strstr(error, "push: "));
    free(error);
}

/* A stop request: the pull stops, the push does not start, the row says
 * interrupted. */
static void test_sync_run_cancel_skips_the_push(void **state)
{
    fixture *f = *state;
    volatile sig_atomic_t stop = 1;

    f->opts.pull_opts.cancel = &stop;
    assert_int_equal(sync_run(f), GS_ECANCELED);
    assert_true(f->report.pulled);
    assert_false(f->report.pushed);
    assert_int_equal(gs_test_server_request_count(f->srv), 0);
    assert_last_run(f, "status", "interrupted");
}

/* One half: the row's command is the caller's and its stats are that
 * half's own report, as `gazsync pull` always wrote them. */
static void test_sync_run_pull_only_keeps_the_pull_shape(void **state)
{
    fixture *f = *state;
    char *stats;
    json_t *doc;

    two_pianos(f);
    f->opts.command = "pull";
    f->opts.push = 0;
    assert_int_equal(sync_run(f), GS_OK);
    assert_false(f->report.pushed);
    assert_last_run(f, "command", "pull");
    stats = last_run(f, "stats");
    doc = json_loads(stats, 0, NULL);
    assert_non_null(json_object_get(doc, "entities"));
    assert_null(json_object_get(doc, "push"));
    json_decref(doc);
    free(stats);
}

/* A dry push records nothing (record = 0): no row, no id. */
static void test_sync_run_without_record_writes_no_row(void **state)
{
    fixture *f = *state;

    f->opts.command = "push";
    f->opts.pull = 0;
    f->opts.record = 0;
    assert_int_equal(
        gs_sync_run(&f->report, f->sf.store, NULL, NULL, &f->cfg, &f->opts),
        GS_OK);
    assert_true(f->report.pushed);
    assert_int_equal(f->report.run_id, 0);
    assert_int_equal(runs(f), 0);
}

static void on_begin(void *ctx, long long run_id)
{
    fixture *f = ctx;

    f->begun_id = run_id;
}

static void on_pull(void *ctx, const gs_sync_report *report)
{
    fixture *f = ctx;

    f->pull_told++;
    f->pushed_when_told = report->pushed;
}

/* on_begin has the row's id; on_pull comes between the halves. */
static void test_sync_run_tells_the_begin_and_the_pull(void **state)
{
    fixture *f = *state;

    two_pianos(f);
    f->opts.on_begin = on_begin;
    f->opts.on_pull = on_pull;
    f->opts.callback_ctx = f;
    assert_int_equal(sync_run(f), GS_OK);
    assert_true(f->begun_id > 0);
    assert_int_equal(f->begun_id, f->report.run_id);
    assert_int_equal(f->pull_told, 1);
    assert_false(f->pushed_when_told);
    assert_true(f->report.pushed);
}

/* ---- options versions ------------------------------------------------- */

static void test_sync_run_refuses_an_unknown_opts_version(void **state)
{
    fixture *f = *state;

    f->opts.version = 0;
    assert_int_equal(sync_run(f), GS_EINVAL);
    assert_non_null(strstr(gs_error_last()->message, "gs_sync_opts version 0"));
    assert_false(f->report.pulled);
    assert_int_equal(runs(f), 0);
    assert_int_equal(gs_test_server_request_count(f->srv), 0);

    f->opts.version = GS_SYNC_OPTS_VERSION + 1;
    assert_int_equal(sync_run(f), GS_EINVAL);
    assert_int_equal(runs(f), 0);
}

/* A half's own opts of an unknown version: that half refuses, the run says
 * so in its row. */
static void test_sync_run_half_refuses_its_opts_version(void **state)
{
    fixture *f = *state;

    f->opts.pull_opts.version = 0;
    assert_int_equal(sync_run(f), GS_EINVAL);
    assert_int_equal(f->report.pull_code, GS_EINVAL);
    assert_non_null(
        strstr(f->report.pull_error.message, "gs_pull_opts version 0"));
    assert_int_equal(gs_test_server_request_count(f->srv), 0);
    assert_last_run(f, "status", "failed");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_code_keeps_each_rule),
        T(test_sync_run_records_both_halves_in_one_row),
        T(test_sync_run_names_the_failed_half_in_the_row),
        T(test_sync_run_failed_push_is_the_code),
        T(test_sync_run_cancel_skips_the_push),
        T(test_sync_run_pull_only_keeps_the_pull_shape),
        T(test_sync_run_without_record_writes_no_row),
        T(test_sync_run_tells_the_begin_and_the_pull),
        T(test_sync_run_refuses_an_unknown_opts_version),
        T(test_sync_run_half_refuses_its_opts_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

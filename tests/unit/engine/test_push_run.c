/* gs_push_run() over a real cache and a scripted local HTTP server: the
 * request shape, batches and last_pushed_seq, nothing sent when nothing is
 * pending, a stop on 503 that marks nothing, the quarantine of a refused row
 * and its retry, 401 stopping every entity, 404, dry runs, the run log,
 * resend_all (push --all), the progress callback's counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gazsync/error.h"
#include "gazsync/push.h"
#include "silent_server.h"
#include "test_server.h"

#define NOW "2026-01-21T15:00:00Z"
#define KEY "sekret-service-role-key"

typedef struct {
    int status;            /* answer to every upsert; 0: 201 */
    const char *body;      /* its body */
    const char *refuse;    /* a 400 for any body holding this text */
    size_t timeout_over;   /* 500 57014 for a body of more rows; 0: none */
    int timeouts;          /* how many it answered */
    size_t largest;        /* rows of the largest body received */
    const char *runs_body; /* answer to gazsync_runs with 200 and this */
} script;

static const char nginx_page[] =
    "<html>\r\n<head><title>Welcome to nginx!</title></head>\r\n<body>"
    "<h1>Welcome to nginx!</h1></body>\r\n</html>\r\n";

typedef struct {
    gs_test_server *srv;
    gs_http *http;
    gs_store *store;
    gs_config cfg;
    char dir[64];
    char path[128];
    script script;
} fixture;

static void handler(void *ctx, const gs_test_request *req,
                    gs_test_response *out)
{
    script *s = ctx;
    json_t *rows = json_loads(req->body, 0, NULL);
    size_t n = json_array_size(rows);

    json_decref(rows);
    if (s->runs_body && strstr(req->path, "gazsync_runs")) {
        out->status = 200;
        out->body = s->runs_body;
        return;
    }
    if (n > s->largest)
        s->largest = n;
    if (s->timeout_over && n > s->timeout_over) {
        s->timeouts++;
        out->status = 500;
        out->body = "{\"code\":\"57014\",\"message\":\"canceling statement "
                    "due to statement timeout\",\"details\":null,\"hint\":"
                    "null}";
        return;
    }
    if (s->refuse && strstr(req->body, s->refuse)) {
        out->status = 400;
        out->body = "{\"code\":\"23514\",\"message\":\"violates check "
                    "constraint\",\"details\":null,\"hint\":null}";
        return;
    }
    out->status = s->status ? s->status : 201;
    out->body = s->body;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    gs_http_opts opts = {0};

    assert_non_null(f);
    assert_int_equal(gs_test_server_start(&f->srv), 0);
    gs_test_server_set_handler(f->srv, handler, &f->script);
    opts.backoff_base_ms = 1;
    opts.backoff_max_ms = 5;
    opts.max_attempts = 2;
    opts.timeout_ms = 5000;
    opts.label = "supabase";
    assert_int_equal(gs_http_new(&f->http, &opts), GS_OK);
    snprintf(f->dir, sizeof f->dir, "/tmp/gs_push_run_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/cache.db", f->dir);
    assert_int_equal(gs_store_open(&f->store, f->path, NULL), GS_OK);
    f->cfg.supabase_url = strdup(gs_test_server_url(f->srv));
    f->cfg.supabase_key = strdup(KEY);
    f->cfg.supabase_target = strdup("supabase");
    f->cfg.push_batch_rows = 3;
    f->cfg.push_batch_bytes = 1000000;
    for (int e = 0; e < GS_ENTITY_COUNT; e++)
        f->cfg.policy[e].enabled = 1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char wal[160];

    gs_store_close(f->store);
    gs_http_free(f->http);
    gs_test_server_stop(f->srv);
    free(f->cfg.supabase_url);
    free(f->cfg.supabase_key);
    free(f->cfg.supabase_target);
    unlink(f->path);
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", f->path);
    unlink(wal);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void add_piano(fixture *f, const char *id, int year)
{
    int changed = 0;
    json_t *node = json_pack("{ss ss si s[ss] ss s{ss}}", "id", id, "make",
                             "Steinway", "year", year, "tags", "grand", "vip",
                             "updatedAt", NOW, "client", "id", "cli_1");

    assert_int_equal(gs_store_upsert(&changed, f->store,
                                     gs_entity_get(GS_ENTITY_PIANOS), node,
                                     NOW),
                     GS_OK);
    json_decref(node);
}

static void add_pianos(fixture *f, int count)
{
    for (int i = 1; i <= count; i++) {
        char id[16];
        snprintf(id, sizeof id, "pno_%d", i);
        add_piano(f, id, 1900 + i);
    }
}

static long long last_pushed(fixture *f, gs_entity_id e)
{
    gs_push_state st;
    assert_int_equal(
        gs_store_push_state_get(&st, f->store, gs_entity_get(e), "supabase"),
        GS_OK);
    return st.last_pushed_seq;
}

static long long pending(fixture *f, gs_entity_id e)
{
    long long n = 0;
    assert_int_equal(gs_store_pending_count(&n, f->store, gs_entity_get(e),
                                            last_pushed(f, e)),
                     GS_OK);
    return n;
}

static size_t quarantined(fixture *f, gs_entity_id e)
{
    json_t *ids = NULL;
    size_t n;
    assert_int_equal(
        gs_store_failures_ids(&ids, f->store, gs_entity_get(e), "supabase"),
        GS_OK);
    n = json_array_size(ids);
    json_decref(ids);
    return n;
}

static int run(fixture *f, gs_push_report *report, unsigned entities)
{
    gs_push_opts opts = GS_PUSH_OPTS_INIT;
    opts.entities = entities;
    opts.now = NOW;
    return gs_push_run(report, f->store, f->http, &f->cfg, &opts);
}

#define PIANOS (1u << GS_ENTITY_PIANOS)

static void test_push_run_sends_batches_with_the_upsert_shape(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    const gs_test_request *req;
    char *h;

    add_pianos(f, 7);
    assert_int_equal(run(f, &report, 0), GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), 3); /* 3+3+1 */
    assert_int_equal(report.requests, 3);
    assert_int_equal(report.rows_pushed, 7);
    assert_int_equal(report.entity[GS_ENTITY_PIANOS].batches, 3);
    assert_int_equal(report.entity[GS_ENTITY_PIANOS].rows_pending, 7);
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 0);

    req = gs_test_server_request(f->srv, 0);
    assert_string_equal(req->method, "POST");
    assert_string_equal(req->path, "/rest/v1/gazelle_pianos");
    assert_string_equal(req->query, "on_conflict=external_id");
    h = gs_test_request_header(req, "apikey");
    assert_string_equal(h, KEY);
    free(h);
    h = gs_test_request_header(req, "Authorization");
    assert_string_equal(h, "Bearer " KEY);
    free(h);
    h = gs_test_request_header(req, "Prefer");
    assert_string_equal(h, "resolution=merge-duplicates,return=minimal");
    free(h);
    h = gs_test_request_header(req, "Content-Type");
    assert_string_equal(h, "application/json");
    free(h);
    assert_non_null(strstr(req->body, "\"external_id\":\"pno_1\""));
    assert_non_null(strstr(req->body, "\"tags\":[\"grand\",\"vip\"]"));
    assert_null(strstr(req->body, "\"pno_4\""));
}

static void test_push_run_with_nothing_pending_sends_nothing(void **state)
{
    fixture *f = *state;
    gs_push_report report;

    add_pianos(f, 4);
    assert_int_equal(run(f, &report, 0), GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), 2);
    assert_int_equal(run(f, &report, 0), GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), 2);
    assert_int_equal(report.requests, 0);
    /* One changed row: one request with that row only. */
    add_piano(f, "pno_2", 1999);
    assert_int_equal(run(f, &report, 0), GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), 3);
    assert_non_null(
        strstr(gs_test_server_request(f->srv, 2)->body, "\"year\":1999"));
    assert_null(strstr(gs_test_server_request(f->srv, 2)->body, "pno_1"));
}

static void test_push_run_503_stops_the_entity_marking_nothing(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    const gs_error *err;

    add_pianos(f, 5);
    f->script.status = 503;
    assert_int_equal(run(f, &report, PIANOS), GS_EHTTP);
    err = gs_error_last();
    assert_non_null(strstr(err->message, "gazelle_pianos"));
    assert_non_null(strstr(err->message, "503"));
    assert_non_null(strstr(err->message, "change_seq"));
    assert_null(strstr(err->message, KEY));
    assert_int_equal(err->http_status, 503);
    assert_int_equal(last_pushed(f, GS_ENTITY_PIANOS), 0);
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 5);
    assert_int_equal(quarantined(f, GS_ENTITY_PIANOS), 0);
    assert_int_equal(report.entity[GS_ENTITY_PIANOS].requests, 2); /* retry */
    assert_int_equal(report.entity[GS_ENTITY_PIANOS].rows_pushed, 0);

    /* Recovery: the next push sends everything. */
    f->script.status = 0;
    assert_int_equal(run(f, &report, PIANOS), GS_OK);
    assert_int_equal(report.rows_pushed, 5);
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 0);
}

static void test_push_run_quarantines_a_bad_row_and_retries_it(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    size_t before;

    add_pianos(f, 6);
    f->script.refuse = "\"pno_4\"";
    assert_int_equal(run(f, &report, PIANOS), GS_ECONFLICT);
    assert_int_equal(report.entity[GS_ENTITY_PIANOS].rows_pushed, 5);
    assert_int_equal(report.entity[GS_ENTITY_PIANOS].rows_failed, 1);
    assert_int_equal(quarantined(f, GS_ENTITY_PIANOS), 1);
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 0); /* advanced past it */

    /* Still refused: retried once, stays quarantined. */
    before = gs_test_server_request_count(f->srv);
    assert_int_equal(run(f, &report, PIANOS), GS_ECONFLICT);
    assert_int_equal(gs_test_server_request_count(f->srv), before + 1);
    assert_int_equal(quarantined(f, GS_ENTITY_PIANOS), 1);

    /* Fixed in the database: lands and leaves the quarantine. */
    f->script.refuse = NULL;
    before = gs_test_server_request_count(f->srv);
    assert_int_equal(run(f, &report, PIANOS), GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), before + 1);
    assert_non_null(strstr(gs_test_server_request(f->srv, before)->body,
                           "\"external_id\":\"pno_4\""));
    assert_int_equal(report.rows_pushed, 1);
    assert_int_equal(quarantined(f, GS_ENTITY_PIANOS), 0);
    assert_int_equal(run(f, &report, PIANOS), GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), before + 1);
}

static void test_push_run_401_stops_every_entity(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    int changed;
    json_t *client = json_pack("{ss ss}", "id", "cli_1", "updatedAt", NOW);

    assert_int_equal(gs_store_upsert(&changed, f->store,
                                     gs_entity_get(GS_ENTITY_CLIENTS), client,
                                     NOW),
                     GS_OK);
    json_decref(client);
    add_pianos(f, 2);
    f->script.status = 401;
    f->script.body = "{\"code\":\"PGRST301\",\"message\":\"JWT invalid\"}";
    assert_int_equal(run(f, &report, 0), GS_EAUTH);
    assert_int_equal(gs_test_server_request_count(f->srv), 1);
    assert_null(strstr(gs_error_last()->message, KEY));
    assert_int_equal(report.entity[GS_ENTITY_PIANOS].code, GS_EAUTH);
    assert_int_equal(quarantined(f, GS_ENTITY_CLIENTS), 0);
    assert_int_equal(pending(f, GS_ENTITY_CLIENTS), 1);
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 2);
}

static void test_push_run_404_names_the_missing_table(void **state)
{
    fixture *f = *state;
    gs_push_report report;

    add_pianos(f, 2);
    f->script.status = 404;
    f->script.body = "{\"code\":\"PGRST205\",\"message\":\"Could not find "
                     "the table\"}";
    assert_int_equal(run(f, &report, PIANOS), GS_ENOTFOUND);
    assert_non_null(strstr(gs_error_last()->message, "gazelle_pianos"));
    assert_int_equal(quarantined(f, GS_ENTITY_PIANOS), 0);
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 2);
}

static void test_push_run_dry_run_sends_nothing(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    gs_push_opts opts = GS_PUSH_OPTS_INIT;

    add_pianos(f, 7);
    opts.dry_run = 1;
    opts.now = NOW;
    assert_int_equal(gs_push_run(&report, f->store, f->http, &f->cfg, &opts),
                     GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), 0);
    assert_int_equal(report.entity[GS_ENTITY_PIANOS].rows_pending, 7);
    assert_int_equal(report.entity[GS_ENTITY_PIANOS].batches, 3);
    assert_int_equal(report.rows_pushed, 0);
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 7);
}

static void test_push_run_sends_the_run_log(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    gs_push_opts opts = GS_PUSH_OPTS_INIT;
    gs_run_record rec = {0};
    long long run_id = 0;
    const gs_test_request *req;
    json_t *body, *row;
    json_t *report_json;

    add_pianos(f, 2);
    rec.command = "push";
    rec.status = "running";
    rec.started_at = NOW;
    assert_int_equal(gs_store_run_begin(&run_id, f->store, &rec), GS_OK);
    opts.now = NOW;
    opts.run_id = run_id;
    assert_int_equal(gs_push_run(&report, f->store, f->http, &f->cfg, &opts),
                     GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), 2);
    req = gs_test_server_request(f->srv, 1);
    assert_string_equal(req->path, "/rest/v1/gazsync_runs");
    assert_string_equal(req->query, "on_conflict=run_id");
    body = json_loads(req->body, 0, NULL);
    assert_int_equal(json_array_size(body), 1);
    row = json_array_get(body, 0);
    assert_string_equal(json_string_value(json_object_get(row, "status")),
                        "ok");
    assert_int_equal(json_integer_value(json_object_get(row, "rows_pushed")),
                     2);
    assert_non_null(
        strstr(json_string_value(json_object_get(row, "run_id")), ":1"));
    assert_null(strstr(req->body, KEY));
    json_decref(body);
    report_json = gs_push_report_json(&report);
    assert_int_equal(
        json_integer_value(json_object_get(report_json, "rows_pushed")), 2);
    json_decref(report_json);
}

static int run_all(fixture *f, gs_push_report *report)
{
    gs_push_opts opts = GS_PUSH_OPTS_INIT;
    opts.entities = PIANOS;
    opts.now = NOW;
    opts.resend_all = 1;
    return gs_push_run(report, f->store, f->http, &f->cfg, &opts);
}

static void test_push_run_resend_all_sends_every_row(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    long long deleted = 0;
    size_t before;
    const char *body;
    json_t *rows, *row;

    add_pianos(f, 5);
    assert_int_equal(run(f, &report, PIANOS), GS_OK);
    assert_int_equal(last_pushed(f, GS_ENTITY_PIANOS), 5);
    /* pno_5 vanishes upstream: marked deleted, change_seq 6. */
    assert_int_equal(
        gs_store_seen_reset(f->store, gs_entity_get(GS_ENTITY_PIANOS)), GS_OK);
    for (int i = 1; i <= 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "pno_%d", i);
        add_piano(f, id, 1900 + i);
    }
    assert_int_equal(gs_store_sweep_unseen(&deleted, f->store,
                                           gs_entity_get(GS_ENTITY_PIANOS),
                                           NULL, NULL, NULL, NOW),
                     GS_OK);
    assert_int_equal(deleted, 1);
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 1);

    /* --all: every row, the deleted one too, in batches of 3. */
    before = gs_test_server_request_count(f->srv);
    assert_int_equal(run_all(f, &report), GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), before + 2);
    assert_int_equal(report.rows_pushed, 5);
    assert_int_equal(report.entity[GS_ENTITY_PIANOS].rows_pending, 5);
    body = gs_test_server_request(f->srv, before)->body;
    assert_non_null(strstr(body, "\"external_id\":\"pno_1\""));
    rows =
        json_loads(gs_test_server_request(f->srv, before + 1)->body, 0, NULL);
    assert_int_equal(json_array_size(rows), 2);
    row = json_array_get(rows, 1);
    assert_string_equal(json_string_value(json_object_get(row, "external_id")),
                        "pno_5");
    assert_true(json_is_string(json_object_get(row, "deleted_at")));
    json_decref(rows);
    assert_int_equal(last_pushed(f, GS_ENTITY_PIANOS), 6);
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 0);

    /* Again: everything again; the backlog alone is empty. */
    assert_int_equal(run_all(f, &report), GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), before + 4);
    assert_int_equal(report.rows_pushed, 5);
    assert_int_equal(run(f, &report, PIANOS), GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), before + 4);
}

static void test_push_run_resend_all_never_moves_the_mark_back(void **state)
{
    fixture *f = *state;
    gs_push_report report;

    add_pianos(f, 5);
    assert_int_equal(run(f, &report, PIANOS), GS_OK);
    assert_int_equal(last_pushed(f, GS_ENTITY_PIANOS), 5);
    /* The first batch (rows 1..3) lands, the second fails: the mark stays
     * at 5, not 3. */
    gs_test_server_push(f->srv, &(gs_test_response){.status = 201});
    f->script.status = 503;
    assert_int_equal(run_all(f, &report), GS_EHTTP);
    assert_int_equal(report.rows_pushed, 3);
    assert_int_equal(last_pushed(f, GS_ENTITY_PIANOS), 5);
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 0);
}

/* Issue 11, defect 1: "Supabase" answering an nginx page with 200 has not
 * written anything: the push fails naming host, table and status, and
 * nothing is marked pushed. */
static void test_push_run_html_200_marks_nothing_pushed(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    const char *message;
    int rc;

    f->script.status = 200;
    f->script.body = nginx_page;
    add_pianos(f, 5);
    rc = run(f, &report, PIANOS);
    assert_int_equal(rc, GS_EPROTO);
    assert_int_equal(report.rows_pushed, 0);
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 5);
    assert_int_equal(last_pushed(f, GS_ENTITY_PIANOS), 0);
    assert_int_equal(quarantined(f, GS_ENTITY_PIANOS), 0);
    message = gs_error_last()->message;
    assert_non_null(strstr(message, "gazelle_pianos"));
    assert_non_null(strstr(message, gs_test_server_url(f->srv) + 7));
    assert_non_null(strstr(message, "HTTP 200"));
    assert_non_null(strstr(message, "nginx"));
    assert_null(strstr(message, KEY));
    assert_non_null(strstr(report.entity[GS_ENTITY_PIANOS].error, "nginx"));
    /* The first batch stopped the entity: no further batch was tried. */
    assert_int_equal(gs_test_server_request_count(f->srv), 1);
}

/* The run log is judged the same way: an HTML 200 is not a logged run. */
static void test_push_run_html_200_on_the_run_log_is_an_error(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    gs_push_opts opts = GS_PUSH_OPTS_INIT;
    gs_run_record rec = {0};
    long long run_id = 0;

    f->script.runs_body = nginx_page;
    add_pianos(f, 2);
    rec.command = "push";
    rec.status = "running";
    rec.started_at = NOW;
    assert_int_equal(gs_store_run_begin(&run_id, f->store, &rec), GS_OK);
    opts.now = NOW;
    opts.run_id = run_id;
    assert_int_equal(gs_push_run(&report, f->store, f->http, &f->cfg, &opts),
                     GS_EPARTIAL);
    assert_non_null(strstr(gs_error_last()->message, "gazsync_runs"));
    assert_non_null(strstr(gs_error_last()->message, "HTTP 200"));
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 0); /* those did land */
}

/* Issue 11, defect 7: a host that accepts and never answers is asked once
 * per attempt of the first request, not once per entity and run log. */
static void test_push_run_dead_host_is_asked_once(void **state)
{
    fixture *f = *state;
    gs_silent_server *silent;
    gs_http *http;
    gs_push_report report;
    gs_push_opts opts = GS_PUSH_OPTS_INIT;
    gs_http_opts hopts = {.timeout_ms = 300,
                          .max_attempts = 2,
                          .backoff_base_ms = 1,
                          .label = "supabase"};
    gs_run_record rec = {0};
    long long run_id = 0;
    int failed = 0;

    assert_int_equal(gs_silent_server_start(&silent), 0);
    free(f->cfg.supabase_url);
    f->cfg.supabase_url = strdup(gs_silent_server_url(silent));
    assert_int_equal(gs_http_new(&http, &hopts), GS_OK);
    add_pianos(f, 4);
    for (int i = 1; i <= 3; i++) {
        char id[16];
        int changed = 0;
        json_t *node;
        snprintf(id, sizeof id, "usr_%d", i);
        node = json_pack("{ss ss}", "id", id, "email", "a@b.c");
        assert_int_equal(gs_store_upsert(&changed, f->store,
                                         gs_entity_get(GS_ENTITY_USERS), node,
                                         NOW),
                         GS_OK);
        json_decref(node);
    }
    rec.command = "push";
    rec.status = "running";
    rec.started_at = NOW;
    assert_int_equal(gs_store_run_begin(&run_id, f->store, &rec), GS_OK);
    opts.now = NOW;
    opts.run_id = run_id;
    /* Entities with nothing pending went through: partial. */
    assert_int_equal(gs_push_run(&report, f->store, http, &f->cfg, &opts),
                     GS_EPARTIAL);
    assert_int_equal(gs_silent_server_requests(silent), 2);
    for (int e = 0; e < GS_ENTITY_COUNT; e++)
        if (report.entity[e].code != GS_OK) {
            failed++;
            assert_non_null(strstr(report.entity[e].error,
                                   gs_silent_server_url(silent) + 7));
        }
    assert_int_equal(failed, 2); /* users and pianos had rows */
    assert_non_null(strstr(report.entity[GS_ENTITY_PIANOS].error, "not sent"));
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 4);
    gs_http_free(http);
    gs_silent_server_stop(silent);
}

static long long meta_rows(fixture *f)
{
    char *text = NULL;
    long long value = -1;

    assert_int_equal(
        gs_store_meta_get(&text, f->store, "push.batch_rows.supabase.pianos"),
        GS_OK);
    if (text)
        value = strtoll(text, NULL, 10);
    free(text);
    return value;
}

/* Issue 11, defect 6: a batch that meets the statement timeout is halved,
 * never sent again at its size; the size that worked is kept in the cache
 * and the next run starts there, then grows by a quarter per good run. */
static void test_push_run_statement_timeout_shrinks_and_remembers(void **state)
{
    fixture *f = *state;
    gs_push_report report;

    f->cfg.push_batch_rows = 16;
    f->script.timeout_over = 5;
    add_pianos(f, 20);
    assert_int_equal(run(f, &report, PIANOS), GS_OK);
    assert_int_equal(report.rows_pushed, 20);
    assert_int_equal(pending(f, GS_ENTITY_PIANOS), 0);
    /* 16 and 8 timed out once each; 4 worked for the rest. */
    assert_int_equal(f->script.timeouts, 2);
    assert_int_equal(report.entity[GS_ENTITY_PIANOS].batch_rows, 4);
    assert_int_equal(meta_rows(f), 4);

    /* Next run: starts at 4, no timeout; 4 carried full batches: 5. */
    f->script.timeouts = 0;
    f->script.largest = 0;
    add_pianos(f, 20); /* same ids, new years: 20 pending again */
    for (int i = 1; i <= 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "pno_%d", i);
        add_piano(f, id, 2000 + i);
    }
    assert_int_equal(run(f, &report, PIANOS), GS_OK);
    assert_int_equal(f->script.timeouts, 0);
    assert_int_equal(f->script.largest, 4);
    assert_int_equal(meta_rows(f), 5);

    /* The target got faster: the bound grows back to the configured 16
     * one quarter per run, and is then forgotten. */
    f->script.timeout_over = 0;
    for (int run_no = 0; run_no < 8; run_no++) {
        for (int i = 1; i <= 20; i++) {
            char id[16];
            snprintf(id, sizeof id, "pno_%d", i);
            add_piano(f, id, 1000 + run_no * 50 + i);
        }
        assert_int_equal(run(f, &report, PIANOS), GS_OK);
    }
    assert_int_equal(meta_rows(f), 0);
    assert_int_equal(report.entity[GS_ENTITY_PIANOS].batch_rows, 16);
}

/* What the progress callback was told, in order. */
typedef struct {
    gs_push_progress call[32];
    int count;
} progress_log;

static void log_progress(void *ctx, const gs_push_progress *progress)
{
    progress_log *log = ctx;

    assert_true(log->count < 32);
    log->call[log->count++] = *progress;
}

/* gs_push_run() of @p entities with the callback logging into @p log. */
static int run_logged(fixture *f, gs_push_report *report, progress_log *log,
                      unsigned entities, int dry_run)
{
    gs_push_opts opts = GS_PUSH_OPTS_INIT;

    opts.now = NOW;
    opts.entities = entities;
    opts.dry_run = dry_run;
    opts.progress = log_progress;
    opts.progress_ctx = log;
    return gs_push_run(report, f->store, f->http, &f->cfg, &opts);
}

static void test_push_run_progress_counts_each_batch_of_the_total(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    progress_log log = {0};

    add_pianos(f, 7); /* batches of 3: 3, 6, 7 */
    assert_int_equal(run_logged(f, &report, &log, 0, 0), GS_OK);
    /* Three batches of pianos and one end per entity, in push order: the
     * entities before pianos end (empty) before its first batch. */
    assert_int_equal(log.count, 3 + GS_ENTITY_COUNT);
    int batches = 0, ends = 0;
    for (int i = 0; i < log.count; i++) {
        const gs_push_progress *call = &log.call[i];
        if (!call->finished) {
            assert_ptr_equal(call->entity, gs_entity_get(GS_ENTITY_PIANOS));
            assert_int_equal(call->total, 7);
            assert_int_equal(call->batches, ++batches);
            assert_int_equal(call->rows, batches < 3 ? 3 * batches : 7);
            continue;
        }
        assert_ptr_equal(call->entity, gs_entity_get((gs_entity_id)ends++));
        assert_ptr_equal(call->finished, &report.entity[call->entity->id]);
        if (call->entity->id == GS_ENTITY_PIANOS) {
            assert_int_equal(batches, 3); /* the end after the batches */
            assert_int_equal(call->rows, 7);
            assert_int_equal(call->total, 7);
            assert_int_equal(call->finished->rows_pushed, 7);
        } else {
            assert_int_equal(call->rows, 0);
            assert_int_equal(call->total, 0);
        }
    }
    assert_int_equal(ends, GS_ENTITY_COUNT);
}

static void test_push_run_progress_counts_refused_rows_as_sent(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    progress_log log = {0};

    add_pianos(f, 4);
    f->script.refuse = "\"pno_2\"";
    assert_int_equal(run_logged(f, &report, &log, PIANOS, 0), GS_ECONFLICT);
    /* 3 + 1 rows in two batches, one of them quarantined; then the end,
     * which carries the entity's failure. */
    assert_int_equal(log.count, 3);
    assert_int_equal(log.call[0].rows, 3);
    assert_int_equal(log.call[1].rows, 4);
    assert_int_equal(log.call[1].total, 4);
    assert_non_null(log.call[2].finished);
    assert_int_equal(log.call[2].finished->code, GS_ECONFLICT);
    assert_int_equal(log.call[2].finished->rows_failed, 1);
}

static void test_push_run_progress_tells_each_entity_a_401_stopped(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    progress_log log = {0};
    int ends = 0;

    add_pianos(f, 2);
    f->script.status = 401;
    assert_int_equal(run_logged(f, &report, &log, 0, 0), GS_EAUTH);
    /* No batch was recorded; every entity still gets its end, the ones
     * after the refusal with the refusal. */
    for (int i = 0; i < log.count; i++) {
        assert_non_null(log.call[i].finished);
        ends++;
    }
    assert_int_equal(ends, GS_ENTITY_COUNT);
    assert_int_equal(log.call[log.count - 1].finished->code, GS_EAUTH);
}

static void test_push_run_dry_run_progress_tells_only_the_ends(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    progress_log log = {0};

    add_pianos(f, 5);
    assert_int_equal(run_logged(f, &report, &log, PIANOS, 1), GS_OK);
    assert_int_equal(log.count, 1);
    assert_non_null(log.call[0].finished);
    assert_int_equal(log.call[0].total, 5);
    assert_int_equal(log.call[0].rows, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

/* A gs_push_opts zeroed by hand (no GS_PUSH_OPTS_INIT) is refused before
 * any request, naming the struct. */
static void test_push_run_refuses_an_unknown_opts_version(void **state)
{
    fixture *f = *state;
    gs_push_report report;
    gs_push_opts opts;

    memset(&opts, 0, sizeof opts);
    assert_int_equal(gs_push_run(&report, f->store, f->http, &f->cfg, &opts),
                     GS_EINVAL);
    assert_non_null(strstr(gs_error_last()->message, "gs_push_opts version 0"));
    assert_int_equal(gs_test_server_request_count(f->srv), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_push_run_sends_batches_with_the_upsert_shape),
        T(test_push_run_refuses_an_unknown_opts_version),
        T(test_push_run_with_nothing_pending_sends_nothing),
        T(test_push_run_503_stops_the_entity_marking_nothing),
        T(test_push_run_quarantines_a_bad_row_and_retries_it),
        T(test_push_run_401_stops_every_entity),
        T(test_push_run_404_names_the_missing_table),
        T(test_push_run_dry_run_sends_nothing),
        T(test_push_run_sends_the_run_log),
        T(test_push_run_resend_all_sends_every_row),
        T(test_push_run_resend_all_never_moves_the_mark_back),
        T(test_push_run_html_200_marks_nothing_pushed),
        T(test_push_run_html_200_on_the_run_log_is_an_error),
        T(test_push_run_dead_host_is_asked_once),
        T(test_push_run_statement_timeout_shrinks_and_remembers),
        T(test_push_run_progress_counts_each_batch_of_the_total),
        T(test_push_run_progress_counts_refused_rows_as_sent),
        T(test_push_run_progress_tells_each_entity_a_401_stopped),
        T(test_push_run_dry_run_progress_tells_only_the_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

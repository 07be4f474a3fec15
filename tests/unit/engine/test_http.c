/* engine/http.c against the local test server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gazsync/error.h"
#include "gazsync/http.h"
#include "silent_server.h"
#include "test_server.h"

typedef struct {
    gs_test_server *srv;
    gs_http *http;
    char url[256];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    gs_http_opts opts = {0};

    assert_non_null(f);
    assert_int_equal(gs_test_server_start(&f->srv), 0);
    opts.backoff_base_ms = 10;
    opts.backoff_max_ms = 50;
    opts.max_attempts = 4;
    opts.timeout_ms = 5000;
    opts.label = "test";
    assert_int_equal(gs_http_new(&f->http, &opts), GS_OK);
    snprintf(f->url, sizeof f->url, "%s/graphql/private/",
             gs_test_server_url(f->srv));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gs_http_free(f->http);
    gs_test_server_stop(f->srv);
    free(f);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_http_keepalive_reuses_one_connection(void **state)
{
    fixture *f = *state;
    gs_http_response resp;
    for (int i = 0; i < 4; i++) {
        gs_test_server_push_json(f->srv, 200, "{\"ok\":true}");
        assert_int_equal(
            gs_http_request(&resp, f->http, "POST", f->url, NULL, "{}", 2),
            GS_OK);
        assert_int_equal(resp.status, 200);
        assert_string_equal(resp.body, "{\"ok\":true}");
        assert_int_equal(resp.body_len, 11);
        assert_int_equal(resp.attempts, 1);
        gs_http_response_free(&resp);
    }
    assert_int_equal(gs_test_server_request_count(f->srv), 4);
    assert_int_equal(gs_test_server_connections(f->srv), 1);
    gs_http_stats st;
    gs_http_get_stats(&st, f->http);
    assert_int_equal(st.requests, 4);
    assert_int_equal(st.retries, 0);
    assert_int_equal(st.bytes_sent, 8);
    assert_int_equal(st.bytes_received, 44);
}

static void test_http_request_carries_method_headers_body(void **state)
{
    fixture *f = *state;
    gs_http_response resp;
    const char *headers[] = {"Content-Type: application/json", "X-Thing: one",
                             NULL};
    gs_test_server_push_json(f->srv, 201, "[]");
    assert_int_equal(gs_http_request(&resp, f->http, "PATCH", f->url, headers,
                                     "{\"a\":1}", 7),
                     GS_OK);
    assert_int_equal(resp.status, 201);
    gs_http_response_free(&resp);
    const gs_test_request *req = gs_test_server_request(f->srv, 0);
    assert_non_null(req);
    assert_string_equal(req->method, "PATCH");
    assert_string_equal(req->path, "/graphql/private/");
    assert_string_equal(req->body, "{\"a\":1}");
    char *thing = gs_test_request_header(req, "x-thing");
    assert_non_null(thing);
    assert_string_equal(thing, "one");
    free(thing);
}

static void test_http_retries_503_then_succeeds(void **state)
{
    fixture *f = *state;
    gs_http_response resp;
    gs_test_server_push(f->srv, &(gs_test_response){.status = 503});
    gs_test_server_push(f->srv, &(gs_test_response){.status = 502});
    gs_test_server_push_json(f->srv, 200, "{}");
    assert_int_equal(
        gs_http_request(&resp, f->http, "POST", f->url, NULL, "x", 1), GS_OK);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.attempts, 3);
    gs_http_response_free(&resp);
    assert_int_equal(gs_test_server_request_count(f->srv), 3);
    gs_http_stats st;
    gs_http_get_stats(&st, f->http);
    assert_int_equal(st.requests, 3);
    assert_int_equal(st.retries, 2);
}

static void test_http_honours_retry_after(void **state)
{
    fixture *f = *state;
    gs_http_response resp;
    gs_test_server_push(
        f->srv,
        &(gs_test_response){.status = 429, .headers = "Retry-After: 1\n"});
    gs_test_server_push_json(f->srv, 200, "{}");
    double t0 = now_s();
    assert_int_equal(
        gs_http_request(&resp, f->http, "GET", f->url, NULL, NULL, 0), GS_OK);
    double elapsed = now_s() - t0;
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.attempts, 2);
    gs_http_response_free(&resp);
    /* backoff alone would be ~10 ms: the wait came from Retry-After */
    assert_true(elapsed >= 0.95);
    assert_true(elapsed < 5.0);
}

static void test_http_gives_up_after_max_attempts(void **state)
{
    fixture *f = *state;
    gs_http_response resp;
    for (int i = 0; i < 6; i++)
        gs_test_server_push(f->srv,
                            &(gs_test_response){.status = 500, .body = "boom"});
    int rc = gs_http_request(&resp, f->http, "POST", f->url, NULL, "x", 1);
    assert_int_equal(rc, GS_EHTTP);
    assert_int_equal(resp.status, 500);
    assert_int_equal(resp.attempts, 4);
    assert_string_equal(resp.body, "boom");
    assert_int_equal(gs_error_last()->http_status, 500);
    gs_http_response_free(&resp);
    assert_int_equal(gs_test_server_request_count(f->srv), 4);
}

static void test_http_429_exhausted_is_ratelimit(void **state)
{
    fixture *f = *state;
    gs_http_response resp;
    for (int i = 0; i < 4; i++)
        gs_test_server_push(f->srv, &(gs_test_response){.status = 429});
    assert_int_equal(
        gs_http_request(&resp, f->http, "POST", f->url, NULL, "x", 1),
        GS_ERATELIMIT);
    assert_int_equal(resp.status, 429);
    gs_http_response_free(&resp);
}

static void test_http_closed_connection_is_retried(void **state)
{
    fixture *f = *state;
    gs_http_response resp;
    gs_test_server_push(f->srv, &(gs_test_response){.close = 1});
    gs_test_server_push(
        f->srv, &(gs_test_response){.truncate = 1, .body = "{\"partial"});
    gs_test_server_push_json(f->srv, 200, "{\"whole\":1}");
    assert_int_equal(
        gs_http_request(&resp, f->http, "POST", f->url, NULL, "x", 1), GS_OK);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{\"whole\":1}");
    assert_int_equal(resp.attempts, 3);
    gs_http_response_free(&resp);
}

static void test_http_network_failure_names_path_not_secrets(void **state)
{
    fixture *f = *state;
    gs_http_response resp;
    char url[512];
    const char *headers[] = {"Authorization: Bearer sekrit-token-123", NULL};
    for (int i = 0; i < 4; i++)
        gs_test_server_push(f->srv, &(gs_test_response){.close = 1});
    snprintf(url, sizeof url, "%s/rest/v1/things?apikey=querysecret&a=1",
             gs_test_server_url(f->srv));
    int rc = gs_http_request(&resp, f->http, "GET", url, headers, NULL, 0);
    assert_int_equal(rc, GS_EHTTP);
    assert_int_equal(resp.status, 0);
    gs_http_response_free(&resp);
    const char *msg = gs_error_last()->message;
    assert_non_null(strstr(msg, "GET /rest/v1/things"));
    assert_null(strstr(msg, "querysecret"));
    assert_null(strstr(msg, "apikey"));
    assert_null(strstr(msg, "sekrit"));
    assert_int_equal(gs_test_server_request_count(f->srv), 4);
    /* the server did see the header: it was sent, just never reported */
    char *auth = gs_test_request_header(gs_test_server_request(f->srv, 0),
                                        "Authorization");
    assert_non_null(auth);
    assert_string_equal(auth, "Bearer sekrit-token-123");
    free(auth);
}

static void test_http_404_returned_without_retry(void **state)
{
    fixture *f = *state;
    gs_http_response resp;
    gs_test_server_push(f->srv,
                        &(gs_test_response){.status = 404, .body = "nope"});
    gs_test_server_push_json(f->srv, 200, "{}");
    assert_int_equal(
        gs_http_request(&resp, f->http, "GET", f->url, NULL, NULL, 0), GS_OK);
    assert_int_equal(resp.status, 404);
    assert_int_equal(resp.attempts, 1);
    assert_string_equal(resp.body, "nope");
    gs_http_response_free(&resp);
    assert_int_equal(gs_test_server_request_count(f->srv), 1);
    assert_int_equal(gs_test_server_pending(f->srv), 1);
}

static void test_http_connection_refused_is_ehttp(void **state)
{
    (void)state;
    gs_http *http;
    gs_http_response resp;
    gs_http_opts opts = {.backoff_base_ms = 1, .max_attempts = 2};
    gs_test_server *srv;
    char url[128];

    /* a port that was just free: start and stop a server to get one */
    assert_int_equal(gs_test_server_start(&srv), 0);
    snprintf(url, sizeof url, "%s/x", gs_test_server_url(srv));
    gs_test_server_stop(srv);
    assert_int_equal(gs_http_new(&http, &opts), GS_OK);
    assert_int_equal(gs_http_request(&resp, http, "GET", url, NULL, NULL, 0),
                     GS_EHTTP);
    assert_int_equal(resp.attempts, 2);
    assert_non_null(strstr(gs_error_last()->message, "GET /x"));
    gs_http_response_free(&resp);
    gs_http_free(http);
}

static void test_http_min_interval_spaces_requests(void **state)
{
    fixture *f = *state;
    gs_http *http;
    gs_http_response resp;
    gs_http_opts opts = {.min_interval_ms = 150};
    assert_int_equal(gs_http_new(&http, &opts), GS_OK);
    double t0 = now_s();
    for (int i = 0; i < 3; i++) {
        gs_test_server_push_json(f->srv, 200, "{}");
        assert_int_equal(
            gs_http_request(&resp, http, "GET", f->url, NULL, NULL, 0), GS_OK);
        gs_http_response_free(&resp);
    }
    assert_true(now_s() - t0 >= 0.29);
    gs_http_free(http);
}

/* Issue 11, defect 7: a host that accepts and never answers is asked once
 * per attempt of one request, then not again by this transport; another
 * host still is. */
static void test_http_breaker_stops_asking_a_silent_host(void **state)
{
    fixture *f = *state;
    gs_silent_server *silent;
    gs_http *http;
    gs_http_response resp;
    gs_http_opts opts = {.timeout_ms = 300,
                         .max_attempts = 2,
                         .backoff_base_ms = 1,
                         .label = "supabase"};
    char url[128], host[64];

    assert_int_equal(gs_silent_server_start(&silent), 0);
    snprintf(url, sizeof url, "%s/rest/v1/gazelle_clients?on_conflict=x",
             gs_silent_server_url(silent));
    snprintf(host, sizeof host, "%s", gs_silent_server_url(silent) + 7);
    assert_int_equal(gs_http_new(&http, &opts), GS_OK);

    assert_int_equal(gs_http_request(&resp, http, "POST", url, NULL, "[]", 2),
                     GS_EHTTP);
    assert_int_equal(resp.attempts, 2);
    assert_true(resp.timed_out);
    assert_non_null(strstr(gs_error_last()->message, host));
    assert_non_null(strstr(gs_error_last()->message, "no answer"));
    assert_null(strstr(gs_error_last()->message, "on_conflict"));
    gs_http_response_free(&resp);
    assert_int_equal(gs_silent_server_requests(silent), 2);

    for (int i = 0; i < 5; i++) { /* the other entities of a push */
        assert_int_equal(
            gs_http_request(&resp, http, "POST", url, NULL, "[]", 2), GS_EHTTP);
        assert_int_equal(resp.attempts, 0);
        assert_non_null(strstr(gs_error_last()->message, "not sent"));
        assert_non_null(strstr(gs_error_last()->message, host));
        gs_http_response_free(&resp);
    }
    assert_int_equal(gs_silent_server_requests(silent), 2);

    gs_test_server_push_json(f->srv, 200, "{}");
    assert_int_equal(gs_http_request(&resp, http, "GET", f->url, NULL, NULL, 0),
                     GS_OK);
    gs_http_response_free(&resp);
    gs_http_free(http);
    gs_silent_server_stop(silent);
}

/* Issue 11, defect 7: the run deadline cuts a request's own (long) timeout
 * and refuses later requests; the test would wait 5 x 60 s without it. */
static void test_http_run_deadline_bounds_a_silent_host(void **state)
{
    gs_silent_server *silent;
    gs_http *http;
    gs_http_response resp;
    gs_http_opts opts = {.timeout_ms = 60000,
                         .max_attempts = 5,
                         .backoff_base_ms = 1,
                         .run_timeout_ms = 500};
    char url[128];

    (void)state;
    assert_int_equal(gs_silent_server_start(&silent), 0);
    snprintf(url, sizeof url, "%s/graphql", gs_silent_server_url(silent));
    assert_int_equal(gs_http_new(&http, &opts), GS_OK);
    assert_int_equal(gs_http_request(&resp, http, "GET", url, NULL, NULL, 0),
                     GS_EHTTP);
    assert_non_null(strstr(gs_error_last()->message, "run deadline"));
    assert_int_equal(resp.attempts, 1);
    gs_http_response_free(&resp);
    assert_int_equal(gs_http_request(&resp, http, "GET", url, NULL, NULL, 0),
                     GS_EHTTP);
    assert_non_null(strstr(gs_error_last()->message, "not sent"));
    assert_non_null(strstr(gs_error_last()->message, "run deadline"));
    gs_http_response_free(&resp);
    assert_int_equal(gs_silent_server_requests(silent), 1);
    gs_http_free(http);
    gs_silent_server_stop(silent);
}

/* Issue 11, defect 15: an answer over the cap is refused, not buffered,
 * and not retried. */
static void test_http_answer_over_the_cap_is_refused(void **state)
{
    fixture *f = *state;
    gs_http *http;
    gs_http_response resp;
    gs_http_stats stats;
    gs_http_opts opts = {.max_answer_bytes = 65536, .backoff_base_ms = 1};
    size_t big = 300000;
    char *body = malloc(big + 1);

    assert_non_null(body);
    memset(body, 'x', big);
    body[big] = '\0';
    gs_test_server_push(f->srv,
                        &(gs_test_response){.status = 200, .body = body});
    gs_test_server_push(f->srv,
                        &(gs_test_response){.status = 200, .body = body});
    free(body);
    assert_int_equal(gs_http_new(&http, &opts), GS_OK);
    assert_int_equal(gs_http_request(&resp, http, "GET", f->url, NULL, NULL, 0),
                     GS_EPROTO);
    assert_null(resp.body);
    assert_non_null(strstr(gs_error_last()->message, "65536-byte limit"));
    assert_non_null(strstr(gs_error_last()->message, "127.0.0.1:"));
    gs_http_get_stats(&stats, http);
    assert_int_equal(stats.requests, 1); /* not retried */
    assert_true(stats.bytes_received <= 65536);
    gs_http_response_free(&resp);
    gs_http_free(http);
}

static int always_final(void *ctx, long status, const char *body,
                        size_t body_len)
{
    (void)body;
    (void)body_len;
    *(long *)ctx = status;
    return 1;
}

/* The caller may take a retryable answer as final (the pusher halves a
 * batch on a statement timeout instead of resending it). */
static void test_http_final_hook_stops_retries(void **state)
{
    fixture *f = *state;
    gs_http_response resp;
    long seen = 0;
    gs_http_req req = {"POST", f->url, NULL, "[]", 2, always_final, &seen};

    gs_test_server_push_json(f->srv, 500, "{\"code\":\"57014\"}");
    gs_test_server_push_json(f->srv, 201, "");
    assert_int_equal(gs_http_send(&resp, f->http, &req), GS_OK);
    assert_int_equal(resp.status, 500);
    assert_int_equal(resp.attempts, 1);
    assert_int_equal(seen, 500);
    assert_int_equal(gs_test_server_request_count(f->srv), 1);
    gs_http_response_free(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_http_keepalive_reuses_one_connection),
        T(test_http_request_carries_method_headers_body),
        T(test_http_retries_503_then_succeeds),
        T(test_http_honours_retry_after),
        T(test_http_gives_up_after_max_attempts),
        T(test_http_429_exhausted_is_ratelimit),
        T(test_http_closed_connection_is_retried),
        T(test_http_network_failure_names_path_not_secrets),
        T(test_http_404_returned_without_retry),
        T(test_http_connection_refused_is_ehttp),
        T(test_http_min_interval_spaces_requests),
        T(test_http_breaker_stops_asking_a_silent_host),
        T(test_http_run_deadline_bounds_a_silent_host),
        T(test_http_answer_over_the_cap_is_refused),
        T(test_http_final_hook_stops_retries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

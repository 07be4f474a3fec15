/* The HTTP transport on libcurl: one easy handle reused for every request,
 * so connections stay alive between pages; a polite minimum interval between
 * request starts; retries with exponential backoff and jitter for the
 * failures that a later attempt can cure (network errors, 408, 429, 5xx).
 *
 * Every wait is bounded (issue 11, defects 7 and 15): a request by its
 * timeout, an answer by a byte cap checked as it arrives (a 100 MB garbage
 * answer is cut at the cap, not buffered), a run by a deadline counted from
 * gs_http_new(), and a host that let one request's every attempt fail
 * without an answer is marked dead for the rest of the run, so a host that
 * accepts and never answers costs one request's attempts, not one set per
 * entity.
 *
 * Messages name the method, the URL path and the status or curl error, never
 * the query string or a header value: PostgREST filters and OAuth tokens may
 * travel there. */
#include "gazsync/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "gazsync/error.h"

/* A host that did not answer; later requests to it are not sent. */
typedef struct {
    char host[256];
    char why[200];
} dead_host;

#define MAX_DEAD_HOSTS 8

struct gs_http {
    CURL *easy;
    gs_http_opts opts; /* defaults filled in; strings owned below */
    char *ca_bundle;
    char *label;
    struct timespec last_start;
    int started;   /* last_start is valid */
    uint64_t prng; /* xorshift64* state, for jitter */
    gs_http_stats stats;
    struct timespec created; /* the run deadline counts from here */
    dead_host dead[MAX_DEAD_HOSTS];
    int dead_count;
};

/* What one attempt brought back, before the retry decision. */
typedef struct {
    gs_buf body;
    long retry_after_s;   /* -1 when absent */
    long long max_bytes;  /* the answer cap */
    long long seen_bytes; /* body bytes offered, kept or not */
    int too_large;        /* the cap cut the answer */
} attempt_state;

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_OK;

/* curl_global_init is not thread-safe on older libcurls: run it once. */
static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static uint64_t prng_next(gs_http *http)
{
    uint64_t x = http->prng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    http->prng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static void prng_seed(gs_http *http)
{
    struct timespec rt, mono;
    uint64_t seed;

    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    seed = (uint64_t)rt.tv_sec * 1000000007ULL ^ (uint64_t)rt.tv_nsec ^
           ((uint64_t)mono.tv_nsec << 21) ^ (uint64_t)(uintptr_t)http;
    http->prng = seed ? seed : 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 4; i++)
        (void)prng_next(http);
}

static char *dup_or_null(const char *text)
{
    return text ? strdup(text) : NULL;
}

int gs_http_new(gs_http **out, const gs_http_opts *opts)
{
    gs_http *http = NULL;
    int rc = GS_OK;

    *out = NULL;
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return gs_error_set(GS_EHTTP, GS_ECLASS_HTTP,
                            "curl_global_init failed: %s",
                            curl_easy_strerror(global_rc));
    http = calloc(1, sizeof *http);
    if (!http)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_HTTP, "out of memory");
    if (opts)
        http->opts = *opts;
    if (http->opts.connect_timeout_ms <= 0)
        http->opts.connect_timeout_ms = 10000;
    if (http->opts.timeout_ms <= 0)
        http->opts.timeout_ms = 120000;
    if (http->opts.min_interval_ms < 0)
        http->opts.min_interval_ms = 0;
    if (http->opts.max_attempts <= 0)
        http->opts.max_attempts = 5;
    if (http->opts.backoff_base_ms <= 0)
        http->opts.backoff_base_ms = 500;
    if (http->opts.backoff_max_ms <= 0)
        http->opts.backoff_max_ms = 30000;
    if (http->opts.retry_after_max_s <= 0)
        http->opts.retry_after_max_s = 120;
    if (http->opts.max_answer_bytes <= 0)
        http->opts.max_answer_bytes = GS_HTTP_MAX_ANSWER_BYTES;
    if (http->opts.run_timeout_ms < 0)
        http->opts.run_timeout_ms = 0;
    clock_gettime(CLOCK_MONOTONIC, &http->created);
    http->ca_bundle = dup_or_null(http->opts.ca_bundle);
    http->label = strdup(http->opts.label ? http->opts.label : "http");
    http->easy = curl_easy_init();
    if (!http->label || (http->opts.ca_bundle && !http->ca_bundle) ||
        !http->easy) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_HTTP,
                          "out of memory creating the HTTP transport");
        goto done;
    }
    http->opts.ca_bundle = http->ca_bundle;
    http->opts.label = http->label;
    prng_seed(http);
    *out = http;
    http = NULL;
done:
    gs_http_free(http);
    return rc;
}

void gs_http_free(gs_http *http)
{
    if (!http)
        return;
    if (http->easy)
        curl_easy_cleanup(http->easy);
    free(http->ca_bundle);
    free(http->label);
    free(http);
}

void gs_http_response_free(gs_http_response *response)
{
    if (!response)
        return;
    free(response->body);
    response->body = NULL;
    response->body_len = 0;
}

void gs_http_get_stats(gs_http_stats *out, const gs_http *http)
{
    *out = http->stats;
}

/* ---- timing ---------------------------------------------------------- */

static long long elapsed_ms(const struct timespec *since)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)(now.tv_sec - since->tv_sec) * 1000 +
           (now.tv_nsec - since->tv_nsec) / 1000000;
}

static void sleep_ms(long long ms)
{
    struct timespec ts;

    if (ms <= 0)
        return;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Waits until min_interval_ms has passed since the previous request start
 * (monotonic: a clock change must not stall or hurry us), then stamps. */
static void pace(gs_http *http)
{
    if (http->started && http->opts.min_interval_ms > 0) {
        long long wait =
            http->opts.min_interval_ms - elapsed_ms(&http->last_start);
        sleep_ms(wait);
    }
    clock_gettime(CLOCK_MONOTONIC, &http->last_start);
    http->started = 1;
}

/* Delay before attempt number @p next (2, 3, ...): base * 2^(next-2),
 * capped, with "equal jitter" (half fixed, half random) so that several
 * clients that failed together do not retry together. */
static long long backoff_ms(gs_http *http, int next)
{
    long long delay = http->opts.backoff_base_ms;

    for (int i = 2; i < next && delay < http->opts.backoff_max_ms; i++)
        delay *= 2;
    if (delay > http->opts.backoff_max_ms)
        delay = http->opts.backoff_max_ms;
    if (delay < 2)
        return delay;
    return delay / 2 + (long long)(prng_next(http) % (uint64_t)(delay / 2 + 1));
}

/* ---- callbacks ------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    attempt_state *st = ctx;
    size_t len = size * nmemb;

    st->seen_bytes += (long long)len;
    if (st->seen_bytes > st->max_bytes) {
        st->too_large = 1;
        return 0; /* curl stops the transfer: CURLE_WRITE_ERROR */
    }
    if (gs_buf_append(&st->body, data, len) != GS_OK)
        return 0; /* curl reports CURLE_WRITE_ERROR */
    return len;
}

/* Retry-After is either delta-seconds or an HTTP date (RFC 9110 10.2.3). */
static long parse_retry_after(const char *value)
{
    char *end = NULL;
    long long secs;

    while (*value == ' ' || *value == '\t')
        value++;
    errno = 0;
    secs = strtoll(value, &end, 10);
    if (end != value && errno == 0) {
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (*end == '\0')
            return secs < 0 ? 0 : (secs > 86400 ? 86400 : (long)secs);
    }
    time_t when = curl_getdate(value, NULL);
    if (when == (time_t)-1)
        return -1;
    secs = (long long)(when - time(NULL));
    return secs < 0 ? 0 : (secs > 86400 ? 86400 : (long)secs);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
    attempt_state *st = ctx;
    size_t len = size * nmemb;
    static const char name[] = "retry-after:";
    char value[128];

    /* A new status line (after a 100 Continue) starts a new header set. */
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0)
        st->retry_after_s = -1;
    if (len > sizeof name - 1 && len - (sizeof name - 1) < sizeof value &&
        strncasecmp(data, name, sizeof name - 1) == 0) {
        size_t vlen = len - (sizeof name - 1);
        memcpy(value, data + sizeof name - 1, vlen);
        value[vlen] = '\0';
        st->retry_after_s = parse_retry_after(value);
    }
    return len;
}

/* ---- one request ----------------------------------------------------- */

/* The URL's path without query or fragment, for messages. */
static void url_path(char *out, size_t size, const char *url)
{
    const char *p = strstr(url, "://");
    size_t n;

    p = p ? p + 3 : url;
    p += strcspn(p, "/?#");
    n = strcspn(p, "?#");
    if (n == 0) {
        snprintf(out, size, "/");
        return;
    }
    if (n >= size)
        n = size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* Without user info: it may hold a password. */
void gs_http_url_host(char *out, size_t size, const char *url)
{
    const char *p = strstr(url, "://");
    const char *at;
    size_t n;

    p = p ? p + 3 : url;
    n = strcspn(p, "/?#");
    at = memchr(p, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    if (n >= size)
        n = size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

static const dead_host *find_dead(const gs_http *http, const char *host)
{
    for (int i = 0; i < http->dead_count; i++)
        if (strcmp(http->dead[i].host, host) == 0)
            return &http->dead[i];
    return NULL;
}

static void mark_dead(gs_http *http, const char *host, const char *why)
{
    dead_host *d;

    if (find_dead(http, host) || http->dead_count >= MAX_DEAD_HOSTS)
        return;
    d = &http->dead[http->dead_count++];
    snprintf(d->host, sizeof d->host, "%s", host);
    snprintf(d->why, sizeof d->why, "%s", why);
}

/* Milliseconds left before the run deadline; LLONG_MAX without one. */
static long long time_left_ms(const gs_http *http)
{
    if (http->opts.run_timeout_ms <= 0)
        return LLONG_MAX;
    return http->opts.run_timeout_ms - elapsed_ms(&http->created);
}

/* The failures that say the host is not there or does not answer at all, so
 * that asking it again this run would cost the same wait for nothing: the
 * breaker's. A connection dropped or cut mid-answer is not one: that host
 * answers, and its next request may well go through. */
static int host_unreachable(CURLcode code)
{
    return code == CURLE_OPERATION_TIMEDOUT || code == CURLE_COULDNT_CONNECT ||
           code == CURLE_COULDNT_RESOLVE_HOST ||
           code == CURLE_SSL_CONNECT_ERROR;
}

static int retryable_curl(CURLcode code)
{
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

static int retryable_status(long status)
{
    return status == 408 || status == 429 || status == 500 || status == 502 ||
           status == 503 || status == 504;
}

static CURLcode setup(gs_http *http, attempt_state *st, const gs_http_req *req,
                      struct curl_slist *headers, long timeout_ms)
{
    CURL *h = http->easy;
    CURLcode c = CURLE_OK;
    const char *method = req->method;
    const char *body = req->body;
    size_t body_len = req->body_len;
    long connect_ms = http->opts.connect_timeout_ms < timeout_ms
                          ? http->opts.connect_timeout_ms
                          : timeout_ms;

    /* curl_easy_reset keeps live connections, so keep-alive survives it. */
    curl_easy_reset(h);
#define SET(opt, val)                                                          \
    if (c == CURLE_OK)                                                         \
    c = curl_easy_setopt(h, opt, val)
    SET(CURLOPT_URL, req->url);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (http->ca_bundle)
        SET(CURLOPT_CAINFO, http->ca_bundle);
    SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    SET(CURLOPT_TIMEOUT_MS, timeout_ms);
    /* Refuses at once an answer whose Content-Length is over the cap; one
     * without a length is cut by on_body. */
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)st->max_bytes);
    SET(CURLOPT_USERAGENT, "gazsync/0.1");
    SET(CURLOPT_HTTPHEADER, headers);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, st);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, st);
    if (strcmp(method, "GET") == 0) {
        SET(CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "HEAD") == 0) {
        SET(CURLOPT_NOBODY, 1L);
    } else {
        SET(CURLOPT_POST, 1L);
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
        SET(CURLOPT_POSTFIELDS, body ? body : "");
        if (strcmp(method, "POST") != 0)
            SET(CURLOPT_CUSTOMREQUEST, method);
    }
#undef SET
    return c;
}

static struct curl_slist *build_headers(const char *const *headers)
{
    struct curl_slist *list = NULL, *next;

    /* No "Expect: 100-continue" round trip before large bodies. */
    list = curl_slist_append(NULL, "Expect:");
    for (size_t i = 0; list && headers && headers[i]; i++) {
        next = curl_slist_append(list, headers[i]);
        if (!next) {
            curl_slist_free_all(list);
            return NULL;
        }
        list = next;
    }
    return list;
}

/* The request is not sent: the run deadline passed, or the host is dead. */
static int refuse_early(gs_http *http, const gs_http_req *req, const char *host,
                        const char *path)
{
    const dead_host *dead = find_dead(http, host);

    if (dead)
        return gs_error_set(GS_EHTTP, GS_ECLASS_HTTP,
                            "%s: %s %s at %s: not sent: the host did not "
                            "answer earlier in this run (%s)",
                            http->label, req->method, path, host, dead->why);
    if (time_left_ms(http) <= 0)
        return gs_error_set(GS_EHTTP, GS_ECLASS_HTTP,
                            "%s: %s %s at %s: not sent: the run deadline "
                            "(%lld s, GAZSYNC_RUN_TIMEOUT_S) has passed",
                            http->label, req->method, path, host,
                            http->opts.run_timeout_ms / 1000);
    return GS_OK;
}

/* The error of an attempt that brought no usable answer. */
static int transport_error(gs_http *http, const gs_http_req *req,
                           const char *host, const char *path, CURLcode code,
                           const attempt_state *st, int attempt, int cut)
{
    long os_errno = 0;
    char why[200];

    if (st->too_large || code == CURLE_FILESIZE_EXCEEDED)
        return gs_error_set(GS_EPROTO, GS_ECLASS_HTTP,
                            "%s: %s %s at %s: answer larger than the "
                            "%lld-byte limit (GAZSYNC_MAX_ANSWER_BYTES); "
                            "transfer stopped after %lld bytes",
                            http->label, req->method, path, host, st->max_bytes,
                            st->seen_bytes);
    if (cut)
        return gs_error_set(GS_EHTTP, GS_ECLASS_HTTP,
                            "%s: %s %s at %s: stopped at the run deadline "
                            "(%lld s, GAZSYNC_RUN_TIMEOUT_S) after %d "
                            "attempt%s",
                            http->label, req->method, path, host,
                            http->opts.run_timeout_ms / 1000, attempt,
                            attempt == 1 ? "" : "s");
    curl_easy_getinfo(http->easy, CURLINFO_OS_ERRNO, &os_errno);
    snprintf(why, sizeof why, "%s%s%s, %d attempt%s", curl_easy_strerror(code),
             os_errno ? ": " : "", os_errno ? strerror((int)os_errno) : "",
             attempt, attempt == 1 ? "" : "s");
    /* Every attempt failed without an answer: asking this host again this
     * run would cost the same for nothing (the breaker). */
    if (!host_unreachable(code))
        return gs_error_set(GS_EHTTP, GS_ECLASS_HTTP,
                            "%s: %s %s at %s: no answer (%s)", http->label,
                            req->method, path, host, why);
    mark_dead(http, host, why);
    return gs_error_set(GS_EHTTP, GS_ECLASS_HTTP,
                        "%s: %s %s at %s: no answer (%s); not asked again "
                        "this run",
                        http->label, req->method, path, host, why);
}

int gs_http_request(gs_http_response *out, gs_http *http, const char *method,
                    const char *url, const char *const *headers,
                    const char *body, size_t body_len)
{
    gs_http_req req = {method, url, headers, body, body_len, NULL, NULL};

    return gs_http_send(out, http, &req);
}

int gs_http_send(gs_http_response *out, gs_http *http, const gs_http_req *req)
{
    attempt_state st = {GS_BUF_INIT, -1, 0, 0, 0};
    struct curl_slist *list = NULL;
    CURLcode code = CURLE_OK;
    char path[256];
    char host[256];
    long status = 0;
    int rc = GS_OK;
    int attempt;
    int cut = 0; /* the deadline shortened the last attempt's timeout */

    memset(out, 0, sizeof *out);
    out->retry_after_s = -1;
    if (!http || !req || !req->method || !req->url)
        return gs_error_set(GS_EINVAL, GS_ECLASS_HTTP,
                            "gs_http_request: missing argument");
    url_path(path, sizeof path, req->url);
    gs_http_url_host(host, sizeof host, req->url);
    if ((rc = refuse_early(http, req, host, path)) != GS_OK)
        return rc;
    list = build_headers(req->headers);
    if (!list)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_HTTP, "out of memory");
    st.max_bytes = http->opts.max_answer_bytes;

    for (attempt = 1;; attempt++) {
        long long left = time_left_ms(http);
        long timeout = http->opts.timeout_ms;

        gs_buf_reset(&st.body);
        st.retry_after_s = -1;
        st.seen_bytes = 0;
        st.too_large = 0;
        status = 0;
        cut = left < timeout;
        if (cut)
            timeout = left > 1 ? (long)left : 1;
        code = setup(http, &st, req, list, timeout);
        if (code != CURLE_OK) {
            rc = gs_error_set(GS_EHTTP, GS_ECLASS_HTTP,
                              "%s: %s %s: cannot set up request: %s",
                              http->label, req->method, path,
                              curl_easy_strerror(code));
            goto done;
        }
        pace(http);
        http->stats.requests++;
        if (attempt > 1)
            http->stats.retries++;
        code = curl_easy_perform(http->easy);
        if (req->body)
            http->stats.bytes_sent += (long long)req->body_len;
        http->stats.bytes_received += (long long)st.body.len;
        if (code == CURLE_OK)
            curl_easy_getinfo(http->easy, CURLINFO_RESPONSE_CODE, &status);

        int again =
            code == CURLE_OK ? retryable_status(status) : retryable_curl(code);
        if (again && code == CURLE_OK && req->is_final &&
            req->is_final(req->is_final_ctx, status, st.body.data, st.body.len))
            again = 0;
        if (!again || attempt >= http->opts.max_attempts)
            break;
        long long delay = backoff_ms(http, attempt + 1);
        if (code == CURLE_OK && st.retry_after_s >= 0 &&
            (status == 429 || status == 503)) {
            long secs = st.retry_after_s;
            if (secs > http->opts.retry_after_max_s)
                secs = http->opts.retry_after_max_s;
            if ((long long)secs * 1000 > delay)
                delay = (long long)secs * 1000;
        }
        left = time_left_ms(http);
        if (delay >= left) { /* no time for another attempt */
            cut = 1;
            break;
        }
        sleep_ms(delay);
    }

    out->attempts = attempt;
    if (code != CURLE_OK) {
        out->timed_out = code == CURLE_OPERATION_TIMEDOUT;
        rc = transport_error(http, req, host, path, code, &st, attempt,
                             cut && code == CURLE_OPERATION_TIMEDOUT);
        goto done;
    }
    out->status = status;
    out->retry_after_s = st.retry_after_s;
    out->body_len = st.body.len;
    if (!st.body.data && gs_buf_puts(&st.body, "") != GS_OK) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_HTTP, "out of memory");
        goto done;
    }
    out->body = gs_buf_detach(&st.body);
    /* Still failing after every attempt: the answer stays in @p out for the
     * caller to read, and the code says that retries ran out. */
    if (retryable_status(status) &&
        !(req->is_final &&
          req->is_final(req->is_final_ctx, status, out->body, out->body_len)))
        rc = gs_error_set_http(
            status == 429 ? GS_ERATELIMIT : GS_EHTTP, GS_ECLASS_HTTP, status,
            "%s: %s %s at %s: HTTP %ld after %d attempt%s", http->label,
            req->method, path, host, status, attempt, attempt == 1 ? "" : "s");
done:
    curl_slist_free_all(list);
    gs_buf_free(&st.body);
    return rc;
}

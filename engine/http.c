/* The HTTP transport on libcurl: one easy handle reused for every request,
 * so connections stay alive between pages; a polite minimum interval between
 * request starts; retries with exponential backoff and jitter for the
 * failures that a later attempt can cure (network errors, 408, 429, 5xx).
 *
 * Messages name the method, the URL path and the status or curl error, never
 * the query string or a header value: PostgREST filters and OAuth tokens may
 * travel there. */
#include "gazsync/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "gazsync/error.h"

struct gs_http {
    CURL *easy;
    gs_http_opts opts;  /* defaults filled in; strings owned below */
    char *ca_bundle;
    char *label;
    struct timespec last_start;
    int started;        /* last_start is valid */
    uint64_t prng;      /* xorshift64* state, for jitter */
    gs_http_stats stats;
};

/* What one attempt brought back, before the retry decision. */
typedef struct {
    gs_buf body;
    long retry_after_s;  /* -1 when absent */
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
        long long wait = http->opts.min_interval_ms -
                         elapsed_ms(&http->last_start);
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

    if (gs_buf_append(&st->body, data, len) != GS_OK)
        return 0;  /* curl reports CURLE_WRITE_ERROR */
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

static CURLcode setup(gs_http *http, attempt_state *st, const char *method,
                      const char *url, struct curl_slist *headers,
                      const char *body, size_t body_len)
{
    CURL *h = http->easy;
    CURLcode c = CURLE_OK;

    /* curl_easy_reset keeps live connections, so keep-alive survives it. */
    curl_easy_reset(h);
#define SET(opt, val) \
    if (c == CURLE_OK) c = curl_easy_setopt(h, opt, val)
    SET(CURLOPT_URL, url);
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
    SET(CURLOPT_CONNECTTIMEOUT_MS, http->opts.connect_timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, http->opts.timeout_ms);
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

int gs_http_request(gs_http_response *out, gs_http *http, const char *method,
                    const char *url, const char *const *headers,
                    const char *body, size_t body_len)
{
    attempt_state st = {GS_BUF_INIT, -1};
    struct curl_slist *list = NULL;
    CURLcode code = CURLE_OK;
    char path[256];
    long status = 0;
    int rc = GS_OK;
    int attempt;

    memset(out, 0, sizeof *out);
    out->retry_after_s = -1;
    if (!http || !method || !url)
        return gs_error_set(GS_EINVAL, GS_ECLASS_HTTP,
                            "gs_http_request: missing argument");
    url_path(path, sizeof path, url);
    list = build_headers(headers);
    if (!list)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_HTTP, "out of memory");

    for (attempt = 1;; attempt++) {
        gs_buf_reset(&st.body);
        st.retry_after_s = -1;
        status = 0;
        code = setup(http, &st, method, url, list, body, body_len);
        if (code != CURLE_OK) {
            rc = gs_error_set(GS_EHTTP, GS_ECLASS_HTTP,
                              "%s: %s %s: cannot set up request: %s",
                              http->label, method, path,
                              curl_easy_strerror(code));
            goto done;
        }
        pace(http);
        http->stats.requests++;
        if (attempt > 1)
            http->stats.retries++;
        code = curl_easy_perform(http->easy);
        if (body)
            http->stats.bytes_sent += (long long)body_len;
        http->stats.bytes_received += (long long)st.body.len;
        if (code == CURLE_OK)
            curl_easy_getinfo(http->easy, CURLINFO_RESPONSE_CODE, &status);

        int again = code == CURLE_OK ? retryable_status(status)
                                     : retryable_curl(code);
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
        sleep_ms(delay);
    }

    out->attempts = attempt;
    if (code != CURLE_OK) {
        long os_errno = 0;
        curl_easy_getinfo(http->easy, CURLINFO_OS_ERRNO, &os_errno);
        rc = gs_error_set(GS_EHTTP, GS_ECLASS_HTTP,
                          "%s: %s %s: %s%s%s (after %d attempt%s)",
                          http->label, method, path, curl_easy_strerror(code),
                          os_errno ? ": " : "",
                          os_errno ? strerror((int)os_errno) : "", attempt,
                          attempt == 1 ? "" : "s");
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
    if (retryable_status(status))
        rc = gs_error_set_http(status == 429 ? GS_ERATELIMIT : GS_EHTTP,
                               GS_ECLASS_HTTP, status,
                               "%s: %s %s: HTTP %ld after %d attempt%s",
                               http->label, method, path, status, attempt,
                               attempt == 1 ? "" : "s");
done:
    curl_slist_free_all(list);
    gs_buf_free(&st.body);
    return rc;
}

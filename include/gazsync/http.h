/**
 * @file http.h
 * @brief The HTTP transport: one reused libcurl handle (keep-alive,
 *        compression), timeouts, a polite minimum interval between requests,
 *        and retries with exponential backoff and jitter for network errors,
 *        408, 429 (honouring Retry-After) and 5xx. TLS verification is always
 *        on; a CA bundle may be named, never turned off.
 *
 * Every wait is bounded: a request by its timeout, an answer by a size cap,
 * a run by a deadline counted from gs_http_new(), and a host that did not
 * answer one request through all its attempts is not asked again by this
 * transport (the breaker): a dead host costs one request's attempts per run,
 * not one per entity.
 */
#ifndef GAZSYNC_HTTP_H
#define GAZSYNC_HTTP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_http gs_http;

typedef struct {
    long connect_timeout_ms;    /**< 0: 10000 */
    long timeout_ms;            /**< whole request; 0: 120000 */
    long min_interval_ms;       /**< between request starts; 0 = none */
    int max_attempts;           /**< per request, retries included; 0: 5 */
    long backoff_base_ms;       /**< first retry delay; 0: 500 */
    long backoff_max_ms;        /**< cap of one delay; 0: 30000 */
    long retry_after_max_s;     /**< cap on an honoured Retry-After; 0: 120 */
    const char *ca_bundle;      /**< NULL: the system's */
    const char *label;          /**< "gazelle" / "supabase", for messages */
    long long max_answer_bytes; /**< body cap (after decompression); a
                                     larger answer is cut off and is
                                     GS_EPROTO; 0: GS_HTTP_MAX_ANSWER_BYTES */
    long long run_timeout_ms;   /**< from gs_http_new(): no request starts
                                     after it, and a request's timeout is cut
                                     to what is left; 0: no deadline */
} gs_http_opts;

/** The default answer cap: 32 MiB, over 10x the largest page gazsync asks
 *  for (a Gazelle page of 200 timeline entries is under 1 MiB). */
#define GS_HTTP_MAX_ANSWER_BYTES (32LL * 1024 * 1024)

typedef struct {
    long status; /**< final HTTP status; 0 when no answer */
    char *body;  /**< NUL-terminated; free with gs_http_response_free */
    size_t body_len;
    long retry_after_s; /**< from the last answer, -1 when absent */
    int attempts;       /**< attempts this request took */
    int timed_out;      /**< no answer: the last attempt ran out of time */
} gs_http_response;

/**
 * Called on an answer with a retryable status (408, 429, 5xx) before the
 * transport retries it: nonzero takes the answer as final, for a caller
 * that will act on it itself (the pusher halves a batch the database timed
 * out on, instead of sending the same statement again).
 */
typedef int (*gs_http_final_fn)(void *ctx, long status, const char *body,
                                size_t body_len);

/** One request for gs_http_send(). */
typedef struct {
    const char *method;
    const char *url;
    const char *const *headers; /**< NULL-terminated "Name: value" lines */
    const char *body;           /**< NULL: none */
    size_t body_len;
    gs_http_final_fn is_final; /**< NULL: retry every retryable status */
    void *is_final_ctx;
} gs_http_req;

typedef struct {
    long long requests; /**< attempts sent, retries included */
    long long retries;
    long long bytes_received; /**< body bytes, after decompression */
    long long bytes_sent;
} gs_http_stats;

/** Creates a transport; @p opts may be NULL. Free with gs_http_free(). */
int gs_http_new(gs_http **out, const gs_http_opts *opts);
void gs_http_free(gs_http *http);

/**
 * Sends one request, retrying retryable failures; @p headers is a
 * NULL-terminated list of "Name: value" lines (may be NULL). On GS_OK,
 * @p out holds the final answer whatever its status (the caller judges
 * 4xx). When a retryable status (408, 429, 5xx) persists through every
 * attempt: GS_ERATELIMIT for 429, GS_EHTTP otherwise, and @p out still holds
 * that last answer. On a network failure after every attempt: GS_EHTTP,
 * status 0; when it was a timeout or a connection that could not be made,
 * the host is not asked again by this transport (later requests to it fail
 * at once with GS_EHTTP). After the run deadline:
 * GS_EHTTP without a request. An answer over the size cap: GS_EPROTO.
 * Messages name the method, host and URL path (never the query string,
 * user info or a header value). Always release @p out with
 * gs_http_response_free().
 */
int gs_http_request(gs_http_response *out, gs_http *http, const char *method,
                    const char *url, const char *const *headers,
                    const char *body, size_t body_len);

/** gs_http_request() with the request in a struct, and a hook that may
 *  take a retryable answer as final (then GS_OK with that answer). */
int gs_http_send(gs_http_response *out, gs_http *http, const gs_http_req *req);

/** Frees what @p response holds (not the struct). */
void gs_http_response_free(gs_http_response *response);

/** Writes the host[:port] of @p url into @p out (truncated to @p size),
 *  without user info or path, for messages naming a server. */
void gs_http_url_host(char *out, size_t size, const char *url);

/** Counters since creation. */
void gs_http_get_stats(gs_http_stats *out, const gs_http *http);

#ifdef __cplusplus
}
#endif
#endif

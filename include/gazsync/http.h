/**
 * @file http.h
 * @brief The HTTP transport: one reused libcurl handle (keep-alive,
 *        compression), timeouts, a polite minimum interval between requests,
 *        and retries with exponential backoff and jitter for network errors,
 *        408, 429 (honouring Retry-After) and 5xx. TLS verification is always
 *        on; a CA bundle may be named, never turned off.
 */
#ifndef GAZSYNC_HTTP_H
#define GAZSYNC_HTTP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_http gs_http;

typedef struct {
    long connect_timeout_ms;  /**< 0: 10000 */
    long timeout_ms;          /**< whole request; 0: 120000 */
    long min_interval_ms;     /**< between request starts; 0 = none */
    int max_attempts;         /**< per request, retries included; 0: 5 */
    long backoff_base_ms;     /**< first retry delay; 0: 500 */
    long backoff_max_ms;      /**< cap of one delay; 0: 30000 */
    long retry_after_max_s;   /**< cap on an honoured Retry-After; 0: 120 */
    const char *ca_bundle;    /**< NULL: the system's */
    const char *label;        /**< "gazelle" / "supabase", for messages */
} gs_http_opts;

typedef struct {
    long status;         /**< final HTTP status; 0 when no answer */
    char *body;          /**< NUL-terminated; free with gs_http_response_free */
    size_t body_len;
    long retry_after_s;  /**< from the last answer, -1 when absent */
    int attempts;        /**< attempts this request took */
} gs_http_response;

typedef struct {
    long long requests;        /**< attempts sent, retries included */
    long long retries;
    long long bytes_received;  /**< body bytes, after decompression */
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
 * status 0. Messages name the method and URL path (never the query string
 * or a header value). Always release @p out with gs_http_response_free().
 */
int gs_http_request(gs_http_response *out, gs_http *http, const char *method,
                    const char *url, const char *const *headers,
                    const char *body, size_t body_len);

/** Frees what @p response holds (not the struct). */
void gs_http_response_free(gs_http_response *response);

/** Counters since creation. */
void gs_http_get_stats(gs_http_stats *out, const gs_http *http);

#ifdef __cplusplus
}
#endif
#endif

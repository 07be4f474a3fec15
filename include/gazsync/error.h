/**
 * @file error.h
 * @brief gazsync's error codes and the per-thread detail that travels beside
 *        them (the libgit2 way: functions return a code, the message waits in
 *        gs_error_last()).
 *
 * Numbers never change once released; new codes are appended.
 */
#ifndef GAZSYNC_ERROR_H
#define GAZSYNC_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/** Result codes: GS_OK or a negative value. */
typedef enum {
    GS_OK = 0,
    GS_ENOMEM = -1,     /**< out of memory */
    GS_EINVAL = -2,     /**< bad argument or bad input data */
    GS_EIO = -3,        /**< file-system error */
    GS_ESTORE = -4,     /**< SQLite error in the cache */
    GS_EHTTP = -5,      /**< network error or unexpected HTTP status */
    GS_EAUTH = -6,      /**< rejected credentials (after any refresh) */
    GS_ERATELIMIT = -7, /**< still rate-limited when retries ran out */
    GS_EPROTO = -8,     /**< answer not in the expected shape (JSON, GraphQL) */
    GS_ECONFLICT = -9,  /**< the target refused rows (4xx) */
    GS_ENOTFOUND = -10, /**< no such entity, table, row or file */
    GS_ECONFIG = -11,   /**< configuration missing or invalid */
    GS_EPARTIAL = -12,  /**< some entities succeeded, others failed */
    GS_EUSAGE = -13,    /**< command-line misuse */
    GS_ECANCELED = -14, /**< stopped on request (SIGINT/SIGTERM) between
                             pages or batches; what was stored is kept */
    GS_EBUSY = -15,     /**< another run holds the cache's run lock */
    GS_ETOOBIG = -16,   /**< the service refused one request as too costly
                             (complexity, size) or timed out on it: a
                             smaller request may pass (issue 13) */
} gs_code;

/** Which layer raised the error. */
typedef enum {
    GS_ECLASS_NONE = 0,
    GS_ECLASS_OS,
    GS_ECLASS_STORE,
    GS_ECLASS_HTTP,
    GS_ECLASS_GAZELLE,
    GS_ECLASS_SUPABASE,
    GS_ECLASS_CONFIG,
    GS_ECLASS_DATA,
} gs_error_class;

/** Detail of the last error on this thread. Never holds a secret. */
typedef struct {
    int code;             /**< a gs_code */
    gs_error_class klass; /**< the layer that raised it */
    long http_status;     /**< HTTP status, 0 when none */
    int sqlite_code;      /**< SQLite extended result code, 0 when none */
    char message[1024];   /**< names entity, page, row id or URL path */
} gs_error;

/** Static English name of @p code ("GS_EHTTP: network or HTTP error"). */
const char *gs_strerror(int code);

/**
 * Records the detail of an error on this thread and returns @p code, so that
 * callers can write `return gs_error_set(GS_EINVAL, GS_ECLASS_DATA, "...")`.
 */
int gs_error_set(int code, gs_error_class klass, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Like gs_error_set() with an HTTP status attached. */
int gs_error_set_http(int code, gs_error_class klass, long http_status,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** Like gs_error_set() with a SQLite result code attached. */
int gs_error_set_sqlite(int code, int sqlite_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * Prefixes the current message with context ("clients page 3: ..."), keeping
 * code, class and statuses. Returns the current code.
 */
int gs_error_wrap(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** The last error on this thread; never NULL (code GS_OK when none). */
const gs_error *gs_error_last(void);

/** Forgets the last error on this thread. */
void gs_error_clear(void);

#ifdef __cplusplus
}
#endif
#endif

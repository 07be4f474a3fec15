#include "gazsync/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local gs_error last_error;

const char *gs_strerror(int code)
{
    switch (code) {
    case GS_OK:
        return "GS_OK: success";
    case GS_ENOMEM:
        return "GS_ENOMEM: out of memory";
    case GS_EINVAL:
        return "GS_EINVAL: invalid argument or data";
    case GS_EIO:
        return "GS_EIO: file-system error";
    case GS_ESTORE:
        return "GS_ESTORE: cache (SQLite) error";
    case GS_EHTTP:
        return "GS_EHTTP: network or HTTP error";
    case GS_EAUTH:
        return "GS_EAUTH: credentials rejected";
    case GS_ERATELIMIT:
        return "GS_ERATELIMIT: rate limited";
    case GS_EPROTO:
        return "GS_EPROTO: unexpected answer";
    case GS_ECONFLICT:
        return "GS_ECONFLICT: rows refused by the target";
    case GS_ENOTFOUND:
        return "GS_ENOTFOUND: not found";
    case GS_ECONFIG:
        return "GS_ECONFIG: configuration error";
    case GS_EPARTIAL:
        return "GS_EPARTIAL: partial failure";
    case GS_EUSAGE:
        return "GS_EUSAGE: usage error";
    case GS_ECANCELED:
        return "GS_ECANCELED: interrupted";
    case GS_EBUSY:
        return "GS_EBUSY: the cache is in use by another run";
    case GS_ETOOBIG:
        return "GS_ETOOBIG: request refused as too costly; a smaller one may "
               "pass";
    default:
        return "unknown gazsync error";
    }
}

static int set_detail(int code, gs_error_class klass, long http_status,
                      int sqlite_code, const char *fmt, va_list ap)
{
    last_error.code = code;
    last_error.klass = klass;
    last_error.http_status = http_status;
    last_error.sqlite_code = sqlite_code;
    vsnprintf(last_error.message, sizeof last_error.message, fmt, ap);
    return code;
}

int gs_error_set(int code, gs_error_class klass, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_detail(code, klass, 0, 0, fmt, ap);
    va_end(ap);
    return code;
}

int gs_error_set_http(int code, gs_error_class klass, long http_status,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_detail(code, klass, http_status, 0, fmt, ap);
    va_end(ap);
    return code;
}

int gs_error_set_sqlite(int code, int sqlite_code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_detail(code, GS_ECLASS_STORE, 0, sqlite_code, fmt, ap);
    va_end(ap);
    return code;
}

int gs_error_wrap(const char *fmt, ...)
{
    char prefix[512];
    char old[sizeof last_error.message];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t used;

    memcpy(old, last_error.message, sizeof old);
    /* Truncation is acceptable: the prefix matters most, then the cause. */
    used = strlen(prefix);
    if (used > sizeof last_error.message - 3)
        used = sizeof last_error.message - 3;
    memcpy(last_error.message, prefix, used);
    memcpy(last_error.message + used, ": ", 2);
    used += 2;
    memcpy(last_error.message + used, old,
           sizeof last_error.message - used - 1);
    last_error.message[sizeof last_error.message - 1] = '\0';
    return last_error.code;
}

const gs_error *gs_error_last(void)
{
    return &last_error;
}

void gs_error_clear(void)
{
    memset(&last_error, 0, sizeof last_error);
}

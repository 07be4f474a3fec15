#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazsync/error.h"

void gs_iso_format(char out[GS_ISO_SIZE], time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, GS_ISO_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "", "Z", "+HH:MM", "+HHMM" (or "-"): people typing --now use them all. */
static int parse_offset(long *seconds, const char *rest)
{
    struct tm tm;
    const char *end;

    if (*rest == '\0' || strcmp(rest, "Z") == 0 || strcmp(rest, "z") == 0) {
        *seconds = 0;
        return GS_OK;
    }
    if ((*rest != '+' && *rest != '-') || strlen(rest) < 5)
        return GS_EINVAL;
    memset(&tm, 0, sizeof tm);
    end = strptime(rest + 1, rest[3] == ':' ? "%H:%M" : "%H%M", &tm);
    if (!end || *end != '\0')
        return GS_EINVAL;
    *seconds = (tm.tm_hour * 3600L + tm.tm_min * 60L) * (*rest == '-' ? -1 : 1);
    return GS_OK;
}

int gs_iso_parse(time_t *out, const char *text)
{
    struct tm tm;
    const char *rest;
    long offset = 0;

    if (!text)
        return GS_EINVAL;
    memset(&tm, 0, sizeof tm);
    rest = strptime(text, "%Y-%m-%d", &tm);
    if (!rest)
        return GS_EINVAL;
    if (*rest == 'T' || *rest == 't' || *rest == ' ') {
        rest = strptime(rest + 1, "%H:%M", &tm);
        if (rest && *rest == ':')
            rest = strptime(rest + 1, "%S", &tm);
        if (!rest)
            return GS_EINVAL;
        if (*rest == '.')
            rest += 1 + strspn(rest + 1, "0123456789");
        if (parse_offset(&offset, rest) != GS_OK)
            return GS_EINVAL;
    } else if (*rest != '\0') {
        return GS_EINVAL;
    }
    *out = timegm(&tm) - offset;
    return GS_OK;
}

int gs_clock_now(char out[GS_ISO_SIZE], time_t *now, const char *override)
{
    time_t t = time(NULL);

    if (override && *override && gs_iso_parse(&t, override) != GS_OK)
        return gs_error_set(GS_EINVAL, GS_ECLASS_CONFIG,
                            "--now/GAZSYNC_NOW '%s' is not an ISO-8601 time",
                            override);
    gs_iso_format(out, t);
    if (now)
        *now = t;
    return GS_OK;
}

/* libc converts between zones only through TZ; gazsync is single-threaded
 * where it does this, and restores the caller's TZ afterwards. */
static char *enter_zone(const char *tz)
{
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;

    setenv("TZ", tz, 1);
    tzset();
    return saved;
}

static void leave_zone(char *saved)
{
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}

int gs_local_date(char out[11], time_t t, int days, const char *tz)
{
    struct tm tm;
    char *saved = enter_zone(tz);

    localtime_r(&t, &tm);
    tm.tm_mday += days;
    tm.tm_hour = 12; /* noon: immune to DST shifts when normalising */
    tm.tm_isdst = -1;
    mktime(&tm);
    leave_zone(saved);
    strftime(out, 11, "%Y-%m-%d", &tm);
    return GS_OK;
}

int gs_local_midnight(time_t *out, const char *date, const char *tz)
{
    struct tm tm;
    char *saved;

    memset(&tm, 0, sizeof tm);
    if (!strptime(date, "%Y-%m-%d", &tm))
        return gs_error_set(GS_EINVAL, GS_ECLASS_DATA, "bad date '%s'", date);
    tm.tm_isdst = -1;
    saved = enter_zone(tz);
    *out = mktime(&tm);
    leave_zone(saved);
    return GS_OK;
}

void gs_duration_format(char *out, size_t size, long long seconds)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds < 60)
        snprintf(out, size, "%llds", seconds);
    else if (seconds < 3600)
        snprintf(out, size, "%lldm", seconds / 60);
    else if (seconds < 86400)
        snprintf(out, size, "%lldh %lldm", seconds / 3600, seconds % 3600 / 60);
    else
        snprintf(out, size, "%lldd %lldh", seconds / 86400,
                 seconds % 86400 / 3600);
}

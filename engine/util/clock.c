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
    /* strptime takes 2026-02-30 and timegm makes it March 2: a day that
     * does not exist is refused, not moved. */
    struct tm want = tm;
    time_t t = timegm(&tm);
    if (tm.tm_year != want.tm_year || tm.tm_mon != want.tm_mon ||
        tm.tm_mday != want.tm_mday || tm.tm_hour != want.tm_hour ||
        tm.tm_min != want.tm_min || tm.tm_sec != want.tm_sec)
        return GS_EINVAL;
    *out = t - offset;
    return GS_OK;
}

int gs_clock_now(char out[GS_ISO_SIZE], time_t *now, const char *override)
{
    time_t t = time(NULL);

    if (override && *override && gs_iso_parse(&t, override) != GS_OK)
        return gs_error_set(GS_EINVAL, GS_ECLASS_CONFIG,
                            "--now/GAZSYNC_NOW '%s' is not an ISO-8601 time",
                            override);
    if (gs_now_in_range(t) != GS_OK)
        return gs_error_set(GS_EINVAL, GS_ECLASS_CONFIG,
                            "now (%s) is outside %s .. %s",
                            override && *override ? override : "the clock",
                            GS_NOW_MIN, GS_NOW_MAX);
    gs_iso_format(out, t);
    if (now)
        *now = t;
    return GS_OK;
}

int gs_local_date(char out[11], time_t t, int days, const char *tz)
{
    gs_tz *zone = NULL;
    int64_t y, local_day;
    int m, d, rc = gs_tz_load(&zone, tz);

    out[0] = '\0';
    if (rc != GS_OK)
        return rc;
    local_day = ((int64_t)t + gs_tz_offset(zone, (int64_t)t));
    local_day = local_day / 86400 - (local_day % 86400 < 0);
    gs_civil_from_days(local_day + days, &y, &m, &d);
    gs_tz_free(zone);
    if (y < 0 || y > 9999)
        return gs_error_set(GS_EINVAL, GS_ECLASS_CONFIG,
                            "date out of range (year %lld)", (long long)y);
    snprintf(out, 11, "%04d-%02d-%02d", (int)y, m, d);
    return GS_OK;
}

/* "YYYY-MM-DD" exactly, a real day of the calendar. */
static int parse_date(int64_t *days, const char *date)
{
    int y, m, d, n = 0;

    if (strlen(date) != 10 ||
        sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        m < 1 || m > 12 || d < 1)
        return -1;
    *days = gs_days_from_civil(y, m, d);
    int64_t yy;
    int mm, dd;
    gs_civil_from_days(*days, &yy, &mm, &dd);
    return yy == y && mm == m && dd == d ? 0 : -1;
}

int gs_local_midnight(time_t *out, const char *date, const char *tz)
{
    gs_tz *zone = NULL;
    int64_t days;
    int rc;

    if (parse_date(&days, date) != 0)
        return gs_error_set(GS_EINVAL, GS_ECLASS_DATA, "bad date '%s'", date);
    rc = gs_tz_load(&zone, tz);
    if (rc != GS_OK)
        return rc;
    *out = (time_t)gs_tz_from_local(zone, days * 86400);
    gs_tz_free(zone);
    return GS_OK;
}

int gs_now_in_range(time_t t)
{
    time_t min = 0, max = 0;

    if (gs_iso_parse(&min, GS_NOW_MIN) != GS_OK ||
        gs_iso_parse(&max, GS_NOW_MAX) != GS_OK || t < min || t > max)
        return GS_EINVAL;
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

/* Time zones without TZ: the business's zone is read from its TZif file
 * (RFC 8536) in /usr/share/zoneinfo (or $TZDIR), and UTC offsets are
 * computed here. glibc converts between zones only through the process's
 * TZ variable (setenv + tzset), which is not thread-safe and which silently
 * turns an unknown name ("America/Montrael") into UTC; this file refuses an
 * unknown name instead, and touches no global state.
 *
 * Offsets come from the file's 64-bit transitions; after the last one, from
 * its footer, a POSIX TZ rule such as "EST5EDT,M3.2.0,M11.1.0". */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "gazsync/error.h"

#define MAX_TZFILE (256 * 1024)

/* ---- civil calendar (proleptic Gregorian, days since 1970-01-01) ------ */

int64_t gs_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void gs_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;

    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* 0 = Sunday. 1970-01-01 was a Thursday. */
static int weekday(int64_t days)
{
    return (int)(((days % 7) + 11) % 7);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* ---- the POSIX TZ rule of the footer --------------------------------- */

typedef struct {
    char kind; /* 'M', 'J' or 'n' */
    int month, week, day;
    int64_t time; /* seconds after local midnight; may be negative */
} tz_date;

typedef struct {
    int present;
    int has_dst;
    int32_t std_off, dst_off; /* seconds east of UTC */
    tz_date start, end;
} tz_rule;

struct gs_tz {
    size_t n_trans;
    int64_t *trans;
    unsigned char *idx;
    size_t n_types;
    int32_t *utoff;
    tz_rule rule;
};

static const char *skip_name(const char *p)
{
    if (*p == '<') {
        const char *close = strchr(p, '>');
        return close ? close + 1 : NULL;
    }
    const char *start = p;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
        p++;
    return p - start >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] into seconds; hours up to 167 (RFC 8536 rule times). */
static const char *parse_hms(const char *p, int64_t *out)
{
    int64_t sign = 1, parts[3] = {0, 0, 0};
    int n = 0;

    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    while (n < 3) {
        if (*p < '0' || *p > '9')
            return NULL;
        int64_t v = 0;
        while (*p >= '0' && *p <= '9' && v < 1000)
            v = v * 10 + (*p++ - '0');
        parts[n++] = v;
        if (*p != ':')
            break;
        p++;
    }
    if (parts[0] > 167 || parts[1] > 59 || parts[2] > 59)
        return NULL;
    *out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
    return p;
}

static const char *parse_int(const char *p, int *out, int min, int max)
{
    int v = 0, digits = 0;

    while (*p >= '0' && *p <= '9' && digits < 4) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    if (digits == 0 || v < min || v > max)
        return NULL;
    *out = v;
    return p;
}

static const char *parse_date(const char *p, tz_date *d)
{
    memset(d, 0, sizeof *d);
    d->time = 7200; /* 02:00 local when not given */
    if (*p == 'M') {
        d->kind = 'M';
        if (!(p = parse_int(p + 1, &d->month, 1, 12)) || *p++ != '.' ||
            !(p = parse_int(p, &d->week, 1, 5)) || *p++ != '.' ||
            !(p = parse_int(p, &d->day, 0, 6)))
            return NULL;
    } else if (*p == 'J') {
        d->kind = 'J';
        if (!(p = parse_int(p + 1, &d->day, 1, 365)))
            return NULL;
    } else {
        d->kind = 'n';
        if (!(p = parse_int(p, &d->day, 0, 365)))
            return NULL;
    }
    if (*p == '/')
        p = parse_hms(p + 1, &d->time);
    return p;
}

static int parse_rule(tz_rule *r, const char *p)
{
    int64_t off;

    memset(r, 0, sizeof *r);
    if (!(p = skip_name(p)) || !(p = parse_hms(p, &off)))
        return -1;
    r->std_off = (int32_t)-off; /* POSIX: hours west of UTC */
    r->present = 1;
    if (*p == '\0')
        return 0;
    if (!(p = skip_name(p)))
        return -1;
    r->has_dst = 1;
    r->dst_off = r->std_off + 3600;
    if (*p && *p != ',') {
        if (!(p = parse_hms(p, &off)))
            return -1;
        r->dst_off = (int32_t)-off;
    }
    if (*p != ',' || !(p = parse_date(p + 1, &r->start)) || *p != ',' ||
        !(p = parse_date(p + 1, &r->end)) || *p != '\0')
        return -1;
    return 0;
}

/* The day (days since the epoch) @p d names in year @p y. */
static int64_t rule_day(const tz_date *d, int64_t y)
{
    int64_t jan1 = gs_days_from_civil(y, 1, 1);

    if (d->kind == 'J')
        return jan1 + d->day - 1 + (is_leap(y) && d->day >= 60);
    if (d->kind == 'n')
        return jan1 + d->day;
    int64_t first = gs_days_from_civil(y, d->month, 1);
    int64_t next = d->month == 12 ? gs_days_from_civil(y + 1, 1, 1)
                                  : gs_days_from_civil(y, d->month + 1, 1);
    int64_t day = first + (d->day - weekday(first) + 7) % 7 + (d->week - 1) * 7;
    while (day >= next)
        day -= 7;
    return day;
}

static int32_t rule_offset(const tz_rule *r, int64_t t)
{
    if (!r->has_dst)
        return r->std_off;
    int64_t y;
    int m, d;
    gs_civil_from_days(floor_div(t + r->std_off, 86400), &y, &m, &d);
    /* The start is given in standard time, the end in daylight time. */
    int64_t start = rule_day(&r->start, y) * 86400 + r->start.time - r->std_off;
    int64_t end = rule_day(&r->end, y) * 86400 + r->end.time - r->dst_off;
    int dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? r->dst_off : r->std_off;
}

/* ---- the TZif file ----------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct {
    uint32_t isut, isstd, leap, time, type, chars;
} tz_counts;

static int read_header(tz_counts *c, const unsigned char *p, size_t len)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return -1;
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    if (c->type == 0 || c->type > 256 || c->time > 100000 || c->leap > 10000 ||
        c->chars > 10000 || c->isut > 256 || c->isstd > 256)
        return -1;
    return 0;
}

static size_t block_size(const tz_counts *c, size_t time_size)
{
    return c->time * time_size + c->time + c->type * 6 + c->chars +
           c->leap * (time_size + 4) + c->isstd + c->isut;
}

static int parse_tzif(gs_tz *tz, const unsigned char *p, size_t len)
{
    tz_counts c;
    size_t v1, pos;

    if (read_header(&c, p, len) != 0)
        return -1;
    v1 = 44 + block_size(&c, 4);
    /* Version 2+ repeat the data with 64-bit times: use that. A version 1
     * file (none ships today) is read with its 32-bit times. */
    int v2 = p[4] >= '2' && len > v1;
    size_t time_size = 4;
    pos = 44;
    if (v2) {
        if (read_header(&c, p + v1, len - v1) != 0)
            return -1;
        pos = v1 + 44;
        time_size = 8;
    }
    if (len < pos + block_size(&c, time_size))
        return -1;
    tz->n_trans = c.time;
    tz->n_types = c.type;
    tz->trans = calloc(c.time ? c.time : 1, sizeof *tz->trans);
    tz->idx = calloc(c.time ? c.time : 1, 1);
    tz->utoff = calloc(c.type, sizeof *tz->utoff);
    if (!tz->trans || !tz->idx || !tz->utoff)
        return -2;
    for (uint32_t i = 0; i < c.time; i++)
        tz->trans[i] = time_size == 8 ? be64(p + pos + i * 8)
                                      : (int32_t)be32(p + pos + i * 4);
    pos += c.time * time_size;
    for (uint32_t i = 0; i < c.time; i++) {
        tz->idx[i] = p[pos + i];
        if (tz->idx[i] >= c.type)
            return -1;
    }
    pos += c.time;
    for (uint32_t i = 0; i < c.type; i++)
        tz->utoff[i] = (int32_t)be32(p + pos + i * 6);
    pos += block_size(&c, time_size) - c.time * time_size - c.time;
    /* The footer: "\n<POSIX TZ>\n" (empty when the file has no rule). */
    if (v2 && pos < len && p[pos] == '\n') {
        const unsigned char *nl = memchr(p + pos + 1, '\n', len - pos - 1);
        char footer[128];
        size_t n = nl ? (size_t)(nl - p - pos - 1) : 0;
        if (nl && n > 0 && n < sizeof footer) {
            memcpy(footer, p + pos + 1, n);
            footer[n] = '\0';
            if (parse_rule(&tz->rule, footer) != 0)
                return -1;
        }
    }
    return 0;
}

void gs_tz_free(gs_tz *tz)
{
    if (!tz)
        return;
    free(tz->trans);
    free(tz->idx);
    free(tz->utoff);
    free(tz);
}

/* Reads the whole file: small (a few KiB) and read once per decision. */
static int read_file(unsigned char **out, size_t *len, const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t n = 0;

    *out = NULL;
    if (!f)
        return -1;
    data = malloc(MAX_TZFILE);
    if (data)
        n = fread(data, 1, MAX_TZFILE, f);
    fclose(f);
    if (!data || n == 0 || n == MAX_TZFILE) {
        free(data);
        return -1;
    }
    *out = data;
    *len = n;
    return 0;
}

int gs_tz_load(gs_tz **out, const char *zone)
{
    const char *dir = getenv("TZDIR");
    char path[512];
    unsigned char *data = NULL;
    size_t len = 0;
    gs_tz *tz;
    int rc;

    *out = NULL;
    if (!zone || !*zone || zone[0] == '/' || strstr(zone, ".."))
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "time zone '%.64s': not an IANA zone name",
                            zone ? zone : "");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, zone) >= sizeof path)
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "time zone '%.64s': name too long", zone);
    tz = calloc(1, sizeof *tz);
    if (!tz)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    if (read_file(&data, &len, path) != 0) {
        rc = gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                          "unknown time zone '%.64s' (no zone file %s; names "
                          "look like America/Montreal, Europe/Paris, UTC)",
                          zone, path);
        goto done;
    }
    rc = parse_tzif(tz, data, len);
    if (rc == -2)
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    else if (rc != 0)
        rc = gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                          "time zone '%.64s': %s is not a valid zone file",
                          zone, path);
done:
    free(data);
    if (rc != GS_OK) {
        gs_tz_free(tz);
        return rc;
    }
    *out = tz;
    return GS_OK;
}

int32_t gs_tz_offset(const gs_tz *tz, int64_t t)
{
    size_t lo = 0, hi = tz->n_trans;

    if (tz->n_trans == 0 || t < tz->trans[0])
        return tz->n_trans == 0 && tz->rule.present ? rule_offset(&tz->rule, t)
                                                    : tz->utoff[0];
    if (t >= tz->trans[tz->n_trans - 1] && tz->rule.present)
        return rule_offset(&tz->rule, t);
    /* the last transition at or before t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return tz->utoff[tz->idx[lo]];
}

int64_t gs_tz_from_local(const gs_tz *tz, int64_t local)
{
    /* At most one transition within a day of any instant: the offsets a
     * day before and after are the two candidates. */
    int32_t before = gs_tz_offset(tz, local - 86400);
    int32_t after = gs_tz_offset(tz, local + 86400);
    int64_t a = local - before, b = local - after;
    int a_ok = a + gs_tz_offset(tz, a) == local;
    int b_ok = b + gs_tz_offset(tz, b) == local;

    if (a_ok && b_ok)
        return a < b ? a : b; /* repeated hour: the first time */
    if (a_ok)
        return a;
    if (b_ok)
        return b;
    /* In a gap (spring forward): the instant the clock jumps, read with the
     * offset before it, as mktime() does. */
    return a;
}

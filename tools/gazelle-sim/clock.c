/* Calendar arithmetic for CoreDateTime and CoreDate values. Howard
 * Hinnant's days-from-civil algorithms: exact, branch-light and free of the
 * process time zone (gmtime/mktime would read TZ). */
#include <stdio.h>
#include <string.h>

#include "dataset.h"

int64_t gsim_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void gsim_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void put2(char *out, unsigned v)
{
    out[0] = (char)('0' + v / 10 % 10);
    out[1] = (char)('0' + v % 10);
}

void gsim_day_format(char *out, int64_t day)
{
    int64_t y;
    unsigned m, d;
    gsim_civil_from_days(day, &y, &m, &d);
    /* Years outside 0000-9999 never occur here; clamp rather than spill. */
    unsigned yy = y < 0 ? 0 : y > 9999 ? 9999 : (unsigned)y;
    put2(out, yy / 100);
    put2(out + 2, yy % 100);
    out[4] = '-';
    put2(out + 5, m);
    out[7] = '-';
    put2(out + 8, d);
    out[10] = '\0';
}

void gsim_time_format(char *out, gsim_time t)
{
    int64_t day = gsim_day_of(t);
    unsigned secs = (unsigned)(t - day * 86400);
    gsim_day_format(out, day);
    out[10] = 'T';
    put2(out + 11, secs / 3600);
    out[13] = ':';
    put2(out + 14, secs / 60 % 60);
    out[16] = ':';
    put2(out + 17, secs % 60);
    out[19] = 'Z';
    out[20] = '\0';
}

/* Reads exactly n digits. */
static int read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int parse_date_part(const char **p, int64_t *day)
{
    int y, m, d;
    if (read_digits(p, 4, &y) || **p != '-')
        return -1;
    (*p)++;
    if (read_digits(p, 2, &m) || **p != '-')
        return -1;
    (*p)++;
    if (read_digits(p, 2, &d))
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    *day = gsim_days_from_civil(y, (unsigned)m, (unsigned)d);
    /* Refuse 2026-02-30 rather than rolling it into March. */
    int64_t yy;
    unsigned mm, dd;
    gsim_civil_from_days(*day, &yy, &mm, &dd);
    return (mm == (unsigned)m && dd == (unsigned)d) ? 0 : -1;
}

int gsim_day_parse(int64_t *out, const char *text)
{
    const char *p = text;
    if (parse_date_part(&p, out) || *p != '\0')
        return -1;
    return 0;
}

int gsim_time_parse(gsim_time *out, const char *text)
{
    const char *p = text;
    int64_t day;
    int hh, mi, ss, oh, om;
    if (parse_date_part(&p, &day))
        return -1;
    if (*p == '\0') {
        *out = day * 86400;
        return 0;
    }
    if (*p != 'T' && *p != 't' && *p != ' ')
        return -1;
    p++;
    if (read_digits(&p, 2, &hh) || *p++ != ':' || read_digits(&p, 2, &mi))
        return -1;
    ss = 0;
    if (*p == ':') {
        p++;
        if (read_digits(&p, 2, &ss))
            return -1;
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    if (hh > 23 || mi > 59 || ss > 60)
        return -1;
    gsim_time t = day * 86400 + hh * 3600 + mi * 60 + ss;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        p++;
        if (read_digits(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (read_digits(&p, 2, &om))
            return -1;
        t -= sign * (oh * 3600 + om * 60);
    } else if (*p != '\0') {
        return -1;
    }
    if (*p != '\0')
        return -1;
    *out = t;
    return 0;
}

/* Time in gazsync: instants are ISO-8601 UTC text ("2026-01-21T15:00:00Z"),
 * the form Gazelle sends and the cache stores, so text order is time order.
 * Business dates (the appointment window) are computed in the business's
 * time zone, never in UTC (contracts/gazelle.md, "What bit the people"). */
#ifndef GS_CLOCK_H
#define GS_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define GS_ISO_SIZE 32

/* Short names in the source, the private prefix gs__ at link time (buf.h
 * says why). */
#define gs_clock_now gs__clock_now
#define gs_iso_parse gs__iso_parse
#define gs_duration_format gs__duration_format
#define gs_iso_format gs__iso_format
#define gs_local_date gs__local_date
#define gs_local_midnight gs__local_midnight
#define gs_now_in_range gs__now_in_range
#define gs_tz_load gs__tz_load
#define gs_tz_free gs__tz_free
#define gs_tz_offset gs__tz_offset
#define gs_tz_from_local gs__tz_from_local
#define gs_days_from_civil gs__days_from_civil
#define gs_civil_from_days gs__civil_from_days

/* "now" as ISO UTC: @override when set (experiments on a simulated clock),
 * else the system clock. GS_EINVAL when @override does not parse. */
int gs_clock_now(char out[GS_ISO_SIZE], time_t *now, const char *override);

/* Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS[.frac]]" followed by
 * nothing (UTC), "Z", "+HH:MM" or "+HHMM" (or "-"). GS_EINVAL when it does
 * not. */
int gs_iso_parse(time_t *out, const char *text);

/* A span for people: "45s", "12m", "3h 20m", "2d 4h". */
void gs_duration_format(char *out, size_t size, long long seconds);

/* Formats @t as "YYYY-MM-DDTHH:MM:SSZ". */
void gs_iso_format(char out[GS_ISO_SIZE], time_t t);

/* The calendar date (YYYY-MM-DD) in zone @tz of @t shifted by @days days.
 * GS_ECONFIG naming the zone when it is unknown. */
int gs_local_date(char out[11], time_t t, int days, const char *tz);

/* The UTC instant of local midnight starting @date in zone @tz (in a gap
 * at midnight: the instant the clock jumps). */
int gs_local_midnight(time_t *out, const char *date, const char *tz);

/* The range of "now" the tool accepts (--now, GAZSYNC_NOW): windows and
 * overlaps reach up to ten years either side, and must stay in four-digit
 * years. */
#define GS_NOW_MIN "1970-01-01T00:00:00Z"
#define GS_NOW_MAX "9989-12-31T23:59:59Z"
/* GS_OK when @t lies in [GS_NOW_MIN, GS_NOW_MAX]. */
int gs_now_in_range(time_t t);

/* tzfile.c: a zone read from its TZif file, without TZ or tzset(). */
typedef struct gs_tz gs_tz;
/* GS_ECONFIG naming the zone (and the file looked for) when unknown. */
int gs_tz_load(gs_tz **out, const char *zone);
void gs_tz_free(gs_tz *tz);
/* Seconds east of UTC in force at @t. */
int32_t gs_tz_offset(const gs_tz *tz, int64_t t);
/* The UTC instant of local time @local (seconds since the epoch as if
 * local were UTC); a repeated time gives the first. */
int64_t gs_tz_from_local(const gs_tz *tz, int64_t local);
/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t gs_days_from_civil(int64_t y, int m, int d);
void gs_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

#endif

/* Time in gazsync: instants are ISO-8601 UTC text ("2026-01-21T15:00:00Z"),
 * the form Gazelle sends and the cache stores, so text order is time order.
 * Business dates (the appointment window) are computed in the business's
 * time zone, never in UTC (contracts/gazelle.md, "What bit the people"). */
#ifndef GS_CLOCK_H
#define GS_CLOCK_H

#include <stddef.h>
#include <time.h>

#define GS_ISO_SIZE 32

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

/* The calendar date (YYYY-MM-DD) in zone @tz of @t shifted by @days days. */
int gs_local_date(char out[11], time_t t, int days, const char *tz);

/* The UTC instant of local midnight starting @date in zone @tz. */
int gs_local_midnight(time_t *out, const char *date, const char *tz);

#endif

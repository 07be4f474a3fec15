/* engine/clock.c: ISO instants, business dates, spans for people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "gazsync/error.h"

static time_t parse(const char *text)
{
    time_t t = 0;

    assert_int_equal(gs_iso_parse(&t, text), GS_OK);
    return t;
}

static void test_iso_forms_name_the_same_instant(void **state)
{
    time_t t = parse("2026-01-21T15:00:00Z");
    char out[GS_ISO_SIZE];

    (void)state;
    assert_int_equal(parse("2026-01-21T15:00"), t);
    assert_int_equal(parse("2026-01-21T15:00:00.123456Z"), t);
    assert_int_equal(parse("2026-01-21T10:00:00-05:00"), t);
    assert_int_equal(parse("2026-01-21T10:00-0500"), t);
    assert_int_equal(parse("2026-01-21T20:30:00+05:30"), t);
    assert_int_equal(parse("2026-01-21"), t - 15 * 3600);
    gs_iso_format(out, t);
    assert_string_equal(out, "2026-01-21T15:00:00Z");
}

static void test_iso_rejects_what_is_not_a_time(void **state)
{
    const char *bad[] = {"", "bad", "2026-13-01", "2026-01-21T25:00:00Z",
                         "2026-01-21T15:00:00Q", "2026-01-21T15:00:00+5",
                         "2026-01-21x",
                         /* days that do not exist are refused, not moved
                          * to March (issue 11, defect 16) */
                         "2026-02-30", "2025-02-29", "2026-04-31T10:00:00Z",
                         "2026-01-21T15:00:60Z"};
    time_t t;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(gs_iso_parse(&t, bad[i]), GS_EINVAL);
}

static void test_local_date_follows_the_business_zone(void **state)
{
    char date[11];
    time_t midnight;
    char out[GS_ISO_SIZE];

    (void)state;
    /* 03:00 UTC is still the evening before in Montreal. */
    gs_local_date(date, parse("2026-07-02T03:00:00Z"), 0, "America/Montreal");
    assert_string_equal(date, "2026-07-01");
    gs_local_date(date, parse("2026-07-02T03:00:00Z"), 0, "UTC");
    assert_string_equal(date, "2026-07-02");
    gs_local_date(date, parse("2026-03-07T12:00:00Z"), 2, "America/Montreal");
    assert_string_equal(date, "2026-03-09"); /* across the DST change */
    assert_int_equal(
        gs_local_midnight(&midnight, "2026-07-01", "America/Montreal"), GS_OK);
    gs_iso_format(out, midnight);
    assert_string_equal(out, "2026-07-01T04:00:00Z"); /* EDT */
}

static void test_iso_takes_real_days_only(void **state)
{
    time_t t;

    (void)state;
    assert_int_equal(gs_iso_parse(&t, "2024-02-29"), GS_OK);
    assert_int_equal(gs_iso_parse(&t, "2026-02-28T23:59:59Z"), GS_OK);
    assert_int_equal(gs_iso_parse(&t, "2000-02-29"), GS_OK);
    assert_int_equal(gs_iso_parse(&t, "1900-02-29"), GS_EINVAL);
}

/* --now must leave room for ten-year windows in four-digit years. */
static void test_now_out_of_range_is_refused(void **state)
{
    char out[GS_ISO_SIZE];
    time_t t;

    (void)state;
    assert_int_equal(gs_clock_now(out, &t, "9999-12-31T23:59:59Z"), GS_EINVAL);
    assert_non_null(strstr(gs_error_last()->message, GS_NOW_MAX));
    assert_int_equal(gs_clock_now(out, &t, "1969-12-31T23:59:59Z"), GS_EINVAL);
    assert_int_equal(gs_clock_now(out, &t, GS_NOW_MAX), GS_OK);
    assert_int_equal(gs_clock_now(out, &t, "2026-02-30"), GS_EINVAL);
    assert_int_equal(gs_clock_now(out, &t, NULL), GS_OK);
}

static void test_unknown_zone_is_an_error_not_utc(void **state)
{
    const char *bad[] = {"America/Montrael", "Mars/Olympus_Mons",
                         "../etc/passwd", "", "America"};
    char date[11];
    time_t t;
    gs_tz *zone = NULL;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(gs_tz_load(&zone, bad[i]), GS_ECONFIG);
        assert_null(zone);
        assert_int_equal(
            gs_local_date(date, parse("2026-07-02T03:00:00Z"), 0, bad[i]),
            GS_ECONFIG);
        assert_int_equal(gs_local_midnight(&t, "2026-07-01", bad[i]),
                         GS_ECONFIG);
    }
    assert_non_null(strstr(gs_error_last()->message, "America"));
}

/* The oracle is glibc under TZ=zone, set in this test process only: the
 * library itself never touches TZ. Every 7 hours (so every hour of the day
 * in turn) over 1965..1975, 2025..2028 (DST changes both ways) and
 * 2040..2042 (after the files' last transition: the footer's rule), the
 * offset and the local date agree, and local midnight maps back as
 * mktime() maps it. */
static void compare_zone_with_libc(const char *zone_name)
{
    static const int spans[][2] = {{1965, 1975}, {2025, 2028}, {2040, 2042}};
    gs_tz *zone = NULL;
    char ours[11], theirs[11], label[64];

    assert_int_equal(gs_tz_load(&zone, zone_name), GS_OK);
    setenv("TZ", zone_name, 1);
    tzset();
    for (size_t s = 0; s < sizeof spans / sizeof spans[0]; s++) {
        time_t from = (time_t)gs_days_from_civil(spans[s][0], 1, 1) * 86400;
        time_t to = (time_t)gs_days_from_civil(spans[s][1], 1, 1) * 86400;
        for (time_t t = from; t < to; t += 7 * 3600) {
            struct tm tm;

            localtime_r(&t, &tm);
            if (gs_tz_offset(zone, t) != tm.tm_gmtoff) {
                gs_iso_format(label, t);
                fail_msg("%s at %s: offset %d, libc %ld", zone_name, label,
                         (int)gs_tz_offset(zone, t), (long)tm.tm_gmtoff);
            }
            strftime(theirs, sizeof theirs, "%Y-%m-%d", &tm);
            assert_int_equal(gs_local_date(ours, t, 0, zone_name), GS_OK);
            assert_string_equal(ours, theirs);
            if (tm.tm_hour < 7) { /* about once a day: local midnight */
                time_t midnight, want;
                struct tm m = tm;
                m.tm_hour = m.tm_min = m.tm_sec = 0;
                m.tm_isdst = -1;
                want = mktime(&m);
                assert_int_equal(
                    gs_local_midnight(&midnight, theirs, zone_name), GS_OK);
                if (midnight != want)
                    fail_msg("%s: midnight of %s at %lld, libc %lld", zone_name,
                             theirs, (long long)midnight, (long long)want);
            }
        }
    }
    unsetenv("TZ");
    tzset();
    gs_tz_free(zone);
}

static void test_zone_offsets_and_dates_agree_with_libc(void **state)
{
    const char *zones[] = {"America/Montreal", "UTC",
                           "Europe/Paris",     "Australia/Sydney",
                           "America/Santiago", "Asia/Kolkata",
                           "America/St_Johns"};

    (void)state;
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
        compare_zone_with_libc(zones[i]);
}

/* The DST change itself: Montreal springs forward on 2026-03-08 at 02:00
 * EST (07:00Z) and falls back on 2026-11-01 at 02:00 EDT (06:00Z). */
static void test_montreal_across_the_dst_change(void **state)
{
    gs_tz *zone = NULL;

    (void)state;
    assert_int_equal(gs_tz_load(&zone, "America/Montreal"), GS_OK);
    assert_int_equal(gs_tz_offset(zone, parse("2026-03-08T06:59:59Z")), -18000);
    assert_int_equal(gs_tz_offset(zone, parse("2026-03-08T07:00:00Z")), -14400);
    assert_int_equal(gs_tz_offset(zone, parse("2026-11-01T05:59:59Z")), -14400);
    assert_int_equal(gs_tz_offset(zone, parse("2026-11-01T06:00:00Z")), -18000);
    /* 2050: past the file's transitions, from the rule EST5EDT,M3.2.0,M11.1.0
     */
    assert_int_equal(gs_tz_offset(zone, parse("2050-03-13T06:59:59Z")), -18000);
    assert_int_equal(gs_tz_offset(zone, parse("2050-03-13T07:00:00Z")), -14400);
    gs_tz_free(zone);
}

static void test_duration_format_for_people(void **state)
{
    char out[32];

    (void)state;
    gs_duration_format(out, sizeof out, 45);
    assert_string_equal(out, "45s");
    gs_duration_format(out, sizeof out, 12 * 60 + 5);
    assert_string_equal(out, "12m");
    gs_duration_format(out, sizeof out, 3 * 3600 + 20 * 60);
    assert_string_equal(out, "3h 20m");
    gs_duration_format(out, sizeof out, 2 * 86400 + 4 * 3600 + 59);
    assert_string_equal(out, "2d 4h");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_forms_name_the_same_instant),
        cmocka_unit_test(test_iso_rejects_what_is_not_a_time),
        cmocka_unit_test(test_local_date_follows_the_business_zone),
        cmocka_unit_test(test_iso_takes_real_days_only),
        cmocka_unit_test(test_now_out_of_range_is_refused),
        cmocka_unit_test(test_unknown_zone_is_an_error_not_utc),
        cmocka_unit_test(test_zone_offsets_and_dates_agree_with_libc),
        cmocka_unit_test(test_montreal_across_the_dst_change),
        cmocka_unit_test(test_duration_format_for_people),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

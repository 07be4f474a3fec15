/* engine/clock.c: ISO instants, business dates, spans for people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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
    const char *bad[] = {"",
                         "bad",
                         "2026-13-01",
                         "2026-01-21T25:00:00Z",
                         "2026-01-21T15:00:00Q",
                         "2026-01-21T15:00:00+5",
                         "2026-01-21x"};
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
        cmocka_unit_test(test_duration_format_for_people),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

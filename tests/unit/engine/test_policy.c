/* engine/policy.c: policy and duration texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "gazsync/config.h"
#include "gazsync/error.h"

static void test_duration_parses_units(void **state)
{
    (void)state;
    long long s = -1;
    assert_int_equal(gs_duration_parse(&s, "90s"), GS_OK);
    assert_int_equal(s, 90);
    assert_int_equal(gs_duration_parse(&s, "10m"), GS_OK);
    assert_int_equal(s, 600);
    assert_int_equal(gs_duration_parse(&s, "6h"), GS_OK);
    assert_int_equal(s, 21600);
    assert_int_equal(gs_duration_parse(&s, "30d"), GS_OK);
    assert_int_equal(s, 30 * 86400);
    assert_int_equal(gs_duration_parse(&s, "2w"), GS_OK);
    assert_int_equal(s, 14 * 86400);
    assert_int_equal(gs_duration_parse(&s, "0s"), GS_OK);
    assert_int_equal(s, 0);
}

static void test_duration_rejects_bad_text(void **state)
{
    (void)state;
    const char *bad[] = {"",   "10",   "m",    "-5m", "+5m",  " 5m", "5m ",
                         "5x", "5mm",  "1.5h", "5M",  "abc",
                         "99999999999999999999s", "9223372036854775807w"};
    long long s = 42;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (gs_duration_parse(&s, bad[i]) != GS_EINVAL)
            fail_msg("duration '%s' was accepted", bad[i]);
    }
    assert_int_equal(s, 42);
    assert_int_equal(gs_duration_parse(&s, NULL), GS_EINVAL);
}

static void test_policy_parses_kinds(void **state)
{
    (void)state;
    gs_entity_policy p;
    memset(&p, 0, sizeof p);
    assert_int_equal(gs_policy_parse(&p, "if-empty"), GS_OK);
    assert_int_equal(p.kind, GS_POLICY_IF_EMPTY);
    assert_int_equal(gs_policy_parse(&p, "always"), GS_OK);
    assert_int_equal(p.kind, GS_POLICY_ALWAYS);
    assert_int_equal(gs_policy_parse(&p, "since"), GS_OK);
    assert_int_equal(p.kind, GS_POLICY_SINCE);
    assert_int_equal(gs_policy_parse(&p, "window=-60d..+90d"), GS_OK);
    assert_int_equal(p.kind, GS_POLICY_WINDOW);
    assert_int_equal(p.window_past_days, 60);
    assert_int_equal(p.window_future_days, 90);
    assert_int_equal(gs_policy_parse(&p, " delta , max-age=6h "), GS_OK);
    assert_int_equal(p.kind, GS_POLICY_DELTA);
    assert_int_equal(p.max_age_s, 21600);
    assert_int_equal(p.window_past_days, 0);
    /* a lookback given elsewhere survives a plain kind */
    p.lookback_s = 600;
    assert_int_equal(gs_policy_parse(&p, "delta"), GS_OK);
    assert_int_equal(p.lookback_s, 600);
    assert_int_equal(gs_policy_parse(&p, "window=-2w..1w,lookback=1h"), GS_OK);
    assert_int_equal(p.window_past_days, 14);
    assert_int_equal(p.window_future_days, 7);
    assert_int_equal(p.lookback_s, 3600);
}

static void test_policy_rejects_bad_text(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "Delta",
                         "deltas",
                         "delta,",
                         ",delta",
                         "delta,max-age=",
                         "delta,max-age=6",
                         "delta,maxage=6h",
                         "max-age=6h",
                         "window",
                         "window=",
                         "window=-60d",
                         "window=-60d..",
                         "window=+90d..-60d",
                         "window=-60h..+90d",
                         "window=-60d...+90d",
                         "window=-99999d..+1d",
                         "if-empty,window=-1d..+1d"};
    gs_entity_policy p;
    memset(&p, 0, sizeof p);
    p.kind = GS_POLICY_SINCE;
    p.lookback_s = 7;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (gs_policy_parse(&p, bad[i]) != GS_EINVAL)
            fail_msg("policy '%s' was accepted", bad[i]);
    }
    /* untouched by the failures */
    assert_int_equal(p.kind, GS_POLICY_SINCE);
    assert_int_equal(p.lookback_s, 7);
    assert_int_equal(p.max_age_s, 0);
}

static void test_policy_format_round_trips(void **state)
{
    (void)state;
    const char *texts[] = {"always",
                           "if-empty",
                           "delta",
                           "since",
                           "window=-60d..+90d",
                           "window=-60d..+90d,max-age=6h",
                           "delta,lookback=10m",
                           "since,lookback=2d,max-age=90s",
                           "window=-14d..-1d",
                           "window=+0d..+7d",
                           "if-empty,max-age=2w",
                           "delta,lookback=10m,full-every=30d"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        gs_entity_policy p, q;
        char out[128], again[128];
        memset(&p, 0, sizeof p);
        memset(&q, 0, sizeof q);
        assert_int_equal(gs_policy_parse(&p, texts[i]), GS_OK);
        gs_policy_format(out, sizeof out, &p);
        assert_string_equal(out, texts[i]);
        assert_int_equal(gs_policy_parse(&q, out), GS_OK);
        gs_policy_format(again, sizeof again, &q);
        assert_string_equal(again, out);
        assert_memory_equal(&p, &q, sizeof p);
    }
}

static void test_policy_format_picks_largest_unit(void **state)
{
    (void)state;
    gs_entity_policy p;
    char out[64];
    memset(&p, 0, sizeof p);
    p.kind = GS_POLICY_DELTA;
    p.max_age_s = 7200;
    p.lookback_s = 90;
    gs_policy_format(out, sizeof out, &p);
    assert_string_equal(out, "delta,lookback=90s,max-age=2h");
    /* truncation is safe */
    gs_policy_format(out, 4, &p);
    assert_string_equal(out, "del");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_parses_units),
        cmocka_unit_test(test_duration_rejects_bad_text),
        cmocka_unit_test(test_policy_parses_kinds),
        cmocka_unit_test(test_policy_rejects_bad_text),
        cmocka_unit_test(test_policy_format_round_trips),
        cmocka_unit_test(test_policy_format_picks_largest_unit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

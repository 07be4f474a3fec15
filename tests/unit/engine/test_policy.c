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
    const char *bad[] = {"",
                         "10",
                         "m",
                         "-5m",
                         "+5m",
                         " 5m",
                         "5m ",
                         "5x",
                         "5mm",
                         "1.5h",
                         "5M",
                         "abc",
                         "99999999999999999999s",
                         "9223372036854775807w"};
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
    assert_int_equal(gs_policy_parse(&p, " new-rows , max-age=6h "), GS_OK);
    assert_int_equal(p.kind, GS_POLICY_NEW_ROWS);
    assert_int_equal(p.max_age_s, 21600);
    assert_int_equal(p.window_past_days, 0);
    /* a lookback given elsewhere survives a plain kind */
    p.lookback_s = 600;
    assert_int_equal(gs_policy_parse(&p, "since"), GS_OK);
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
                         "Always",
                         "new-row",
                         "always,",
                         ",always",
                         "new-rows,max-age=",
                         "new-rows,max-age=6",
                         "new-rows,maxage=6h",
                         "delta",
                         "delta,lookback=10m",
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
                           "new-rows",
                           "since",
                           "window=-60d..+90d",
                           "window=-60d..+90d,max-age=6h",
                           "new-rows,full-every=1w",
                           "since,lookback=2d,max-age=90s",
                           "window=-14d..-1d",
                           "window=+0d..+7d",
                           "if-empty,max-age=2w",
                           "new-rows,max-age=6h,full-every=1w"};
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
    p.kind = GS_POLICY_SINCE;
    p.max_age_s = 7200;
    p.lookback_s = 90;
    gs_policy_format(out, sizeof out, &p);
    assert_string_equal(out, "since,lookback=90s,max-age=2h");
    /* truncation is safe */
    gs_policy_format(out, 4, &p);
    assert_string_equal(out, "sin");
}

/* The old delta paged by update time, which no Gazelle list offers: it is
 * refused with the reason, not mapped silently to something else. */
static void test_policy_delta_is_refused_with_the_reason(void **state)
{
    gs_entity_policy p;

    (void)state;
    memset(&p, 0, sizeof p);
    assert_int_equal(gs_policy_parse(&p, "delta"), GS_EINVAL);
    assert_non_null(strstr(gs_error_last()->message, "UPDATED_AT"));
    assert_non_null(strstr(gs_error_last()->message, "new-rows"));
}

/* Each kind only where the API has the argument it needs. */
static void test_policy_check_fits_kind_to_entity(void **state)
{
    static const struct {
        gs_policy_kind kind;
        gs_entity_id entity;
        int ok;
    } cases[] = {
        {GS_POLICY_WINDOW, GS_ENTITY_APPOINTMENTS, 1},
        {GS_POLICY_WINDOW, GS_ENTITY_CLIENTS, 0},
        {GS_POLICY_SINCE, GS_ENTITY_TIMELINE, 1},
        {GS_POLICY_SINCE, GS_ENTITY_PIANOS, 0},
        {GS_POLICY_NEW_ROWS, GS_ENTITY_CLIENTS, 1},
        {GS_POLICY_NEW_ROWS, GS_ENTITY_PIANOS, 1},
        {GS_POLICY_NEW_ROWS, GS_ENTITY_TIMELINE, 0},
        {GS_POLICY_NEW_ROWS, GS_ENTITY_USERS, 0},
        {GS_POLICY_ALWAYS, GS_ENTITY_USERS, 1},
        {GS_POLICY_IF_EMPTY, GS_ENTITY_TIMELINE, 1},
    };
    gs_entity_policy p;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const gs_entity *e = gs_entity_get(cases[i].entity);
        int rc;

        memset(&p, 0, sizeof p);
        p.kind = cases[i].kind;
        rc = gs_policy_check(e, &p);
        if ((rc == GS_OK) != cases[i].ok)
            fail_msg("case %zu (%s): %d", i, e->name, rc);
        if (rc != GS_OK)
            assert_non_null(strstr(gs_error_last()->message, e->name));
    }
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
        cmocka_unit_test(test_policy_delta_is_refused_with_the_reason),
        cmocka_unit_test(test_policy_check_fits_kind_to_entity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

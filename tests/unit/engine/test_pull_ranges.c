/* engine/pull/pull_ranges.c: partitions that tile every date and every
 * timeline type exactly once, balanced, blind when the cache is empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "pull_ranges.h"

/* @day shifted by @days, for walking the calendar in the checks. */
static void shift(char out[11], const char *day, int days)
{
    time_t t;

    assert_int_equal(gs_local_midnight(&t, day, "UTC"), GS_OK);
    assert_int_equal(gs_local_date(out, t + 43200, days, "UTC"), GS_OK);
}

/* Contiguous: each range starts the day after the previous one ends and
 * none is empty or reversed, so every date between the ends is in exactly
 * one; the first starts at @lo, the last ends at @hi ("" open). */
static void assert_tiles(const gs_pull_partition *p, const char *lo,
                         const char *hi)
{
    assert_true(p->n >= 1);
    assert_string_equal(p->range[0].lo, lo);
    assert_string_equal(p->range[p->n - 1].hi, hi);
    for (size_t i = 0; i < p->n; i++) {
        const gs_pull_range *r = &p->range[i];

        if (r->lo[0] && r->hi[0])
            assert_true(strcmp(r->lo, r->hi) <= 0);
        if (i + 1 < p->n) {
            char next[11];

            assert_true(r->hi[0] != '\0');
            shift(next, r->hi, 1);
            assert_string_equal(p->range[i + 1].lo, next);
        }
    }
}

/* Which range holds @day; -1 none. Counts every holder in *holders. */
static int holder(const gs_pull_partition *p, const char *day, int *holders)
{
    int found = -1;

    *holders = 0;
    for (size_t i = 0; i < p->n; i++) {
        const gs_pull_range *r = &p->range[i];

        if ((!r->lo[0] || strcmp(day, r->lo) >= 0) &&
            (!r->hi[0] || strcmp(day, r->hi) <= 0)) {
            found = (int)i;
            (*holders)++;
        }
    }
    return found;
}

static void test_cut_days_tiles_and_respects_the_cap(void **state)
{
    json_t *days = json_array();
    long long rows[64] = {0};
    char day[11] = "2019-03-02";
    gs_pull_partition p;
    unsigned seed = 7;

    (void)state;
    /* Sparse days with gaps of 1..9 days, 1..40 rows each, one day of 200
     * (more than a range holds: it must stay whole). */
    for (int i = 0; i < 120; i++) {
        long long n = i == 60 ? 200 : (long long)(rand_r(&seed) % 40 + 1);

        json_array_append_new(days, json_pack("[s,I]", day, (json_int_t)n));
        shift(day, day, (int)(rand_r(&seed) % 9) + 1);
    }
    assert_int_equal(gs__pull_cut_days(&p, days, 90, "", ""), GS_OK);
    assert_tiles(&p, "", "");
    assert_true(p.n > 20 && p.n < 64);
    for (size_t i = 0; i < json_array_size(days); i++) {
        json_t *pair = json_array_get(days, i);
        int holders, at = holder(&p, json_string_value(json_array_get(pair, 0)),
                                 &holders);

        assert_int_equal(holders, 1);
        rows[at] += json_integer_value(json_array_get(pair, 1));
    }
    for (size_t i = 0; i < p.n; i++) {
        assert_true(rows[i] > 0);
        assert_true(rows[i] <= 90 || rows[i] >= 200);
        assert_int_equal(p.range[i].rows, rows[i]); /* the estimate */
    }
    /* Dates no row has, before, between and after: one range each. */
    {
        const char *probe[] = {"1970-01-01", "2019-03-03", "2021-06-15",
                               "2099-12-31"};
        for (size_t i = 0; i < 4; i++) {
            int holders;

            holder(&p, probe[i], &holders);
            assert_int_equal(holders, 1);
        }
    }
    gs__pull_partition_free(&p);
    json_decref(days);
}

static void test_cut_days_inside_a_window_keeps_its_ends(void **state)
{
    json_t *days = json_pack("[[s,i],[s,i],[s,i],[s,i],[s,i]]", "2026-01-01",
                             500, "2026-01-20", 60, "2026-02-01", 60,
                             "2026-03-01", 60, "2026-09-01", 500);
    gs_pull_partition p;

    (void)state;
    assert_int_equal(
        gs__pull_cut_days(&p, days, 90, "2026-01-14", "2026-07-23"), GS_OK);
    assert_tiles(&p, "2026-01-14", "2026-07-23");
    /* The rows outside the window count nowhere: 3 days of 60 in ranges of
     * 90 make 3 ranges, not one of 500 first. */
    assert_int_equal(p.n, 3);
    gs__pull_partition_free(&p);
    json_decref(days);
}

static void test_blind_years_tile_with_open_ends(void **state)
{
    gs_pull_partition p;
    int holders;

    (void)state;
    assert_int_equal(gs__pull_blind_years(&p, "2026-12-01", 15), GS_OK);
    assert_tiles(&p, "", "");
    assert_int_equal(p.n, 17);
    assert_string_equal(p.range[1].lo, "2011-01-01");
    assert_string_equal(p.range[16].lo, "2026-01-01");
    holder(&p, "1999-05-05", &holders);
    assert_int_equal(holders, 1);
    holder(&p, "2031-05-05", &holders);
    assert_int_equal(holders, 1);
    gs__pull_partition_free(&p);
}

static void test_blind_months_tile_the_window(void **state)
{
    gs_pull_partition p;

    (void)state;
    assert_int_equal(gs__pull_blind_months(&p, "2026-11-24", "2027-06-09"),
                     GS_OK);
    assert_tiles(&p, "2026-11-24", "2027-06-09");
    assert_int_equal(p.n, 8); /* Nov (part), Dec, Jan..May, Jun (part) */
    assert_string_equal(p.range[1].lo, "2026-12-01");
    assert_string_equal(p.range[2].lo, "2027-01-01");
    assert_string_equal(p.range[4].hi, "2027-03-31");
    gs__pull_partition_free(&p);
}

static const char *const values[] = {"A", "B", "C", "D", "E", "F",
                                     "G", "H", "I", "J", NULL};

/* Every value in exactly one range; *max and *min loads by @counts. */
static void assert_groups_cover(const gs_pull_partition *p, json_t *counts,
                                long long *max, long long *min)
{
    *max = -1;
    *min = -1;
    for (size_t v = 0; values[v]; v++) {
        int holders = 0;

        for (size_t i = 0; i < p->n; i++)
            for (size_t k = 0; k < json_array_size(p->range[i].types); k++)
                holders += strcmp(json_string_value(
                                      json_array_get(p->range[i].types, k)),
                                  values[v]) == 0;
        assert_int_equal(holders, 1);
    }
    for (size_t i = 0; i < p->n; i++) {
        long long load = 0;

        assert_true(json_array_size(p->range[i].types) > 0);
        for (size_t k = 0; k < json_array_size(p->range[i].types); k++)
            for (size_t c = 0; c < json_array_size(counts); c++)
                if (strcmp(json_string_value(
                               json_array_get(json_array_get(counts, c), 0)),
                           json_string_value(
                               json_array_get(p->range[i].types, k))) == 0)
                    load += json_integer_value(
                        json_array_get(json_array_get(counts, c), 1));
        if (load == 0)
            continue; /* the group of types the cache never held */
        if (*max < 0 || load > *max)
            *max = load;
        if (*min < 0 || load < *min)
            *min = load;
    }
}

static void test_group_types_balanced_and_complete(void **state)
{
    /* The simulator's spread: two types twice as common as five others;
     * three never seen; one the enum does not know. */
    json_t *counts = json_pack("[[s,i],[s,i],[s,i],[s,i],[s,i],[s,i],[s,i],"
                               "[s,i]]",
                               "A", 2000, "B", 1000, "C", 1000, "D", 2000, "E",
                               1000, "F", 1000, "G", 1000, "ZZ", 5);
    gs_pull_partition p;
    long long max, min;

    (void)state;
    assert_int_equal(gs__pull_group_types(&p, values, counts, 4), GS_OK);
    assert_int_equal(p.kind, GS_RANGE_TYPES);
    /* 4 balanced groups of the 7 known, one more for H, I, J */
    assert_int_equal(p.n, 5);
    assert_groups_cover(&p, counts, &max, &min);
    /* 9000 in groups of whole thousands: 3000 is the best a group of four
     * can do, and no group lies a largest type below another */
    assert_int_equal(max, 3000);
    assert_true(max - min <= 2000);
    assert_int_equal(json_array_size(p.range[4].types), 3);
    gs__pull_partition_free(&p);
    json_decref(counts);
}

static void test_group_types_blind_each_alone(void **state)
{
    json_t *counts = json_array();
    gs_pull_partition p;
    long long max, min;

    (void)state;
    assert_int_equal(gs__pull_group_types(&p, values, counts, 4), GS_OK);
    assert_int_equal(p.n, 10);
    assert_groups_cover(&p, counts, &max, &min);
    for (size_t i = 0; i < p.n; i++)
        assert_int_equal(json_array_size(p.range[i].types), 1);
    gs__pull_partition_free(&p);
    json_decref(counts);
}

static void test_range_json_round_trip(void **state)
{
    gs_pull_range r = {"2020-01-01", "", NULL, 5}, back;
    json_t *json;

    (void)state;
    r.types = json_pack("[s,s]", "A", "B");
    json = gs__pull_range_json(&r);
    assert_non_null(json);
    assert_int_equal(gs__pull_range_parse(&back, json), GS_OK);
    assert_string_equal(back.lo, "2020-01-01");
    assert_string_equal(back.hi, "");
    assert_true(json_equal(back.types, r.types));
    json_decref(back.types);
    json_object_set_new(json, "lo", json_string("2020-01-01T00:00:00Z"));
    assert_int_equal(gs__pull_range_parse(&back, json), GS_EINVAL);
    json_decref(json);
    json_decref(r.types);
}

/* From a real cache: an empty one gives the blind years; rows give cuts
 * at their business days (America/Montreal: 03:00Z is the day before). */
static void test_partition_from_the_cache(void **state)
{
    char dir[] = "/tmp/gs_ranges_XXXXXX", path[600], file[700];
    gs_store *store = NULL;
    gs_config cfg;
    gs_pull_opts opts = GS_PULL_OPTS_INIT;
    gs_pull_report report;
    gs_pull_ctx ctx = {0};
    gs_pull_plan plan = {0};
    gs_pull_partition p;
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);
    int holders;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/gazsync.db", dir);
    assert_int_equal(gs_store_open(&store, path, NULL), GS_OK);
    gs_config_defaults(&cfg);
    ctx.store = store;
    ctx.cfg = &cfg;
    ctx.opts = &opts;
    ctx.report = &report;
    gs_clock_now(ctx.now, &ctx.now_t, "2026-01-21T02:00:00Z");
    plan.mode = GS_PLAN_FULL;
    assert_int_equal(gs__pull_range_kind(clients, &plan), GS_RANGE_CREATED);
    assert_int_equal(gs__pull_partition_make(&p, &ctx, clients, &plan, 100),
                     GS_OK);
    assert_int_equal(p.n, 17); /* blind: 15 years back, this year, open */
    assert_string_equal(p.range[16].lo, "2026-01-01");
    gs__pull_partition_free(&p);
    for (int i = 0; i < 300; i++) {
        char id[32], stamp[32];
        json_t *node;
        int changed;

        snprintf(id, sizeof id, "cli_%04d", i);
        /* 3 clients a day from 2020-01-01, at 03:00Z (22:00 the day
         * before in Montreal) */
        gs_iso_format(stamp, 1577847600 + (time_t)(i / 3) * 86400);
        node = json_pack("{s:s,s:s}", "id", id, "createdAt", stamp);
        assert_int_equal(
            gs_store_upsert(&changed, store, clients, node, ctx.now), GS_OK);
        json_decref(node);
    }
    assert_int_equal(gs__pull_partition_make(&p, &ctx, clients, &plan, 100),
                     GS_OK);
    assert_tiles(&p, "", "");
    /* 100 days of 3 in ranges of at most 90: 30 days each, 4 ranges */
    assert_int_equal(p.n, 4);
    /* the first business day is 2019-12-31 (22:00 in Montreal) */
    assert_string_equal(p.range[1].lo, "2020-01-30");
    holder(&p, "2019-12-31", &holders);
    assert_int_equal(holders, 1);
    gs__pull_partition_free(&p);
    /* A since read and a new-rows probe are not cut. */
    plan.mode = GS_PLAN_SINCE;
    assert_int_equal(gs__pull_range_kind(clients, &plan), GS_RANGE_ALL);
    plan.mode = GS_PLAN_FULL;
    assert_int_equal(
        gs__pull_range_kind(gs_entity_get(GS_ENTITY_TIMELINE), &plan),
        GS_RANGE_TYPES);
    assert_int_equal(gs__pull_range_kind(gs_entity_get(GS_ENTITY_USERS), &plan),
                     GS_RANGE_ALL);
    gs_store_close(store);
    gs_config_free(&cfg);
    const char *suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(file, sizeof file, "%s%s", path, suffix[i]);
        unlink(file);
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_days_tiles_and_respects_the_cap),
        cmocka_unit_test(test_cut_days_inside_a_window_keeps_its_ends),
        cmocka_unit_test(test_blind_years_tile_with_open_ends),
        cmocka_unit_test(test_blind_months_tile_the_window),
        cmocka_unit_test(test_group_types_balanced_and_complete),
        cmocka_unit_test(test_group_types_blind_each_alone),
        cmocka_unit_test(test_range_json_round_trip),
        cmocka_unit_test(test_partition_from_the_cache),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

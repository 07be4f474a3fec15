/* engine/pull/pull_packed.c, gs__pull_pick: which parts go in the next
 * packed request (the budget, the learned costs, the order); pull_cost.c:
 * what a refusal teaches; gs__pull_part_size, the larger page of a day with
 * more rows than a page; pull_entity.c's progress guard at the page size
 * the service answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pull_internal.h"

static long long nodes_of(const gs_pull_ask *asks, const size_t *chosen,
                          size_t n, int entity)
{
    long long nodes = 0;

    for (size_t i = 0; i < n; i++)
        if (entity < 0 || asks[chosen[i]].entity == entity)
            nodes += asks[chosen[i]].first;
    return nodes;
}

/* Random mixes: within the budget (or one part alone), each part once, and
 * full: no part left out would still have fitted. */
static void test_pick_keeps_the_budget_and_fills_it(void **state)
{
    gs_pull_ask asks[60];
    size_t chosen[60];
    unsigned seed = 3;

    (void)state;
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(rand_r(&seed) % 60) + 1, picked;
        int budget = (int)(rand_r(&seed) % 2500) + 1;
        char in[60] = {0};

        for (size_t i = 0; i < n; i++) {
            static const int firsts[] = {1, 100, 200, 25};

            asks[i].entity = (int)(rand_r(&seed) % GS_ENTITY_COUNT);
            asks[i].first = firsts[rand_r(&seed) % 4];
            asks[i].left = rand_r(&seed) % 6;
        }
        picked = gs__pull_pick(chosen, asks, n, budget, NULL);
        assert_true(picked >= 1);
        if (picked > 1)
            assert_true(nodes_of(asks, chosen, picked, -1) <= budget);
        for (size_t k = 0; k < picked; k++) {
            assert_true(chosen[k] < n);
            assert_int_equal(in[chosen[k]], 0);
            in[chosen[k]] = 1;
        }
        for (size_t i = 0; i < n; i++)
            if (!in[i])
                assert_true(nodes_of(asks, chosen, picked, -1) + asks[i].first >
                            budget);
    }
}

/* The most pages left first (the longest stream sets the night), pull
 * order among equals; one part larger than the budget still goes. */
static void test_pick_order(void **state)
{
    gs_pull_ask asks[] = {
        {GS_ENTITY_CLIENTS, 100, 1},  {GS_ENTITY_CLIENTS, 100, 4},
        {GS_ENTITY_PIANOS, 100, 1},   {GS_ENTITY_APPOINTMENTS, 200, 4},
        {GS_ENTITY_TIMELINE, 200, 2},
    };
    gs_pull_ask huge = {GS_ENTITY_TIMELINE, 5000, 1};
    size_t chosen[5];

    (void)state;
    assert_int_equal(gs__pull_pick(chosen, asks, 5, 300, NULL), 2);
    assert_int_equal(chosen[0], 1); /* 4 pages left, first in pull order */
    assert_int_equal(chosen[1], 3); /* 4 pages left too, and it fits */
    assert_int_equal(gs__pull_pick(chosen, asks, 5, 10000, NULL), 5);
    assert_int_equal(chosen[0], 1);
    assert_int_equal(chosen[1], 3);
    assert_int_equal(chosen[2], 4);
    assert_int_equal(chosen[3], 0);
    assert_int_equal(chosen[4], 2);
    assert_int_equal(gs__pull_pick(chosen, &huge, 1, 2000, NULL), 1);
    assert_int_equal(gs__pull_pick(chosen, asks, 0, 2000, NULL), 0);
}

/* Learned costs bound the whole request: clients at 449 a node and
 * timeline at 30 against a limit of 50,000 (45,000 of room) take one page
 * of clients, or the timeline's pages beside nothing costlier; an entity
 * never refused counts as the costliest known. */
static void test_pick_costs(void **state)
{
    gs_pull_ask asks[12];
    size_t chosen[12], picked;
    gs_pull_costs costs = {{0}, 50000, 0, 0};

    (void)state;
    for (int i = 0; i < 12; i++) {
        asks[i].entity = i < 4 ? GS_ENTITY_CLIENTS : GS_ENTITY_TIMELINE;
        asks[i].first = 100;
        asks[i].left = i < 4 ? 2 : 1;
    }
    costs.per_node[GS_ENTITY_CLIENTS] = 449;
    costs.per_node[GS_ENTITY_TIMELINE] = 30;
    picked = gs__pull_pick(chosen, asks, 12, 2000, &costs);
    /* a client page (44,900) leaves 100 of room: nothing else fits */
    assert_int_equal(picked, 1);
    assert_int_equal(asks[chosen[0]].entity, GS_ENTITY_CLIENTS);
    picked = gs__pull_pick(chosen, asks + 4, 8, 2000, &costs);
    assert_int_equal(picked, 8); /* 8 timeline pages: 24,000 */
    costs.per_node[GS_ENTITY_TIMELINE] = 0;
    assert_int_equal(gs__pull_pick(chosen, asks + 4, 8, 2000, &costs), 1);
    costs.limit = 0; /* no limit known: the node budget alone */
    assert_int_equal(gs__pull_pick(chosen, asks, 12, 2000, &costs), 12);
    assert_int_equal(gs__pull_pick(chosen, asks, 12, 2000, NULL), 12);
}

/* graphql-ruby's refusal read for its numbers, inside an error's text. */
static void test_cost_parse(void **state)
{
    double cost = 0, limit = 0;

    (void)state;
    assert_int_equal(gs__pull_cost_parse("request 3: clients 2: Query has "
                                         "complexity of 89812, which exceeds "
                                         "max complexity of 50000 (refused)",
                                         &cost, &limit),
                     1);
    assert_true(cost == 89812 && limit == 50000);
    cost = limit = -1;
    assert_int_equal(gs__pull_cost_parse("This query is too large to execute.",
                                         &cost, &limit),
                     0);
    assert_int_equal(gs__pull_cost_parse("Query has complexity of x, which "
                                         "exceeds max complexity of 5",
                                         &cost, &limit),
                     0);
    assert_int_equal(
        gs__pull_cost_parse("Query has complexity of 9", &cost, &limit), 0);
    assert_int_equal(gs__pull_cost_parse(NULL, &cost, &limit), 0);
    assert_true(cost == -1 && limit == -1);
}

/* One entity alone is measured; several share what the measured ones
 * leave; the clean runs probe a quarter higher once a week. */
static void test_cost_learn(void **state)
{
    gs_pull_costs costs = {{0}, 0, 0, 0};
    long long nodes[GS_ENTITY_COUNT] = {0};
    unsigned exact = 0;

    (void)state;
    /* clients 100 + appointments 200 + timeline 1000 refused at 50,000 */
    nodes[GS_ENTITY_CLIENTS] = 100;
    nodes[GS_ENTITY_APPOINTMENTS] = 200;
    nodes[GS_ENTITY_TIMELINE] = 1000;
    /* its parts asked by entity first: appointments alone was refused */
    {
        long long alone[GS_ENTITY_COUNT] = {0};

        alone[GS_ENTITY_APPOINTMENTS] = 200;
        gs__pull_cost_learn(&costs, alone, 69212, 50000, &exact);
    }
    assert_true(costs.limit == 50000);
    assert_true(costs.per_node[GS_ENTITY_APPOINTMENTS] == 69212.0 / 200);
    assert_int_equal(exact, 1u << GS_ENTITY_APPOINTMENTS);
    /* the whole: clients and timeline share 144,178 - 69,212 */
    gs__pull_cost_learn(&costs, nodes, 144178, 50000, &exact);
    assert_true(costs.per_node[GS_ENTITY_CLIENTS] == 74966.0 / 1100);
    assert_true(costs.per_node[GS_ENTITY_TIMELINE] == 74966.0 / 1100);
    assert_true(costs.per_node[GS_ENTITY_APPOINTMENTS] == 69212.0 / 200);
    /* the next night clients alone is refused: measured; the timeline
     * beside it, known, is scaled to what is left */
    exact = 0;
    {
        long long alone[GS_ENTITY_COUNT] = {0};

        alone[GS_ENTITY_CLIENTS] = 200;
        gs__pull_cost_learn(&costs, alone, 89812, 50000, &exact);
    }
    nodes[GS_ENTITY_APPOINTMENTS] = 0;
    gs__pull_cost_learn(&costs, nodes, 44906 + 30060, 50000, &exact);
    assert_true(costs.per_node[GS_ENTITY_CLIENTS] == 89812.0 / 200);
    assert_true(costs.per_node[GS_ENTITY_TIMELINE] > 30.05 &&
                costs.per_node[GS_ENTITY_TIMELINE] < 30.07);
    assert_true(gs__pull_cost_per_node(&costs, GS_ENTITY_PIANOS) ==
                89812.0 / 200);
    assert_true(gs__pull_cost_room(&costs) == 45000);
    /* the probe: after 7 clean runs, a quarter more, once */
    for (int run = 1; run < GS_PULL_COST_PROBE_RUNS; run++)
        gs__pull_cost_clean_run(&costs, 2000);
    assert_true(costs.limit == 50000);
    gs__pull_cost_clean_run(&costs, 2000);
    assert_true(costs.limit == 62500);
    assert_int_equal(costs.clean_runs, 0);
    /* a node cap (a refusal without numbers) grows the same way */
    costs.nodes = 1800;
    for (int run = 0; run < GS_PULL_COST_PROBE_RUNS; run++)
        gs__pull_cost_clean_run(&costs, 2000);
    assert_int_equal(costs.nodes, 0);
}

/* The part of a range larger than a page: up to the ceiling, the budget
 * and the learned cap, never below the page size; an explicit page size,
 * a range of a page or less and one of unknown size keep the page size. */
static void test_part_size(void **state)
{
    (void)state;
    assert_int_equal(gs__pull_part_size(100, 0, 365, 2000, 0),
                     GS_PULL_PAGE_CEILING);
    assert_int_equal(gs__pull_part_size(100, 0, 100, 2000, 0), 100);
    assert_int_equal(gs__pull_part_size(100, 0, 40, 2000, 0), 100);
    assert_int_equal(gs__pull_part_size(100, 0, -1, 2000, 0), 100);
    assert_int_equal(gs__pull_part_size(100, 1, 365, 2000, 0), 100);
    assert_int_equal(gs__pull_part_size(50, 1, 365, 2000, 0), 50);
    assert_int_equal(gs__pull_part_size(100, 0, 365, 150, 0), 150);
    assert_int_equal(gs__pull_part_size(100, 0, 365, 2000, 120), 120);
    assert_int_equal(gs__pull_part_size(100, 0, 365, 2000, 50), 100);
    assert_int_equal(gs__pull_part_size(300, 0, 1000, 2000, 0), 300);
}

/* A quiet night of the default business, as the cache cuts it: clients 10
 * ranges (one of 284 created on one day) and a census, pianos 14 ranges
 * (one of 365 on one day) and a census, the window in 10 sub-windows and a
 * census, the timeline's since read. Each range asks gs__pull_part_size's
 * first. Answered page by page, the night takes no more requests of at
 * most 2000 nodes than its two floors allow, the pages of the largest day
 * at that size and the night's nodes over the budget, and at most the 3
 * issue 13 asks. */
static void test_pick_a_quiet_night(void **state)
{
    gs_pull_ask asks[40];
    size_t chosen[40], n = 0;
    int requests = 0;
    long long most = 0, nodes = 0, floor;

    (void)state;
    for (int i = 0; i < 10; i++) {
        long long rows = i == 0 ? 284 : 85;
        int first = gs__pull_part_size(100, 0, rows, 2000, 0);

        asks[n++] =
            (gs_pull_ask){GS_ENTITY_CLIENTS, first, (rows + first - 1) / first};
    }
    asks[n++] = (gs_pull_ask){GS_ENTITY_CLIENTS, 1, 1};
    for (int i = 0; i < 14; i++) {
        long long rows = i == 0 ? 365 : 60;
        int first = gs__pull_part_size(100, 0, rows, 2000, 0);

        asks[n++] =
            (gs_pull_ask){GS_ENTITY_PIANOS, first, (rows + first - 1) / first};
    }
    asks[n++] = (gs_pull_ask){GS_ENTITY_PIANOS, 1, 1};
    for (int i = 0; i < 10; i++)
        asks[n++] = (gs_pull_ask){GS_ENTITY_APPOINTMENTS, 200, 1};
    asks[n++] = (gs_pull_ask){GS_ENTITY_APPOINTMENTS, 1, 1};
    asks[n++] = (gs_pull_ask){GS_ENTITY_TIMELINE, 200, 1};
    for (size_t i = 0; i < n; i++) {
        most = asks[i].left > most ? asks[i].left : most;
        nodes += asks[i].first * asks[i].left;
    }
    floor = (nodes + 1999) / 2000;
    floor = most > floor ? most : floor;
    while (n > 0 && requests < 100) {
        size_t picked = gs__pull_pick(chosen, asks, n, 2000, NULL);
        char done[40] = {0};
        size_t kept = 0;

        requests++;
        assert_true(picked == 1 || nodes_of(asks, chosen, picked, -1) <= 2000);
        for (size_t k = 0; k < picked; k++)
            done[chosen[k]] = --asks[chosen[k]].left == 0;
        for (size_t i = 0; i < n; i++)
            if (!done[i])
                asks[kept++] = asks[i];
        n = kept;
    }
    assert_int_equal(requests, floor);
    assert_int_equal(most,
                     (365 + GS_PULL_PAGE_CEILING - 1) / GS_PULL_PAGE_CEILING);
    assert_true(requests <= 3);
}

/* One page of @nodes nodes with more to follow, after cursor @cursor. */
static int answer(gs_pull_totals *t, int nodes, long long total, int asked,
                  int cursor)
{
    char name[16];
    gs_gazelle_page page = {json_array(), name, 1, total};
    int rc;

    snprintf(name, sizeof name, "c%d", cursor);
    for (int i = 0; i < nodes; i++)
        json_array_append_new(page.nodes, json_object());
    t->page++;
    rc = gs__pull_check_progress(t, &page, asked, "pianos page");
    json_decref(page.nodes);
    return rc;
}

/* A service that clamps first: 200 to 100 is paged on at 100 a page, not
 * refused as paging forever; one that pages past its count still is. */
static void test_progress_at_the_size_answered(void **state)
{
    gs_pull_totals t = {0};
    int rc = GS_OK;

    (void)state;
    t.cursors = json_object();
    /* 600 rows: 6 pages of 100, over the 3 + 2 that pages of 200 allow */
    for (int page = 1; page <= 6 && rc == GS_OK; page++)
        rc = answer(&t, 100, 600, 200, page);
    assert_int_equal(rc, GS_OK);
    assert_int_equal(t.page_min, 100);
    /* past 6 + 2 pages of 100: still refused */
    rc = answer(&t, 100, 600, 200, 7);
    assert_int_equal(rc, GS_OK);
    rc = answer(&t, 100, 600, 200, 8);
    assert_int_equal(rc, GS_OK);
    rc = answer(&t, 100, 600, 200, 9);
    assert_int_equal(rc, GS_EPROTO);
    json_decref(t.cursors);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pick_keeps_the_budget_and_fills_it),
        cmocka_unit_test(test_pick_order),
        cmocka_unit_test(test_pick_costs),
        cmocka_unit_test(test_cost_parse),
        cmocka_unit_test(test_cost_learn),
        cmocka_unit_test(test_part_size),
        cmocka_unit_test(test_pick_a_quiet_night),
        cmocka_unit_test(test_progress_at_the_size_answered),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

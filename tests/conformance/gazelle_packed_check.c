/* The packed requests of engine/gazelle/gazelle_packed.c (issue 13) against
 * a real gazelle-sim, for tests/conformance/test_gazelle_packed.sh:
 *
 *   gazelle_packed_check equal URL ALONE DAY
 *                                         packed answers (from URL) = the
 *                                         same pages asked alone (from
 *                                         ALONE), field by field
 *   gazelle_packed_check cost URL DAY     (a simulator with
 *                                         --max-complexity 1) prints the
 *                                         largest complexity of one part
 *                                         and that of the packed request
 *   gazelle_packed_check docs DIR DAY     writes part<i>.graphql and
 *                                         packed.graphql, to count tokens
 *   gazelle_packed_check limit URL DAY    (a simulator with a limit between
 *                                         the two) the packed request is
 *                                         GS_ETOOBIG, its parts one by one
 *                                         pass
 *
 * URL is the simulator's base URL. ALONE is a second simulator started with
 * the same flags, so with the same data, cursors and answers: the pages
 * asked alone go there, and URL's --log-requests holds the packed documents
 * only (a timeline type group asked alone would rightly fail the check
 * that every read names every type). DAY a creation day of clients that cuts
 * them in two ranges (clients created on or before it, on or after it).
 * The parts are the same in every mode: two ranges of clients, one window
 * of events, two groups of timeline types (the "ranges" set), and in the
 * equal mode also one page of every entity, and second pages at a cursor.
 * Exit status 0 when every check held; each failed check is printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazsync/error.h"
#include "gazsync/gazelle.h"

#define MAX_PARTS 8

static int failures;

static void failf(const char *what, const char *detail)
{
    failures++;
    printf("FAIL %s: %s\n", what, detail);
}

typedef struct {
    gs_gazelle_part parts[MAX_PARTS];
    size_t n;
    const char *name;
} part_set;

static void set_free(part_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        json_decref(set->parts[i].variables);
    set->n = 0;
}

/* Adds a part of @p id with @p vars (taken), every value of its enum
 * filters in its filters or variables, as gazsync asks them. */
static json_t *add(part_set *set, gs_entity_id id, json_t *vars)
{
    const gs_entity *entity = gs_entity_get(id);
    json_t *filters = json_object_get(vars, "filters");

    if (!vars || set->n == MAX_PARTS ||
        gs_gazelle_add_all_values(vars, filters, entity) != 0) {
        fprintf(stderr, "gazelle_packed_check: cannot build a part\n");
        exit(2);
    }
    set->parts[set->n].entity = entity;
    set->parts[set->n].variables = vars;
    set->n++;
    return vars;
}

static json_t *clients(int first, const char *filter, const char *day)
{
    return json_pack("{s:i,s:i,s:[s],s:{s:s}}", "first", first, "contactsFirst",
                     3, "sortBy", "CREATED_AT_ASC", "filters", filter, day);
}

/* The timeline's types, the first half or the rest: two groups that
 * together are every type. */
static json_t *timeline_group(int first, int second_half)
{
    const gs_entity *timeline = gs_entity_get(GS_ENTITY_TIMELINE);
    json_t *vars = json_pack("{s:i}", "first", first);
    json_t *types = json_array();
    size_t n = 0;

    for (const char *const *v = timeline->all_values[0].values; *v; v++)
        n++;
    for (size_t i = 0; i < n; i++)
        if ((i >= n / 2) == second_half)
            json_array_append_new(
                types, json_string(timeline->all_values[0].values[i]));
    json_object_set_new(vars, "types", types);
    return vars;
}

/* Two ranges of clients cut at @p day, a window of events around the
 * simulator's clock, two groups of timeline types. The timeline's types
 * are set after add() gave every value, so each group keeps its half. */
static void ranges_set(part_set *set, const char *day)
{
    json_t *events;

    set->name = "ranges";
    add(set, GS_ENTITY_CLIENTS, clients(20, "createdLet", day));
    add(set, GS_ENTITY_CLIENTS, clients(20, "createdGet", day));
    events = json_pack("{s:i,s:i,s:[s],s:{s:s,s:s}}", "first", 20,
                       "pianosFirst", 50, "sortBy", "START_ASC", "filters",
                       "startOn", "2026-11-01", "endOn", "2027-01-31");
    add(set, GS_ENTITY_APPOINTMENTS, events);
    for (int half = 0; half < 2; half++) {
        json_t *group = timeline_group(20, half);
        json_t *types = json_incref(json_object_get(group, "types"));

        add(set, GS_ENTITY_TIMELINE, group);
        json_object_set_new(group, "types", types);
    }
}

static void mixed_set(part_set *set)
{
    set->name = "mixed";
    add(set, GS_ENTITY_CLIENTS,
        json_pack("{s:i,s:i,s:[s],s:{}}", "first", 7, "contactsFirst", 2,
                  "sortBy", "CREATED_AT_ASC", "filters"));
    add(set, GS_ENTITY_PIANOS,
        json_pack("{s:i,s:[s],s:{}}", "first", 7, "sortBy", "CREATED_AT_ASC",
                  "filters"));
    add(set, GS_ENTITY_APPOINTMENTS,
        json_pack("{s:i,s:i,s:[s],s:{}}", "first", 7, "pianosFirst", 50,
                  "sortBy", "START_ASC", "filters"));
    add(set, GS_ENTITY_TIMELINE, json_pack("{s:i}", "first", 7));
    add(set, GS_ENTITY_USERS, json_object());
}

/* ---- comparing answers ----------------------------------------------- */

/* Compares @p got with @p want field by field; the first difference is a
 * failure naming its path. */
static int same(const json_t *got, const json_t *want, const char *path,
                const char *what)
{
    char sub[512], detail[1024];
    const char *key;
    json_t *value;
    size_t i;

    if (json_typeof(got) != json_typeof(want)) {
        snprintf(detail, sizeof detail, "%s: not the same kind of value", path);
        failf(what, detail);
        return 0;
    }
    if (json_is_object(want)) {
        if (json_object_size(got) != json_object_size(want)) {
            snprintf(detail, sizeof detail, "%s: %zu fields, alone %zu", path,
                     json_object_size(got), json_object_size(want));
            failf(what, detail);
            return 0;
        }
        json_object_foreach((json_t *)want, key, value)
        {
            snprintf(sub, sizeof sub, "%s.%s", path, key);
            if (!json_object_get(got, key)) {
                snprintf(detail, sizeof detail, "%s is missing", sub);
                failf(what, detail);
                return 0;
            }
            if (!same(json_object_get(got, key), value, sub, what))
                return 0;
        }
        return 1;
    }
    if (json_is_array(want)) {
        if (json_array_size(got) != json_array_size(want)) {
            snprintf(detail, sizeof detail, "%s: %zu items, alone %zu", path,
                     json_array_size(got), json_array_size(want));
            failf(what, detail);
            return 0;
        }
        json_array_foreach((json_t *)want, i, value)
        {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (!same(json_array_get(got, i), value, sub, what))
                return 0;
        }
        return 1;
    }
    if (!json_equal((json_t *)got, (json_t *)want)) {
        snprintf(detail, sizeof detail, "%s differs", path);
        failf(what, detail);
        return 0;
    }
    return 1;
}

static gs_gazelle *connect_to(gs_http **http, const char *base)
{
    char api_url[512];
    gs_http_opts hopts = {.max_attempts = 1, .label = "gazelle"};
    gs_gazelle_opts gopts = {.api_url = api_url};
    gs_gazelle *client = NULL;

    snprintf(api_url, sizeof api_url, "%s/graphql/private/", base);
    if (gs_http_new(http, &hopts) != GS_OK ||
        gs_gazelle_new(&client, *http, &gopts) != GS_OK) {
        fprintf(stderr, "gazelle_packed_check: %s\n", gs_error_last()->message);
        exit(2);
    }
    return client;
}

/* Part @p i of @p set asked alone, with the entity's own document. */
static json_t *alone(gs_gazelle *client, const part_set *set, size_t i)
{
    const gs_gazelle_part *part = &set->parts[i];
    json_t *data = NULL;
    char what[128];

    snprintf(what, sizeof what, "%s part %zu (%s) alone", set->name, i,
             part->entity->name);
    if (gs_gazelle_query(&data, client, gs_gazelle_document(part->entity),
                         part->variables, what) != GS_OK)
        failf(what, gs_error_last()->message);
    return data;
}

/* Asks @p set packed, then each part alone (of @p single), and compares.
 * Keeps the packed answers in @p answers (NULL: drops them). */
static void check_equal(gs_gazelle *client, gs_gazelle *single, part_set *set,
                        json_t **answers)
{
    json_t *got[MAX_PARTS];
    char what[128];

    snprintf(what, sizeof what, "%s: %zu parts packed", set->name, set->n);
    if (gs_gazelle_query_packed(got, client, set->parts, set->n, what) !=
        GS_OK) {
        failf(what, gs_error_last()->message);
        return;
    }
    for (size_t i = 0; i < set->n; i++) {
        const char *root = set->parts[i].entity->root_field;
        json_t *want = alone(single, set, i);
        gs_gazelle_page page;

        snprintf(what, sizeof what, "%s part %zu (%s)", set->name, i,
                 set->parts[i].entity->name);
        if (want)
            same(json_object_get(got[i], root), json_object_get(want, root),
                 root, what);
        /* and the page reader reads it: a part that is empty proves
         * nothing */
        if (gs_gazelle_page_parse(&page, got[i], root) != GS_OK)
            failf(what, gs_error_last()->message);
        else if (json_array_size(page.nodes) == 0)
            failf(what, "no nodes: the check compared nothing");
        gs_gazelle_page_free(&page);
        json_decref(want);
        if (answers)
            answers[i] = got[i];
        else
            json_decref(got[i]);
    }
    printf("%s: %zu parts, each equal to its page asked alone\n", set->name,
           set->n);
}

/* Second pages: each part of @p first again, from its end cursor. */
static void check_next_pages(gs_gazelle *client, gs_gazelle *single,
                             part_set *first, json_t **answers)
{
    part_set next = {.name = "next pages"};

    for (size_t i = 0; i < first->n; i++) {
        gs_gazelle_page page;
        const gs_gazelle_part *part = &first->parts[i];

        if (gs_gazelle_page_parse(&page, answers[i],
                                  part->entity->root_field) == GS_OK &&
            page.has_next_page && page.end_cursor) {
            json_t *vars = json_deep_copy(part->variables);

            json_object_set_new(vars, "after", json_string(page.end_cursor));
            next.parts[next.n].entity = part->entity;
            next.parts[next.n++].variables = vars;
        }
        gs_gazelle_page_free(&page);
    }
    if (next.n < 2)
        failf("next pages", "fewer than 2 parts have a next page");
    else
        check_equal(client, single, &next, NULL);
    set_free(&next);
}

static int mode_equal(const char *base, const char *alone_base, const char *day)
{
    gs_http *http = NULL, *single_http = NULL;
    gs_gazelle *client = connect_to(&http, base);
    gs_gazelle *single = connect_to(&single_http, alone_base);
    part_set mixed = {0}, ranges = {0};
    json_t *answers[MAX_PARTS] = {0};

    mixed_set(&mixed);
    check_equal(client, single, &mixed, NULL);
    ranges_set(&ranges, day);
    check_equal(client, single, &ranges, answers);
    if (answers[0])
        check_next_pages(client, single, &ranges, answers);
    for (size_t i = 0; i < MAX_PARTS; i++)
        json_decref(answers[i]);
    set_free(&mixed);
    set_free(&ranges);
    gs_gazelle_free(single);
    gs_gazelle_free(client);
    gs_http_free(single_http);
    gs_http_free(http);
    return failures ? 1 : 0;
}

/* ---- limits ---------------------------------------------------------- */

/* The complexity the simulator's refusal names; -1 when it is not one. */
static long long refused_complexity(int rc)
{
    const char *at = strstr(gs_error_last()->message, "complexity of ");
    long long c = -1;

    if (rc != GS_ETOOBIG || !at || sscanf(at, "complexity of %lld", &c) != 1)
        return -1;
    return c;
}

static int mode_cost(const char *base, const char *day)
{
    gs_http *http = NULL;
    gs_gazelle *client = connect_to(&http, base);
    part_set set = {0};
    json_t *answers[MAX_PARTS];
    long long largest = 0, packed;

    ranges_set(&set, day);
    for (size_t i = 0; i < set.n; i++) {
        long long c = refused_complexity(gs_gazelle_query_packed(
            answers, client, &set.parts[i], 1, "one part"));

        if (c < 0)
            failf("cost of one part", gs_error_last()->message);
        if (c > largest)
            largest = c;
    }
    packed = refused_complexity(
        gs_gazelle_query_packed(answers, client, set.parts, set.n, "packed"));
    if (packed < 0)
        failf("cost of the packed request", gs_error_last()->message);
    printf("%lld %lld\n", largest, packed);
    set_free(&set);
    gs_gazelle_free(client);
    gs_http_free(http);
    return failures ? 1 : 0;
}

static void write_file(const char *dir, const char *name, char *text)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f || !text || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "gazelle_packed_check: cannot write %s\n", path);
        exit(2);
    }
    free(text);
}

static int mode_docs(const char *dir, const char *day)
{
    part_set set = {0};
    char name[64];

    ranges_set(&set, day);
    for (size_t i = 0; i < set.n; i++) {
        snprintf(name, sizeof name, "part%zu.graphql", i);
        write_file(dir, name, gs_gazelle_packed_document(&set.parts[i], 1));
    }
    write_file(dir, "packed.graphql",
               gs_gazelle_packed_document(set.parts, set.n));
    set_free(&set);
    return 0;
}

static int mode_limit(const char *base, const char *day)
{
    gs_http *http = NULL;
    gs_gazelle *client = connect_to(&http, base);
    part_set set = {0};
    json_t *answers[MAX_PARTS];
    int rc;

    ranges_set(&set, day);
    rc = gs_gazelle_query_packed(answers, client, set.parts, set.n,
                                 "request 1: clients 2, appointments 1, "
                                 "timeline 2");
    if (rc != GS_ETOOBIG)
        failf("the packed request over the limit",
              rc == GS_OK ? "passed" : gs_error_last()->message);
    else if (!strstr(gs_error_last()->message, "request 1: clients 2"))
        failf("the refusal does not name the request",
              gs_error_last()->message);
    for (size_t i = 0; i < set.n; i++) {
        char what[64];
        gs_gazelle_page page;

        snprintf(what, sizeof what, "part %zu (%s) alone", i,
                 set.parts[i].entity->name);
        rc = gs_gazelle_query_packed(answers, client, &set.parts[i], 1, what);
        if (rc != GS_OK) {
            failf(what, gs_error_last()->message);
            continue;
        }
        if (gs_gazelle_page_parse(&page, answers[0],
                                  set.parts[i].entity->root_field) != GS_OK ||
            json_array_size(page.nodes) == 0)
            failf(what, "no page");
        gs_gazelle_page_free(&page);
        json_decref(answers[0]);
    }
    if (!failures)
        printf("over the limit: GS_ETOOBIG; its %zu parts one by one: ok\n",
               set.n);
    set_free(&set);
    gs_gazelle_free(client);
    gs_http_free(http);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "equal") == 0)
        return mode_equal(argv[2], argv[3], argv[4]);
    if (argc == 4 && strcmp(argv[1], "cost") == 0)
        return mode_cost(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "docs") == 0)
        return mode_docs(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "limit") == 0)
        return mode_limit(argv[2], argv[3]);
    fprintf(stderr, "usage: gazelle_packed_check equal URL ALONE DAY | "
                    "cost|limit URL DAY | docs DIR DAY\n");
    return 2;
}

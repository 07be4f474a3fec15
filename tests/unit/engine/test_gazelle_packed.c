/* The packed documents of engine/gazelle/gazelle_queries.c (issue 13): the
 * text and the variables. The request itself (gazelle_packed.c: the answer
 * split into pages, which failures are GS_ETOOBIG) is tested against the
 * local test server in test_gazelle_client.c, and against gazelle-sim and
 * graphql-js by tests/conformance/test_gazelle_packed.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazsync/error.h"
#include "gazsync/gazelle.h"

static const gs_entity *E(gs_entity_id id)
{
    return gs_entity_get(id);
}

/* ---- the document ---------------------------------------------------- */

/* @p text with every occurrence of @p from replaced by @p to (malloc'd). */
static char *replace_all(const char *text, const char *from, const char *to)
{
    size_t n = 0, lf = strlen(from), lt = strlen(to);
    const char *p;
    char *out, *w;

    for (p = text; (p = strstr(p, from)); p += lf)
        n++;
    out = malloc(strlen(text) + n * lt + 1);
    assert_non_null(out);
    for (w = out, p = text;;) {
        const char *hit = strstr(p, from);
        size_t run = hit ? (size_t)(hit - p) : strlen(p);

        memcpy(w, p, run);
        w += run;
        if (!hit)
            break;
        memcpy(w, to, lt);
        w += lt;
        p = hit + lf;
    }
    *w = '\0';
    return out;
}

/* What a one-part packed document must be, derived from the single
 * document of @p entity: the operation GazsyncPacked, every variable
 * $p0_<name>, the root field under the alias p0. */
static char *expected_one_part(const gs_entity *entity)
{
    char op[128], root[128], aliased[128];
    char *a, *b, *c;

    snprintf(op, sizeof op, "query %s", entity->document.operation);
    snprintf(root, sizeof root, "\n  %s", entity->root_field);
    snprintf(aliased, sizeof aliased, "\n  p0: %s", entity->root_field);
    a = replace_all(gs_gazelle_document(entity), op, "query GazsyncPacked");
    b = replace_all(a, "$", "$p0_");
    c = replace_all(b, root, aliased);
    free(a);
    free(b);
    return c;
}

static void test_packed_one_part_is_the_single_document_renamed(void **state)
{
    const gs_entity *order[GS_ENTITY_COUNT];
    size_t n = gs_entity_pull_order(order);

    (void)state;
    assert_int_equal(n, GS_ENTITY_COUNT - 1); /* all but contacts */
    for (size_t i = 0; i < n; i++) {
        gs_gazelle_part part = {order[i], NULL};
        char *doc = gs_gazelle_packed_document(&part, 1);
        char *want = expected_one_part(order[i]);

        assert_non_null(doc);
        if (strcmp(doc, want) != 0)
            fail_msg("%s: packed document\n%s\nis not\n%s", order[i]->name, doc,
                     want);
        free(doc);
        free(want);
    }
}

/* The names after each '$' in @p text from @p from to @p to, as a list of
 * "name\n" lines. */
static void collect_vars(char *out, size_t size, const char *from,
                         const char *to)
{
    size_t len = 0;

    out[0] = '\0';
    for (const char *p = from; p < to && (p = memchr(p, '$', to - p)); p++) {
        const char *end = p + 1;

        while (isalnum((unsigned char)*end) || *end == '_')
            end++;
        len += (size_t)snprintf(out + len, size - len, "%.*s\n",
                                (int)(end - p - 1), p + 1);
        assert_true(len < size);
    }
}

/* Every variable declared once, and declared exactly when used: graphql-js's
 * NoUnusedVariables, NoUndefinedVariables and UniqueVariableNames, so that
 * this unit test fails where the conformance test would. */
static void assert_variables_declared_and_used(const char *doc)
{
    const char *open = strchr(doc, '(');
    const char *body = strstr(doc, ") {\n");
    static char declared[8192], used[8192];
    char line[128];

    assert_non_null(open);
    assert_non_null(body);
    assert_true(open < body);
    collect_vars(declared, sizeof declared, open, body);
    collect_vars(used, sizeof used, body, doc + strlen(doc));
    for (const char *d = declared; *d; d = strchr(d, '\n') + 1) {
        size_t len = (size_t)(strchr(d, '\n') - d);
        snprintf(line, sizeof line, "\n%.*s\n", (int)len, d);
        /* declared once */
        assert_null(strstr(strstr(declared, d) + len, line));
        /* used somewhere (the list starts without a newline) */
        if (strncmp(used, line + 1, len + 1) != 0 && !strstr(used, line))
            fail_msg("$%.*s is declared and never used", (int)len, d);
    }
    for (const char *u = used; *u; u = strchr(u, '\n') + 1) {
        size_t len = (size_t)(strchr(u, '\n') - u);
        snprintf(line, sizeof line, "\n%.*s\n", (int)len, u);
        if (strncmp(declared, line + 1, len + 1) != 0 &&
            !strstr(declared, line))
            fail_msg("$%.*s is used and never declared", (int)len, u);
    }
}

static void test_packed_two_ranges_of_one_entity(void **state)
{
    gs_gazelle_part parts[2] = {{E(GS_ENTITY_CLIENTS), NULL},
                                {E(GS_ENTITY_CLIENTS), NULL}};
    char *doc = gs_gazelle_packed_document(parts, 2);
    const char *p0, *p1;
    char *p0_body, *p1_as_p0;

    (void)state;
    assert_non_null(doc);
    assert_variables_declared_and_used(doc);
    p0 = strstr(doc, "\n  p0: allClients(first: $p0_first, after: $p0_after");
    p1 = strstr(doc, "\n  p1: allClients(first: $p1_first, after: $p1_after");
    assert_non_null(p0);
    assert_non_null(p1);
    assert_true(p0 < p1);
    /* each part's nested contacts page has its own size variable */
    assert_non_null(strstr(doc, "$p0_contactsFirst: Int"));
    assert_non_null(strstr(doc, "$p1_contactsFirst: Int"));
    assert_non_null(strstr(p1, "allContacts(first: $p1_contactsFirst, "
                               "includeArchived: true)"));
    /* the two bodies are the same but for their names */
    p0_body = strndup(p0, (size_t)(p1 - p0));
    p1_as_p0 = replace_all(p1, "p1", "p0");
    assert_non_null(p0_body);
    assert_int_equal(strncmp(p1_as_p0, p0_body, strlen(p0_body)), 0);
    assert_string_equal(p1_as_p0 + strlen(p0_body), "\n}\n");
    free(p0_body);
    free(p1_as_p0);
    free(doc);
}

static void test_packed_mixed_parts(void **state)
{
    gs_gazelle_part parts[5] = {
        {E(GS_ENTITY_CLIENTS), NULL},      {E(GS_ENTITY_PIANOS), NULL},
        {E(GS_ENTITY_APPOINTMENTS), NULL}, {E(GS_ENTITY_TIMELINE), NULL},
        {E(GS_ENTITY_USERS), NULL},
    };
    char *doc = gs_gazelle_packed_document(parts, 5);
    const char *at = NULL;
    char alias[64];

    (void)state;
    assert_non_null(doc);
    assert_true(strncmp(doc, "query GazsyncPacked($p0_first: Int, ", 36) == 0);
    assert_variables_declared_and_used(doc);
    for (size_t i = 0; i < 5; i++) {
        const char *next;

        snprintf(alias, sizeof alias, "\n  p%zu: %s%s", i,
                 parts[i].entity->root_field,
                 parts[i].entity->shape == GS_READ_LIST ? " {\n" : "(");
        next = strstr(doc, alias);
        if (!next)
            fail_msg("no \"%s\" in\n%s", alias + 1, doc);
        assert_true(!at || next > at); /* in the parts' order */
        at = next;
    }
    /* the events' inner list of pianos is sized per part */
    assert_non_null(strstr(doc, "$p2_pianosFirst: Int"));
    assert_non_null(strstr(doc, "allEventPianos(first: $p2_pianosFirst)"));
    assert_non_null(strstr(doc, "$p3_types: [TimelineEntryType!]"));
    /* users take no arguments and declare nothing */
    assert_null(strstr(doc, "$p4_"));
    /* no name of a single document is left */
    assert_null(strstr(doc, "$first"));
    assert_null(strstr(doc, "$contactsFirst"));
    free(doc);
}

static void test_packed_document_refuses_what_has_no_read(void **state)
{
    gs_gazelle_part parts[2] = {{E(GS_ENTITY_CLIENTS), NULL},
                                {E(GS_ENTITY_CONTACTS), NULL}};
    gs_gazelle_part none = {NULL, NULL};

    (void)state;
    assert_null(gs_gazelle_packed_document(parts, 0));
    assert_null(gs_gazelle_packed_document(NULL, 1));
    assert_null(gs_gazelle_packed_document(parts, 2)); /* contacts */
    assert_null(gs_gazelle_packed_document(&none, 1));
    assert_non_null(parts[0].entity);
}

/* Each variable of @p part is in @p vars as p<i>_<name>, unchanged. */
static void assert_renamed(json_t *vars, json_t *part, size_t i)
{
    const char *key;
    json_t *value;
    char name[64];

    json_object_foreach(part, key, value)
    {
        snprintf(name, sizeof name, "p%zu_%s", i, key);
        if (!json_equal(json_object_get(vars, name), value))
            fail_msg("no %s, or not the part's %s", name, key);
    }
}

static void test_packed_variables_renamed(void **state)
{
    json_t *a = json_pack("{s:i,s:s,s:{s:s,s:s},s:i}", "first", 200, "after",
                          "cur1", "filters", "createdGet", "2024-01-01",
                          "createdLet", "2024-06-30", "contactsFirst", 50);
    json_t *b = json_pack("{s:i,s:[s]}", "first", 10, "types", "INVOICE");
    json_t *users = json_object();
    gs_gazelle_part parts[3] = {{E(GS_ENTITY_CLIENTS), a},
                                {E(GS_ENTITY_USERS), users},
                                {E(GS_ENTITY_TIMELINE), b}};
    json_t *vars = gs_gazelle_packed_variables(parts, 3);

    (void)state;
    assert_non_null(vars);
    assert_int_equal(json_object_size(vars),
                     json_object_size(a) + json_object_size(b));
    assert_renamed(vars, a, 0);
    assert_renamed(vars, b, 2);
    assert_null(json_object_get(vars, "first"));
    json_decref(vars);
    /* variables that are not an object are refused, not dropped */
    parts[1].variables = json_array();
    assert_null(gs_gazelle_packed_variables(parts, 3));
    json_decref(parts[1].variables);
    json_decref(users);
    json_decref(a);
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packed_one_part_is_the_single_document_renamed),
        cmocka_unit_test(test_packed_two_ranges_of_one_entity),
        cmocka_unit_test(test_packed_mixed_parts),
        cmocka_unit_test(test_packed_document_refuses_what_has_no_read),
        cmocka_unit_test(test_packed_variables_renamed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

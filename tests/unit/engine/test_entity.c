/* engine/entity: the descriptor table is consistent with itself, and what
 * the other layers build from it (the pull order, the documents' variables,
 * the default policies) follows it. An entity added to the table is checked
 * here without a line of this file changing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazsync/config.h"
#include "gazsync/entity.h"
#include "gazsync/error.h"
#include "gazsync/gazelle.h"

static const gs_entity *entity_at(int i)
{
    const gs_entity *e = gs_entity_get((gs_entity_id)i);

    assert_non_null(e);
    return e;
}

static void assert_unique(const char *what, const char *a, const char *b,
                          const char *name)
{
    if (a && b && strcmp(a, b) == 0)
        fail_msg("%s '%s' is used twice (%s)", what, a, name);
}

static void test_entity_table_is_indexed_by_id_and_names_are_unique(void **st)
{
    (void)st;
    assert_null(gs_entity_get(GS_ENTITY_COUNT));
    assert_null(gs_entity_get((gs_entity_id)-1));
    assert_null(gs_entity_find("no_such_entity"));
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_entity *e = entity_at(i);

        assert_int_equal(e->id, i);
        assert_ptr_equal(gs_entity_find(e->name), e);
        assert_non_null(e->cache_table);
        assert_non_null(e->target_table);
        assert_non_null(e->node_type);
        assert_non_null(e->updated_path);
        assert_non_null(e->default_policy);
        if (e->root_field)
            assert_ptr_equal(gs_entity_by_root(e->root_field), e);
        for (int j = i + 1; j < GS_ENTITY_COUNT; j++) {
            const gs_entity *o = entity_at(j);

            assert_unique("name", e->name, o->name, o->name);
            assert_unique("cache table", e->cache_table, o->cache_table,
                          o->name);
            assert_unique("target table", e->target_table, o->target_table,
                          o->name);
            assert_unique("root field", e->root_field, o->root_field, o->name);
            assert_unique("operation", e->document.operation,
                          o->document.operation, o->name);
        }
    }
}

static void
test_entity_columns_are_keyed_unique_and_refer_to_entities(void **st)
{
    (void)st;
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_entity *e = entity_at(i);

        assert_true(e->n_columns > 1);
        assert_true(e->n_columns <= GS_MAX_COLUMNS);
        assert_string_equal(e->columns[0].name, "id");
        assert_string_equal(e->columns[0].path, "id");
        for (size_t c = 0; c < e->n_columns; c++) {
            const gs_column *col = &e->columns[c];

            assert_non_null(col->path);
            if (col->refers && !gs_entity_find(col->refers))
                fail_msg("%s.%s refers to '%s', which is no entity", e->name,
                         col->name, col->refers);
            for (size_t d = c + 1; d < e->n_columns; d++)
                assert_unique("column", col->name, e->columns[d].name, e->name);
        }
        /* the stamp the high-water mark follows is a mapped timestamp */
        int stamp = 0;
        for (size_t c = 0; c < e->n_columns; c++)
            stamp |= strcmp(e->columns[c].path, e->updated_path) == 0 &&
                     e->columns[c].type == GS_COL_TIMESTAMP;
        if (!stamp)
            fail_msg("%s: updated_path %s is not a timestamp column", e->name,
                     e->updated_path);
    }
}

static void test_entity_nested_entities_name_their_parent(void **st)
{
    int nested = 0;

    (void)st;
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_entity *e = entity_at(i);
        const gs_entity *parent;
        int key = 0;

        if (e->shape != GS_READ_NESTED) {
            assert_non_null(e->root_field);
            continue;
        }
        nested++;
        assert_null(e->root_field);
        parent = gs_entity_get(e->parent);
        assert_non_null(parent);
        assert_int_not_equal(parent->shape, GS_READ_NESTED);
        assert_ptr_equal(gs_entity_child(parent), e);
        assert_non_null(e->nested_field);
        assert_non_null(e->document.root);
        /* the pull writes the parent's id under parent_key: a column maps
         * it, and that column refers to the parent */
        for (size_t c = 0; c < e->n_columns; c++)
            if (strcmp(e->columns[c].path, e->parent_key) == 0) {
                key = 1;
                assert_non_null(e->columns[c].refers);
                assert_string_equal(e->columns[c].refers, parent->name);
            }
        assert_true(key);
    }
    assert_true(nested > 0); /* contacts */
    assert_null(gs_entity_child(gs_entity_get(GS_ENTITY_USERS)));
}

static int position(const gs_entity *const *order, size_t n, const gs_entity *e)
{
    if (e->shape == GS_READ_NESTED)
        e = gs_entity_get(e->parent);
    for (size_t i = 0; i < n; i++)
        if (order[i] == e)
            return (int)i;
    return -1;
}

static void test_entity_pull_order_puts_what_is_named_first(void **st)
{
    const gs_entity *order[GS_ENTITY_COUNT];
    size_t n = gs_entity_pull_order(order);
    size_t own = 0;

    (void)st;
    assert_true(n > 0); /* no reference cycle */
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_entity *e = entity_at(i);
        int at = position(order, n, e);

        own += e->shape != GS_READ_NESTED;
        assert_true(at >= 0);
        if (e->shape == GS_READ_NESTED)
            continue;
        /* each entity pulled after every entity its columns name */
        for (int j = 0; j < GS_ENTITY_COUNT; j++) {
            const gs_entity *named = entity_at(j);
            int named_at = position(order, n, named);

            if (gs_entity_refers(e, named) && named_at != at && named_at > at)
                fail_msg("%s is pulled before %s, which it names", e->name,
                         named->name);
        }
    }
    assert_int_equal(n, own); /* each own read once, nested ones not */
    /* users before what names them: appointments name technicians */
    assert_true(gs_entity_refers(gs_entity_get(GS_ENTITY_APPOINTMENTS),
                                 gs_entity_get(GS_ENTITY_USERS)));
    assert_ptr_equal(order[0], gs_entity_get(GS_ENTITY_USERS));
}

/* Whether the document declares "$<name>:". */
static int declares(const char *doc, const char *name)
{
    char want[80];

    snprintf(want, sizeof want, "$%s:", name);
    return strstr(doc, want) != NULL;
}

static void test_entity_documents_declare_what_the_reads_send(void **st)
{
    (void)st;
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_entity *e = entity_at(i);
        const gs_entity_reads *r = &e->reads;
        const gs_entity *child = gs_entity_child(e);
        char *doc = gs_gazelle_document_build(e);
        char *again = gs_gazelle_document_build(e);
        char head[120];
        int filters = r->created_filter || r->window_from;

        assert_non_null(doc);
        /* a plain function of the descriptor */
        assert_string_equal(doc, again);
        snprintf(head, sizeof head, "query %s", e->document.operation);
        assert_true(strncmp(doc, head, strlen(head)) == 0);
        if (e->shape == GS_READ_NESTED)
            assert_null(gs_gazelle_document(e));
        else
            assert_string_equal(gs_gazelle_document(e), doc);
        if (e->shape == GS_READ_NESTED)
            assert_string_equal(gs_gazelle_contacts_document(), doc);
        else
            assert_non_null(strstr(doc, e->root_field));
        if (e->shape == GS_READ_CONNECTION || e->shape == GS_READ_NESTED) {
            assert_true(declares(doc, "first"));
            assert_true(declares(doc, "after"));
            assert_non_null(strstr(doc, "pageInfo { hasNextPage endCursor }"));
        } else {
            assert_false(declares(doc, "first"));
        }
        if (r->sort_whole || r->sort_new_rows)
            assert_true(declares(doc, "sortBy"));
        if (r->since_variable)
            assert_true(declares(doc, r->since_variable));
        if (r->inner_first_variable)
            assert_true(declares(doc, r->inner_first_variable));
        if (child && child->nested_first_variable)
            assert_true(declares(doc, child->nested_first_variable));
        if (child)
            assert_non_null(strstr(doc, child->nested_field));
        for (size_t f = 0; f < 2; f++) {
            const gs_enum_filter *ef = &e->all_values[f];

            if (!ef->key)
                continue;
            assert_non_null(ef->values);
            assert_non_null(ef->values[0]);
            filters |= ef->in_filters;
            if (!ef->in_filters)
                assert_true(declares(doc, ef->key));
        }
        assert_int_equal(declares(doc, "filters"), filters);
        free(doc);
        free(again);
    }
    assert_null(gs_gazelle_document_build(NULL));
}

static void test_entity_all_values_go_where_the_descriptor_says(void **st)
{
    (void)st;
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_entity *e = entity_at(i);
        json_t *vars = json_object(), *filters = json_object();

        assert_int_equal(gs_gazelle_add_all_values(vars, filters, e), 0);
        for (size_t f = 0; f < 2; f++) {
            const gs_enum_filter *ef = &e->all_values[f];
            json_t *list;
            size_t n = 0;

            if (!ef->key)
                continue;
            list = json_object_get(ef->in_filters ? filters : vars, ef->key);
            assert_true(json_is_array(list));
            while (ef->values[n])
                n++;
            assert_int_equal(json_array_size(list), n);
            assert_null(
                json_object_get(ef->in_filters ? vars : filters, ef->key));
        }
        json_decref(vars);
        json_decref(filters);
    }
}

/* The defaults are the INI file's own words: each parses, suits its entity,
 * and is what gs_config_defaults() gives. */
static void test_entity_default_policies_parse_and_suit_their_entity(void **st)
{
    gs_config cfg;

    (void)st;
    gs_config_defaults(&cfg);
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_entity *e = entity_at(i);
        gs_entity_policy p;
        char a[160], b[160];

        memset(&p, 0, sizeof p);
        if (gs_policy_parse(&p, e->default_policy) != GS_OK)
            fail_msg("%s: default policy '%s' does not parse: %s", e->name,
                     e->default_policy, gs_error_last()->message);
        if (gs_policy_check(e, &p) != GS_OK)
            fail_msg("%s: default policy '%s': %s", e->name, e->default_policy,
                     gs_error_last()->message);
        gs_policy_format(a, sizeof a, &p);
        gs_policy_format(b, sizeof b, &cfg.policy[i]);
        assert_string_equal(a, b);
        assert_int_equal(cfg.policy[i].page_size, e->default_page_size);
        assert_string_equal(cfg.policy[i].target_table, e->target_table);
    }
    gs_config_free(&cfg);
}

/* A policy is refused exactly where the entity's list lacks the bound it
 * needs, and the refusal names the entities that have it. */
static void test_entity_policy_check_follows_the_reads(void **st)
{
    static const struct {
        gs_policy_kind kind;
        const char *text;
    } kinds[] = {{GS_POLICY_WINDOW, "window=-1d..+1d"},
                 {GS_POLICY_SINCE, "since"},
                 {GS_POLICY_NEW_ROWS, "new-rows"},
                 {GS_POLICY_ALWAYS, "always"},
                 {GS_POLICY_IF_EMPTY, "if-empty"}};

    (void)st;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (int i = 0; i < GS_ENTITY_COUNT; i++) {
            const gs_entity *e = entity_at(i);
            const gs_entity_reads *r = &e->reads;
            gs_entity_policy p;
            int can = 1;

            memset(&p, 0, sizeof p);
            assert_int_equal(gs_policy_parse(&p, kinds[k].text), GS_OK);
            if (kinds[k].kind == GS_POLICY_WINDOW)
                can = r->window_from && r->window_to && r->window_column;
            else if (kinds[k].kind == GS_POLICY_SINCE)
                can = r->since_variable != NULL;
            else if (kinds[k].kind == GS_POLICY_NEW_ROWS)
                can = r->sort_new_rows && r->created_filter;
            if (can) {
                assert_int_equal(gs_policy_check(e, &p), GS_OK);
                continue;
            }
            assert_int_equal(gs_policy_check(e, &p), GS_EINVAL);
            assert_non_null(strstr(gs_error_last()->message, e->name));
            assert_non_null(strstr(gs_error_last()->message, "only)"));
        }
    /* the facts the descriptors state today */
    gs_entity_policy w;
    memset(&w, 0, sizeof w);
    assert_int_equal(gs_policy_parse(&w, "window=-1d..+1d"), GS_OK);
    assert_int_equal(gs_policy_check(gs_entity_get(GS_ENTITY_CLIENTS), &w),
                     GS_EINVAL);
    assert_non_null(strstr(gs_error_last()->message, "(appointments only)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_entity_table_is_indexed_by_id_and_names_are_unique),
        cmocka_unit_test(
            test_entity_columns_are_keyed_unique_and_refer_to_entities),
        cmocka_unit_test(test_entity_nested_entities_name_their_parent),
        cmocka_unit_test(test_entity_pull_order_puts_what_is_named_first),
        cmocka_unit_test(test_entity_documents_declare_what_the_reads_send),
        cmocka_unit_test(test_entity_all_values_go_where_the_descriptor_says),
        cmocka_unit_test(
            test_entity_default_policies_parse_and_suit_their_entity),
        cmocka_unit_test(test_entity_policy_check_follows_the_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The GraphQL parser on good and bad documents: every literal kind,
 * variables with defaults, aliases, nesting, and errors that name the line
 * and column of the offending token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gql.h"

static gql_document *parse_ok(gsim_arena *arena, const char *src)
{
    gql_document *doc = NULL;
    gql_error err;
    int rc = gql_parse(&doc, arena, src, strlen(src), &err);
    if (rc != 0)
        print_error("unexpected error: %s at %d:%d\n", err.message, err.line,
                    err.col);
    assert_int_equal(rc, 0);
    assert_non_null(doc);
    return doc;
}

static void expect_error(const char *src, int line, int col,
                         const char *fragment)
{
    gsim_arena arena = GSIM_ARENA_INIT;
    gql_document *doc = NULL;
    gql_error err;
    assert_int_equal(gql_parse(&doc, &arena, src, strlen(src), &err), -1);
    if (err.line != line || err.col != col || !strstr(err.message, fragment))
        print_error("got \"%s\" at %d:%d\n", err.message, err.line, err.col);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_non_null(strstr(err.message, fragment));
    gsim_arena_free(&arena);
}

static void test_parse_named_query_with_variables_and_defaults(void **state)
{
    (void)state;
    gsim_arena arena = GSIM_ARENA_INIT;
    gql_document *doc = parse_ok(
        &arena,
        "query Pull($first: Int = 100, $after: String, $sort: [ClientSort!]!)"
        " { allClients(first: $first, after: $after, sortBy: $sort) {"
        " edges { node { id } } } }");
    gql_operation *op = doc->operations;
    assert_string_equal(op->name, "Pull");
    gql_var_def *d = op->var_defs;
    assert_string_equal(d->name, "first");
    assert_string_equal(d->type_name, "Int");
    assert_int_equal(d->non_null, 0);
    assert_int_equal(d->default_value->kind, GQL_V_INT);
    assert_string_equal(d->default_value->text, "100");
    d = d->next->next;
    assert_string_equal(d->type_name, "ClientSort");
    assert_int_equal(d->is_list, 1);
    assert_int_equal(d->non_null, 1);
    gql_field *f = op->selections;
    assert_string_equal(f->name, "allClients");
    assert_string_equal(f->args->value->text, "first");
    assert_int_equal(f->args->value->kind, GQL_V_VARIABLE);
    assert_string_equal(f->selections->name, "edges");
    assert_string_equal(f->selections->selections->selections->name, "id");
    gsim_arena_free(&arena);
}

static void test_parse_every_literal_kind(void **state)
{
    (void)state;
    gsim_arena arena = GSIM_ARENA_INIT;
    gql_document *doc = parse_ok(
        &arena,
        "{ f(a: -12, b: 3.5e2, c: \"t\\u00e9\\n\\\"q\\\" \\ud83c\\udfb9\","
        " d: true, e: null, g: START_DESC, h: [1, [2]], "
        "i: {x: \"y\", z: [A B]}, j: \"\"\"\n    block\n      "
        "indented\n    \"\"\") { id } }");
    gql_argument *a = doc->operations->selections->args;
    assert_int_equal(a->value->kind, GQL_V_INT);
    assert_string_equal(a->value->text, "-12");
    a = a->next;
    assert_int_equal(a->value->kind, GQL_V_FLOAT);
    a = a->next;
    assert_int_equal(a->value->kind, GQL_V_STRING);
    assert_string_equal(a->value->text, "t\xc3\xa9\n\"q\" \xf0\x9f\x8e\xb9");
    a = a->next;
    assert_int_equal(a->value->kind, GQL_V_BOOLEAN);
    assert_int_equal(a->value->boolean, 1);
    a = a->next;
    assert_int_equal(a->value->kind, GQL_V_NULL);
    a = a->next;
    assert_int_equal(a->value->kind, GQL_V_ENUM);
    assert_string_equal(a->value->text, "START_DESC");
    a = a->next;
    assert_int_equal(a->value->kind, GQL_V_LIST);
    assert_int_equal(a->value->items->next->kind, GQL_V_LIST);
    a = a->next;
    assert_int_equal(a->value->kind, GQL_V_OBJECT);
    assert_string_equal(a->value->items->key, "x");
    assert_string_equal(a->value->items->next->key, "z");
    assert_string_equal(a->value->items->next->items->next->text, "B");
    a = a->next;
    assert_string_equal(a->value->text, "block\n  indented");
    gsim_arena_free(&arena);
}

static void test_parse_aliases_directives_comments(void **state)
{
    (void)state;
    gsim_arena arena = GSIM_ARENA_INIT;
    gql_document *doc =
        parse_ok(&arena, "# a comment\n{ mine: allUsers, # trailing\n"
                         "{ nodes { who: firstName @include(if: $x) } } }\n");
    gql_field *f = doc->operations->selections;
    assert_string_equal(f->alias, "mine");
    assert_string_equal(f->name, "allUsers");
    gql_field *who = f->selections->selections;
    assert_string_equal(gql_field_key(who), "who");
    assert_string_equal(who->directives->name, "include");
    assert_int_equal(who->line, 3);
    gsim_arena_free(&arena);
}

static void test_parse_several_operations_and_fragments(void **state)
{
    (void)state;
    gsim_arena arena = GSIM_ARENA_INIT;
    gql_document *doc =
        parse_ok(&arena, "query A { a } query B { b ...F ... on X { c } }\n"
                         "fragment F on Query { d }");
    assert_string_equal(doc->operations->name, "A");
    assert_string_equal(doc->operations->next->name, "B");
    assert_int_equal(doc->has_fragments, 1);
    assert_int_equal(doc->fragment_line, 1);
    gql_field *b = doc->operations->next->selections;
    assert_int_equal(b->kind, GQL_SEL_FIELD);
    gql_field *spread = b->next;
    assert_int_equal(spread->kind, GQL_SEL_SPREAD);
    assert_string_equal(spread->name, "F");
    gql_field *inl = spread->next;
    assert_int_equal(inl->kind, GQL_SEL_INLINE);
    assert_string_equal(inl->type_cond, "X");
    assert_string_equal(inl->selections->name, "c");
    gql_fragment *fr = doc->fragments;
    assert_non_null(fr);
    assert_string_equal(fr->name, "F");
    assert_string_equal(fr->type_cond, "Query");
    assert_string_equal(fr->selections->name, "d");
    assert_int_equal(fr->line, 2);
    assert_null(fr->next);
    gsim_arena_free(&arena);
}

static void test_parse_inline_fragment_without_condition_and_types(void **state)
{
    (void)state;
    gsim_arena arena = GSIM_ARENA_INIT;
    gql_document *doc = parse_ok(
        &arena, "query Q($a: [[Int!]]!, $b: ID) { ... @include(if: true) "
                "{ x } }");
    gql_var_def *a = doc->operations->var_defs;
    assert_true(a->type->non_null);
    assert_non_null(a->type->list_of);
    assert_false(a->type->list_of->non_null);
    assert_true(a->type->list_of->list_of->non_null);
    assert_string_equal(a->type->list_of->list_of->name, "Int");
    assert_string_equal(a->type_name, "Int");
    assert_int_equal(a->is_list, 1);
    assert_string_equal(a->next->type->name, "ID");
    gql_field *inl = doc->operations->selections;
    assert_int_equal(inl->kind, GQL_SEL_INLINE);
    assert_null(inl->type_cond);
    assert_string_equal(inl->directives->name, "include");
    gsim_arena_free(&arena);
}

static void test_parse_refuses_deep_nesting(void **state)
{
    (void)state;
    char deep[2 * 200 + 16];
    size_t n = 0;
    for (int i = 0; i < 200; i++)
        deep[n++] = '{', deep[n++] = 'a';
    deep[n] = '\0';
    expect_error(deep, 1, 257, "nested too deeply");
    expect_error("query Q() { a }", 1, 9, "Expected \"$\"");
}

static void test_errors_name_line_and_column(void **state)
{
    (void)state;
    expect_error("{ allUsers { nodes { id } }", 1, 28, "<EOF>");
    expect_error("{\n  allClients(first: 2 {\n", 2, 23, "Expected Name");
    expect_error("query {\n  allUsers {\n    nodes { id ] } } }", 3, 16,
                 "Unexpected \"]\"");
    expect_error("{ f(a: \"open\n\") }", 1, 13, "Unterminated string");
    expect_error("{ f(a: \"\\q\") }", 1, 9, "escape");
    expect_error("{ f(a: 012) }", 1, 9, "unexpected digit");
    expect_error("{ f(a: 1.) }", 1, 10, "expected digit");
    expect_error("{ f(a: $) }", 1, 9, "Expected Name");
    expect_error("query Q($v: Int = $w) { a }", 1, 19, "Unexpected");
    expect_error("{ a }\n  ?", 2, 3, "Unexpected character");
    expect_error("", 1, 1, "<EOF>");
    expect_error("{ }", 1, 3, "Expected Name");
    expect_error("mutation { a } subscription", 1, 28, "Expected \"{\"");
    expect_error("{ f(a: \"\\ud83c\") }", 1, 9, "Unicode");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_named_query_with_variables_and_defaults),
        cmocka_unit_test(test_parse_every_literal_kind),
        cmocka_unit_test(test_parse_aliases_directives_comments),
        cmocka_unit_test(test_parse_several_operations_and_fragments),
        cmocka_unit_test(
            test_parse_inline_fragment_without_condition_and_types),
        cmocka_unit_test(test_parse_refuses_deep_nesting),
        cmocka_unit_test(test_errors_name_line_and_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

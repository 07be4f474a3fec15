/* The SDL parser on the real schema (the embedded schema/gazelle.graphql)
 * and on small documents: types, wrappers, arguments, enum values, lookups,
 * and errors that name the line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sdl.h"

static void expect_tref(const gsim_tref *r, const char *spelled)
{
    gs_buf text = GS_BUF_INIT;
    assert_int_equal(gsim_tref_text(&text, r), 0);
    assert_string_equal(text.data, spelled);
    gs_buf_free(&text);
}

static const gsim_sfield *field_of(const gsim_schema *s, const char *type,
                                   const char *field)
{
    const gsim_stype *t = gsim_schema_type(s, type);
    assert_non_null(t);
    const gsim_sfield *f = gsim_stype_field(t, field);
    if (!f)
        print_error("no field %s.%s\n", type, field);
    assert_non_null(f);
    return f;
}

static void test_sdl_real_schema_parses_with_its_roots(void **state)
{
    (void)state;
    const gsim_schema *s = gsim_schema_gazelle();
    assert_non_null(s);
    assert_string_equal(s->query->name, "PrivateQuery");
    assert_non_null(s->mutation);
    assert_string_equal(s->mutation->name, "PrivateMutation");
    /* 6 custom scalars, 440 object, 136 input, 123 enum types in the file,
     * and the 5 built-in scalars. */
    size_t kinds[4] = {0};
    for (size_t i = 0; i < s->ntypes; i++) {
        kinds[s->types[i].kind]++;
        if (i > 0)
            assert_true(strcmp(s->types[i - 1].name, s->types[i].name) < 0);
    }
    assert_int_equal(kinds[GSIM_TK_SCALAR], 11);
    assert_int_equal(kinds[GSIM_TK_OBJECT], 440);
    assert_int_equal(kinds[GSIM_TK_INPUT], 136);
    assert_int_equal(kinds[GSIM_TK_ENUM], 123);
    assert_ptr_equal(gsim_schema_gazelle(), s); /* parsed once */
}

static void test_sdl_real_schema_root_fields_and_wrappers(void **state)
{
    (void)state;
    const gsim_schema *s = gsim_schema_gazelle();
    const gsim_sfield *users = field_of(s, "PrivateQuery", "allUsers");
    expect_tref(users->type, "[PrivateUser!]!");
    assert_true(users->type->non_null);
    assert_non_null(users->type->list_of);
    assert_string_equal(gsim_tref_named(users->type)->name, "PrivateUser");
    assert_null(gsim_sfield_arg(users, "first"));

    const gsim_sfield *clients = field_of(s, "PrivateQuery", "allClients");
    expect_tref(clients->type, "PrivateClientConnection!");
    const gsim_sarg *sort = gsim_sfield_arg(clients, "sortBy");
    assert_non_null(sort);
    expect_tref(sort->type, "[ClientSort!]");
    const gsim_sarg *first = gsim_sfield_arg(clients, "first");
    assert_non_null(first);
    expect_tref(first->type, "Int");
    assert_int_equal(clients->nargs, 6);
    for (size_t i = 1; i < clients->nargs; i++)
        assert_true(strcmp(clients->args[i - 1].name, clients->args[i].name) <
                    0);

    const gsim_sfield *client = field_of(s, "PrivateQuery", "client");
    expect_tref(gsim_sfield_arg(client, "id")->type, "String");
    assert_null(gsim_stype_field(s->query, "nosuchfield"));
    assert_null(gsim_schema_type(s, "NoSuchType"));
    assert_null(gsim_stype_field(gsim_schema_type(s, "PrivateTimelineEntry"),
                                 "createdAt"));
}

static void test_sdl_real_schema_enums(void **state)
{
    (void)state;
    const gsim_schema *s = gsim_schema_gazelle();
    const gsim_stype *status = gsim_schema_type(s, "EventStatus");
    assert_non_null(status);
    assert_int_equal(status->kind, GSIM_TK_ENUM);
    static const char *const want[] = {"ACTIVE", "CANCELED", "NO_SHOW",
                                       "COMPLETE"};
    assert_int_equal(status->nenum_values, 4);
    for (int i = 0; i < 4; i++) {
        assert_string_equal(status->enum_values[i], want[i]);
        assert_int_equal(gsim_stype_enum_index(status, want[i]), i);
    }
    assert_int_equal(gsim_stype_enum_index(status, "COMPLETED"), -1);
    assert_int_equal(gsim_stype_enum_index(status, "CANCELLED"), -1);

    const gsim_stype *sort = gsim_schema_type(s, "ClientSort");
    assert_non_null(sort);
    assert_int_equal(gsim_stype_enum_index(sort, "UPDATED_AT_DESC"), -1);
    assert_true(gsim_stype_enum_index(sort, "CREATED_AT_ASC") >= 0);
    assert_true(gsim_stype_enum_index(sort, "CREATED_AT_DESC") >= 0);
}

static void test_sdl_real_schema_input_fields(void **state)
{
    (void)state;
    const gsim_schema *s = gsim_schema_gazelle();
    const gsim_stype *filter = gsim_schema_type(s, "PrivateAllClientsFilter");
    assert_non_null(filter);
    assert_int_equal(filter->kind, GSIM_TK_INPUT);
    assert_non_null(gsim_stype_input_field(filter, "createdGet"));
    assert_null(gsim_stype_input_field(filter, "updatedGet"));
    const gsim_stype *ev = gsim_schema_type(s, "PrivateAllEventsFilter");
    const gsim_sarg *cid = gsim_stype_input_field(ev, "clientId");
    assert_non_null(cid);
    assert_non_null(cid->type->list_of);
}

static void test_sdl_small_document_every_construct(void **state)
{
    (void)state;
    const char *sdl =
        "# a comment\n"
        "\"\"\"A description.\"\"\"\n"
        "schema { query: Q }\n"
        "scalar Date @specifiedBy(url: \"x\")\n"
        "enum Color { \"red\" RED GREEN @deprecated BLUE }\n"
        "input Filter { on: Date = \"2020-01-01\", colors: [Color!] = [RED]"
        " nested: [[Int]!] }\n"
        "type Q {\n"
        "  items(filter: Filter, first: Int = 10, id: ID!): [Item]!\n"
        "  \"doc\" count: Int!\n"
        "}\n"
        "type Item { name: String tags: [String!]! }\n";
    gsim_schema s;
    char err[200];
    int rc = gsim_schema_parse(&s, sdl, strlen(sdl), err, sizeof(err));
    if (rc != 0)
        print_error("%s\n", err);
    assert_int_equal(rc, 0);
    assert_string_equal(s.query->name, "Q");
    assert_null(s.mutation);
    assert_int_equal(s.ntypes,
                     5 + 5); /* Q Item Filter Color Date + built-ins */
    const gsim_stype *color = gsim_schema_type(&s, "Color");
    assert_int_equal(color->nenum_values, 3);
    assert_int_equal(gsim_stype_enum_index(color, "BLUE"), 2);
    const gsim_sfield *items = gsim_stype_field(s.query, "items");
    expect_tref(items->type, "[Item]!");
    assert_int_equal(gsim_sfield_arg(items, "first")->has_default, 1);
    assert_int_equal(gsim_sfield_arg(items, "id")->has_default, 0);
    const gsim_stype *filter = gsim_schema_type(&s, "Filter");
    expect_tref(gsim_stype_input_field(filter, "nested")->type, "[[Int]!]");
    assert_int_equal(gsim_schema_type(&s, "Date")->kind, GSIM_TK_SCALAR);
    assert_int_equal(gsim_schema_type(&s, "ID")->kind, GSIM_TK_SCALAR);
    gsim_schema_free(&s);
}

static void expect_sdl_error(const char *sdl, const char *where,
                             const char *fragment)
{
    gsim_schema s;
    char err[200];
    assert_int_equal(gsim_schema_parse(&s, sdl, strlen(sdl), err, sizeof(err)),
                     -1);
    if (strncmp(err, where, strlen(where)) != 0 || !strstr(err, fragment))
        print_error("got \"%s\"\n", err);
    assert_int_equal(strncmp(err, where, strlen(where)), 0);
    assert_non_null(strstr(err, fragment));
    assert_null(s.types); /* nothing left to free */
}

static void test_sdl_errors_name_line_and_column(void **state)
{
    (void)state;
    expect_sdl_error("type Query {\n  a: Int\n  b Int\n}\n",
                     "3:5:", "Expected \":\", found \"Int\"");
    expect_sdl_error("type Query {\n  a: Nope\n}\n",
                     "2:6:", "Unknown type \"Nope\"");
    expect_sdl_error("type Query { a: Int }\ninterface X { a: Int }\n",
                     "2:1:", "\"interface\" definitions are not supported");
    expect_sdl_error("type Query { a: [Int }", "1:22:", "Expected \"]\"");
    expect_sdl_error("type Query { a: Int }\ntype Query { b: Int }\n", "",
                     "only one type named \"Query\"");
    expect_sdl_error("type Query { a(x: Query): Int }", "",
                     "mixes input and output types");
    expect_sdl_error("type Query { a: Int }\n  \"unterminated",
                     "2:16:", "Unterminated string");
    expect_sdl_error("type Other { a: Int }", "", "Root type \"Query\"");
    expect_sdl_error("type Query {\n  a: Int\n  a: String\n}",
                     "1:1:", "\"a\" is defined twice in Query.");
    expect_sdl_error("type Query { a(x: Int, x: Int): Int }",
                     "1:15:", "\"x\" is defined twice in a.");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sdl_real_schema_parses_with_its_roots),
        cmocka_unit_test(test_sdl_real_schema_root_fields_and_wrappers),
        cmocka_unit_test(test_sdl_real_schema_enums),
        cmocka_unit_test(test_sdl_real_schema_input_fields),
        cmocka_unit_test(test_sdl_small_document_every_construct),
        cmocka_unit_test(test_sdl_errors_name_line_and_column),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    gsim_schema_release();
    return failed;
}

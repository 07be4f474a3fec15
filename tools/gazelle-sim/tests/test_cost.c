/* The size and cost limits (cost.c) through the request path (request.c):
 * graphql-ruby's complexity of documents worked out by hand (connections,
 * variables, last, the default page, nesting, aliases, duplicates,
 * @skip, __typename), the refusal at the limit and one past it with
 * graphql-ruby's wording and no "data", and the token count of
 * max_query_string_tokens (commas and comments are not tokens). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "cost.h"
#include "request.h"
#include "sdl.h"

static int teardown(void **state)
{
    (void)state;
    gsim_schema_release();
    return 0;
}

/* A prepared request for @p query (and variables, a JSON object text, or
 * NULL) under @p limits; the caller frees it. */
static void prepare(gsim_request *req, const char *query, const char *vars,
                    const gsim_cost_limits *limits)
{
    json_t *body = vars ? json_pack("{s:s, s:o}", "query", query, "variables",
                                    json_loads(vars, 0, NULL))
                        : json_pack("{s:s}", "query", query);
    char *text = json_dumps(body, JSON_COMPACT);

    json_decref(body);
    assert_non_null(text);
    gsim_request_prepare_limited(req, text, strlen(text), limits);
    free(text);
    assert_int_equal(req->status, 200);
}

/* The complexity of a valid query (no limit applied). */
static int64_t complexity(const char *query, const char *vars)
{
    gsim_request req;
    prepare(&req, query, vars, NULL);
    assert_int_equal(json_array_size(req.errors), 0);
    int64_t c = gsim_cost_complexity(req.op, req.vars);
    gsim_request_free(&req);
    return c;
}

/* Whether @p query passes validation and @p limits. */
static int accepted(const char *query, const gsim_cost_limits *limits)
{
    gsim_request req;
    prepare(&req, query, NULL, limits);
    int ok = json_array_size(req.errors) == 0 && req.op;
    gsim_request_free(&req);
    return ok;
}

/* The answer to a refused @p query, parsed (the caller decrefs): a refusal
 * is written without executing anything, so no business is needed. */
static json_t *refusal(const char *query, const gsim_cost_limits *limits,
                       int expect_limit)
{
    gsim_request req;
    gsim_out out = {GS_BUF_INIT, 0};
    uint64_t pages, nodes;

    prepare(&req, query, NULL, limits);
    assert_true(json_array_size(req.errors) > 0);
    int over_limit = req.over_limit;
    gsim_request_answer(&req, NULL, &out, &pages, &nodes);
    gsim_request_free(&req);
    json_t *doc = json_loadb(out.buf.data, out.buf.len, 0, NULL);
    gs_buf_free(&out.buf);
    assert_non_null(doc);
    assert_int_equal(nodes, 0);
    /* An invalid document is not a limit's refusal: the counter of
     * /__sim/stats tells them apart. */
    assert_int_equal(over_limit, expect_limit);
    return doc;
}

/* The one error of a refused answer: no "data" member at all. */
static const json_t *only_error(const json_t *doc)
{
    const json_t *errors = json_object_get(doc, "errors");
    assert_null(json_object_get(doc, "data"));
    assert_int_equal(json_array_size(errors), 1);
    return json_array_get(errors, 0);
}

/* totalCount 1 + pageInfo (1 + 2 fields) + nodes 1 = 5 of metadata; under
 * nodes, id and companyName: 2 a node. 1 + 200 * 2 + 5 = 406. */
#define PAGE_DOC                                                               \
    "{ allClients(first: 200) { totalCount pageInfo { hasNextPage "            \
    "endCursor } nodes { id companyName } } }"

static void test_cost_connection_is_page_times_node_plus_metadata(void **state)
{
    (void)state;
    assert_int_equal(complexity(PAGE_DOC, NULL), 406);
    /* The page from a variable; last when larger than first; the default
     * page (100) without either. */
    assert_int_equal(complexity("query Q($n: Int) { allClients(first: $n) { "
                                "nodes { id companyName } } }",
                                "{\"n\": 50}"),
                     1 + 50 * 2 + 1);
    assert_int_equal(complexity("{ allClients(first: 3, last: 7) { nodes { "
                                "id } } }",
                                NULL),
                     1 + 7 * 1 + 1);
    assert_int_equal(complexity("{ allClients { nodes { id } } }", NULL),
                     1 + 100 * 1 + 1);
    /* edges: edges 1 of metadata; cursor and node { id } (2) a row. */
    assert_int_equal(complexity("{ allClients(first: 10) { edges { cursor "
                                "node { id } } } }",
                                NULL),
                     1 + 10 * 3 + 1);
}

static void test_cost_nested_connections_multiply(void **state)
{
    (void)state;
    /* A client's pianos: 1 + 5 * 1 + 1 = 7; a client node 1 + 7 = 8, of
     * which its nodes field (1) is metadata; allClients 1 + 10 * 7 + 1. */
    assert_int_equal(complexity("{ allClients(first: 10) { nodes { allPianos("
                                "first: 5) { nodes { id } } } } }",
                                NULL),
                     72);
}

static void test_cost_plain_fields_and_lists_add_up(void **state)
{
    (void)state;
    /* allUsers is a plain list: not multiplied. A repeated response key
     * counts once, an alias apart, @skip(if: true) not at all; __typename
     * is a field. */
    assert_int_equal(complexity("{ allUsers { id email } }", NULL), 3);
    assert_int_equal(complexity("{ allUsers { id id email } }", NULL), 3);
    assert_int_equal(complexity("{ allUsers { id again: id } }", NULL), 3);
    assert_int_equal(
        complexity("{ allUsers { id email @skip(if: true) } }", NULL), 2);
    assert_int_equal(complexity("{ __typename allUsers { id } }", NULL), 3);
    /* Several root fields under aliases: the sum. */
    assert_int_equal(complexity("{ a: allClients(first: 2) { nodes { id } } "
                                "b: allClients(first: 3) { nodes { id } } }",
                                NULL),
                     (1 + 2 + 1) + (1 + 3 + 1));
}

static void test_cost_refuses_past_max_complexity_as_graphql_ruby(void **state)
{
    gsim_cost_limits at = {.max_complexity = 406};
    gsim_cost_limits under = {.max_complexity = 405};
    (void)state;

    assert_true(accepted(PAGE_DOC, &at));
    json_t *doc = refusal(PAGE_DOC, &under, 1);
    const json_t *e = only_error(doc);
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "Query has complexity of 406, which exceeds max "
                        "complexity of 405");
    assert_int_equal(json_object_size(e), 1); /* no locations, no path */
    json_decref(doc);
    /* An invalid document under a limit is refused as invalid. */
    doc = refusal("{ allClients(first: 1) { nope } }", &under, 0);
    json_decref(doc);
}

static void test_cost_refuses_past_max_tokens_at_that_token(void **state)
{
    /* { allUsers { id } }: 6 tokens; a comma and a comment are none. */
    static const char query[] = "{ allUsers { id, } } # six";
    gsim_cost_limits six = {.max_tokens = 6};
    gsim_cost_limits five = {.max_tokens = 5};
    int line = 0, col = 0;
    (void)state;

    assert_int_equal(
        gsim_cost_too_many_tokens(query, strlen(query), 6, &line, &col), 0);
    assert_int_equal(
        gsim_cost_too_many_tokens(query, strlen(query), 5, &line, &col), 1);
    assert_int_equal(line, 1);
    assert_int_equal(col, 20); /* the last "}" */

    assert_true(accepted(query, &six));
    json_t *doc = refusal(query, &five, 1);
    const json_t *e = only_error(doc);
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        GSIM_COST_TOO_LARGE);
    const json_t *at = json_array_get(json_object_get(e, "locations"), 0);
    assert_int_equal(json_integer_value(json_object_get(at, "line")), 1);
    assert_int_equal(json_integer_value(json_object_get(at, "column")), 20);
    json_decref(doc);
    /* Too large wins over being invalid: nothing is parsed past the
     * limit, as graphql-ruby's lexer stops there. */
    doc = refusal("{ nope { a b c d e } }", &five, 1);
    e = only_error(doc);
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        GSIM_COST_TOO_LARGE);
    json_decref(doc);
}

static void test_cost_no_limit_by_default(void **state)
{
    gsim_cost_limits none = {0};
    (void)state;
    assert_true(accepted("{ a: allClients(first: 200) { nodes { id "
                         "allPianos(first: 200) { nodes { id } } } } }",
                         &none));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cost_connection_is_page_times_node_plus_metadata),
        cmocka_unit_test(test_cost_nested_connections_multiply),
        cmocka_unit_test(test_cost_plain_fields_and_lists_add_up),
        cmocka_unit_test(test_cost_refuses_past_max_complexity_as_graphql_ruby),
        cmocka_unit_test(test_cost_refuses_past_max_tokens_at_that_token),
        cmocka_unit_test(test_cost_no_limit_by_default),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}

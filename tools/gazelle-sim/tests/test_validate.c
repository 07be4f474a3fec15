/* The validator (validate.h) against the real schema, each rule both ways,
 * with graphql-ruby's wording: operations, fields, leaf selections,
 * arguments, literals, input objects, directives, fragments, variables
 * (definitions, uses, values) and overlapping fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "coerce.h"
#include "validate.h"

typedef struct {
    gsim_arena arena;
    gql_operation *op;
    json_t *vars;
    json_t *errors;
} run;

static void run_free(run *r)
{
    json_decref(r->vars);
    json_decref(r->errors);
    gsim_arena_free(&r->arena);
}

/* Parses and validates src with variables (JSON text or NULL). */
static size_t validate(run *r, const char *src, const char *vars,
                       const char *operation)
{
    gql_document *doc = NULL;
    gql_error err;
    memset(r, 0, sizeof(*r));
    r->errors = json_array();
    if (gql_parse(&doc, &r->arena, src, strlen(src), &err) != 0) {
        print_error("parse error: %s at %d:%d\n", err.message, err.line,
                    err.col);
        fail();
    }
    json_t *given = vars ? json_loads(vars, 0, NULL) : NULL;
    if (vars)
        assert_non_null(given);
    size_t n =
        gsim_validate_request(gsim_schema_gazelle(), doc, &r->arena, operation,
                              given, &r->op, &r->vars, r->errors);
    json_decref(given);
    assert_int_equal(n, json_array_size(r->errors));
    return n;
}

static void expect_valid_op(const char *src, const char *vars,
                            const char *operation)
{
    run r;
    if (validate(&r, src, vars, operation) != 0) {
        char *text = json_dumps(r.errors, JSON_INDENT(1));
        print_error("unexpected errors for %s:\n%s\n", src, text);
        free(text);
        fail();
    }
    assert_non_null(r.op);
    assert_non_null(r.vars);
    run_free(&r);
}

static void expect_valid(const char *src, const char *vars)
{
    expect_valid_op(src, vars, NULL);
}

/* One of the errors contains want; returns nothing, checks no op given. */
static void expect_error_op(const char *src, const char *vars,
                            const char *operation, const char *want)
{
    run r;
    size_t n = validate(&r, src, vars, operation);
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) {
        const char *msg = json_string_value(
            json_object_get(json_array_get(r.errors, i), "message"));
        found = msg && strstr(msg, want) != NULL;
    }
    if (!found) {
        char *text = json_dumps(r.errors, JSON_INDENT(1));
        print_error("wanted \"%s\" for %s, got:\n%s\n", want, src, text);
        free(text);
        fail();
    }
    assert_null(r.op);
    assert_null(r.vars);
    run_free(&r);
}

static void expect_error(const char *src, const char *vars, const char *want)
{
    expect_error_op(src, vars, NULL, want);
}

static void test_operation_choice(void **state)
{
    (void)state;
    const char *two = "query A { allClientTags } query B { allPianoTags }";
    expect_valid_op(two, NULL, "B");
    expect_error(two, NULL, "An operation name is required");
    expect_error_op(two, NULL, "C", "No operation named \"C\"");
    expect_error_op("query A { allClientTags } query A { allPianoTags }", NULL,
                    "A", "Operation name \"A\" must be unique");
    expect_error_op("{ allClientTags } query B { allPianoTags }", NULL, "B",
                    "Operation name is required when multiple operations "
                    "are present");
    expect_error("subscription S { allClientTags }", NULL,
                 "Schema is not configured for subscriptions");
    expect_error("mutation M { nope }", NULL,
                 "Field 'nope' doesn't exist on type 'PrivateMutation'");

    run r;
    assert_int_equal(validate(&r, two, NULL, "B"), 0);
    assert_string_equal(r.op->name, "B");
    run_free(&r);
}

static void test_fields_exist_and_are_annotated(void **state)
{
    (void)state;
    expect_error("{ allUsers { id nodes } }", NULL,
                 "Field 'nodes' doesn't exist on type 'PrivateUser'");
    expect_error("{ allTimelineEntries { nodes { createdAt } } }", NULL,
                 "Field 'createdAt' doesn't exist on type "
                 "'PrivateTimelineEntry'");
    expect_error("{ __schema { types { name } } }", NULL,
                 "does not simulate introspection");

    run r;
    assert_int_equal(
        validate(&r, "{ __typename allUsers { __typename id } }", NULL, NULL),
        0);
    const gsim_schema *s = gsim_schema_gazelle();
    gql_field *tn = r.op->selections, *users = tn->next;
    assert_null(tn->def);
    assert_ptr_equal(tn->parent, s->query);
    assert_ptr_equal(users->def, gsim_stype_field(s->query, "allUsers"));
    assert_ptr_equal(users->parent, s->query);
    const gsim_stype *user = gsim_schema_type(s, "PrivateUser");
    assert_ptr_equal(users->selections->parent, user);
    assert_ptr_equal(users->selections->next->def,
                     gsim_stype_field(user, "id"));
    run_free(&r);
}

static void test_leaf_selections(void **state)
{
    (void)state;
    expect_error("{ allUsers }", NULL,
                 "Field must have selections (field 'allUsers' returns "
                 "PrivateUser but has no selections. Did you mean 'allUsers "
                 "{ ... }'?)");
    expect_error("{ allUsers { id { x y } } }", NULL,
                 "Selections can't be made on scalars (field 'id' returns "
                 "String but has selections [\"x\", \"y\"])");
    expect_error("{ allUsers { status { x } } }", NULL,
                 "Selections can't be made on enums (field 'status' returns "
                 "UserStatus");
    expect_valid("{ allUsers { status defaultClientLocalization { locale } "
                 "} }",
                 NULL);
}

static void test_arguments(void **state)
{
    (void)state;
    expect_error("{ allUsers(first: 10) { id } }", NULL,
                 "Field 'allUsers' doesn't accept argument 'first'");
    expect_error("{ c: allClients(first: 1, first: 2) { nodes { id } } }", NULL,
                 "There can be only one argument named \"first\"");
    expect_error("{ allAvailability(startOn: \"2026-01-01\", endOn: "
                 "\"2026-01-02\") { __typename } }",
                 NULL,
                 "Field 'allAvailability' is missing required arguments: "
                 "userId");
    expect_valid("{ allAvailability(userId: \"usr_1\", startOn: "
                 "\"2026-01-01\", endOn: \"2026-01-02\") { __typename } }",
                 NULL);
    expect_valid("{ client { id } }", NULL); /* client(id:) is optional */
}

static void test_literal_values(void **state)
{
    (void)state;
    expect_error("{ allClients(sortBy: UPDATED_AT_DESC) { nodes { id } } }",
                 NULL,
                 "Argument 'sortBy' on Field 'allClients' has an invalid "
                 "value (UPDATED_AT_DESC). Expected type '[ClientSort!]'.");
    expect_valid("{ allClients(sortBy: CREATED_AT_DESC) { nodes { id } } }",
                 NULL);
    expect_valid("{ allClients(sortBy: [CREATED_AT_ASC, CREATED_AT_DESC]) { "
                 "nodes { id } } }",
                 NULL);
    expect_error("{ allClients(sortBy: \"CREATED_AT_ASC\") { nodes { id } } }",
                 NULL, "invalid value (\"CREATED_AT_ASC\")");
    expect_error("{ allClients(sortBy: [null]) { nodes { id } } }", NULL,
                 "invalid value ([null])");
    expect_error("{ allClients(first: 2147483648) { nodes { id } } }", NULL,
                 "Argument 'first' on Field 'allClients' has an invalid "
                 "value (2147483648). Expected type 'Int'.");
    expect_valid("{ allClients(first: -2147483648) { nodes { id } } }", NULL);
    expect_error("{ allClients(first: 1.0) { nodes { id } } }", NULL,
                 "Expected type 'Int'");
    expect_valid("{ driveTimes(sourceLat: 45) { id } }", NULL);
    expect_error("{ driveTimes(sourceLat: true) { id } }", NULL,
                 "Expected type 'Float'");
    expect_error("{ c: client(id: 5) { id } }", NULL, "Expected type 'String'");
    expect_valid("{ allClients(first: null) { nodes { id } } }", NULL);
    expect_error("{ allAvailability(userId: null, startOn: \"2026-01-01\", "
                 "endOn: \"2026-01-02\") { __typename } }",
                 NULL, "Expected type '[String!]!'");
}

static void test_custom_scalars_take_any_value(void **state)
{
    (void)state;
    /* Their formats are not in the introspection: the executor reads the
     * dates it needs and refuses a bad one itself. */
    expect_valid("{ allEventsBatched(filters: {startOn: \"2026-02-30\", "
                 "endOn: 20260101}) { nodes { id } } }",
                 NULL);
    const char *var = "query Q($t: CoreDateTime) { allTimelineEntries("
                      "occurredAtGet: $t) { nodes { id } } }";
    expect_valid(var, "{\"t\": \"2026-01-21T15:00:00Z\"}");
    expect_valid(var, "{\"t\": 1768000000}");
    const char *any = "query Q($n: I18nString) { allServiceLibraryItems(name: "
                      "$n) { nodes { id } } }";
    expect_valid(any, "{\"n\": {\"en_US\": \"Tuning\"}}");
    expect_error("query Q($t: CoreDateTime!) { allTimelineEntries("
                 "occurredAtGet: $t) { nodes { id } } }",
                 "{\"t\": null}",
                 "Variable $t of type CoreDateTime! was provided invalid "
                 "value");
}

static void test_input_objects(void **state)
{
    (void)state;
    expect_valid("{ allEventsBatched(filters: {startOn: \"2026-01-01\", "
                 "status: [ACTIVE, CANCELED], clientId: \"cli_1\"}) { nodes "
                 "{ id } } }",
                 NULL);
    expect_error("{ allEventsBatched(filters: {updatedGet: \"x\"}) { nodes { "
                 "id } } }",
                 NULL,
                 "InputObject 'PrivateAllEventsFilter' doesn't accept "
                 "argument 'updatedGet'");
    expect_error("{ allEventsBatched(filters: {search: \"a\", search: "
                 "\"b\"}) { nodes { id } } }",
                 NULL, "There can be only one input field named \"search\"");
    expect_error("{ allEventsBatched(filters: {status: [COMPLETED]}) { nodes "
                 "{ id } } }",
                 NULL,
                 "Argument 'status' on InputObject 'PrivateAllEventsFilter' "
                 "has an invalid value ([COMPLETED]). Expected type "
                 "'[EventStatus!]'.");
    expect_error("{ allEventsBatched(filters: 3) { nodes { id } } }", NULL,
                 "Argument 'filters' on Field 'allEventsBatched' has an "
                 "invalid value (3)");
    /* Required input fields: ChangeMasterServiceListPricesInput. */
    expect_error("mutation M { changeMasterServiceListPrices(input: {amount: "
                 "1}) { __typename } }",
                 NULL,
                 "Argument 'changeMethod' on InputObject "
                 "'ChangeMasterServiceListPricesInput' is required. Expected "
                 "type ChangeMethod!");
}

static void test_directives(void **state)
{
    (void)state;
    expect_valid("{ allUsers { id @include(if: true) email @skip(if: false) "
                 "} }",
                 NULL);
    expect_error("{ allUsers { id @nope } }", NULL,
                 "Directive @nope is not defined");
    expect_error("{ allUsers { id @include } }", NULL,
                 "Directive 'include' is missing required arguments: if");
    expect_error("{ allUsers { id @skip(if: true, unless: false) } }", NULL,
                 "Directive 'skip' doesn't accept argument 'unless'");
    expect_error("{ allUsers { id @include(if: \"yes\") } }", NULL,
                 "Argument 'if' on Directive 'include' has an invalid value "
                 "(\"yes\"). Expected type 'Boolean!'.");
    expect_error("{ allUsers { id @skip(if: true) @skip(if: false) } }", NULL,
                 "The directive \"skip\" can only be used once at this "
                 "location.");
    expect_error("query Q @include(if: true) { allClientTags }", NULL,
                 "'@include' can't be applied to queries (allowed: fields, "
                 "fragment spreads, inline fragments)");
    expect_error("{ allUsers { ...U } } fragment U on PrivateUser @skip(if: "
                 "true) { id }",
                 NULL, "can't be applied to fragment definitions");
}

static void test_fragments(void **state)
{
    (void)state;
    expect_valid("{ allUsers { ...U ... on PrivateUser { email } ... { id } } "
                 "} fragment U on PrivateUser { id ...V } fragment V on "
                 "PrivateUser { lastName }",
                 NULL);
    expect_error("{ allUsers { ...U } }", NULL,
                 "Fragment U was used, but not defined");
    expect_error("{ allUsers { id } } fragment U on PrivateUser { id }", NULL,
                 "Fragment U was defined, but not used");
    expect_error("{ allUsers { ...U } } fragment U on PrivateUser { id } "
                 "fragment U on PrivateUser { email }",
                 NULL, "Fragment name \"U\" must be unique");
    expect_error("{ allUsers { ...A } } fragment A on PrivateUser { id ...B "
                 "} fragment B on PrivateUser { ...A }",
                 NULL, "contains an infinite loop");
    expect_error("{ allUsers { ...A } } fragment A on Nope { id }", NULL,
                 "No such type Nope, so it can't be a fragment condition");
    expect_error("{ allUsers { ...A } } fragment A on String { id }", NULL,
                 "Invalid fragment on type String (must be Union, Interface "
                 "or Object)");
    expect_error("{ allUsers { ...A } } fragment A on PrivateClient { id }",
                 NULL,
                 "Fragment A on PrivateClient can't be spread inside "
                 "PrivateUser");
    expect_error("{ allUsers { ... on PrivateClient { id } } }", NULL,
                 "Fragment on PrivateClient can't be spread inside "
                 "PrivateUser");
    expect_error("{ allUsers { ...A } } fragment A on PrivateUser { nope }",
                 NULL, "Field 'nope' doesn't exist on type 'PrivateUser'");
}

static void test_fragment_expansion_is_bounded(void **state)
{
    (void)state;
    /* F12 expands to 2^12 copies of F0's 8 fields: 32768 visits. */
    char src[4096];
    size_t n = 0;
    n += (size_t)snprintf(src + n, sizeof(src) - n,
                          "{ allUsers { ...F12 } } fragment F0 on "
                          "PrivateUser { id email firstName lastName color "
                          "region timezone status }");
    for (int i = 1; i <= 12; i++)
        n += (size_t)snprintf(src + n, sizeof(src) - n,
                              " fragment F%d on PrivateUser { ...F%d ...F%d "
                              "}",
                              i, i - 1, i - 1);
    expect_error(src, NULL, "more than 20000 fields");
}

static void test_variable_definitions(void **state)
{
    (void)state;
    expect_error("query Q($a: Int, $a: Int) { allClients(first: $a) { nodes "
                 "{ id } } }",
                 NULL, "There can only be one variable named \"a\"");
    expect_error("query Q($a: Nope) { allClients(first: $a) { nodes { id } } "
                 "}",
                 NULL, "Nope isn't a defined input type (on $a)");
    expect_error("query Q($a: [PrivateUser!]) { allClientTags }", NULL,
                 "[PrivateUser!] isn't a valid input type (on $a)");
    expect_error("query Q($a: Int = \"5\") { allClients(first: $a) { nodes { "
                 "id } } }",
                 NULL, "Default value for $a doesn't match type Int");
    expect_error("query Q($a: Int) { allClientTags }", NULL,
                 "Variable $a is declared by Q but not used");
    expect_error("{ allClients(first: $a) { nodes { id } } }", NULL,
                 "Variable $a is used by anonymous query but not declared");
    expect_error("query Q { ...R } fragment R on PrivateQuery { client(id: "
                 "$id) { id } }",
                 NULL, "Variable $id is used by Q but not declared");
    expect_valid("query Q($id: String) { ...R } fragment R on PrivateQuery { "
                 "client(id: $id) { id } }",
                 NULL);
}

static void test_variable_usages(void **state)
{
    (void)state;
    const char *tail = " { allClients(first: $a) { nodes { id } } }";
    char src[200];
    snprintf(src, sizeof(src), "query Q($a: String)%s", tail);
    expect_error(src, NULL,
                 "Type mismatch on variable $a and argument first (String / "
                 "Int)");
    snprintf(src, sizeof(src), "query Q($a: [Int])%s", tail);
    expect_error(src, NULL,
                 "List dimension mismatch on variable $a and argument first "
                 "([Int] / Int)");
    snprintf(src, sizeof(src), "query Q($a: Int!)%s", tail);
    expect_valid(src, "{\"a\": 1}");
    expect_error(
        "query Q($u: [String!]) { allAvailability(userId: $u, "
        "startOn: \"2026-01-01\", endOn: \"2026-01-02\") { __typename } }",
        NULL,
        "Nullability mismatch on variable $u and argument userId "
        "([String!] / [String!]!)");
    expect_valid("query Q($u: [String!] = [\"usr_1\"]) { allAvailability("
                 "userId: $u, startOn: \"2026-01-01\", endOn: \"2026-01-02\") "
                 "{ __typename } }",
                 NULL);
    expect_error("query Q($s: ClientSort!) { allClients(sortBy: $s) { nodes "
                 "{ id } } }",
                 NULL, "List dimension mismatch");
    expect_error("query Q($s: ClientSort) { allClients(sortBy: [$s]) { nodes "
                 "{ id } } }",
                 NULL, "Nullability mismatch on variable $s");
    expect_valid("query Q($s: ClientSort!) { allClients(sortBy: [$s]) { "
                 "nodes { id } } }",
                 "{\"s\": \"CREATED_AT_ASC\"}");
    expect_error("query Q($d: Int) { allEventsBatched(filters: {startOn: $d}) "
                 "{ nodes { id } } }",
                 NULL, "Type mismatch on variable $d and argument startOn");
    expect_error("query Q($on: Boolean) { allUsers { id @skip(if: $on) } }",
                 NULL, "Nullability mismatch on variable $on and argument if");
}

/* A document may nest a variable's type as deep as the parser allows; the
 * message names it whole (it was cut at 200 bytes, into another type). */
static void test_variable_mismatch_names_a_deep_type_whole(void **state)
{
    (void)state;
    enum { DEPTH = 100 };
    gs_buf type = GS_BUF_INIT, src = GS_BUF_INIT, want = GS_BUF_INIT;
    for (int i = 0; i < DEPTH; i++)
        assert_int_equal(gs_buf_puts(&type, "["), 0);
    assert_int_equal(gs_buf_puts(&type, "Int"), 0);
    for (int i = 0; i < DEPTH; i++)
        assert_int_equal(gs_buf_puts(&type, "]"), 0);
    assert_true(type.len > 200);
    assert_int_equal(gs_buf_printf(&src,
                                   "query Q($a: %s) { allClients(first: $a) "
                                   "{ nodes { id } } }",
                                   type.data),
                     0);
    assert_int_equal(gs_buf_printf(&want,
                                   "List dimension mismatch on variable $a "
                                   "and argument first (%s / Int)",
                                   type.data),
                     0);
    expect_error(src.data, NULL, want.data);
    gs_buf_free(&want);
    gs_buf_free(&src);
    gs_buf_free(&type);
}

static json_t *coerced(run *r, const char *name)
{
    json_t *v = json_object_get(r->vars, name);
    assert_non_null(v);
    return v;
}

static void test_variable_values(void **state)
{
    (void)state;
    const char *q = "query Q($first: Int, $s: [ClientSort!] = "
                    "[CREATED_AT_ASC]) { allClients(first: $first, sortBy: "
                    "$s) { nodes { id } } }";
    run r;
    assert_int_equal(validate(&r, q, "{\"first\": \"abc\"}", NULL), 1);
    json_t *e = json_array_get(r.errors, 0);
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "Variable $first of type Int was provided invalid "
                        "value");
    json_t *ext = json_object_get(e, "extensions");
    assert_string_equal(json_string_value(json_object_get(ext, "value")),
                        "abc");
    json_t *p = json_array_get(json_object_get(ext, "problems"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "explanation")),
                        "Could not coerce value \"abc\" to Int");
    run_free(&r);

    expect_error(q, "{\"first\": 2147483648}", "of type Int was provided");
    expect_error(q, "{\"first\": 1.5}", "of type Int was provided");
    expect_error(q, "{\"s\": [\"UPDATED_AT_DESC\"]}",
                 "Variable $s of type [ClientSort!] was provided invalid "
                 "value for 0 (Expected \"UPDATED_AT_DESC\" to be one of: ");
    expect_error(q, "{\"s\": [null]}", "for 0 (Expected value to not be null)");
    expect_error("query Q($a: Int!) { allClients(first: $a) { nodes { id } } "
                 "}",
                 NULL, "Variable $a of type Int! was provided invalid value");
    expect_error("query Q($a: Int!) { allClients(first: $a) { nodes { id } } "
                 "}",
                 "{\"a\": null}", "of type Int! was provided invalid value");
    const char *f = "query Q($f: PrivateAllEventsFilter) { allEventsBatched("
                    "filters: $f) { nodes { id } } }";
    expect_error(f, "{\"f\": {\"updatedGet\": \"x\"}}",
                 "for updatedGet (Field is not defined on "
                 "PrivateAllEventsFilter)");
    expect_error(f, "{\"f\": [1]}",
                 "Variable $f of type PrivateAllEventsFilter was provided "
                 "invalid value");
    expect_error(f, "{\"f\": {\"status\": \"DONE\"}}",
                 "for status (Expected \"DONE\" to be one of: ACTIVE, "
                 "CANCELED, NO_SHOW, COMPLETE)");

    /* Coerced: defaults applied, single values listed, absent left out. */
    assert_int_equal(validate(&r, q, "{\"first\": 5}", NULL), 0);
    assert_int_equal(json_integer_value(coerced(&r, "first")), 5);
    assert_string_equal(json_string_value(json_array_get(coerced(&r, "s"), 0)),
                        "CREATED_AT_ASC");
    run_free(&r);
    assert_int_equal(
        validate(&r, f, "{\"f\": {\"status\": \"CANCELED\"}}", NULL), 0);
    json_t *status = json_object_get(coerced(&r, "f"), "status");
    assert_true(json_is_array(status));
    assert_string_equal(json_string_value(json_array_get(status, 0)),
                        "CANCELED");
    run_free(&r);
    assert_int_equal(validate(&r, q, NULL, NULL), 0);
    assert_null(json_object_get(r.vars, "first"));
    run_free(&r);
    assert_int_equal(validate(&r, q, "{\"first\": null}", NULL), 0);
    assert_true(json_is_null(coerced(&r, "first")));
    run_free(&r);
}

static void test_overlapping_fields(void **state)
{
    (void)state;
    expect_error("{ allUsers { x: id x: email } }", NULL,
                 "Field 'x' has a field conflict: id or email?");
    expect_error("{ c: client(id: \"a\") { id } c: client(id: \"b\") { id } }",
                 NULL,
                 "Field 'c' has an argument conflict: {id: \"a\"} or {id: "
                 "\"b\"}?");
    expect_error("{ client(id: \"a\") { x: id } client(id: \"a\") { x: "
                 "companyName } }",
                 NULL, "Field 'x' has a field conflict: id or companyName?");
    expect_error("{ allUsers { ...A ...B } } fragment A on PrivateUser { x: "
                 "id } fragment B on PrivateUser { x: email }",
                 NULL, "Field 'x' has a field conflict");
    expect_valid("{ allUsers { id id } allUsers { email } }", NULL);
    expect_valid("{ c: client(id: \"a\") { id } c: client(id: \"a\") { "
                 "companyName } }",
                 NULL);
}

static int count_fields(const gql_field *f)
{
    int n = 0;
    for (; f; f = f->next)
        n++;
    return n;
}

static void test_flattening_for_execution(void **state)
{
    (void)state;
    run r;
    assert_int_equal(
        validate(&r,
                 "query Q($yes: Boolean!) { allUsers { ...U id @skip(if: "
                 "$yes) ... @include(if: $yes) { email } ... on PrivateUser "
                 "{ firstName } } allUsers { lastName } } fragment U on "
                 "PrivateUser { id }",
                 "{\"yes\": true}", NULL),
        0);
    gql_field *users = r.op->selections;
    assert_int_equal(count_fields(users), 1); /* merged by response key */
    assert_int_equal(users->kind, GQL_SEL_FIELD);
    const char *want[] = {"id", "email", "firstName", "lastName"};
    gql_field *f = users->selections;
    assert_int_equal(count_fields(f), 4);
    for (int i = 0; i < 4; i++, f = f->next) {
        assert_int_equal(f->kind, GQL_SEL_FIELD);
        assert_string_equal(f->name, want[i]);
        assert_non_null(f->def);
        assert_int_equal(f->duplicate, 0);
    }
    run_free(&r);

    assert_int_equal(
        validate(&r,
                 "query Q($yes: Boolean!) { allUsers { id @include(if: $yes) "
                 "email } }",
                 "{\"yes\": false}", NULL),
        0);
    assert_int_equal(count_fields(r.op->selections->selections), 1);
    assert_string_equal(r.op->selections->selections->name, "email");
    run_free(&r);
}

static void test_error_shape(void **state)
{
    (void)state;
    run r;
    assert_int_equal(validate(&r,
                              "query Pull {\n  allUsers {\n    nope\n  }\n}",
                              NULL, NULL),
                     1);
    json_t *e = json_array_get(r.errors, 0);
    json_t *loc = json_array_get(json_object_get(e, "locations"), 0);
    assert_int_equal(json_integer_value(json_object_get(loc, "line")), 3);
    assert_int_equal(json_integer_value(json_object_get(loc, "column")), 5);
    json_t *path = json_object_get(e, "path");
    assert_int_equal(json_array_size(path), 3);
    assert_string_equal(json_string_value(json_array_get(path, 0)),
                        "query Pull");
    assert_string_equal(json_string_value(json_array_get(path, 2)), "nope");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(e, "extensions"), "code")),
                        "undefinedField");
    run_free(&r);
}

static void test_error_messages_stay_utf8(void **state)
{
    (void)state;
    /* A literal with bytes that are not UTF-8, and one cut mid-character
     * by the message's length limit: the error must still be there. */
    char src[1200];
    snprintf(src, sizeof(src),
             "{ allClients(first: \"a\xff\xfe\") { nodes { id } } }");
    expect_error(src, NULL, "invalid value (\"a??\")");
    size_t n = (size_t)snprintf(src, sizeof(src), "{ allClients(first: \"");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(src + n, sizeof(src) - n, "\xc3\xa9");
    snprintf(src + n, sizeof(src) - n, "\") { nodes { id } } }");
    expect_error(src, NULL, "Argument 'first' on Field 'allClients'");
}

/* The JSON an argument's literal stands for, typed by its position. */
static void expect_literal(const char *arg_type_field, const char *arg,
                           const char *literal, const char *want)
{
    const gsim_schema *s = gsim_schema_gazelle();
    gsim_arena arena = GSIM_ARENA_INIT;
    gql_document *doc = NULL;
    gql_error err;
    char src[300];
    snprintf(src, sizeof(src), "{ f(a: %s) }", literal);
    assert_int_equal(gql_parse(&doc, &arena, src, strlen(src), &err), 0);
    const gsim_sfield *f = gsim_stype_field(s->query, arg_type_field);
    const gsim_sarg *a = gsim_sfield_arg(f, arg);
    json_t *vars = json_pack("{s:s}", "v", "CREATED_AT_DESC");
    json_t *got = gsim_literal_json(doc->operations->selections->args->value,
                                    a->type, vars);
    char *text = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    assert_non_null(text);
    assert_string_equal(text, want);
    free(text);
    json_decref(got);
    json_decref(vars);
    gsim_arena_free(&arena);
}

static void test_literal_json_follows_the_position_type(void **state)
{
    (void)state;
    expect_literal("allClients", "sortBy", "CREATED_AT_ASC",
                   "[\"CREATED_AT_ASC\"]");
    expect_literal("allClients", "sortBy", "[CREATED_AT_ASC, $v]",
                   "[\"CREATED_AT_ASC\",\"CREATED_AT_DESC\"]");
    expect_literal("allClients", "first", "7", "7");
    expect_literal("driveTimes", "sourceLat", "45", "45.0");
    expect_literal("allEventsBatched", "filters",
                   "{clientId: \"cli_1\", status: CANCELED, search: null}",
                   "{\"clientId\":[\"cli_1\"],\"status\":[\"CANCELED\"],"
                   "\"search\":null}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operation_choice),
        cmocka_unit_test(test_fields_exist_and_are_annotated),
        cmocka_unit_test(test_leaf_selections),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_literal_values),
        cmocka_unit_test(test_input_objects),
        cmocka_unit_test(test_custom_scalars_take_any_value),
        cmocka_unit_test(test_directives),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_fragment_expansion_is_bounded),
        cmocka_unit_test(test_variable_definitions),
        cmocka_unit_test(test_variable_usages),
        cmocka_unit_test(test_variable_mismatch_names_a_deep_type_whole),
        cmocka_unit_test(test_variable_values),
        cmocka_unit_test(test_overlapping_fields),
        cmocka_unit_test(test_flattening_for_execution),
        cmocka_unit_test(test_error_shape),
        cmocka_unit_test(test_error_messages_stay_utf8),
        cmocka_unit_test(test_literal_json_follows_the_position_type),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    gsim_schema_release();
    return failed;
}

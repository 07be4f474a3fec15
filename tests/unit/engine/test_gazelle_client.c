/* engine/gazelle_*.c: the GraphQL client against the local test server
 * (single and packed requests), the page reader and the fixed documents. */
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
#include "test_server.h"

typedef struct {
    int calls;
    char access[128];
    char refresh[128];
} saved_tokens;

typedef struct {
    gs_test_server *srv;
    gs_http *http;
    gs_gazelle *client;
    char api_url[256];
    saved_tokens saved;
} fixture;

static int save_tokens(void *ctx, const char *access, const char *refresh)
{
    saved_tokens *s = ctx;
    s->calls++;
    snprintf(s->access, sizeof s->access, "%s", access ? access : "(null)");
    snprintf(s->refresh, sizeof s->refresh, "%s", refresh ? refresh : "(null)");
    return GS_OK;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    gs_http_opts hopts = {0};
    gs_gazelle_opts gopts = {0};

    assert_non_null(f);
    assert_int_equal(gs_test_server_start(&f->srv), 0);
    hopts.backoff_base_ms = 5;
    hopts.max_attempts = 2;
    /* short, for the packed request that times out; every other answer
     * of the test server comes at once */
    hopts.timeout_ms = 1000;
    hopts.label = "gazelle";
    assert_int_equal(gs_http_new(&f->http, &hopts), GS_OK);
    snprintf(f->api_url, sizeof f->api_url, "%s/graphql/private/",
             gs_test_server_url(f->srv));
    gopts.api_url = f->api_url;
    gopts.access_token = "old-access";
    gopts.refresh_token = "old-refresh";
    gopts.client_id = "cid";
    gopts.client_secret = "s&cret=1";
    gopts.save_tokens = save_tokens;
    gopts.save_ctx = &f->saved;
    assert_int_equal(gs_gazelle_new(&f->client, f->http, &gopts), GS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gs_gazelle_free(f->client);
    gs_http_free(f->http);
    gs_test_server_stop(f->srv);
    free(f);
    return 0;
}

static const char *DOC =
    "query Q($first: Int) { allUsers(first: $first) "
    "{ nodes { id } pageInfo { hasNextPage endCursor } } }";

static int run(fixture *f, json_t **data)
{
    json_t *vars = json_pack("{s:i}", "first", 100);
    int rc = gs_gazelle_query(data, f->client, DOC, vars, "users page 1");
    json_decref(vars);
    return rc;
}

static char *header_of(fixture *f, size_t i, const char *name)
{
    const gs_test_request *r = gs_test_server_request(f->srv, i);
    assert_non_null(r);
    return gs_test_request_header(r, name);
}

static void test_gazelle_query_sends_document_and_variables(void **state)
{
    fixture *f = *state;
    json_t *data = NULL;
    json_t *vars =
        json_pack("{s:i,s:s}", "first", 50, "after", "\"}) { evil }");
    gs_test_server_push_json(f->srv, 200, "{\"data\":{\"x\":1}}");
    assert_int_equal(gs_gazelle_query(&data, f->client, DOC, vars, "q"), GS_OK);
    assert_int_equal(json_integer_value(json_object_get(data, "x")), 1);
    json_decref(data);

    const gs_test_request *r = gs_test_server_request(f->srv, 0);
    assert_string_equal(r->method, "POST");
    assert_string_equal(r->path, "/graphql/private/");
    json_t *sent = json_loads(r->body, 0, NULL);
    assert_non_null(sent);
    /* the document goes as written; values only in variables */
    assert_string_equal(json_string_value(json_object_get(sent, "query")), DOC);
    assert_true(json_equal(json_object_get(sent, "variables"), vars));
    assert_null(
        strstr(json_string_value(json_object_get(sent, "query")), "evil"));
    json_decref(sent);
    json_decref(vars);
    char *ct = header_of(f, 0, "Content-Type");
    assert_string_equal(ct, "application/json");
    free(ct);
    char *auth = header_of(f, 0, "Authorization");
    assert_string_equal(auth, "Bearer old-access");
    free(auth);
    assert_int_equal(gs_gazelle_requests(f->client), 1);
}

static void test_gazelle_api_key_header(void **state)
{
    fixture *f = *state;
    gs_gazelle *client;
    gs_gazelle_opts o = {.api_url = f->api_url, .api_key = "key123"};
    json_t *data = NULL;
    assert_int_equal(gs_gazelle_new(&client, f->http, &o), GS_OK);
    gs_test_server_push_json(f->srv, 200, "{\"data\":{}}");
    assert_int_equal(gs_gazelle_query(&data, client, DOC, NULL, "q"), GS_OK);
    json_decref(data);
    char *key = header_of(f, 0, "x-gazelle-api-key");
    assert_string_equal(key, "key123");
    free(key);
    assert_null(header_of(f, 0, "Authorization"));
    const gs_test_request *r = gs_test_server_request(f->srv, 0);
    json_t *sent = json_loads(r->body, 0, NULL);
    assert_true(json_is_object(json_object_get(sent, "variables")));
    json_decref(sent);
    /* 401 with an API key: no refresh possible, GS_EAUTH at once */
    gs_test_server_push_json(f->srv, 401, "{}");
    assert_int_equal(gs_gazelle_query(&data, client, DOC, NULL, "q"), GS_EAUTH);
    assert_int_equal(gs_test_server_request_count(f->srv), 2);
    gs_gazelle_free(client);
}

static void test_gazelle_errors_in_200_is_eproto(void **state)
{
    fixture *f = *state;
    json_t *data = (json_t *)1;
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allUsers\":null},\"errors\":[{\"message\":"
        "\"Field 'bogus' doesn't exist\"},{\"message\":\"second\"}]}");
    assert_int_equal(run(f, &data), GS_EPROTO);
    assert_null(data);
    const char *msg = gs_error_last()->message;
    assert_non_null(strstr(msg, "users page 1"));
    assert_non_null(strstr(msg, "Field 'bogus' doesn't exist"));
    assert_non_null(strstr(msg, "second"));
    assert_non_null(strstr(msg, "partial data"));
}

static void test_gazelle_not_json_and_truncated_is_eproto(void **state)
{
    fixture *f = *state;
    json_t *data = NULL;
    gs_test_server_push(
        f->srv, &(gs_test_response){.status = 200, .body = "<html>oops"});
    assert_int_equal(run(f, &data), GS_EPROTO);
    assert_non_null(strstr(gs_error_last()->message,
                           "users page 1: answer is not JSON "
                           "(10 bytes; "));
    /* jansson's own reason and place, to tell HTML from a cut body */
    assert_non_null(strstr(gs_error_last()->message, "line 1, column"));
    gs_test_server_push_json(f->srv, 200, "{\"data\":{\"allUsers\":{\"nod");
    assert_int_equal(run(f, &data), GS_EPROTO);
    gs_test_server_push_json(f->srv, 200, "{\"errors\":[]}");
    assert_int_equal(run(f, &data), GS_EPROTO);
    assert_non_null(strstr(gs_error_last()->message, "no data"));
    assert_null(data);
}

static void test_gazelle_refresh_on_401_then_retry(void **state)
{
    fixture *f = *state;
    json_t *data = NULL;
    gs_test_server_push_json(f->srv, 401, "{\"error\":\"expired\"}");
    gs_test_server_push_json(f->srv, 200,
                             "{\"access_token\":\"new-access\","
                             "\"refresh_token\":\"new-refresh\","
                             "\"expires_in\":7200,\"created_at\":1}");
    gs_test_server_push_json(f->srv, 200, "{\"data\":{\"ok\":true}}");
    assert_int_equal(run(f, &data), GS_OK);
    assert_true(json_is_true(json_object_get(data, "ok")));
    json_decref(data);
    assert_int_equal(f->saved.calls, 1);
    assert_string_equal(f->saved.access, "new-access");
    assert_string_equal(f->saved.refresh, "new-refresh");
    assert_int_equal(gs_gazelle_requests(f->client), 3);

    const gs_test_request *refresh = gs_test_server_request(f->srv, 1);
    assert_string_equal(refresh->method, "POST");
    assert_string_equal(refresh->path, "/developer/oauth/token");
    assert_string_equal(refresh->body,
                        "grant_type=refresh_token&refresh_token=old-refresh"
                        "&client_id=cid&client_secret=s%26cret%3D1");
    char *ct = header_of(f, 1, "Content-Type");
    assert_string_equal(ct, "application/x-www-form-urlencoded");
    free(ct);
    char *auth = header_of(f, 2, "Authorization");
    assert_string_equal(auth, "Bearer new-access");
    free(auth);

    /* the new token is used from then on, without another refresh */
    gs_test_server_push_json(f->srv, 200, "{\"data\":{}}");
    assert_int_equal(run(f, &data), GS_OK);
    json_decref(data);
    auth = header_of(f, 3, "Authorization");
    assert_string_equal(auth, "Bearer new-access");
    free(auth);
    assert_int_equal(f->saved.calls, 1);
}

static void test_gazelle_refresh_keeps_old_refresh_token(void **state)
{
    fixture *f = *state;
    json_t *data = NULL;
    gs_test_server_push_json(f->srv, 401, "{}");
    gs_test_server_push_json(f->srv, 200,
                             "{\"access_token\":\"a2\",\"expires_in\":60}");
    gs_test_server_push_json(f->srv, 200, "{\"data\":{}}");
    assert_int_equal(run(f, &data), GS_OK);
    json_decref(data);
    assert_int_equal(f->saved.calls, 1);
    assert_string_equal(f->saved.access, "a2");
    assert_string_equal(f->saved.refresh, "old-refresh");
}

static void test_gazelle_second_401_is_eauth(void **state)
{
    fixture *f = *state;
    json_t *data = NULL;
    gs_test_server_push_json(f->srv, 401, "{}");
    gs_test_server_push_json(f->srv, 200, "{\"access_token\":\"a2\"}");
    gs_test_server_push_json(f->srv, 401, "{}");
    gs_test_server_push_json(f->srv, 200, "{\"data\":{}}");
    assert_int_equal(run(f, &data), GS_EAUTH);
    assert_null(data);
    assert_int_equal(gs_gazelle_requests(f->client), 3);
    assert_int_equal(gs_test_server_pending(f->srv), 1);
    assert_int_equal(gs_error_last()->http_status, 401);
    assert_null(strstr(gs_error_last()->message, "a2"));
}

static void test_gazelle_refused_refresh_is_eauth(void **state)
{
    fixture *f = *state;
    json_t *data = NULL;
    gs_test_server_push_json(f->srv, 401, "{}");
    gs_test_server_push_json(f->srv, 400, "{\"error\":\"invalid_grant\"}");
    assert_int_equal(run(f, &data), GS_EAUTH);
    const char *msg = gs_error_last()->message;
    assert_non_null(strstr(msg, "invalid_grant"));
    assert_null(strstr(msg, "old-refresh"));
    assert_null(strstr(msg, "s&cret"));
    assert_int_equal(f->saved.calls, 0);
}

static void test_gazelle_status_errors(void **state)
{
    fixture *f = *state;
    json_t *data = NULL;
    gs_test_server_push_json(f->srv, 403, "{}");
    assert_int_equal(run(f, &data), GS_EAUTH);
    gs_test_server_push_json(f->srv, 404, "{}");
    assert_int_equal(run(f, &data), GS_EHTTP);
    assert_int_equal(gs_error_last()->http_status, 404);
    assert_non_null(strstr(gs_error_last()->message, "users page 1"));
    gs_test_server_push_json(f->srv, 429, "{}");
    gs_test_server_push_json(f->srv, 429, "{}");
    assert_int_equal(run(f, &data), GS_ERATELIMIT);
    gs_test_server_push_json(f->srv, 503, "{}");
    gs_test_server_push_json(f->srv, 503, "{}");
    assert_int_equal(run(f, &data), GS_EHTTP);
    assert_int_equal(gs_error_last()->http_status, 503);
    assert_non_null(strstr(gs_error_last()->message, "users page 1"));
    assert_int_equal(gs_gazelle_requests(f->client), 6);
}

/* ---- pages ----------------------------------------------------------- */

static void test_page_reads_nodes(void **state)
{
    (void)state;
    gs_gazelle_page page;
    json_t *data = json_loads(
        "{\"allClients\":{\"nodes\":[{\"id\":\"cli_1\"},{\"id\":\"cli_2\"}],"
        "\"pageInfo\":{\"hasNextPage\":true,\"endCursor\":\"c2\"}}}",
        0, NULL);
    assert_int_equal(gs_gazelle_page_parse(&page, data, "allClients"), GS_OK);
    assert_int_equal(json_array_size(page.nodes), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(page.nodes, 1), "id")),
        "cli_2");
    assert_true(page.has_next_page);
    assert_string_equal(page.end_cursor, "c2");
    gs_gazelle_page_free(&page);
    json_decref(data);
}

static void test_page_reads_edges(void **state)
{
    (void)state;
    gs_gazelle_page page;
    json_t *data =
        json_loads("{\"allPianos\":{\"edges\":[{\"node\":{\"id\":\"pno_1\"}}],"
                   "\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":null}}}",
                   0, NULL);
    assert_int_equal(gs_gazelle_page_parse(&page, data, "allPianos"), GS_OK);
    assert_int_equal(json_array_size(page.nodes), 1);
    assert_false(page.has_next_page);
    assert_null(page.end_cursor);
    gs_gazelle_page_free(&page);
    json_decref(data);
}

static void expect_bad_page(const char *json, const char *root)
{
    gs_gazelle_page page;
    json_t *data = json_loads(json, 0, NULL);
    assert_non_null(data);
    assert_int_equal(gs_gazelle_page_parse(&page, data, root), GS_EPROTO);
    assert_non_null(strstr(gs_error_last()->message, root));
    assert_null(page.nodes);
    json_decref(data);
}

static void test_page_bad_shapes_are_eproto(void **state)
{
    (void)state;
    expect_bad_page("{\"allUsers\":null}", "allUsers");
    expect_bad_page("{}", "allUsers");
    expect_bad_page("{\"allUsers\":{\"nodes\":{},\"pageInfo\":"
                    "{\"hasNextPage\":false}}}",
                    "allUsers");
    expect_bad_page("{\"allUsers\":{\"nodes\":[{\"id\":\"a\"},3],\"pageInfo\":"
                    "{\"hasNextPage\":false}}}",
                    "allUsers");
    expect_bad_page("{\"allUsers\":{\"edges\":[{\"node\":null}],\"pageInfo\":"
                    "{\"hasNextPage\":false}}}",
                    "allUsers");
    expect_bad_page("{\"allUsers\":{\"nodes\":[]}}", "allUsers");
    expect_bad_page("{\"allUsers\":{\"nodes\":[],\"pageInfo\":"
                    "{\"hasNextPage\":true,\"endCursor\":null}}}",
                    "allUsers");
}

/* ---- documents ------------------------------------------------------- */

/* Flattens a GraphQL document's selections into dotted paths
 * ("allClients.nodes.defaultContact.id"), leaves marked with a trailing
 * '!' entry so the test can tell a leaf from an object. Arguments in
 * parentheses are skipped. */
typedef struct {
    char paths[512][160];
    int leaf[512];
    int n;
} selections;

static const char *parse_set(selections *s, const char *p, const char *prefix)
{
    char last[160] = "";
    int last_idx = -1;
    while (*p) {
        if (isspace((unsigned char)*p)) {
            p++;
        } else if (*p == '(') {
            int depth = 0;
            do {
                depth += *p == '(';
                depth -= *p == ')';
                p++;
            } while (*p && depth);
        } else if (*p == '{') {
            assert_true(last_idx >= 0);
            s->leaf[last_idx] = 0;
            p = parse_set(s, p + 1, s->paths[last_idx]);
        } else if (*p == '}') {
            return p + 1;
        } else if (isalnum((unsigned char)*p) || *p == '_') {
            size_t n = 0;
            while (isalnum((unsigned char)p[n]) || p[n] == '_')
                n++;
            snprintf(last, sizeof last, "%.*s", (int)n, p);
            assert_true(s->n < 512);
            /* a path too long for the table would compare cut */
            assert_true((size_t)snprintf(s->paths[s->n], sizeof s->paths[0],
                                         "%s%s%s", prefix, *prefix ? "." : "",
                                         last) < sizeof s->paths[0]);
            s->leaf[s->n] = 1;
            last_idx = s->n++;
            p += n;
        } else {
            fail_msg("unexpected character '%c' in document", *p);
        }
    }
    return p;
}

static void flatten(selections *s, const char *doc)
{
    const char *body = strchr(doc, '{'); /* after "query Name(vars)" */
    assert_non_null(body);
    s->n = 0;
    parse_set(s, body + 1, "");
}

static int find_leaf(const selections *s, const char *path)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->paths[i], path) == 0)
            return s->leaf[i];
    return -1;
}

/* "allEventPianos.nodes[].piano.id" -> "allEventPianos.nodes.piano.id" */
static void strip_brackets(char *out, size_t size, const char *path)
{
    size_t j = 0;
    for (size_t i = 0; path[i] && j + 1 < size; i++)
        if (path[i] != '[' && path[i] != ']')
            out[j++] = path[i];
    out[j] = '\0';
}

static void check_entity_paths(const gs_entity *e, const selections *s,
                               const char *prefix)
{
    for (size_t c = 0; c < e->n_columns; c++) {
        char plain[160], full[400];
        /* contacts: client_id comes from the client */
        if (e->id == GS_ENTITY_CONTACTS &&
            strcmp(e->columns[c].path, "clientId") == 0)
            continue;
        strip_brackets(plain, sizeof plain, e->columns[c].path);
        snprintf(full, sizeof full, "%s.%s", prefix, plain);
        /* a JSON column may hold a whole object (event_pianos) */
        if (find_leaf(s, full) != 1 &&
            !(e->columns[c].type == GS_COL_JSON && find_leaf(s, full) == 0))
            fail_msg("%s: column %s: path %s is not selected as a leaf",
                     e->name, e->columns[c].name, full);
    }
}

static void test_documents_select_every_mapped_path(void **state)
{
    (void)state;
    static selections s;
    for (int id = 0; id < GS_ENTITY_COUNT; id++) {
        const gs_entity *e = gs_entity_get((gs_entity_id)id);
        char prefix[128];
        const gs_entity *owner = e;
        if (e->id == GS_ENTITY_CONTACTS) {
            owner = gs_entity_get(GS_ENTITY_CLIENTS);
            assert_null(gs_gazelle_document(e));
        }
        const char *doc = gs_gazelle_document(owner);
        const char *conn = e->id == GS_ENTITY_CONTACTS
                               ? "allClients.nodes.allContacts"
                               : owner->root_field;
        char full[400];

        assert_non_null(doc);
        flatten(&s, doc);
        if (e->id == GS_ENTITY_USERS) {
            /* a plain list: the nodes are the list, no paging at all */
            check_entity_paths(e, &s, owner->root_field);
            assert_null(strstr(doc, "$first"));
            assert_null(strstr(doc, "pageInfo"));
            continue;
        }
        snprintf(prefix, sizeof prefix, "%s.nodes", conn);
        check_entity_paths(e, &s, prefix);
        /* the updated stamp and paging fields are there too */
        snprintf(full, sizeof full, "%s.nodes.%s", conn, e->updated_path);
        assert_int_equal(find_leaf(&s, full), 1);
        snprintf(full, sizeof full, "%s.pageInfo.hasNextPage", conn);
        assert_int_equal(find_leaf(&s, full), 1);
        snprintf(full, sizeof full, "%s.pageInfo.endCursor", conn);
        assert_int_equal(find_leaf(&s, full), 1);
        snprintf(full, sizeof full, "%s.totalCount", conn);
        assert_int_equal(find_leaf(&s, full), 1);
        /* first/after are variables, declared with their types */
        assert_non_null(strstr(doc, "$first: Int"));
        assert_non_null(strstr(doc, "$after: String"));
        assert_non_null(strstr(doc, "first: $first, after: $after"));
    }
    /* the follow-up for long contact lists selects the same paths */
    flatten(&s, gs_gazelle_contacts_document());
    check_entity_paths(gs_entity_get(GS_ENTITY_CONTACTS), &s,
                       "client.allContacts.nodes");
    assert_int_equal(find_leaf(&s, "client.allContacts.pageInfo.endCursor"), 1);
    const char *d = gs_gazelle_document(gs_entity_get(GS_ENTITY_CLIENTS));
    assert_non_null(strstr(d, "$sortBy: [ClientSort!]"));
    d = gs_gazelle_document(gs_entity_get(GS_ENTITY_PIANOS));
    assert_non_null(strstr(d, "$sortBy: [PianoSort!]"));
    d = gs_gazelle_document(gs_entity_get(GS_ENTITY_APPOINTMENTS));
    assert_non_null(strstr(d, "$filters: PrivateAllEventsFilter"));
    assert_non_null(strstr(d, "$sortBy: [EventSort!]"));
    d = gs_gazelle_document(gs_entity_get(GS_ENTITY_TIMELINE));
    assert_non_null(strstr(d, "$occurredAtGet: CoreDateTime"));
    /* fields the real schema lacks are never asked for */
    d = gs_gazelle_document(gs_entity_get(GS_ENTITY_USERS));
    assert_null(strstr(d, "phone"));
    assert_null(strstr(d, "role"));
    d = gs_gazelle_document(gs_entity_get(GS_ENTITY_TIMELINE));
    assert_null(strstr(d, "createdAt"));
    assert_null(strstr(d, "updatedAt"));
}

/* allUsers is a plain list: one complete page, its size the total. */
static void test_page_reads_a_plain_list_as_one_page(void **state)
{
    gs_gazelle_page page;
    json_t *data = json_loads("{\"allUsers\":[{\"id\":\"usr_1\"},"
                              "{\"id\":\"usr_2\"}]}",
                              0, NULL);

    (void)state;
    assert_int_equal(gs_gazelle_page_parse(&page, data, "allUsers"), GS_OK);
    assert_int_equal(json_array_size(page.nodes), 2);
    assert_false(page.has_next_page);
    assert_null(page.end_cursor);
    assert_int_equal(page.total_count, 2);
    gs_gazelle_page_free(&page);
    json_decref(data);
    /* a list holding something else than objects is still refused */
    expect_bad_page("{\"allUsers\":[{\"id\":\"a\"},7]}", "allUsers");
    /* a connection root answering a list is a shape error, never one
     * complete page (an empty one would sweep the whole table) */
    expect_bad_page("{\"allClients\":[]}", "allClients");
}

/* totalCount is read when there, -1 when not, refused when not a count. */
static void test_page_reads_total_count(void **state)
{
    gs_gazelle_page page;
    json_t *data = json_loads("{\"allPianos\":{\"totalCount\":41,"
                              "\"nodes\":[],\"pageInfo\":{\"hasNextPage\":"
                              "false}}}",
                              0, NULL);

    (void)state;
    assert_int_equal(gs_gazelle_page_parse(&page, data, "allPianos"), GS_OK);
    assert_int_equal(page.total_count, 41);
    gs_gazelle_page_free(&page);
    json_decref(data);
    data = json_loads("{\"allPianos\":{\"nodes\":[],\"pageInfo\":"
                      "{\"hasNextPage\":false}}}",
                      0, NULL);
    assert_int_equal(gs_gazelle_page_parse(&page, data, "allPianos"), GS_OK);
    assert_int_equal(page.total_count, -1);
    gs_gazelle_page_free(&page);
    json_decref(data);
    expect_bad_page("{\"allPianos\":{\"totalCount\":\"many\",\"nodes\":"
                    "[],\"pageInfo\":{\"hasNextPage\":false}}}",
                    "allPianos");
}

static void test_oauth_url_derived_from_api_origin(void **state)
{
    fixture *f = *state;
    gs_gazelle *client;
    gs_gazelle_opts o = {.api_url =
                             "https://gazelleapp.io:8443/graphql/private/?x=1",
                         .access_token = "t"};
    /* derived URL is exercised by the refresh test's request path; here
     * only that a URL without scheme is refused */
    assert_int_equal(gs_gazelle_new(&client, f->http, &o), GS_OK);
    gs_gazelle_free(client);
    o.api_url = "gazelleapp.io/graphql";
    assert_int_equal(gs_gazelle_new(&client, f->http, &o), GS_ECONFIG);
    assert_null(client);
}

/* ---- packed requests (gazelle_packed.c)
 * ----------------------------------------------------- */

typedef struct {
    gs_gazelle_part parts[2];
    json_t *answers[2];
} two_parts;

static void two_parts_init(two_parts *t)
{
    t->parts[0].entity = gs_entity_get(GS_ENTITY_PIANOS);
    t->parts[0].variables = json_pack("{s:i,s:s}", "first", 2, "after", "c9");
    t->parts[1].entity = gs_entity_get(GS_ENTITY_USERS);
    t->parts[1].variables = json_object();
    /* set, so that a failure that leaves them is seen */
    t->answers[0] = t->answers[1] = json_true();
}

static void two_parts_free(two_parts *t)
{
    json_decref(t->parts[0].variables);
    json_decref(t->parts[1].variables);
    json_decref(t->answers[0]);
    json_decref(t->answers[1]);
}

static int ask(fixture *f, two_parts *t)
{
    return gs_gazelle_query_packed(t->answers, f->client, t->parts, 2,
                                   "request 3: pianos 1, users 1");
}

static void test_packed_answers_read_as_single_pages(void **state)
{
    fixture *f = *state;
    two_parts t;
    gs_gazelle_page page;
    const gs_test_request *r;
    json_t *body;
    char *doc;

    two_parts_init(&t);
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"p0\":{\"totalCount\":7,\"nodes\":[{\"id\":\"pia_1\"},"
        "{\"id\":\"pia_2\"}],\"pageInfo\":{\"hasNextPage\":true,"
        "\"endCursor\":\"c11\"}},\"p1\":[{\"id\":\"usr_1\"}]}}");
    assert_int_equal(ask(f, &t), GS_OK);
    /* one request, carrying the packed document and renamed variables */
    assert_int_equal(gs_test_server_request_count(f->srv), 1);
    r = gs_test_server_request(f->srv, 0);
    body = json_loads(r->body, 0, NULL);
    assert_non_null(body);
    doc = gs_gazelle_packed_document(t.parts, 2);
    assert_string_equal(json_string_value(json_object_get(body, "query")), doc);
    free(doc);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(body, "variables"), "p0_first")),
                     2);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(body, "variables"), "p0_after")),
                        "c9");
    json_decref(body);
    /* each answer is a page the page reader reads as if asked alone */
    assert_int_equal(gs_gazelle_page_parse(&page, t.answers[0], "allPianos"),
                     GS_OK);
    assert_int_equal(json_array_size(page.nodes), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(page.nodes, 1), "id")),
        "pia_2");
    assert_true(page.has_next_page);
    assert_string_equal(page.end_cursor, "c11");
    assert_int_equal(page.total_count, 7);
    gs_gazelle_page_free(&page);
    assert_int_equal(gs_gazelle_page_parse(&page, t.answers[1], "allUsers"),
                     GS_OK);
    assert_int_equal(json_array_size(page.nodes), 1);
    assert_false(page.has_next_page);
    gs_gazelle_page_free(&page);
    two_parts_free(&t);
}

static void test_packed_missing_alias_is_eproto(void **state)
{
    fixture *f = *state;
    two_parts t;

    two_parts_init(&t);
    gs_test_server_push_json(f->srv, 200,
                             "{\"data\":{\"p0\":{\"nodes\":[],\"pageInfo\":"
                             "{\"hasNextPage\":false}}}}");
    assert_int_equal(ask(f, &t), GS_EPROTO);
    assert_non_null(strstr(gs_error_last()->message, "request 3"));
    assert_non_null(strstr(gs_error_last()->message, "p1"));
    assert_non_null(strstr(gs_error_last()->message, "users"));
    /* on failure no answer is left, not even the one that came */
    assert_null(t.answers[0]);
    assert_null(t.answers[1]);
    two_parts_free(&t);
}

/* Asks the two parts after the test queued the answers: the code. Whatever
 * it is, the request is named and no answer is left. */
static int ask_failing(fixture *f)
{
    two_parts t;
    int rc;

    two_parts_init(&t);
    rc = ask(f, &t);
    assert_null(t.answers[0]);
    assert_null(t.answers[1]);
    assert_non_null(strstr(gs_error_last()->message, "request 3"));
    two_parts_free(&t);
    return rc;
}

/* A 200 with one GraphQL error @p message: the code it gives. */
static int graphql_refusal(fixture *f, const char *message)
{
    json_t *answer = json_pack("{s:[{s:s}]}", "errors", "message", message);
    char *text = json_dumps(answer, JSON_COMPACT);

    assert_non_null(text);
    gs_test_server_push_json(f->srv, 200, text);
    json_decref(answer);
    free(text);
    return ask_failing(f);
}

static void test_packed_graphql_ruby_refusals_are_etoobig(void **state)
{
    fixture *f = *state;

    assert_int_equal(graphql_refusal(f, "Query has complexity of 40502, "
                                        "which exceeds max complexity of "
                                        "20000"),
                     GS_ETOOBIG);
    assert_non_null(strstr(gs_error_last()->message, "40502"));
    assert_int_equal(gs_error_last()->klass, GS_ECLASS_GAZELLE);
    assert_int_equal(graphql_refusal(f, "This query is too large to execute."),
                     GS_ETOOBIG);
    assert_int_equal(graphql_refusal(f, "Query has depth of 16, which exceeds "
                                        "max depth of 15"),
                     GS_ETOOBIG);
    /* other GraphQL errors keep their code: splitting would not help */
    assert_int_equal(graphql_refusal(f, "Field 'nope' doesn't exist on type "
                                        "'Query'"),
                     GS_EPROTO);
    assert_int_equal(graphql_refusal(f, "Query has complexity of many"),
                     GS_EPROTO);
    assert_int_equal(graphql_refusal(f, "Internal server error"), GS_EPROTO);
}

/* A status @p first, then @p second (0: none) for the retry: the code. */
static int status_refusal(fixture *f, int first, int second)
{
    gs_test_server_push_json(f->srv, first, "{}");
    if (second)
        gs_test_server_push_json(f->srv, second, "{}");
    return ask_failing(f);
}

static void test_packed_http_refusals_are_etoobig(void **state)
{
    fixture *f = *state;

    /* 413 is final at once; 502 and 504 when the retries ran out */
    assert_int_equal(status_refusal(f, 413, 0), GS_ETOOBIG);
    assert_int_equal(gs_error_last()->http_status, 413);
    assert_int_equal(status_refusal(f, 502, 502), GS_ETOOBIG);
    assert_int_equal(gs_error_last()->http_status, 502);
    assert_int_equal(status_refusal(f, 504, 504), GS_ETOOBIG);
    assert_int_equal(gs_error_last()->http_status, 504);
    assert_int_equal(gs_test_server_request_count(f->srv), 5);
    /* a service down, a server error, a bad request, bad credentials:
     * smaller requests would fail the same */
    assert_int_equal(status_refusal(f, 503, 503), GS_EHTTP);
    assert_int_equal(status_refusal(f, 500, 500), GS_EHTTP);
    assert_int_equal(status_refusal(f, 400, 0), GS_EHTTP);
    assert_int_equal(status_refusal(f, 403, 0), GS_EAUTH);
    assert_int_equal(status_refusal(f, 429, 429), GS_ERATELIMIT);
    /* a 502 that a retry got past is no refusal */
    two_parts t;
    two_parts_init(&t);
    gs_test_server_push_json(f->srv, 502, "{}");
    gs_test_server_push_json(f->srv, 200,
                             "{\"data\":{\"p0\":{\"nodes\":[],\"pageInfo\":"
                             "{\"hasNextPage\":false}},\"p1\":[]}}");
    assert_int_equal(ask(f, &t), GS_OK);
    assert_non_null(t.answers[0]);
    two_parts_free(&t);
}

static void test_packed_timeout_is_etoobig(void **state)
{
    fixture *f = *state;
    gs_test_response slow = {.status = 200, .body = "{}", .delay_ms = 2500};

    /* both attempts outlast the 1 s timeout */
    gs_test_server_push(f->srv, &slow);
    gs_test_server_push(f->srv, &slow);
    assert_int_equal(ask_failing(f), GS_ETOOBIG);
    assert_int_equal(gs_error_last()->http_status, 0);
}

/* A connection dropped without an answer is no timeout: not a refusal. */
static void test_packed_dropped_connection_is_ehttp(void **state)
{
    fixture *f = *state;
    gs_test_response dropped = {.close = 1};

    gs_test_server_push(f->srv, &dropped);
    gs_test_server_push(f->srv, &dropped);
    assert_int_equal(ask_failing(f), GS_EHTTP);
}

static void test_packed_bad_parts_are_einval(void **state)
{
    fixture *f = *state;
    gs_gazelle_part parts[1] = {{gs_entity_get(GS_ENTITY_CONTACTS), NULL}};
    json_t *answers[1] = {NULL};

    assert_int_equal(
        gs_gazelle_query_packed(answers, f->client, parts, 1, "request 1"),
        GS_EINVAL);
    assert_non_null(strstr(gs_error_last()->message, "contacts"));
    assert_int_equal(
        gs_gazelle_query_packed(answers, f->client, parts, 0, "request 1"),
        GS_EINVAL);
    /* nothing was sent */
    assert_int_equal(gs_test_server_request_count(f->srv), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_gazelle_query_sends_document_and_variables),
        T(test_gazelle_api_key_header),
        T(test_gazelle_errors_in_200_is_eproto),
        T(test_gazelle_not_json_and_truncated_is_eproto),
        T(test_gazelle_refresh_on_401_then_retry),
        T(test_gazelle_refresh_keeps_old_refresh_token),
        T(test_gazelle_second_401_is_eauth),
        T(test_gazelle_refused_refresh_is_eauth),
        T(test_gazelle_status_errors),
        T(test_oauth_url_derived_from_api_origin),
        T(test_packed_answers_read_as_single_pages),
        T(test_packed_missing_alias_is_eproto),
        T(test_packed_graphql_ruby_refusals_are_etoobig),
        T(test_packed_http_refusals_are_etoobig),
        T(test_packed_timeout_is_etoobig),
        T(test_packed_dropped_connection_is_ehttp),
        T(test_packed_bad_parts_are_einval),
        cmocka_unit_test(test_page_reads_nodes),
        cmocka_unit_test(test_page_reads_edges),
        cmocka_unit_test(test_page_bad_shapes_are_eproto),
        cmocka_unit_test(test_page_reads_a_plain_list_as_one_page),
        cmocka_unit_test(test_page_reads_total_count),
        cmocka_unit_test(test_documents_select_every_mapped_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

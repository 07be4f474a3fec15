/* The executor (resolve_*.c) on a small generated business, through the
 * same request path as the server (request.c: parse, validate, execute):
 * type-correct defaults for unmodelled fields, the connection shapes and
 * keyset paging, contacts with and without the archived ones, execution
 * errors, and the binding of the resolver tables to a schema. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "dataset.h"
#include "request.h"
#include "resolve.h"
#include "sdl.h"

static gsim_dataset business;

static int setup(void **state)
{
    gsim_params params;
    gsim_time now;
    (void)state;
    gsim_params_default(&params);
    params.users = 4;
    params.clients = 60;
    params.pianos = 80;
    params.events = 200;
    params.timeline = 300;
    if (gsim_time_parse(&now, "2026-11-25T12:00:00Z") != 0 ||
        gsim_dataset_generate(&business, 3, now, &params) != 0)
        return -1;
    return gsim_resolve_bind(gsim_schema_gazelle());
}

static int teardown(void **state)
{
    (void)state;
    gsim_resolve_unbind();
    gsim_dataset_free(&business);
    gsim_schema_release();
    return 0;
}

/* The whole answer to a query with variables (a JSON object text or
 * NULL), parsed; the caller decrefs. */
static json_t *run(const char *query, const char *vars)
{
    json_t *body = json_pack("{s:s}", "query", query);
    if (vars)
        json_object_set_new(body, "variables", json_loads(vars, 0, NULL));
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    gsim_request req;
    gsim_out out = {GS_BUF_INIT, 0};
    uint64_t pages, nodes;
    gsim_request_prepare(&req, text, strlen(text));
    gsim_request_answer(&req, &business, &out, &pages, &nodes);
    gsim_request_free(&req);
    free(text);
    assert_false(out.failed);
    json_t *answer = json_loadb(out.buf.data, out.buf.len, 0, NULL);
    if (!answer)
        print_error("not JSON: %.*s\n", (int)out.buf.len, out.buf.data);
    assert_non_null(answer);
    gs_buf_free(&out.buf);
    return answer;
}

static json_t *data_of(json_t *answer)
{
    json_t *errors = json_object_get(answer, "errors");
    if (errors) {
        char *text = json_dumps(errors, 0);
        print_error("errors: %s\n", text);
        free(text);
    }
    assert_null(errors);
    json_t *data = json_object_get(answer, "data");
    assert_true(json_is_object(data));
    return data;
}

static void test_execute_unmodelled_fields_get_type_defaults(void **state)
{
    (void)state;
    json_t *a = run("{ user { id calendarDefaultView defaultBuffer "
                    "canViewCompanyMetrics intercomUserHash calendarFontSize "
                    "sharedCalendarToken calendarIcsExportEventTypes "
                    "flags { __typename } localization { locale } "
                    "defaultUserLocalization { locale isUserDefault } } "
                    "badgeCount { __typename } allInvoiceTags }",
                    NULL);
    json_t *data = data_of(a), *u = json_object_get(data, "user");
    const gsim_stype *font =
        gsim_schema_type(gsim_schema_gazelle(), "CalendarFontSize");
    assert_non_null(font);
    assert_true(json_is_object(json_object_get(u, "calendarDefaultView")));
    assert_int_equal(
        json_object_size(json_object_get(u, "calendarDefaultView")), 0);
    assert_true(json_is_integer(json_object_get(u, "defaultBuffer")));
    assert_int_equal(json_integer_value(json_object_get(u, "defaultBuffer")),
                     0);
    assert_true(json_is_false(json_object_get(u, "canViewCompanyMetrics")));
    assert_string_equal(
        json_string_value(json_object_get(u, "intercomUserHash")), "");
    assert_string_equal(
        json_string_value(json_object_get(u, "calendarFontSize")),
        font->enum_values[0]);
    assert_true(json_is_null(json_object_get(u, "sharedCalendarToken")));
    assert_int_equal(
        json_array_size(json_object_get(u, "calendarIcsExportEventTypes")), 0);
    assert_true(
        json_is_array(json_object_get(u, "calendarIcsExportEventTypes")));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(u, "flags"), "__typename")),
                        "PrivateUserFlags");
    assert_true(json_is_null(json_object_get(u, "localization")));
    json_t *loc = json_object_get(u, "defaultUserLocalization");
    assert_string_equal(json_string_value(json_object_get(loc, "locale")), "");
    assert_true(json_is_false(json_object_get(loc, "isUserDefault")));
    /* The modelled id is the account owner's, not a default. */
    char id[32];
    gsim_id_format(id, GSIM_USER, business.users.rows[0].id);
    assert_string_equal(json_string_value(json_object_get(u, "id")), id);
    assert_true(json_is_array(json_object_get(data, "allInvoiceTags")));
    assert_int_equal(json_array_size(json_object_get(data, "allInvoiceTags")),
                     0);
    json_decref(a);
}

static int64_t client_row_of(json_t *node)
{
    const char *id = json_string_value(json_object_get(node, "id"));
    return gsim_id_row(&business, GSIM_CLIENT, gsim_id_parse(GSIM_CLIENT, id));
}

static void test_execute_pages_every_client_once(void **state)
{
    (void)state;
    int64_t prev = -1;
    const char *q = "query($a: String) { allClients(first: 7, after: $a, "
                    "sortBy: CREATED_AT_DESC) { totalCount edges { cursor "
                    "node { id } } pageInfo { hasNextPage endCursor } } }";
    char vars[160] = "{}";
    size_t seen = 0, pages = 0;
    int more = 1;
    while (more) {
        json_t *a = run(q, vars);
        json_t *conn = json_object_get(data_of(a), "allClients");
        json_t *info = json_object_get(conn, "pageInfo");
        json_t *edges = json_object_get(conn, "edges");
        assert_int_equal(
            json_integer_value(json_object_get(conn, "totalCount")),
            business.clients.count);
        size_t n = json_array_size(edges);
        assert_true(n <= 7);
        for (size_t i = 0; i < n; i++) {
            int64_t row = client_row_of(
                json_object_get(json_array_get(edges, i), "node"));
            assert_true(row >= 0);
            /* DESC by creation, ties (a bulk import) by id. */
            if (prev >= 0) {
                const gsim_client *p = &business.clients.rows[prev],
                                  *c = &business.clients.rows[row];
                assert_true(c->created_at < p->created_at ||
                            (c->created_at == p->created_at && c->id < p->id));
            }
            prev = row;
            seen++;
        }
        more = json_is_true(json_object_get(info, "hasNextPage"));
        if (more)
            snprintf(vars, sizeof(vars), "{\"a\":\"%s\"}",
                     json_string_value(json_object_get(info, "endCursor")));
        pages++;
        json_decref(a);
    }
    assert_int_equal(seen, business.clients.count);
    assert_int_equal(pages, (business.clients.count + 6) / 7);
}

static void test_execute_archived_contacts_only_on_request(void **state)
{
    (void)state;
    json_t *a = run("{ allClients(first: 200) { nodes { id defaultContact { "
                    "id } live: allContacts { nodes { id archived isDefault } "
                    "} all: allContacts(includeArchived: true) { totalCount "
                    "nodes { id archived } } } } }",
                    NULL);
    json_t *nodes =
        json_object_get(json_object_get(data_of(a), "allClients"), "nodes");
    size_t archived_total = 0, several = 0;
    assert_int_equal(json_array_size(nodes), business.clients.count);
    for (size_t i = 0; i < json_array_size(nodes); i++) {
        json_t *n = json_array_get(nodes, i);
        int64_t row = client_row_of(n);
        assert_true(row >= 0);
        const gsim_client *c = &business.clients.rows[row];
        json_t *live = json_object_get(json_object_get(n, "live"), "nodes");
        json_t *all = json_object_get(json_object_get(n, "all"), "nodes");
        size_t want_all = 0, want_live = 0;
        for (int32_t k = c->first_contact; k >= 0;
             k = business.contacts.rows[k].next) {
            want_all++;
            want_live += !business.contacts.rows[k].archived;
        }
        assert_int_equal(json_array_size(all), want_all);
        assert_int_equal(json_array_size(live), want_live);
        assert_int_equal(json_integer_value(json_object_get(
                             json_object_get(n, "all"), "totalCount")),
                         want_all);
        for (size_t j = 0; j < json_array_size(live); j++)
            assert_true(json_is_false(
                json_object_get(json_array_get(live, j), "archived")));
        archived_total += want_all - want_live;
        several += want_all > 1;
        assert_int_equal(json_is_null(json_object_get(n, "defaultContact")),
                         c->default_contact < 0);
    }
    assert_true(archived_total > 0);
    assert_true(several > 0);
    json_decref(a);
}

static void test_execute_bad_cursor_is_an_error_without_data(void **state)
{
    (void)state;
    json_t *a = run("{ allUsers { id } allPianos(after: \"bm9wZQ\") { nodes "
                    "{ id } } }",
                    NULL);
    json_t *errors = json_object_get(a, "errors");
    assert_int_equal(json_array_size(errors), 1);
    assert_non_null(strstr(json_string_value(json_object_get(
                               json_array_get(errors, 0), "message")),
                           "cursor"));
    assert_true(json_is_null(json_object_get(a, "data")));
    json_decref(a);
    a = run("{ allEventsBatched(filters: {endOn: \"2026-02-30\"}) { nodes { "
            "id } } }",
            NULL);
    assert_non_null(json_object_get(a, "errors"));
    assert_true(json_is_null(json_object_get(a, "data")));
    json_decref(a);
}

static void test_execute_typename_aliases_and_directives(void **state)
{
    (void)state;
    json_t *a = run("query($no: Boolean!) { __typename t: allTimelineEntries("
                    "first: 2) { __typename nodes { __typename who: client { "
                    "__typename } at: occurredAt @skip(if: $no) } } }",
                    "{\"no\": true}");
    json_t *data = data_of(a);
    assert_string_equal(json_string_value(json_object_get(data, "__typename")),
                        "PrivateQuery");
    json_t *t = json_object_get(data, "t");
    assert_string_equal(json_string_value(json_object_get(t, "__typename")),
                        "PrivateTimelineEntryConnection");
    json_t *node = json_array_get(json_object_get(t, "nodes"), 0);
    assert_int_equal(json_object_size(node), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(node, "who"), "__typename")),
                        "PrivateClient");
    json_decref(a);
}

static void test_execute_event_pianos_and_by_id_roots(void **state)
{
    (void)state;
    size_t row = 0;
    while (row < business.events.count && business.events.rows[row].npianos < 1)
        row++;
    assert_true(row < business.events.count);
    const gsim_event *e = &business.events.rows[row];
    char id[32], piano[32], vars[80];
    gsim_id_format(id, GSIM_EVENT, e->id);
    gsim_id_format(piano, GSIM_PIANO, business.pianos.rows[e->pianos[0]].id);
    snprintf(vars, sizeof(vars), "{\"id\":\"%s\"}", id);
    json_t *a = run("query($id: String!) { event(eventId: $id) { id "
                    "allEventPianos(first: 1) { totalCount nodes { isTuning "
                    "piano { id } } } } }",
                    vars);
    json_t *ev = json_object_get(data_of(a), "event");
    json_t *conn = json_object_get(ev, "allEventPianos");
    assert_int_equal(json_integer_value(json_object_get(conn, "totalCount")),
                     e->npianos);
    json_t *slot = json_array_get(json_object_get(conn, "nodes"), 0);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(slot, "piano"), "id")),
                        piano);
    assert_int_equal(json_is_true(json_object_get(slot, "isTuning")),
                     e->is_tuning[0]);
    json_decref(a);
    a = run("{ event(eventId: \"evt_0000000000000000\") { id } "
            "client(clientId: \"nope\") { id } }",
            NULL);
    assert_true(json_is_null(json_object_get(data_of(a), "event")));
    assert_true(json_is_null(json_object_get(data_of(a), "client")));
    json_decref(a);
}

static void test_bind_refuses_a_schema_lacking_a_modelled_field(void **state)
{
    (void)state;
    static const char sdl[] =
        "schema { query: PrivateQuery }\n"
        "type PrivateQuery { allUsers: [PrivateUser!]! }\n"
        "type PrivateUser { id: String! }\n";
    gsim_schema small;
    char err[200];
    assert_int_equal(
        gsim_schema_parse(&small, sdl, strlen(sdl), err, sizeof(err)), 0);
    assert_int_equal(gsim_resolve_bind(&small), -1);
    gsim_schema_free(&small);
    assert_int_equal(gsim_resolve_bind(gsim_schema_gazelle()), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_execute_unmodelled_fields_get_type_defaults),
        cmocka_unit_test(test_execute_pages_every_client_once),
        cmocka_unit_test(test_execute_archived_contacts_only_on_request),
        cmocka_unit_test(test_execute_bad_cursor_is_an_error_without_data),
        cmocka_unit_test(test_execute_typename_aliases_and_directives),
        cmocka_unit_test(test_execute_event_pianos_and_by_id_roots),
        cmocka_unit_test(test_bind_refuses_a_schema_lacking_a_modelled_field),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

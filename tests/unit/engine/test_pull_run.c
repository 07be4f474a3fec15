/* engine/pull*.c end to end: gs_pull_run() against the scripted test server
 * (canned Gazelle pages), with a real cache in a temporary directory. The
 * bad-data cases of the pull issue: nulls everywhere, missing and numeric
 * ids, wrong types, a huge string, invalid UTF-8, `edges` instead of
 * `nodes`.
 *
 * Two ways to refuse bad data, and why each case gets the one it gets:
 * - a ROW is refused (its page-mates kept) when the page parsed and only
 *   that node cannot be keyed (no id, an id that is not a string): the other
 *   nodes are sound, and the unmoved high-water mark makes the next run read
 *   the page again, so nothing is lost and the error repeats until fixed;
 * - a PAGE is refused as a whole when the body itself cannot be read
 *   (invalid UTF-8: jansson refuses the whole text, so there are no nodes to
 *   tell apart); nothing of it is stored and the checkpoint stays at the
 *   previous page;
 * - a value of the wrong type is not an error at all: the typed column gets
 *   NULL and `raw` keeps the truth, as upstream sent it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../store/test_store_util.h" /* store_fixture, fixture_rmdir */
#include "gazsync/gazsync.h"
#include "internal.h" /* store->db, to read rows back */
#include "test_server.h"

#define NOW "2026-03-01T12:00:00Z"

typedef struct {
    store_fixture sf; /* dir, path, store */
    gs_test_server *srv;
    gs_http *http;
    gs_gazelle *client;
    char api_url[256];
    gs_config cfg;
    gs_pull_opts opts;
    gs_pull_report report;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    gs_http_opts hopts = {0};
    gs_gazelle_opts gopts = {0};

    if (!f)
        return -1;
    snprintf(f->sf.dir, sizeof f->sf.dir, "/tmp/gs_pull_run_XXXXXX");
    if (!mkdtemp(f->sf.dir))
        return -1;
    snprintf(f->sf.path, sizeof f->sf.path, "%s/gazsync.db", f->sf.dir);
    if (gs_store_open(&f->sf.store, f->sf.path, NULL) != GS_OK)
        return -1;
    if (gs_test_server_start(&f->srv) != 0)
        return -1;
    hopts.backoff_base_ms = 1;
    hopts.max_attempts = 2;
    hopts.label = "gazelle";
    if (gs_http_new(&f->http, &hopts) != GS_OK)
        return -1;
    snprintf(f->api_url, sizeof f->api_url, "%s/graphql/private/",
             gs_test_server_url(f->srv));
    gopts.api_url = f->api_url;
    gopts.access_token = "unit-token";
    if (gs_gazelle_new(&f->client, f->http, &gopts) != GS_OK)
        return -1;
    gs_config_defaults(&f->cfg);
    f->cfg.page_size = 2;
    f->cfg.backoff_base_ms = 1;
    /* The canned answers are one page a request: the unpacked path
     * (test_pull_packed.c covers the packed one). */
    f->cfg.pack = 0;
    /* Pianos only: a delta entity with text, integer, JSON and date
     * columns, whose nodes name no technician (no users pull). */
    f->opts = (gs_pull_opts)GS_PULL_OPTS_INIT;
    f->opts.entities = 1u << GS_ENTITY_PIANOS;
    f->opts.now = NOW;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    gs_gazelle_free(f->client);
    gs_http_free(f->http);
    gs_test_server_stop(f->srv);
    gs_store_close(f->sf.store);
    gs_config_free(&f->cfg);
    fixture_rmdir(f->sf.dir);
    free(f);
    return 0;
}

/* ---- helpers ---------------------------------------------------------- */

/* Queues one allPianos page: @nodes_json is the JSON array of nodes;
 * @cursor NULL ends the connection. */
static void push_page(fixture *f, const char *nodes_json, const char *cursor)
{
    size_t size = strlen(nodes_json) + 256;
    char *body = malloc(size);
    int n;

    assert_non_null(body);
    n = snprintf(body, size,
                 "{\"data\":{\"allPianos\":{\"nodes\":%s,\"pageInfo\":{"
                 "\"hasNextPage\":%s,\"endCursor\":%s%s%s}}}}",
                 nodes_json, cursor ? "true" : "false", cursor ? "\"" : "",
                 cursor ? cursor : "null", cursor ? "\"" : "");
    assert_true(n > 0 && (size_t)n < size);
    gs_test_server_push_json(f->srv, 200, body);
    free(body);
}

static int pull(fixture *f)
{
    return gs_pull_run(&f->report, f->sf.store, f->client, &f->cfg, &f->opts);
}

static const gs_entity_report *pianos_report(fixture *f)
{
    return &f->report.entity[GS_ENTITY_PIANOS];
}

static gs_sync_state pianos_state(fixture *f)
{
    gs_sync_state st;

    assert_int_equal(
        gs_store_state_get(&st, f->sf.store, gs_entity_get(GS_ENTITY_PIANOS)),
        GS_OK);
    return st;
}

/* The value of @sql (one row, one column) as a malloc'd string; NULL when
 * the value is SQL NULL or there is no row. */
static char *query_text(fixture *f, const char *sql, const char *param)
{
    sqlite3_stmt *stmt;
    char *out = NULL;

    assert_int_equal(sqlite3_prepare_v2(f->sf.store->db, sql, -1, &stmt, NULL),
                     SQLITE_OK);
    if (param)
        sqlite3_bind_text(stmt, 1, param, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) == SQLITE_ROW &&
        sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
        const unsigned char *text = sqlite3_column_text(stmt, 0);
        int len = sqlite3_column_bytes(stmt, 0);

        out = malloc((size_t)len + 1);
        assert_non_null(out);
        memcpy(out, text, (size_t)len);
        out[len] = '\0';
    }
    sqlite3_finalize(stmt);
    return out;
}

static long long query_int(fixture *f, const char *sql, const char *param)
{
    char *text = query_text(f, sql, param);
    long long value = text ? strtoll(text, NULL, 10) : -1;

    free(text);
    return value;
}

/* Whether column @col of piano @id is SQL NULL. */
static int piano_col_is_null(fixture *f, const char *col, const char *id)
{
    char sql[160];

    snprintf(sql, sizeof sql, "SELECT \"%s\" IS NULL FROM pianos WHERE id = ?1",
             col);
    return query_int(f, sql, id) == 1;
}

static long long pianos_count(fixture *f)
{
    return query_int(f, "SELECT count(*) FROM pianos", NULL);
}

static int piano_exists(fixture *f, const char *id)
{
    return query_int(f, "SELECT count(*) FROM pianos WHERE id = ?1", id) == 1;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!haystack || !strstr(haystack, needle))
        fail_msg("\"%s\" does not contain \"%s\"",
                 haystack ? haystack : "(null)", needle);
}

/* A first, clean run: two pianos, high-water 2026-01-10T00:00:00Z. */
static void pull_baseline(fixture *f)
{
    push_page(f,
              "[{\"id\":\"pia_base1\",\"make\":\"Yamaha\","
              "\"updatedAt\":\"2026-01-10T00:00:00Z\"},"
              "{\"id\":\"pia_base2\",\"make\":\"Kawai\","
              "\"updatedAt\":\"2026-01-09T00:00:00Z\"}]",
              NULL);
    assert_int_equal(pull(f), GS_OK);
    assert_string_equal(pianos_state(f).high_water, "2026-01-10T00:00:00Z");
}

/* ---- tests ------------------------------------------------------------ */

/* Every field null but the id: the row is stored (an id is all a row needs)
 * with NULL in every typed column; raw keeps the nulls. */
static void test_pull_nulls_everywhere_stored_as_null_columns(void **state)
{
    fixture *f = *state;
    static const char *const cols[] = {
        "client_id",
        "make",
        "model",
        "serial_number",
        "type",
        "year",
        "location",
        "notes",
        "status",
        "size",
        "tags",
        "service_interval_months",
        "calculated_last_service",
        "calculated_next_service",
        "created_at",
        "updated_at",
    };
    char *raw;

    push_page(f,
              "[{\"id\":\"pia_null1\",\"client\":null,\"make\":null,"
              "\"model\":null,\"serialNumber\":null,\"type\":null,"
              "\"year\":null,\"location\":null,\"notes\":null,"
              "\"status\":null,\"size\":null,\"tags\":null,"
              "\"serviceIntervalMonths\":null,\"calculatedLastService\":null,"
              "\"calculatedNextService\":null,\"createdAt\":null,"
              "\"updatedAt\":null},"
              "{\"id\":\"pia_null2\"}]",
              NULL);
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(pianos_report(f)->decision, GS_DECISION_PULLED);
    assert_int_equal(pianos_count(f), 2);
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        if (!piano_col_is_null(f, cols[i], "pia_null1"))
            fail_msg("column %s of pia_null1 is not NULL", cols[i]);
        if (!piano_col_is_null(f, cols[i], "pia_null2"))
            fail_msg("column %s of pia_null2 is not NULL", cols[i]);
    }
    raw = query_text(f, "SELECT raw FROM pianos WHERE id = ?1", "pia_null1");
    assert_contains(raw, "\"make\":null");
    assert_contains(raw, "\"year\":null");
    free(raw);
    /* No stamp anywhere: the pull finished, but there is no mark to set. */
    assert_string_equal(pianos_state(f).status, "ok");
    assert_string_equal(pianos_state(f).high_water, "");
}

/* A node without an id, and one whose id is a number: each row refused
 * alone (it cannot be keyed), its page-mates kept, the error naming entity,
 * page and row, and the high-water mark NOT advanced although good rows
 * with newer stamps were stored: the next run must read them again. */
static void
test_pull_refuses_rows_without_string_id_keeps_page_mates(void **state)
{
    fixture *f = *state;
    gs_sync_state st;

    pull_baseline(f);
    f->opts.force = 1u << GS_ENTITY_PIANOS; /* full read, from page 1 */
    push_page(f,
              "[{\"id\":\"pia_good1\",\"make\":\"Bechstein\","
              "\"updatedAt\":\"2026-02-20T00:00:00Z\"},"
              "{\"id\":\"pia_good2\",\"updatedAt\":\"2026-02-19T00:00:00Z\"}]",
              "c1");
    push_page(f,
              "[{\"make\":\"NoId\",\"updatedAt\":\"2026-02-18T00:00:00Z\"},"
              "{\"id\":\"pia_good3\",\"updatedAt\":\"2026-02-17T00:00:00Z\"}]",
              "c2");
    push_page(f,
              "[{\"id\":42,\"make\":\"Numeric\","
              "\"updatedAt\":\"2026-02-16T00:00:00Z\"}]",
              NULL);
    assert_int_equal(pull(f), GS_EINVAL);

    const gs_entity_report *r = pianos_report(f);
    assert_int_equal(r->decision, GS_DECISION_FAILED);
    assert_int_equal(r->code, GS_EINVAL);
    assert_int_equal(r->pages, 3);
    /* The first refused row is named; the count says there were two. */
    assert_contains(r->error, "pianos page 2 row 1");
    assert_contains(r->error, "without a string id");
    assert_contains(r->error, "2 row(s) refused");
    assert_contains(gs_error_last()->message, "pianos page 2 row 1");

    /* Page-mates kept, the refused rows absent, the old rows untouched. */
    assert_true(piano_exists(f, "pia_good1"));
    assert_true(piano_exists(f, "pia_good2"));
    assert_true(piano_exists(f, "pia_good3"));
    assert_false(piano_exists(f, "42"));
    assert_int_equal(query_int(f,
                               "SELECT count(*) FROM pianos WHERE make IN "
                               "('NoId','Numeric')",
                               NULL),
                     0);
    assert_int_equal(pianos_count(f), 5);
    assert_int_equal(query_int(f,
                               "SELECT count(*) FROM pianos WHERE deleted_at "
                               "IS NOT NULL",
                               NULL),
                     0);

    st = pianos_state(f);
    assert_string_equal(st.high_water, "2026-01-10T00:00:00Z");
    assert_string_equal(st.status, "failed");
    assert_contains(st.last_error, "pianos page 2 row 1");
    assert_string_equal(st.resume_cursor, "");

    /* The next plain run reads the table again (policy always) and
     * reports the bad rows again; the mark has not moved. */
    f->opts.force = 0;
    push_page(f,
              "[{\"id\":\"pia_good1\",\"make\":\"Bechstein\","
              "\"updatedAt\":\"2026-02-20T00:00:00Z\"},"
              "{\"id\":99}]",
              NULL);
    assert_int_equal(pull(f), GS_EINVAL);
    assert_contains(pianos_report(f)->error, "pianos page 1 row 2");
    assert_string_equal(pianos_state(f).high_water, "2026-01-10T00:00:00Z");
    /* It paged in creation order, naming every piano status. */
    const gs_test_request *req = gs_test_server_request(f->srv, 4);
    assert_non_null(req);
    assert_contains(req->body, "\"sortBy\":[\"CREATED_AT_ASC\"]");
    assert_contains(req->body, "\"UNDER_RESTORATION\"");
}

/* Wrong types: a string where an integer is, an object or a number or a
 * boolean where a string is. Not a refusal: the typed column is NULL, raw
 * keeps what came, and the page-mates and the mark behave as usual. */
static void test_pull_wrong_types_null_in_column_raw_kept(void **state)
{
    fixture *f = *state;
    char *raw;

    push_page(f,
              "[{\"id\":\"pia_typ1\",\"year\":\"1999\","
              "\"make\":{\"name\":\"Steinway\"},\"model\":12,"
              "\"serialNumber\":true,\"serviceIntervalMonths\":\"six\","
              "\"client\":\"cli_not_an_object\","
              "\"updatedAt\":\"2026-02-01T00:00:00Z\"},"
              "{\"id\":\"pia_typ2\",\"year\":1921,\"make\":\"Pleyel\","
              "\"updatedAt\":\"2026-01-01T00:00:00Z\"}]",
              NULL);
    assert_int_equal(pull(f), GS_OK);
    assert_true(piano_col_is_null(f, "year", "pia_typ1"));
    assert_true(piano_col_is_null(f, "make", "pia_typ1"));
    assert_true(piano_col_is_null(f, "model", "pia_typ1"));
    assert_true(piano_col_is_null(f, "serial_number", "pia_typ1"));
    assert_true(piano_col_is_null(f, "service_interval_months", "pia_typ1"));
    assert_true(piano_col_is_null(f, "client_id", "pia_typ1"));
    /* An INTEGER column got no text: SQLite's affinity would have turned
     * "1999" into 1999, hiding the upstream type change. */
    assert_int_equal(
        query_int(f, "SELECT count(*) FROM pianos WHERE year = 1999", NULL), 0);
    raw = query_text(f, "SELECT raw FROM pianos WHERE id = ?1", "pia_typ1");
    assert_contains(raw, "\"year\":\"1999\"");
    assert_contains(raw, "\"make\":{\"name\":\"Steinway\"}");
    assert_contains(raw, "\"model\":12");
    assert_contains(raw, "\"serialNumber\":true");
    free(raw);
    /* The well-typed page-mate is whole. */
    assert_int_equal(
        query_int(f, "SELECT year FROM pianos WHERE id = ?1", "pia_typ2"),
        1921);
    raw = query_text(f, "SELECT make FROM pianos WHERE id = ?1", "pia_typ2");
    assert_string_equal(raw, "Pleyel");
    free(raw);
    assert_string_equal(pianos_state(f).high_water, "2026-02-01T00:00:00Z");
}

/* A 1 MB note (multi-byte characters, quotes, newlines, escapes) goes
 * through the HTTP layer, jansson, the canonical dump and SQLite intact. */
static void test_pull_huge_string_stored_intact(void **state)
{
    fixture *f = *state;
    const size_t note_len = 1024 * 1024;
    /* A pattern with an escape in JSON (\" \n \\) and UTF-8 (é, «, 🎹). */
    static const char unit[] = "Accord\xc3\xa9 \xc2\xab"
                               "la\"note\"\xc2\xbb\n\\ \xf0\x9f\x8e\xb9 ";
    char *note = malloc(note_len + 1);
    json_t *nodes;
    char *nodes_text, *stored, *raw;
    size_t len = 0;

    assert_non_null(note);
    while (len + sizeof unit - 1 <= note_len) {
        memcpy(note + len, unit, sizeof unit - 1);
        len += sizeof unit - 1;
    }
    memset(note + len, 'x', note_len - len);
    note[note_len] = '\0';
    nodes = json_pack("[{s:s,s:s,s:s},{s:s,s:s}]", "id", "pia_huge", "notes",
                      note, "updatedAt", "2026-02-02T00:00:00Z", "id",
                      "pia_small", "notes", "short");
    assert_non_null(nodes);
    nodes_text = json_dumps(nodes, JSON_COMPACT);
    assert_non_null(nodes_text);
    push_page(f, nodes_text, NULL);
    assert_int_equal(pull(f), GS_OK);

    assert_int_equal(query_int(f,
                               "SELECT length(CAST(notes AS BLOB)) FROM "
                               "pianos WHERE id = ?1",
                               "pia_huge"),
                     (long long)note_len);
    stored =
        query_text(f, "SELECT notes FROM pianos WHERE id = ?1", "pia_huge");
    assert_non_null(stored);
    assert_true(strcmp(stored, note) == 0);
    /* raw holds the whole node, note included. */
    raw = query_text(f, "SELECT raw FROM pianos WHERE id = ?1", "pia_huge");
    assert_non_null(raw);
    assert_true(strlen(raw) > note_len);
    assert_true(piano_exists(f, "pia_small"));
    free(raw);
    free(stored);
    free(nodes_text);
    json_decref(nodes);
    free(note);
}

/* Invalid UTF-8 in the body: jansson refuses the whole text, so the page
 * cannot be split into good and bad nodes. The page is refused as a whole
 * (GS_EPROTO, naming entity and page), none of its rows stored (not even the
 * valid ones before the bad byte), and the checkpoint stays at the previous
 * page. */
static void test_pull_invalid_utf8_refuses_the_page(void **state)
{
    fixture *f = *state;
    gs_sync_state st;

    push_page(f,
              "[{\"id\":\"pia_u1\",\"updatedAt\":\"2026-02-05T00:00:00Z\"},"
              "{\"id\":\"pia_u2\",\"updatedAt\":\"2026-02-04T00:00:00Z\"}]",
              "cur-page-1");
    /* pia_u3 is valid; pia_u4's note has a lone continuation byte and an
     * overlong encoding of '/'. */
    push_page(f,
              "[{\"id\":\"pia_u3\",\"updatedAt\":\"2026-02-03T00:00:00Z\"},"
              "{\"id\":\"pia_u4\",\"notes\":\"bad \x80 and \xc0\xaf\","
              "\"updatedAt\":\"2026-02-02T00:00:00Z\"}]",
              "cur-page-2");
    assert_int_equal(pull(f), GS_EPROTO);

    const gs_entity_report *r = pianos_report(f);
    assert_int_equal(r->decision, GS_DECISION_FAILED);
    assert_int_equal(r->code, GS_EPROTO);
    assert_contains(r->error, "pianos page 2");
    assert_contains(r->error, "not JSON");
    assert_int_equal(gs_error_last()->code, GS_EPROTO);
    /* Not retried: a 200 whose body is unreadable will not read better. */
    assert_int_equal(gs_test_server_request_count(f->srv), 2);

    assert_true(piano_exists(f, "pia_u1"));
    assert_true(piano_exists(f, "pia_u2"));
    assert_false(piano_exists(f, "pia_u3"));
    assert_false(piano_exists(f, "pia_u4"));
    assert_int_equal(pianos_count(f), 2);

    st = pianos_state(f);
    assert_string_equal(st.resume_cursor, "full|cur-page-1");
    assert_string_equal(st.status, "failed");
    assert_string_equal(st.high_water, "");
    assert_contains(st.last_error, "pianos page 2");

    /* A later run (the body fixed) resumes at the checkpoint: it asks for
     * page 2 only, after page 1's cursor, and completes. */
    push_page(f,
              "[{\"id\":\"pia_u3\",\"updatedAt\":\"2026-02-03T00:00:00Z\"},"
              "{\"id\":\"pia_u4\",\"notes\":\"fixed \xc3\xa9\","
              "\"updatedAt\":\"2026-02-02T00:00:00Z\"}]",
              NULL);
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), 3);
    assert_contains(gs_test_server_request(f->srv, 2)->body,
                    "\"after\":\"cur-page-1\"");
    assert_int_equal(pianos_count(f), 4);
    st = pianos_state(f);
    assert_string_equal(st.status, "ok");
    assert_string_equal(st.resume_cursor, "");
    assert_string_equal(st.high_water, "2026-02-05T00:00:00Z");
}

/* A connection answered with `edges { cursor node }` instead of `nodes`
 * pages and stores the same way. */
static void test_pull_reads_edges_instead_of_nodes(void **state)
{
    fixture *f = *state;
    const gs_test_request *req;

    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allPianos\":{\"edges\":["
        "{\"cursor\":\"e1\",\"node\":{\"id\":\"pia_e1\",\"make\":\"Erard\","
        "\"year\":1890,\"updatedAt\":\"2026-02-10T00:00:00Z\"}},"
        "{\"cursor\":\"e2\",\"node\":{\"id\":\"pia_e2\","
        "\"updatedAt\":\"2026-02-09T00:00:00Z\"}}],"
        "\"pageInfo\":{\"hasNextPage\":true,\"endCursor\":\"e2\"}}}}");
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allPianos\":{\"edges\":["
        "{\"cursor\":\"e3\",\"node\":{\"id\":\"pia_e3\","
        "\"updatedAt\":\"2026-02-08T00:00:00Z\"}}],"
        "\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":\"e3\"}}}}");
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(pianos_report(f)->pages, 2);
    assert_int_equal(pianos_count(f), 3);
    assert_int_equal(
        query_int(f, "SELECT year FROM pianos WHERE id = ?1", "pia_e1"), 1890);
    /* The second page was asked for after the first page's endCursor. */
    req = gs_test_server_request(f->srv, 1);
    assert_non_null(req);
    assert_contains(req->body, "\"after\":\"e2\"");
    assert_string_equal(pianos_state(f).high_water, "2026-02-10T00:00:00Z");
}

/* A client with a contact that has no usable id (an empty string, a
 * number): the contact row cannot be keyed, so it is refused like any other
 * row - reported by entity, page and row, never silently dropped - while
 * the client itself and the page-mates are kept, and the mark stays. */
static void
test_pull_contact_without_usable_id_refused_client_kept(void **state)
{
    fixture *f = *state;
    gs_sync_state st;
    long long contacts;

    f->opts.entities = 1u << GS_ENTITY_CLIENTS;
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allClients\":{\"nodes\":["
        "{\"id\":\"cli_ok1\",\"updatedAt\":\"2026-02-10T00:00:00Z\","
        "\"allContacts\":{\"nodes\":[{\"id\":\"con_ok1\",\"firstName\":"
        "\"Ana\"}],\"pageInfo\":{\"hasNextPage\":false}}},"
        "{\"id\":\"cli_empty\",\"updatedAt\":\"2026-02-09T00:00:00Z\","
        "\"allContacts\":{\"nodes\":[{\"id\":\"\",\"firstName\":"
        "\"Empty\"}],\"pageInfo\":{\"hasNextPage\":false}}},"
        "{\"id\":\"cli_num\",\"updatedAt\":\"2026-02-08T00:00:00Z\","
        "\"allContacts\":{\"nodes\":[{\"id\":7,\"firstName\":\"Num\"}],"
        "\"pageInfo\":{\"hasNextPage\":false}}},"
        "{\"id\":\"cli_none\",\"updatedAt\":\"2026-02-07T00:00:00Z\","
        "\"allContacts\":{\"nodes\":[],\"pageInfo\":{\"hasNextPage\":"
        "false}}}],"
        "\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":null}}}}");
    assert_int_equal(pull(f), GS_EINVAL);
    /* Every client kept, the one good contact stored. */
    assert_int_equal(query_int(f, "SELECT count(*) FROM clients", NULL), 4);
    contacts = query_int(f, "SELECT count(*) FROM contacts", NULL);
    assert_int_equal(contacts, 1);
    const gs_entity_report *r = &f->report.entity[GS_ENTITY_CLIENTS];
    assert_int_equal(r->decision, GS_DECISION_FAILED);
    assert_contains(r->error, "clients page 1 row 2");
    assert_contains(r->error, "contacts");
    assert_contains(r->error, "2 row(s) refused");
    assert_int_equal(
        gs_store_state_get(&st, f->sf.store, gs_entity_get(GS_ENTITY_CLIENTS)),
        GS_OK);
    assert_string_equal(st.high_water, "");
    assert_string_equal(st.status, "failed");
}

/* A page whose COMMIT fails (the disk full, say: here a trigger refuses
 * the change counter's write) is rolled back, and the failure is recorded
 * with the checkpoint of the page before it, not a cursor past the page that
 * was never stored: the next run asks for that page again. */
static void test_pull_failed_page_commit_keeps_previous_checkpoint(void **state)
{
    fixture *f = *state;
    gs_sync_state st;

    assert_int_equal(
        sqlite3_exec(f->sf.store->db,
                     "CREATE TRIGGER fail_seq BEFORE UPDATE ON counters "
                     "WHEN NEW.value > 2 BEGIN "
                     "SELECT RAISE(ABORT, 'injected: disk full'); END",
                     NULL, NULL, NULL),
        SQLITE_OK);
    push_page(f,
              "[{\"id\":\"pia_c1\",\"updatedAt\":\"2026-02-05T00:00:00Z\"},"
              "{\"id\":\"pia_c2\",\"updatedAt\":\"2026-02-04T00:00:00Z\"}]",
              "cur-page-1");
    push_page(f,
              "[{\"id\":\"pia_c3\",\"updatedAt\":\"2026-02-03T00:00:00Z\"},"
              "{\"id\":\"pia_c4\",\"updatedAt\":\"2026-02-02T00:00:00Z\"}]",
              "cur-page-2");
    assert_int_equal(pull(f), GS_ESTORE);
    assert_int_equal(pianos_count(f), 2);
    st = pianos_state(f);
    assert_string_equal(st.status, "failed");
    assert_string_equal(st.resume_cursor, "full|cur-page-1");
    assert_string_equal(st.pending_high_water, "2026-02-05T00:00:00Z");
    assert_string_equal(st.last_success, "");

    assert_int_equal(sqlite3_exec(f->sf.store->db, "DROP TRIGGER fail_seq",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    push_page(f,
              "[{\"id\":\"pia_c3\",\"updatedAt\":\"2026-02-03T00:00:00Z\"},"
              "{\"id\":\"pia_c4\",\"updatedAt\":\"2026-02-02T00:00:00Z\"}]",
              NULL);
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), 3);
    assert_contains(gs_test_server_request(f->srv, 2)->body,
                    "\"after\":\"cur-page-1\"");
    assert_int_equal(pianos_count(f), 4);
    st = pianos_state(f);
    assert_string_equal(st.status, "ok");
    assert_string_equal(st.high_water, "2026-02-05T00:00:00Z");
}

/* Denies reading sync_state.pending_high_water, a column only
 * gs_store_state_get() reads: its statement then fails to prepare. */
static int deny_state_read(void *ctx, int action, const char *table,
                           const char *column, const char *db,
                           const char *trigger)
{
    (void)ctx;
    (void)db;
    (void)trigger;
    if (action == SQLITE_READ && table && column &&
        strcmp(table, "sync_state") == 0 &&
        strcmp(column, "pending_high_water") == 0)
        return SQLITE_DENY;
    return SQLITE_OK;
}

/* When the entity's state cannot be read, the failure is reported and the
 * state in the cache is left alone: writing back the zeroed struct would
 * erase the high-water mark, and every later run would be a full read. */
static void test_pull_unreadable_state_is_not_overwritten(void **state)
{
    fixture *f = *state;
    char *mark;

    assert_int_equal(
        sqlite3_exec(f->sf.store->db,
                     "INSERT INTO sync_state (entity, high_water, status, "
                     "last_success) VALUES ('pianos', "
                     "'2026-01-10T00:00:00Z', 'ok', '2026-01-10T00:00:00Z')",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_set_authorizer(f->sf.store->db, deny_state_read, NULL);
    assert_int_equal(pull(f), GS_ESTORE);
    sqlite3_set_authorizer(f->sf.store->db, NULL, NULL);
    assert_int_equal(pianos_report(f)->decision, GS_DECISION_FAILED);
    assert_int_equal(gs_test_server_request_count(f->srv), 0);
    mark = query_text(f, "SELECT high_water FROM sync_state WHERE entity = ?1",
                      "pianos");
    assert_non_null(mark);
    assert_string_equal(mark, "2026-01-10T00:00:00Z");
    free(mark);
}

/* A stamp longer than the mark's field (nanoseconds and an offset) is kept
 * as its UTC second, not cut into text that no longer parses: a cut mark
 * read as "no mark" and made every later run a full read. */
static void test_pull_long_stamp_kept_as_a_parsable_mark(void **state)
{
    fixture *f = *state;

    push_page(f,
              "[{\"id\":\"pia_l1\","
              "\"updatedAt\":\"2026-02-05T10:00:00.123456789+01:00\"}]",
              NULL);
    assert_int_equal(pull(f), GS_OK);
    assert_string_equal(pianos_state(f).high_water, "2026-02-05T09:00:00Z");
    push_page(f, "[]", NULL);
    assert_int_equal(pull(f), GS_OK);
    assert_string_equal(pianos_state(f).high_water, "2026-02-05T09:00:00Z");
}

/* A cursor too long for the checkpoint field is not saved cut (it would
 * resume at a wrong page or fail every run): no checkpoint is kept, so a
 * failed run starts the pull again from the first page. */
static void test_pull_cursor_too_long_for_checkpoint_is_not_cut(void **state)
{
    fixture *f = *state;
    char cursor[701];
    char body[1024];
    int n;

    memset(cursor, 'c', sizeof cursor - 1);
    cursor[sizeof cursor - 1] = '\0';
    n = snprintf(body, sizeof body,
                 "{\"data\":{\"allPianos\":{\"nodes\":[{\"id\":\"pia_k1\","
                 "\"updatedAt\":\"2026-02-05T00:00:00Z\"}],\"pageInfo\":{"
                 "\"hasNextPage\":true,\"endCursor\":\"%s\"}}}}",
                 cursor);
    assert_true(n > 0 && (size_t)n < sizeof body);
    gs_test_server_push_json(f->srv, 200, body);
    gs_test_server_push_json(f->srv, 200, "{\"data\":{}}");
    assert_int_equal(pull(f), GS_EPROTO);
    assert_true(piano_exists(f, "pia_k1"));
    assert_string_equal(pianos_state(f).resume_cursor, "");
}

/* ---- the real schema's shapes (issue 10) and the paging guards -------- */

/* Queues one allPianos page with a totalCount. */
static void push_counted(fixture *f, const char *nodes_json, const char *cursor,
                         long long total)
{
    char body[2048];
    int n = snprintf(body, sizeof body,
                     "{\"data\":{\"allPianos\":{\"totalCount\":%lld,"
                     "\"nodes\":%s,\"pageInfo\":{\"hasNextPage\":%s,"
                     "\"endCursor\":%s%s%s}}}}",
                     total, nodes_json, cursor ? "true" : "false",
                     cursor ? "\"" : "", cursor ? cursor : "null",
                     cursor ? "\"" : "");

    assert_true(n > 0 && (size_t)n < sizeof body);
    gs_test_server_push_json(f->srv, 200, body);
}

static long long deleted_pianos(fixture *f)
{
    return query_int(f,
                     "SELECT count(*) FROM pianos WHERE deleted_at IS NOT "
                     "NULL",
                     NULL);
}

/* Three pianos known; a full read is interrupted after page 1 (a 503),
 * pianos change meanwhile, the next run resumes at page 2: it must not
 * mark deleted the live piano it never saw because the read spanned two
 * runs (issue 11, defect 4). The next complete read sweeps what is gone. */
static void test_pull_resumed_full_read_sweeps_nothing(void **state)
{
    fixture *f = *state;

    push_counted(f, "[{\"id\":\"pia_a\"},{\"id\":\"pia_b\"}]", "c1", 3);
    push_counted(f, "[{\"id\":\"pia_c\"}]", NULL, 3);
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(pianos_count(f), 3);
    /* night 2: page 1 stored, page 2 fails */
    push_counted(f, "[{\"id\":\"pia_a\"},{\"id\":\"pia_b\"}]", "c2", 3);
    gs_test_server_push_json(f->srv, 503, "{}");
    gs_test_server_push_json(f->srv, 503, "{}");
    assert_int_equal(pull(f), GS_EHTTP);
    assert_string_equal(pianos_state(f).resume_cursor, "full|c2");
    /* resumed: the last page no longer holds pia_c (it moved, or the
     * answer is short); nothing is swept on a resumed read */
    push_counted(f, "[{\"id\":\"pia_d\"}]", NULL, 3);
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(deleted_pianos(f), 0);
    assert_contains(pianos_report(f)->reason, "no deletion sweep: resumed");
    assert_contains(gs_test_server_request(f->srv, 5)->body,
                    "\"after\":\"c2\"");
    /* a complete read without pia_c: now it is gone */
    push_counted(f, "[{\"id\":\"pia_a\"},{\"id\":\"pia_b\"}]", "c3", 3);
    push_counted(f, "[{\"id\":\"pia_d\"}]", NULL, 3);
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(deleted_pianos(f), 1);
    assert_int_equal(query_int(f,
                               "SELECT count(*) FROM pianos WHERE id = "
                               "'pia_c' AND deleted_at IS NOT NULL",
                               NULL),
                     1);
}

/* A read whose totalCount moved between pages, or that brought fewer rows
 * than it announced, was not consistent: no sweep. */
static void test_pull_inconsistent_read_sweeps_nothing(void **state)
{
    fixture *f = *state;

    push_counted(f, "[{\"id\":\"pia_a\"},{\"id\":\"pia_b\"}]", NULL, 2);
    assert_int_equal(pull(f), GS_OK);
    push_counted(f, "[{\"id\":\"pia_a\"}]", NULL, 2); /* one row short */
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(deleted_pianos(f), 0);
    assert_contains(pianos_report(f)->reason, "totalCount");
    push_counted(f, "[{\"id\":\"pia_a\"},{\"id\":\"pia_x\"}]", "n1", 3);
    push_counted(f, "[{\"id\":\"pia_y\"}]", NULL, 4); /* moved */
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(deleted_pianos(f), 0);
    assert_contains(pianos_report(f)->reason, "changed between pages");
    /* consistent again: pia_b is swept */
    push_counted(f, "[{\"id\":\"pia_a\"}]", NULL, 1);
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(deleted_pianos(f), 3);
}

/* Endless paging is refused, naming entity and page (issue 11, defect 5):
 * a repeated cursor, an empty page that claims more, pages far past
 * totalCount. Each stops after the page that shows it. */
static void test_pull_endless_paging_is_an_error(void **state)
{
    fixture *f = *state;

    push_counted(f, "[{\"id\":\"pia_1\"},{\"id\":\"pia_2\"}]", "same", 9);
    push_counted(f, "[{\"id\":\"pia_3\"},{\"id\":\"pia_4\"}]", "same", 9);
    assert_int_equal(pull(f), GS_EPROTO);
    assert_contains(pianos_report(f)->error, "pianos page 2");
    assert_contains(pianos_report(f)->error, "repeats cursor");
    assert_int_equal(gs_test_server_request_count(f->srv), 2);

    push_counted(f, "[]", "c-empty", 9);
    assert_int_equal(pull(f), GS_EPROTO);
    assert_contains(pianos_report(f)->error, "empty page claims more");

    /* totalCount 2 in pages of 2: one page, two of slack, then refused */
    for (int i = 0; i < 4; i++) {
        char cursor[16], nodes[64];

        snprintf(cursor, sizeof cursor, "p%d", i);
        snprintf(nodes, sizeof nodes,
                 "[{\"id\":\"pia_p%da\"},{\"id\":\"pia_p%db\"}]", i, i);
        push_counted(f, nodes, cursor, 2);
    }
    assert_int_equal(pull(f), GS_EPROTO);
    assert_contains(pianos_report(f)->error, "pianos page 4");
    assert_contains(pianos_report(f)->error, "totalCount is 2");

    /* pages of 1 where 2 were asked (a service's lower cap): paged at 1,
     * two pages and two of slack, then refused */
    for (int i = 0; i < 5; i++) {
        char cursor[16], nodes[64];

        snprintf(cursor, sizeof cursor, "q%d", i);
        snprintf(nodes, sizeof nodes, "[{\"id\":\"pia_q%d\"}]", i);
        push_counted(f, nodes, cursor, 2);
    }
    assert_int_equal(pull(f), GS_EPROTO);
    assert_contains(pianos_report(f)->error, "pianos page 5");
    assert_contains(pianos_report(f)->error, "pages of 1");
}

/* new-rows: the probe asks CREATED_AT_DESC from the newest known creation
 * date (minus a day), and sweeps nothing. */
static void test_pull_new_rows_probe_asks_created_get(void **state)
{
    fixture *f = *state;
    const gs_test_request *req;

    f->cfg.policy[GS_ENTITY_PIANOS].kind = GS_POLICY_NEW_ROWS;
    push_counted(f,
                 "[{\"id\":\"pia_o\",\"createdAt\":\"2026-02-20T15:00:00Z\"},"
                 "{\"id\":\"pia_p\",\"createdAt\":\"2026-01-02T15:00:00Z\"}]",
                 NULL, 2);
    assert_int_equal(pull(f), GS_OK); /* empty table: full read */
    push_counted(f,
                 "[{\"id\":\"pia_q\",\"createdAt\":\"2026-02-28T15:00:00Z\"}]",
                 NULL, 1);
    assert_int_equal(pull(f), GS_OK);
    req = gs_test_server_request(f->srv, 1);
    assert_contains(req->body, "\"sortBy\":[\"CREATED_AT_DESC\"]");
    assert_contains(req->body, "\"createdGet\":\"2026-02-19\"");
    assert_int_equal(pianos_count(f), 3);
    assert_int_equal(deleted_pianos(f), 0);
}

/* allUsers is a plain list: one request, no paging variables. */
static void test_pull_users_reads_the_plain_list(void **state)
{
    fixture *f = *state;
    const gs_test_request *req;

    f->opts.entities = 1u << GS_ENTITY_USERS;
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allUsers\":[{\"id\":\"usr_1\",\"firstName\":\"Lise\","
        "\"status\":\"ACTIVE\",\"accessLevel\":\"TECHNICIAN\","
        "\"isSchedulable\":true},{\"id\":\"usr_2\",\"status\":\"INACTIVE\"}]}"
        "}");
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(f->report.entity[GS_ENTITY_USERS].requests, 1);
    req = gs_test_server_request(f->srv, 0);
    assert_contains(req->body, "allUsers {");
    assert_contains(req->body, "\"variables\":{}");
    assert_int_equal(query_int(f,
                               "SELECT count(*) FROM users WHERE "
                               "access_level = 'TECHNICIAN' AND "
                               "is_schedulable = 1",
                               NULL),
                     1);
    /* if-empty: the next run asks nothing */
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(gs_test_server_request_count(f->srv), 1);
}

/* Every contact of a client, archived ones kept and marked; a list longer
 * than the nested page is completed by client(id) follow-ups; a contact the
 * client no longer lists is marked deleted. */
static void test_pull_contacts_all_of_them_with_follow_ups(void **state)
{
    fixture *f = *state;
    const gs_test_request *req;

    f->opts.entities = 1u << GS_ENTITY_CLIENTS;
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allClients\":{\"totalCount\":2,\"nodes\":["
        "{\"id\":\"cli_a\",\"allContacts\":{\"totalCount\":3,\"nodes\":["
        "{\"id\":\"con_1\",\"isDefault\":true,\"archived\":false},"
        "{\"id\":\"con_2\",\"isDefault\":false,\"archived\":true}],"
        "\"pageInfo\":{\"hasNextPage\":true,\"endCursor\":\"k1\"}}},"
        "{\"id\":\"cli_b\",\"allContacts\":{\"edges\":[{\"node\":"
        "{\"id\":\"con_4\"}}],\"pageInfo\":{\"hasNextPage\":false}}}],"
        "\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":null}}}}");
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"client\":{\"id\":\"cli_a\",\"allContacts\":{"
        "\"nodes\":[{\"id\":\"con_3\",\"archived\":false}],"
        "\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":\"k2\"}}}}}");
    assert_int_equal(pull(f), GS_OK);
    req = gs_test_server_request(f->srv, 1);
    assert_contains(req->body, "client(id: $id)");
    assert_contains(req->body, "\"id\":\"cli_a\"");
    assert_contains(req->body, "\"after\":\"k1\"");
    assert_contains(gs_test_server_request(f->srv, 0)->body,
                    "includeArchived: true");
    assert_int_equal(query_int(f,
                               "SELECT count(*) FROM contacts WHERE "
                               "deleted_at IS NULL",
                               NULL),
                     4);
    assert_int_equal(query_int(f,
                               "SELECT archived FROM contacts WHERE id = "
                               "'con_2'",
                               NULL),
                     1);
    assert_int_equal(query_int(f,
                               "SELECT count(*) FROM contacts WHERE id = "
                               "'con_3' AND client_id = 'cli_a'",
                               NULL),
                     1);
    /* cli_a no longer lists con_2 */
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allClients\":{\"totalCount\":2,\"nodes\":["
        "{\"id\":\"cli_a\",\"allContacts\":{\"nodes\":[{\"id\":\"con_1\"},"
        "{\"id\":\"con_3\"}],\"pageInfo\":{\"hasNextPage\":false}}},"
        "{\"id\":\"cli_b\",\"allContacts\":{\"nodes\":[{\"id\":\"con_4\"}],"
        "\"pageInfo\":{\"hasNextPage\":false}}}],"
        "\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":null}}}}");
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(query_int(f,
                               "SELECT count(*) FROM contacts WHERE id = "
                               "'con_2' AND deleted_at IS NOT NULL",
                               NULL),
                     1);
    assert_int_equal(f->report.entity[GS_ENTITY_CONTACTS].rows_deleted, 1);
}

/* A cancelled event keeps its row, with its real status; every status and
 * type is asked for; createdBy and isTuning land in their columns. */
static void test_pull_appointments_keep_cancelled_events(void **state)
{
    fixture *f = *state;
    const gs_test_request *req;

    f->opts.entities = 1u << GS_ENTITY_APPOINTMENTS;
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allEventsBatched\":{\"totalCount\":2,\"nodes\":["
        "{\"id\":\"evt_1\",\"status\":\"CANCELED\",\"createdBy\":{\"id\":"
        "\"usr_9\"},\"allEventPianos\":{\"nodes\":[{\"isTuning\":true,"
        "\"piano\":{\"id\":\"pia_1\"}}],\"pageInfo\":{\"hasNextPage\":false}}},"
        "{\"id\":\"evt_2\",\"status\":\"COMPLETE\"}],"
        "\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":null}}}}");
    /* usr_9 is unknown: the users pull it triggers */
    gs_test_server_push_json(f->srv, 200,
                             "{\"data\":{\"allUsers\":[{\"id\":\"usr_9\"}]}}");
    assert_int_equal(pull(f), GS_OK);
    req = gs_test_server_request(f->srv, 0);
    assert_contains(req->body,
                    "\"status\":[\"ACTIVE\",\"CANCELED\",\"NO_SHOW\","
                    "\"COMPLETE\"]");
    assert_contains(req->body, "\"type\":[\"APPOINTMENT\"");
    assert_contains(req->body, "\"pianosFirst\":");
    assert_int_equal(query_int(f,
                               "SELECT count(*) FROM appointments WHERE "
                               "id = 'evt_1' AND status = 'CANCELED' AND "
                               "deleted_at IS NULL AND created_by_id = "
                               "'usr_9'",
                               NULL),
                     1);
    assert_int_equal(query_int(f,
                               "SELECT json_extract(event_pianos, "
                               "'$[0].isTuning') FROM appointments WHERE "
                               "id = 'evt_1'",
                               NULL),
                     1);
    assert_true(f->report.users_auto_triggered);
}

/* A since pull that failed part-way is asked again from its start, not
 * resumed at the cursor: entries that arrived meanwhile may sit on the
 * pages it had passed (issue 11, defect 17). */
static void test_pull_since_restarts_instead_of_resuming(void **state)
{
    fixture *f = *state;
    char body[512];

    f->opts.entities = 1u << GS_ENTITY_TIMELINE;
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allTimelineEntries\":{\"nodes\":[{\"id\":\"tle_1\","
        "\"occurredAt\":\"2026-02-20T10:00:00Z\"}],\"pageInfo\":"
        "{\"hasNextPage\":false,\"endCursor\":null}}}}");
    assert_int_equal(pull(f), GS_OK); /* first run: full */
    snprintf(body, sizeof body,
             "{\"data\":{\"allTimelineEntries\":{\"nodes\":[{\"id\":"
             "\"tle_2\",\"occurredAt\":\"2026-02-25T10:00:00Z\"}],"
             "\"pageInfo\":{\"hasNextPage\":true,\"endCursor\":\"t1\"}}}}");
    gs_test_server_push_json(f->srv, 200, body);
    gs_test_server_push_json(f->srv, 503, "{}");
    gs_test_server_push_json(f->srv, 503, "{}");
    assert_int_equal(pull(f), GS_EHTTP);
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allTimelineEntries\":{\"nodes\":[],\"pageInfo\":"
        "{\"hasNextPage\":false,\"endCursor\":null}}}}");
    assert_int_equal(pull(f), GS_OK);
    /* the third run asked from the same mark, with no cursor */
    assert_contains(gs_test_server_request(f->srv, 4)->body,
                    "\"occurredAtGet\":\"2026-02-13T10:00:00Z\"");
    assert_null(strstr(gs_test_server_request(f->srv, 4)->body, "\"after\""));
    assert_contains(gs_test_server_request(f->srv, 4)->body,
                    "\"types\":[\"CONTACT_EMAIL_AUTOMATED\"");
}

/* A \u0000 inside a string is valid JSON: the page is not refused (issue
 * 11, defect 10). NUL cannot be kept as PostgreSQL text, so it arrives in
 * the cache, typed column and raw alike, as U+FFFD; the rest of the text
 * and the page-mates are intact. */
static void test_pull_nul_in_a_string_becomes_replacement_char(void **state)
{
    fixture *f = *state;
    char *notes, *raw;

    push_page(
        f,
        "[{\"id\":\"pia_n1\",\"notes\":\"avant\\u0000apr\\u00e8s\\u0000\"},"
        "{\"id\":\"pia_n2\",\"notes\":\"plain\"}]",
        NULL);
    assert_int_equal(pull(f), GS_OK);
    notes = query_text(f, "SELECT notes FROM pianos WHERE id = ?1", "pia_n1");
    assert_non_null(notes);
    assert_string_equal(notes, "avant\xEF\xBF\xBD"
                               "apr\xC3\xA8s\xEF\xBF\xBD");
    assert_int_equal(query_int(f,
                               "SELECT length(CAST(notes AS BLOB)) FROM "
                               "pianos WHERE id = ?1",
                               "pia_n1"),
                     (long long)strlen(notes));
    raw = query_text(f,
                     "SELECT json_extract(raw, '$.notes') FROM pianos "
                     "WHERE id = ?1",
                     "pia_n1");
    assert_string_equal(raw, notes);
    assert_true(piano_exists(f, "pia_n2"));
    free(notes);
    free(raw);
}

/* The same id twice in one read with different bodies is reported with
 * entity, id and pages (issue 11, defect 18); the mark stays. The same
 * node repeated unchanged is not an error. */
static void test_pull_same_id_twice_different_bodies_reported(void **state)
{
    fixture *f = *state;

    pull_baseline(f);
    f->opts.force = 1u << GS_ENTITY_PIANOS;
    push_page(f,
              "[{\"id\":\"pia_d1\",\"make\":\"Yamaha\"},"
              "{\"id\":\"pia_d2\",\"make\":\"Kawai\"}]",
              "d1");
    push_page(f,
              "[{\"id\":\"pia_d2\",\"make\":\"Kawai\"},"
              "{\"id\":\"pia_d1\",\"make\":\"Bechstein\","
              "\"updatedAt\":\"2026-02-27T00:00:00Z\"}]",
              NULL);
    assert_int_equal(pull(f), GS_EINVAL);
    assert_contains(pianos_report(f)->error, "pianos page 2 row 2");
    assert_contains(pianos_report(f)->error, "id pia_d1 came twice");
    assert_contains(pianos_report(f)->error, "again on page 2");
    assert_contains(pianos_report(f)->error, "1 row(s) refused");
    assert_string_equal(pianos_state(f).high_water, "2026-01-10T00:00:00Z");
    /* nothing swept by the failed read */
    assert_int_equal(deleted_pianos(f), 0);
    /* a read that sweeps nothing (since) checks in memory, same report */
    f->opts.entities = 1u << GS_ENTITY_TIMELINE;
    f->opts.force = 0;
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allTimelineEntries\":{\"nodes\":[{\"id\":\"tle_a\","
        "\"occurredAt\":\"2026-02-20T10:00:00Z\"}],\"pageInfo\":"
        "{\"hasNextPage\":false,\"endCursor\":null}}}}");
    assert_int_equal(pull(f), GS_OK);
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allTimelineEntries\":{\"nodes\":[{\"id\":\"tle_x\","
        "\"summary\":\"one\"},{\"id\":\"tle_x\",\"summary\":\"two\"}],"
        "\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":null}}}}");
    assert_int_equal(pull(f), GS_EINVAL);
    assert_contains(f->report.entity[GS_ENTITY_TIMELINE].reason, "since");
    assert_contains(f->report.entity[GS_ENTITY_TIMELINE].error,
                    "id tle_x came twice");
}

/* A full read resumed in a later run: its mark never passes the moment
 * the read began, so the next since pull's lookback still covers entries
 * that arrived meanwhile on pages the read had passed (defect 17). */
static void test_pull_resumed_read_caps_the_mark_at_its_start(void **state)
{
    fixture *f = *state;
    gs_sync_state st;

    f->opts.entities = 1u << GS_ENTITY_TIMELINE;
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allTimelineEntries\":{\"nodes\":[{\"id\":\"tle_1\","
        "\"occurredAt\":\"2026-02-20T10:00:00Z\"}],\"pageInfo\":"
        "{\"hasNextPage\":true,\"endCursor\":\"t1\"}}}}");
    gs_test_server_push_json(f->srv, 503, "{}");
    gs_test_server_push_json(f->srv, 503, "{}");
    assert_int_equal(pull(f), GS_EHTTP); /* began at NOW, 2026-03-01 */
    f->opts.now = "2026-03-05T12:00:00Z";
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allTimelineEntries\":{\"nodes\":[{\"id\":\"tle_2\","
        "\"occurredAt\":\"2026-03-04T09:00:00Z\"}],\"pageInfo\":"
        "{\"hasNextPage\":false,\"endCursor\":null}}}}");
    assert_int_equal(pull(f), GS_OK);
    assert_contains(gs_test_server_request(f->srv, 3)->body,
                    "\"after\":\"t1\"");
    assert_int_equal(
        gs_store_state_get(&st, f->sf.store, gs_entity_get(GS_ENTITY_TIMELINE)),
        GS_OK);
    assert_string_equal(st.high_water, NOW);
}

/* A client deleted between its page and the follow-up for its contacts
 * answers null: its list ends there, the pull goes on; a follow-up page
 * that repeats its cursor is refused, naming the client. */
static void test_pull_contacts_follow_up_edge_cases(void **state)
{
    fixture *f = *state;
    static const char page[] =
        "{\"data\":{\"allClients\":{\"nodes\":["
        "{\"id\":\"cli_g\",\"allContacts\":{\"nodes\":[{\"id\":\"con_g1\"}],"
        "\"pageInfo\":{\"hasNextPage\":true,\"endCursor\":\"g1\"}}}],"
        "\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":null}}}}";

    f->opts.entities = 1u << GS_ENTITY_CLIENTS;
    gs_test_server_push_json(f->srv, 200, page);
    gs_test_server_push_json(f->srv, 200, "{\"data\":{\"client\":null}}");
    assert_int_equal(pull(f), GS_OK);
    assert_int_equal(query_int(f,
                               "SELECT count(*) FROM contacts WHERE id = "
                               "'con_g1' AND deleted_at IS NULL",
                               NULL),
                     1);
    gs_test_server_push_json(f->srv, 200, page);
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"client\":{\"id\":\"cli_g\",\"allContacts\":{\"nodes\":"
        "[{\"id\":\"con_g2\"}],\"pageInfo\":{\"hasNextPage\":true,"
        "\"endCursor\":\"g1\"}}}}}");
    assert_int_equal(pull(f), GS_EPROTO);
    assert_contains(f->report.entity[GS_ENTITY_CLIENTS].error,
                    "contacts of client cli_g");
    assert_contains(f->report.entity[GS_ENTITY_CLIENTS].error,
                    "repeats its cursor");
}

/* The users pull a named stranger triggers says so as data: hire-detected,
 * not a policy's decision and nothing to force. */
static void test_pull_hire_is_reported_as_data(void **state)
{
    fixture *f = *state;
    const gs_entity_report *users = &f->report.entity[GS_ENTITY_USERS];

    f->opts.entities = 1u << GS_ENTITY_APPOINTMENTS;
    gs_test_server_push_json(
        f->srv, 200,
        "{\"data\":{\"allEventsBatched\":{\"totalCount\":1,\"nodes\":["
        "{\"id\":\"evt_1\",\"status\":\"COMPLETE\",\"createdBy\":{\"id\":"
        "\"usr_9\"},\"allEventPianos\":{\"nodes\":[],\"pageInfo\":{"
        "\"hasNextPage\":false}}}],"
        "\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":null}}}}");
    gs_test_server_push_json(f->srv, 200,
                             "{\"data\":{\"allUsers\":[{\"id\":\"usr_9\"}]}}");
    assert_int_equal(pull(f), GS_OK);
    assert_true(f->report.users_auto_triggered);
    assert_int_equal(users->decision, GS_DECISION_PULLED);
    assert_int_equal(users->why, GS_WHY_HIRE);
    assert_false(users->can_force);
    assert_int_equal(f->report.entity[GS_ENTITY_APPOINTMENTS].why,
                     GS_WHY_FIRST_RUN);
}

/* A gs_pull_opts zeroed by hand (no GS_PULL_OPTS_INIT) is refused before
 * any request, naming the struct. */
static void test_pull_refuses_an_unknown_opts_version(void **state)
{
    fixture *f = *state;

    f->opts.version = 0;
    assert_int_equal(pull(f), GS_EINVAL);
    assert_contains(gs_error_last()->message, "gs_pull_opts version 0");
    assert_int_equal(gs_test_server_request_count(f->srv), 0);
    f->opts.version = GS_PULL_OPTS_VERSION + 1;
    assert_int_equal(pull(f), GS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pull_hire_is_reported_as_data,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_refuses_an_unknown_opts_version, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_nulls_everywhere_stored_as_null_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_refuses_rows_without_string_id_keeps_page_mates, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_wrong_types_null_in_column_raw_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pull_huge_string_stored_intact,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_pull_invalid_utf8_refuses_the_page,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_pull_reads_edges_instead_of_nodes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_contact_without_usable_id_refused_client_kept, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_failed_page_commit_keeps_previous_checkpoint, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_unreadable_state_is_not_overwritten, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_long_stamp_kept_as_a_parsable_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_cursor_too_long_for_checkpoint_is_not_cut, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_resumed_full_read_sweeps_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_inconsistent_read_sweeps_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pull_endless_paging_is_an_error,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_new_rows_probe_asks_created_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pull_users_reads_the_plain_list,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_contacts_all_of_them_with_follow_ups, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_appointments_keep_cancelled_events, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_since_restarts_instead_of_resuming, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_nul_in_a_string_becomes_replacement_char, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_same_id_twice_different_bodies_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pull_resumed_read_caps_the_mark_at_its_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pull_contacts_follow_up_edge_cases,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

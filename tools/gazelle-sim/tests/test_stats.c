/* The per-root-field counters (stats.c) on the request path the server
 * takes (request.c, then gsim_stats_count_roots and the fault rules): every
 * aliased part of a packed document counts, past any number of parts, and
 * the request keeps one entry per distinct name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "buf.h"
#include "faults.h"
#include "request.h"
#include "sdl.h"
#include "stats.h"

/* More parts than the 16 root names a request once kept. */
enum { CLIENT_PARTS = 40 };

/* A packed document as gazsync writes one: CLIENT_PARTS aliased
 * allClients pages, then an allPianos part and a root the counters call
 * "other", both past the old cap. The caller frees the text. */
static char *packed_body(void)
{
    gs_buf query = GS_BUF_INIT;
    for (int i = 0; i < CLIENT_PARTS; i++)
        assert_int_equal(gs_buf_printf(&query,
                                       " p%d: allClients(first: 1) "
                                       "{ nodes { id } }",
                                       i),
                         0);
    assert_int_equal(gs_buf_printf(&query,
                                   " p%d: allPianos(first: 1) { totalCount } "
                                   "allInvoiceTags",
                                   CLIENT_PARTS),
                     0);
    json_t *body =
        json_pack("{s:s++}", "query", "query Packed {", query.data, " }");
    assert_non_null(body);
    char *text = json_dumps(body, JSON_COMPACT);
    assert_non_null(text);
    json_decref(body);
    gs_buf_free(&query);
    return text;
}

static json_int_t by_root(const gsim_stats *stats, const char *name)
{
    json_t *doc = gsim_stats_json(stats);
    assert_non_null(doc);
    json_t *n = json_object_get(json_object_get(doc, "byRootField"), name);
    assert_true(json_is_integer(n));
    json_int_t count = json_integer_value(n);
    json_decref(doc);
    return count;
}

static void prepare_packed(gsim_request *req)
{
    char *text = packed_body();
    gsim_request_prepare(req, text, strlen(text));
    free(text);
    assert_int_equal(json_array_size(req->errors), 0);
}

static void test_stats_count_every_aliased_root(void **state)
{
    (void)state;
    gsim_stats stats;
    memset(&stats, 0, sizeof(stats));
    for (int request = 1; request <= 2; request++) {
        gsim_request req;
        prepare_packed(&req);
        gsim_stats_count_roots(&stats, req.roots, req.root_uses, req.nroots);
        gsim_request_free(&req);
        assert_int_equal(by_root(&stats, "allClients"), request * CLIENT_PARTS);
        assert_int_equal(by_root(&stats, "allPianos"), request);
        assert_int_equal(by_root(&stats, "other"), request);
        assert_int_equal(by_root(&stats, "allUsers"), 0);
    }
}

static void test_stats_keep_one_entry_per_distinct_root(void **state)
{
    (void)state;
    gsim_request req;
    prepare_packed(&req);
    assert_int_equal(req.nroots, 3);
    assert_string_equal(req.roots[0], "allClients");
    assert_int_equal(req.root_uses[0], CLIENT_PARTS);
    assert_string_equal(req.roots[1], "allPianos");
    assert_int_equal(req.root_uses[1], 1);
    assert_string_equal(req.roots[2], "allInvoiceTags");
    assert_int_equal(req.root_uses[2], 1);
    gsim_request_free(&req);
}

/* The JSON keeps its shape: the modelled names and "other", nothing else,
 * whatever the requests selected. */
static void test_stats_json_names_the_same_roots(void **state)
{
    (void)state;
    gsim_stats stats;
    gsim_request req;
    memset(&stats, 0, sizeof(stats));
    prepare_packed(&req);
    gsim_stats_count_roots(&stats, req.roots, req.root_uses, req.nroots);
    gsim_request_free(&req);
    json_t *doc = gsim_stats_json(&stats);
    json_t *roots = json_object_get(doc, "byRootField");
    assert_int_equal(json_object_size(roots), GSIM_STATS_ROOTS);
    for (size_t i = 0; i < GSIM_STATS_ROOTS; i++)
        assert_non_null(json_object_get(roots, gsim_stats_root_names[i]));
    assert_null(json_object_get(roots, "allInvoiceTags"));
    json_decref(doc);
}

/* A rule naming a root past the old cap matches the request too. */
static void test_fault_rule_matches_a_root_past_many_parts(void **state)
{
    (void)state;
    gsim_faults faults = {NULL, 0};
    gsim_fault_rule fired;
    char err[200];
    json_t *rules = json_loads("{\"rules\":[{\"field\":\"allPianos\",\"nth\":1,"
                               "\"action\":\"status\",\"status\":503}]}",
                               0, NULL);
    assert_non_null(rules);
    assert_int_equal(gsim_faults_load(&faults, rules, err, sizeof(err)), 0);
    json_decref(rules);
    gsim_request req;
    prepare_packed(&req);
    assert_int_equal(
        gsim_faults_match(&faults, req.roots, req.nroots, 1, &fired), 1);
    assert_string_equal(fired.field, "allPianos");
    assert_int_equal(fired.status, 503);
    gsim_request_free(&req);
    gsim_faults_clear(&faults);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_count_every_aliased_root),
        cmocka_unit_test(test_stats_keep_one_entry_per_distinct_root),
        cmocka_unit_test(test_stats_json_names_the_same_roots),
        cmocka_unit_test(test_fault_rule_matches_a_root_past_many_parts),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    gsim_schema_release();
    return failed;
}

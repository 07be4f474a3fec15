/* Unit tests of the double's pure parts: Prefer parsing, the URL grammar to
 * SQL, the SQLSTATE to status map, and fault rule matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "double.h"
#include "errors.h"
#include "faults.h"
#include "prefer.h"
#include "query.h"
#include "sql.h"

static pd_column columns[] = {
    {"id", "bigint", NULL, 'a', 0},
    {"external_id", "text", NULL, 0, 0},
    {"year", "bigint", NULL, 0, 0},
};
static pd_table table = {"gazelle_pianos", columns, 3, NULL, 0};

static void test_prefer_comma_separated_and_repeated(void **state)
{
    (void)state;
    pd_kvlist headers = {0};
    pd_prefer p;
    pd_kvlist_add(&headers, "Prefer",
                  "resolution=merge-duplicates,  return=representation");
    pd_kvlist_add(&headers, "prefer", "missing=default, count=exact");
    pd_kvlist_add(&headers, "Prefer", "tx=rollback"); /* ignored */
    pd_prefer_parse(&p, &headers);
    assert_int_equal(p.resolution, PD_RESOLUTION_MERGE);
    assert_int_equal(p.ret, PD_RETURN_REPRESENTATION);
    assert_int_equal(p.missing_default, 1);
    assert_int_equal(p.count_exact, 1);
    pd_kvlist_free(&headers);
}

static void test_prefer_absent_means_defaults(void **state)
{
    (void)state;
    pd_kvlist headers = {0};
    pd_prefer p;
    pd_prefer_parse(&p, &headers);
    assert_int_equal(p.resolution, PD_RESOLUTION_NONE);
    assert_int_equal(p.ret, PD_RETURN_DEFAULT);
    assert_int_equal(p.count_exact, 0);
}

static char *where_of(const char *name, const char *value, int *rc, pd_sql *q)
{
    pd_kvlist args = {0};
    pd_response resp = {0};
    pd_kvlist_add(&args, name, value);
    pd_kvlist_add(&args, "order", "year.desc"); /* reserved: skipped */
    *rc = pd_query_where(q, &table, "\"public\".\"t\"", &args, &resp);
    pd_kvlist_free(&args);
    pd_response_free(&resp);
    return q->text.data;
}

static void test_filter_values_are_parameters(void **state)
{
    (void)state;
    pd_sql q = PD_SQL_INIT;
    int rc;
    const char *sql = where_of("external_id", "eq.x';drop table t;--", &rc, &q);
    assert_int_equal(rc, 0);
    assert_string_equal(sql, "(\"public\".\"t\".\"external_id\" = $1)");
    assert_int_equal(q.nparams, 1);
    assert_string_equal(q.params[0], "x';drop table t;--");
    pd_sql_free(&q);
}

static void test_filter_in_list_becomes_array_literal(void **state)
{
    (void)state;
    pd_sql q = PD_SQL_INIT;
    int rc;
    const char *sql = where_of("external_id", "in.(a,\"b,c\",d\"q)", &rc, &q);
    assert_int_equal(rc, 0);
    assert_string_equal(sql, "(\"public\".\"t\".\"external_id\" = "
                             "ANY($1::text[]))");
    assert_string_equal(q.params[0], "{\"a\",\"b,c\",\"d\\\"q\"}");
    pd_sql_free(&q);
}

static void test_filter_not_is_null(void **state)
{
    (void)state;
    pd_sql q = PD_SQL_INIT;
    int rc;
    const char *sql = where_of("year", "not.is.null", &rc, &q);
    assert_int_equal(rc, 0);
    assert_string_equal(sql, "NOT (\"public\".\"t\".\"year\" IS NULL)");
    assert_int_equal(q.nparams, 0);
    pd_sql_free(&q);
}

static void test_filter_unknown_column_and_operator_fail(void **state)
{
    (void)state;
    pd_sql q = PD_SQL_INIT;
    int rc;
    where_of("shoe", "eq.1", &rc, &q);
    assert_int_equal(rc, -1);
    pd_sql_free(&q);
    where_of("year", "between.1", &rc, &q);
    assert_int_equal(rc, -1);
    pd_sql_free(&q);
}

static void test_identifiers_are_quoted(void **state)
{
    (void)state;
    pd_sql q = PD_SQL_INIT;
    pd_sql_ident(&q, "we\"ird");
    assert_string_equal(q.text.data, "\"we\"\"ird\"");
    pd_sql_free(&q);
}

static void test_order_and_select(void **state)
{
    (void)state;
    pd_sql q = PD_SQL_INIT;
    pd_response resp = {0};
    assert_int_equal(
        pd_query_order(&q, &table, "t", "year.desc.nullslast,id", &resp), 0);
    assert_string_equal(q.text.data, " ORDER BY t.\"year\" DESC NULLS LAST, "
                                     "t.\"id\"");
    gs_buf_reset(&q.text);
    assert_int_equal(pd_query_select(&q, &table, "key:external_id,year", &resp),
                     0);
    assert_string_equal(q.text.data, "\"external_id\" AS \"key\", \"year\"");
    gs_buf_reset(&q.text);
    assert_int_equal(pd_query_select(&q, &table, "year::text", &resp), -1);
    pd_response_free(&resp);
    pd_sql_free(&q);
}

static void test_sqlstate_statuses_follow_postgrest(void **state)
{
    (void)state;
    assert_int_equal(pd_status_for_sqlstate("23505"), 409);
    assert_int_equal(pd_status_for_sqlstate("23503"), 409);
    assert_int_equal(pd_status_for_sqlstate("23502"), 400);
    assert_int_equal(pd_status_for_sqlstate("22P02"), 400);
    assert_int_equal(pd_status_for_sqlstate("42703"), 400);
    assert_int_equal(pd_status_for_sqlstate("42P10"), 400);
    assert_int_equal(pd_status_for_sqlstate("42P01"), 404);
    assert_int_equal(pd_status_for_sqlstate("42501"), 403);
    assert_int_equal(pd_status_for_sqlstate("08006"), 503);
    assert_int_equal(pd_status_for_sqlstate("53300"), 503);
    assert_int_equal(pd_status_for_sqlstate("40001"), 500);
    assert_int_equal(pd_status_for_sqlstate("57014"), 500);
    assert_int_equal(pd_status_for_sqlstate("25006"), 405);
}

static int fired_status(pd_faults *f, const char *method, const char *table)
{
    pd_fault_action act;
    pd_faults_match(&act, f, method, table);
    free(act.body);
    return act.kind == PD_FAULT_STATUS  ? act.status
           : act.kind == PD_FAULT_CLOSE ? -1
                                        : 0;
}

static void test_fault_nth_fires_once_on_matching_requests(void **state)
{
    (void)state;
    char err[128];
    pd_faults *f = pd_faults_new();
    assert_int_equal(pd_faults_add(f,
                                   "{\"rules\":[{\"method\":\"POST\","
                                   "\"table\":\"a\",\"nth\":2,"
                                   "\"status\":429}]}",
                                   err, sizeof(err)),
                     0);
    assert_int_equal(fired_status(f, "POST", "a"), 0);
    assert_int_equal(fired_status(f, "GET", "a"), 0);
    assert_int_equal(fired_status(f, "POST", "b"), 0);
    assert_int_equal(fired_status(f, "POST", "a"), 429);
    assert_int_equal(fired_status(f, "POST", "a"), 0);
    pd_faults_free(f);
}

static void test_fault_every_with_count(void **state)
{
    (void)state;
    char err[128];
    pd_faults *f = pd_faults_new();
    assert_int_equal(pd_faults_add(f,
                                   "{\"every\":2,\"count\":2,"
                                   "\"action\":\"close\"}",
                                   err, sizeof(err)),
                     0);
    int seen[6];
    for (int i = 0; i < 6; i++)
        seen[i] = fired_status(f, "GET", "t");
    assert_int_equal(seen[0], 0);
    assert_int_equal(seen[1], -1);
    assert_int_equal(seen[2], 0);
    assert_int_equal(seen[3], -1);
    assert_int_equal(seen[4], 0);
    assert_int_equal(seen[5], 0);
    pd_faults_free(f);
}

static void test_fault_bad_rules_are_refused(void **state)
{
    (void)state;
    char err[128];
    pd_faults *f = pd_faults_new();
    assert_int_equal(
        pd_faults_add(f, "{\"action\":\"boom\"}", err, sizeof(err)), -1);
    assert_int_equal(
        pd_faults_add(f, "{\"nth\":1,\"every\":2}", err, sizeof(err)), -1);
    assert_int_equal(pd_faults_add(f, "{\"status\":42}", err, sizeof(err)), -1);
    assert_int_equal(pd_faults_add(f, "not json", err, sizeof(err)), -1);
    assert_int_equal(fired_status(f, "GET", "t"), 0);
    pd_faults_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefer_comma_separated_and_repeated),
        cmocka_unit_test(test_prefer_absent_means_defaults),
        cmocka_unit_test(test_filter_values_are_parameters),
        cmocka_unit_test(test_filter_in_list_becomes_array_literal),
        cmocka_unit_test(test_filter_not_is_null),
        cmocka_unit_test(test_filter_unknown_column_and_operator_fail),
        cmocka_unit_test(test_identifiers_are_quoted),
        cmocka_unit_test(test_order_and_select),
        cmocka_unit_test(test_sqlstate_statuses_follow_postgrest),
        cmocka_unit_test(test_fault_nth_fires_once_on_matching_requests),
        cmocka_unit_test(test_fault_every_with_count),
        cmocka_unit_test(test_fault_bad_rules_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

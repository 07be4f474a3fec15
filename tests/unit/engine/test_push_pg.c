/* The PostgreSQL target's pure parts: the TLS rule (engine/pg_conn.c), the
 * connection's errors that never show the URL, and the COPY text lines
 * (engine/push_pg_copy.c). The target itself runs against a real server in
 * tests/integration/test_pg_*.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazsync/error.h"
#include "pg_conn.h"
#include "push_internal.h"

static void test_local_hosts_are_recognised(void **state)
{
    (void)state;
    assert_true(gs__pg_host_is_local(NULL));
    assert_true(gs__pg_host_is_local(""));
    assert_true(gs__pg_host_is_local("127.0.0.1"));
    assert_true(gs__pg_host_is_local("localhost"));
    assert_true(gs__pg_host_is_local("::1"));
    assert_true(gs__pg_host_is_local("/tmp/gs-harness.x/sock"));
    assert_true(gs__pg_host_is_local("localhost,/var/run/postgresql"));
    assert_false(gs__pg_host_is_local("db.abcd.supabase.co"));
    assert_false(gs__pg_host_is_local("127.0.0.2"));
    assert_false(gs__pg_host_is_local("localhost,db.example.org"));
    assert_false(gs__pg_host_is_local("localhost.example.org"));
}

static const char *sslmode_of(const char *url)
{
    static char mode[32];
    gs_pg *pg = NULL;

    assert_int_equal(gs__pg_new(&pg, url, 1, 1), GS_OK);
    snprintf(mode, sizeof mode, "%s",
             gs__pg_param(pg, "sslmode") ? gs__pg_param(pg, "sslmode") : "");
    gs__pg_close(pg);
    return mode;
}

static void test_tls_is_required_unless_local_or_said(void **state)
{
    (void)state;
    unsetenv("PGSSLMODE");
    unsetenv("PGHOST");
    assert_string_equal(
        sslmode_of(
            "postgresql://postgres:pw@db.abcd.supabase.co:5432/postgres"),
        "require");
    assert_string_equal(sslmode_of("host=db.example.org dbname=x"), "require");
    assert_string_equal(
        sslmode_of("postgresql://u@db.example.org/x?sslmode=verify-full"),
        "verify-full");
    assert_string_equal(sslmode_of("host=db.example.org sslmode=disable"),
                        "disable");
    assert_string_equal(sslmode_of("host=127.0.0.1 port=5999 dbname=x"), "");
    assert_string_equal(sslmode_of("postgresql://u@localhost/x"), "");
    assert_string_equal(sslmode_of("host=/tmp/sock dbname=x"), "");
    /* An address alone (hostaddr) counts like a host. */
    assert_string_equal(sslmode_of("hostaddr=10.1.2.3 dbname=x"), "require");
    setenv("PGSSLMODE", "verify-ca", 1);
    assert_string_equal(sslmode_of("host=db.example.org"), "");
    unsetenv("PGSSLMODE");
}

static void test_errors_never_show_the_url(void **state)
{
    gs_pg *pg = NULL;
    const char *message;

    (void)state;
    assert_int_equal(gs__pg_open(&pg, "postgresql://u:s3cr3t-pw@[bad", 1, 1),
                     GS_ECONFIG);
    assert_null(pg);
    assert_null(strstr(gs_error_last()->message, "s3cr3t-pw"));
    /* Port 1 on 127.0.0.1: nothing listens, the connection is refused. */
    assert_int_equal(
        gs__pg_open(&pg, "postgresql://u:s3cr3t-pw@127.0.0.1:1/mirror", 2, 1),
        GS_EHTTP);
    message = gs_error_last()->message;
    assert_null(strstr(message, "s3cr3t-pw"));
    assert_non_null(strstr(message, "host 127.0.0.1 port 1 database mirror"));
    assert_non_null(strstr(message, "2 attempt(s)"));
    assert_int_equal(gs__pg_open(&pg, NULL, 1, 1), GS_ECONFIG);
    assert_non_null(strstr(gs_error_last()->message, "GAZSYNC_PG_URL"));
}

static void test_copy_line_escapes_and_keeps_types(void **state)
{
    const char *json = "{\"external_id\":\"cli_1\",\"company_name\":"
                       "\"a\\tb\\nc\\\\d\",\"year\":1998,\"is_default\":true,"
                       "\"archived\":false,\"tags\":[\"x\",\"y\\tz\"],"
                       "\"notes\":null}";
    gs_push_row row = {"cli_1", 7, (char *)json, strlen(json)};
    json_t *columns = NULL;
    json_t *names;
    gs_buf line = GS_BUF_INIT;

    (void)state;
    assert_int_equal(gs__push_pg_columns(&columns, &row), GS_OK);
    assert_int_equal(json_array_size(columns), 7);
    assert_string_equal(json_string_value(json_array_get(columns, 0)),
                        "external_id");
    /* A column the payload lacks is NULL, never shifted. */
    names = json_deep_copy(columns);
    json_array_append_new(names, json_string("not_in_payload"));
    assert_int_equal(gs__push_pg_copy_line(&line, 3, &row, names), GS_OK);
    assert_string_equal(line.data, "3\tcli_1\ta\\tb\\nc\\\\d\t1998\ttrue\t"
                                   "false\t[\"x\",\"y\\\\tz\"]\t\\N\t\\N\n");
    gs_buf_free(&line);
    json_decref(names);
    json_decref(columns);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_hosts_are_recognised),
        cmocka_unit_test(test_tls_is_required_unless_local_or_said),
        cmocka_unit_test(test_errors_never_show_the_url),
        cmocka_unit_test(test_copy_line_escapes_and_keeps_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

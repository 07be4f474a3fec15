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
#include <unistd.h>

#include <cmocka.h>

#include "gazsync/config.h"
#include "gazsync/entity.h"
#include "gazsync/error.h"
#include "gazsync/push.h"
#include "gazsync/store.h"
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
    gs_push_row row = {.id = "cli_1",
                       .change_seq = 7,
                       .json = (char *)json,
                       .json_len = strlen(json)};
    json_t *names =
        json_pack("[ssssssss]", "external_id", "company_name", "year",
                  "is_default", "archived", "tags", "notes", "not_in_payload");
    gs_buf line = GS_BUF_INIT;

    (void)state;
    /* A column the payload lacks is NULL, never shifted. */
    assert_int_equal(gs__push_pg_copy_line(&line, 3, &row, names), GS_OK);
    assert_string_equal(line.data, "3\tcli_1\ta\\tb\\nc\\\\d\t1998\ttrue\t"
                                   "false\t[\"x\",\"y\\\\tz\"]\t\\N\t\\N\n");
    gs_buf_free(&line);
    json_decref(names);
}

/* The COPY line written from the cache's cells (gs__push_pg_load) is the
 * line written from the payload object (push_batch.c, the REST target's
 * mapping): same columns, same values, renamed and left-out columns
 * included. */
static void test_cells_line_equals_payload_line(void **state)
{
    char dir[] = "/tmp/gs-test-pgcopy.XXXXXX";
    char path[128], side[160];
    const char *now = "2026-03-01T10:00:00Z";
    const gs_entity *pianos = gs_entity_get(GS_ENTITY_PIANOS);
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);
    char(*names)[64] = calloc(GS_MAX_COLUMNS, 64);
    gs_store *store = NULL;
    int changed = 0;
    json_t *node;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/cache.db", dir);
    assert_int_equal(gs_store_open(&store, path, NULL), GS_OK);
    node = json_pack("{ss ss si s[ss] ss s{ss} ss}", "id", "pia_1", "make",
                     "Stein\tway\\", "year", 1998, "tags", "grand", "v\"ip",
                     "updatedAt", now, "client", "id", "cli_1", "notes",
                     "line 1\nline 2");
    assert_int_equal(gs_store_upsert(&changed, store, pianos, node, now),
                     GS_OK);
    json_decref(node);
    node = json_pack("{ss ss sb ss}", "id", "cli_1", "companyName", "Acme",
                     "isDefault", 1, "updatedAt", now);
    assert_int_equal(gs_store_upsert(&changed, store, clients, node, now),
                     GS_OK);
    json_decref(node);
    /* One column renamed and one left out, as [columns.<entity>] does. */
    assert_true(pianos->n_columns > 3);
    snprintf(names[1], 64, "renamed_col");
    snprintf(names[2], 64, "-");
    for (int pass = 0; pass < 2; pass++) {
        const gs_entity *entity = pass ? clients : pianos;
        const char(*mapping)[64] = pass ? NULL : (const char(*)[64])names;
        gs_push_rows from_json = {.column_target = mapping, .keep_payload = 1};
        gs_push_rows from_cells = {.column_target = mapping};
        json_t *cache_rows = NULL, *columns = NULL;
        gs_buf a = GS_BUF_INIT, b = GS_BUF_INIT;

        assert_int_equal(gs_store_pending(&cache_rows, store, entity, 0, 100),
                         GS_OK);
        assert_int_equal(gs__push_rows_add(&from_json, entity, cache_rows, now),
                         GS_OK);
        assert_int_equal(
            gs__push_pg_load(&from_cells, store, entity, 0, 100, now), GS_OK);
        assert_int_equal(from_json.count, 1);
        assert_int_equal(from_cells.count, 1);
        assert_string_equal(from_cells.row[0].id, from_json.row[0].id);
        assert_int_equal(from_cells.row[0].change_seq,
                         from_json.row[0].change_seq);
        assert_int_equal(gs__push_pg_columns(&columns, entity, mapping), GS_OK);
        /* The columns are the payload's keys, in its order. */
        {
            json_t *obj = json_loads(from_json.row[0].json, 0, NULL);
            const char *key;
            json_t *value;
            size_t i = 0;
            assert_non_null(obj);
            assert_int_equal(json_object_size(obj), json_array_size(columns));
            json_object_foreach(obj, key, value)
            {
                (void)value;
                assert_string_equal(
                    key, json_string_value(json_array_get(columns, i++)));
            }
            json_decref(obj);
        }
        assert_int_equal(
            gs__push_pg_copy_line(&a, 5, &from_json.row[0], columns), GS_OK);
        assert_int_equal(
            gs__push_pg_copy_line(&b, 5, &from_cells.row[0], columns), GS_OK);
        assert_string_equal(b.data, a.data);
        gs_buf_free(&a);
        gs_buf_free(&b);
        json_decref(columns);
        json_decref(cache_rows);
        gs__push_rows_free(&from_json);
        gs__push_rows_free(&from_cells);
    }
    gs_store_close(store);
    free(names);
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    assert_int_equal(rmdir(dir), 0);
}

/* The push state's key: per target kind and database, never the password;
 * the REST target's is unchanged (existing caches keep their state). */
static void test_state_key_names_the_database_not_the_secret(void **state)
{
    gs_config cfg;
    char key[300];

    (void)state;
    memset(&cfg, 0, sizeof cfg);
    gs_push_state_key(key, sizeof key, &cfg);
    assert_string_equal(key, "supabase");
    cfg.supabase_target = "staging";
    gs_push_state_key(key, sizeof key, &cfg);
    assert_string_equal(key, "staging");
    cfg.push_target = GS_PUSH_TARGET_POSTGRES;
    cfg.pg_url = "postgresql://app:s3cr3t-pw@db.example.com:6543/mirror";
    gs_push_state_key(key, sizeof key, &cfg);
    assert_string_equal(key, "postgres:db.example.com:6543/mirror");
    cfg.pg_url = "host=10.0.0.5 dbname=crm password=s3cr3t-pw";
    gs_push_state_key(key, sizeof key, &cfg);
    assert_string_equal(key, "postgres:10.0.0.5:5432/crm");
    assert_null(strstr(key, "s3cr3t"));
    cfg.pg_url = NULL;
    gs_push_state_key(key, sizeof key, &cfg);
    assert_string_equal(key, "postgres");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_hosts_are_recognised),
        cmocka_unit_test(test_tls_is_required_unless_local_or_said),
        cmocka_unit_test(test_errors_never_show_the_url),
        cmocka_unit_test(test_copy_line_escapes_and_keeps_types),
        cmocka_unit_test(test_cells_line_equals_payload_line),
        cmocka_unit_test(test_state_key_names_the_database_not_the_secret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

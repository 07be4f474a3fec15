/* schema/cache.sql against the embedded copy and the entity mapping. */
#include "test_store_util.h"

/* tests/unit/store/test_schema.c -> <repo>/schema/cache.sql */
static char *read_cache_sql(void)
{
    char path[1024];
    const char *here = __FILE__;
    const char *cut = strstr(here, "tests/unit/store/");
    gs_buf text = GS_BUF_INIT;
    char chunk[4096];
    size_t n;
    FILE *f;

    assert_non_null(cut);
    snprintf(path, sizeof path, "%.*sschema/cache.sql", (int)(cut - here),
             here);
    f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        assert_int_equal(gs_buf_append(&text, chunk, n), GS_OK);
    fclose(f);
    return gs_buf_detach(&text);
}

static void test_schema_file_equals_the_embedded_schema(void **state)
{
    char *file = read_cache_sql();

    (void)state;
    assert_string_equal(file, gs_store__schema_v1);
    free(file);
}

static void test_schema_tables_have_exactly_the_mapped_columns(void **state)
{
    store_fixture *fx = *state;
    static const char *const bookkeeping[] = {"row_hash", "change_seq",
                                              "pulled_at", "deleted_at",
                                              "raw"};

    for (int e = 0; e < GS_ENTITY_COUNT; e++) {
        const gs_entity *entity = gs_entity_get(e);
        char sql[256];
        sqlite3_stmt *stmt;
        size_t i = 0;

        snprintf(sql, sizeof sql, "SELECT name, type FROM pragma_table_info"
                                  "('%s') ORDER BY cid",
                 entity->cache_table);
        assert_int_equal(sqlite3_prepare_v2(fx->store->db, sql, -1, &stmt,
                                            NULL),
                         SQLITE_OK);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(stmt, 0);
            const char *type = (const char *)sqlite3_column_text(stmt, 1);

            if (i < entity->n_columns) {
                const gs_column *col = &entity->columns[i];
                int is_int = col->type == GS_COL_INT || col->type == GS_COL_BOOL;
                assert_string_equal(name, col->name);
                assert_string_equal(type, is_int ? "INTEGER" : "TEXT");
            } else {
                assert_true(i - entity->n_columns < 5);
                assert_string_equal(name, bookkeeping[i - entity->n_columns]);
            }
            i++;
        }
        sqlite3_finalize(stmt);
        assert_int_equal(i, entity->n_columns + 5);
    }
}

static void test_schema_views_answer_for_every_entity(void **state)
{
    store_fixture *fx = *state;
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);
    int changed;

    assert_int_equal(upsert_text(&changed, fx->store, GS_ENTITY_CLIENTS,
                                 "{\"id\":\"cli_1\"}", "now"),
                     GS_OK);
    assert_int_equal(gs_store_push_advance(fx->store, clients, "supabase", 0,
                                           0, "now"),
                     GS_OK);
    assert_int_equal(sql_int(fx->store->db, "SELECT count(*) FROM v_status"),
                     GS_ENTITY_COUNT);
    assert_int_equal(sql_int(fx->store->db,
                             "SELECT rows FROM v_status WHERE entity = "
                             "'clients'"),
                     1);
    assert_int_equal(sql_int(fx->store->db,
                             "SELECT pending FROM v_pending WHERE entity = "
                             "'clients' AND target = 'supabase'"),
                     1);
    char *pending = sql_text(fx->store->db, "SELECT pending FROM v_status "
                                            "WHERE entity = 'clients'");
    assert_string_equal(pending, "supabase=1");
    free(pending);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_file_equals_the_embedded_schema),
        cmocka_unit_test_setup_teardown(
            test_schema_tables_have_exactly_the_mapped_columns, fixture_open,
            fixture_close),
        cmocka_unit_test_setup_teardown(
            test_schema_views_answer_for_every_entity, fixture_open,
            fixture_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

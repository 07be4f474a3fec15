/* schema/cache.sql against the embedded copy and the entity mapping. */
#include "test_store_util.h"

/* tests/unit/store/test_schema.c -> <repo>/schema/<name> */
static char *read_schema_file(const char *name)
{
    char path[1024];
    const char *here = __FILE__;
    const char *cut = strstr(here, "tests/unit/store/");
    gs_buf text = GS_BUF_INIT;
    char chunk[4096];
    size_t n;
    FILE *f;

    assert_non_null(cut);
    snprintf(path, sizeof path, "%.*sschema/%s", (int)(cut - here), here, name);
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
    char *file = read_schema_file("cache.sql");
    char *step2 = read_schema_file("cache_v2.sql");
    char *step3 = read_schema_file("cache_v3.sql");

    (void)state;
    assert_string_equal(file, gs__store_schema_v1);
    assert_string_equal(step2, gs__store_schema_v2);
    assert_string_equal(step3, gs__store_schema_v3);
    free(file);
    free(step2);
    free(step3);
}

/* The type a column of @entity must have in the cache, or NULL when the
 * name is not one of its mapped or bookkeeping columns. Migrations append
 * columns, so the order is free; the set is not. */
static const char *expected_type(const gs_entity *entity, const char *name)
{
    static const char *const bookkeeping[][2] = {{"row_hash", "INTEGER"},
                                                 {"change_seq", "INTEGER"},
                                                 {"pulled_at", "TEXT"},
                                                 {"deleted_at", "TEXT"},
                                                 {"raw", "TEXT"}};

    for (size_t i = 0; i < entity->n_columns; i++) {
        const gs_column *col = &entity->columns[i];

        if (strcmp(col->name, name) == 0)
            return col->type == GS_COL_INT || col->type == GS_COL_BOOL
                       ? "INTEGER"
                       : "TEXT";
    }
    for (size_t i = 0; i < sizeof bookkeeping / sizeof bookkeeping[0]; i++)
        if (strcmp(bookkeeping[i][0], name) == 0)
            return bookkeeping[i][1];
    return NULL;
}

static void test_schema_tables_have_exactly_the_mapped_columns(void **state)
{
    store_fixture *fx = *state;

    for (int e = 0; e < GS_ENTITY_COUNT; e++) {
        const gs_entity *entity = gs_entity_get(e);
        char sql[256];
        sqlite3_stmt *stmt;
        size_t i = 0;

        snprintf(sql, sizeof sql,
                 "SELECT name, type FROM pragma_table_info"
                 "('%s') ORDER BY cid",
                 entity->cache_table);
        assert_int_equal(
            sqlite3_prepare_v2(fx->store->db, sql, -1, &stmt, NULL), SQLITE_OK);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(stmt, 0);
            const char *type = (const char *)sqlite3_column_text(stmt, 1);
            const char *want = expected_type(entity, name);

            if (!want)
                fail_msg("%s.%s is not in the mapping", entity->cache_table,
                         name);
            assert_string_equal(type, want);
            i++;
        }
        sqlite3_finalize(stmt);
        /* every mapped and bookkeeping column, each once (names are
         * unique in a table, so the count closes the set) */
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
    assert_int_equal(
        gs_store_push_advance(fx->store, clients, "supabase", 0, 0, "now"),
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
    /* A number people can filter on (schema step 3), and the old text. */
    assert_int_equal(sql_int(fx->store->db,
                             "SELECT count(*) FROM v_status WHERE pending > 0 "
                             "AND typeof(pending) = 'integer'"),
                     1);
    char *pending =
        sql_text(fx->store->db, "SELECT pending_by_target FROM v_status "
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

/* engine/push_batch.c: payload keys (only owned columns, id -> external_id,
 * the same keys in every object), value shapes (tags as arrays, booleans),
 * the row and byte bounds of a batch, and the mapping against
 * schema/supabase.sql. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazsync/entity.h"
#include "gazsync/error.h"
#include "push_internal.h"

#define NOW "2026-01-21T15:00:00Z"

/* A cache row as gs_store_pending() gives it: every owned column, the
 * bookkeeping columns, and a column nobody owns. */
static json_t *cache_row(const gs_entity *entity, int n, size_t pad)
{
    json_t *row = json_object();
    char id[32];

    snprintf(id, sizeof id, "%s_%d", entity->name, n);
    for (size_t i = 0; i < entity->n_columns; i++) {
        const gs_column *c = &entity->columns[i];
        json_t *v;
        switch (c->type) {
        case GS_COL_INT:
            v = json_integer(n);
            break;
        case GS_COL_BOOL:
            v = json_integer(n % 2);
            break;
        case GS_COL_JSON:
            v = json_pack("[ss]", "a", "b");
            break;
        case GS_COL_TIMESTAMP:
            v = json_string(NOW);
            break;
        case GS_COL_DATE:
            v = json_string("2026-01-21");
            break;
        default: {
            char *text = malloc(pad + 2);
            memset(text, 'x', pad + 1);
            text[pad + 1] = '\0';
            v = json_string(text);
            free(text);
        }
        }
        json_object_set_new(row, c->name, v);
    }
    json_object_set_new(row, "id", json_string(id));
    json_object_set_new(row, "raw", json_pack("{ss}", "id", id));
    json_object_set_new(row, "deleted_at", json_null());
    json_object_set_new(row, "change_seq", json_integer(100 + n));
    json_object_set_new(row, "row_hash", json_integer(12345));
    json_object_set_new(row, "pulled_at", json_string(NOW));
    json_object_set_new(row, "staff_notes", json_string("hand-set"));
    return row;
}

/* The keys a payload of @p entity must have, no more, no less. */
static json_t *expected_keys(const gs_entity *entity)
{
    json_t *keys = json_object();

    json_object_set_new(keys, "external_id", json_true());
    for (size_t i = 1; i < entity->n_columns; i++)
        json_object_set_new(keys, entity->columns[i].name, json_true());
    json_object_set_new(keys, "raw", json_true());
    json_object_set_new(keys, "deleted_at", json_true());
    json_object_set_new(keys, "synced_at", json_true());
    return keys;
}

static void test_push_payload_sends_only_owned_columns(void **state)
{
    (void)state;
    for (int e = 0; e < GS_ENTITY_COUNT; e++) {
        const gs_entity *entity = gs_entity_get((gs_entity_id)e);
        json_t *row = cache_row(entity, 1, 3);
        json_t *keys = expected_keys(entity);
        json_t *payload = NULL;
        const char *key;
        json_t *value;

        assert_int_equal(gs__push_payload(&payload, entity, row, NOW), 0);
        assert_int_equal(json_object_size(payload), json_object_size(keys));
        json_object_foreach(payload, key, value)
        {
            if (!json_object_get(keys, key))
                fail_msg("%s: payload has a column not owned: %s", entity->name,
                         key);
        }
        assert_null(json_object_get(payload, "id"));
        assert_null(json_object_get(payload, "staff_notes"));
        assert_null(json_object_get(payload, "change_seq"));
        assert_null(json_object_get(payload, "row_hash"));
        json_decref(payload);
        json_decref(keys);
        json_decref(row);
    }
}

static void test_push_payload_maps_id_to_external_id(void **state)
{
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);
    json_t *row = cache_row(clients, 7, 3);
    json_t *payload = NULL;

    (void)state;
    assert_int_equal(gs__push_payload(&payload, clients, row, NOW), 0);
    assert_string_equal(
        json_string_value(json_object_get(payload, "external_id")),
        "clients_7");
    assert_string_equal(
        json_string_value(json_object_get(payload, "synced_at")), NOW);
    assert_true(json_is_object(json_object_get(payload, "raw")));
    assert_true(json_is_null(json_object_get(payload, "deleted_at")));
    json_decref(payload);
    json_decref(row);
}

static void test_push_payload_keeps_tags_as_json_arrays(void **state)
{
    const gs_entity *pianos = gs_entity_get(GS_ENTITY_PIANOS);
    json_t *row = cache_row(pianos, 2, 3);
    json_t *payload = NULL;
    char *text;

    (void)state;
    assert_int_equal(gs__push_payload(&payload, pianos, row, NOW), 0);
    assert_true(json_is_array(json_object_get(payload, "tags")));
    json_decref(payload);

    /* A cache that hands the column back as text still sends an array. */
    json_object_set_new(row, "tags", json_string("[\"vip\",\"grand\"]"));
    assert_int_equal(gs__push_payload(&payload, pianos, row, NOW), 0);
    assert_true(json_is_array(json_object_get(payload, "tags")));
    assert_int_equal(json_array_size(json_object_get(payload, "tags")), 2);
    text = json_dumps(payload, JSON_COMPACT);
    assert_non_null(strstr(text, "\"tags\":[\"vip\",\"grand\"]"));
    free(text);
    json_decref(payload);
    json_decref(row);
}

static void test_push_payload_sends_booleans_and_soft_deletes(void **state)
{
    const gs_entity *appts = gs_entity_get(GS_ENTITY_APPOINTMENTS);
    json_t *row = cache_row(appts, 1, 3);
    json_t *payload = NULL;

    (void)state;
    json_object_set_new(row, "deleted_at", json_string(NOW));
    json_object_del(row, "notes"); /* absent from the cache row: null */
    assert_int_equal(gs__push_payload(&payload, appts, row, NOW), 0);
    assert_true(json_is_true(json_object_get(payload, "is_all_day")));
    assert_true(
        json_is_boolean(json_object_get(payload, "confirmed_by_client")));
    assert_string_equal(
        json_string_value(json_object_get(payload, "deleted_at")), NOW);
    assert_true(json_is_null(json_object_get(payload, "notes")));
    json_decref(payload);
    json_decref(row);
}

static void test_push_payload_refuses_a_row_without_id(void **state)
{
    const gs_entity *users = gs_entity_get(GS_ENTITY_USERS);
    json_t *row = cache_row(users, 1, 3);
    json_t *payload = NULL;

    (void)state;
    json_object_del(row, "id");
    assert_int_equal(gs__push_payload(&payload, users, row, NOW), GS_EINVAL);
    assert_null(payload);
    json_decref(row);
}

static void test_push_row_sends_stored_raw_text_as_json(void **state)
{
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);
    json_t *row = cache_row(clients, 7, 0);
    json_t *array = json_array();
    json_t *sent, *keys;
    gs_push_rows rows;
    const char *key;
    json_t *value;

    (void)state;
    memset(&rows, 0, sizeof rows);
    /* As gs_store_pending() hands it: the stored compact text. */
    json_object_set_new(row, "raw",
                        json_string("{\"id\":\"clients_7\",\"tags\":[\"a\"],"
                                    "\"note\":\"é \\\"q\\\"\"}"));
    json_array_append_new(array, row);
    assert_int_equal(gs__push_rows_add(&rows, clients, array, NOW), 0);
    sent = json_loads(rows.row[0].json, 0, NULL);
    assert_non_null(sent);
    /* raw arrives as the object, not as a string */
    assert_true(json_is_object(json_object_get(sent, "raw")));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(sent, "raw"), "note")),
                        "é \"q\"");
    /* and the keys are exactly those of a payload built from an object */
    keys = expected_keys(clients);
    assert_int_equal(json_object_size(sent), json_object_size(keys));
    json_object_foreach(keys, key, value)
        assert_non_null(json_object_get(sent, key));
    json_decref(keys);
    json_decref(sent);
    json_decref(array);
    gs__push_rows_free(&rows);
}

static void test_push_row_uses_the_configured_column_names(void **state)
{
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);
    char names[GS_MAX_COLUMNS][64];
    json_t *array = json_array();
    json_t *sent;
    gs_push_rows rows;

    (void)state;
    memset(names, 0, sizeof names);
    snprintf(names[1], sizeof names[1], "name"); /* company_name */
    snprintf(names[4], sizeof names[4], "-");    /* tags: not sent */
    memset(&rows, 0, sizeof rows);
    rows.column_target = (const char(*)[64])names;
    json_array_append_new(array, cache_row(clients, 3, 0));
    assert_int_equal(gs__push_rows_add(&rows, clients, array, NOW), 0);
    sent = json_loads(rows.row[0].json, 0, NULL);
    assert_non_null(sent);
    assert_non_null(json_object_get(sent, "name"));
    assert_null(json_object_get(sent, "company_name"));
    assert_null(json_object_get(sent, "tags"));
    assert_non_null(json_object_get(sent, "status"));
    assert_non_null(json_object_get(sent, "external_id"));
    json_decref(sent);
    json_decref(array);
    gs__push_rows_free(&rows);
}

/* Rows of varied sizes, loaded through gs__push_rows_add(). */
static void load_rows(gs_push_rows *rows, const gs_entity *entity, int count)
{
    json_t *array = json_array();

    for (int i = 0; i < count; i++)
        json_array_append_new(array,
                              cache_row(entity, i, (size_t)(i * 37) % 400));
    assert_int_equal(gs__push_rows_add(rows, entity, array, NOW), 0);
    assert_int_equal(rows->count, (size_t)count);
    json_decref(array);
}

/* Cuts every row into batches and checks each body. */
static size_t check_batches(const gs_push_rows *rows, size_t max_rows,
                            size_t max_bytes, const gs_entity *entity)
{
    gs_buf body = GS_BUF_INIT;
    json_t *keys = expected_keys(entity);
    size_t from = 0, n, batches = 0;
    long long last_seq = 0;

    while ((n = gs__push_batch_take(rows, from, max_rows, max_bytes)) > 0) {
        json_t *array;
        size_t i;
        json_t *object;

        assert_true(n <= max_rows);
        assert_int_equal(gs__push_body(&body, rows, from, n), 0);
        assert_int_equal(body.len, gs__push_body_len(rows, from, n));
        if (n > 1)
            assert_true(body.len <= max_bytes);
        /* Taking one more row would have broken a bound. */
        if (from + n < rows->count && n < max_rows)
            assert_true(gs__push_body_len(rows, from, n + 1) > max_bytes);
        array = json_loadb(body.data, body.len, 0, NULL);
        assert_non_null(array);
        assert_int_equal(json_array_size(array), n);
        json_array_foreach(array, i, object)
        {
            const char *key;
            json_t *value;
            assert_int_equal(json_object_size(object), json_object_size(keys));
            json_object_foreach(object, key, value)
            {
                assert_non_null(json_object_get(keys, key));
            }
            assert_true(rows->row[from + i].change_seq > last_seq);
            last_seq = rows->row[from + i].change_seq;
        }
        json_decref(array);
        from += n;
        batches++;
    }
    assert_int_equal(from, rows->count);
    gs_buf_free(&body);
    json_decref(keys);
    return batches;
}

static void test_push_batch_respects_the_byte_bound(void **state)
{
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);
    gs_push_rows rows = {0};

    (void)state;
    load_rows(&rows, clients, 200);
    assert_true(check_batches(&rows, 500, 6000, clients) > 10);
    assert_true(check_batches(&rows, 500, 20000, clients) > 2);
    gs__push_rows_free(&rows);
}

static void test_push_batch_respects_the_row_bound(void **state)
{
    const gs_entity *pianos = gs_entity_get(GS_ENTITY_PIANOS);
    gs_push_rows rows = {0};

    (void)state;
    load_rows(&rows, pianos, 101);
    assert_int_equal(check_batches(&rows, 25, 100000000, pianos), 5);
    assert_int_equal(check_batches(&rows, 500, 100000000, pianos), 1);
    gs__push_rows_free(&rows);
}

static void test_push_batch_sends_an_oversized_row_alone(void **state)
{
    const gs_entity *clients = gs_entity_get(GS_ENTITY_CLIENTS);
    gs_push_rows rows = {0};

    (void)state;
    load_rows(&rows, clients, 5);
    /* Smaller than any row: every batch is one row, none is skipped. */
    assert_int_equal(gs__push_batch_take(&rows, 0, 500, 10), 1);
    assert_int_equal(check_batches(&rows, 500, 10, clients), 5);
    gs__push_rows_free(&rows);
}

/* ---- the mapping against schema/supabase.sql -------------------------- */

static char *read_schema(void)
{
    char path[4096];
    const char *here = __FILE__; /* .../tests/unit/engine/test_push_batch.c */
    const char *cut = strstr(here, "tests/unit/engine/");
    FILE *f;
    char *text;
    long size;

    assert_non_null(cut);
    snprintf(path, sizeof path, "%.*sschema/supabase.sql", (int)(cut - here),
             here);
    f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = calloc(1, (size_t)size + 1);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    return text;
}

/* The body of "create table if not exists <table> (...);", or NULL. */
static char *table_body(const char *schema, const char *table)
{
    char head[160];
    const char *start, *end;

    snprintf(head, sizeof head, "create table if not exists %s (", table);
    start = strstr(schema, head);
    if (!start)
        return NULL;
    start += strlen(head);
    end = strstr(start, "\n);");
    if (!end)
        return NULL;
    return strndup(start, (size_t)(end - start));
}

/* Whether a line of @p body starts (after spaces) with "<column> ". */
static int has_column(const char *body, const char *column)
{
    size_t len = strlen(column);

    for (const char *line = body; line; line = strchr(line, '\n')) {
        while (*line == '\n' || *line == ' ')
            line++;
        if (strncmp(line, column, len) == 0 && line[len] == ' ')
            return 1;
    }
    return 0;
}

static void test_push_mapping_columns_exist_in_supabase_sql(void **state)
{
    char *schema = read_schema();
    static const char *const bookkeeping[] = {"external_id", "raw", "synced_at",
                                              "deleted_at"};

    (void)state;
    for (int e = 0; e < GS_ENTITY_COUNT; e++) {
        const gs_entity *entity = gs_entity_get((gs_entity_id)e);
        char *body = table_body(schema, entity->target_table);

        if (!body)
            fail_msg("schema/supabase.sql has no table %s",
                     entity->target_table);
        for (size_t i = 0; i < entity->n_columns; i++)
            if (!has_column(body, entity->columns[i].name))
                fail_msg("%s.%s is mapped but not in schema/supabase.sql",
                         entity->target_table, entity->columns[i].name);
        for (size_t i = 0; i < 4; i++)
            if (!has_column(body, bookkeeping[i]))
                fail_msg("%s lacks %s", entity->target_table, bookkeeping[i]);
        assert_false(has_column(body, "no_such_column_here"));
        free(body);
    }
    free(schema);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_payload_sends_only_owned_columns),
        cmocka_unit_test(test_push_payload_maps_id_to_external_id),
        cmocka_unit_test(test_push_payload_keeps_tags_as_json_arrays),
        cmocka_unit_test(test_push_payload_sends_booleans_and_soft_deletes),
        cmocka_unit_test(test_push_payload_refuses_a_row_without_id),
        cmocka_unit_test(test_push_row_sends_stored_raw_text_as_json),
        cmocka_unit_test(test_push_row_uses_the_configured_column_names),
        cmocka_unit_test(test_push_batch_respects_the_byte_bound),
        cmocka_unit_test(test_push_batch_respects_the_row_bound),
        cmocka_unit_test(test_push_batch_sends_an_oversized_row_alone),
        cmocka_unit_test(test_push_mapping_columns_exist_in_supabase_sql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

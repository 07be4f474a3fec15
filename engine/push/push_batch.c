/* Payload objects and batches: which keys a row is sent with, and how many
 * rows make one request. Each row is serialised once, when it is loaded; a
 * batch body is the rows' texts joined into a JSON array, so the byte bound
 * is exact and a split never re-serialises. */
#include "push_internal.h"

#include <stdlib.h>
#include <string.h>

#include "gazsync/error.h"

/* A JSON column the cache handed back as text (older files, or a store that
 * does not parse it) is sent as the JSON it holds, not as a string: tags
 * must reach jsonb as an array, or `tags @> '["x"]'` never matches. */
static json_t *json_column(json_t *value)
{
    if (json_is_string(value)) {
        const char *text = json_string_value(value);
        if (text[0] == '[' || text[0] == '{') {
            json_t *parsed = json_loads(text, JSON_DECODE_ANY, NULL);
            if (parsed)
                return parsed;
        }
    }
    return json_incref(value);
}

/* SQLite keeps booleans as 0/1; PostgREST wants JSON booleans for a
 * boolean column (an integer is a 22P02 on `boolean`). */
static json_t *bool_column(json_t *value)
{
    if (json_is_integer(value))
        return json_boolean(json_integer_value(value) != 0);
    return json_incref(value);
}

static json_t *column_value(const gs_column *column, const json_t *cache_row)
{
    json_t *value = json_object_get(cache_row, column->name);

    if (!value)
        return json_null();
    switch (column->type) {
    case GS_COL_BOOL:
        return bool_column(value);
    case GS_COL_JSON:
        return json_column(value);
    default:
        return json_incref(value);
    }
}

static int set_key(json_t *object, const char *key, json_t *value)
{
    if (!value || json_object_set_new(object, key, value) != 0)
        return GS_ENOMEM;
    return GS_OK;
}

/* The payload object; `raw` is its last key, left out when @with_raw is 0
 * so that row_add() can append the stored text as it is. */
static int build_payload(json_t **out, const gs_entity *entity,
                         const char (*names)[64], const json_t *cache_row,
                         const char *now, int with_raw)
{
    json_t *payload = NULL;
    json_t *id = json_object_get(cache_row, "id");
    json_t *value;
    int rc = GS_OK;

    *out = NULL;
    if (!json_is_string(id)) {
        return gs_error_set(GS_EINVAL, GS_ECLASS_DATA,
                            "%s: a cache row has no string id", entity->name);
    }
    payload = json_object();
    if (!payload)
        return GS_ENOMEM;
    if ((rc = set_key(payload, "external_id", json_incref(id))) != GS_OK)
        goto done;
    for (size_t i = 0; i < entity->n_columns; i++) {
        const gs_column *column = &entity->columns[i];
        if (strcmp(column->name, "id") == 0)
            continue; /* the target's id is its own identity column */
        const char *name = column->name;

        /* The config may rename a column, or keep it out ("-"). */
        if (names && i < GS_MAX_COLUMNS && names[i][0]) {
            if (strcmp(names[i], "-") == 0)
                continue;
            name = names[i];
        }
        rc = set_key(payload, name, column_value(column, cache_row));
        if (rc != GS_OK)
            goto done;
    }
    value = json_object_get(cache_row, "deleted_at");
    if ((rc = set_key(payload, "deleted_at",
                      value ? json_incref(value) : json_null())) != GS_OK)
        goto done;
    rc = set_key(payload, "synced_at", now ? json_string(now) : json_null());
    if (rc == GS_OK && with_raw) {
        value = json_object_get(cache_row, "raw");
        rc = set_key(payload, "raw", json_column(value ? value : json_null()));
    }
done:
    if (rc != GS_OK) {
        json_decref(payload);
        return rc == GS_ENOMEM
                   ? gs_error_set(GS_ENOMEM, GS_ECLASS_DATA,
                                  "%s: out of memory building a payload",
                                  entity->name)
                   : rc;
    }
    *out = payload;
    return GS_OK;
}

int gs__push_payload(json_t **out, const gs_entity *entity,
                     const json_t *cache_row, const char *now)
{
    return build_payload(out, entity, NULL, cache_row, now, 1);
}

/* The row's request text. The cache keeps `raw` as compact JSON written by
 * gazsync itself, so when the backlog hands it over as text it is appended
 * verbatim: parsing and re-serialising every node was most of a push's CPU
 * (benchmarks: jansson and malloc, 85%). */
static char *row_text(json_t **keep, const gs_entity *entity,
                      const char (*names)[64], const json_t *cache_row,
                      const char *now, int *rc)
{
    const json_t *raw = json_object_get(cache_row, "raw");
    int splice = json_is_string(raw) && json_string_length(raw) > 0 &&
                 json_string_value(raw)[0] == '{';
    json_t *payload = NULL;
    gs_buf text = GS_BUF_INIT;
    char *head;

    *rc = build_payload(&payload, entity, names, cache_row, now, !splice);
    if (*rc != GS_OK)
        return NULL;
    head = json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (keep && head)
        *keep = payload;
    else
        json_decref(payload);
    if (!head || !splice) {
        *rc = head ? GS_OK : GS_ENOMEM;
        return head;
    }
    /* head ends with '}': reopen it for one more key. */
    if (gs_buf_append(&text, head, strlen(head) - 1) != GS_OK ||
        gs_buf_puts(&text, ",\"raw\":") != GS_OK ||
        gs_buf_append(&text, json_string_value(raw), json_string_length(raw)) !=
            GS_OK ||
        gs_buf_puts(&text, "}") != GS_OK) {
        free(head);
        gs_buf_free(&text);
        *rc = GS_ENOMEM;
        return NULL;
    }
    free(head);
    *rc = GS_OK;
    return gs_buf_detach(&text);
}

static int rows_grow(gs_push_rows *rows)
{
    size_t cap;
    gs_push_row *grown;

    if (rows->count < rows->cap)
        return GS_OK;
    cap = rows->cap ? rows->cap * 2 : 64;
    grown = realloc(rows->row, cap * sizeof *grown);
    if (!grown)
        return GS_ENOMEM;
    rows->row = grown;
    rows->cap = cap;
    return GS_OK;
}

static int row_add(gs_push_rows *rows, const gs_entity *entity,
                   const json_t *cache_row, const char *now)
{
    json_t *seq = json_object_get(cache_row, "change_seq");
    gs_push_row *row;
    char *text;
    int rc;

    json_t *payload = NULL;
    json_t *raw = json_object_get(cache_row, "raw");

    text = row_text(rows->keep_payload ? &payload : NULL, entity,
                    rows->column_target, cache_row, now, &rc);
    if (!text)
        goto done;
    if ((rc = rows_grow(rows)) != GS_OK) {
        free(text);
        json_decref(payload);
        goto done;
    }
    row = &rows->row[rows->count];
    memset(row, 0, sizeof *row);
    row->json = text;
    row->payload = payload;
    if (payload && !json_object_get(payload, "raw") && json_is_string(raw))
        row->raw_text = json_incref(raw);
    row->id = strdup(json_string_value(json_object_get(cache_row, "id")));
    if (!row->id) {
        free(row->json);
        json_decref(row->payload);
        json_decref(row->raw_text);
        rc = GS_ENOMEM;
        goto done;
    }
    row->json_len = strlen(row->json);
    row->change_seq = json_is_integer(seq) ? json_integer_value(seq) : 0;
    rows->count++;
done:
    if (rc == GS_ENOMEM)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_DATA,
                            "%s: out of memory loading the backlog",
                            entity->name);
    return rc;
}

int gs__push_rows_add(gs_push_rows *rows, const gs_entity *entity,
                      const json_t *cache_rows, const char *now)
{
    size_t i;
    json_t *cache_row;

    if (!json_is_array(cache_rows))
        return gs_error_set(GS_EINVAL, GS_ECLASS_DATA,
                            "%s: backlog is not a JSON array", entity->name);
    json_array_foreach(cache_rows, i, cache_row)
    {
        int rc = row_add(rows, entity, cache_row, now);
        if (rc != GS_OK)
            return rc;
    }
    return GS_OK;
}

void gs__push_rows_free(gs_push_rows *rows)
{
    if (!rows)
        return;
    for (size_t i = 0; i < rows->count; i++) {
        free(rows->row[i].id);
        free(rows->row[i].json);
        json_decref(rows->row[i].payload);
        free(rows->row[i].copy);
        json_decref(rows->row[i].raw_text);
    }
    free(rows->row);
    memset(rows, 0, sizeof *rows);
}

size_t gs__push_body_len(const gs_push_rows *rows, size_t from, size_t n)
{
    size_t len = 2; /* [ ] */

    for (size_t i = from; i < from + n; i++)
        len += rows->row[i].json_len + (i > from ? 1 : 0);
    return len;
}

size_t gs__push_batch_take(const gs_push_rows *rows, size_t from,
                           size_t max_rows, size_t max_bytes)
{
    size_t n = 0;
    size_t len = 2;

    if (max_rows == 0)
        max_rows = 1;
    while (from + n < rows->count && n < max_rows) {
        size_t next = len + rows->row[from + n].json_len + (n ? 1 : 0);
        if (n > 0 && max_bytes > 0 && next > max_bytes)
            break;
        len = next;
        n++;
    }
    return n;
}

int gs__push_body(gs_buf *body, const gs_push_rows *rows, size_t from, size_t n)
{
    gs_buf_reset(body);
    if (gs_buf_append(body, "[", 1) != GS_OK)
        return GS_ENOMEM;
    for (size_t i = from; i < from + n; i++) {
        if (i > from && gs_buf_append(body, ",", 1) != GS_OK)
            return GS_ENOMEM;
        if (gs_buf_append(body, rows->row[i].json, rows->row[i].json_len) !=
            GS_OK)
            return GS_ENOMEM;
    }
    return gs_buf_append(body, "]", 1);
}

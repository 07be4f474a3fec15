/* The payload rows (push_batch.c's JSON objects: the one mapping, owned
 * columns under their target names) as COPY text-format lines.
 *
 * Every value goes as text into a temp table of text columns and is cast by
 * the merge (push_pg.c), not by COPY: a value the column's type refuses then
 * fails the merge of its rows, which the savepoints isolate, instead of
 * failing the COPY of the whole batch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazsync/error.h"
#include "push_internal.h"

/* The target name of entity column @p i under @p names: NULL for the id
 * (the target's id is its own) and for a column kept out ("-"). The rule
 * of push_batch.c's build_payload(). */
static const char *target_name(const gs_entity *entity, const char (*names)[64],
                               size_t i)
{
    const char *name = entity->columns[i].name;

    if (strcmp(name, "id") == 0)
        return NULL;
    if (names && i < GS_MAX_COLUMNS && names[i][0])
        return strcmp(names[i], "-") == 0 ? NULL : names[i];
    return name;
}

int gs__push_pg_columns(json_t **out, const gs_entity *entity,
                        const char (*names)[64])
{
    static const char *const tail[] = {"deleted_at", "synced_at", "raw"};
    json_t *list = json_array();
    int bad = !list || json_array_append_new(list, json_string("external_id"));

    *out = NULL;
    for (size_t i = 0; i < entity->n_columns && !bad; i++) {
        const char *name = target_name(entity, names, i);
        if (name)
            bad = json_array_append_new(list, json_string(name)) != 0;
    }
    for (size_t i = 0; i < sizeof tail / sizeof tail[0] && !bad; i++)
        bad = json_array_append_new(list, json_string(tail[i])) != 0;
    if (bad) {
        json_decref(list);
        return GS_ENOMEM;
    }
    *out = list;
    return GS_OK;
}

/* COPY text format: backslash, tab, newline and carriage return escaped. */
static int put_escaped(gs_buf *out, const char *text, size_t len)
{
    size_t start = 0;

    for (size_t i = 0; i < len; i++) {
        const char *esc = NULL;
        switch (text[i]) {
        case '\\':
            esc = "\\\\";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        default:
            continue;
        }
        if (gs_buf_append(out, text + start, i - start) != GS_OK ||
            gs_buf_puts(out, esc) != GS_OK)
            return GS_ENOMEM;
        start = i + 1;
    }
    return gs_buf_append(out, text + start, len - start);
}

static int put_value(gs_buf *out, const json_t *value)
{
    char *text;
    int rc;

    switch (json_typeof(value)) {
    case JSON_NULL:
        return gs_buf_puts(out, "\\N");
    case JSON_STRING:
        return put_escaped(out, json_string_value(value),
                           json_string_length(value));
    case JSON_INTEGER:
        return gs_buf_printf(out, "%lld", (long long)json_integer_value(value));
    case JSON_REAL:
        return gs_buf_printf(out, "%.17g", json_real_value(value));
    case JSON_TRUE:
        return gs_buf_puts(out, "true");
    case JSON_FALSE:
        return gs_buf_puts(out, "false");
    default: /* arrays and objects: jsonb columns take their JSON text */
        if (!(text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY)))
            return GS_ENOMEM;
        rc = put_escaped(out, text, strlen(text));
        free(text);
        return rc;
    }
}

/* The value of column @p name of @p row into @p out. The cache's raw text
 * is compact JSON gazsync wrote: it goes verbatim (escaped for COPY) into
 * the jsonb column, as push_batch.c splices it into the REST body. */
static int put_column(gs_buf *out, const gs_push_row *row, const json_t *obj,
                      const char *name)
{
    json_t *value;

    if (row->raw_text && strcmp(name, "raw") == 0)
        return put_escaped(out, json_string_value(row->raw_text),
                           json_string_length(row->raw_text));
    value = json_object_get(obj, name);
    return value ? put_value(out, value) : gs_buf_puts(out, "\\N");
}

int gs__push_pg_copy_line(gs_buf *out, long long ordinal,
                          const gs_push_row *row, const json_t *columns)
{
    json_t *parsed = NULL;
    const json_t *obj;
    size_t i;
    json_t *name;
    int rc;

    rc = ordinal >= 0 ? gs_buf_printf(out, "%lld\t", ordinal) : GS_OK;
    if (row->copy) /* gs__push_pg_load(): the values are written already */
        return rc == GS_OK ? gs_buf_append(out, row->copy, row->copy_len) : rc;
    /* The payload in hand (push_batch.c keeps it for this target); parsed
     * from the text only for rows built without it. */
    if (!row->payload)
        parsed = json_loadb(row->json, row->json_len, 0, NULL);
    if (!(obj = row->payload ? row->payload : parsed))
        return GS_ENOMEM;
    json_array_foreach(columns, i, name)
    {
        if (rc == GS_OK && i > 0)
            rc = gs_buf_puts(out, "\t");
        if (rc == GS_OK)
            rc = put_column(out, row, obj, json_string_value(name));
    }
    if (rc == GS_OK)
        rc = gs_buf_puts(out, "\n");
    json_decref(parsed);
    return rc;
}

/* ---- rows straight from the cache's cells ------------------------------ */

typedef struct {
    gs_push_rows *rows;
    const gs_entity *entity;
    const char *now;
    size_t id_col;
    gs_buf line;
} cell_loader;

/* One cell as the payload would carry it, in COPY text: INT only as an
 * integer, BOOL as true/false, JSON and raw as their stored text (compact
 * JSON gazsync wrote), the rest as text (push_backlog.c, push_batch.c). */
static int put_cell(gs_buf *out, const gs_store_cell *cell, gs_col_type type)
{
    if (cell->type == GS_CELL_NULL)
        return gs_buf_puts(out, "\\N");
    switch (type) {
    case GS_COL_INT:
        return cell->type == GS_CELL_INT ? gs_buf_printf(out, "%lld", cell->i)
                                         : gs_buf_puts(out, "\\N");
    case GS_COL_BOOL:
        if (cell->type != GS_CELL_INT)
            return gs_buf_puts(out, "\\N");
        return gs_buf_puts(out, cell->i ? "true" : "false");
    default:
        break;
    }
    switch (cell->type) {
    case GS_CELL_INT:
        return gs_buf_printf(out, "%lld", cell->i);
    case GS_CELL_REAL:
        return gs_buf_printf(out, "%.15g", cell->d);
    default:
        return put_escaped(out, cell->text, cell->len);
    }
}

static int load_row(void *ctx, const gs_store_cell *cells, size_t n)
{
    cell_loader *ld = ctx;
    const gs_entity *entity = ld->entity;
    const gs_store_cell *id = &cells[ld->id_col];
    size_t nc = entity->n_columns;
    gs_push_rows *rows = ld->rows;
    gs_push_row *row;
    int rc;

    if (n != nc + 3 || id->type != GS_CELL_TEXT)
        return gs_error_set(GS_EINVAL, GS_ECLASS_DATA,
                            "%s: a cache row has no string id", entity->name);
    gs_buf_reset(&ld->line);
    rc = put_escaped(&ld->line, id->text, id->len);
    for (size_t i = 0; i < nc && rc == GS_OK; i++) {
        if (!target_name(entity, rows->column_target, i))
            continue;
        rc = gs_buf_puts(&ld->line, "\t");
        if (rc == GS_OK)
            rc = put_cell(&ld->line, &cells[i], entity->columns[i].type);
    }
    if (rc == GS_OK) /* deleted_at, synced_at, raw */
        rc = gs_buf_puts(&ld->line, "\t");
    if (rc == GS_OK)
        rc = put_cell(&ld->line, &cells[nc + 1], GS_COL_TIMESTAMP);
    if (rc == GS_OK)
        rc = gs_buf_printf(&ld->line, "\t%s\t", ld->now ? ld->now : "\\N");
    if (rc == GS_OK)
        rc = put_cell(&ld->line, &cells[nc], GS_COL_TEXT);
    if (rc == GS_OK)
        rc = gs_buf_puts(&ld->line, "\n");
    if (rc == GS_OK && rows->count == rows->cap) {
        size_t cap = rows->cap ? rows->cap * 2 : 64;
        gs_push_row *grown = realloc(rows->row, cap * sizeof *grown);
        if (!grown)
            rc = GS_ENOMEM;
        else {
            rows->row = grown;
            rows->cap = cap;
        }
    }
    if (rc != GS_OK)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_DATA,
                            "%s: out of memory loading the backlog",
                            entity->name);
    row = &rows->row[rows->count];
    memset(row, 0, sizeof *row);
    row->id = strndup(id->text, id->len);
    /* One exact copy; the line buffer stays allocated for the next row
     * (grown from nothing for each row, it was a tenth of the push's CPU). */
    row->copy_len = ld->line.len;
    if ((row->copy = malloc(ld->line.len + 1)) != NULL)
        memcpy(row->copy, ld->line.data, ld->line.len + 1);
    if (!row->id || !row->copy) {
        free(row->id);
        free(row->copy);
        return gs_error_set(GS_ENOMEM, GS_ECLASS_DATA,
                            "%s: out of memory loading the backlog",
                            entity->name);
    }
    row->json_len = row->copy_len;
    row->change_seq = cells[nc + 2].type == GS_CELL_INT ? cells[nc + 2].i : 0;
    rows->count++;
    return GS_OK;
}

int gs__push_pg_load(gs_push_rows *rows, gs_store *store,
                     const gs_entity *entity, long long after_seq, size_t limit,
                     const char *now)
{
    cell_loader ld = {rows, entity, now, 0, GS_BUF_INIT};
    int rc;

    while (ld.id_col < entity->n_columns &&
           strcmp(entity->columns[ld.id_col].name, "id") != 0)
        ld.id_col++;
    if (ld.id_col == entity->n_columns)
        return gs_error_set(GS_EINVAL, GS_ECLASS_DATA, "%s: no id column",
                            entity->name);
    rc = gs_store_pending_each(store, entity, after_seq, limit, load_row, &ld);
    gs_buf_free(&ld.line);
    return rc;
}

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

int gs__push_pg_columns(json_t **out, const gs_push_row *first)
{
    json_t *obj = json_loadb(first->json, first->json_len, 0, NULL);
    json_t *names = json_array();
    const char *key;
    json_t *value;
    int rc = GS_OK;

    *out = NULL;
    if (!obj || !names) {
        rc = GS_ENOMEM;
        goto done;
    }
    json_object_foreach(obj, key, value)
    {
        (void)value;
        if (json_array_append_new(names, json_string(key)) != 0) {
            rc = GS_ENOMEM;
            goto done;
        }
    }
    *out = names;
    names = NULL;
done:
    json_decref(names);
    json_decref(obj);
    return rc;
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

int gs__push_pg_copy_line(gs_buf *out, long long ordinal,
                          const gs_push_row *row, const json_t *columns)
{
    json_t *obj = json_loadb(row->json, row->json_len, 0, NULL);
    size_t i;
    json_t *name;
    int rc;

    if (!obj)
        return GS_ENOMEM;
    rc = gs_buf_printf(out, "%lld", ordinal);
    json_array_foreach(columns, i, name)
    {
        json_t *value = json_object_get(obj, json_string_value(name));
        if (rc == GS_OK)
            rc = gs_buf_puts(out, "\t");
        if (rc == GS_OK)
            rc = value ? put_value(out, value) : gs_buf_puts(out, "\\N");
    }
    if (rc == GS_OK)
        rc = gs_buf_puts(out, "\n");
    json_decref(obj);
    return rc;
}

/* POST /rest/v1/<table>: insert or upsert, single object or bulk array, as
 * PostgREST builds it: one INSERT ... SELECT FROM json_populate_recordset
 * over the whole body, so the body is one statement in one transaction (one
 * bad row fails all of it) and PostgreSQL itself reports bad values with
 * their real SQLSTATE (contracts/postgrest.md, "Bulk upsert"). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "query.h"

typedef struct {
    const char **names; /* borrowed from the JSON body or `columns_copy` */
    size_t count;
    char *columns_copy; /* the columns= list, split in place */
} column_list;

/* columns="a","b" or columns=a,b: the union of keys a client declares. */
static int parse_columns_param(column_list *cols, const char *param, size_t max)
{
    cols->columns_copy = strdup(param);
    cols->names = calloc(max ? max : 1, sizeof(*cols->names));
    if (!cols->columns_copy || !cols->names)
        return -1;
    char *save = NULL;
    for (char *item = strtok_r(cols->columns_copy, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        while (*item == ' ')
            item++;
        size_t len = strlen(item);
        if (len >= 2 && item[0] == '"' && item[len - 1] == '"') {
            item[len - 1] = '\0';
            item++;
        }
        if (!*item)
            continue;
        if (cols->count == max)
            return -1;
        cols->names[cols->count++] = item;
    }
    return 0;
}

/* Without columns=, every object must carry exactly the first one's keys. */
static int columns_from_body(column_list *cols, json_t *rows, pd_response *resp)
{
    json_t *first = json_array_get(rows, 0);
    const char *key;
    json_t *value;
    size_t i;
    json_t *row;

    if (!first)
        return 0;
    cols->names = calloc(json_object_size(first) + 1, sizeof(*cols->names));
    if (!cols->names)
        return -1;
    json_object_foreach(first, key, value) cols->names[cols->count++] = key;
    json_array_foreach(rows, i, row)
    {
        int same = json_object_size(row) == cols->count;
        for (size_t k = 0; same && k < cols->count; k++)
            same = json_object_get(row, cols->names[k]) != NULL;
        if (!same) {
            pd_invalid_body(resp, "All object keys must match");
            return -1;
        }
    }
    return 0;
}

/* The payload as a JSON array, whatever the body was. */
static void put_payload(pd_sql *q)
{
    pd_sql_put(q, "(CASE WHEN json_typeof($1::json) = 'array' THEN $1::json"
                  " ELSE json_build_array($1::json) END)");
}

static void put_column_list(pd_sql *q, const column_list *cols)
{
    for (size_t i = 0; i < cols->count; i++) {
        if (i)
            pd_sql_put(q, ", ");
        pd_sql_ident(q, cols->names[i]);
    }
}

/* missing=default: a key absent from an object takes the column default
 * (the catalog's expression), an explicit null stays null. */
static void put_rows_with_defaults(pd_sql *q, const pd_call *call,
                                   const column_list *cols)
{
    pd_sql_put(q, " SELECT ");
    for (size_t i = 0; i < cols->count; i++) {
        const pd_column *c = pd_table_column(call->table, cols->names[i]);
        if (i)
            pd_sql_put(q, ", ");
        if (c->default_expr && !c->generated) {
            pd_sql_put(q, "CASE WHEN (_e.j -> ");
            pd_sql_param(q, c->name);
            pd_sql_put(q, "::text) IS NOT NULL THEN _r.");
            pd_sql_ident(q, c->name);
            pd_sql_put(q, " ELSE ");
            pd_sql_put(q, c->default_expr);
            pd_sql_put(q, " END");
        } else {
            pd_sql_put(q, "_r.");
            pd_sql_ident(q, c->name);
        }
    }
    pd_sql_put(q, " FROM json_array_elements(");
    put_payload(q);
    pd_sql_put(q, ") _e(j), LATERAL json_populate_record(null::");
    pd_sql_put(q, call->qualifier);
    pd_sql_put(q, ", _e.j) _r");
}

static int put_conflict(pd_sql *q, const pd_call *call, const column_list *cols,
                        pd_response *resp)
{
    const char *on_conflict = pd_kvlist_get(&call->req->args, "on_conflict", 0);
    if (call->prefer.resolution == PD_RESOLUTION_NONE)
        return 0; /* PostgREST ignores on_conflict without resolution= */
    pd_sql_put(q, " ON CONFLICT (");
    if (on_conflict) {
        column_list target = {0};
        /* Not checked against the catalog: PostgREST passes the names to
         * PostgreSQL, whose 42703 (400) names a missing one
         * (contracts/postgrest.md). */
        int rc =
            parse_columns_param(&target, on_conflict, call->table->ncolumns);
        if (rc != 0) {
            pd_response_error(resp, 400, "PGRST100",
                              "failed to parse on_conflict parameter", NULL,
                              NULL);
        } else if (target.count == 0) {
            pd_invalid_body(resp, "on_conflict names no column");
            rc = -1;
        }
        if (rc == 0)
            put_column_list(q, &target);
        free(target.names);
        free(target.columns_copy);
        if (rc != 0)
            return -1;
    } else {
        for (size_t i = 0; i < call->table->nprimary_key; i++) {
            if (i)
                pd_sql_put(q, ", ");
            pd_sql_ident(q, call->table->primary_key[i]);
        }
    }
    pd_sql_put(q, ")");
    if (call->prefer.resolution == PD_RESOLUTION_IGNORE || cols->count == 0) {
        pd_sql_put(q, " DO NOTHING");
        return 0;
    }
    /* Only the payload's columns: the others (people's) keep their value. */
    pd_sql_put(q, " DO UPDATE SET ");
    for (size_t i = 0; i < cols->count; i++) {
        if (i)
            pd_sql_put(q, ", ");
        pd_sql_ident(q, cols->names[i]);
        pd_sql_put(q, " = EXCLUDED.");
        pd_sql_ident(q, cols->names[i]);
    }
    return 0;
}

static int build_insert(pd_sql *q, const pd_call *call, const column_list *cols,
                        pd_response *resp)
{
    pd_sql_bind(q, call->req->body); /* $1: the whole body */
    pd_sql_put(q, "WITH pgrst_written AS (INSERT INTO ");
    pd_sql_put(q, call->qualifier);
    if (cols->count == 0) {
        /* [{}]: every column takes its default. */
        pd_sql_put(q, " SELECT FROM json_array_elements(");
        put_payload(q);
        pd_sql_put(q, ") _");
    } else {
        pd_sql_put(q, " (");
        put_column_list(q, cols);
        pd_sql_put(q, ")");
        if (call->prefer.missing_default) {
            put_rows_with_defaults(q, call, cols);
        } else {
            pd_sql_put(q, " SELECT ");
            put_column_list(q, cols);
            pd_sql_put(q, " FROM json_populate_recordset(null::");
            pd_sql_put(q, call->qualifier);
            pd_sql_put(q, ", ");
            put_payload(q);
            pd_sql_put(q, ") _");
        }
    }
    if (put_conflict(q, call, cols, resp) != 0)
        return -1;
    /* xmax = 0 on a row this statement inserted (not one it updated): the
     * 201/200 of pd_finish_write. pgrst_source keeps the table's columns
     * only, so select=* is what PostgREST returns. */
    pd_sql_put(q, " RETURNING ");
    pd_sql_put(q, call->qualifier);
    pd_sql_put(q, ".*, (");
    pd_sql_put(q, call->qualifier);
    pd_sql_put(q, ".xmax = 0) AS pgrst_inserted), pgrst_source AS (SELECT ");
    for (size_t i = 0; i < call->table->ncolumns; i++) {
        if (i)
            pd_sql_put(q, ", ");
        pd_sql_ident(q, call->table->columns[i].name);
    }
    pd_sql_put(q, " FROM pgrst_written)");
    return 0;
}

static int check_rows(json_t *body, json_t **rows_out, pd_response *resp)
{
    size_t i;
    json_t *row;
    if (json_is_object(body)) {
        *rows_out = json_pack("[O]", body);
        return *rows_out ? 0 : -1;
    }
    if (!json_is_array(body)) {
        pd_invalid_body(resp, "Empty or invalid json");
        return -1;
    }
    json_array_foreach(body, i, row)
    {
        if (!json_is_object(row)) {
            pd_invalid_body(resp, "All object keys must match");
            return -1;
        }
    }
    *rows_out = json_incref(body);
    return 0;
}

void pd_handle_post(pd_response *resp, pd_call *call)
{
    pd_sql q = PD_SQL_INIT;
    column_list cols = {0};
    json_error_t jerr;
    json_t *rows = NULL;
    /* Parsed only to check shape and keys: PostgreSQL reads the original
     * text, so an integer too big for jansson still gets PostgreSQL's own
     * answer (22003) rather than "invalid json", and a \u0000 PostgreSQL's
     * 22P05 (text cannot hold it), as from PostgREST. */
    json_t *body = json_loadb(call->req->body, call->req->body_len,
                              JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &jerr);
    const char *columns = pd_kvlist_get(&call->req->args, "columns", 0);

    if (!body) {
        pd_invalid_body(resp, "Empty or invalid json");
        goto done;
    }
    if (check_rows(body, &rows, resp) != 0)
        goto done;
    if (columns) {
        if (parse_columns_param(&cols, columns, call->table->ncolumns + 64)) {
            pd_response_error(resp, 400, "PGRST100",
                              "failed to parse columns parameter", NULL, NULL);
            goto done;
        }
    } else if (columns_from_body(&cols, rows, resp) != 0) {
        goto done;
    }
    for (size_t i = 0; i < cols.count; i++) {
        if (!pd_table_column(call->table, cols.names[i])) {
            pd_unknown_payload_column(resp, call->table, cols.names[i]);
            goto done;
        }
    }
    if (json_array_size(rows) == 0) {
        /* Nothing to insert: PostgREST answers without a statement, 201
         * for an insert and 200 for an upsert (nothing was created). */
        int status = call->prefer.resolution == PD_RESOLUTION_NONE ? 201 : 200;
        if (call->prefer.ret == PD_RETURN_REPRESENTATION)
            pd_response_json(resp, status, "[]");
        else
            resp->status = status;
        goto done;
    }
    if (build_insert(&q, call, &cols, resp) == 0)
        pd_finish_write(resp, call, &q, PD_WRITE_INSERT);
done:
    free(cols.names);
    free(cols.columns_copy);
    json_decref(rows);
    json_decref(body);
    pd_sql_free(&q);
}

/* PATCH and DELETE, and the tail every write shares (count, return=). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "handlers.h"
#include "query.h"

void pd_invalid_body(pd_response *resp, const char *message)
{
    pd_response_error(resp, 400, "PGRST102", message, NULL, NULL);
}

void pd_unknown_payload_column(pd_response *resp, const pd_table *t,
                               const char *name)
{
    gs_buf msg = GS_BUF_INIT;
    gs_buf_printf(&msg,
                  "Could not find the '%s' column of '%s' in the schema cache",
                  name, t->name);
    pd_response_error(resp, 400, "PGRST204", msg.data, NULL, NULL);
    gs_buf_free(&msg);
}

/* PostgREST's contentRangeH: "lower-upper/total", or "*\/total" when no row
 * is in the range; total is "*" unless count=exact. An insert's range is
 * always empty ("*\/..."); an update's or delete's covers the rows. */
static void add_content_range(pd_response *resp, const pd_call *call,
                              const char *count, pd_write kind)
{
    gs_buf range = GS_BUF_INIT;
    long long n = strtoll(count, NULL, 10);

    if (kind == PD_WRITE_CHANGE && n > 0)
        gs_buf_printf(&range, "0-%lld/", n - 1);
    else
        gs_buf_puts(&range, "*/");
    gs_buf_puts(&range, call->prefer.count_exact ? count : "*");
    pd_kvlist_add(&resp->headers, "Content-Range", range.data);
    gs_buf_free(&range);
}

void pd_finish_write(pd_response *resp, pd_call *call, pd_sql *q, pd_write kind)
{
    int represent = call->prefer.ret == PD_RETURN_REPRESENTATION;
    int status = kind == PD_WRITE_INSERT ? 201 : 200;
    const char *inserted = kind == PD_WRITE_INSERT
                               ? "(SELECT count(*) FILTER (WHERE "
                                 "pgrst_inserted) FROM pgrst_written)"
                               : "0";

    pd_sql_put(q, " SELECT (SELECT count(*) FROM pgrst_source), ");
    pd_sql_put(q, inserted);
    if (represent) {
        pd_sql_put(q, ", (SELECT coalesce(json_agg(_s), '[]')::text FROM"
                      " (SELECT ");
        if (pd_query_select(q, call->table,
                            pd_kvlist_get(&call->req->args, "select", 0),
                            resp) != 0)
            return;
        pd_sql_put(q, " FROM pgrst_source) _s)");
    } else {
        pd_sql_put(q, ", NULL");
    }
    PGresult *res = pd_db_exec(call->pg, q, resp);
    if (!res)
        return;
    const char *count = PQgetvalue(res, 0, 0);
    call->rows_written = strtoll(count, NULL, 10);
    /* An upsert whose rows all existed created nothing: 200, not 201. */
    if (kind == PD_WRITE_INSERT &&
        call->prefer.resolution != PD_RESOLUTION_NONE &&
        strtoll(PQgetvalue(res, 0, 1), NULL, 10) == 0)
        status = 200;
    if (represent) {
        pd_response_json(resp, status, PQgetvalue(res, 0, 2));
    } else {
        resp->status = kind == PD_WRITE_INSERT ? status : 204;
        resp->content_type = NULL;
    }
    add_content_range(resp, call, count, kind);
    PQclear(res);
}

/* Supabase loads pg-safeupdate for PostgREST: an UPDATE or DELETE without
 * a filter is refused (21000, which PostgREST answers with 400). */
static int refuse_unfiltered(pd_response *resp, const pd_call *call,
                             const char *verb)
{
    for (size_t i = 0; i < call->req->args.count; i++)
        if (!pd_query_reserved(call->req->args.items[i].name))
            return 0;
    gs_buf msg = GS_BUF_INIT;
    gs_buf_printf(&msg, "%s requires a WHERE clause", verb);
    pd_response_error(resp, 400, "21000", msg.data, NULL, NULL);
    gs_buf_free(&msg);
    return 1;
}

void pd_handle_patch(pd_response *resp, pd_call *call)
{
    pd_sql q = PD_SQL_INIT;
    json_error_t jerr;
    /* Parsed only to check shape and keys: PostgreSQL reads the original
     * text, so an integer too big for jansson still gets PostgreSQL's own
     * answer (22003) rather than "invalid json", and a \u0000 PostgreSQL's
     * 22P05 (text cannot hold it), as from PostgREST. */
    json_t *body = json_loadb(call->req->body, call->req->body_len,
                              JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &jerr);
    const char *key;
    json_t *value;

    if (!body || !json_is_object(body)) {
        pd_invalid_body(resp, "Empty or invalid json");
        goto done;
    }
    json_object_foreach(body, key, value)
    {
        if (!pd_table_column(call->table, key)) {
            pd_unknown_payload_column(resp, call->table, key);
            goto done;
        }
    }
    if (refuse_unfiltered(resp, call, "UPDATE"))
        goto done;
    if (json_object_size(body) == 0) {
        /* Nothing to set: PostgREST answers without touching a row. */
        resp->status = call->prefer.ret == PD_RETURN_REPRESENTATION ? 200 : 204;
        if (resp->status == 200)
            pd_response_json(resp, 200, "[]");
        goto done;
    }
    pd_sql_bind(&q, call->req->body); /* $1: the object */
    pd_sql_put(&q, "WITH pgrst_source AS (UPDATE ");
    pd_sql_put(&q, call->qualifier);
    pd_sql_put(&q, " SET ");
    int first = 1;
    json_object_foreach(body, key, value)
    {
        pd_sql_put(&q, first ? "" : ", ");
        pd_sql_ident(&q, key);
        pd_sql_put(&q, " = _.");
        pd_sql_ident(&q, key);
        first = 0;
    }
    pd_sql_put(&q, " FROM (SELECT * FROM json_populate_record(null::");
    pd_sql_put(&q, call->qualifier);
    pd_sql_put(&q, ", $1::json)) _ WHERE ");
    if (pd_query_where(&q, call->table, call->qualifier, &call->req->args,
                       resp) != 0)
        goto done;
    pd_sql_put(&q, " RETURNING ");
    pd_sql_put(&q, call->qualifier);
    pd_sql_put(&q, ".*)");
    pd_finish_write(resp, call, &q, PD_WRITE_CHANGE);
done:
    json_decref(body);
    pd_sql_free(&q);
}

void pd_handle_delete(pd_response *resp, pd_call *call)
{
    pd_sql q = PD_SQL_INIT;
    if (refuse_unfiltered(resp, call, "DELETE"))
        return;
    pd_sql_put(&q, "WITH pgrst_source AS (DELETE FROM ");
    pd_sql_put(&q, call->qualifier);
    pd_sql_put(&q, " WHERE ");
    if (pd_query_where(&q, call->table, call->qualifier, &call->req->args,
                       resp) == 0) {
        pd_sql_put(&q, " RETURNING ");
        pd_sql_put(&q, call->qualifier);
        pd_sql_put(&q, ".*)");
        pd_finish_write(resp, call, &q, PD_WRITE_CHANGE);
    }
    pd_sql_free(&q);
}

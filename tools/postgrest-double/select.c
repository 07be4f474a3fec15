/* GET (and HEAD) /rest/v1/<table>: the rows as one JSON array built by
 * json_agg, as PostgREST builds it, with Content-Range and the 200/206/416
 * status PostgREST derives from the range and the exact count. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "handlers.h"
#include "query.h"

static void put_where(pd_sql *q, const char *where)
{
    pd_sql_put(q, " WHERE ");
    pd_sql_put(q, where);
}

/* PostgREST's rangeStatus and contentRangeH. */
static void answer_range(pd_response *resp, long long lower,
                         long long page_total, long long total)
{
    long long upper = lower + page_total - 1;
    gs_buf range = GS_BUF_INIT;
    int status = 200;

    if (total >= 0 && lower > total) {
        gs_buf details = GS_BUF_INIT;
        gs_buf_printf(&details,
                      "An offset of %lld was requested, but there are only "
                      "%lld rows.",
                      lower, total);
        pd_response_error(resp, 416, "PGRST103",
                          "Requested range not satisfiable", details.data,
                          NULL);
        gs_buf_free(&details);
    } else if (total >= 0 && 1 + upper - lower < total) {
        status = 206;
    }
    if (lower <= upper && total != 0)
        gs_buf_printf(&range, "%lld-%lld/", lower, upper);
    else
        gs_buf_puts(&range, "*/");
    if (total >= 0)
        gs_buf_printf(&range, "%lld", total);
    else
        gs_buf_puts(&range, "*");
    pd_kvlist_add(&resp->headers, "Content-Range", range.data);
    if (resp->status != 416)
        resp->status = status;
    gs_buf_free(&range);
}

void pd_handle_get(pd_response *resp, pd_call *call)
{
    const pd_kvlist *args = &call->req->args;
    pd_sql q = PD_SQL_INIT;
    pd_page page;
    char *where = NULL;
    PGresult *res = NULL;

    if (pd_query_page(&page, args, resp) != 0)
        goto done;
    /* The filters first, alone, so their text can appear twice (rows and
     * count) with the same parameters. */
    if (pd_query_where(&q, call->table, call->qualifier, args, resp) != 0)
        goto done;
    where = gs_buf_detach(&q.text);
    if (!where)
        goto done;

    pd_sql_put(&q, "SELECT ");
    if (call->prefer.count_exact) {
        pd_sql_put(&q, "(SELECT count(*) FROM ");
        pd_sql_put(&q, call->qualifier);
        put_where(&q, where);
        pd_sql_put(&q, ")");
    } else {
        pd_sql_put(&q, "-1::bigint");
    }
    pd_sql_put(&q, ", count(_pgrst_t), coalesce(json_agg(_pgrst_t), '[]')"
                   "::text FROM (SELECT ");
    if (pd_query_select(&q, call->table, pd_kvlist_get(args, "select", 0),
                        resp) != 0)
        goto done;
    pd_sql_put(&q, " FROM ");
    pd_sql_put(&q, call->qualifier);
    put_where(&q, where);
    if (pd_query_order(&q, call->table, call->qualifier,
                       pd_kvlist_get(args, "order", 0), resp) != 0)
        goto done;
    if (page.limit >= 0 &&
        gs_buf_printf(&q.text, " LIMIT %lld", page.limit) != 0)
        q.failed = 1;
    if (gs_buf_printf(&q.text, " OFFSET %lld) _pgrst_t", page.offset) != 0)
        q.failed = 1;

    res = pd_db_exec(call->pg, &q, resp);
    if (!res)
        goto done;
    pd_response_json(resp, 200, PQgetvalue(res, 0, 2));
    answer_range(resp, page.offset, strtoll(PQgetvalue(res, 0, 1), NULL, 10),
                 strtoll(PQgetvalue(res, 0, 0), NULL, 10));
done:
    PQclear(res);
    free(where);
    pd_sql_free(&q);
}

/* One request, start to end: control endpoints, then for /rest/v1/<table>
 * the injected faults, the key, the body limit, the schema profile, the
 * table, and the verb. Every /rest/v1 request is counted in the stats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "catalog.h"
#include "control.h"
#include "db.h"
#include "errors.h"
#include "faults.h"
#include "handlers.h"
#include "singular.h"
#include "stats.h"

#define REST_PREFIX "/rest/v1/"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Returns 1 when a fault answered (or dropped) the request. */
static int inject(pd_response *resp, pd_context *ctx, const pd_request *req,
                  const char *table)
{
    pd_fault_action act;
    pd_faults_match(&act, ctx->faults, req->method, table);
    if (act.delay_ms > 0)
        sleep_ms(act.delay_ms);
    if (act.kind == PD_FAULT_CLOSE) {
        resp->drop_connection = 1;
    } else if (act.kind == PD_FAULT_STATUS) {
        if (act.body)
            pd_response_json(resp, act.status, act.body);
        else
            pd_response_error(resp, act.status, NULL, "injected fault", NULL,
                              NULL);
        if (act.retry_after >= 0) {
            char seconds[32];
            snprintf(seconds, sizeof(seconds), "%ld", act.retry_after);
            pd_kvlist_add(&resp->headers, "Retry-After", seconds);
        }
    }
    free(act.body);
    return act.kind != PD_FAULT_NONE;
}

/* 1 for the service-role key, 2 for the anon key (when one is set), 0
 * otherwise. */
static int key_ok(const pd_context *ctx, const pd_request *req)
{
    const char *apikey = pd_kvlist_get(&req->headers, "apikey", 1);
    const char *auth = pd_kvlist_get(&req->headers, "Authorization", 1);
    static const char bearer[] = "Bearer ";
    const char *token;

    if (!apikey || !auth || strncasecmp(auth, bearer, sizeof(bearer) - 1))
        return 0;
    token = auth + sizeof(bearer) - 1;
    if (!strcmp(apikey, ctx->key) && !strcmp(token, ctx->key))
        return 1;
    if (ctx->anon_key && *ctx->anon_key && !strcmp(apikey, ctx->anon_key) &&
        !strcmp(token, ctx->anon_key))
        return 2;
    return 0;
}

/* Accept-Profile (reads) / Content-Profile (writes): only public exists. */
static int profile_ok(const pd_request *req)
{
    int read = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
    const char *profile = pd_kvlist_get(
        &req->headers, read ? "Accept-Profile" : "Content-Profile", 1);
    return !profile || strcmp(profile, "public") == 0;
}

static void dispatch(pd_response *resp, pd_call *call)
{
    const char *m = call->req->method;
    if (!strcmp(m, "GET") || !strcmp(m, "HEAD"))
        pd_handle_get(resp, call);
    else if (!strcmp(m, "POST"))
        pd_handle_post(resp, call);
    else if (!strcmp(m, "PATCH"))
        pd_handle_patch(resp, call);
    else if (!strcmp(m, "DELETE"))
        pd_handle_delete(resp, call);
    else
        pd_response_error(resp, 405, "PGRST117", "Unsupported HTTP method",
                          NULL, NULL);
}

static void run_simple(PGconn *pg, const char *sql)
{
    PQclear(PQexec(pg, sql));
}

/* A singular answer decides after the statement whether it may stand, so
 * the statement runs in a transaction of its own, as in PostgREST. */
static void dispatch_singular(pd_response *resp, pd_call *call)
{
    run_simple(call->pg, "BEGIN");
    dispatch(resp, call);
    if (pd_singular_answer(resp, call->rows_written) != 0) {
        run_simple(call->pg, "ROLLBACK");
        call->rows_written = 0;
    } else {
        run_simple(call->pg, "COMMIT");
    }
}

static void table_not_found(pd_response *resp, const char *table)
{
    gs_buf msg = GS_BUF_INIT;
    gs_buf_printf(&msg,
                  "Could not find the table 'public.%s' in the schema "
                  "cache",
                  table);
    pd_response_error(resp, 404, "PGRST205", msg.data, NULL, NULL);
    gs_buf_free(&msg);
}

/* Looks the table up and runs the verb, holding the connection. */
static long long serve_table(pd_response *resp, pd_context *ctx,
                             const pd_request *req, const char *table_name,
                             int anon)
{
    pd_call call = {0};
    pd_table *table = NULL;
    pd_sql qualifier = PD_SQL_INIT;
    PGconn *pg = pd_db_lock(ctx->db);
    int found = 2;

    /* The anon key's requests run as the role `anon`, as PostgREST switches
     * to the JWT's role, so row-level security applies to them. No such
     * role: refused, never served as the superuser the double connects as. */
    if (anon) {
        PGresult *res = PQexec(pg, "SET ROLE anon");
        int set = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (!set) {
            pd_response_error(resp, 401, "PGRST301", "no role anon", NULL,
                              NULL);
            goto unlock;
        }
    }
    found = pd_catalog_table(&table, pg, table_name);
    if (found == 1) {
        table_not_found(resp, table_name);
    } else if (found != 0) {
        pd_error_from_pg(resp, pg, NULL);
    } else {
        pd_sql_ident(&qualifier, "public");
        pd_sql_put(&qualifier, ".");
        pd_sql_ident(&qualifier, table->name);
        call.pg = pg;
        call.table = table;
        call.req = req;
        call.qualifier = qualifier.text.data;
        pd_prefer_parse(&call.prefer, &req->headers);
        if (qualifier.failed)
            pd_response_error(resp, 500, "PGRST000", "out of memory", NULL,
                              NULL);
        else if (pd_singular_wanted(req))
            dispatch_singular(resp, &call);
        else
            dispatch(resp, &call);
        gs_buf applied = GS_BUF_INIT;
        pd_prefer_applied(&applied, &call.prefer,
                          strcmp(req->method, "GET") != 0 &&
                              strcmp(req->method, "HEAD") != 0);
        if (applied.len && resp->status < 400)
            pd_kvlist_add(&resp->headers, "Preference-Applied", applied.data);
        gs_buf_free(&applied);
    }
    if (anon)
        run_simple(pg, "RESET ROLE");
unlock:
    pd_db_unlock(ctx->db);
    pd_table_free(table);
    pd_sql_free(&qualifier);
    return resp->status < 400 ? call.rows_written : 0;
}

static void serve_rest(pd_response *resp, pd_context *ctx,
                       const pd_request *req)
{
    const char *table = req->path + strlen(REST_PREFIX);
    long long rows = 0;
    int key = 0;

    if (inject(resp, ctx, req, table)) {
        /* the fault is the answer */
    } else if (!(key = key_ok(ctx, req))) {
        pd_response_error(resp, 401, "PGRST301", "JWSError JWSInvalidSignature",
                          NULL, NULL);
        pd_kvlist_add(&resp->headers, "WWW-Authenticate",
                      "Bearer error=\"invalid_token\", "
                      "error_description=\"JWSError JWSInvalidSignature\"");
    } else if (req->body_too_large) {
        /* Supabase's gateway answers this, not PostgREST; its body. */
        pd_response_json(resp, 413,
                         "{\"message\":\"Request size limit exceeded\"}");
    } else if (!profile_ok(req)) {
        pd_response_error(resp, 406, "PGRST106",
                          "Invalid schema: only public is exposed", NULL,
                          "The schema must be one of the following: public");
    } else if (!*table || strchr(table, '/')) {
        table_not_found(resp, table);
    } else {
        rows = serve_table(resp, ctx, req, table, key == 2);
    }
    pd_stats_record(ctx->stats, req->method, *table ? table : NULL,
                    resp->drop_connection ? 0 : resp->status, rows);
}

void pd_route(pd_response *resp, pd_context *ctx, const pd_request *req)
{
    resp->status = 200;
    if (!strncmp(req->path, PD_CONTROL_PREFIX, strlen(PD_CONTROL_PREFIX)))
        pd_control(resp, ctx, req);
    else if (!strncmp(req->path, REST_PREFIX, strlen(REST_PREFIX)))
        serve_rest(resp, ctx, req);
    else
        pd_response_json(
            resp, 404, "{\"message\":\"no Route matched with those values\"}");
}

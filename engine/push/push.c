/* `gazsync push`: the run loop over entities (DESIGN.md, "Change detection
 * and the push backlog").
 *
 * Per entity: first the rows quarantined in push_failures by earlier pushes
 * (those not also in the backlog) are offered again; then the backlog, rows
 * with change_seq > last_pushed_seq in change_seq order, page by page, each
 * page cut into batches by rows and bytes. After a batch is judged, ONE store
 * transaction records it: push_advance to its highest change_seq, the refused
 * rows into push_failures, the landed ones out of it. A crash between the
 * POST and the commit resends the batch next time; the upsert is idempotent,
 * so delivery is at-least-once and the effect exactly-once.
 *
 * When the target cannot be reached or keeps failing (the transport has
 * retried), the entity stops where it is and nothing that was not accepted is
 * marked pushed. 401/403 stop every entity: no row is to blame. */
#include "gazsync/push.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "gazsync/error.h"
#include "ident.h"
#include "opts.h"
#include "pg_conn.h"
#include "push_internal.h"
#include "secret.h"

#define DEFAULT_BATCH_ROWS 500
#define DEFAULT_BATCH_BYTES 4000000L
/* Rows of one streamed transaction of a first push over PostgreSQL: large
 * enough that its commit and the cache's record are a small part of it,
 * small enough that a refusal (the chunk then goes again by batches) or a
 * cancel costs little. */
#define STREAM_ROWS 50000

typedef struct {
    gs_store *store;
    gs_http *http;
    const gs_config *cfg;
    const gs_push_opts *opts;
    const char *target; /* push_state's target name (state_key) */
    char state_key[300];
    char now[GS_ISO_SIZE];
    gs_buf base_url; /* SUPABASE_URL without a trailing slash */
    char host[256];  /* its host[:port], for messages */
    gs_buf header_apikey;
    gs_buf header_auth;
    const char *headers[5];
    size_t batch_rows;
    size_t batch_bytes;
    gs_pg *pg;          /* [push] target = postgres: the connection */
    char cache_key[40]; /* its gazsync_push_state.target_key */
} push_ctx;

typedef struct {
    push_ctx *ctx;
    const gs_entity *entity;
    gs_push_entity_report *rep;
    const char *table;
    gs_buf url;
    gs_push_target target;
    gs_push_split split;
    json_t *quarantined;   /* ids in push_failures at the start */
    long long last_seq;    /* last_pushed_seq as committed */
    size_t remembered;     /* rows per batch a past statement timeout taught
                              (meta), 0: none */
    gs_push_pg_entity *pg; /* the PostgreSQL target's batch, or NULL */
} entity_push;

/* A PostgREST message never should hold the key, but an error of a proxy
 * in front of it might echo a header: blank it before it is stored. */
static void scrub_key(char *text, const char *key)
{
    size_t klen = key ? strlen(key) : 0;
    char *hit;

    if (klen < 4)
        return;
    while ((hit = strstr(text, key)) != NULL)
        memset(hit, '*', klen);
}

/* The PostgreSQL target: one connection for the run, and the cache's id,
 * which keys this cache's rows of gazsync_push_state. */
static int pg_init(push_ctx *ctx)
{
    int rc = gs__pg_new(&ctx->pg, ctx->cfg->pg_url, ctx->cfg->max_attempts,
                        ctx->cfg->backoff_base_ms);

    if (rc != GS_OK)
        return rc;
    /* The run deadline bounds every connect and statement from here. */
    gs__pg_set_deadline(ctx->pg, ctx->cfg->run_timeout_s);
    if ((rc = gs__pg_reconnect(ctx->pg)) != GS_OK)
        return rc;
    gs_copy_text(ctx->host, sizeof ctx->host, gs__pg_where(ctx->pg));
    if ((rc = gs__push_cache_id(ctx->cache_key, ctx->store)) != GS_OK)
        return gs_error_wrap("push: the cache id");
    return GS_OK;
}

static int ctx_init(push_ctx *ctx, gs_store *store, gs_http *http,
                    const gs_config *cfg, const gs_push_opts *opts)
{
    const char *key = cfg->supabase_key;
    size_t len;
    int rc;

    ctx->store = store;
    ctx->http = http;
    ctx->cfg = cfg;
    ctx->opts = opts;
    gs_push_state_key(ctx->state_key, sizeof ctx->state_key, cfg);
    ctx->target = ctx->state_key;
    /* The one clock: an --now override is checked and normalised here as
     * it is for the pull, so both halves of a sync stamp the same instant. */
    if ((rc = gs_clock_now(ctx->now, NULL, opts->now)) != GS_OK)
        return rc;
    ctx->batch_rows = opts->batch_rows > 0       ? (size_t)opts->batch_rows
                      : cfg->push_batch_rows > 0 ? (size_t)cfg->push_batch_rows
                                                 : DEFAULT_BATCH_ROWS;
    ctx->batch_bytes = cfg->push_batch_bytes > 0 ? (size_t)cfg->push_batch_bytes
                                                 : (size_t)DEFAULT_BATCH_BYTES;
    if (opts->dry_run)
        return GS_OK; /* no request: neither URL nor key is needed */
    if (cfg->push_target == GS_PUSH_TARGET_POSTGRES)
        return pg_init(ctx);
    if (!http)
        return gs_error_set(GS_EINVAL, GS_ECLASS_SUPABASE,
                            "push: no HTTP transport");
    if (!cfg->supabase_url || !*cfg->supabase_url)
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "push: SUPABASE_URL is not set");
    if (!key || !*key)
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "push: SUPABASE_SERVICE_ROLE_KEY is not set");
    if (strpbrk(key, "\r\n"))
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "push: SUPABASE_SERVICE_ROLE_KEY holds a line "
                            "break");
    len = strlen(cfg->supabase_url);
    while (len > 0 && cfg->supabase_url[len - 1] == '/')
        len--;
    gs_http_url_host(ctx->host, sizeof ctx->host, cfg->supabase_url);
    if (gs_buf_append(&ctx->base_url, cfg->supabase_url, len) != GS_OK ||
        gs_buf_printf(&ctx->header_apikey, "apikey: %s", key) != GS_OK ||
        gs_buf_printf(&ctx->header_auth, "Authorization: Bearer %s", key) !=
            GS_OK)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE,
                            "push: out of memory");
    ctx->headers[0] = ctx->header_apikey.data;
    ctx->headers[1] = ctx->header_auth.data;
    ctx->headers[2] = "Content-Type: application/json";
    ctx->headers[3] = "Prefer: resolution=merge-duplicates,return=minimal";
    ctx->headers[4] = NULL;
    return GS_OK;
}

static void ctx_free(push_ctx *ctx)
{
    /* The key lives in these buffers: wipe before freeing. */
    gs_secret_wipe(ctx->header_apikey.data, ctx->header_apikey.len);
    gs_secret_wipe(ctx->header_auth.data, ctx->header_auth.len);
    gs_buf_free(&ctx->header_apikey);
    gs_buf_free(&ctx->header_auth);
    gs_buf_free(&ctx->base_url);
    gs__pg_close(ctx->pg);
}

static int is_quarantined(const entity_push *ep, const char *id)
{
    size_t i;
    json_t *value;

    json_array_foreach(ep->quarantined, i, value)
    {
        if (strcmp(json_string_value(value), id) == 0)
            return 1;
    }
    return 0;
}

/* Names the batch in messages: "change_seq 101..600" or the retry. */
static void seq_range(char *out, size_t size, const gs_push_rows *rows,
                      size_t from, size_t n, int advance)
{
    if (!advance)
        snprintf(out, size, "%zu quarantined row(s) (retry)", n);
    else
        snprintf(out, size, "change_seq %lld..%lld", rows->row[from].change_seq,
                 rows->row[from + n - 1].change_seq);
}

static int stopped(entity_push *ep, const gs_push_rows *rows, size_t from,
                   size_t n, int advance)
{
    const gs_push_answer *stop = &ep->split.stop;
    const char *name = ep->entity->name;
    const char *host = ep->ctx->host;
    char range[96];
    char code[48] = "";

    seq_range(range, sizeof range, rows, from, n, advance);
    if (ep->pg) /* the message names the server; no HTTP status here */
        return gs_error_set(
            stop->code, GS_ECLASS_SUPABASE,
            "push %s -> %s at %s: %s%s%s%s; %s not pushed%s", name, ep->table,
            host, stop->message, stop->pg_code[0] ? " (SQLSTATE " : "",
            stop->pg_code, stop->pg_code[0] ? ")" : "", range,
            stop->code == GS_ENOTFOUND || stop->code == GS_ECONFLICT
                ? "; compare the table with schema/supabase.sql"
                : "");
    if (stop->pg_code[0])
        snprintf(code, sizeof code, " %s", stop->pg_code);
    /* No answer in time to a batch of several rows may be the statement's
     * cost: the next run starts with half of it (remember_rows()). */
    if (stop->status == 0 && stop->timed_out && n > 1)
        gs__push_split_shrink(&ep->split, n);
    switch (stop->code) {
    case GS_EAUTH:
        return gs_error_set_http(
            GS_EAUTH, GS_ECLASS_SUPABASE, stop->status,
            "push %s: Supabase refused the key (HTTP %ld%s on table %s at "
            "%s: %s); check SUPABASE_SERVICE_ROLE_KEY; nothing of %s marked "
            "pushed",
            name, stop->status, code, ep->table, host, stop->message, range);
    case GS_ENOTFOUND:
        return gs_error_set_http(
            GS_ENOTFOUND, GS_ECLASS_SUPABASE, stop->status,
            "push %s: table %s not found at %s (HTTP %ld%s: %s); apply "
            "schema/supabase.sql or set [entity.%s] target_table; %s not "
            "pushed",
            name, ep->table, host, stop->status, code, stop->message, name,
            range);
    case GS_ECONFLICT:
        return gs_error_set_http(
            GS_ECONFLICT, GS_ECLASS_SUPABASE, stop->status,
            "push %s: table %s at %s does not match the payload (HTTP %ld%s: "
            "%s); compare it with schema/supabase.sql; %s not pushed",
            name, ep->table, host, stop->status, code, stop->message, range);
    case GS_EPROTO:
        if (stop->status == 0) /* the transport's own words */
            return gs_error_set_http(GS_EPROTO, GS_ECLASS_SUPABASE, 0,
                                     "push %s -> %s: %s; %s not pushed", name,
                                     ep->table, stop->message, range);
        return gs_error_set_http(
            GS_EPROTO, GS_ECLASS_SUPABASE, stop->status,
            "push %s -> %s at %s: %s; is SUPABASE_URL the project's API URL? "
            "nothing of %s marked pushed",
            name, ep->table, host, stop->message, range);
    default:
        if (stop->status == 0) /* the transport's words: host and cause */
            return gs_error_set_http(stop->code, GS_ECLASS_SUPABASE, 0,
                                     "push %s -> %s: %s; %s not pushed", name,
                                     ep->table, stop->message, range);
        if (stop->verdict == GS_PUSH_TIMEOUT)
            return gs_error_set_http(
                stop->code, GS_ECLASS_SUPABASE, stop->status,
                "push %s -> %s at %s: statement timeout (HTTP %ld%s: %s) %d "
                "time(s) in a row; the next run starts at %zu row(s) a batch; "
                "%s not pushed",
                name, ep->table, host, stop->status, code, stop->message,
                ep->split.timeout_streak,
                ep->split.rows_cap ? ep->split.rows_cap : 1, range);
        return gs_error_set_http(
            stop->code, GS_ECLASS_SUPABASE, stop->status,
            "push %s -> %s at %s: HTTP %ld%s after %d attempt(s) (%s); %s not "
            "pushed",
            name, ep->table, host, stop->status, code, stop->attempts,
            stop->message, range);
    }
}

/* One store transaction: the fates of rows [from, from + n) and, for the
 * backlog, last_pushed_seq past the batch. */
static int record_batch(entity_push *ep, const gs_push_rows *rows, size_t from,
                        size_t n, int advance)
{
    push_ctx *ctx = ep->ctx;
    long long landed = 0;
    long long failed = 0;
    long long seq = ep->last_seq;
    int rc;

    if ((rc = gs_store_begin(ctx->store)) != GS_OK)
        return rc;
    for (size_t i = from; i < from + n && rc == GS_OK; i++) {
        const gs_push_fate *fate = &ep->split.fate[i];
        const char *id = rows->row[i].id;
        if (fate->landed) {
            landed++;
            if (is_quarantined(ep, id))
                rc = gs_store_failure_clear(ctx->store, ep->entity, ctx->target,
                                            id);
        } else if (fate->recorded) {
            failed++; /* push_pg.c recorded it before its commit */
        } else {
            failed++;
            rc = gs_store_failure_record(ctx->store, ep->entity, ctx->target,
                                         id, fate->status, fate->pg_code,
                                         fate->message, ctx->now);
        }
        if (advance && rows->row[i].change_seq > seq)
            seq = rows->row[i].change_seq;
    }
    if (rc == GS_OK)
        rc = gs_store_push_advance(ctx->store, ep->entity, ctx->target, seq,
                                   landed, ctx->now);
    if (rc == GS_OK)
        rc = gs_store_commit(ctx->store);
    if (rc != GS_OK) {
        gs_store_rollback(ctx->store);
        return gs_error_wrap("push %s: recording a batch", ep->entity->name);
    }
    ep->last_seq = seq;
    ep->rep->rows_pushed += landed;
    ep->rep->rows_failed += failed;
    return GS_OK;
}

/* The front end's progress: rows sent (landed or quarantined) of the total
 * counted before the first batch; @p finished set once, at the entity's
 * end. The call is here, in the loop both targets share, so the REST and
 * the PostgreSQL pushes report alike. */
static void tell_progress(const push_ctx *ctx, const gs_entity *entity,
                          const gs_push_entity_report *rep, int finished)
{
    gs_push_progress progress;

    if (!ctx->opts->progress)
        return;
    progress.entity = entity;
    progress.rows = rep->rows_pushed + rep->rows_failed;
    progress.total = rep->rows_pending;
    progress.batches = rep->batches;
    progress.finished = finished ? rep : NULL;
    ctx->opts->progress(ctx->opts->progress_ctx, &progress);
}

/* Rows per batch: the configured bound, or the smaller one statement
 * timeouts taught (this run's or a past run's). */
static size_t learned_rows(const entity_push *ep)
{
    size_t bound = ep->ctx->batch_rows;

    if (ep->split.rows_cap > 0 && ep->split.rows_cap < bound)
        bound = ep->split.rows_cap;
    return bound;
}

static size_t learned_bytes(const entity_push *ep)
{
    size_t bound = ep->ctx->batch_bytes;

    if (ep->split.too_large > 1 && ep->split.too_large / 2 < bound)
        bound = ep->split.too_large / 2;
    return bound;
}

/* Sends rows in batches; @p advance: these rows are the backlog (else the
 * retry of quarantined rows, which does not move last_pushed_seq). */
static int send_rows(entity_push *ep, const gs_push_rows *rows, int advance)
{
    push_ctx *ctx = ep->ctx;
    size_t from = 0;
    size_t n;
    int rc = GS_OK;

    if (ctx->opts->dry_run) {
        while ((n = gs__push_batch_take(rows, from, learned_rows(ep),
                                        ctx->batch_bytes)) > 0) {
            ep->rep->batches++;
            from += n;
        }
        return GS_OK;
    }
    free(ep->split.fate);
    ep->split.fate =
        calloc(rows->count ? rows->count : 1, sizeof *ep->split.fate);
    if (!ep->split.fate)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE,
                            "push %s: out of memory", ep->entity->name);
    /* After a 413, later batches stay under the size the target refused,
     * instead of being refused and halved one by one. */
    while ((n = gs__push_batch_take(rows, from, learned_rows(ep),
                                    learned_bytes(ep))) > 0) {
        if (ctx->opts->cancel && *ctx->opts->cancel)
            return gs_error_set(GS_ECANCELED, GS_ECLASS_NONE,
                                "push %s: interrupted; the batches sent are "
                                "recorded, the rest goes next run",
                                ep->entity->name);
        rc = ep->pg
                 ? gs__push_pg_send(ep->pg, &ep->split, rows, from, n, advance)
                 : gs__push_send_split(&ep->split, rows, from, n);
        if (rc == GS_ENOMEM)
            return rc;
        if (rc != GS_OK) {
            scrub_key(ep->split.stop.message, ctx->cfg->supabase_key);
            return stopped(ep, rows, from, n, advance);
        }
        for (size_t i = from; i < from + n; i++)
            scrub_key(ep->split.fate[i].message, ctx->cfg->supabase_key);
        if ((rc = record_batch(ep, rows, from, n, advance)) != GS_OK)
            return rc;
        ep->rep->batches++;
        from += n;
        tell_progress(ctx, ep->entity, ep->rep, 0);
    }
    return GS_OK;
}

/* Quarantined ids the cache no longer has (gone from the file by hand):
 * nothing can be sent for them, so they leave push_failures. */
static int forget_vanished(entity_push *ep, const json_t *cache_rows)
{
    push_ctx *ctx = ep->ctx;
    size_t i, j;
    json_t *id;
    json_t *row;
    int rc = GS_OK;
    int open = 0;

    json_array_foreach(ep->quarantined, i, id)
    {
        int found = 0;
        json_array_foreach(cache_rows, j, row)
        {
            const char *row_id = json_string_value(json_object_get(row, "id"));
            if (row_id && strcmp(row_id, json_string_value(id)) == 0) {
                found = 1;
                break;
            }
        }
        if (found)
            continue;
        if (!open && (rc = gs_store_begin(ctx->store)) != GS_OK)
            return rc;
        open = 1;
        rc = gs_store_failure_clear(ctx->store, ep->entity, ctx->target,
                                    json_string_value(id));
        if (rc != GS_OK) {
            gs_store_rollback(ctx->store);
            return rc;
        }
    }
    return open ? gs_store_commit(ctx->store) : GS_OK;
}

/* Offers again the rows earlier pushes quarantined. A row whose change_seq
 * is above last_pushed_seq is in the backlog and goes with it; an id the
 * cache no longer holds has nothing to send and leaves the quarantine. */
static int retry_quarantined(entity_push *ep)
{
    push_ctx *ctx = ep->ctx;
    json_t *cache_rows = NULL;
    json_t *retry = NULL;
    json_t *row;
    gs_push_rows rows = {.column_target =
                             ctx->cfg->policy[ep->entity->id].column_target,
                         .keep_payload = ctx->pg != NULL};
    size_t i;
    int rc;

    if (json_array_size(ep->quarantined) == 0)
        return GS_OK;
    rc = gs_store_rows_by_id(&cache_rows, ctx->store, ep->entity,
                             ep->quarantined);
    if (rc != GS_OK)
        return gs_error_wrap("push %s: quarantined rows", ep->entity->name);
    if (!(retry = json_array())) {
        rc = GS_ENOMEM;
        goto done;
    }
    json_array_foreach(cache_rows, i, row)
    {
        json_t *seq = json_object_get(row, "change_seq");
        if (ctx->opts->resend_all)
            continue; /* the backlog from 0 holds every row */
        if (json_is_integer(seq) && json_integer_value(seq) > ep->last_seq)
            continue;
        if (json_array_append(retry, row) != 0) {
            rc = GS_ENOMEM;
            goto done;
        }
    }
    if (!ctx->opts->dry_run && (rc = forget_vanished(ep, cache_rows)) != GS_OK)
        goto done;
    if ((rc = gs__push_rows_add(&rows, ep->entity, retry, ctx->now)) != GS_OK)
        goto done;
    ep->rep->rows_pending += (long long)rows.count;
    rc = send_rows(ep, &rows, 0);
done:
    gs__push_rows_free(&rows);
    json_decref(retry);
    json_decref(cache_rows);
    if (rc == GS_ENOMEM)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE,
                            "push %s: out of memory", ep->entity->name);
    return rc;
}

/* A streamed chunk's record in the cache: last_pushed_seq past it and its
 * rows counted, in one store transaction (no fate per row: every row of
 * it landed, and none is quarantined, stream_first() says). */
static int record_chunk(entity_push *ep, const gs_push_pg_chunk *chunk)
{
    push_ctx *ctx = ep->ctx;
    int rc = gs_store_begin(ctx->store);

    if (rc == GS_OK)
        rc = gs_store_push_advance(ctx->store, ep->entity, ctx->target,
                                   chunk->seq, chunk->rows, ctx->now);
    if (rc == GS_OK)
        rc = gs_store_commit(ctx->store);
    if (rc != GS_OK) {
        gs_store_rollback(ctx->store);
        return gs_error_wrap("push %s: recording a batch", ep->entity->name);
    }
    ep->last_seq = chunk->seq;
    ep->rep->rows_pushed += chunk->rows;
    return GS_OK;
}

/* Whether this entity's backlog goes streamed (push_pg_stream.c): a first
 * push into this target (its checkpoint was 0, so COPY straight into the
 * table is expected to go through) of more than one page, with no row in
 * quarantine (a landed row would have to leave it: the batches do that) and
 * no bound a statement timeout taught. */
static int stream_first(const entity_push *ep, long long target_seq)
{
    const push_ctx *ctx = ep->ctx;

    return ep->pg && !ctx->opts->dry_run && !ctx->opts->resend_all &&
           target_seq == 0 && json_array_size(ep->quarantined) == 0 &&
           ep->remembered == 0 &&
           ep->rep->rows_pending > (long long)ctx->batch_rows;
}

/* The backlog streamed, STREAM_ROWS rows a transaction, while that goes
 * through; *@p after is where the batches take over (after a chunk that
 * did not commit, or at the end: *@p done). */
static int push_streamed(entity_push *ep, long long *after, int *done)
{
    push_ctx *ctx = ep->ctx;
    gs_push_pg_chunk chunk;
    int rc;

    *done = 0;
    for (;;) {
        memset(&chunk, 0, sizeof chunk);
        chunk.after = *after;
        chunk.page_rows = ctx->batch_rows;
        chunk.max_rows =
            STREAM_ROWS > ctx->batch_rows ? STREAM_ROWS : ctx->batch_rows;
        chunk.cancel = ctx->opts->cancel;
        rc = gs__push_pg_stream(
            &chunk, ep->pg, &ep->split, ctx->store, ep->entity,
            ctx->cfg->policy[ep->entity->id].column_target, ctx->now);
        if (rc != GS_OK)
            return rc == GS_ENOMEM ? rc
                                   : gs_error_wrap("push %s: reading the "
                                                   "backlog",
                                                   ep->entity->name);
        if (chunk.committed) {
            if ((rc = record_chunk(ep, &chunk)) != GS_OK)
                return rc;
            ep->rep->batches++;
            *after = chunk.seq;
            tell_progress(ctx, ep->entity, ep->rep, 0);
        }
        if (chunk.cancelled)
            return gs_error_set(GS_ECANCELED, GS_ECLASS_NONE,
                                "push %s: interrupted; the batches sent are "
                                "recorded, the rest goes next run",
                                ep->entity->name);
        *done = chunk.end;
        if (!chunk.committed || chunk.end)
            return GS_OK;
    }
}

/* The backlog, page by page: a page is batch_rows rows, cut further by the
 * byte bound. A first push goes streamed first (push_streamed()). */
static int push_backlog(entity_push *ep, long long target_seq)
{
    push_ctx *ctx = ep->ctx;
    /* resend_all reads from the first row; record_batch still keeps
     * last_pushed_seq from going back. */
    long long after = ctx->opts->resend_all ? 0 : ep->last_seq;
    int rc = GS_OK;
    int done = 0;

    if (stream_first(ep, target_seq)) {
        if ((rc = push_streamed(ep, &after, &done)) != GS_OK || done)
            return rc;
        after = ep->last_seq; /* what did not commit goes by batches */
    }
    for (;;) {
        json_t *cache_rows = NULL;
        gs_push_rows rows = {.column_target =
                                 ctx->cfg->policy[ep->entity->id].column_target,
                             .keep_payload = ctx->pg != NULL};

        if (ctx->pg) { /* COPY lines straight from the cache (push_pg_copy.c) */
            rc = gs__push_pg_load(&rows, ctx->store, ep->entity, after,
                                  ctx->batch_rows, ctx->now);
            if (rc == GS_OK && rows.count == 0)
                return GS_OK;
            if (rc != GS_OK) {
                gs__push_rows_free(&rows);
                return gs_error_wrap("push %s: reading the backlog",
                                     ep->entity->name);
            }
        } else {
            rc = gs_store_pending(&cache_rows, ctx->store, ep->entity, after,
                                  ctx->batch_rows);
            if (rc != GS_OK)
                return gs_error_wrap("push %s: reading the backlog",
                                     ep->entity->name);
            if (json_array_size(cache_rows) == 0) {
                json_decref(cache_rows);
                return GS_OK;
            }
            rc = gs__push_rows_add(&rows, ep->entity, cache_rows, ctx->now);
            json_decref(cache_rows);
        }
        if (rc == GS_OK && rows.row[rows.count - 1].change_seq <= after)
            rc = gs_error_set(GS_ESTORE, GS_ECLASS_STORE,
                              "push %s: the backlog after change_seq %lld "
                              "did not move forward",
                              ep->entity->name, after);
        if (rc == GS_OK) {
            after = rows.row[rows.count - 1].change_seq;
            rc = send_rows(ep, &rows, 1);
        }
        gs__push_rows_free(&rows);
        if (rc != GS_OK)
            return rc;
    }
}

/* The meta key of the rows-per-batch bound learnt for an entity and target
 * (issue 11, defect 6). */
static int rows_key(char *out, size_t size, const entity_push *ep)
{
    int n = snprintf(out, size, "push.batch_rows.%s.%s", ep->ctx->target,
                     ep->entity->name);
    if (n < 0 || (size_t)n >= size)
        return gs_error_set(GS_EINVAL, GS_ECLASS_SUPABASE,
                            "push %s: target name too long", ep->entity->name);
    return GS_OK;
}

/* The bound past runs learnt, to start from: a statement timeout's lesson
 * holds across runs, so a large batch is not sent again every night. */
static int load_rows(entity_push *ep)
{
    char key[400];
    char *text = NULL;
    char *end = NULL;
    long long value;
    int rc;

    if ((rc = rows_key(key, sizeof key, ep)) != GS_OK)
        return rc;
    if ((rc = gs_store_meta_get(&text, ep->ctx->store, key)) != GS_OK)
        return gs_error_wrap("push %s: reading %s", ep->entity->name, key);
    value = text ? strtoll(text, &end, 10) : 0;
    if (text && end != text && *end == '\0' && value > 0 &&
        (size_t)value < ep->ctx->batch_rows) {
        ep->remembered = (size_t)value;
        ep->split.rows_cap = ep->remembered;
    }
    free(text);
    return GS_OK;
}

/* After the entity: a bound this run learnt is kept; a bound that carried a
 * full batch without a timeout grows by a quarter (at least one row), up to
 * the configured size, where it is forgotten ("0"). So a slow target costs
 * one shrink, not one per night, and a target that got faster is found
 * again in a few runs. */
static int remember_rows(entity_push *ep)
{
    size_t next;
    char key[400];
    char text[32];
    int rc;

    if (ep->ctx->opts->dry_run)
        return GS_OK;
    if (ep->split.timeouts > 0)
        next = ep->split.rows_cap;
    else if (ep->remembered && ep->split.largest_landed >= ep->remembered)
        next = ep->remembered + (ep->remembered / 4 ? ep->remembered / 4 : 1);
    else
        return GS_OK;
    if (next >= ep->ctx->batch_rows)
        next = 0;
    if (next == ep->remembered)
        return GS_OK;
    if ((rc = rows_key(key, sizeof key, ep)) != GS_OK)
        return rc;
    snprintf(text, sizeof text, "%zu", next);
    if ((rc = gs_store_meta_set(ep->ctx->store, key, text)) != GS_OK)
        return gs_error_wrap("push %s: saving %s", ep->entity->name, key);
    return GS_OK;
}

/* The PostgreSQL target keeps its own checkpoint, moved in the commit of
 * each batch: it is the truth. Ahead of the cache (the process died between
 * the target's commit and the cache's), the cache catches up and nothing is
 * sent again; behind it (another database, a restored one), the backlog
 * starts from the target's. */
static int reconcile(entity_push *ep, gs_push_state *state)
{
    long long seq;
    int rc;

    if ((rc = gs__push_pg_checkpoint(&seq, ep->pg)) != GS_OK)
        return rc;
    if (seq > state->last_pushed_seq) {
        rc = gs_store_push_advance(ep->ctx->store, ep->entity, ep->ctx->target,
                                   seq, 0, ep->ctx->now);
        if (rc != GS_OK)
            return gs_error_wrap("push %s: catching up with the target's "
                                 "checkpoint",
                                 ep->entity->name);
    }
    state->last_pushed_seq = seq;
    return GS_OK;
}

static int push_entity(push_ctx *ctx, const gs_entity *entity,
                       gs_push_entity_report *rep)
{
    entity_push ep;
    gs_push_state state;
    gs_http_stats before, after;
    const char *table = ctx->cfg->policy[entity->id].target_table;
    int rc;

    memset(&ep, 0, sizeof ep);
    memset(&before, 0, sizeof before);
    memset(&after, 0, sizeof after);
    ep.ctx = ctx;
    ep.entity = entity;
    ep.rep = rep;
    ep.table = table[0] ? table : entity->target_table;
    ep.split.send = gs__push_post;
    ep.split.sender = &ep.target;
    if (ctx->http)
        gs_http_get_stats(&before, ctx->http);
    if (!gs_table_name_valid(ep.table)) {
        rc = gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                          "push %s: target_table \"%s\" is not a plain "
                          "table name",
                          entity->name, ep.table);
        goto done;
    }
    if (ctx->pg) {
        rc = gs__push_pg_entity_new(&ep.pg, ctx->pg, ctx->store, entity,
                                    ctx->target, ctx->cache_key, ep.table,
                                    ctx->now);
        if (rc != GS_OK)
            goto done;
    } else if (!ctx->opts->dry_run) {
        if (gs_buf_printf(&ep.url, "%s/rest/v1/%s?on_conflict=external_id",
                          ctx->base_url.data, ep.table) != GS_OK) {
            rc = gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE,
                              "push %s: out of memory", entity->name);
            goto done;
        }
        ep.target.http = ctx->http;
        ep.target.url = ep.url.data;
        ep.target.headers = ctx->headers;
    }
    rc = gs_store_push_state_get(&state, ctx->store, entity, ctx->target);
    if (rc == GS_OK && ep.pg)
        rc = reconcile(&ep, &state);
    if (rc == GS_OK)
        rc = gs_store_pending_count(
            &rep->rows_pending, ctx->store, entity,
            ctx->opts->resend_all ? 0 : state.last_pushed_seq);
    if (rc == GS_OK)
        rc = gs_store_failures_ids(&ep.quarantined, ctx->store, entity,
                                   ctx->target);
    if (rc != GS_OK) {
        rc = gs_error_wrap("push %s", entity->name);
        goto done;
    }
    ep.last_seq = state.last_pushed_seq;
    if ((rc = load_rows(&ep)) != GS_OK)
        goto done;
    if ((rc = retry_quarantined(&ep)) == GS_OK)
        rc = push_backlog(&ep, state.last_pushed_seq);
    rep->batch_rows = (long long)learned_rows(&ep);
    if (rc == GS_OK)
        rc = remember_rows(&ep);
    else { /* the entity's failure is the one to report */
        gs_error saved = *gs_error_last();
        (void)remember_rows(&ep);
        gs_error_set_http(saved.code, saved.klass, saved.http_status, "%s",
                          saved.message);
    }
done:
    if (ctx->pg)
        rep->requests = ep.split.requests; /* transactions */
    else if (ctx->http && !ctx->opts->dry_run) {
        gs_http_get_stats(&after, ctx->http);
        rep->requests = after.requests - before.requests;
    }
    if (rc == GS_OK && rep->rows_failed > 0)
        rc = gs_error_set(GS_ECONFLICT, GS_ECLASS_SUPABASE,
                          "push %s: %lld row(s) refused by %s, quarantined "
                          "in push_failures; the others landed",
                          entity->name, rep->rows_failed, ep.table);
    rep->code = rc;
    if (rc != GS_OK)
        gs_copy_text(rep->error, sizeof rep->error, gs_error_last()->message);
    json_decref(ep.quarantined);
    gs__push_pg_entity_free(ep.pg);
    free(ep.split.fate);
    gs_buf_free(&ep.split.body);
    gs_buf_free(&ep.url);
    return rc;
}

static int selected(const push_ctx *ctx, gs_entity_id id)
{
    if (ctx->opts->entities)
        return (ctx->opts->entities >> id) & 1u;
    return ctx->cfg->policy[id].enabled;
}

/* GS_OK, GS_EPARTIAL, or the failure's own code (with its detail, HTTP
 * status included) when no entity went through or the key was refused. */
static int overall(const gs_error *first, int attempted, int failed,
                   int auth_refused)
{
    if (failed == 0)
        return GS_OK;
    if (failed == attempted || auth_refused)
        return gs_error_set_http(first->code, first->klass, first->http_status,
                                 "%s", first->message);
    return gs_error_set_http(GS_EPARTIAL, GS_ECLASS_SUPABASE,
                             first->http_status,
                             "push: %d of %d entities failed; first: %s",
                             failed, attempted, first->message);
}

/* The run log over PostgreSQL, on the same rule as the REST target's: only
 * a push that sent something sends it. */
static int pg_run_log(push_ctx *ctx, gs_push_report *report, int rc, int stop)
{
    gs_error saved = *gs_error_last();
    int run_rc;

    for (int e = 0; e < GS_ENTITY_COUNT; e++)
        report->requests += report->entity[e].requests;
    if (!ctx->opts->run_id || stop || report->requests == 0)
        return rc;
    run_rc = gs__push_run_log(gs__push_pg_post_runs, ctx->pg, ctx->store,
                              ctx->opts->run_id, report, rc, ctx->now);
    report->requests++;
    if (rc != GS_OK) /* the entities' failure is the one to report */
        return gs_error_set_http(saved.code, saved.klass, saved.http_status,
                                 "%s", saved.message);
    if (run_rc != GS_OK) {
        char why[sizeof gs_error_last()->message];
        snprintf(why, sizeof why, "%s", gs_error_last()->message);
        return gs_error_set(GS_EPARTIAL, GS_ECLASS_SUPABASE,
                            "push: every entity pushed, but the run log was "
                            "not sent: %s",
                            why);
    }
    return GS_OK;
}

int gs_push_run(gs_push_report *report, gs_store *store, gs_http *http,
                const gs_config *cfg, const gs_push_opts *opts)
{
    static const gs_push_opts no_opts = GS_PUSH_OPTS_INIT;
    push_ctx ctx;
    gs_http_stats before, after;
    gs_error first;
    int attempted = 0, failed = 0;
    int auth_refused = 0, stop = 0;
    int rc;

    if (!report || !store || !cfg)
        return gs_error_set(GS_EINVAL, GS_ECLASS_SUPABASE,
                            "push: missing report, store or config");
    memset(report, 0, sizeof *report);
    memset(&ctx, 0, sizeof ctx);
    memset(&first, 0, sizeof first);
    memset(&before, 0, sizeof before);
    memset(&after, 0, sizeof after);
    if (!opts)
        opts = &no_opts;
    rc = gs_opts_check(opts->version, GS_PUSH_OPTS_VERSION, "gs_push_opts");
    if (rc != GS_OK)
        return rc;
    if ((rc = ctx_init(&ctx, store, http, cfg, opts)) != GS_OK)
        goto done;
    if (http)
        gs_http_get_stats(&before, http);
    for (int e = 0; e < GS_ENTITY_COUNT; e++) {
        gs_push_entity_report *rep = &report->entity[e];
        if (!selected(&ctx, (gs_entity_id)e) || stop)
            continue;
        attempted++;
        if (auth_refused) {
            rep->code = GS_EAUTH;
            snprintf(rep->error, sizeof rep->error,
                     "not pushed: Supabase refused the key");
            failed++;
            tell_progress(&ctx, gs_entity_get((gs_entity_id)e), rep, 1);
            continue;
        }
        rc = push_entity(&ctx, gs_entity_get((gs_entity_id)e), rep);
        report->rows_pushed += rep->rows_pushed;
        if (rc != GS_OK) {
            if (failed++ == 0 || rc == GS_EAUTH || rc == GS_ESTORE ||
                rc == GS_ECANCELED)
                first = *gs_error_last();
            auth_refused = rc == GS_EAUTH;
            /* A cache fault or a cancel ends the run: reported as itself,
             * not as a partial failure. */
            stop = rc == GS_ESTORE || rc == GS_ECANCELED;
        }
        /* After the error is kept: the callback may print, and printing
         * must not be able to change what the run reports. */
        tell_progress(&ctx, gs_entity_get((gs_entity_id)e), rep, 1);
    }
    rc = overall(&first, attempted, failed, auth_refused || stop);
    report->unit = "Supabase request";
    if (ctx.pg) {
        report->unit = "PostgreSQL transaction";
        rc = pg_run_log(&ctx, report, rc, stop);
        goto done;
    }
    if (http && !opts->dry_run) {
        gs_http_get_stats(&after, http);
        report->requests = after.requests - before.requests;
    }
    /* The run log rides on a push that sent something: "nothing pending,
     * no request" holds, and the runs it skips are sent, finished, by the
     * next push that has rows to send (push_runs.c). */
    if (opts->run_id && !opts->dry_run && !auth_refused && !stop &&
        after.requests > before.requests) {
        gs_error saved = *gs_error_last();
        int run_rc = gs__push_run_row(http, ctx.base_url.data, ctx.headers,
                                      store, opts->run_id, report, rc, ctx.now);
        if (rc != GS_OK) /* the entities' failure is the one to report */
            gs_error_set_http(saved.code, saved.klass, saved.http_status, "%s",
                              saved.message);
        else if (run_rc != GS_OK) {
            char why[sizeof gs_error_last()->message];
            snprintf(why, sizeof why, "%s", gs_error_last()->message);
            rc = gs_error_set(GS_EPARTIAL, GS_ECLASS_SUPABASE,
                              "push: every entity pushed, but the run log "
                              "was not sent: %s",
                              why);
        }
    }
    if (http && !opts->dry_run) {
        gs_http_get_stats(&after, http);
        report->requests = after.requests - before.requests;
    }
done:
    ctx_free(&ctx);
    return rc;
}

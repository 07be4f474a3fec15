/* The PostgreSQL target's batch: one transaction that streams the rows with
 * COPY into a temp table, merges them into the target table, and moves the
 * target's own checkpoint (gazsync_push_state) in the same commit.
 *
 * Above this file everything is shared with the REST target (push.c): the
 * backlog in change_seq order, the payload rows of the one mapping (so a
 * column people own is never named), quarantine, the learnt batch bound.
 * What differs is what "landed" means: here, committed together with the
 * checkpoint, so a batch is written exactly once even when the process dies
 * between the commit and the cache's own record (push.c reads the target's
 * checkpoint first: gs_push_pg_reconcile()).
 *
 * Refused rows: each merge of a range runs under a savepoint; a range the
 * database refuses (constraint, bad value) is rolled back to the savepoint
 * and bisected, in the same transaction, from the rows already COPYed: what
 * was accepted is neither re-sent nor rolled back. A statement timeout
 * (57014) aborts the transaction: the batch is halved through the REST
 * pusher's own bound (gs__push_split_shrink(), rows_cap, the meta memory of
 * push.c). A lost connection is mended with bounded backoff (pg_conn.c) and
 * the batch redone, unless the checkpoint shows its commit went through. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazsync/error.h"
#include "pg_conn.h"
#include "push_internal.h"

#define COPY_CHUNK (256 * 1024)
#define MAX_REDO 3
#define BEGIN_SQL "BEGIN; SET LOCAL synchronous_commit = off"

struct gs_push_pg_entity {
    gs_pg *pg;
    gs_store *store;
    const gs_entity *entity;
    const char *target;    /* the cache's push_state target name */
    const char *cache_key; /* gazsync_push_state.target_key */
    const char *table;
    const char *now;
    json_t *columns;   /* payload keys = target columns, from the first row */
    gs_buf create_sql; /* the entity's temp table, for the merge */
    gs_buf copy_sql;   /* COPY straight into the target table */
    gs_buf temp_copy_sql;  /* COPY into the temp table */
    gs_buf begin_copy_sql; /* BEGIN; ...; SAVEPOINT; copy_sql */
    gs_buf merge_sql;
    gs_buf temp_name; /* gs_batch_<entity>, quoted */
    int merge_only;   /* the table holds rows of ours: merge every batch */
    gs_buf line;
    char sqlstate[6];
    char message[400];
};

static const char checkpoint_get_sql[] =
    "SELECT last_change_seq FROM gazsync_push_state "
    "WHERE entity = $1 AND target_key = $2";

static const char checkpoint_set_sql[] =
    "INSERT INTO gazsync_push_state (entity, target_key, last_change_seq, "
    "updated_at) VALUES ($1, $2, $3::bigint, now()) "
    "ON CONFLICT (entity, target_key) DO UPDATE SET "
    "last_change_seq = greatest(gazsync_push_state.last_change_seq, "
    "excluded.last_change_seq), updated_at = now()";

static const char catalog_sql[] =
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod) "
    "FROM pg_attribute a WHERE a.attrelid = to_regclass($1) "
    "AND a.attnum > 0 AND NOT a.attisdropped";

int gs__push_pg_entity_new(gs_push_pg_entity **out, gs_pg *pg, gs_store *store,
                           const gs_entity *entity, const char *target,
                           const char *cache_key, const char *table,
                           const char *now)
{
    gs_push_pg_entity *pe = calloc(1, sizeof *pe);

    *out = NULL;
    if (!pe)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE, "out of memory");
    pe->pg = pg;
    pe->store = store;
    pe->entity = entity;
    pe->target = target;
    pe->cache_key = cache_key;
    pe->table = table;
    pe->now = now;
    *out = pe;
    return GS_OK;
}

void gs__push_pg_entity_free(gs_push_pg_entity *pe)
{
    if (!pe)
        return;
    json_decref(pe->columns);
    gs_buf_free(&pe->create_sql);
    gs_buf_free(&pe->copy_sql);
    gs_buf_free(&pe->temp_copy_sql);
    gs_buf_free(&pe->begin_copy_sql);
    gs_buf_free(&pe->merge_sql);
    gs_buf_free(&pe->temp_name);
    gs_buf_free(&pe->line);
    free(pe);
}

static int quote(gs_buf *out, gs_pg *pg, const char *name)
{
    char *q = PQescapeIdentifier(gs__pg_conn(pg), name, strlen(name));
    int rc;

    if (!q)
        return GS_ENOMEM;
    rc = gs_buf_puts(out, q);
    PQfreemem(q);
    return rc;
}

/* The type of @p column in the catalog answer, NULL when the table has no
 * such column. */
static const char *column_type(PGresult *catalog, const char *column)
{
    for (int r = 0; r < PQntuples(catalog); r++)
        if (strcmp(PQgetvalue(catalog, r, 0), column) == 0)
            return PQgetvalue(catalog, r, 1);
    return NULL;
}

static int stop_with(gs_push_split *split, int code, const char *sqlstate,
                     const char *fmt, const char *a, const char *b)
{
    memset(&split->stop, 0, sizeof split->stop);
    split->stop.verdict = GS_PUSH_STOP;
    split->stop.code = code;
    snprintf(split->stop.pg_code, sizeof split->stop.pg_code, "%s", sqlstate);
    snprintf(split->stop.message, sizeof split->stop.message, fmt, a, b);
    return code;
}

/* The statements of this entity, from its payload keys and the catalog's
 * types. Identifiers are quoted; no value is ever spliced. */
static int build_sql(gs_push_pg_entity *pe, gs_push_split *split,
                     PGresult *catalog)
{
    gs_buf *c = &pe->create_sql;
    gs_buf *m = &pe->merge_sql;
    gs_buf *k = &pe->copy_sql;
    gs_buf set = GS_BUF_INIT, ours = GS_BUF_INIT, theirs = GS_BUF_INIT;
    gs_buf temp = GS_BUF_INIT;
    size_t i;
    json_t *name;
    int rc = GS_OK;

    /* One temp table per entity and session, emptied by each commit: made
     * once, not per batch (IF NOT EXISTS: a rolled-back transaction, or a
     * new connection, takes it away). */
    rc |= gs_buf_printf(&temp, "gs_batch_%s", pe->entity->name);
    rc |= quote(&pe->temp_name, pe->pg, temp.data ? temp.data : "");
    rc |= gs_buf_puts(c, "CREATE TEMP TABLE IF NOT EXISTS ");
    rc |= gs_buf_append(c, pe->temp_name.data, pe->temp_name.len);
    rc |= gs_buf_puts(c, " (gs_ord bigint");
    rc |= gs_buf_puts(k, "COPY ");
    rc |= quote(k, pe->pg, pe->table);
    rc |= gs_buf_puts(k, " (");
    rc |= gs_buf_puts(m, "INSERT INTO ");
    rc |= quote(m, pe->pg, pe->table);
    rc |= gs_buf_puts(m, " AS gs_target (");
    json_array_foreach(pe->columns, i, name)
    {
        const char *col = json_string_value(name);
        const char *type = column_type(catalog, col);
        if (!type) {
            rc = stop_with(
                split, GS_ECONFLICT, "42703",
                "table %.64s has no column \"%.64s\" (compare it with "
                "schema/supabase.sql)",
                pe->table, col);
            goto done;
        }
        rc |= gs_buf_puts(c, ", ");
        rc |= quote(c, pe->pg, col);
        rc |= gs_buf_puts(c, " text");
        rc |= gs_buf_puts(m, i ? ", " : "");
        rc |= quote(m, pe->pg, col);
        rc |= gs_buf_puts(k, i ? ", " : "");
        rc |= quote(k, pe->pg, col);
        if (strcmp(col, "external_id") == 0)
            continue;
        rc |= gs_buf_puts(&set, set.len ? ", " : "");
        rc |= quote(&set, pe->pg, col);
        rc |= gs_buf_puts(&set, " = excluded.");
        rc |= quote(&set, pe->pg, col);
        if (strcmp(col, "synced_at") == 0)
            continue; /* a new synced_at alone is no change */
        rc |= gs_buf_puts(&ours, ours.len ? ", gs_target." : "gs_target.");
        rc |= quote(&ours, pe->pg, col);
        rc |= gs_buf_puts(&theirs, theirs.len ? ", excluded." : "excluded.");
        rc |= quote(&theirs, pe->pg, col);
    }
    rc |= gs_buf_puts(c, ") ON COMMIT DELETE ROWS");
    rc |= gs_buf_puts(k, ") FROM STDIN");
    rc |= gs_buf_puts(&pe->temp_copy_sql, "COPY ");
    rc |= gs_buf_append(&pe->temp_copy_sql, pe->temp_name.data,
                        pe->temp_name.len);
    rc |= gs_buf_puts(&pe->temp_copy_sql, " FROM STDIN");
    rc |= gs_buf_puts(&pe->begin_copy_sql, BEGIN_SQL "; SAVEPOINT gs_copy; ");
    rc |= gs_buf_append(&pe->begin_copy_sql, k->data, k->len);
    rc |= gs_buf_puts(m, ") SELECT ");
    json_array_foreach(pe->columns, i, name)
    {
        const char *col = json_string_value(name);
        rc |= gs_buf_puts(m, i ? ", " : "");
        rc |= quote(m, pe->pg, col);
        rc |= gs_buf_printf(m, "::%s", column_type(catalog, col));
    }
    rc |= gs_buf_puts(m, " FROM ");
    rc |= gs_buf_append(m, pe->temp_name.data, pe->temp_name.len);
    rc |= gs_buf_puts(m, " WHERE gs_ord >= $1::bigint AND "
                         "gs_ord < $2::bigint ORDER BY gs_ord "
                         "ON CONFLICT (external_id) DO UPDATE SET ");
    rc |= gs_buf_append(m, set.data, set.len);
    rc |= gs_buf_printf(m, " WHERE (%s) IS DISTINCT FROM (%s)", ours.data,
                        theirs.data);
    if (rc != GS_OK)
        rc = GS_ENOMEM;
done:
    gs_buf_free(&set);
    gs_buf_free(&ours);
    gs_buf_free(&theirs);
    gs_buf_free(&temp);
    return rc;
}

static int prepare(gs_push_pg_entity *pe, gs_push_split *split,
                   const gs_push_row *first)
{
    PGresult *catalog = NULL;
    gs_buf quoted = GS_BUF_INIT;
    const char *params[1];
    int rc;

    if (pe->columns)
        return GS_OK;
    (void)first;
    if ((rc = gs__push_pg_columns(&pe->columns, pe->entity,
                                  split->rows->column_target)) != GS_OK)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE, "out of memory");
    if (quote(&quoted, pe->pg, pe->table) != GS_OK) {
        rc = GS_ENOMEM;
        goto done;
    }
    params[0] = quoted.data;
    rc = gs__pg_exec(&catalog, pe->pg, catalog_sql, 1, params, PGRES_TUPLES_OK,
                     pe->sqlstate, pe->message, sizeof pe->message);
    if (rc != GS_OK) {
        rc = stop_with(split, rc, pe->sqlstate, "reading the catalog: %.300s%s",
                       pe->message, "");
        goto done;
    }
    if (PQntuples(catalog) == 0) {
        rc = stop_with(split, GS_ENOTFOUND, "42P01",
                       "relation \"%.64s\" does not exist%s", pe->table, "");
        goto done;
    }
    rc = build_sql(pe, split, catalog);
done:
    if (rc != GS_OK) {
        json_decref(pe->columns);
        pe->columns = NULL;
        gs_buf_reset(&pe->create_sql);
        gs_buf_reset(&pe->copy_sql);
        gs_buf_reset(&pe->temp_copy_sql);
        gs_buf_reset(&pe->begin_copy_sql);
        gs_buf_reset(&pe->merge_sql);
        gs_buf_reset(&pe->temp_name);
    }
    PQclear(catalog);
    gs_buf_free(&quoted);
    return rc;
}

int gs__push_pg_checkpoint(long long *seq, gs_push_pg_entity *pe)
{
    const char *params[2] = {pe->entity->name, pe->cache_key};
    PGresult *res = NULL;
    int rc;

    *seq = 0;
    rc = gs__pg_exec(&res, pe->pg, checkpoint_get_sql, 2, params,
                     PGRES_TUPLES_OK, pe->sqlstate, pe->message,
                     sizeof pe->message);
    if (rc != GS_OK && gs__pg_deadline_hit(pe->pg))
        return gs_error_set(rc, GS_ECLASS_SUPABASE,
                            "push %s: at %s: statement %s", pe->entity->name,
                            gs__pg_where(pe->pg), pe->message);
    if (rc != GS_OK)
        return gs_error_set(rc, GS_ECLASS_SUPABASE,
                            "push %s: reading gazsync_push_state at %s: %s "
                            "(%s; apply schema/supabase.sql)",
                            pe->entity->name, gs__pg_where(pe->pg), pe->message,
                            pe->sqlstate);
    if (PQntuples(res) > 0)
        *seq = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return GS_OK;
}

/* SQLSTATE classes that say the table does not match the payload or may
 * not be written: splitting would wrongly quarantine every row. */
static int schema_error(const char *state)
{
    return strncmp(state, "42", 2) == 0 || strncmp(state, "0A", 2) == 0;
}

static int exec_simple(gs_push_pg_entity *pe, const char *sql)
{
    return gs__pg_exec(NULL, pe->pg, sql, 0, NULL, PGRES_COMMAND_OK,
                       pe->sqlstate, pe->message, sizeof pe->message);
}

/* COPY lines of rows [from, from + n) into the open COPY, sent whenever
 * COPY_CHUNK bytes are in hand; @p ordinals: each line starts with the
 * row's place from @p first (the temp table's gs_ord). The last partial
 * chunk stays in pe->line for the next call or copy_end(). */
static int copy_put(gs_push_pg_entity *pe, int ordinals, long long first,
                    const gs_push_rows *rows, size_t from, size_t n)
{
    int rc = GS_OK;

    for (size_t i = 0; i < n && rc == GS_OK; i++) {
        rc = gs__push_pg_copy_line(&pe->line,
                                   ordinals ? first + (long long)i : -1,
                                   &rows->row[from + i], pe->columns);
        if (rc == GS_OK && pe->line.len >= COPY_CHUNK) {
            rc = gs__pg_put_copy(pe->pg, pe->line.data, pe->line.len, NULL);
            gs_buf_reset(&pe->line);
        }
    }
    return rc;
}

/* Ends the open COPY: the lines still in hand, then its end (or, @p rc not
 * GS_OK, its abandonment), and the server's verdict. */
static int copy_end(gs_push_pg_entity *pe, int rc)
{
    PGresult *res;
    int refused = 0;

    if (rc == GS_OK && pe->line.len > 0)
        rc = gs__pg_put_copy(pe->pg, pe->line.data, pe->line.len, NULL);
    gs_buf_reset(&pe->line);
    if (gs__pg_put_copy(pe->pg, NULL, 0,
                        rc == GS_OK ? NULL : "gazsync: batch abandoned") !=
        GS_OK)
        rc = GS_EHTTP;
    while (gs__pg_wait(pe->pg) == GS_OK &&
           (res = PQgetResult(gs__pg_conn(pe->pg))) != NULL) {
        /* The server's refusal may have ended the COPY before the last
         * line was sent (PQputCopyData then fails): its SQLSTATE is still
         * the verdict. */
        if (PQresultStatus(res) != PGRES_COMMAND_OK && !refused) {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            snprintf(pe->sqlstate, sizeof pe->sqlstate, "%s",
                     state ? state : "");
            snprintf(pe->message, sizeof pe->message, "COPY: %s",
                     PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                         ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                         : "failed");
            refused = 1;
        }
        PQclear(res);
    }
    if (refused && rc != GS_ENOMEM)
        rc = GS_ECONFLICT;
    if (rc != GS_OK && gs__pg_deadline_hit(pe->pg))
        return gs__pg_at_deadline(pe->pg, "COPY cancelled", pe->sqlstate,
                                  pe->message, sizeof pe->message);
    if (rc != GS_OK && gs__pg_lost(pe->pg)) {
        snprintf(pe->sqlstate, sizeof pe->sqlstate, "08006");
        rc = GS_EHTTP;
    }
    return rc;
}

/* Streams rows [from, from + n) with @p copy_sql (see copy_put()). */
static int copy_rows(gs_push_pg_entity *pe, const char *copy_sql, int ordinals,
                     const gs_push_rows *rows, size_t from, size_t n)
{
    PGresult *res = NULL;
    int rc = gs__pg_exec(&res, pe->pg, copy_sql, 0, NULL, PGRES_COPY_IN,
                         pe->sqlstate, pe->message, sizeof pe->message);

    PQclear(res);
    if (rc != GS_OK)
        return rc;
    gs_buf_reset(&pe->line);
    return copy_end(pe, copy_put(pe, ordinals, 0, rows, from, n));
}

/* Merges ordinals [lo, hi) of the temp table under a savepoint; a refused
 * range is rolled back to it and bisected. GS_OK when every row is landed
 * or failed; otherwise the transaction is lost (timeout, schema, link). */
static int merge_range(gs_push_pg_entity *pe, gs_push_split *split, size_t from,
                       size_t lo, size_t hi)
{
    char lo_text[24], hi_text[24];
    const char *params[2] = {lo_text, hi_text};
    size_t mid;
    int rc;

    snprintf(lo_text, sizeof lo_text, "%zu", lo);
    snprintf(hi_text, sizeof hi_text, "%zu", hi);
    if ((rc = exec_simple(pe, "SAVEPOINT gs_range")) != GS_OK)
        return rc;
    rc = gs__pg_exec(NULL, pe->pg, pe->merge_sql.data, 2, params,
                     PGRES_COMMAND_OK, pe->sqlstate, pe->message,
                     sizeof pe->message);
    if (rc == GS_OK) {
        for (size_t i = lo; i < hi; i++)
            split->fate[from + i].landed = 1;
        return exec_simple(pe, "RELEASE SAVEPOINT gs_range");
    }
    if (rc != GS_ECONFLICT || schema_error(pe->sqlstate) ||
        strcmp(pe->sqlstate, "57014") == 0 || pe->sqlstate[0] == '\0')
        return rc;
    if (hi - lo == 1) {
        gs_push_fate *fate = &split->fate[from + lo];
        fate->failed = 1;
        snprintf(fate->pg_code, sizeof fate->pg_code, "%s", pe->sqlstate);
        snprintf(fate->message, sizeof fate->message, "%s", pe->message);
    }
    if ((rc = exec_simple(pe, "ROLLBACK TO SAVEPOINT gs_range")) != GS_OK ||
        (rc = exec_simple(pe, "RELEASE SAVEPOINT gs_range")) != GS_OK)
        return rc;
    if (hi - lo == 1)
        return GS_OK;
    mid = lo + (hi - lo) / 2;
    if ((rc = merge_range(pe, split, from, lo, mid)) != GS_OK)
        return rc;
    return merge_range(pe, split, from, mid, hi);
}

/* Refused rows go into the cache's quarantine before the target commits:
 * were the process to die between the two commits, the target's checkpoint
 * (past these rows) would otherwise let them be forgotten. */
static int quarantine_early(gs_push_pg_entity *pe, gs_push_split *split,
                            size_t from, size_t n)
{
    int rc = GS_OK;
    int any = 0;

    for (size_t i = from; i < from + n; i++)
        any |= split->fate[i].failed;
    if (!any)
        return GS_OK;
    if ((rc = gs_store_begin(pe->store)) != GS_OK)
        return rc;
    for (size_t i = from; i < from + n && rc == GS_OK; i++) {
        gs_push_fate *fate = &split->fate[i];
        if (!fate->failed)
            continue;
        rc = gs_store_failure_record(pe->store, pe->entity, pe->target,
                                     split->rows->row[i].id, 0, fate->pg_code,
                                     fate->message, pe->now);
        fate->recorded = rc == GS_OK;
    }
    if (rc == GS_OK)
        rc = gs_store_commit(pe->store);
    if (rc != GS_OK)
        gs_store_rollback(pe->store);
    return rc;
}

static long long max_seq(const gs_push_rows *rows, size_t from, size_t n)
{
    long long seq = 0;

    for (size_t i = from; i < from + n; i++)
        if (rows->row[i].change_seq > seq)
            seq = rows->row[i].change_seq;
    return seq;
}

/* A first push: the rows COPYed straight into the target table, as fast as
 * `psql \copy`, under a savepoint. A row that is already there (23505) or
 * a value a column refuses (class 22, 23) rolls the COPY back and sets
 * *@p copied to 0: the merge then does the batch, and after a 23505 every
 * later batch of the entity (the table holds rows of ours; re-trying the
 * COPY would cost a refused COPY per batch). Other failures are returned
 * as the merge's are. */
static int copy_direct(int *copied, gs_push_pg_entity *pe, gs_push_split *split,
                       const gs_push_rows *rows, size_t from, size_t n)
{
    int rc;

    *copied = 0;
    /* BEGIN, the savepoint and the COPY in one round trip; the commit
     * releases the savepoint. */
    rc = copy_rows(pe, pe->begin_copy_sql.data, 0, rows, from, n);
    if (rc == GS_OK) {
        for (size_t i = from; i < from + n; i++)
            split->fate[i].landed = 1;
        *copied = 1;
        return GS_OK;
    }
    if (rc != GS_ECONFLICT || (strncmp(pe->sqlstate, "22", 2) != 0 &&
                               strncmp(pe->sqlstate, "23", 2) != 0))
        return rc;
    if (strcmp(pe->sqlstate, "23505") == 0)
        pe->merge_only = 1;
    if ((rc = exec_simple(pe, "ROLLBACK TO SAVEPOINT gs_copy")) != GS_OK)
        return rc;
    return exec_simple(pe, "RELEASE SAVEPOINT gs_copy");
}

/* The merge: the rows into the entity's temp table, then INSERT .. ON
 * CONFLICT from it, refused ranges bisected. */
static int merge_batch(gs_push_pg_entity *pe, gs_push_split *split,
                       const gs_push_rows *rows, size_t from, size_t n)
{
    int rc;

    if ((rc = exec_simple(pe, pe->create_sql.data)) != GS_OK ||
        (rc = copy_rows(pe, pe->temp_copy_sql.data, 1, rows, from, n)) != GS_OK)
        return rc;
    return merge_range(pe, split, from, 0, n);
}

/* One transaction for rows [from, from + n). Its commit need not wait for
 * the disk (synchronous_commit off): a commit a crash of the server takes
 * back takes the checkpoint back with it, and the next push starts from
 * the target's checkpoint (reconcile() in push.c). */
static int one_transaction(gs_push_pg_entity *pe, gs_push_split *split,
                           const gs_push_rows *rows, size_t from, size_t n,
                           int advance)
{
    char seq_text[24];
    const char *params[3] = {pe->entity->name, pe->cache_key, seq_text};
    int copied = 0;
    int rc;

    memset(&split->fate[from], 0, n * sizeof split->fate[0]);
    split->requests++;
    rc = pe->merge_only ? exec_simple(pe, BEGIN_SQL)
                        : copy_direct(&copied, pe, split, rows, from, n);
    if (rc != GS_OK)
        goto done;
    if (!copied && (rc = merge_batch(pe, split, rows, from, n)) != GS_OK)
        goto done;
    if ((rc = quarantine_early(pe, split, from, n)) != GS_OK)
        goto done;
    if (!advance) {
        rc = exec_simple(pe, "COMMIT");
        goto done;
    }
    /* The checkpoint and the commit in one round trip. */
    snprintf(seq_text, sizeof seq_text, "%lld", max_seq(rows, from, n));
    rc = gs__pg_exec_commit(pe->pg, checkpoint_set_sql, 3, params, pe->sqlstate,
                            pe->message, sizeof pe->message);
done:
    if (rc != GS_OK && !gs__pg_lost(pe->pg)) {
        char state[6], message[100];
        (void)gs__pg_exec(NULL, pe->pg, "ROLLBACK", 0, NULL, PGRES_COMMAND_OK,
                          state, message, sizeof message);
    }
    return rc;
}

static int send_range(gs_push_pg_entity *pe, gs_push_split *split,
                      const gs_push_rows *rows, size_t from, size_t n,
                      int advance);

/* After a statement timeout on @p n rows: the rows again in pieces of at
 * most rows_cap, each its own transaction. */
static int resend_fewer(gs_push_pg_entity *pe, gs_push_split *split,
                        const gs_push_rows *rows, size_t from, size_t n,
                        int advance)
{
    size_t done = 0;

    while (done < n) {
        size_t k = n - done < split->rows_cap ? n - done : split->rows_cap;
        int rc = send_range(pe, split, rows, from + done, k, advance);
        if (rc != GS_OK)
            return rc;
        done += k;
    }
    return GS_OK;
}

/* After a lost connection: mended, and whether the batch's commit went
 * through (the target's checkpoint is past it). */
static int mend(int *committed, gs_push_pg_entity *pe, const gs_push_rows *rows,
                size_t from, size_t n, int advance)
{
    long long seq;
    int rc;

    *committed = 0;
    if ((rc = gs__pg_reconnect(pe->pg)) != GS_OK)
        return rc;
    if (!advance)
        return GS_OK; /* quarantine retries: redone, the merge is idempotent */
    if ((rc = gs__push_pg_checkpoint(&seq, pe)) != GS_OK)
        return rc;
    *committed = seq >= max_seq(rows, from, n);
    return GS_OK;
}

static int send_range(gs_push_pg_entity *pe, gs_push_split *split,
                      const gs_push_rows *rows, size_t from, size_t n,
                      int advance)
{
    int rc = GS_EHTTP;
    int committed = 0;

    for (int redo = 0; redo <= MAX_REDO; redo++) {
        rc = one_transaction(pe, split, rows, from, n, advance);
        if (rc == GS_ENOMEM)
            return gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE, "out of memory");
        if (rc == GS_OK)
            break;
        if (!gs__pg_lost(pe->pg) || redo == MAX_REDO ||
            gs__pg_deadline_hit(pe->pg))
            break;
        if (mend(&committed, pe, rows, from, n, advance) != GS_OK)
            return stop_with(split, GS_EHTTP, "08006", "%.390s%s",
                             gs_error_last()->message, "");
        if (committed) {
            rc = GS_OK;
            break;
        }
    }
    if (rc == GS_OK) {
        if (n > split->largest_landed)
            split->largest_landed = n;
        split->timeout_streak = 0;
        return GS_OK;
    }
    if (gs__pg_deadline_hit(pe->pg))
        return stop_with(split, GS_EHTTP, "57014",
                         "PostgreSQL at %.100s: statement %.150s; nothing "
                         "of this batch committed",
                         gs__pg_where(pe->pg), pe->message);
    if (strcmp(pe->sqlstate, "57014") == 0) {
        if (n > 1) {
            gs__push_split_shrink(split, n);
            if (split->timeout_streak < GS_PUSH_MAX_HALVINGS)
                return resend_fewer(pe, split, rows, from, n, advance);
        }
        memset(&split->stop, 0, sizeof split->stop);
        split->stop.verdict = GS_PUSH_TIMEOUT;
        split->stop.code = GS_EHTTP;
        snprintf(split->stop.pg_code, sizeof split->stop.pg_code, "57014");
        snprintf(split->stop.message, sizeof split->stop.message,
                 "PostgreSQL at %s: statement timeout (57014) %d time(s) in "
                 "a row; the next run starts at %zu row(s) a batch",
                 gs__pg_where(pe->pg), split->timeout_streak,
                 split->rows_cap ? split->rows_cap : 1);
        return GS_EHTTP;
    }
    if (gs__pg_lost(pe->pg))
        return stop_with(split, GS_EHTTP, "08006",
                         "PostgreSQL at %.120s: connection lost (%.200s)",
                         gs__pg_where(pe->pg), pe->message);
    if (strcmp(pe->sqlstate, "42P01") == 0)
        return stop_with(split, GS_ENOTFOUND, pe->sqlstate, "%.390s%s",
                         pe->message, "");
    return stop_with(split,
                     schema_error(pe->sqlstate) ? GS_ECONFLICT : GS_EHTTP,
                     pe->sqlstate, "%.390s%s", pe->message, "");
}

int gs__push_pg_send(gs_push_pg_entity *pe, gs_push_split *split,
                     const gs_push_rows *rows, size_t from, size_t n,
                     int advance)
{
    int rc;

    if (n == 0)
        return GS_OK;
    split->rows = rows;
    if ((rc = prepare(pe, split, &rows->row[from])) != GS_OK)
        return rc == GS_ENOMEM ? gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE,
                                              "out of memory")
                               : rc;
    return send_range(pe, split, rows, from, n, advance);
}

/* ---- a first push streamed (push_pg_stream.c) --------------------------- */

int gs__push_pg_stream_begin(gs_push_pg_entity *pe, gs_push_split *split,
                             const gs_push_rows *first)
{
    PGresult *res = NULL;
    int rc;

    split->rows = first;
    if ((rc = prepare(pe, split, &first->row[0])) != GS_OK)
        return rc;
    split->requests++;
    /* BEGIN and COPY straight into the table, as copy_direct() does; the
     * savepoint is unused here (any refusal rolls the stream back). */
    rc = gs__pg_exec(&res, pe->pg, pe->begin_copy_sql.data, 0, NULL,
                     PGRES_COPY_IN, pe->sqlstate, pe->message,
                     sizeof pe->message);
    PQclear(res);
    gs_buf_reset(&pe->line);
    return rc;
}

int gs__push_pg_stream_put(gs_push_pg_entity *pe, const gs_push_rows *rows)
{
    return copy_put(pe, 0, 0, rows, 0, rows->count);
}

int gs__push_pg_stream_end(int *committed, gs_push_pg_entity *pe, int rc,
                           long long seq)
{
    char seq_text[24];
    const char *params[3] = {pe->entity->name, pe->cache_key, seq_text};
    long long target_seq = 0;

    *committed = 0;
    rc = copy_end(pe, rc);
    if (rc == GS_OK) {
        snprintf(seq_text, sizeof seq_text, "%lld", seq);
        rc = gs__pg_exec_commit(pe->pg, checkpoint_set_sql, 3, params,
                                pe->sqlstate, pe->message, sizeof pe->message);
    }
    if (rc == GS_OK) {
        *committed = 1;
        return GS_OK;
    }
    if (strcmp(pe->sqlstate, "23505") == 0)
        pe->merge_only = 1; /* rows of ours are there: merge from now on */
    if (!gs__pg_lost(pe->pg)) {
        char state[6], message[100];
        (void)gs__pg_exec(NULL, pe->pg, "ROLLBACK", 0, NULL, PGRES_COMMAND_OK,
                          state, message, sizeof message);
        return rc == GS_ENOMEM ? GS_ENOMEM : GS_OK;
    }
    /* Lost: whether the commit went through is in the target's checkpoint
     * (the only writer of this entity's row past the one we read). */
    if (gs__pg_deadline_hit(pe->pg) || gs__pg_reconnect(pe->pg) != GS_OK ||
        gs__push_pg_checkpoint(&target_seq, pe) != GS_OK)
        return GS_OK; /* the batches' path meets the loss and names it */
    *committed = target_seq >= seq;
    return GS_OK;
}

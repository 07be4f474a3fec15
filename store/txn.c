/* Transactions and the file-wide change counter.
 *
 * BEGIN IMMEDIATE takes the write lock at the start. A deferred BEGIN would
 * read first and upgrade to a writer at the first write; in WAL mode, when
 * another connection committed in between, that upgrade fails with
 * SQLITE_BUSY_SNAPSHOT at once, which the busy timeout cannot cure. Taking
 * the lock first means waiting (busy timeout) instead of failing.
 *
 * The counter is read once at BEGIN (after the lock, so it is the latest),
 * handed out from memory by upserts and sweeps, and written back just before
 * COMMIT: one counter write per transaction instead of one per changed row.
 * A rollback simply forgets the in-memory value. */
#include "internal.h"

static const char seq_load_sql[] =
    "SELECT value FROM counters WHERE name = 'change_seq'";
static const char seq_save_sql[] =
    "UPDATE counters SET value = ?1 WHERE name = 'change_seq'";
static const char scope_load_sql[] = "SELECT entity FROM sweep_scope";

static int load_seq(gs_store *store)
{
    sqlite3_stmt *stmt;
    int rc = gs__store_stmt(&stmt, store, GS_STMT_SEQ_LOAD, seq_load_sql);

    if (rc != GS_OK)
        return rc;
    rc = sqlite3_step(stmt);
    store->seq = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_reset(stmt);
    if (rc != SQLITE_ROW)
        return gs__store_sql_error(store, rc, "reading the change counter");
    store->seq_dirty = 0;
    return GS_OK;
}

static int load_scopes(gs_store *store)
{
    sqlite3_stmt *stmt;
    int rc = gs__store_stmt(&stmt, store, GS_STMT_SCOPE_LOAD, scope_load_sql);

    if (rc != GS_OK)
        return rc;
    for (int e = 0; e < GS_ENTITY_COUNT; e++)
        store->sweep_open[e] = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const gs_entity *entity =
            gs_entity_find((const char *)sqlite3_column_text(stmt, 0));
        if (entity)
            store->sweep_open[entity->id] = 1;
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE)
        return gs__store_sql_error(store, rc, "reading sweep_scope");
    return GS_OK;
}

static int save_seq(gs_store *store)
{
    sqlite3_stmt *stmt;
    int rc;

    if (!store->seq_dirty)
        return GS_OK;
    if ((rc = gs__store_stmt(&stmt, store, GS_STMT_SEQ_SAVE, seq_save_sql)))
        return rc;
    sqlite3_bind_int64(stmt, 1, store->seq);
    if ((rc = gs__store_step_done(store, stmt, "saving the change counter")))
        return rc;
    store->seq_dirty = 0;
    return GS_OK;
}

int gs_store_begin(gs_store *store)
{
    int rc;

    if (!store)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "cache: no store");
    if (store->in_txn)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE,
                            "cache: a transaction is already open");
    if (store->read_only)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE,
                            "cache: opened read-only");
    rc = sqlite3_exec(store->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return gs__store_sql_error(store, rc, "BEGIN");
    store->in_txn = 1;
    if ((rc = load_seq(store)) != GS_OK || (rc = load_scopes(store)) != GS_OK)
        gs_store_rollback(store);
    return rc;
}

int gs_store_commit(gs_store *store)
{
    int rc;

    if (!store || !store->in_txn)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE,
                            "cache: commit without a transaction");
    if ((rc = save_seq(store)) != GS_OK) {
        gs_store_rollback(store);
        return rc;
    }
    rc = sqlite3_exec(store->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int code = gs__store_sql_error(store, rc, "COMMIT");
        gs_store_rollback(store);
        return code;
    }
    store->in_txn = 0;
    return GS_OK;
}

int gs_store_rollback(gs_store *store)
{
    int rc;

    if (!store || !store->in_txn)
        return GS_OK;
    store->in_txn = 0;
    store->seq_dirty = 0;
    rc = sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    if (rc != SQLITE_OK && !sqlite3_get_autocommit(store->db))
        return gs__store_sql_error(store, rc, "ROLLBACK");
    return GS_OK;
}

int gs__store_txn_enter(int *opened, gs_store *store)
{
    *opened = 0;
    if (store->in_txn)
        return GS_OK;
    int rc = gs_store_begin(store);
    if (rc == GS_OK)
        *opened = 1;
    return rc;
}

int gs__store_txn_leave(gs_store *store, int opened, int rc)
{
    if (!opened)
        return rc;
    if (rc == GS_OK)
        return gs_store_commit(store);
    gs_store_rollback(store);
    return rc;
}

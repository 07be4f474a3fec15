/* Marking rows deleted that upstream stopped returning (the appointments
 * window). gs_store_seen_reset() opens a sweep for an entity: from then on
 * its upserts record their ids in sweep_seen (entities never swept pay
 * nothing). gs_store_sweep_unseen() marks the live rows of a range that were
 * not seen, and closes the sweep. Both tables are regular ones, so a pull
 * killed mid-window and resumed by a new process still knows what its first
 * pages saw; the caller resets only when it starts the window afresh, not when
 * it resumes. */
#include <string.h>

#include "internal.h"

static int exec_entity(gs_store *store, const char *sql,
                       const gs_entity *entity, const char *now)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL);

    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, entity->name, -1, SQLITE_STATIC);
        if (sqlite3_bind_parameter_count(stmt) >= 2)
            gs__store_bind_text_or_null(stmt, 2, now);
        rc = sqlite3_step(stmt);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return gs__store_sql_error(store, rc, "resetting the seen ids");
    return GS_OK;
}

int gs_store_seen_reset(gs_store *store, const gs_entity *entity)
{
    int opened, rc;

    if ((rc = gs__store_check_entity(store, entity)) != GS_OK)
        return rc;
    if ((rc = gs__store_txn_enter(&opened, store)) != GS_OK)
        return rc;
    rc = exec_entity(store, "DELETE FROM sweep_seen WHERE entity = ?1", entity,
                     NULL);
    if (rc == GS_OK)
        rc = exec_entity(store,
                         "INSERT INTO sweep_scope (entity, reset_at) "
                         "VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) "
                         "ON CONFLICT (entity) DO UPDATE SET "
                         "reset_at = excluded.reset_at",
                         entity, NULL);
    if (rc == GS_OK)
        store->sweep_open[entity->id] = 1;
    else
        gs_error_wrap("%s", entity->name);
    return gs__store_txn_leave(store, opened, rc);
}

/* A sweep ends the scope its reset opened: later upserts stop recording
 * ids, so an entity pays for seen ids only between a reset and its sweep. */
static int close_scope(gs_store *store, const gs_entity *entity)
{
    int rc = exec_entity(store, "DELETE FROM sweep_seen WHERE entity = ?1",
                         entity, NULL);

    if (rc == GS_OK)
        rc = exec_entity(store, "DELETE FROM sweep_scope WHERE entity = ?1",
                         entity, NULL);
    if (rc == GS_OK)
        store->sweep_open[entity->id] = 0;
    return rc;
}

int gs__store_column_known(const gs_entity *entity, const char *column)
{
    for (size_t i = 0; i < entity->n_columns; i++)
        if (strcmp(entity->columns[i].name, column) == 0)
            return 1;
    return 0;
}

int gs__store_check_column(const gs_store *store, const gs_entity *entity,
                           const char *column)
{
    int rc = gs__store_check_entity(store, entity);

    if (rc != GS_OK)
        return rc;
    if (!column || !gs__store_column_known(entity, column))
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "%s: no column %s",
                            entity->name, column ? column : "(none)");
    return GS_OK;
}

/* Each swept row gets its own new change_seq (base + its rank), so a push
 * batch boundary can never fall between rows sharing one seq. */
static int build_sweep(gs_buf *sql, const gs_entity *entity, const char *column,
                       const char *from, const char *to)
{
    int rc = gs_buf_printf(
        sql,
        "UPDATE \"%s\" AS t SET deleted_at = ?2, change_seq = ?3 + r.n "
        "FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM \"%s\" "
        "WHERE deleted_at IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM sweep_seen AS s WHERE s.entity = ?1 AND s.id = "
        "\"%s\".id)",
        entity->cache_table, entity->cache_table, entity->cache_table);

    if (rc == GS_OK && column && from)
        rc = gs_buf_printf(sql, " AND \"%s\" >= ?4", column);
    if (rc == GS_OK && column && to)
        rc = gs_buf_printf(sql, " AND \"%s\" < ?5", column);
    if (rc == GS_OK)
        rc = gs_buf_puts(sql, ") AS r WHERE t.id = r.id");
    return rc;
}

static int sweep(long long *deleted, gs_store *store, const gs_entity *entity,
                 const char *column, const char *from, const char *to,
                 const char *now)
{
    gs_buf sql = GS_BUF_INIT;
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (build_sweep(&sql, entity, column, from, to) != GS_OK) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        goto done;
    }
    rc = sqlite3_prepare_v2(store->db, sql.data, -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, entity->name, -1, SQLITE_STATIC);
        gs__store_bind_text_or_null(stmt, 2, now);
        sqlite3_bind_int64(stmt, 3, store->seq);
        if (column && from)
            sqlite3_bind_text(stmt, 4, from, -1, SQLITE_STATIC);
        if (column && to)
            sqlite3_bind_text(stmt, 5, to, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt);
    }
    if (rc != SQLITE_DONE) {
        rc = gs__store_sql_error(store, rc, "sweeping unseen rows");
        goto done;
    }
    rc = GS_OK;
    *deleted = sqlite3_changes(store->db);
    if (*deleted > 0) {
        store->seq += *deleted;
        store->seq_dirty = 1;
    }
done:
    sqlite3_finalize(stmt);
    gs_buf_free(&sql);
    return rc;
}

int gs_store_sweep_unseen(long long *deleted, gs_store *store,
                          const gs_entity *entity, const char *column,
                          const char *from, const char *to, const char *now)
{
    int opened, rc;

    *deleted = 0;
    if ((rc = gs__store_check_entity(store, entity)) != GS_OK)
        return rc;
    /* The column is spliced into SQL, so it must be one of the mapping's. */
    if (column && !gs__store_column_known(entity, column))
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE,
                            "%s: no column %s to sweep on", entity->name,
                            column);
    if ((rc = gs__store_txn_enter(&opened, store)) != GS_OK)
        return rc;
    if (!store->sweep_open[entity->id]) {
        /* Without a reset every row would count as unseen: refuse rather
         * than delete the table. */
        rc = gs_error_set(GS_EINVAL, GS_ECLASS_STORE,
                          "%s: sweep without gs_store_seen_reset()",
                          entity->name);
    } else if ((rc = sweep(deleted, store, entity, column, from, to, now)) ||
               (rc = close_scope(store, entity))) {
        gs_error_wrap("%s", entity->name);
    }
    return gs__store_txn_leave(store, opened, rc);
}

int gs_store_seen_stop(gs_store *store, const gs_entity *entity)
{
    int opened, rc;

    if ((rc = gs__store_check_entity(store, entity)) != GS_OK)
        return rc;
    /* sweep_open is read from sweep_scope at BEGIN: before the first
     * transaction of a process it says nothing about a scope an earlier,
     * killed process left open, which is the case this is for. */
    if ((rc = gs__store_txn_enter(&opened, store)) != GS_OK)
        return rc;
    if (store->sweep_open[entity->id])
        rc = close_scope(store, entity);
    return gs__store_txn_leave(store, opened, rc);
}

/* A contact belongs to one client, which lists them all: the rows it no
 * longer lists (deleted upstream, or moved to another client) are no longer
 * mirrored upstream and are marked deleted, each with a new change_seq. */
int gs_store_retire_others(long long *retired, gs_store *store,
                           const gs_entity *entity, const char *column,
                           const char *value, const char *keep_ids,
                           const char *now)
{
    gs_buf sql = GS_BUF_INIT;
    sqlite3_stmt *stmt = NULL;
    int opened = 0, rc;

    *retired = 0;
    if ((rc = gs__store_check_entity(store, entity)) != GS_OK)
        return rc;
    if (!column || !gs__store_column_known(entity, column) || !value)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE,
                            "%s: cannot retire rows by %s", entity->name,
                            column ? column : "(none)");
    if ((rc = gs__store_txn_enter(&opened, store)) != GS_OK)
        return rc;
    if (gs_buf_printf(&sql,
                      "UPDATE \"%s\" AS t SET deleted_at = ?2, "
                      "change_seq = ?3 + r.n FROM (SELECT id, row_number() "
                      "OVER (ORDER BY id) AS n FROM \"%s\" WHERE deleted_at "
                      "IS NULL AND \"%s\" = ?1 AND id NOT IN (SELECT value "
                      "FROM json_each(coalesce(?4, '[]')))) AS r "
                      "WHERE t.id = r.id",
                      entity->cache_table, entity->cache_table,
                      column) != GS_OK) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        goto done;
    }
    rc = sqlite3_prepare_v2(store->db, sql.data, -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, value, -1, SQLITE_STATIC);
        gs__store_bind_text_or_null(stmt, 2, now);
        sqlite3_bind_int64(stmt, 3, store->seq);
        gs__store_bind_text_or_null(stmt, 4, keep_ids);
        rc = sqlite3_step(stmt);
    }
    if (rc != SQLITE_DONE) {
        rc = gs__store_sql_error(store, rc, "retiring replaced rows");
        goto done;
    }
    rc = GS_OK;
    *retired = sqlite3_changes(store->db);
    if (*retired > 0) {
        store->seq += *retired;
        store->seq_dirty = 1;
    }
done:
    sqlite3_finalize(stmt);
    gs_buf_free(&sql);
    return gs__store_txn_leave(store, opened, rc);
}

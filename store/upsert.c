/* The hot path of a pull: one Gazelle node -> one cache row.
 *
 * Per node: one canonical dump (compact, keys sorted; canon.c) that is both
 * `raw` and the input of row_hash, so a node whose keys arrive in another order
 * is not a change; one FNV-1a pass over it; one step of a cached INSERT .. ON
 * CONFLICT .. DO UPDATE .. WHERE row_hash differs. An unchanged row is a
 * lookup in the primary-key index and nothing else. Strings are bound
 * without copies (SQLITE_STATIC: the node and the dump outlive the step) and
 * with explicit lengths, because jansson accepts "\u0000" inside strings. */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "internal.h"

static const char seen_add_sql[] =
    "INSERT OR IGNORE INTO sweep_seen (entity, id, row_hash) "
    "VALUES (?1, ?2, ?3)";
static const char seen_hash_sql[] =
    "SELECT row_hash FROM sweep_seen WHERE entity = ?1 AND id = ?2";

/* Binds @value to parameter @idx as @type wants; a value of another JSON
 * type binds NULL (raw keeps the truth). */
static int bind_value(gs_store *store, sqlite3_stmt *stmt, int idx,
                      gs_col_type type, json_t *value)
{
    switch (type) {
    case GS_COL_TEXT:
    case GS_COL_TIMESTAMP:
    case GS_COL_DATE:
        if (json_is_string(value))
            return sqlite3_bind_text(stmt, idx, json_string_value(value),
                                     (int)json_string_length(value),
                                     SQLITE_STATIC);
        break;
    case GS_COL_INT:
        if (json_is_integer(value))
            return sqlite3_bind_int64(stmt, idx, json_integer_value(value));
        break;
    case GS_COL_BOOL:
        if (json_is_boolean(value))
            return sqlite3_bind_int(stmt, idx, json_is_true(value));
        break;
    case GS_COL_JSON:
        if (value && !json_is_null(value)) {
            if (gs__store_canonical(&store->scratch, value) != GS_OK)
                return SQLITE_NOMEM;
            return sqlite3_bind_text(stmt, idx, store->scratch.data,
                                     (int)store->scratch.len, SQLITE_TRANSIENT);
        }
        break;
    }
    return sqlite3_bind_null(stmt, idx);
}

static int bind_columns(gs_store *store, sqlite3_stmt *stmt,
                        const gs_entity *entity, json_t *node)
{
    const gs_path *paths = store->ent[entity->id].paths;

    for (size_t i = 0; i < entity->n_columns; i++) {
        int owned, rc;
        json_t *value = gs__path_get(&owned, node, &paths[i]);

        rc =
            bind_value(store, stmt, (int)i + 1, entity->columns[i].type, value);
        if (owned)
            json_decref(value);
        if (rc != SQLITE_OK)
            return gs__store_sql_error(store, rc, "binding a column");
    }
    return GS_OK;
}

/* Records @id as seen by the open sweep, with the hash just written. An id
 * already there (the same id twice in one read) is compared: the caller
 * learns from last_repeat whether the content differed. The common case
 * stays one insert; the lookup runs only for a repeat. */
static int record_seen(gs_store *store, const gs_entity *entity, json_t *id)
{
    sqlite3_stmt *stmt;
    int rc = gs__store_stmt(&stmt, store, GS_STMT_SEEN_ADD, seen_add_sql);

    if (rc != GS_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, entity->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, json_string_value(id),
                      (int)json_string_length(id), SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, (sqlite3_int64)store->last_hash);
    rc = gs__store_step_done(store, stmt, "recording a seen id");
    store->last_repeat = 0;
    if (rc != GS_OK || sqlite3_changes(store->db) > 0)
        return rc;
    rc = gs__store_stmt(&stmt, store, GS_STMT_SEEN_HASH, seen_hash_sql);
    if (rc != GS_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, entity->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, json_string_value(id),
                      (int)json_string_length(id), SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    store->last_repeat =
        rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL &&
                (uint64_t)sqlite3_column_int64(stmt, 0) != store->last_hash
            ? 2
            : 1;
    sqlite3_reset(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return gs__store_sql_error(store, rc, "reading a seen id");
    return GS_OK;
}

static int write_row(int *changed, gs_store *store, const gs_entity *entity,
                     json_t *node, const char *now)
{
    size_t n = entity->n_columns;
    sqlite3_stmt *stmt;
    uint64_t hash;
    int rc;

    if ((rc = gs__store_entity_stmt(&stmt, store, entity, GS_ESTMT_UPSERT)))
        return rc;
    if ((rc = gs__store_canonical(&store->canon, node)) != GS_OK)
        return rc;
    hash = gs_hash_fnv1a(store->canon.data, store->canon.len);
    store->last_hash = hash;
    if ((rc = bind_columns(store, stmt, entity, node)) != GS_OK)
        goto done;
    sqlite3_bind_int64(stmt, (int)n + 1, (sqlite3_int64)hash);
    sqlite3_bind_int64(stmt, (int)n + 2, store->seq + 1);
    if (now)
        sqlite3_bind_text(stmt, (int)n + 3, now, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, (int)n + 3);
    sqlite3_bind_text(stmt, (int)n + 4, store->canon.data,
                      (int)store->canon.len, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) {
        rc = gs__store_sql_error(store, rc, "upsert");
        goto done;
    }
    rc = GS_OK;
    /* 1 when inserted or updated, 0 when the WHERE kept the row as is. */
    *changed = sqlite3_changes(store->db) > 0;
    if (*changed) {
        store->seq++;
        store->seq_dirty = 1;
    }
done:
    sqlite3_reset(stmt);
    return rc;
}

int gs_store_upsert(int *changed, gs_store *store, const gs_entity *entity,
                    json_t *node, const char *now)
{
    json_t *id;
    int opened = 0, rc, was_changed = 0;

    if (changed)
        *changed = 0;
    if ((rc = gs__store_check_entity(store, entity)) != GS_OK)
        return rc;
    id = json_is_object(node) ? json_object_get(node, "id") : NULL;
    if (!json_is_string(id) || json_string_length(id) == 0)
        return gs_error_set(GS_EINVAL, GS_ECLASS_DATA,
                            "%s: node without a string id", entity->name);
    if ((rc = gs__store_txn_enter(&opened, store)) != GS_OK)
        return rc;
    store->last_repeat = -1;
    rc = write_row(&was_changed, store, entity, node, now);
    if (rc == GS_OK && store->sweep_open[entity->id])
        rc = record_seen(store, entity, id);
    if (rc != GS_OK)
        gs_error_wrap("%s id %.200s", entity->name, json_string_value(id));
    rc = gs__store_txn_leave(store, opened, rc);
    if (rc == GS_OK && changed)
        *changed = was_changed;
    return rc;
}

int gs_store_count(long long *rows, gs_store *store, const gs_entity *entity)
{
    /* count(*) minus the deleted rows: both come from indexes (the partial
     * <table>_deleted index), never from a scan of the big rows. */
    gs_buf sql = GS_BUF_INIT;
    sqlite3_stmt *stmt = NULL;
    int rc;

    *rows = 0;
    if ((rc = gs__store_check_entity(store, entity)) != GS_OK)
        return rc;
    if (gs_buf_printf(&sql,
                      "SELECT (SELECT count(*) FROM \"%s\") - (SELECT "
                      "count(*) FROM \"%s\" WHERE deleted_at IS NOT NULL)",
                      entity->cache_table, entity->cache_table) != GS_OK) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        goto done;
    }
    rc = sqlite3_prepare_v2(store->db, sql.data, -1, &stmt, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        *rows = sqlite3_column_int64(stmt, 0);
        rc = GS_OK;
    } else {
        rc = gs__store_sql_error(store, rc, "counting rows");
        gs_error_wrap("%s", entity->name);
    }
done:
    sqlite3_finalize(stmt);
    gs_buf_free(&sql);
    return rc;
}

int gs_store_exists(int *exists, gs_store *store, const gs_entity *entity,
                    const char *id)
{
    sqlite3_stmt *stmt;
    int rc;

    *exists = 0;
    if ((rc = gs__store_check_entity(store, entity)) != GS_OK)
        return rc;
    if (!id)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "%s: no id",
                            entity->name);
    if ((rc = gs__store_entity_stmt(&stmt, store, entity, GS_ESTMT_EXISTS)))
        return rc;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *exists = sqlite3_column_int(stmt, 0) ? 1 : 2;
    sqlite3_reset(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return gs__store_sql_error(store, rc, "looking up an id");
    return GS_OK;
}

int gs_store_max_text(char **value, gs_store *store, const gs_entity *entity,
                      const char *column)
{
    gs_buf sql = GS_BUF_INIT;
    sqlite3_stmt *stmt = NULL;
    int rc;

    *value = NULL;
    if ((rc = gs__store_check_column(store, entity, column)) != GS_OK)
        return rc;
    if (gs_buf_printf(&sql,
                      "SELECT max(\"%s\") FROM \"%s\" WHERE deleted_at IS "
                      "NULL",
                      column, entity->cache_table) != GS_OK) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        goto done;
    }
    rc = sqlite3_prepare_v2(store->db, sql.data, -1, &stmt, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        rc = GS_OK;
        if (sqlite3_column_type(stmt, 0) != SQLITE_NULL &&
            !(*value = strdup((const char *)sqlite3_column_text(stmt, 0))))
            rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    } else {
        rc = gs__store_sql_error(store, rc, "reading the newest value");
        gs_error_wrap("%s.%s", entity->name, column);
    }
done:
    sqlite3_finalize(stmt);
    gs_buf_free(&sql);
    return rc;
}

uint64_t gs_store_last_hash(const gs_store *store)
{
    return store ? store->last_hash : 0;
}

int gs_store_last_repeat(const gs_store *store)
{
    return store ? store->last_repeat : -1;
}

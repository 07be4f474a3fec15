/* Per-entity pull metadata (sync_state) and the meta key/value table.
 * Empty strings are stored as NULL, so the sqlite3 shell shows blanks and
 * `WHERE high_water IS NULL` means "never". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char state_get_sql[] =
    "SELECT policy, last_attempt, last_success, high_water, "
    "pending_high_water, resume_cursor, status, last_error, decision, rows, "
    "calls_last, calls_total FROM sync_state WHERE entity = ?1";

static const char state_put_sql[] =
    "INSERT INTO sync_state (entity, policy, last_attempt, last_success, "
    "high_water, pending_high_water, resume_cursor, status, last_error, "
    "decision, rows, calls_last, calls_total) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
    "ON CONFLICT (entity) DO UPDATE SET policy = excluded.policy, "
    "last_attempt = excluded.last_attempt, "
    "last_success = excluded.last_success, "
    "high_water = excluded.high_water, "
    "pending_high_water = excluded.pending_high_water, "
    "resume_cursor = excluded.resume_cursor, status = excluded.status, "
    "last_error = excluded.last_error, decision = excluded.decision, "
    "rows = excluded.rows, calls_last = excluded.calls_last, "
    "calls_total = excluded.calls_total";

static const char meta_get_sql[] = "SELECT value FROM meta WHERE key = ?1";
static const char meta_set_sql[] =
    "INSERT INTO meta (key, value) VALUES (?1, ?2) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";

/* Copies column @col into @dst, truncating to @size (fields are bounded in
 * gs_sync_state; values written by gazsync fit). */
static void copy_col(char *dst, size_t size, sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);

    snprintf(dst, size, "%s", text ? (const char *)text : "");
}

int gs_store_state_get(gs_sync_state *out, gs_store *store,
                       const gs_entity *entity)
{
    sqlite3_stmt *stmt;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = gs__store_check_entity(store, entity)) != GS_OK)
        return rc;
    if ((rc = gs__store_stmt(&stmt, store, GS_STMT_STATE_GET, state_get_sql)))
        return rc;
    sqlite3_bind_text(stmt, 1, entity->name, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        copy_col(out->policy, sizeof out->policy, stmt, 0);
        copy_col(out->last_attempt, sizeof out->last_attempt, stmt, 1);
        copy_col(out->last_success, sizeof out->last_success, stmt, 2);
        copy_col(out->high_water, sizeof out->high_water, stmt, 3);
        copy_col(out->pending_high_water, sizeof out->pending_high_water, stmt,
                 4);
        copy_col(out->resume_cursor, sizeof out->resume_cursor, stmt, 5);
        copy_col(out->status, sizeof out->status, stmt, 6);
        copy_col(out->last_error, sizeof out->last_error, stmt, 7);
        copy_col(out->decision, sizeof out->decision, stmt, 8);
        out->rows = sqlite3_column_int64(stmt, 9);
        out->calls_last = sqlite3_column_int64(stmt, 10);
        out->calls_total = sqlite3_column_int64(stmt, 11);
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        gs__store_sql_error(store, rc, "reading sync_state");
        return gs_error_wrap("%s", entity->name);
    }
    return GS_OK;
}

int gs_store_state_put(gs_store *store, const gs_entity *entity,
                       const gs_sync_state *s)
{
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = gs__store_check_entity(store, entity)) != GS_OK)
        return rc;
    if (!s)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "%s: no state",
                            entity->name);
    if ((rc = gs__store_stmt(&stmt, store, GS_STMT_STATE_PUT, state_put_sql)))
        return rc;
    sqlite3_bind_text(stmt, 1, entity->name, -1, SQLITE_STATIC);
    gs__store_bind_text_or_null(stmt, 2, s->policy);
    gs__store_bind_text_or_null(stmt, 3, s->last_attempt);
    gs__store_bind_text_or_null(stmt, 4, s->last_success);
    gs__store_bind_text_or_null(stmt, 5, s->high_water);
    gs__store_bind_text_or_null(stmt, 6, s->pending_high_water);
    gs__store_bind_text_or_null(stmt, 7, s->resume_cursor);
    gs__store_bind_text_or_null(stmt, 8, s->status);
    gs__store_bind_text_or_null(stmt, 9, s->last_error);
    gs__store_bind_text_or_null(stmt, 10, s->decision);
    sqlite3_bind_int64(stmt, 11, s->rows);
    sqlite3_bind_int64(stmt, 12, s->calls_last);
    sqlite3_bind_int64(stmt, 13, s->calls_total);
    if ((rc = gs__store_step_done(store, stmt, "writing sync_state")))
        return gs_error_wrap("%s", entity->name);
    return GS_OK;
}

int gs_store_meta_get(char **value, gs_store *store, const char *key)
{
    sqlite3_stmt *stmt;
    int rc;

    *value = NULL;
    if (!store || !key)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "meta: no key");
    if ((rc = gs__store_stmt(&stmt, store, GS_STMT_META_GET, meta_get_sql)))
        return rc;
    sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
        const char *text = (const char *)sqlite3_column_text(stmt, 0);
        *value = text ? strdup(text) : NULL;
        if (!*value) {
            sqlite3_reset(stmt);
            return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        }
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return gs__store_sql_error(store, rc, "reading meta");
    return GS_OK;
}

int gs_store_meta_set(gs_store *store, const char *key, const char *value)
{
    sqlite3_stmt *stmt;
    int rc;

    if (!store || !key)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "meta: no key");
    if ((rc = gs__store_stmt(&stmt, store, GS_STMT_META_SET, meta_set_sql)))
        return rc;
    sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
    if (value)
        sqlite3_bind_text(stmt, 2, value, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, 2);
    /* The key, never the value, goes into an error: values are tokens. */
    if ((rc = gs__store_step_done(store, stmt, "writing meta")))
        return gs_error_wrap("meta key %s", key);
    return GS_OK;
}

/* Per entity and target: how far the push got (push_state), and the rows the
 * target refused (push_failures). */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char push_get_sql[] =
    "SELECT last_pushed_seq, rows_pushed, last_push FROM push_state "
    "WHERE entity = ?1 AND target = ?2";

/* max(): a late or repeated batch can never move the mark back, which would
 * resend rows (harmless) or, worse, hide a bug that skips them. */
static const char push_advance_sql[] =
    "INSERT INTO push_state (entity, target, last_pushed_seq, rows_pushed, "
    "last_push) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (entity, target) DO UPDATE SET "
    "last_pushed_seq = max(last_pushed_seq, excluded.last_pushed_seq), "
    "rows_pushed = rows_pushed + excluded.rows_pushed, "
    "last_push = excluded.last_push";

static const char fail_record_sql[] =
    "INSERT INTO push_failures (entity, target, id, http_status, code, "
    "message, attempts, first_failed_at, last_failed_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7) "
    "ON CONFLICT (entity, target, id) DO UPDATE SET "
    "http_status = excluded.http_status, code = excluded.code, "
    "message = excluded.message, attempts = attempts + 1, "
    "last_failed_at = excluded.last_failed_at";

static const char fail_clear_sql[] =
    "DELETE FROM push_failures WHERE entity = ?1 AND target = ?2 AND id = ?3";

static const char fail_ids_sql[] =
    "SELECT id FROM push_failures WHERE entity = ?1 AND target = ?2 "
    "ORDER BY first_failed_at, id";

static int check(gs_store *store, const gs_entity *entity, const char *target)
{
    int rc = gs__store_check_entity(store, entity);

    if (rc == GS_OK && (!target || !*target))
        rc = gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "%s: no push target",
                          entity->name);
    return rc;
}

static void bind_key(sqlite3_stmt *stmt, const gs_entity *entity,
                     const char *target)
{
    sqlite3_bind_text(stmt, 1, entity->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, target, -1, SQLITE_STATIC);
}

int gs_store_push_state_get(gs_push_state *out, gs_store *store,
                            const gs_entity *entity, const char *target)
{
    sqlite3_stmt *stmt;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = check(store, entity, target)) != GS_OK)
        return rc;
    if ((rc = gs__store_stmt(&stmt, store, GS_STMT_PUSH_GET, push_get_sql)))
        return rc;
    bind_key(stmt, entity, target);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const unsigned char *last = sqlite3_column_text(stmt, 2);

        out->last_pushed_seq = sqlite3_column_int64(stmt, 0);
        out->rows_pushed = sqlite3_column_int64(stmt, 1);
        snprintf(out->last_push, sizeof out->last_push, "%s",
                 last ? (const char *)last : "");
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        gs__store_sql_error(store, rc, "reading push_state");
        return gs_error_wrap("%s -> %s", entity->name, target);
    }
    return GS_OK;
}

int gs_store_push_advance(gs_store *store, const gs_entity *entity,
                          const char *target, long long seq, long long rows,
                          const char *now)
{
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = check(store, entity, target)) != GS_OK)
        return rc;
    if ((rc = gs__store_stmt(&stmt, store, GS_STMT_PUSH_ADVANCE,
                             push_advance_sql)))
        return rc;
    bind_key(stmt, entity, target);
    sqlite3_bind_int64(stmt, 3, seq);
    sqlite3_bind_int64(stmt, 4, rows);
    gs__store_bind_text_or_null(stmt, 5, now);
    if ((rc = gs__store_step_done(store, stmt, "advancing push_state")))
        return gs_error_wrap("%s -> %s", entity->name, target);
    return GS_OK;
}

int gs_store_failure_record(gs_store *store, const gs_entity *entity,
                            const char *target, const char *id,
                            long http_status, const char *code,
                            const char *message, const char *now)
{
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = check(store, entity, target)) != GS_OK)
        return rc;
    if (!id)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "%s: no id",
                            entity->name);
    if ((rc = gs__store_stmt(&stmt, store, GS_STMT_FAIL_RECORD,
                             fail_record_sql)))
        return rc;
    bind_key(stmt, entity, target);
    sqlite3_bind_text(stmt, 3, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 4, http_status);
    gs__store_bind_text_or_null(stmt, 5, code);
    gs__store_bind_text_or_null(stmt, 6, message);
    gs__store_bind_text_or_null(stmt, 7, now);
    if ((rc = gs__store_step_done(store, stmt, "recording a push failure")))
        return gs_error_wrap("%s id %s", entity->name, id);
    return GS_OK;
}

int gs_store_failure_clear(gs_store *store, const gs_entity *entity,
                           const char *target, const char *id)
{
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = check(store, entity, target)) != GS_OK)
        return rc;
    if (!id)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "%s: no id",
                            entity->name);
    if ((rc = gs__store_stmt(&stmt, store, GS_STMT_FAIL_CLEAR, fail_clear_sql)))
        return rc;
    bind_key(stmt, entity, target);
    sqlite3_bind_text(stmt, 3, id, -1, SQLITE_STATIC);
    if ((rc = gs__store_step_done(store, stmt, "clearing a push failure")))
        return gs_error_wrap("%s id %s", entity->name, id);
    return GS_OK;
}

int gs_store_failures_ids(json_t **ids, gs_store *store,
                          const gs_entity *entity, const char *target)
{
    sqlite3_stmt *stmt;
    json_t *list;
    int rc;

    *ids = NULL;
    if ((rc = check(store, entity, target)) != GS_OK)
        return rc;
    if ((rc = gs__store_stmt(&stmt, store, GS_STMT_FAIL_IDS, fail_ids_sql)))
        return rc;
    if (!(list = json_array()))
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    bind_key(stmt, entity, target);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        if (json_array_append_new(
                list, json_stringn((const char *)sqlite3_column_text(stmt, 0),
                                   (size_t)sqlite3_column_bytes(stmt, 0)))) {
            rc = SQLITE_NOMEM;
            break;
        }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) {
        json_decref(list);
        gs__store_sql_error(store, rc, "listing push failures");
        return gs_error_wrap("%s -> %s", entity->name, target);
    }
    *ids = list;
    return GS_OK;
}

/* `gazsync status --json`: the cache as people see it, one object per
 * entity (the same figures as the v_status view). */
#include <string.h>

#include "internal.h"

/* A single integer from @sql with @text bound to ?1 and @text2 to ?2 (when
 * not NULL). */
static int query_int(long long *out, gs_store *store, const char *sql,
                     const char *text, const char *text2)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL);

    *out = 0;
    if (rc == SQLITE_OK) {
        if (text)
            sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
        if (text2)
            sqlite3_bind_text(stmt, 2, text2, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt);
    }
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(stmt, 0);
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return gs__store_sql_error(store, rc, "status");
    return GS_OK;
}

static json_t *text_or_null(const char *s)
{
    return *s ? json_string(s) : json_null();
}

static int add_state(json_t *obj, gs_store *store, const gs_entity *entity,
                     const char *now)
{
    gs_sync_state st;
    long long age = 0;
    int rc = gs_store_state_get(&st, store, entity);

    if (rc != GS_OK)
        return rc;
    if (st.last_success[0] &&
        (rc = query_int(&age, store,
                        "SELECT CAST(round((julianday(coalesce(?2, 'now')) "
                        "- julianday(?1)) * 86400) AS INTEGER)",
                        st.last_success, now)) != GS_OK)
        return rc;
    json_object_set_new(obj, "policy", text_or_null(st.policy));
    json_object_set_new(obj, "status", text_or_null(st.status));
    json_object_set_new(obj, "last_attempt", text_or_null(st.last_attempt));
    json_object_set_new(obj, "last_success", text_or_null(st.last_success));
    json_object_set_new(obj, "age_s",
                        st.last_success[0] ? json_integer(age) : json_null());
    json_object_set_new(obj, "high_water", text_or_null(st.high_water));
    json_object_set_new(obj, "pending_high_water",
                        text_or_null(st.pending_high_water));
    json_object_set_new(obj, "resume_cursor", text_or_null(st.resume_cursor));
    json_object_set_new(obj, "decision", text_or_null(st.decision));
    json_object_set_new(obj, "last_error", text_or_null(st.last_error));
    json_object_set_new(obj, "rows_last_pull", json_integer(st.rows));
    json_object_set_new(obj, "calls_last", json_integer(st.calls_last));
    json_object_set_new(obj, "calls_total", json_integer(st.calls_total));
    return GS_OK;
}

static int add_target(json_t *push, gs_store *store, const gs_entity *entity,
                      const char *target)
{
    gs_push_state ps;
    long long pending, failures;
    json_t *obj;
    int rc;

    if ((rc = gs_store_push_state_get(&ps, store, entity, target)) ||
        (rc = gs_store_pending_count(&pending, store, entity,
                                     ps.last_pushed_seq)))
        return rc;
    rc = query_int(&failures, store,
                   "SELECT count(*) FROM push_failures WHERE entity = ?1 "
                   "AND target = ?2",
                   entity->name, target);
    if (rc != GS_OK)
        return rc;
    obj = json_pack("{s:I, s:I, s:o, s:I, s:I}", "last_pushed_seq",
                    (json_int_t)ps.last_pushed_seq, "rows_pushed",
                    (json_int_t)ps.rows_pushed, "last_push",
                    text_or_null(ps.last_push), "pending", (json_int_t)pending,
                    "failures", (json_int_t)failures);
    if (!obj || json_object_set_new(push, target, obj) != 0)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    return GS_OK;
}

/* One entity: rows, deleted, state, and per push target its backlog. The
 * targets are @target plus every target push_state knows. */
static int entity_status(json_t **out, gs_store *store, const gs_entity *entity,
                         const char *target, const char *now)
{
    json_t *obj = json_object(), *push = json_object();
    sqlite3_stmt *stmt = NULL;
    long long rows, deleted, max_seq;
    gs_buf sql = GS_BUF_INIT;
    int rc;

    *out = NULL;
    if (!obj || !push ||
        gs_buf_printf(&sql,
                      "SELECT count(*) FROM \"%s\" WHERE deleted_at IS NOT "
                      "NULL",
                      entity->cache_table) != GS_OK) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        goto done;
    }
    if ((rc = gs_store_count(&rows, store, entity)) ||
        (rc = query_int(&deleted, store, sql.data, NULL, NULL)))
        goto done;
    gs_buf_reset(&sql);
    gs_buf_printf(&sql, "SELECT coalesce(max(change_seq), 0) FROM \"%s\"",
                  entity->cache_table);
    if ((rc = query_int(&max_seq, store, sql.data, NULL, NULL)) ||
        (rc = add_state(obj, store, entity, now)))
        goto done;
    json_object_set_new(obj, "rows", json_integer(rows));
    json_object_set_new(obj, "deleted", json_integer(deleted));
    json_object_set_new(obj, "max_seq", json_integer(max_seq));
    if (target && (rc = add_target(push, store, entity, target)))
        goto done;
    rc = sqlite3_prepare_v2(store->db,
                            "SELECT DISTINCT target FROM push_state "
                            "WHERE entity = ?1 ORDER BY target",
                            -1, &stmt, NULL);
    if (rc != SQLITE_OK) {
        rc = gs__store_sql_error(store, rc, "status");
        goto done;
    }
    sqlite3_bind_text(stmt, 1, entity->name, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(stmt, 0);
        if (t && (!target || strcmp(t, target) != 0) &&
            (rc = add_target(push, store, entity, t)))
            goto done;
    }
    if (rc != SQLITE_DONE) {
        rc = gs__store_sql_error(store, rc, "status");
        goto done;
    }
    rc = GS_OK;
    if (target) {
        json_t *mine = json_object_get(push, target);
        json_object_set(obj, "pending", json_object_get(mine, "pending"));
        json_object_set(obj, "failures", json_object_get(mine, "failures"));
    }
    json_object_set(obj, "push", push);
    *out = obj;
    obj = NULL;
done:
    sqlite3_finalize(stmt);
    gs_buf_free(&sql);
    json_decref(push);
    json_decref(obj);
    if (rc != GS_OK)
        gs_error_wrap("%s", entity->name);
    return rc;
}

int gs_store_status(json_t **status, gs_store *store, const char *target)
{
    return gs_store_status_at(status, store, target, NULL);
}

int gs_store_status_at(json_t **status, gs_store *store, const char *target,
                       const char *now)
{
    json_t *all;
    int rc = GS_OK;

    *status = NULL;
    if (!store)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "cache: no store");
    if (target && !*target)
        target = NULL;
    if (!(all = json_object()))
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    for (int e = 0; e < GS_ENTITY_COUNT && rc == GS_OK; e++) {
        const gs_entity *entity = gs_entity_get(e);
        json_t *one;

        if ((rc = entity_status(&one, store, entity, target, now)) == GS_OK &&
            json_object_set_new(all, entity->name, one) != 0)
            rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    }
    if (rc != GS_OK) {
        json_decref(all);
        return rc;
    }
    *status = all;
    return GS_OK;
}

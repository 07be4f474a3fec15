/* The push backlog: rows with change_seq above a target's last pushed seq,
 * as JSON objects ready to become a PostgREST upsert body. */
#include "internal.h"

static json_t *text_json(sqlite3_stmt *stmt, int col)
{
    return json_stringn((const char *)sqlite3_column_text(stmt, col),
                        (size_t)sqlite3_column_bytes(stmt, col));
}

static json_t *parsed_json(sqlite3_stmt *stmt, int col)
{
    json_t *value = json_loadb((const char *)sqlite3_column_text(stmt, col),
                               (size_t)sqlite3_column_bytes(stmt, col),
                               JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);

    /* Written by upsert.c from a jansson dump, so it parses; if someone
     * edited it by hand, hand the text on rather than lose it. */
    return value ? value : text_json(stmt, col);
}

/* Column @col, typed as the mapping says. */
static json_t *column_value(sqlite3_stmt *stmt, int col, gs_col_type type)
{
    int sql_type = sqlite3_column_type(stmt, col);

    if (sql_type == SQLITE_NULL)
        return json_null();
    switch (type) {
    case GS_COL_INT:
        if (sql_type == SQLITE_INTEGER)
            return json_integer(sqlite3_column_int64(stmt, col));
        return json_null();
    case GS_COL_BOOL:
        if (sql_type == SQLITE_INTEGER)
            return json_boolean(sqlite3_column_int64(stmt, col) != 0);
        return json_null();
    case GS_COL_JSON:
        return parsed_json(stmt, col);
    default:
        return text_json(stmt, col);
    }
}

int gs__store_row_json(json_t *rows, sqlite3_stmt *stmt,
                       const gs_entity *entity)
{
    size_t n = entity->n_columns;
    json_t *row = json_object();
    int bad = !row || json_array_append_new(rows, row) != 0;

    for (size_t i = 0; i < n && !bad; i++)
        bad = json_object_set_new(
            row, entity->columns[i].name,
            column_value(stmt, (int)i, entity->columns[i].type));
    if (!bad)
        /* raw stays text: the pusher sends it as it is (push_batch.c). */
        bad = json_object_set_new(row, "raw", text_json(stmt, (int)n)) ||
              json_object_set_new(
                  row, "deleted_at",
                  column_value(stmt, (int)n + 1, GS_COL_TIMESTAMP)) ||
              json_object_set_new(
                  row, "change_seq",
                  json_integer(sqlite3_column_int64(stmt, (int)n + 2)));
    if (bad)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS,
                            "out of memory building a row");
    return GS_OK;
}

/* Steps @stmt, appending each row to @list. */
static int collect(json_t *list, gs_store *store, sqlite3_stmt *stmt,
                   const gs_entity *entity)
{
    int rc;

    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        if (gs__store_row_json(list, stmt, entity) != GS_OK) {
            sqlite3_reset(stmt);
            return GS_ENOMEM;
        }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE)
        return gs__store_sql_error(store, rc, "reading the backlog");
    return GS_OK;
}

int gs_store_pending(json_t **rows, gs_store *store, const gs_entity *entity,
                     long long after_seq, size_t limit)
{
    sqlite3_stmt *stmt;
    json_t *list = NULL;
    int rc;

    *rows = NULL;
    if ((rc = gs__store_check_entity(store, entity)) != GS_OK)
        return rc;
    if ((rc = gs__store_entity_stmt(&stmt, store, entity, GS_ESTMT_PENDING)))
        return rc;
    if (!(list = json_array()))
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    sqlite3_bind_int64(stmt, 1, after_seq);
    /* 0 or beyond SQLite's range: no limit. */
    sqlite3_bind_int64(
        stmt, 2,
        limit == 0 || limit > (size_t)INT64_MAX ? -1 : (sqlite3_int64)limit);
    if ((rc = collect(list, store, stmt, entity)) != GS_OK) {
        json_decref(list);
        return gs_error_wrap("%s", entity->name);
    }
    *rows = list;
    return GS_OK;
}

int gs_store_pending_count(long long *count, gs_store *store,
                           const gs_entity *entity, long long after_seq)
{
    sqlite3_stmt *stmt;
    int rc;

    *count = 0;
    if ((rc = gs__store_check_entity(store, entity)) != GS_OK)
        return rc;
    if ((rc = gs__store_entity_stmt(&stmt, store, entity,
                                    GS_ESTMT_PENDING_COUNT)))
        return rc;
    sqlite3_bind_int64(stmt, 1, after_seq);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *count = sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    if (rc != SQLITE_ROW) {
        gs__store_sql_error(store, rc, "counting the backlog");
        return gs_error_wrap("%s", entity->name);
    }
    return GS_OK;
}

int gs_store_rows_by_id(json_t **rows, gs_store *store, const gs_entity *entity,
                        json_t *ids)
{
    sqlite3_stmt *stmt;
    json_t *list = NULL, *id;
    size_t i;
    int rc;

    *rows = NULL;
    if ((rc = gs__store_check_entity(store, entity)) != GS_OK)
        return rc;
    if (!json_is_array(ids))
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE,
                            "%s: ids must be a JSON array", entity->name);
    if ((rc = gs__store_entity_stmt(&stmt, store, entity, GS_ESTMT_BY_ID)))
        return rc;
    if (!(list = json_array()))
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    /* One lookup per id, in the order given; unknown ids are skipped. */
    json_array_foreach(ids, i, id)
    {
        if (!json_is_string(id))
            continue;
        sqlite3_bind_text(stmt, 1, json_string_value(id),
                          (int)json_string_length(id), SQLITE_STATIC);
        if ((rc = collect(list, store, stmt, entity)) != GS_OK) {
            json_decref(list);
            return gs_error_wrap("%s", entity->name);
        }
    }
    *rows = list;
    return GS_OK;
}

/* The run log (sync_runs): one row per command, begun as "running" so that
 * a killed run is visible as such. */
#include <string.h>

#include "internal.h"

static const char run_begin_sql[] =
    "INSERT INTO sync_runs (command, status, started_at, finished_at, "
    "gazelle_requests, supabase_requests, rows_in, rows_changed, "
    "rows_pushed, stats, error) "
    "VALUES (?1, 'running', ?2, NULL, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

static const char run_finish_sql[] =
    "UPDATE sync_runs SET status = ?2, finished_at = ?3, "
    "gazelle_requests = ?4, supabase_requests = ?5, rows_in = ?6, "
    "rows_changed = ?7, rows_pushed = ?8, stats = coalesce(?9, stats), "
    "error = ?10 WHERE id = ?1";

static void bind_figures(sqlite3_stmt *stmt, int first,
                         const gs_run_record *run)
{
    sqlite3_bind_int64(stmt, first, run->gazelle_requests);
    sqlite3_bind_int64(stmt, first + 1, run->supabase_requests);
    sqlite3_bind_int64(stmt, first + 2, run->rows_in);
    sqlite3_bind_int64(stmt, first + 3, run->rows_changed);
    sqlite3_bind_int64(stmt, first + 4, run->rows_pushed);
    gs__store_bind_text_or_null(stmt, first + 5, run->stats_json);
    gs__store_bind_text_or_null(stmt, first + 6, run->error);
}

int gs_store_run_begin(long long *run_id, gs_store *store,
                       const gs_run_record *run)
{
    sqlite3_stmt *stmt;
    int rc;

    *run_id = 0;
    if (!store || !run || !run->command)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE,
                            "sync_runs: no command");
    if ((rc = gs__store_stmt(&stmt, store, GS_STMT_RUN_BEGIN, run_begin_sql)))
        return rc;
    sqlite3_bind_text(stmt, 1, run->command, -1, SQLITE_STATIC);
    gs__store_bind_text_or_null(stmt, 2, run->started_at);
    bind_figures(stmt, 3, run);
    if ((rc = gs__store_step_done(store, stmt, "starting a run")))
        return rc;
    *run_id = sqlite3_last_insert_rowid(store->db);
    return GS_OK;
}

int gs_store_run_finish(gs_store *store, long long run_id,
                        const gs_run_record *run)
{
    sqlite3_stmt *stmt;
    int rc;

    if (!store || !run)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "sync_runs: no run");
    if ((rc = gs__store_stmt(&stmt, store, GS_STMT_RUN_FINISH, run_finish_sql)))
        return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_text(stmt, 2, run->status ? run->status : "ok", -1,
                      SQLITE_STATIC);
    gs__store_bind_text_or_null(stmt, 3, run->finished_at);
    bind_figures(stmt, 4, run);
    if ((rc = gs__store_step_done(store, stmt, "finishing a run")))
        return rc;
    if (sqlite3_changes(store->db) == 0)
        return gs_error_set(GS_ENOTFOUND, GS_ECLASS_STORE,
                            "sync_runs: no run %lld", run_id);
    return GS_OK;
}

/* Column @col of @stmt as JSON: integers stay integers, NULL is null. */
static json_t *column_json(sqlite3_stmt *stmt, int col)
{
    switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
        return json_integer(sqlite3_column_int64(stmt, col));
    case SQLITE_FLOAT:
        return json_real(sqlite3_column_double(stmt, col));
    case SQLITE_NULL:
        return json_null();
    default:
        return json_stringn((const char *)sqlite3_column_text(stmt, col),
                            (size_t)sqlite3_column_bytes(stmt, col));
    }
}

int gs_store_runs_list(json_t **runs, gs_store *store, int limit)
{
    sqlite3_stmt *stmt = NULL;
    json_t *list = json_array();
    int rc;

    *runs = NULL;
    if (!store || !list) {
        json_decref(list);
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "sync_runs: no store");
    }
    rc = sqlite3_prepare_v2(store->db,
                            "SELECT * FROM sync_runs ORDER BY id DESC "
                            "LIMIT ?1",
                            -1, &stmt, NULL);
    if (rc != SQLITE_OK) {
        rc = gs__store_sql_error(store, rc, "listing runs");
        goto done;
    }
    sqlite3_bind_int(stmt, 1, limit > 0 ? limit : -1);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        json_t *row = json_object();
        int n = sqlite3_column_count(stmt);

        if (!row || json_array_append_new(list, row) != 0) {
            rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
            goto done;
        }
        for (int c = 0; c < n; c++) {
            const char *name = sqlite3_column_name(stmt, c);
            json_t *value = NULL;

            if (strcmp(name, "stats") == 0 &&
                sqlite3_column_type(stmt, c) == SQLITE_TEXT)
                value =
                    json_loadb((const char *)sqlite3_column_text(stmt, c),
                               (size_t)sqlite3_column_bytes(stmt, c), 0, NULL);
            if (!value)
                value = column_json(stmt, c);
            json_object_set_new(row, name, value);
        }
    }
    if (rc != SQLITE_DONE) {
        rc = gs__store_sql_error(store, rc, "listing runs");
        goto done;
    }
    rc = GS_OK;
    *runs = list;
    list = NULL;
done:
    sqlite3_finalize(stmt);
    json_decref(list);
    return rc;
}

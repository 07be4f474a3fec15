/* How the cache's rows are spread over the values of one column: the pull's
 * partitions (engine/pull/pull_ranges.c) are cut from it, with no request
 * to Gazelle (DESIGN.md: no network call to decide a network call). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int gs_store_count_by(json_t **counts, gs_store *store, const gs_entity *entity,
                      const char *column)
{
    gs_buf sql = GS_BUF_INIT;
    sqlite3_stmt *stmt = NULL;
    json_t *out = NULL;
    int rc;

    *counts = NULL;
    if ((rc = gs__store_check_column(store, entity, column)) != GS_OK)
        return rc;
    if (gs_buf_printf(&sql,
                      "SELECT \"%s\", count(*) FROM \"%s\" WHERE deleted_at "
                      "IS NULL AND \"%s\" IS NOT NULL GROUP BY 1 ORDER BY 1",
                      column, entity->cache_table, column) != GS_OK ||
        !(out = json_array())) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        goto done;
    }
    rc = sqlite3_prepare_v2(store->db, sql.data, -1, &stmt, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        json_t *pair =
            json_pack("[s,I]", (const char *)sqlite3_column_text(stmt, 0),
                      (json_int_t)sqlite3_column_int64(stmt, 1));

        rc = pair && json_array_append_new(out, pair) == 0 ? SQLITE_OK
                                                           : SQLITE_NOMEM;
    }
    if (rc != SQLITE_DONE) {
        rc = gs__store_sql_error(store, rc, "counting rows by value");
        gs_error_wrap("%s.%s", entity->name, column);
        goto done;
    }
    rc = GS_OK;
    *counts = out;
    out = NULL;
done:
    json_decref(out);
    sqlite3_finalize(stmt);
    gs_buf_free(&sql);
    return rc;
}

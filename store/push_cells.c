/* The push backlog as cells: the rows of gs_store_pending() (push_backlog.c,
 * the same statement) handed over column by column, for a target that
 * writes them as text (the PostgreSQL target's COPY lines) and would only
 * undo the JSON objects gs_store_pending() builds: at x20 that building was
 * most of the PostgreSQL push's time on the client. */
#include <string.h>

#include "internal.h"

#define MAX_CELLS 64

static void read_cell(gs_store_cell *cell, sqlite3_stmt *stmt, int col)
{
    memset(cell, 0, sizeof *cell);
    switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_NULL:
        cell->type = GS_CELL_NULL;
        break;
    case SQLITE_INTEGER:
        cell->type = GS_CELL_INT;
        cell->i = sqlite3_column_int64(stmt, col);
        break;
    case SQLITE_FLOAT:
        cell->type = GS_CELL_REAL;
        cell->d = sqlite3_column_double(stmt, col);
        break;
    default:
        cell->type = GS_CELL_TEXT;
        cell->text = (const char *)sqlite3_column_text(stmt, col);
        cell->len = (size_t)sqlite3_column_bytes(stmt, col);
        if (!cell->text)
            cell->type = GS_CELL_NULL;
    }
}

int gs_store_pending_each(gs_store *store, const gs_entity *entity,
                          long long after_seq, size_t limit,
                          gs_store_cells_fn fn, void *ctx)
{
    gs_store_cell cells[MAX_CELLS];
    size_t n = entity->n_columns + 3;
    sqlite3_stmt *stmt;
    int step = SQLITE_DONE;
    int rc;

    if ((rc = gs__store_check_entity(store, entity)) != GS_OK)
        return rc;
    if (n > MAX_CELLS)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "%s: too many columns",
                            entity->name);
    if ((rc = gs__store_entity_stmt(&stmt, store, entity, GS_ESTMT_PENDING)))
        return rc;
    sqlite3_bind_int64(stmt, 1, after_seq);
    sqlite3_bind_int64(
        stmt, 2,
        limit == 0 || limit > (size_t)INT64_MAX ? -1 : (sqlite3_int64)limit);
    while (rc == GS_OK && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
        for (size_t i = 0; i < n; i++)
            read_cell(&cells[i], stmt, (int)i);
        rc = fn(ctx, cells, n);
    }
    sqlite3_reset(stmt);
    if (rc != GS_OK)
        return rc;
    if (step != SQLITE_DONE) {
        gs__store_sql_error(store, step, "reading the backlog");
        return gs_error_wrap("%s", entity->name);
    }
    return GS_OK;
}

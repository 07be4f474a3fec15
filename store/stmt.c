/* The statement cache and the SQL built from the entity mapping. Each
 * statement is prepared once per store (SQLITE_PREPARE_PERSISTENT) and reset
 * after every use, so no statement holds a read snapshot between calls (a
 * held snapshot would stall WAL checkpoints and hide other writers' rows). */
#include <string.h>

#include "internal.h"

int gs__store_sql_error(gs_store *store, int rc, const char *what)
{
    return gs_error_set_sqlite(
        GS_ESTORE, sqlite3_extended_errcode(store->db), "cache: %s: %s", what,
        rc == SQLITE_OK ? "error" : sqlite3_errmsg(store->db));
}

static int prepare(sqlite3_stmt **out, gs_store *store, const char *sql)
{
    int rc = sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                out, NULL);

    if (rc != SQLITE_OK)
        return gs__store_sql_error(store, rc, "preparing a statement");
    return GS_OK;
}

int gs__store_stmt(sqlite3_stmt **out, gs_store *store, int slot,
                   const char *sql)
{
    int rc;

    if (!store->stmts[slot] &&
        (rc = prepare(&store->stmts[slot], store, sql)) != GS_OK)
        return rc;
    *out = store->stmts[slot];
    return GS_OK;
}

int gs__store_step_done(gs_store *store, sqlite3_stmt *stmt, const char *what)
{
    int rc = sqlite3_step(stmt);

    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return gs__store_sql_error(store, rc, what);
    return GS_OK;
}

int gs__store_check_entity(const gs_store *store, const gs_entity *entity)
{
    if (!store)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "cache: no store");
    if (!entity || gs_entity_get(entity->id) != entity)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE,
                            "cache: unknown entity");
    return GS_OK;
}

int gs__store_bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *s)
{
    if (!s || !*s)
        return sqlite3_bind_null(stmt, idx);
    return sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT);
}

/* "c1", "c2", ... of the mapping (names from the fixed list, quoted). */
static int put_columns(gs_buf *sql, const gs_entity *entity, const char *prefix)
{
    int rc = GS_OK;

    for (size_t i = 0; i < entity->n_columns && rc == GS_OK; i++)
        rc = gs_buf_printf(sql, "%s%s\"%s\"", i ? ", " : "", prefix,
                           entity->columns[i].name);
    return rc;
}

static int build_upsert(gs_buf *sql, const gs_entity *entity)
{
    size_t n = entity->n_columns;
    int rc = gs_buf_printf(sql, "INSERT INTO \"%s\" (", entity->cache_table);

    rc = rc ? rc : put_columns(sql, entity, "");
    rc = rc ? rc
            : gs_buf_puts(sql, ", row_hash, change_seq, pulled_at, "
                               "deleted_at, raw) VALUES (");
    for (size_t i = 0; i < n && rc == GS_OK; i++)
        rc = gs_buf_printf(sql, "?%zu, ", i + 1);
    rc = rc ? rc
            : gs_buf_printf(sql, "?%zu, ?%zu, ?%zu, NULL, ?%zu) ", n + 1, n + 2,
                            n + 3, n + 4);
    rc = rc ? rc : gs_buf_puts(sql, "ON CONFLICT (id) DO UPDATE SET ");
    for (size_t i = 1; i < n && rc == GS_OK; i++)
        rc = gs_buf_printf(sql, "\"%s\" = excluded.\"%s\", ",
                           entity->columns[i].name, entity->columns[i].name);
    /* The WHERE makes an unchanged re-read a no-op: no page is written and
     * sqlite3_changes() reports 0, which is how upsert.c knows. */
    rc = rc ? rc
            : gs_buf_puts(sql, "row_hash = excluded.row_hash, "
                               "change_seq = excluded.change_seq, "
                               "pulled_at = excluded.pulled_at, "
                               "deleted_at = NULL, raw = excluded.raw "
                               "WHERE row_hash IS NOT excluded.row_hash "
                               "OR deleted_at IS NOT NULL");
    return rc;
}

static int build_select(gs_buf *sql, const gs_entity *entity, const char *where)
{
    int rc = gs_buf_puts(sql, "SELECT ");

    rc = rc ? rc : put_columns(sql, entity, "");
    rc = rc ? rc
            : gs_buf_printf(sql, ", raw, deleted_at, change_seq FROM \"%s\" %s",
                            entity->cache_table, where);
    return rc;
}

static int build(gs_buf *sql, const gs_entity *entity, int kind)
{
    switch (kind) {
    case GS_ESTMT_UPSERT:
        return build_upsert(sql, entity);
    case GS_ESTMT_EXISTS:
        return gs_buf_printf(sql,
                             "SELECT deleted_at IS NULL FROM \"%s\" "
                             "WHERE id = ?1",
                             entity->cache_table);
    case GS_ESTMT_PENDING:
        return build_select(sql, entity,
                            "WHERE change_seq > ?1 ORDER BY change_seq "
                            "LIMIT ?2");
    case GS_ESTMT_PENDING_COUNT:
        return gs_buf_printf(sql,
                             "SELECT count(*) FROM \"%s\" "
                             "WHERE change_seq > ?1",
                             entity->cache_table);
    case GS_ESTMT_BY_ID:
        return build_select(sql, entity, "WHERE id = ?1");
    default:
        return GS_EINVAL;
    }
}

int gs__store_entity_stmt(sqlite3_stmt **out, gs_store *store,
                          const gs_entity *entity, int kind)
{
    sqlite3_stmt **slot = &store->ent[entity->id].stmts[kind];
    gs_buf sql = GS_BUF_INIT;
    int rc = GS_OK;

    if (!*slot) {
        if (build(&sql, entity, kind) != GS_OK)
            rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        else
            rc = prepare(slot, store, sql.data);
        if (rc != GS_OK)
            gs_error_wrap("%s", entity->name);
    }
    gs_buf_free(&sql);
    *out = *slot;
    return rc;
}

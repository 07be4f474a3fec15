/* Opening and closing the cache file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* A new cache is created 0600 before SQLite sees it: it holds the cached
 * rows (client names, phones, addresses). SQLite creates -wal and -shm with
 * the database file's mode, so they follow. */
static int create_private(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (fd < 0 && errno == EEXIST)
        return GS_OK; /* created meanwhile: the checks below apply to it */
    if (fd < 0)
        return gs_error_set(GS_EIO, GS_ECLASS_OS, "cache %s: %s", path,
                            strerror(errno));
    close(fd);
    return GS_OK;
}

/* An existing cache readable by others is tightened, once it is known to
 * be a cache: a file of someone else's is not ours to chmod. */
static int make_private(const char *path)
{
    struct stat st;

    if (stat(path, &st) == 0 && (st.st_mode & 077) &&
        chmod(path, st.st_mode & 0700) != 0)
        return gs_error_set(GS_EIO, GS_ECLASS_OS,
                            "cache %s: cannot make it private (0600): %s", path,
                            strerror(errno));
    return GS_OK;
}

static int exec(gs_store *store, const char *sql)
{
    int rc = sqlite3_exec(store->db, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK)
        return gs__store_sql_error(store, rc, sql);
    return GS_OK;
}

/* WAL lets a person read the file in the sqlite3 shell while a sync writes.
 * synchronous=NORMAL: in WAL mode a power cut can lose the last commits but
 * never corrupts the file, and a lost page is simply pulled again (change
 * detection makes that free); FULL would fsync every page of a pull. */
static int configure(gs_store *store, int busy_ms)
{
    int rc;

    if ((rc = sqlite3_busy_timeout(store->db, busy_ms)) != SQLITE_OK)
        return gs__store_sql_error(store, rc, "busy timeout");
    if ((rc = exec(store, "PRAGMA foreign_keys = OFF")) != GS_OK)
        return rc;
    if (store->read_only)
        return GS_OK;
    /* Deleted or overwritten values are zeroed in their pages: meta held
     * OAuth tokens in gazsync 0.1.0, and a cache erased of them must not
     * keep them in free space (CI caches the file). FAST: no extra I/O. */
    if ((rc = exec(store, "PRAGMA secure_delete = FAST")) != GS_OK ||
        (rc = exec(store, "PRAGMA journal_mode = WAL")) != GS_OK ||
        (rc = exec(store, "PRAGMA synchronous = NORMAL")) != GS_OK ||
        (rc = exec(store, "PRAGMA temp_store = MEMORY")) != GS_OK ||
        /* 32 MiB of page cache: a timeline pull touches seven indexes. */
        (rc = exec(store, "PRAGMA cache_size = -32768")) != GS_OK ||
        /* Checkpoint every ~40 MB of WAL instead of 4 MB: a pull commits
         * every 100 rows, and index pages rewritten by many commits are
         * then copied back to the database once, not once per 4 MB. */
        (rc = exec(store, "PRAGMA wal_autocheckpoint = 10000")) != GS_OK)
        return rc;
    return GS_OK;
}

static int check_version(gs_store *store, const char *path)
{
    int version, rc = gs__store_user_version(&version, store->db);

    if (rc != GS_OK)
        return rc;
    if (version != gs_store_schema_version())
        return gs_error_set(GS_ESTORE, GS_ECLASS_STORE,
                            "cache %s: schema version %d, this gazsync "
                            "reads %d (open it once for writing to migrate)",
                            path, version, gs_store_schema_version());
    return GS_OK;
}

/* Whether the file is a gazsync cache, or an empty file that can become
 * one. A SQLite file with other tables is somebody else's database (a
 * mistyped --db): migrating would add fifteen tables to it. */
static int check_is_cache(gs_store *store, const char *path)
{
    static const char sql[] =
        "SELECT count(*), count(*) FILTER (WHERE type = 'table' AND "
        "name = 'sync_state') FROM sqlite_schema";
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL);
    long long objects = 0, ours = 0;

    if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        objects = sqlite3_column_int64(stmt, 0);
        ours = sqlite3_column_int64(stmt, 1);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK)
        return gs_error_set_sqlite(GS_ESTORE, rc, "cache %s: %s", path,
                                   sqlite3_errmsg(store->db));
    if (objects > 0 && ours == 0)
        return gs_error_set(GS_ESTORE, GS_ECLASS_STORE,
                            "%s is a SQLite database but not a gazsync cache "
                            "(no sync_state table); left untouched. Name "
                            "the cache with --db, or 'gazsync init' to make "
                            "this file one",
                            path);
    return GS_OK;
}

static int compile_paths(gs_store *store)
{
    for (int e = 0; e < GS_ENTITY_COUNT; e++) {
        const gs_entity *entity = gs_entity_get(e);
        gs_store_entity *ent = &store->ent[e];

        ent->paths = calloc(entity->n_columns, sizeof *ent->paths);
        if (!ent->paths)
            return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        for (size_t i = 0; i < entity->n_columns; i++) {
            int rc = gs__path_compile(&ent->paths[i], entity->columns[i].path);
            if (rc != GS_OK)
                return rc;
        }
    }
    return GS_OK;
}

/* "file:<path>?immutable=1", the path percent-escaped where a URI needs it. */
static int immutable_uri(gs_buf *uri, const char *path)
{
    int rc = gs_buf_puts(uri, "file:");

    for (const char *p = path; rc == GS_OK && *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#')
            rc = gs_buf_printf(uri, "%%%02X", (unsigned char)*p);
        else
            rc = gs_buf_append(uri, p, 1);
    }
    if (rc == GS_OK)
        rc = gs_buf_puts(uri, "?immutable=1");
    return rc;
}

/* A read-only open of a WAL cache needs its -shm file, which SQLite
 * creates; in a folder we may not write to (a 0400 cache shown to another
 * user, a read-only mount) it cannot, and the first read fails. With no
 * -wal file the database file holds every commit, and nobody can start
 * writing one in that folder either, so the file is opened as immutable. */
static int open_read_only(gs_store *store, const char *path)
{
    char wal[4096];
    gs_buf uri = GS_BUF_INIT;
    int rc = sqlite3_open_v2(path, &store->db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_exec(store->db, "SELECT count(*) FROM sqlite_schema", NULL,
                          NULL, NULL);
    if ((rc & 0xff) != SQLITE_READONLY && (rc & 0xff) != SQLITE_CANTOPEN)
        return rc;
    if ((size_t)snprintf(wal, sizeof wal, "%s-wal", path) >= sizeof wal ||
        access(wal, F_OK) == 0 || immutable_uri(&uri, path) != GS_OK)
        return rc;
    sqlite3_close(store->db);
    store->db = NULL;
    rc = sqlite3_open_v2(
        uri.data, &store->db,
        SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    gs_buf_free(&uri);
    return rc;
}

int gs_store_open(gs_store **out, const char *path, const gs_store_opts *opts)
{
    gs_store *store = NULL;
    int busy_ms =
        opts && opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms : 5000;
    int rc;

    *out = NULL;
    if (!path || !*path)
        return gs_error_set(GS_EINVAL, GS_ECLASS_STORE, "cache: no path");
    store = calloc(1, sizeof *store);
    if (!store)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    store->lock_fd = -1;
    store->read_only = opts && opts->read_only;
    /* The lock comes first: the checks and repairs below must not race a
     * run that is still writing. */
    if (opts && opts->run_lock && !store->read_only &&
        (rc = gs__store_lock(&store->lock_fd, path, opts->lock_wait_ms)) !=
            GS_OK)
        goto done;
    if (store->read_only) {
        if (access(path, F_OK) != 0) {
            rc = gs_error_set(GS_EIO, GS_ECLASS_OS, "cache %s: %s", path,
                              strerror(errno));
            goto done;
        }
        rc = open_read_only(store, path);
    } else {
        if ((rc = create_private(path)) != GS_OK)
            goto done;
        rc = sqlite3_open_v2(path, &store->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    }
    if (rc != SQLITE_OK) {
        rc = gs_error_set_sqlite(GS_ESTORE, rc, "cache %s: %s", path,
                                 store->db ? sqlite3_errmsg(store->db)
                                           : sqlite3_errstr(rc));
        goto done;
    }
    sqlite3_extended_result_codes(store->db, 1);
    if (!(opts && opts->adopt) && (rc = check_is_cache(store, path)) != GS_OK)
        goto done;
    if (!store->read_only && (rc = make_private(path)) != GS_OK)
        goto done;
    if ((rc = configure(store, busy_ms)) != GS_OK)
        goto done;
    rc = store->read_only ? check_version(store, path)
                          : gs__store_migrate(store->db, NULL, 0);
    if (rc == GS_OK && store->lock_fd >= 0)
        rc = gs__store_repair(store);
    if (rc != GS_OK)
        goto done;
    rc = compile_paths(store);
done:
    if (rc != GS_OK) {
        gs_store_close(store);
        return rc;
    }
    *out = store;
    return GS_OK;
}

void gs_store_close(gs_store *store)
{
    if (!store)
        return;
    if (store->in_txn && store->db)
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    for (int e = 0; e < GS_ENTITY_COUNT; e++) {
        gs_store_entity *ent = &store->ent[e];

        for (int k = 0; k < GS_ESTMT_COUNT; k++)
            sqlite3_finalize(ent->stmts[k]);
        if (ent->paths) {
            const gs_entity *entity = gs_entity_get(e);
            for (size_t i = 0; i < entity->n_columns; i++)
                gs__path_free(&ent->paths[i]);
            free(ent->paths);
        }
    }
    for (int s = 0; s < GS_STMT_COUNT; s++)
        sqlite3_finalize(store->stmts[s]);
    sqlite3_close(store->db);
    gs__store_unlock(store->lock_fd);
    gs_buf_free(&store->canon);
    gs_buf_free(&store->scratch);
    free(store);
}

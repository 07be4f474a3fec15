/* gs_store_health_check(): what `gazsync doctor` says about a cache, read
 * without touching it. gs_store_open() is not used: even read-only it
 * refuses a cache of another schema version, and doctor's job is to say
 * which version the file has. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gazsync/health.h"
#include "internal.h"

/* A shared, non-blocking try: it fails exactly when a run holds the
 * exclusive lock, and is given back at once. Opened read-only, never
 * created: a cache no run has locked yet has no lock file. */
static int check_lock(gs_store_health *out, const char *path)
{
    char lock_path[4096];
    int fd, rc = GS_OK;

    if ((size_t)snprintf(lock_path, sizeof lock_path, "%s.lock", path) >=
        sizeof lock_path)
        return gs_error_set(GS_EINVAL, GS_ECLASS_OS, "cache: path too long");
    fd = open(lock_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return GS_OK;
        return gs_error_set(GS_EIO, GS_ECLASS_OS, "run lock %s: %s", lock_path,
                            strerror(errno));
    }
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            ssize_t n;

            out->lock_held = 1;
            n = pread(fd, out->lock_pid, sizeof out->lock_pid - 1, 0);
            out->lock_pid[n > 0 ? n : 0] = '\0';
            out->lock_pid[strcspn(out->lock_pid, "\n")] = '\0';
        } else {
            rc = gs_error_set(GS_EIO, GS_ECLASS_OS, "run lock %s: %s",
                              lock_path, strerror(errno));
        }
    } else {
        flock(fd, LOCK_UN);
    }
    close(fd);
    return rc;
}

/* Copies the first row of a one-column PRAGMA into @p out. */
static int pragma_text(char *out, size_t size, sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);

    out[0] = '\0';
    if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const unsigned char *text = sqlite3_column_text(stmt, 0);
        snprintf(out, size, "%s", text ? (const char *)text : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    return rc;
}

static int check_file(gs_store_health *out, const char *path)
{
    sqlite3 *db = NULL;
    char text[256];
    int rc = sqlite3_open_v2(path, &db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(db, 2000);
    if (rc == SQLITE_OK)
        rc = pragma_text(text, sizeof text, db,
                         "SELECT count(*) FROM sqlite_schema WHERE "
                         "type = 'table' AND name = 'sync_state'");
    if (rc != SQLITE_OK) {
        rc = gs_error_set_sqlite(GS_ESTORE, rc, "cache %s: %s", path,
                                 db ? sqlite3_errmsg(db) : "cannot open");
        goto done;
    }
    out->is_cache = strcmp(text, "1") == 0;
    if (gs__store_user_version(&out->schema_version, db) != GS_OK) {
        rc = GS_ESTORE;
        goto done;
    }
    rc = pragma_text(out->integrity, sizeof out->integrity, db,
                     "PRAGMA quick_check(1)");
    if (rc != SQLITE_OK) {
        snprintf(out->integrity, sizeof out->integrity, "%s",
                 sqlite3_errmsg(db));
        rc = GS_OK;
        goto done;
    }
    out->integrity_ok = strcmp(out->integrity, "ok") == 0;
    rc = GS_OK;

done:
    sqlite3_close(db);
    return rc;
}

int gs_store_health_check(gs_store_health *out, const char *path)
{
    struct stat st;
    int rc;

    memset(out, 0, sizeof *out);
    out->schema_version = -1;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return GS_OK;
        return gs_error_set(GS_EIO, GS_ECLASS_OS, "cache %s: %s", path,
                            strerror(errno));
    }
    out->exists = 1;
    out->mode = (unsigned)(st.st_mode & 07777);
    rc = check_lock(out, path);
    if (rc == GS_OK)
        rc = check_file(out, path);
    return rc;
}

/* Schema versions. The file's PRAGMA user_version says which steps it has;
 * each missing step runs in its own transaction together with the version
 * bump, so a file is always at a whole version, even after a crash.
 *
 * Adding version N: write schema/cache_vN.sql, embed it (store/README.md),
 * append {N, gs__store_schema_vN} to steps[] and say what it changes in
 * store/README.md. schema/cache.sql stays the text of step 1,
 * cache_v2.sql of step 2 and cache_v3.sql of step 3 (test_schema.c
 * compares them with the embedded
 * copies); a new file runs every step, an older one only the steps it
 * lacks.
 */
#include <stdio.h>

#include "internal.h"

static const gs_migration steps[] = {
    {1, gs__store_schema_v1},
    {2, gs__store_schema_v2}, /* the real Gazelle schema's columns */
    {3, gs__store_schema_v3}, /* v_status.pending as a number */
};

#define N_STEPS (sizeof steps / sizeof steps[0])

int gs_store_schema_version(void)
{
    return steps[N_STEPS - 1].version;
}

int gs__store_user_version(int *version, sqlite3 *db)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL);

    if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        *version = sqlite3_column_int(stmt, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK)
        return gs_error_set_sqlite(GS_ESTORE, rc,
                                   "cache: reading the schema version: %s",
                                   sqlite3_errmsg(db));
    return GS_OK;
}

static int exec(sqlite3 *db, const char *sql, int version)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

    if (rc != SQLITE_OK) {
        gs_error_set_sqlite(GS_ESTORE, rc,
                            "cache: migrating to schema version %d: %s",
                            version, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return GS_ESTORE;
    }
    return GS_OK;
}

static int run_step(sqlite3 *db, const gs_migration *step)
{
    char bump[64];
    int version, rc;

    /* IMMEDIATE: two processes opening a fresh file at once must not both
     * run the step; the second waits, then sees the new version. */
    if ((rc = exec(db, "BEGIN IMMEDIATE", step->version)) != GS_OK)
        return rc;
    if ((rc = gs__store_user_version(&version, db)) != GS_OK)
        goto done;
    if (version >= step->version)
        goto done; /* another process got there first */
    snprintf(bump, sizeof bump, "PRAGMA user_version = %d", step->version);
    if ((rc = exec(db, step->sql, step->version)) != GS_OK ||
        (rc = exec(db, bump, step->version)) != GS_OK)
        goto done;
done:
    if (rc == GS_OK)
        rc = exec(db, "COMMIT", step->version);
    if (rc != GS_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int gs__store_migrate(sqlite3 *db, const gs_migration *list, size_t n_steps)
{
    int version, rc;
    size_t i;

    if (!list) {
        list = steps;
        n_steps = N_STEPS;
    }
    if ((rc = gs__store_user_version(&version, db)) != GS_OK)
        return rc;
    if (version > list[n_steps - 1].version)
        return gs_error_set(GS_ESTORE, GS_ECLASS_STORE,
                            "cache: schema version %d is newer than this "
                            "gazsync knows (%d); upgrade gazsync",
                            version, list[n_steps - 1].version);
    for (i = 0; i < n_steps; i++) {
        if (list[i].version <= version)
            continue;
        if ((rc = run_step(db, &list[i])) != GS_OK)
            return rc;
    }
    return GS_OK;
}

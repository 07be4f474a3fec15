/**
 * @file health.h
 * @brief Read-only checks of a cache file for `gazsync doctor`: its schema
 *        version, SQLite's quick integrity check, whether a run holds its
 *        run lock, and its mode. Nothing here writes, migrates or repairs.
 */
#ifndef GAZSYNC_HEALTH_H
#define GAZSYNC_HEALTH_H

#ifdef __cplusplus
extern "C" {
#endif

/** What gs_store_health() found. */
typedef struct {
    int exists;          /**< the file is there */
    unsigned mode;       /**< its permission bits (st_mode & 07777) */
    int is_cache;        /**< holds gazsync's tables (sync_state) */
    int schema_version;  /**< PRAGMA user_version; -1 unread */
    int integrity_ok;    /**< PRAGMA quick_check said "ok" */
    char integrity[256]; /**< its first line otherwise */
    int lock_held;       /**< a run holds `<path>.lock` now */
    char lock_pid[32];   /**< the holder's pid as it wrote it, or "" */
} gs_store_health;

/**
 * Inspects the cache at @p path without changing it: opened read-only
 * (never created, migrated or repaired), the run lock only tried and let
 * go at once. A missing file is GS_OK with exists = 0. Errors: GS_ESTORE
 * when SQLite cannot read the file at all (the message names it), GS_EIO
 * when the lock file cannot be opened for a reason other than absence.
 */
int gs_store_health_check(gs_store_health *out, const char *path);

#ifdef __cplusplus
}
#endif
#endif

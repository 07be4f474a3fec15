/**
 * @file store.h
 * @brief The local SQLite cache (gazsync.db): entity rows with change
 *        detection, sync metadata, the push backlog and the run log.
 *
 * One gs_store is one open connection; it is not shared between threads.
 * Strings passed in are copied; strings and JSON handed out are owned by the
 * caller unless said otherwise. Every function returns GS_OK or a negative
 * gs_code, with detail in gs_error_last().
 */
#ifndef GAZSYNC_STORE_H
#define GAZSYNC_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "gazsync/entity.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_store gs_store;

typedef struct {
    int busy_timeout_ms; /**< 0: 5000 */
    int read_only;       /**< open without creating or migrating */
    /** Take the run lock, an exclusive flock() on `<path>.lock`, for the
     *  life of the handle: one pull, push or sync per cache at a time.
     *  Holding it, the open also repairs what a killed run left behind
     *  (runs still "running" become "interrupted"; a resumable full read
     *  whose seen ids are gone restarts). */
    int run_lock;
    int lock_wait_ms; /**< with run_lock: how long to wait; 0: not at all */
    /** Accept an existing SQLite file that is not a gazsync cache and make
     *  it one (`gazsync init`); otherwise such a file is refused untouched. */
    int adopt;
} gs_store_opts;

/**
 * Opens (creating with mode 0600 when missing) the cache at @p path, turns
 * on WAL and a busy timeout, and migrates the schema to the current version
 * (PRAGMA user_version). @p opts may be NULL. Free with gs_store_close().
 * Errors: GS_EIO, GS_ESTORE (a SQLite file that is not a gazsync cache, unless
 * @p opts->adopt), GS_EBUSY (the run lock is held by another process).
 */
int gs_store_open(gs_store **out, const char *path, const gs_store_opts *opts);

/** Closes the cache; NULL is fine. */
void gs_store_close(gs_store *store);

/** The schema version this build writes (and migrates older files to). */
int gs_store_schema_version(void);

/** Transactions: one per page of a pull and one per pushed batch. */
int gs_store_begin(gs_store *store);
int gs_store_commit(gs_store *store);
int gs_store_rollback(gs_store *store);

/**
 * Upserts one node as received from Gazelle into @p entity's table: typed
 * columns from the entity mapping, `raw` (the node, compact JSON),
 * `row_hash` of its normalised content, `pulled_at` = @p now. A new
 * `change_seq` is taken only when the row is new, its hash differs, or it was
 * marked deleted; *changed says so. Also records the id as seen for
 * gs_store_sweep_unseen(). Errors: GS_EINVAL (node without a string id:
 * message names the entity), GS_ESTORE.
 */
int gs_store_upsert(int *changed, gs_store *store, const gs_entity *entity,
                    json_t *node, const char *now);

/** The row_hash of the node the last gs_store_upsert() wrote or found
 *  unchanged: lets a pull tell a repeated node from a different one with
 *  the same id. */
uint64_t gs_store_last_hash(const gs_store *store);

/** Whether the id of the last gs_store_upsert() was already seen by the
 *  open sweep of its entity (gs_store_seen_reset()): -1 no sweep open (not
 *  tracked), 0 first time, 1 seen before with the same content, 2 seen
 *  before with other content (the same id twice in one read). */
int gs_store_last_repeat(const gs_store *store);

/** Number of live (not deleted) rows of @p entity. */
int gs_store_count(long long *rows, gs_store *store, const gs_entity *entity);

/** Whether @p entity holds @p id: *exists is 0 when unknown, 1 for a live
 *  row, 2 for a row marked deleted (known, but gone upstream). */
int gs_store_exists(int *exists, gs_store *store, const gs_entity *entity,
                    const char *id);

/** Forgets the ids seen so far for @p entity (start of a sweeping pull). */
int gs_store_seen_reset(gs_store *store, const gs_entity *entity);

/**
 * Marks deleted (deleted_at = @p now, each a new change_seq) the live rows
 * of @p entity whose @p column equals @p value, except the ids of the JSON
 * array text @p keep_ids (NULL: none kept): the contacts a client no
 * longer lists. *retired gets the count. GS_EINVAL for a column not mapped.
 */
int gs_store_retire_others(long long *retired, gs_store *store,
                           const gs_entity *entity, const char *column,
                           const char *value, const char *keep_ids,
                           const char *now);

/** How the live rows of @p entity spread over @p column (one of the
 *  mapping's): *counts gets a JSON array of [value, rows] pairs in value
 *  order, null values left out (caller json_decref()s). The pull's
 *  partitions by creation date, start date and type are cut from it. */
int gs_store_count_by(json_t **counts, gs_store *store, const gs_entity *entity,
                      const char *column);

/** The largest non-null value of @p column (one of the mapping's) over the
 *  live rows of @p entity, malloc'd text in *value, NULL when none: the
 *  newest creation stamp the cache knows (the new-rows policy). */
int gs_store_max_text(char **value, gs_store *store, const gs_entity *entity,
                      const char *column);

/** Forgets the ids seen and stops recording them without sweeping: for a
 *  sweeping pull that was abandoned (killed, then replaced by another kind
 *  of pull), so later upserts stop paying for ids nobody will sweep. */
int gs_store_seen_stop(gs_store *store, const gs_entity *entity);

/**
 * Marks deleted (deleted_at = @p now, new change_seq) every live row of
 * @p entity not seen since gs_store_seen_reset() whose @p column lies in
 * [@p from, @p to) (text comparison of ISO timestamps); @p column NULL means
 * the whole table. *deleted gets the count.
 */
int gs_store_sweep_unseen(long long *deleted, gs_store *store,
                          const gs_entity *entity, const char *column,
                          const char *from, const char *to, const char *now);

/** Per-entity pull metadata: the row of `sync_state`. */
typedef struct {
    char policy[64];       /**< as configured ("always", "window=...") */
    char last_attempt[32]; /**< ISO UTC, "" when never */
    char last_success[32];
    char high_water[40]; /**< upstream stamp of the last complete pull */
    char pending_high_water[40]; /**< highest stamp seen by the unfinished pull
                                  */
    char resume_cursor[512];     /**< cursor after the last stored page, "" */
    char status[16];             /**< "ok", "failed", "skipped", "running" */
    char last_error[512];
    char decision[160];   /**< last decision, in words */
    long long rows;       /**< live rows after the last pull */
    long long calls_last; /**< Gazelle requests of the last pull */
    long long calls_total;
} gs_sync_state;

/** Reads the state of @p entity; a never-synced entity reads as zeros. */
int gs_store_state_get(gs_sync_state *out, gs_store *store,
                       const gs_entity *entity);

/** Writes the whole state of @p entity (inside the caller's transaction
 *  when one is open, so a page and its cursor commit together). */
int gs_store_state_put(gs_store *store, const gs_entity *entity,
                       const gs_sync_state *state);

/** Small key/value metadata (`meta` table): the last full reads and the
 *  like. *value is NULL when absent; free() it. */
int gs_store_meta_get(char **value, gs_store *store, const char *key);
int gs_store_meta_set(gs_store *store, const char *key, const char *value);

/** One command run, for `sync_runs`. Never holds a secret. */
typedef struct {
    const char *command; /**< "pull", "push", "sync" */
    const char *status;  /**< "ok", "partial", "failed", "running" */
    const char *started_at;
    const char *finished_at; /**< NULL while running */
    long long gazelle_requests;
    long long supabase_requests;
    long long rows_in;
    long long rows_changed;
    long long rows_pushed;
    const char *stats_json; /**< per-entity stats, JSON object text */
    const char *error;      /**< NULL when none */
} gs_run_record;

/** Inserts a run row (status "running") and gives its id. */
int gs_store_run_begin(long long *run_id, gs_store *store,
                       const gs_run_record *run);
/** Completes the run row @p run_id with @p run's figures. */
int gs_store_run_finish(gs_store *store, long long run_id,
                        const gs_run_record *run);
/** The last @p limit runs, newest first, as a JSON array of objects with the
 *  `sync_runs` column names (stats parsed). Caller json_decref()s. */
int gs_store_runs_list(json_t **runs, gs_store *store, int limit);

/**
 * The push backlog: up to @p limit rows of @p entity with change_seq >
 * @p after_seq, in change_seq order, as a JSON array of objects keyed by the
 * cache column names (INT as integer, BOOL as true/false, JSON parsed, NULL
 * as null) plus "raw" (the stored compact JSON, as a string: the pusher
 * sends it verbatim), "deleted_at" and "change_seq". Caller
 * json_decref()s.
 */
int gs_store_pending(json_t **rows, gs_store *store, const gs_entity *entity,
                     long long after_seq, size_t limit);

/** One column of a backlog row as the cache holds it (gs_store_pending_each):
 *  @c text points into SQLite's row and lives until the callback returns. */
typedef enum {
    GS_CELL_NULL = 0,
    GS_CELL_INT,
    GS_CELL_REAL,
    GS_CELL_TEXT,
} gs_cell_type;

typedef struct {
    gs_cell_type type;
    const char *text; /* TEXT (and BLOB): the bytes, not NUL-terminated */
    size_t len;
    long long i; /* INT */
    double d;    /* REAL */
} gs_store_cell;

/** Called with the @p n cells of one backlog row: the entity's columns in
 *  descriptor order, then raw, deleted_at, change_seq. Non-zero stops. */
typedef int (*gs_store_cells_fn)(void *ctx, const gs_store_cell *cells,
                                 size_t n);

/**
 * The rows gs_store_pending() gives, without building JSON: each row's
 * cells handed to @p fn, in change_seq order (the PostgreSQL target writes
 * COPY lines from them). GS_OK, a store error, or @p fn's own code.
 */
int gs_store_pending_each(gs_store *store, const gs_entity *entity,
                          long long after_seq, size_t limit,
                          gs_store_cells_fn fn, void *ctx);

/** Rows of @p entity with change_seq > @p after_seq. */
int gs_store_pending_count(long long *count, gs_store *store,
                           const gs_entity *entity, long long after_seq);

/** The rows of @p entity whose ids are in the JSON array @p ids, in the
 *  same form as gs_store_pending() (for retrying quarantined rows). */
int gs_store_rows_by_id(json_t **rows, gs_store *store, const gs_entity *entity,
                        json_t *ids);

/** Per entity and target: the `push_state` row. */
typedef struct {
    long long last_pushed_seq;
    long long rows_pushed; /**< total */
    char last_push[32];    /**< ISO UTC, "" when never */
} gs_push_state;

int gs_store_push_state_get(gs_push_state *out, gs_store *store,
                            const gs_entity *entity, const char *target);
/** Sets last_pushed_seq = @p seq (never lowers it), adds @p rows to the
 *  total, stamps @p now. Call inside the batch's transaction. */
int gs_store_push_advance(gs_store *store, const gs_entity *entity,
                          const char *target, long long seq, long long rows,
                          const char *now);

/** Quarantines a row the target refused (`push_failures`): inserts it or
 *  bumps attempts, keeping the latest status, code and message. */
int gs_store_failure_record(gs_store *store, const gs_entity *entity,
                            const char *target, const char *id,
                            long http_status, const char *code,
                            const char *message, const char *now);
/** Removes a quarantined row once the target accepted it. */
int gs_store_failure_clear(gs_store *store, const gs_entity *entity,
                           const char *target, const char *id);
/** Ids quarantined for @p entity and @p target, as a JSON array of strings. */
int gs_store_failures_ids(json_t **ids, gs_store *store,
                          const gs_entity *entity, const char *target);

/** The cache as people see it: one JSON object per entity with rows,
 *  deleted rows, sync_state fields, pending push counts and failures
 *  (what `gazsync status --json` prints). Caller json_decref()s. */
int gs_store_status(json_t **status, gs_store *store, const char *target);

/** gs_store_status() with the clock at @p now (ISO UTC, as `--now`), for
 *  each entity's age_s; NULL: the system clock. */
int gs_store_status_at(json_t **status, gs_store *store, const char *target,
                       const char *now);

#ifdef __cplusplus
}
#endif
#endif

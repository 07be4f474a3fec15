/* Private to store/: the gs_store object, its statement cache and the helpers
 * the store files share. Nothing here is API. */
#ifndef GS_STORE_INTERNAL_H
#define GS_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "buf.h"
#include "gazsync/entity.h"
#include "gazsync/error.h"
#include "gazsync/store.h"

/* The schema of version 1, verbatim schema/cache.sql, and the step to
 * version 2, verbatim schema/cache_v2.sql (store/schema_sql.c). */
extern const char gs__store_schema_v1[];
extern const char gs__store_schema_v2[];
extern const char gs__store_schema_v3[];

/* One migration step: run @sql to go from version - 1 to @version. */
typedef struct {
    int version;
    const char *sql;
} gs_migration;

/* Brings @db to the last step's version, one transaction per step.
 * Refuses a file newer than the last step. Exposed for test_migrate.c,
 * which feeds it fake steps to prove an older file upgrades in place. */
int gs__store_migrate(sqlite3 *db, const gs_migration *steps, size_t n_steps);
/* (@steps NULL: the built-in steps.) */
/* Whether @column is one of @entity's mapped columns (names spliced into
 * SQL must be). */
int gs__store_column_known(const gs_entity *entity, const char *column);
/* GS_OK when @entity is the store's and @column one of its mapped columns,
 * else the error naming them (a column spliced into SQL must be). */
int gs__store_check_column(const gs_store *store, const gs_entity *entity,
                           const char *column);

/* PRAGMA user_version of @db. */
int gs__store_user_version(int *version, sqlite3 *db);

/* Statements that do not depend on an entity, prepared on first use. */
enum {
    GS_STMT_SEQ_LOAD,
    GS_STMT_SEQ_SAVE,
    GS_STMT_SCOPE_LOAD,
    GS_STMT_STATE_GET,
    GS_STMT_STATE_PUT,
    GS_STMT_META_GET,
    GS_STMT_META_SET,
    GS_STMT_RUN_BEGIN,
    GS_STMT_RUN_FINISH,
    GS_STMT_PUSH_GET,
    GS_STMT_PUSH_ADVANCE,
    GS_STMT_FAIL_RECORD,
    GS_STMT_FAIL_CLEAR,
    GS_STMT_FAIL_IDS,
    GS_STMT_SEEN_ADD,
    GS_STMT_SEEN_HASH,
    GS_STMT_COUNT
};

/* Statements per entity, built from the mapping and prepared on first use. */
enum {
    GS_ESTMT_UPSERT,
    GS_ESTMT_EXISTS,
    GS_ESTMT_PENDING,
    GS_ESTMT_PENDING_COUNT,
    GS_ESTMT_BY_ID,
    GS_ESTMT_COUNT
};

/* A column path split once at open: "a.b[].c" -> {a}, {b, array}, {c}. */
typedef struct {
    const char *key; /* points into gs_path.text */
    size_t key_len;
    int is_array; /* "[]": map the rest of the path over this array */
} gs_path_seg;

typedef struct {
    char *text; /* the path with '\0' between segments */
    gs_path_seg *segs;
    size_t n_segs;
} gs_path;

typedef struct {
    gs_path *paths; /* one per column of the entity */
    sqlite3_stmt *stmts[GS_ESTMT_COUNT];
} gs_store_entity;

struct gs_store {
    sqlite3 *db;
    int read_only;
    int lock_fd;   /* <path>.lock held with flock(), or -1 */
    int in_txn;    /* inside gs_store_begin() .. commit/rollback */
    long long seq; /* last change_seq handed out (valid in a txn) */
    int seq_dirty; /* seq must be written back before COMMIT */
    int sweep_open[GS_ENTITY_COUNT]; /* upserts record seen ids */
    gs_store_entity ent[GS_ENTITY_COUNT];
    sqlite3_stmt *stmts[GS_STMT_COUNT];
    gs_buf canon;       /* canonical dump of the node being upserted */
    uint64_t last_hash; /* row_hash of the last node upserted */
    int last_repeat;    /* its id in this sweep: -1 untracked, 0 new,
                           1 seen with this content, 2 with other */
    gs_buf scratch;     /* JSON column text of the node being upserted */
};

/* lock.c: the run lock on <path>.lock (flock, exclusive), waiting up to
 * @wait_ms; GS_EBUSY naming the holder when it stays taken. */
int gs__store_lock(int *fd, const char *path, int wait_ms);
void gs__store_unlock(int fd);
/* repair.c: what a killed run left behind; call holding the run lock. */
int gs__store_repair(gs_store *store);

/* Records a SQLite failure of @store as GS_ESTORE with @what as context. */
int gs__store_sql_error(gs_store *store, int rc, const char *what);

/* The cached statement @slot, prepared from @sql on first use. */
int gs__store_stmt(sqlite3_stmt **out, gs_store *store, int slot,
                   const char *sql);

/* The cached statement @kind of @entity, built on first use. */
int gs__store_entity_stmt(sqlite3_stmt **out, gs_store *store,
                          const gs_entity *entity, int kind);

/* Steps a write statement to SQLITE_DONE and resets it. */
int gs__store_step_done(gs_store *store, sqlite3_stmt *stmt, const char *what);

/* GS_EINVAL unless @entity is one of gs_entity_get()'s. */
int gs__store_check_entity(const gs_store *store, const gs_entity *entity);

/* Text binding helper: NULL or "" binds SQL NULL. */
int gs__store_bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *s);

/* Opens a transaction unless one is open (*opened says whether it did), so
 * writes that consume change_seq work outside gs_store_begin() too. */
int gs__store_txn_enter(int *opened, gs_store *store);
/* Ends what gs__store_txn_enter() opened: commit when @rc is GS_OK, else
 * roll back. Returns @rc, or the commit's error. */
int gs__store_txn_leave(gs_store *store, int opened, int rc);

/* Appends one cached row of @stmt (columns: id, mapped columns, raw,
 * deleted_at, change_seq) to @rows as a JSON object (push_backlog.c). */
int gs__store_row_json(json_t *rows, sqlite3_stmt *stmt,
                       const gs_entity *entity);

/* Path compilation and extraction (extract.c). */
int gs__path_compile(gs_path *out, const char *path);
void gs__path_free(gs_path *path);
/* The value at @path in @node: borrowed, or new (*owned = 1) when the path
 * maps over an array. NULL when missing. */
json_t *gs__path_get(int *owned, json_t *node, const gs_path *path);

/* @value as compact JSON with sorted keys, into @out (reset first); the
 * same text as json_dumps(JSON_COMPACT | JSON_SORT_KEYS) (canon.c). */
int gs__store_canonical(gs_buf *out, json_t *value);

#endif

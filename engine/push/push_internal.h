/* Private to the pusher (engine/push*.c): the payload rows, the batch
 * builder, the sender and the split that isolates rows the target refuses.
 *
 * Data flow of one entity (push.c):
 *   gs_store_pending() -> gs__push_rows_add() (push_batch.c: cache row ->
 *   payload object, serialised once) -> gs__push_batch_take() (row and byte
 *   bounds) -> gs__push_send_split() (push_split.c: POST through a
 *   gs_push_sender, halves on a refused batch) -> one store transaction that
 *   records the fates and advances last_pushed_seq (push.c).
 *
 * The sender is a function pointer so that the split can be unit-tested
 * without a server (tests/unit/engine/test_push_split.c). */
#ifndef GS_PUSH_INTERNAL_H
#define GS_PUSH_INTERNAL_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>

#include "buf.h"
#include "gazsync/entity.h"
#include "gazsync/http.h"
#include "gazsync/push.h"
#include "gazsync/store.h"

/* ---- push_batch.c: payloads and batches -------------------------------- */

/* One cache row turned into its payload object. */
typedef struct {
    char *id;             /* Gazelle id, sent as external_id */
    long long change_seq; /* 0 when the cache row had none */
    char *json;           /* payload object, compact JSON text */
    size_t json_len;
    /* With gs_push_rows.keep_payload (the PostgreSQL target, which writes
     * COPY lines from it instead of parsing the text again): the payload
     * object, without "raw" when raw_text holds it; else NULL. */
    json_t *payload;
    json_t *raw_text; /* the cache's raw JSON text (a string), or NULL */
    /* Rows loaded by gs__push_pg_load(): no payload and no JSON text
     * (json NULL, json_len = copy_len for the byte bound), the COPY line's
     * values in hand instead. */
    char *copy;
    size_t copy_len;
} gs_push_row;

typedef struct {
    gs_push_row *row;
    size_t count;
    size_t cap;
    /* Supabase names of the owned columns (gs_entity_policy.column_target);
     * NULL: every column under its own name. */
    const char (*column_target)[64];
    int keep_payload; /* keep gs_push_row.payload and raw_text */
} gs_push_rows;

/* The payload object of one cache row (as gs_store_pending() gives it):
 * external_id = id, every owned column of @p entity but id, raw, deleted_at,
 * synced_at = @p now. Every object of an entity has exactly these keys, and no
 * other: a column the mapping does not own is never sent (that is what keeps
 * hand-set columns alive, contracts/postgrest.md "Bulk upsert").
 * GS_EINVAL when the row has no string id. Caller json_decref()s. */
int gs__push_payload(json_t **out, const gs_entity *entity,
                     const json_t *cache_row, const char *now);

/* Appends the payload of every row of the JSON array @p cache_rows. */
int gs__push_rows_add(gs_push_rows *rows, const gs_entity *entity,
                      const json_t *cache_rows, const char *now);
void gs__push_rows_free(gs_push_rows *rows);

/* Bytes of the JSON array body holding rows [from, from + n). */
size_t gs__push_body_len(const gs_push_rows *rows, size_t from, size_t n);

/* How many rows from @p from make the next batch: at most @p max_rows and at
 * most @p max_bytes of body, but always at least one row (a row alone over
 * the bound is sent alone; the target's 413 then decides). 0 at the end. */
size_t gs__push_batch_take(const gs_push_rows *rows, size_t from,
                           size_t max_rows, size_t max_bytes);

/* Writes the body of rows [from, from + n) into @p body (reset first). */
int gs__push_body(gs_buf *body, const gs_push_rows *rows, size_t from,
                  size_t n);

/* ---- push_send.c: one request and its verdict -------------------------- */

typedef enum {
    GS_PUSH_LANDED = 0, /* 2xx: every row of the body is written */
    GS_PUSH_BAD_ROWS,   /* 4xx about the rows: split to find them */
    GS_PUSH_TOO_LARGE,  /* 413: split by size */
    GS_PUSH_TIMEOUT,    /* statement timeout (57014, 504): halve the batch */
    GS_PUSH_STOP,       /* stop this entity (retries exhausted, 404, schema) */
    GS_PUSH_STOP_ALL,   /* 401/403: the key is refused, stop every entity */
} gs_push_verdict;

typedef struct {
    gs_push_verdict verdict;
    int code;          /* gs_code for STOP and STOP_ALL, else GS_OK */
    long status;       /* final HTTP status, 0 when there was no answer */
    int attempts;      /* transport attempts of this request */
    int timed_out;     /* no answer: the last attempt ran out of time */
    char pg_code[32];  /* "code" of the PostgREST error body, "" */
    char message[400]; /* "message" (+ details) of the error body, or why */
} gs_push_answer;

/* Sends one body of @p rows rows; returns GS_OK with a verdict in
 * @p answer, or a negative code for a local failure (GS_ENOMEM). */
typedef int (*gs_push_sender)(gs_push_answer *answer, void *sender,
                              const char *body, size_t len, size_t rows);

/* The real sender's state: one target table. */
typedef struct {
    gs_http *http;
    const char *url;            /* .../rest/v1/<table>?on_conflict=... */
    const char *const *headers; /* key headers; never in a message */
} gs_push_target;

/* gs_push_sender over gs_http_request(); @p sender is a gs_push_target. */
int gs__push_post(gs_push_answer *answer, void *sender, const char *body,
                  size_t len, size_t rows);

/* Classifies a final answer: @p http_rc is gs_http_request()'s result
 * (GS_EHTTP: no answer after every attempt), @p status and @p body the final
 * answer. Pure, for tests. */
void gs__push_judge(gs_push_answer *answer, int http_rc, long status,
                    const char *body);

/* ---- push_split.c: isolating refused rows ------------------------------ */

/* What became of one row of a batch. */
typedef struct {
    int landed;   /* the target accepted it */
    int failed;   /* refused alone: to quarantine */
    int recorded; /* already in push_failures (the PostgreSQL target records
                     refused rows before its commit: push_pg.c) */
    long status;
    char pg_code[32];
    char message[400];
} gs_push_fate;

typedef struct {
    gs_push_sender send;
    void *sender;
    gs_push_fate *fate;    /* indexed like the rows (fate[from..from+n)) */
    long long requests;    /* bodies sent, transport retries not counted */
    gs_push_answer stop;   /* the answer that stopped the split */
    gs_buf body;           /* reused between requests */
    size_t too_large;      /* smallest body the target answered 413; 0 none */
    size_t rows_cap;       /* rows per body after statement timeouts; 0 none */
    int timeouts;          /* statement timeouts met (each halved a batch) */
    int timeout_streak;    /* of them since the last body that landed */
    size_t largest_landed; /* rows of the largest body that landed */
    const gs_push_rows *rows; /* the rows fate[] is indexed by (push_pg.c) */
} gs_push_split;

/* Sends rows [from, from + n) and, when the target refuses the batch as bad
 * (4xx other than 401/403/404/408/429 or a schema error), sends each half
 * again, down to single rows, which are marked failed with the target's
 * status, code and message. A 413 splits by bytes and fails only a row that
 * is over the limit alone. A statement timeout (57014, 504) halves the
 * batch and lowers split->rows_cap to the half, so later batches start there;
 * a single row that times out stops, and so does the GS_PUSH_MAX_HALVINGS-th
 * timeout in a row (a database that answers nothing in time at any size
 * must not cost a request per halving down to one row; the next run starts
 * at the bound learnt). GS_OK when every row is landed or failed;
 * otherwise the code of a stopping answer (kept in split->stop), and rows
 * marked landed did land but the batch must not be marked pushed. */
int gs__push_send_split(gs_push_split *split, const gs_push_rows *rows,
                        size_t from, size_t n);

#define GS_PUSH_MAX_HALVINGS 5

/* Records a timeout of a body of @p n rows: rows_cap becomes at most n/2. */
void gs__push_split_shrink(gs_push_split *split, size_t n);

/* ---- push_pg*.c: the PostgreSQL target ---------------------------------- */

/* The PostgreSQL target of one entity: its connection (pg_conn.h), table,
 * the cache key of its checkpoint rows, and the statements built from the
 * first payload row and the catalog. */
typedef struct gs_push_pg_entity gs_push_pg_entity;
struct gs_pg;

/* @p target is the cache's push_state name, @p cache_key the
 * gazsync_push_state.target_key (the cache id), @p now synced_at; all
 * borrowed for the entity's life. */
int gs__push_pg_entity_new(gs_push_pg_entity **out, struct gs_pg *pg,
                           gs_store *store, const gs_entity *entity,
                           const char *target, const char *cache_key,
                           const char *table, const char *now);
void gs__push_pg_entity_free(gs_push_pg_entity *pe);

/* The target's checkpoint: last_change_seq of gazsync_push_state for this
 * entity and cache, 0 when it has none. */
int gs__push_pg_checkpoint(long long *seq, gs_push_pg_entity *pe);

/* gs__push_send_split()'s contract over PostgreSQL: rows [from, from + n) in
 * one transaction (COPY, merge under savepoints, refused rows bisected and
 * recorded in push_failures before the commit, and, when @p advance, the
 * checkpoint moved to the highest change_seq in the same commit); statement
 * timeouts halve through split->rows_cap as the REST split does. GS_OK when
 * every row is landed or failed, else a stopping code with split->stop. */
int gs__push_pg_send(gs_push_pg_entity *pe, gs_push_split *split,
                     const gs_push_rows *rows, size_t from, size_t n,
                     int advance);

/* A first push streamed (push_pg_stream.c): one transaction holding one
 * COPY straight into the target table, fed page by page, and the
 * checkpoint. _begin() prepares the entity's statements from @p first (a
 * page of gs__push_pg_load() rows) and opens the COPY; _put() streams a
 * page; _end() finishes the COPY (abandons it when @p rc is not GS_OK),
 * moves the checkpoint to @p seq and commits. *@p committed tells whether
 * the rows are in the target: also after a lost connection whose commit
 * went through (the target's checkpoint says so). Not committed, the
 * transaction is rolled back and GS_OK returned: the caller sends the rows
 * again by batches, which isolate a refused row and name any failure
 * (after a 23505 they merge). GS_ENOMEM is returned as itself. */
int gs__push_pg_stream_begin(gs_push_pg_entity *pe, gs_push_split *split,
                             const gs_push_rows *first);
int gs__push_pg_stream_put(gs_push_pg_entity *pe, const gs_push_rows *rows);
int gs__push_pg_stream_end(int *committed, gs_push_pg_entity *pe, int rc,
                           long long seq);

/* One streamed transaction of a first push (push_pg_stream.c). */
typedef struct {
    long long after;  /* in: the backlog after this change_seq */
    size_t page_rows; /* in: rows read from the cache at a time */
    size_t max_rows;  /* in: rows of one transaction (reached by pages) */
    const volatile sig_atomic_t *cancel; /* in: checked between pages */
    long long seq;  /* out: committed, the checkpoint now; else after */
    long long rows; /* out: rows streamed (committed when committed) */
    int committed;  /* out: the rows and checkpoint are in the target */
    int end;        /* out: the backlog holds nothing after seq */
    int cancelled;  /* out: cut short at the flag (what went, committed) */
} gs_push_pg_chunk;

/* Streams the backlog after chunk->after, page by page, into one COPY and
 * commits it with the checkpoint (gs__push_pg_stream_begin() and the rest
 * above). GS_OK with chunk->committed set or not (not: nothing of it is in
 * the target; send it by batches); a cache read's failure or GS_ENOMEM
 * otherwise, nothing committed. */
int gs__push_pg_stream(gs_push_pg_chunk *chunk, gs_push_pg_entity *pe,
                       gs_push_split *split, gs_store *store,
                       const gs_entity *entity, const char (*column_target)[64],
                       const char *now);

/* push_pg_copy.c: the keys of every payload object of @p entity under the
 * mapping @p names (gs_push_rows.column_target), in payload order: the
 * target's column names (json array of strings, caller decrefs). */
int gs__push_pg_columns(json_t **out, const gs_entity *entity,
                        const char (*names)[64]);

/* gs_store_pending() + gs__push_rows_add() for the PostgreSQL target: up
 * to @p limit backlog rows after @p after_seq appended to @p rows, each as
 * its COPY values (gs_push_row.copy) written from the cache's cells, with
 * the values gs__push_payload() would give (synced_at = @p now). */
int gs__push_pg_load(gs_push_rows *rows, gs_store *store,
                     const gs_entity *entity, long long after_seq, size_t limit,
                     const char *now);

/* Appends to @p out the COPY text line of @p row: @p ordinal (none when
 * negative), then the value of each of @p columns (NULL as \N, arrays and
 * objects as JSON text). */
int gs__push_pg_copy_line(gs_buf *out, long long ordinal,
                          const gs_push_row *row, const json_t *columns);

/* ---- push_runs.c: the run log ------------------------------------------ */

/* The cache's random id (meta "push.cache_id", made on first use). */
int gs__push_cache_id(char out[40], gs_store *store);

/* Writes the rows of gazsync_runs (a JSON array of run objects) to the
 * target; @p sink is the target's state. */
typedef int (*gs_push_runs_post)(void *sink, json_t *runs);

/* gs__push_run_row() over any target. */
int gs__push_run_log(gs_push_runs_post post, void *sink, gs_store *store,
                     long long run_id, const gs_push_report *report,
                     int push_rc, const char *now);

/* push_pg_runs.c: gs_push_runs_post over PostgreSQL (@p sink: a gs_pg). */
int gs__push_pg_post_runs(void *sink, json_t *runs);

/* The text key of a run in gazsync_runs: "<host>:<cache id>:<local id>",
 * where the cache id is a random UUID kept in the cache's meta table
 * (key "push.cache_id"), so runs of two caches never collide. */
int gs__push_run_key(char *out, size_t size, gs_store *store, long long run_id);

/* Upserts into gazsync_runs (on_conflict=run_id), in one request, the run
 * @p run_id and every later-finished run the target has not yet seen in its
 * final state (meta "push.runs_sent"). @p run_id, still "running" in the
 * cache, is given the push's outcome (@p push_rc), figures and @p now. */
int gs__push_run_row(gs_http *http, const char *base_url,
                     const char *const *headers, gs_store *store,
                     long long run_id, const gs_push_report *report,
                     int push_rc, const char *now);

#endif

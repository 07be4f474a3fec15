/**
 * @file push.h
 * @brief `gazsync push`: sends each entity's backlog (rows whose change_seq
 *        is above the target's last_pushed_seq) to Supabase as PostgREST bulk
 *        upserts, only the columns gazsync owns, advancing last_pushed_seq in
 *        the transaction that records each accepted batch.
 */
#ifndef GAZSYNC_PUSH_H
#define GAZSYNC_PUSH_H

#include <signal.h>

#include "gazsync/config.h"
#include "gazsync/http.h"
#include "gazsync/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The gs_push_opts layout this header describes; another is refused
 *  (GS_EINVAL). */
#define GS_PUSH_OPTS_VERSION 1
/** Defaults: every enabled entity, the config's batch, the clock.
 *  `gs_push_opts opts = GS_PUSH_OPTS_INIT;` */
#define GS_PUSH_OPTS_INIT                                                      \
    {                                                                          \
        .version = GS_PUSH_OPTS_VERSION                                        \
    }

typedef struct {
    long long rows_pending;
    long long rows_pushed;
    long long rows_failed; /**< quarantined in push_failures */
    long long requests;
    long long batches;
    long long batch_rows; /**< rows per batch at the end: the configured
                               bound, or the smaller one statement timeouts
                               taught (kept in the cache's meta) */
    int code;
    char error[512];
} gs_push_entity_report;

typedef struct {
    gs_push_entity_report entity[GS_ENTITY_COUNT];
    long long requests; /**< Supabase requests, retries included; for the
                             PostgreSQL target, transactions (batches and
                             the run log) */
    const char *unit;   /**< what requests counts, in words (static) */
    long long rows_pushed;
} gs_push_report;

/** What a push progress callback is told: after each batch is recorded
 *  (@c finished NULL), and once when an entity is done, pushed or failed
 *  (@c finished its final report), so that a front end can show done/total
 *  while it runs and print each entity's result as it comes. */
typedef struct {
    const gs_entity *entity;
    long long rows;    /**< rows sent so far: landed or quarantined */
    long long total;   /**< rows to send: the backlog, counted before the
                            first batch, and the quarantined rows retried */
    long long batches; /**< batches recorded so far */
    const gs_push_entity_report *finished;
} gs_push_progress;

typedef void (*gs_push_progress_fn)(void *ctx,
                                    const gs_push_progress *progress);

typedef struct {
    unsigned version;  /**< GS_PUSH_OPTS_VERSION (GS_PUSH_OPTS_INIT sets it) */
    unsigned entities; /**< bit per entity; 0 = all enabled */
    int dry_run;       /**< print what would be sent, send nothing */
    int batch_rows;    /**< 0: the config's */
    const char *now;   /**< ISO UTC "now"; NULL: the clock */
    long long run_id;  /**< the sync_runs row to send to gazsync_runs; 0 none */
    /** When not NULL and nonzero, the push stops after the batch in flight
     *  and returns GS_ECANCELED. */
    const volatile sig_atomic_t *cancel;
    int resend_all; /**< send every row, live and deleted, whatever
                         last_pushed_seq says (`push --all`: a full
                         re-send, the seed's nightly job, a repair);
                         last_pushed_seq still only moves forward */
    /** Called after each recorded batch and when each entity ends (a dry
     *  run sends no batch: only the ends); NULL: none. */
    gs_push_progress_fn progress;
    void *progress_ctx;
} gs_push_opts;

/** Pushes; @p opts NULL: GS_PUSH_OPTS_INIT, another version is refused
 *  (GS_EINVAL). An entity that fails stops alone. GS_OK, GS_EPARTIAL or the
 * code of the failure when every entity failed. */
int gs_push_run(gs_push_report *report, gs_store *store, gs_http *http,
                const gs_config *cfg, const gs_push_opts *opts);

json_t *gs_push_report_json(const gs_push_report *report);

/** The push target in words, from @p cfg alone (no connection, no
 *  secret): "postgres at host H port P database D, sslmode require" or
 *  "supabase at HOST (PostgREST)", or what is missing. */
void gs_push_target_describe(char *out, size_t size, const gs_config *cfg);

/** The name this cache keeps the target's push state under (push_state,
 *  push_failures, the learnt batch bound): for the REST target
 *  `supabase_target` ("supabase"), as ever; for the PostgreSQL target
 *  "postgres:HOST:PORT/DATABASE" from the connection string (never its
 *  password), so that each database has its own, and switching target
 *  starts from the new target's own checkpoint (gazsync_push_state,
 *  reconciled at the first push) instead of the other target's. */
void gs_push_state_key(char *out, size_t size, const gs_config *cfg);

#ifdef __cplusplus
}
#endif
#endif

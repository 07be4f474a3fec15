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

typedef struct {
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
} gs_push_opts;

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

/** Pushes; an entity that fails stops alone. GS_OK, GS_EPARTIAL or the code
 *  of the failure when every entity failed. */
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

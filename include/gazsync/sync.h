/**
 * @file sync.h
 * @brief One whole run: its `sync_runs` row opened, the pull, the push, the
 *        run's code, the row completed with both halves' figures. `gazsync
 *        pull`, `push` and `sync` are this with one half or both.
 */
#ifndef GAZSYNC_SYNC_H
#define GAZSYNC_SYNC_H

#include "gazsync/config.h"
#include "gazsync/error.h"
#include "gazsync/gazelle.h"
#include "gazsync/http.h"
#include "gazsync/pull.h"
#include "gazsync/push.h"
#include "gazsync/store.h"

#ifdef __cplusplus
extern "C" {
#endif

struct gs_sync_report;

/** Told once the run's row exists (@p run_id), before the first request:
 *  from then on a stop request (opts.cancel) is recorded as "interrupted". */
typedef void (*gs_sync_begin_fn)(void *ctx, long long run_id);
/** Told after the pull half, before the push half starts. */
typedef void (*gs_sync_half_fn)(void *ctx, const struct gs_sync_report *rep);

/** The gs_sync_opts layout this header describes; another is refused
 *  (GS_EINVAL). */
#define GS_SYNC_OPTS_VERSION 1
/** Both halves, a run row named "sync", the halves' own defaults.
 *  `gs_sync_opts opts = GS_SYNC_OPTS_INIT;` */
#define GS_SYNC_OPTS_INIT                                                      \
    {                                                                          \
        .version = GS_SYNC_OPTS_VERSION, .command = "sync", .pull = 1,         \
        .push = 1, .record = 1, .pull_opts = GS_PULL_OPTS_INIT,                \
        .push_opts = GS_PUSH_OPTS_INIT                                         \
    }

typedef struct {
    unsigned version;    /**< GS_SYNC_OPTS_VERSION */
    const char *command; /**< the row's command: "sync", "pull", "push" */
    int pull;            /**< run the pull half */
    int push;            /**< run the push half */
    int record;          /**< write a sync_runs row (a dry run does not) */
    const char *now;     /**< ISO UTC "now" for the row's stamps; NULL: the
                              clock (the halves have their own, in their
                              opts, and a caller sets all three alike) */
    gs_pull_opts pull_opts;
    gs_push_opts push_opts;    /**< run_id is set by gs_sync_run() */
    gs_sync_begin_fn on_begin; /**< may be NULL */
    gs_sync_half_fn on_pull;   /**< may be NULL */
    void *callback_ctx;
} gs_sync_opts;

typedef struct gs_sync_report {
    gs_pull_report pull;
    gs_push_report push;
    int pulled, pushed;  /**< which halves ran */
    int pull_code;       /**< GS_OK when the half did not run */
    int push_code;       /**< GS_OK when the half did not run */
    gs_error pull_error; /**< the half's detail, as it left it */
    gs_error push_error;
    double pull_seconds;    /**< wall time of the pull half */
    long long run_id;       /**< the sync_runs row; 0: none */
    int code;               /**< the run's code (the return value) */
    int run_log_code;       /**< GS_OK, or why the row could not be
                                 completed (the halves still ran) */
    gs_error run_log_error; /**< its detail */
} gs_sync_report;

/**
 * Runs the halves of @p opts against @p store: the pull through @p gazelle
 * (needed when opts.pull), then the push through @p supabase (NULL for the
 * PostgreSQL target or a dry run), in one `sync_runs` row when opts.record.
 * The push runs whatever the pull did (pages commit with their cursor, so
 * what the cache holds can go out), except after a cache fault (GS_ESTORE)
 * or a stop request (GS_ECANCELED).
 *
 * Returns the run's code: GS_OK; a cache fault or a stop, as it is, the
 * pull's first; GS_EPARTIAL when each half that ran did at least part of
 * its work and one did not all of it; otherwise the code of the half that
 * failed as a whole (the pull's first). The row's opening failing is
 * returned as it is, and nothing runs. GS_EINVAL for an opts version this
 * library does not know. @p report is filled in every case.
 */
int gs_sync_run(gs_sync_report *report, gs_store *store, gs_gazelle *gazelle,
                gs_http *supabase, const gs_config *cfg,
                const gs_sync_opts *opts);

/** The run's code from its halves' codes (the rule gs_sync_run() applies;
 *  a half that did not run counts as GS_OK). */
int gs_sync_code(int pull_code, int push_code);

/** The detail that explains report->code: the pull's when it failed as a
 *  whole or only the pull ran, else the push's. Never NULL. */
const gs_error *gs_sync_report_error(const gs_sync_report *report);

/** The run row's status for the run code @p code (static): "ok",
 *  "partial", "interrupted" (GS_ECANCELED) or "failed". */
const char *gs_sync_status(int code);

#ifdef __cplusplus
}
#endif
#endif

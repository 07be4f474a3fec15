/**
 * @file pull.h
 * @brief `gazsync pull`: decides locally, per entity, whether to call
 *        Gazelle, then pages the answer into the cache, one transaction per
 *        page with its cursor checkpointed.
 */
#ifndef GAZSYNC_PULL_H
#define GAZSYNC_PULL_H

#include <signal.h>

#include "gazsync/config.h"
#include "gazsync/gazelle.h"
#include "gazsync/store.h"

#ifdef __cplusplus
extern "C" {
#endif

struct gs_entity_report;

/** What a progress callback is told: after each stored page (@c finished
 *  NULL), and once when an entity is done, pulled, skipped or failed
 *  (@c finished its final report), so that a front end can print each
 *  entity's result as it comes rather than at the end of the run. */
typedef struct {
    const gs_entity *entity;
    long pages;      /**< pages stored so far */
    long long rows;  /**< rows read so far */
    long long total; /**< rows Gazelle announced (totalCount); -1: not
                          known (a plain list, a finished entity) */
    const struct gs_entity_report *finished;
} gs_progress;

typedef void (*gs_progress_fn)(void *ctx, const gs_progress *progress);

typedef struct {
    unsigned entities; /**< bit (1u << gs_entity_id) per entity to pull;
                            0 = all enabled */
    unsigned force;    /**< bit per entity whose policy is ignored */
    int full;          /**< re-read everything, sweeping deletions */
    const char *now;   /**< ISO UTC "now" (experiments); NULL: the clock */
    gs_progress_fn progress;
    void *progress_ctx;
    /** When not NULL and nonzero (a signal handler sets it), the pull stops
     *  after the page being stored, keeps its checkpoint, and returns
     *  GS_ECANCELED. */
    const volatile sig_atomic_t *cancel;
} gs_pull_opts;

typedef enum {
    GS_DECISION_NONE = 0, /**< not asked for */
    GS_DECISION_PULLED,
    GS_DECISION_SKIPPED,
    GS_DECISION_FAILED,
} gs_decision;

typedef struct gs_entity_report {
    gs_decision decision;
    char reason[160]; /**< "table has 5 rows (if-empty); --force users" */
    long pages;
    long long requests; /**< Gazelle requests for this entity */
    long long rows_seen;
    long long rows_changed;
    long long rows_deleted;
    double seconds;
    int code; /**< GS_OK or the failure */
    char error[512];
} gs_entity_report;

typedef struct {
    gs_entity_report entity[GS_ENTITY_COUNT];
    long long requests;       /**< Gazelle requests of the whole run */
    int users_auto_triggered; /**< an unknown technician was named */
} gs_pull_report;

/**
 * Pulls the entities of @p opts into @p store through @p client. An entity
 * that fails is reported and the others still run, except after a cache
 * fault (GS_ESTORE: corrupt, full, unreadable) or a cancel (GS_ECANCELED),
 * which stop the run and are returned as they are. Returns GS_OK, the
 * failure's code when every attempted entity failed, or GS_EPARTIAL.
 */
int gs_pull_run(gs_pull_report *report, gs_store *store, gs_gazelle *client,
                const gs_config *cfg, const gs_pull_opts *opts);

/**
 * What the next pull of @p entity would do, in words ("skip: table has 5
 * rows (policy if-empty) ..."), decided exactly as gs_pull_run() decides,
 * from the cache and @p cfg alone: no network. @p now as in gs_pull_opts.
 */
int gs_pull_preview(char *decision, size_t size, gs_store *store,
                    const gs_config *cfg, const gs_entity *entity,
                    const char *now);

/** The report as JSON (per-entity stats for sync_runs). Caller decrefs. */
json_t *gs_pull_report_json(const gs_pull_report *report);

#ifdef __cplusplus
}
#endif
#endif

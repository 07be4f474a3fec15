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

/** The gs_pull_opts layout this header describes. A caller built against
 *  another layout is refused (GS_EINVAL) rather than misread. */
#define GS_PULL_OPTS_VERSION 1
/** Defaults: every enabled entity by its policy, the clock, no callback.
 *  `gs_pull_opts opts = GS_PULL_OPTS_INIT;` */
#define GS_PULL_OPTS_INIT                                                      \
    {                                                                          \
        .version = GS_PULL_OPTS_VERSION                                        \
    }

typedef struct {
    unsigned version;  /**< GS_PULL_OPTS_VERSION (GS_PULL_OPTS_INIT sets it) */
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

/** Why the plan is what it is: the decision as data, for a front end to
 *  word (the reason string says the same in English, for the log). */
typedef enum {
    GS_WHY_NONE = 0,       /**< not decided (not asked for) */
    GS_WHY_FORCED,         /**< opts.force: full read */
    GS_WHY_FULL,           /**< opts.full: full read */
    GS_WHY_DISABLED,       /**< skipped: the entity is disabled */
    GS_WHY_INTERVAL,       /**< skipped: max-age not elapsed (age_s,
                                interval_s) */
    GS_WHY_FULL_DUE,       /**< full-every elapsed: full read (interval_s) */
    GS_WHY_TABLE_HAS_ROWS, /**< skipped: if-empty and the table has rows */
    GS_WHY_TABLE_EMPTY,    /**< if-empty, the table is empty: full read */
    GS_WHY_FIRST_RUN,      /**< no earlier success: full read */
    GS_WHY_WINDOW,         /**< window policy: the date window */
    GS_WHY_NEW_ROWS,       /**< new-rows policy: created since a date */
    GS_WHY_NO_CREATED,     /**< new-rows, no known creation date: full */
    GS_WHY_SINCE,          /**< since policy: high-water minus lookback */
    GS_WHY_ALWAYS,         /**< always policy: full read */
    GS_WHY_HIRE,           /**< users: the data named an unknown
                                technician (users_auto_triggered) */
    GS_WHY_WITH_CLIENTS,   /**< contacts: read inside the clients' pages */
} gs_pull_why;

typedef struct gs_entity_report {
    gs_decision decision;
    gs_pull_why why;       /**< the plan's cause */
    gs_policy_kind policy; /**< the entity's configured policy */
    long long rows;        /**< GS_WHY_TABLE_HAS_ROWS: the cache's rows */
    long long age_s;       /**< GS_WHY_INTERVAL: since the last success */
    long long interval_s;  /**< GS_WHY_INTERVAL: max-age; GS_WHY_FULL_DUE:
                                full-every */
    int can_force;      /**< skipped, and opts.force of this entity reads it */
    int clock_back;     /**< the last success is after "now" (the clock went
                             back): read now rather than wait */
    int resumes;        /**< gs_pull_preview: the pull resumes a saved cursor */
    char reason[160];   /**< the same in English, for the log and `status`:
                             "table has 5 rows (policy if-empty); ..." */
    long pages;         /**< pages of this entity stored */
    long long requests; /**< Gazelle requests that carried its pages (a
                             packed request carries several entities'),
                             its follow-ups included */
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
    long long pages;          /**< pages of every entity (requests carry
                                   several when packed) */
    int request_nodes;        /**< packed: the budget the run used (config,
                                   or less as refusals taught); 0 unpacked */
    int users_auto_triggered; /**< an unknown technician was named */
} gs_pull_report;

/**
 * Pulls the entities of @p opts (NULL: GS_PULL_OPTS_INIT) into @p store
 * through @p client. An @p opts of another version is refused (GS_EINVAL). An
 * entity that fails is reported and the others still run, except after a cache
 * fault (GS_ESTORE: corrupt, full, unreadable) or a cancel (GS_ECANCELED),
 * which stop the run and are returned as they are. Returns GS_OK, the
 * failure's code when every attempted entity failed, or GS_EPARTIAL.
 */
int gs_pull_run(gs_pull_report *report, gs_store *store, gs_gazelle *client,
                const gs_config *cfg, const gs_pull_opts *opts);

/**
 * What the next pull of @p entity would do, decided exactly as
 * gs_pull_run() decides, from the cache and @p cfg alone: no network.
 * Fills @p out's decision (GS_DECISION_SKIPPED or GS_DECISION_PULLED for
 * "would pull"), why, policy, rows, can_force, clock_back, resumes and
 * reason; the counters stay zero. @p now as in gs_pull_opts.
 */
int gs_pull_preview(gs_entity_report *out, gs_store *store,
                    const gs_config *cfg, const gs_entity *entity,
                    const char *now);

/** The static name of @p why for JSON ("table-has-rows", "forced", ...). */
const char *gs_pull_why_name(gs_pull_why why);

/** The report as JSON (per-entity stats for sync_runs). Caller decrefs. */
json_t *gs_pull_report_json(const gs_pull_report *report);

#ifdef __cplusplus
}
#endif
#endif

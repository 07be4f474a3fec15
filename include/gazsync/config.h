/**
 * @file config.h
 * @brief Configuration: the environment first, then a `.env` file, then an
 *        INI file (libinih) for policies, batch sizes, table names and the
 *        business time zone. Secrets come only from the environment or .env.
 *
 * INI layout (every key optional):
 * @code
 * [gazsync]
 * time_zone = America/Montreal
 * page_size = 100
 * min_interval_ms = 200
 * run_timeout_s = 21600      ; no request starts after this (6 h)
 * max_answer_bytes = 33554432 ; a larger answer is cut off, an error
 * pack = on                 ; several pages in one request (issue 13); off:
 *                           ; one page a request, as before (GAZSYNC_PACK;
 *                           ; GAZSYNC_REQUEST_NODES, GAZSYNC_MAX_REQUESTS)
 * request_nodes = 2000      ; packed: the sum of `first` over one request's
 *                           ; pages (a refusal as too costly lowers it, and
 *                           ; the cache remembers: engine/pull/README.md)
 * max_requests = 0          ; Gazelle requests a run may make; 0: no bound.
 *                           ; Reached: the pull stops as an error, and the
 *                           ; next run resumes the full reads it cut
 * [push]
 * batch_rows = 500
 * batch_bytes = 4000000
 * [entity.clients]
 * policy = always           ; or if-empty, new-rows, window=-60d..+90d, since
 * lookback = 7d             ; since overlap
 * max_age = 6h              ; skip when the last success is younger
 * full_every = 30d          ; full re-read now and then: deletions, edits
 * page_size = 100           ; nodes per request for this entity
 * column.company_name = name ; send an owned column under another name
 * column.tags = -            ; or not at all (the Supabase table lacks it)
 * target_table = gazelle_clients
 * enabled = true
 * @endcode
 */
#ifndef GAZSYNC_CONFIG_H
#define GAZSYNC_CONFIG_H

#include "gazsync/entity.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    GS_POLICY_ALWAYS = 0, /**< full re-read every run */
    GS_POLICY_IF_EMPTY,   /**< skip when the cache has rows */
    GS_POLICY_NEW_ROWS,   /**< CREATED_AT_DESC from the newest known
                               creation date (clients, pianos) */
    GS_POLICY_WINDOW,     /**< re-read a date window around today */
    GS_POLICY_SINCE,      /**< occurredAtGet: high-water minus lookback */
} gs_policy_kind;

/** More than any entity maps (see engine/entity_map.c). */
#define GS_MAX_COLUMNS 32

typedef struct {
    gs_policy_kind kind;
    long long max_age_s;    /**< 0: no age rule */
    long long lookback_s;   /**< overlap below the high-water mark */
    long long full_every_s; /**< full re-read (sweeping deletions) when
                                 the last one is older; 0: never */
    int window_past_days;   /**< window: days before today (positive) */
    int window_future_days; /**< window: days after today */
    int enabled;
    int page_size; /**< nodes per request; 0: the global one */
    char target_table[64];
    /** The Supabase name of each owned column, by its index in
     *  gs_entity.columns: "" its own name, "-" not sent at all (INI
     *  `column.<name> = <target name>|-`). */
    char column_target[GS_MAX_COLUMNS][64];
} gs_entity_policy;

/** The push's transport (docs/push.md). */
typedef enum {
    GS_PUSH_TARGET_SUPABASE = 0, /**< PostgREST bulk upserts (default) */
    GS_PUSH_TARGET_POSTGRES = 1, /**< libpq: COPY, merge, checkpoint */
} gs_push_target_kind;

typedef struct {
    /* Gazelle */
    char *gazelle_url;
    char *gazelle_oauth_url;
    char *gazelle_access_token;  /**< secret */
    char *gazelle_api_key;       /**< secret */
    char *gazelle_refresh_token; /**< secret */
    char *gazelle_client_id;
    char *gazelle_client_secret; /**< secret */
    /* Supabase */
    char *supabase_url;
    char *supabase_key;    /**< secret */
    char *supabase_target; /**< name of the target in push_state */
    /** Where the push writes (`[push] target`): PostgREST or libpq. */
    gs_push_target_kind push_target;
    /** libpq connection string (GAZSYNC_PG_URL, else DATABASE_URL; the
     *  environment or .env only, never the INI): secret. */
    char *pg_url;
    /* behaviour */
    char time_zone[64];
    int page_size;
    long min_interval_ms;
    long timeout_ms;
    int max_attempts;
    long backoff_base_ms;
    long run_timeout_s;    /**< whole run's HTTP deadline; 0: none */
    long max_answer_bytes; /**< cap on one HTTP answer's body */
    int pack;              /**< pages of several reads in one request */
    int request_nodes;     /**< packed: sum of `first` in one request */
    long max_requests;     /**< Gazelle requests per run; 0: no bound */
    int push_batch_rows;
    long push_batch_bytes;
    char *ca_bundle;
    gs_entity_policy policy[GS_ENTITY_COUNT];
} gs_config;

/** Fills @p cfg with the built-in defaults (users if-empty, clients and
 *  pianos always, appointments window=-7d..+190d, timeline since,
 *  America/Montreal, pages of 100, batches of 500 rows). It allocates:
 *  release with gs_config_free(), and do not call it before
 *  gs_config_load(), which starts from the defaults itself. */
void gs_config_defaults(gs_config *cfg);

/**
 * Defaults, then @p ini_path (NULL: none; missing file is GS_ECONFIG when
 * named), then @p env_path (a .env file, NULL: none, missing is fine), then
 * the process environment, each overriding the previous. Errors:
 * GS_ECONFIG naming the file, line and key.
 */
int gs_config_load(gs_config *cfg, const char *ini_path, const char *env_path);

/** Frees the strings of @p cfg (not the struct). */
void gs_config_free(gs_config *cfg);

/** Whether @p entity can be read with policy @p p (window: appointments,
 *  since: timeline_entries, new-rows: clients and pianos). GS_EINVAL
 *  naming the entity and why. */
int gs_policy_check(const gs_entity *entity, const gs_entity_policy *p);

/** Parses a policy text ("always", "window=-60d..+90d", "if-empty",
 *  "since", "always") into @p out's kind and window. GS_EINVAL when bad. */
int gs_policy_parse(gs_entity_policy *out, const char *text);

/** Writes the policy of @p p as text ("window=-60d..+90d,max-age=6h"). */
void gs_policy_format(char *out, size_t size, const gs_entity_policy *p);

/** Parses "90s", "10m", "6h", "30d", "2w" into seconds. GS_EINVAL when bad. */
int gs_duration_parse(long long *seconds, const char *text);

#ifdef __cplusplus
}
#endif
#endif

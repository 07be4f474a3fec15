/* Configuration: built-in defaults, then the INI file (config_ini.c), then a
 * .env file (dotenv.c), then the process environment, each overriding the
 * one before. A variable set in the process environment always beats the
 * same name in .env, the way shells and docker-compose treat .env files.
 * No value read here is ever printed: messages name the variable only. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "gazsync/config.h"
#include "gazsync/error.h"
#include "internal_config.h"
#include "secret.h"

#define DEFAULT_GAZELLE_URL "https://gazelleapp.io/graphql/private/"

/* ---- defaults -------------------------------------------------------- */

void gs_config_defaults(gs_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->gazelle_url = strdup(DEFAULT_GAZELLE_URL);
    cfg->supabase_target = strdup("supabase");
    snprintf(cfg->time_zone, sizeof cfg->time_zone, "America/Montreal");
    cfg->page_size = 100;
    cfg->min_interval_ms = 200;
    cfg->timeout_ms = 120000;
    cfg->max_attempts = 5;
    cfg->backoff_base_ms = 500;
    cfg->run_timeout_s = 21600;
    cfg->max_answer_bytes = 32L * 1024 * 1024;
    cfg->pack = 1;
    /* Ten pages of 200: a quiet night of the default business in 3
     * requests (engine/pull/README.md). */
    cfg->request_nodes = 2000;
    cfg->push_batch_rows = 500;
    cfg->push_batch_bytes = 4000000;
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        gs_entity_policy *p = &cfg->policy[i];
        const gs_entity *e = gs_entity_get((gs_entity_id)i);
        p->enabled = 1;
        snprintf(p->target_table, sizeof p->target_table, "%s",
                 e->target_table);
        /* The descriptor's default, in the INI file's own words; each one
         * parses and suits its entity (tests/unit/engine/test_entity.c), so
         * a failure here cannot happen and would leave "always". */
        gs_policy_parse(p, e->default_policy);
        p->page_size = e->default_page_size;
    }
}

void gs_config_free(gs_config *cfg)
{
    if (!cfg)
        return;
    char **strings[] = {
        &cfg->gazelle_url,
        &cfg->gazelle_oauth_url,
        &cfg->gazelle_access_token,
        &cfg->gazelle_api_key,
        &cfg->gazelle_refresh_token,
        &cfg->gazelle_client_id,
        &cfg->gazelle_client_secret,
        &cfg->supabase_url,
        &cfg->supabase_key,
        &cfg->supabase_target,
        &cfg->ca_bundle,
        &cfg->pg_url,
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        gs_secret_free(*strings[i]);
        *strings[i] = NULL;
    }
}

/* ---- environment ----------------------------------------------------- */

/* Where a value came from, for messages ("environment", ".env:3"). */
typedef struct {
    const char *value;
    char origin[300];
} env_value;

static int lookup(env_value *out, const gs__dotenv *dotenv, const char *path,
                  const char *name)
{
    int line = 0;

    out->value = getenv(name);
    if (out->value) {
        snprintf(out->origin, sizeof out->origin, "environment");
        return 1;
    }
    out->value = gs__dotenv_get(dotenv, name, &line);
    if (out->value) {
        snprintf(out->origin, sizeof out->origin, "%.250s:%d", path, line);
        return 1;
    }
    return 0;
}

typedef enum { V_STRING, V_URL, V_LONG, V_INT, V_ZONE, V_BOOL } value_kind;

typedef struct {
    const char *name;
    value_kind kind;
    size_t offset; /* in gs_config */
    long min, max;
} env_var;

#define AT(field) offsetof(gs_config, field)
static const env_var env_vars[] = {
    {"GAZELLE_API_URL", V_URL, AT(gazelle_url), 0, 0},
    {"GAZELLE_OAUTH_URL", V_URL, AT(gazelle_oauth_url), 0, 0},
    {"GAZELLE_ACCESS_TOKEN", V_STRING, AT(gazelle_access_token), 0, 0},
    {"GAZELLE_API_KEY", V_STRING, AT(gazelle_api_key), 0, 0},
    {"GAZELLE_REFRESH_TOKEN", V_STRING, AT(gazelle_refresh_token), 0, 0},
    {"GAZELLE_CLIENT_ID", V_STRING, AT(gazelle_client_id), 0, 0},
    {"GAZELLE_CLIENT_SECRET", V_STRING, AT(gazelle_client_secret), 0, 0},
    {"SUPABASE_URL", V_URL, AT(supabase_url), 0, 0},
    {"SUPABASE_SERVICE_ROLE_KEY", V_STRING, AT(supabase_key), 0, 0},
    /* DATABASE_URL first: GAZSYNC_PG_URL, applied after it, wins. */
    {"DATABASE_URL", V_STRING, AT(pg_url), 0, 0},
    {"GAZSYNC_PG_URL", V_STRING, AT(pg_url), 0, 0},
    {"GAZSYNC_CA_BUNDLE", V_STRING, AT(ca_bundle), 0, 0},
    {"GAZSYNC_TIME_ZONE", V_ZONE, AT(time_zone), 0, 0},
    {"GAZSYNC_MIN_INTERVAL_MS", V_LONG, AT(min_interval_ms), 0, 600000},
    {"GAZSYNC_TIMEOUT_MS", V_LONG, AT(timeout_ms), 1000, 3600000},
    {"GAZSYNC_BACKOFF_BASE_MS", V_LONG, AT(backoff_base_ms), 1, 600000},
    {"GAZSYNC_MAX_ATTEMPTS", V_INT, AT(max_attempts), 1, 100},
    {"GAZSYNC_PAGE_SIZE", V_INT, AT(page_size), 1, 1000},
    {"GAZSYNC_RUN_TIMEOUT_S", V_LONG, AT(run_timeout_s), 1, 604800},
    {"GAZSYNC_MAX_ANSWER_BYTES", V_LONG, AT(max_answer_bytes), 1024,
     4294967296L},
    {"GAZSYNC_PACK", V_BOOL, AT(pack), 0, 1},
    {"GAZSYNC_REQUEST_NODES", V_INT, AT(request_nodes), 1, 1000000},
    {"GAZSYNC_MAX_REQUESTS", V_LONG, AT(max_requests), 0, 100000000},
};
#undef AT

static int apply_env_var(gs_config *cfg, const env_var *var, const env_value *v)
{
    char *base = (char *)cfg + var->offset;
    long n;

    switch (var->kind) {
    case V_URL:
        if (!gs__valid_url(v->value))
            goto bad;
        /* fall through */
    case V_STRING:
        if (!*v->value) /* an empty variable means "not set" */
            return GS_OK;
        if (gs__set_string((char **)(void *)base, v->value) != GS_OK)
            return gs_error_set(GS_ENOMEM, GS_ECLASS_CONFIG, "out of memory");
        return GS_OK;
    case V_ZONE:
        if (!gs__valid_time_zone(v->value) ||
            gs__known_time_zone(v->value) != 0)
            return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                                "%s: %s '%.64s' is not a known time zone "
                                "(like America/Montreal, Europe/Paris, UTC)",
                                v->origin, var->name, v->value);
        snprintf(cfg->time_zone, sizeof cfg->time_zone, "%s", v->value);
        return GS_OK;
    case V_LONG:
        if (gs__parse_long(&n, v->value, var->min, var->max) != 0)
            goto bad;
        *(long *)(void *)base = n;
        return GS_OK;
    case V_INT:
        if (gs__parse_long(&n, v->value, var->min, var->max) != 0)
            goto bad;
        *(int *)(void *)base = (int)n;
        return GS_OK;
    case V_BOOL:
        if (gs__parse_bool((int *)(void *)base, v->value) != 0)
            goto bad;
        return GS_OK;
    }
bad:
    /* the variable's name and origin, never its value */
    if (var->kind == V_LONG || var->kind == V_INT)
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "%s: %s must be a whole number from %ld to %ld",
                            v->origin, var->name, var->min, var->max);
    return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG, "%s: %s is not valid%s",
                        v->origin, var->name,
                        var->kind == V_URL    ? " (an http:// or https:// URL)"
                        : var->kind == V_BOOL ? " (on or off)"
                                              : "");
}

static int apply_environment(gs_config *cfg, const gs__dotenv *dotenv,
                             const char *env_path)
{
    env_value v;
    int rc;

    for (size_t i = 0; i < sizeof env_vars / sizeof env_vars[0]; i++) {
        if (!lookup(&v, dotenv, env_path, env_vars[i].name))
            continue;
        rc = apply_env_var(cfg, &env_vars[i], &v);
        if (rc != GS_OK)
            return rc;
    }
    return GS_OK;
}

int gs_config_load(gs_config *cfg, const char *ini_path, const char *env_path)
{
    gs__dotenv dotenv = {0};
    int rc = GS_OK;

    gs_config_defaults(cfg);
    if (!cfg->gazelle_url || !cfg->supabase_target) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_CONFIG, "out of memory");
        goto done;
    }
    if (ini_path) {
        rc = gs__config_load_ini(cfg, ini_path);
        if (rc != GS_OK)
            goto done;
    }
    rc = gs__dotenv_load(&dotenv, env_path);
    if (rc != GS_OK)
        goto done;
    rc = apply_environment(cfg, &dotenv, env_path);
done:
    gs__dotenv_free(&dotenv);
    if (rc != GS_OK) {
        gs_config_free(cfg);
    }
    return rc;
}

/* The INI file (libinih): [gazsync], [push] and [entity.<name>] sections.
 * Unknown sections and keys are errors, not silently ignored: a misspelt
 * "polcy = delta" would otherwise leave a default that costs API calls.
 * Secrets are not accepted here; they come from the environment or .env. */
#include <ini.h>
#include <stdio.h>
#include <string.h>

#include "gazsync/error.h"
#include "internal_config.h"

typedef struct {
    gs_config *cfg;
    int code;      /* first error, GS_OK when none */
    char why[512]; /* its text, without file:line */
} ini_ctx;

/* Records the first error only; libinih returns that error's line. */
static int fail(ini_ctx *ctx, int code, const char *fmt, const char *a,
                const char *b)
{
    if (ctx->code == GS_OK) {
        ctx->code = code;
        snprintf(ctx->why, sizeof ctx->why, fmt, a, b);
    }
    return 0;
}

static int unknown_key(ini_ctx *ctx, const char *section, const char *name)
{
    if (strstr(name, "token") || strstr(name, "secret") ||
        strstr(name, "key") || strstr(name, "password"))
        return fail(ctx, GS_ECONFIG,
                    "unknown key '%s' in [%s] (secrets are read only from "
                    "the environment or .env)",
                    name, section);
    return fail(ctx, GS_ECONFIG, "unknown key '%s' in [%s]", name, section);
}

static int bad_value(ini_ctx *ctx, const char *section, const char *name)
{
    return fail(ctx, GS_ECONFIG, "bad value for '%s' in [%s]", name, section);
}

static int set_long(ini_ctx *ctx, long *dst, const char *section,
                    const char *name, const char *value, long min, long max)
{
    if (gs__parse_long(dst, value, min, max) != 0)
        return bad_value(ctx, section, name);
    return 1;
}

static int set_str(ini_ctx *ctx, char **dst, const char *value)
{
    if (gs__set_string(dst, value) != GS_OK)
        return fail(ctx, GS_ENOMEM, "out of memory%s%s", "", "");
    return 1;
}

static int main_key(ini_ctx *ctx, const char *s, const char *name,
                    const char *value)
{
    gs_config *cfg = ctx->cfg;
    long n;

    if (strcmp(name, "time_zone") == 0) {
        if (!gs__valid_time_zone(value))
            return bad_value(ctx, s, name);
        snprintf(cfg->time_zone, sizeof cfg->time_zone, "%s", value);
        return 1;
    }
    if (strcmp(name, "page_size") == 0) {
        if (!set_long(ctx, &n, s, name, value, 1, 1000))
            return 0;
        cfg->page_size = (int)n;
        return 1;
    }
    if (strcmp(name, "min_interval_ms") == 0)
        return set_long(ctx, &cfg->min_interval_ms, s, name, value, 0, 600000);
    if (strcmp(name, "timeout_ms") == 0)
        return set_long(ctx, &cfg->timeout_ms, s, name, value, 1000, 3600000);
    if (strcmp(name, "backoff_base_ms") == 0)
        return set_long(ctx, &cfg->backoff_base_ms, s, name, value, 1, 600000);
    if (strcmp(name, "max_attempts") == 0) {
        if (!set_long(ctx, &n, s, name, value, 1, 100))
            return 0;
        cfg->max_attempts = (int)n;
        return 1;
    }
    if (strcmp(name, "gazelle_api_url") == 0 ||
        strcmp(name, "gazelle_oauth_url") == 0 ||
        strcmp(name, "supabase_url") == 0) {
        if (!gs__valid_url(value))
            return bad_value(ctx, s, name);
        return set_str(ctx,
                       name[0] == 's'   ? &cfg->supabase_url
                       : name[8] == 'a' ? &cfg->gazelle_url
                                        : &cfg->gazelle_oauth_url,
                       value);
    }
    if (strcmp(name, "supabase_target") == 0) {
        if (!*value)
            return bad_value(ctx, s, name);
        return set_str(ctx, &cfg->supabase_target, value);
    }
    if (strcmp(name, "ca_bundle") == 0)
        return set_str(ctx, &cfg->ca_bundle, value);
    return unknown_key(ctx, s, name);
}

static int push_key(ini_ctx *ctx, const char *s, const char *name,
                    const char *value)
{
    long n;

    if (strcmp(name, "batch_rows") == 0) {
        if (!set_long(ctx, &n, s, name, value, 1, 100000))
            return 0;
        ctx->cfg->push_batch_rows = (int)n;
        return 1;
    }
    if (strcmp(name, "batch_bytes") == 0)
        return set_long(ctx, &ctx->cfg->push_batch_bytes, s, name, value, 1024,
                        1L << 30);
    return unknown_key(ctx, s, name);
}

/* column.<owned column> = <Supabase column> | - */
static int column_key(ini_ctx *ctx, const gs_entity *e, gs_entity_policy *p,
                      const char *s, const char *name, const char *value)
{
    const char *column = name + 7; /* after "column." */

    for (size_t i = 0; i < e->n_columns && i < GS_MAX_COLUMNS; i++) {
        if (strcmp(e->columns[i].name, column) != 0)
            continue;
        /* The id is the upsert's conflict key, external_id: not renamable. */
        if (i == 0 || (strcmp(value, "-") != 0 && !gs__valid_table_name(value)))
            return bad_value(ctx, s, name);
        snprintf(p->column_target[i], sizeof p->column_target[i], "%s", value);
        return 1;
    }
    return fail(ctx, GS_ECONFIG, "'%s' in [%s]: not a column gazsync owns",
                name, s);
}

static int entity_key(ini_ctx *ctx, const gs_entity *e, gs_entity_policy *p,
                      const char *s, const char *name, const char *value)
{
    long long seconds;

    if (strncmp(name, "column.", 7) == 0)
        return column_key(ctx, e, p, s, name, value);

    if (strcmp(name, "policy") == 0) {
        /* The parser's own words: "delta" says why it is gone. */
        if (gs_policy_parse(p, value) != GS_OK ||
            gs_policy_check(e, p) != GS_OK)
            return fail(ctx, GS_ECONFIG, "[%s] policy: %.440s", s,
                        gs_error_last()->message);
        return 1;
    }
    if (strcmp(name, "lookback") == 0 || strcmp(name, "max_age") == 0 ||
        strcmp(name, "full_every") == 0) {
        if (gs_duration_parse(&seconds, value) != GS_OK)
            return bad_value(ctx, s, name);
        if (name[0] == 'l')
            p->lookback_s = seconds;
        else if (name[0] == 'm')
            p->max_age_s = seconds;
        else
            p->full_every_s = seconds;
        return 1;
    }
    if (strcmp(name, "page_size") == 0) {
        long n;

        if (!set_long(ctx, &n, s, name, value, 1, 1000))
            return 0;
        p->page_size = (int)n;
        return 1;
    }
    if (strcmp(name, "target_table") == 0) {
        if (!gs__valid_table_name(value))
            return bad_value(ctx, s, name);
        snprintf(p->target_table, sizeof p->target_table, "%s", value);
        return 1;
    }
    if (strcmp(name, "enabled") == 0) {
        if (gs__parse_bool(&p->enabled, value) != 0)
            return bad_value(ctx, s, name);
        return 1;
    }
    return unknown_key(ctx, s, name);
}

static int on_entry(void *user, const char *section, const char *name,
                    const char *value)
{
    ini_ctx *ctx = user;

    if (ctx->code != GS_OK)
        return 0;
    if (!name) /* a section header alone (INI_CALL_HANDLER_ON_NEW_SECTION) */
        return 1;
    if (strcmp(section, "gazsync") == 0)
        return main_key(ctx, section, name, value);
    if (strcmp(section, "push") == 0)
        return push_key(ctx, section, name, value);
    if (strncmp(section, "entity.", 7) == 0) {
        const gs_entity *e = gs_entity_find(section + 7);
        if (!e)
            return fail(ctx, GS_ECONFIG, "unknown entity in section [%s]%s",
                        section, "");
        return entity_key(ctx, e, &ctx->cfg->policy[e->id], section, name,
                          value);
    }
    if (!*section)
        return fail(ctx, GS_ECONFIG, "key '%s' outside any section%s", name,
                    "");
    return fail(ctx, GS_ECONFIG, "unknown section [%s]%s", section, "");
}

int gs__config_load_ini(gs_config *cfg, const char *path)
{
    ini_ctx ctx = {cfg, GS_OK, ""};
    int line = ini_parse(path, on_entry, &ctx);

    if (line < 0)
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "%s: cannot read the config file%s", path,
                            line == -1 ? "" : " (out of memory)");
    if (ctx.code != GS_OK)
        return gs_error_set(ctx.code, GS_ECLASS_CONFIG, "%s:%d: %s", path, line,
                            ctx.why);
    if (line > 0)
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG, "%s:%d: syntax error",
                            path, line);
    return GS_OK;
}

/* The INI file (libinih): [gazsync], [push] and [entity.<name>] sections.
 * Unknown sections and keys are errors, not silently ignored: a misspelt
 * "polcy = delta" would otherwise leave a default that costs API calls.
 * Secrets are not accepted here; they come from the environment or .env. */
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazsync/error.h"
#include "ident.h"
#include "internal_config.h"

/* A policy's target_table holds any name the one table rule accepts. */
_Static_assert(sizeof(((gs_entity_policy *)0)->target_table) ==
                   GS_TABLE_NAME_SIZE,
               "target_table and GS_TABLE_NAME_SIZE disagree");

/* What the reader saw of the line libinih is parsing: libinih hands the
 * handler a key and a value, not where they came from. */
typedef struct {
    FILE *file;
    int line;       /* of the text last read */
    int line_start; /* the next read starts a line */
    int indented;   /* that line starts with a blank */
} ini_reader_state;

/* Every key and section given, to refuse a second one: in libinih the last
 * one silently wins, and a policy set twice is a mistake either way. */
#define MAX_SEEN 512

typedef struct {
    char name[160]; /* "section" or "section\x1fkey" */
    int line;
} seen_entry;

typedef struct {
    gs_config *cfg;
    int code;      /* first error, GS_OK when none */
    char why[512]; /* its text, without file:line */
    int error_line;
    ini_reader_state reader;
    seen_entry *seen;
    size_t n_seen;
} ini_ctx;

/* Records the first error only; libinih returns that error's line. */
static int fail(ini_ctx *ctx, int code, const char *fmt, const char *a,
                const char *b)
{
    if (ctx->code == GS_OK) {
        ctx->code = code;
        ctx->error_line = ctx->reader.line;
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
        /* A misspelt zone must not become UTC: the window would shift by
         * hours without a word. The value is no secret: it is named. */
        if (!gs__valid_time_zone(value) || gs__known_time_zone(value) != 0) {
            char why[300];
            snprintf(why, sizeof why,
                     "'%.64s' is not a known time zone "
                     "(like America/Montreal, Europe/Paris, UTC)",
                     value);
            return fail(ctx, GS_ECONFIG, "time_zone = %s in [%s]", why, s);
        }
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
    if (strcmp(name, "run_timeout_s") == 0)
        return set_long(ctx, &cfg->run_timeout_s, s, name, value, 1, 604800);
    if (strcmp(name, "max_answer_bytes") == 0)
        return set_long(ctx, &cfg->max_answer_bytes, s, name, value, 1024,
                        4294967296L);
    if (strcmp(name, "pack") == 0) {
        if (gs__parse_bool(&cfg->pack, value) != 0)
            return bad_value(ctx, s, name);
        return 1;
    }
    if (strcmp(name, "request_nodes") == 0) {
        if (!set_long(ctx, &n, s, name, value, 1, 1000000))
            return 0;
        cfg->request_nodes = (int)n;
        return 1;
    }
    if (strcmp(name, "max_requests") == 0)
        return set_long(ctx, &cfg->max_requests, s, name, value, 0, 100000000);
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
    if (strcmp(name, "target") == 0) {
        if (strcmp(value, "supabase") == 0)
            ctx->cfg->push_target = GS_PUSH_TARGET_SUPABASE;
        else if (strcmp(value, "postgres") == 0)
            ctx->cfg->push_target = GS_PUSH_TARGET_POSTGRES;
        else
            return bad_value(ctx, s, name);
        return 1;
    }
    /* A connection string holds a password: the file is no place for it. */
    if (strcmp(name, "pg_url") == 0 || strcmp(name, "database_url") == 0)
        return fail(ctx, GS_ECONFIG,
                    "'%s' in [%s]: the PostgreSQL connection string is read "
                    "from GAZSYNC_PG_URL or DATABASE_URL only",
                    name, s);
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
        if (i == 0 || (strcmp(value, "-") != 0 && !gs_table_name_valid(value)))
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
        if (gs_duration_parse(&seconds, value) != GS_OK) {
            char why[300];
            snprintf(why, sizeof why, "%s' in [%s]: '%.64s'", name, s, value);
            return fail(ctx, GS_ECONFIG,
                        "bad value for '%s (a duration from "
                        "0s to 3660d, ten years, like 90s, 10m, 6h, 30d, 2w)%s",
                        why, "");
        }
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
        if (!gs_table_name_valid(value))
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

/* 0 when @p name was given before (ctx->why says where); records it. */
static int first_time(ini_ctx *ctx, const char *name, const char *what)
{
    for (size_t i = 0; i < ctx->n_seen; i++) {
        if (strcmp(ctx->seen[i].name, name) != 0)
            continue;
        ctx->code = GS_ECONFIG;
        ctx->error_line = ctx->reader.line;
        snprintf(ctx->why, sizeof ctx->why,
                 "%s given twice (first at line %d); keep one", what,
                 ctx->seen[i].line);
        return 0;
    }
    if (ctx->n_seen == MAX_SEEN || strlen(name) >= sizeof ctx->seen[0].name) {
        ctx->code = GS_ECONFIG;
        ctx->error_line = ctx->reader.line;
        snprintf(ctx->why, sizeof ctx->why, "%s: too many or too long keys",
                 what);
        return 0;
    }
    snprintf(ctx->seen[ctx->n_seen].name, sizeof ctx->seen[0].name, "%s", name);
    ctx->seen[ctx->n_seen++].line = ctx->reader.line;
    return 1;
}

/* fgets for libinih, noting each line's number and indentation. Debian's
 * libinih is built with INI_ALLOW_MULTILINE: an indented line continues the
 * previous value ("policy = delta\n  page_size = 5" makes the policy
 * "delta" then "page_size = 5"), which nobody means in this file. */
static char *read_line(char *str, int num, void *stream)
{
    ini_ctx *ctx = stream;
    ini_reader_state *r = &ctx->reader;
    char *got = fgets(str, num, r->file);
    size_t len;

    if (!got)
        return NULL;
    if (r->line_start) {
        r->line++;
        r->indented = str[0] == ' ' || str[0] == '\t';
        /* A section header, checked here: libinih reports none to the
         * handler (its INI_CALL_HANDLER_ON_NEW_SECTION is off). */
        const char *p = str + strspn(str, " \t");
        const char *close = *p == '[' ? strchr(p, ']') : NULL;
        if (close && ctx->code == GS_OK) {
            char section[160], what[200];

            snprintf(section, sizeof section, "%.*s", (int)(close - p - 1),
                     p + 1);
            snprintf(what, sizeof what, "section [%s]", section);
            first_time(ctx, section, what);
        }
    }
    len = strlen(str);
    r->line_start = len > 0 && str[len - 1] == '\n';
    return got;
}

static int on_entry(void *user, const char *section, const char *name,
                    const char *value)
{
    ini_ctx *ctx = user;
    char key[160], what[200];

    if (ctx->code != GS_OK)
        return 0;
    if (!name) /* a section header alone (INI_CALL_HANDLER_ON_NEW_SECTION) */
        return 1;
    if (ctx->reader.indented)
        return fail(ctx, GS_ECONFIG,
                    "indented line under '%s' in [%s]: libinih would join it "
                    "to the value above; start it at the first column",
                    name, section);
    snprintf(key, sizeof key, "%s\x1f%s", section, name);
    snprintf(what, sizeof what, "key '%s' in [%s]", name, section);
    if (!first_time(ctx, key, what))
        return 0;
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
    ini_ctx ctx;
    int line, rc;

    memset(&ctx, 0, sizeof ctx);
    ctx.cfg = cfg;
    ctx.code = GS_OK;
    ctx.reader.line_start = 1;
    ctx.reader.file = fopen(path, "r");
    if (!ctx.reader.file)
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "%s: cannot read the config file", path);
    ctx.seen = calloc(MAX_SEEN, sizeof *ctx.seen);
    if (!ctx.seen) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_CONFIG, "out of memory");
        goto done;
    }
    line = ini_parse_stream(read_line, &ctx, on_entry, &ctx);
    /* libinih parses on after an error; the line is the first error's. */
    if (ctx.code != GS_OK)
        line = ctx.error_line;
    if (line < 0)
        rc = gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                          "%s: cannot read the config file (out of memory)",
                          path);
    else if (ctx.code != GS_OK)
        rc = gs_error_set(ctx.code, GS_ECLASS_CONFIG, "%s:%d: %s", path, line,
                          ctx.why);
    else if (line > 0)
        rc = gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG, "%s:%d: syntax error",
                          path, line);
    else
        rc = GS_OK;
done:
    free(ctx.seen);
    fclose(ctx.reader.file);
    return rc;
}

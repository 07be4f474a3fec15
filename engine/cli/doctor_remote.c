/* doctor's checks of the two services: Gazelle answers one cheap valid
 * query with the configured credentials; Supabase accepts the key, has
 * every target table and owned column, and (with the public anon key)
 * shows nothing to the public. Only reads: PostgREST answers
 * `select=<cols>&limit=0` with 200 and [] when the table and columns are
 * there, 404 (PGRST205/42P01) for a missing table and 400 (42703/PGRST204)
 * naming a missing column (contracts/postgrest.md).
 *
 * With `[push] target = postgres` the target is checked over libpq instead
 * (doctor_postgres(), engine/push/pg_probe.h): the connection string set
 * (never printed), a connection (the host named), TLS, every table and
 * owned column, row-level security, gazsync_push_state. */
#include "buf.h"
#include "cli_tokens.h"
#include "doctor.h"
#include "gazsync/push_probe.h"
#include "internal_config.h"

#include <stdlib.h>
#include <string.h>

/* Bounded for a person waiting at a terminal: two attempts, 15 s each. */
static void doctor_http_opts(gs_http_opts *opts, const gs_config *cfg,
                             const char *label)
{
    memset(opts, 0, sizeof *opts);
    opts->connect_timeout_ms = 10000;
    opts->timeout_ms = 15000;
    opts->max_attempts = 2;
    opts->backoff_base_ms = cfg->backoff_base_ms;
    opts->ca_bundle = cfg->ca_bundle;
    opts->label = label;
    opts->max_answer_bytes = cfg->max_answer_bytes;
}

/* The message of a failed request, and the fix for its usual causes. */
static void network_problem(gs_doctor *d, const char *area, const char *url,
                            const char *variable)
{
    const gs_error *e = gs_error_last();
    char host[256], fix[512];

    gs_http_url_host(host, sizeof host, url);
    snprintf(fix, sizeof fix,
             "check %s (host %s) and this machine's network, DNS and proxy",
             variable, host);
    cli_doctor_problem(d, area, GS_EXIT_NETWORK, fix, "cannot reach %s: %s",
                       host, e->message[0] ? e->message : gs_strerror(e->code));
}

void cli_doctor_gazelle(gs_doctor *d, const gs_config *cfg)
{
    static const char document[] = "query Doctor { allUsers { id } }";
    gs_cli_gazelle gz;
    gs_config quick;
    json_t *data = NULL;
    char host[256];
    int rc;

    memset(&gz, 0, sizeof gz);
    if (!cfg->gazelle_url || !*cfg->gazelle_url) {
        cli_doctor_skip(d, "gazelle", "no GAZELLE_API_URL to ask");
        return;
    }
    gs_http_url_host(host, sizeof host, cfg->gazelle_url);
    /* The run's retry settings are for a night; doctor's for a person
     * waiting, so a dead host costs seconds, not minutes. A shallow copy:
     * the strings stay cfg's. */
    quick = *cfg;
    quick.timeout_ms = 15000;
    quick.max_attempts = 2;
    quick.run_timeout_s = 60;
    rc = cli_gazelle_open(&gz, NULL, d->cli, &quick);
    if (rc != GS_OK) {
        cli_doctor_problem(d, "gazelle", GS_EXIT_CONFIG, "see the message",
                           "%s", gs_error_last()->message);
        goto done;
    }
    gs_error_clear();
    rc = gs_gazelle_query(&data, gz.gazelle, document, NULL, "doctor query");
    if (rc == GS_OK) {
        json_t *users = json_object_get(data, "allUsers");
        cli_doctor_ok(d, "gazelle",
                      "%s answered, credentials accepted, allUsers: %zu users",
                      host, json_is_array(users) ? json_array_size(users) : 0);
        goto done;
    }
    const gs_error *e = gs_error_last();
    if (rc == GS_EAUTH)
        cli_doctor_problem(d, "gazelle", GS_EXIT_AUTH,
                           gz.no_credentials
                               ? "set GAZELLE_ACCESS_TOKEN or GAZELLE_API_KEY"
                               : "renew the credentials in .env (a new access "
                                 "and refresh token, or API key)",
                           "%s refused the credentials: %s", host, e->message);
    else if (e->http_status == 404)
        cli_doctor_problem(
            d, "gazelle", GS_EXIT_NETWORK,
            strstr(cfg->gazelle_url, "/graphql/private")
                ? "check the account's API URL in Gazelle's "
                  "developer settings"
                : "GAZELLE_API_URL must end in /graphql/private/",
            "%s answered 404: %s", host, e->message);
    else if (e->http_status == 0 && rc == GS_EHTTP)
        network_problem(d, "gazelle", cfg->gazelle_url, "GAZELLE_API_URL");
    else
        cli_doctor_problem(
            d, "gazelle", cli_exit_code(rc),
            "check GAZELLE_API_URL names the Gazelle private API", "%s: %s",
            host, e->message);

done:
    json_decref(data);
    cli_gazelle_close(&gz);
}

/* The columns a push writes to @p entity's table: external_id, the owned
 * ones under their configured names (not the "-" ones; `id` is the
 * target's own identity), then the bookkeeping ones (push_batch.c). */
static int target_columns(gs_buf *out, const gs_entity *entity,
                          const gs_entity_policy *policy)
{
    int rc = gs_buf_puts(out, "external_id");

    for (size_t i = 0; rc == GS_OK && i < entity->n_columns; i++) {
        const char *name = entity->columns[i].name;
        if (strcmp(name, "id") == 0)
            continue;
        if (i < GS_MAX_COLUMNS && policy->column_target[i][0]) {
            if (strcmp(policy->column_target[i], "-") == 0)
                continue;
            name = policy->column_target[i];
        }
        rc = gs_buf_printf(out, ",%s", name);
    }
    if (rc == GS_OK)
        rc = gs_buf_puts(out, ",deleted_at,synced_at,raw");
    return rc;
}

/* Calls @p check for the target table of each enabled entity with the
 * columns a push writes to it, until *@p stop (may be NULL) is set. */
static void each_target_table(const gs_config *cfg, const int *stop,
                              void (*check)(void *ctx, const char *table,
                                            const char *columns),
                              void *ctx)
{
    gs_buf columns = GS_BUF_INIT;

    for (int i = 0; i < GS_ENTITY_COUNT && !(stop && *stop); i++) {
        const gs_entity *entity = gs_entity_get((gs_entity_id)i);
        if (!cfg->policy[i].enabled)
            continue;
        gs_buf_reset(&columns);
        if (target_columns(&columns, entity, &cfg->policy[i]) != GS_OK)
            break;
        check(ctx, cfg->policy[i].target_table, columns.data);
    }
    gs_buf_free(&columns);
}

#define RUNS_COLUMNS                                                           \
    "run_id,command,started_at,finished_at,status,gazelle_requests,"           \
    "supabase_requests,rows_in,rows_changed,rows_pushed,stats,error"

typedef struct {
    gs_doctor *d;
    const gs_config *cfg;
    gs_http *http;
    gs_buf apikey, bearer;
    int stop; /* unreachable or key refused: no use asking again */
} supa_ctx;

static int set_key(supa_ctx *s, const char *key)
{
    gs_buf_reset(&s->apikey);
    gs_buf_reset(&s->bearer);
    if (gs_buf_printf(&s->apikey, "apikey: %s", key) != GS_OK ||
        gs_buf_printf(&s->bearer, "Authorization: Bearer %s", key) != GS_OK)
        return GS_ENOMEM;
    return GS_OK;
}

static void wipe(gs_buf *b)
{
    if (b->data)
        explicit_bzero(b->data, b->cap);
    gs_buf_free(b);
}

/* GET <table>?select=<columns>&limit=<limit>: GS_OK with @p out filled
 * (any status), or the transport's failure. */
static int supa_get(gs_http_response *out, supa_ctx *s, const char *table,
                    const char *columns, int limit)
{
    const char *headers[] = {s->apikey.data, s->bearer.data,
                             "Accept: application/json", NULL};
    gs_buf url = GS_BUF_INIT;
    int rc = gs_buf_printf(&url, "%s/rest/v1/%s?select=%s&limit=%d",
                           s->cfg->supabase_url, table, columns, limit);

    memset(out, 0, sizeof *out);
    if (rc == GS_OK)
        rc = gs_http_request(out, s->http, "GET", url.data, headers, NULL, 0);
    gs_buf_free(&url);
    return rc;
}

static const char *pgrst_code(const gs_http_response *r, json_t **json)
{
    *json = r->body ? json_loads(r->body, 0, NULL) : NULL;
    return json_string_value(json_object_get(*json, "code"));
}

static void fix_schema(char *fix, size_t size)
{
    snprintf(fix, size,
             "apply the schema: 'gazsync schema' prints it (psql, or "
             "Supabase's SQL editor); it only adds what is missing");
}

/* Names each missing column, asking for them one at a time. */
static void missing_columns(supa_ctx *s, const char *table, const char *columns)
{
    gs_buf missing = GS_BUF_INIT;
    char *list = strdup(columns), *save = NULL, fix[256];

    for (char *c = list ? strtok_r(list, ",", &save) : NULL; c;
         c = strtok_r(NULL, ",", &save)) {
        gs_http_response r;
        if (supa_get(&r, s, table, c, 0) == GS_OK && r.status == 400)
            gs_buf_printf(&missing, "%s%s", missing.len ? ", " : "", c);
        gs_http_response_free(&r);
    }
    fix_schema(fix, sizeof fix);
    cli_doctor_problem(s->d, "supabase", GS_EXIT_NETWORK, fix,
                       "table %s lacks column%s %s", table,
                       strchr(missing.data ? missing.data : "", ',') ? "s" : "",
                       missing.data ? missing.data : "(see the answer)");
    gs_buf_free(&missing);
    free(list);
}

static void check_table(supa_ctx *s, const char *table, const char *columns)
{
    gs_http_response r;
    json_t *json = NULL;
    const char *code;
    char fix[256];
    int rc = supa_get(&r, s, table, columns, 0);

    if (rc != GS_OK && r.status == 0) {
        network_problem(s->d, "supabase", s->cfg->supabase_url, "SUPABASE_URL");
        s->stop = 1;
        goto done;
    }
    code = pgrst_code(&r, &json);
    if (r.status == 200) {
        cli_doctor_ok(s->d, "supabase", "table %s and its columns present",
                      table);
    } else if (r.status == 401 || r.status == 403) {
        cli_doctor_problem(s->d, "supabase", GS_EXIT_AUTH,
                           "copy the service_role key from Supabase (Project "
                           "Settings > API) into SUPABASE_SERVICE_ROLE_KEY",
                           "the key was refused (HTTP %ld%s%s)", r.status,
                           code ? " " : "", code ? code : "");
        s->stop = 1;
    } else if (r.status == 404 && code) {
        fix_schema(fix, sizeof fix);
        cli_doctor_problem(s->d, "supabase", GS_EXIT_NETWORK, fix,
                           "table %s is missing (%s)", table, code);
    } else if (r.status == 404) {
        cli_doctor_problem(s->d, "supabase", GS_EXIT_NETWORK,
                           "SUPABASE_URL is the project's URL, "
                           "https://<project>.supabase.co",
                           "%s answered 404 without a PostgREST error: not a "
                           "Supabase API?",
                           s->cfg->supabase_url);
        s->stop = 1;
    } else if (r.status == 400 && code &&
               (strcmp(code, "42703") == 0 || strcmp(code, "PGRST204") == 0)) {
        missing_columns(s, table, columns);
    } else {
        cli_doctor_problem(s->d, "supabase", GS_EXIT_NETWORK, "see the answer",
                           "reading %s: HTTP %ld%s%s", table, r.status,
                           code ? " " : "", code ? code : "");
    }

done:
    json_decref(json);
    gs_http_response_free(&r);
}

/* The anon key must see no row: RLS on and no policy for it. A 401 (the
 * key is not a key of this project) also shows nothing. */
static void supa_table(void *s, const char *table, const char *columns)
{
    check_table(s, table, columns);
}

static void check_public(supa_ctx *s, const char *table)
{
    gs_http_response r;
    int rc = supa_get(&r, s, table, "*", 1);
    char fix[256];

    if (rc != GS_OK && r.status == 0) {
        s->stop = 1;
    } else if (r.status == 200 && r.body && strcmp(r.body, "[]") != 0) {
        snprintf(fix, sizeof fix,
                 "alter table %s enable row level security; (and drop any "
                 "policy that lets anon read)",
                 table);
        cli_doctor_problem(s->d, "supabase", GS_EXIT_NETWORK, fix,
                           "the public anon key reads rows of %s: row-level "
                           "security is off or a policy lets it in",
                           table);
    } else if (r.status == 200 || r.status == 401 || r.status == 403 ||
               r.status == 404) {
        cli_doctor_ok(s->d, "supabase", "anon key reads nothing of %s", table);
    } else {
        cli_doctor_problem(s->d, "supabase", GS_EXIT_NETWORK, "see the answer",
                           "reading %s with the anon key: HTTP %ld", table,
                           r.status);
    }
    gs_http_response_free(&r);
}

/* SUPABASE_ANON_KEY: the environment, else the .env file. */
static char *anon_key(const gs_cli *cli)
{
    const char *v = getenv("SUPABASE_ANON_KEY");
    gs__dotenv env;
    char *key = NULL;

    if (v && *v)
        return strdup(v);
    if (!cli->env_file || gs__dotenv_load(&env, cli->env_file) != GS_OK)
        return NULL;
    v = gs__dotenv_get(&env, "SUPABASE_ANON_KEY", NULL);
    if (v && *v)
        key = strdup(v);
    gs__dotenv_free(&env);
    return key;
}

/* ---- [push] target = postgres ------------------------------------------ */

#define PUSH_STATE_COLUMNS "entity,target_key,last_change_seq,updated_at"

typedef struct {
    gs_doctor *d;
    gs_push_probe *probe;
} pg_ctx;

static void pg_table(void *ctx, const char *table, const char *columns)
{
    gs_doctor *d = ((pg_ctx *)ctx)->d;
    gs_push_probe *probe = ((pg_ctx *)ctx)->probe;
    char missing[512], fix[256];
    int exists = 0, rls = 0;

    if (gs_push_probe_table(probe, table, columns, &exists, &rls, missing,
                            sizeof missing) != GS_OK) {
        cli_doctor_problem(d, "postgres", GS_EXIT_NETWORK, "see the message",
                           "reading the catalog for %s: %s", table, missing);
        return;
    }
    fix_schema(fix, sizeof fix);
    if (!exists) {
        cli_doctor_problem(d, "postgres", GS_EXIT_NETWORK, fix,
                           "table %s is missing", table);
        return;
    }
    if (missing[0])
        cli_doctor_problem(d, "postgres", GS_EXIT_NETWORK, fix,
                           "table %s lacks column%s %s", table,
                           strchr(missing, ',') ? "s" : "", missing);
    else
        cli_doctor_ok(d, "postgres", "table %s and its columns present", table);
    if (!rls) {
        snprintf(fix, sizeof fix, "alter table %s enable row level security;",
                 table);
        cli_doctor_problem(d, "postgres", GS_EXIT_NETWORK, fix,
                           "row-level security is off on %s: Supabase's API "
                           "would show it to the public",
                           table);
    } else {
        cli_doctor_ok(d, "postgres", "row-level security on for %s", table);
    }
}

static void doctor_postgres(gs_doctor *d, const gs_config *cfg)
{
    gs_push_probe *probe = NULL;
    pg_ctx pc = {d, NULL};
    const char *sslmode;
    int rc, tls, local;

    if (!cfg->pg_url || !*cfg->pg_url) {
        cli_doctor_problem(
            d, "postgres", GS_EXIT_CONFIG,
            "export GAZSYNC_PG_URL (or DATABASE_URL) = the database's "
            "connection string (Supabase: Project Settings > Database)",
            "[push] target = postgres, but neither GAZSYNC_PG_URL nor "
            "DATABASE_URL is set");
        return;
    }
    cli_doctor_ok(d, "postgres", "connection string set (not shown)");
    rc = gs_push_probe_open(&probe, cfg, 15);
    if (rc == GS_ECONFIG || rc == GS_ENOMEM) {
        cli_doctor_problem(d, "postgres", GS_EXIT_CONFIG,
                           "GAZSYNC_PG_URL is a postgresql:// URI or "
                           "key=value string",
                           "%s", gs_error_last()->message);
        goto done;
    }
    if (rc == GS_EAUTH) {
        cli_doctor_problem(d, "postgres", GS_EXIT_AUTH,
                           "check the user and password in GAZSYNC_PG_URL",
                           "%s", gs_error_last()->message);
        goto done;
    }
    if (rc != GS_OK) {
        cli_doctor_problem(d, "postgres", GS_EXIT_NETWORK,
                           "check GAZSYNC_PG_URL's host and port, and this "
                           "machine's network",
                           "%s", gs_error_last()->message);
        goto done;
    }
    pc.probe = probe;
    cli_doctor_ok(d, "postgres", "connected to %s", gs_push_probe_where(probe));
    gs_push_probe_tls(probe, &tls, &sslmode, &local);
    if (tls)
        cli_doctor_ok(d, "postgres", "TLS in use (sslmode %s)", sslmode);
    else if (local)
        cli_doctor_ok(d, "postgres",
                      "no TLS: the host is this machine (sslmode %s)", sslmode);
    else
        cli_doctor_problem(d, "postgres", GS_EXIT_CONFIG,
                           "add sslmode=require (or verify-full) to "
                           "GAZSYNC_PG_URL",
                           "the connection to %s is not encrypted (sslmode "
                           "%s)",
                           gs_push_probe_where(probe), sslmode);
    each_target_table(cfg, NULL, pg_table, &pc);
    pg_table(&pc, "gazsync_runs", RUNS_COLUMNS);
    pg_table(&pc, "gazsync_push_state", PUSH_STATE_COLUMNS);
done:
    gs_push_probe_close(probe);
}

void cli_doctor_supabase(gs_doctor *d, const gs_config *cfg)
{
    supa_ctx s;
    gs_http_opts opts;
    char *anon = NULL;

    if (cfg->push_target == GS_PUSH_TARGET_POSTGRES) {
        doctor_postgres(d, cfg);
        return;
    }
    memset(&s, 0, sizeof s);
    s.d = d;
    s.cfg = cfg;
    if (!cfg->supabase_url || !*cfg->supabase_url || !cfg->supabase_key ||
        !*cfg->supabase_key) {
        cli_doctor_skip(d, "supabase", "SUPABASE_URL or its key not set");
        return;
    }
    doctor_http_opts(&opts, cfg, "supabase");
    if (gs_http_new(&s.http, &opts) != GS_OK ||
        set_key(&s, cfg->supabase_key) != GS_OK) {
        cli_doctor_problem(d, "supabase", GS_EXIT_FAILURE, NULL,
                           "out of memory");
        goto done;
    }
    each_target_table(cfg, &s.stop, supa_table, &s);
    if (!s.stop)
        check_table(&s, "gazsync_runs", RUNS_COLUMNS);
    if (s.stop)
        goto done;
    anon = anon_key(d->cli);
    if (!anon) {
        cli_doctor_skip(d, "supabase",
                        "row-level security not checked: set SUPABASE_ANON_KEY "
                        "(the public anon key) to check it");
        goto done;
    }
    if (set_key(&s, anon) != GS_OK)
        goto done;
    for (int i = 0; i < GS_ENTITY_COUNT && !s.stop; i++)
        if (cfg->policy[i].enabled)
            check_public(&s, cfg->policy[i].target_table);
    if (!s.stop)
        check_public(&s, "gazsync_runs");

done:
    if (anon) {
        explicit_bzero(anon, strlen(anon));
        free(anon);
    }
    wipe(&s.apikey);
    wipe(&s.bearer);
    gs_http_free(s.http);
}

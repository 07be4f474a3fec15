/* The pieces pull, push and sync share: building the Gazelle and Supabase
 * clients from the configuration, the progress line, and printing the
 * reports the library hands back. */
#include "cli.h"
#include "cli_tokens.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int is_set(const char *s)
{
    return s && *s;
}

int cli_token_path(char *out, size_t size, const gs_cli *cli)
{
    return gs_token_path(out, size, cli->db_path, getenv("GAZSYNC_TOKEN_FILE"));
}

/* Which tokens to start with is the token store's choice; what is said
 * about it is ours. */
static int pick_tokens(gs_token_choice *choice, gs_cli_gazelle *gz)
{
    int rc;

    gz->tokens.path = gz->token_path;
    gz->tokens.env_access_token = gz->cfg->gazelle_access_token;
    gz->tokens.env_refresh_token = gz->cfg->gazelle_refresh_token;
    gz->tokens.env_api_key = gz->cfg->gazelle_api_key;
    /* No cache (doctor): nothing to move out of it. */
    rc = gs_token_store_pick(choice, &gz->tokens, gz->store);
    if (rc != GS_OK)
        return rc;
    if (choice->migrated)
        cli_verbose(gz->cli,
                    "gazelle: moved the saved tokens from the cache to "
                    "%s\n",
                    gz->token_path);
    if (choice->shared)
        cli_warn_if_shared(gz->cli, gz->token_path, "token file");
    if (choice->source == GS_TOKENS_ENV_CHANGED)
        cli_verbose(gz->cli,
                    "gazelle: the environment's credentials changed "
                    "since the saved tokens; using the environment's\n");
    else if (choice->source == GS_TOKENS_FROM_FILE)
        cli_verbose(gz->cli,
                    "gazelle: using the tokens saved in %s by the last "
                    "refresh\n",
                    gz->token_path);
    return GS_OK;
}

static void http_opts_from(gs_http_opts *opts, const gs_config *cfg,
                           const char *label)
{
    memset(opts, 0, sizeof *opts);
    opts->timeout_ms = cfg->timeout_ms;
    opts->max_attempts = cfg->max_attempts;
    opts->backoff_base_ms = cfg->backoff_base_ms;
    /* A sync opens both transports at its start: each deadline is the
     * run's. */
    opts->run_timeout_ms = (long long)cfg->run_timeout_s * 1000;
    opts->max_answer_bytes = cfg->max_answer_bytes;
    opts->ca_bundle = cfg->ca_bundle;
    opts->label = label;
}

int cli_gazelle_open(gs_cli_gazelle *gz, gs_store *store, const gs_cli *cli,
                     const gs_config *cfg)
{
    gs_http_opts http_opts;
    gs_gazelle_opts opts;
    gs_token_choice tokens = {0};
    int rc;

    memset(gz, 0, sizeof *gz);
    gz->store = store;
    gz->cli = cli;
    gz->cfg = cfg;
    rc = cli_token_path(gz->token_path, sizeof gz->token_path, cli);
    if (rc != GS_OK)
        goto done;

    if (!is_set(cfg->gazelle_url)) {
        rc = gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                          "GAZELLE_API_URL is not set (environment, .env or "
                          "--env-file)");
        goto done;
    }
    rc = pick_tokens(&tokens, gz);
    if (rc != GS_OK)
        goto done;
    /* No credentials is not refused here: a Gazelle stand-in (the
     * simulator without --token) may need none, and the real one answers
     * 401, after which cli_gazelle_hint() says what to set. */
    gz->no_credentials = !tokens.access_token && !tokens.refresh_token &&
                         !is_set(cfg->gazelle_api_key);
    if (gz->no_credentials)
        cli_verbose(cli, "gazelle: no credentials configured; requests go "
                         "without auth\n");

    http_opts_from(&http_opts, cfg, "gazelle");
    /* Gazelle publishes no rate limit; its own clients pause between pages
     * (contracts/gazelle.md), and so do we. */
    http_opts.min_interval_ms = cfg->min_interval_ms;
    rc = gs_http_new(&gz->http, &http_opts);
    if (rc != GS_OK)
        goto done;

    memset(&opts, 0, sizeof opts);
    opts.api_url = cfg->gazelle_url;
    opts.oauth_url = cfg->gazelle_oauth_url;
    opts.access_token = tokens.access_token;
    opts.api_key = cfg->gazelle_api_key;
    opts.refresh_token = tokens.refresh_token;
    opts.client_id = cfg->gazelle_client_id;
    opts.client_secret = cfg->gazelle_client_secret;
    opts.save_tokens = gs_token_store_save;
    opts.save_ctx = &gz->tokens;
    rc = gs_gazelle_new(&gz->gazelle, gz->http, &opts);

done:
    /* The client copied them; wipe our copies of the secrets. */
    gs_token_choice_free(&tokens);
    if (rc != GS_OK)
        cli_gazelle_close(gz);
    return rc;
}

/* After a pull refused for auth with no credentials configured, the one
 * thing to say is which variables to set. */
void cli_gazelle_hint(const gs_cli_gazelle *gz, const gs_pull_report *report,
                      int rc)
{
    int auth = rc == GS_EAUTH;

    for (int i = 0; i < GS_ENTITY_COUNT && !auth; i++)
        auth = report->entity[i].code == GS_EAUTH;
    if (gz->no_credentials && auth)
        fprintf(stderr,
                "%s: no Gazelle credentials are configured: set "
                "GAZELLE_ACCESS_TOKEN (with GAZELLE_REFRESH_TOKEN, "
                "GAZELLE_CLIENT_ID, GAZELLE_CLIENT_SECRET) or "
                "GAZELLE_API_KEY in the environment or the .env file\n",
                gz->cli->prog);
}

void cli_gazelle_close(gs_cli_gazelle *gz)
{
    gs_gazelle_free(gz->gazelle);
    gs_http_free(gz->http);
    gz->gazelle = NULL;
    gz->http = NULL;
}

int cli_supabase_check(const gs_config *cfg)
{
    /* [push] target = postgres: the connection string is all it needs. */
    if (cfg->push_target == GS_PUSH_TARGET_POSTGRES)
        return is_set(cfg->pg_url)
                   ? GS_OK
                   : gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                                  "[push] target = postgres: GAZSYNC_PG_URL "
                                  "(or DATABASE_URL) is not set "
                                  "(environment, .env or --env-file)");
    if (!is_set(cfg->supabase_url))
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "SUPABASE_URL is not set (environment, .env or "
                            "--env-file)");
    /* PostgREST's path is gazsync's to add; with it twice every table
     * answers 404, which would read as "apply the schema". */
    size_t n = strlen(cfg->supabase_url);
    while (n > 0 && cfg->supabase_url[n - 1] == '/')
        n--;
    if (n >= 8 && strncmp(cfg->supabase_url + n - 8, "/rest/v1", 8) == 0)
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "SUPABASE_URL ends in /rest/v1: drop it, gazsync "
                            "adds /rest/v1/ itself (SUPABASE_URL is the "
                            "project's URL, https://<project>.supabase.co)");
    if (!is_set(cfg->supabase_key))
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "SUPABASE_SERVICE_ROLE_KEY is not set "
                            "(environment, .env or --env-file)");
    return GS_OK;
}

int cli_supabase_open(gs_http **http, const gs_config *cfg)
{
    gs_http_opts opts;
    int rc = cli_supabase_check(cfg);

    if (rc != GS_OK)
        return rc;
    http_opts_from(&opts, cfg, "supabase");
    return gs_http_new(http, &opts);
}

#define NAME_WIDTH 17

/* Why an entity was skipped, and how to read it anyway, from the
 * decision's data (the library's reason string is for the log). */
void cli_skip_words(char *out, size_t size, const gs_entity_report *r,
                    const char *name)
{
    char age[32], limit[32];

    switch (r->why) {
    case GS_WHY_TABLE_HAS_ROWS:
        snprintf(out, size,
                 "table has %lld rows (policy if-empty); --force=%s re-reads "
                 "it",
                 r->rows, name);
        return;
    case GS_WHY_INTERVAL:
        gs_duration_format(age, sizeof age, r->age_s);
        gs_duration_format(limit, sizeof limit, r->interval_s);
        snprintf(out, size,
                 "last success %s ago (max-age=%s); --force=%s re-reads it",
                 age, limit, name);
        return;
    case GS_WHY_WITH_CLIENTS:
        /* Contacts are read inside the clients' pages only. */
        snprintf(out, size, "with clients; use --force=clients to re-read");
        return;
    default:
        snprintf(out, size, "%s%s%s%s", r->reason[0] ? r->reason : "policy",
                 r->can_force ? "; use --force=" : "", r->can_force ? name : "",
                 r->can_force ? " to re-read" : "");
        return;
    }
}

void cli_print_pull_entity(const gs_cli *cli, const gs_entity_report *r,
                           const char *name)
{
    switch (r->decision) {
    case GS_DECISION_PULLED:
        cli_info(cli,
                 "%-*s pulled   %ld page%s, %lld request%s, %lld rows seen, "
                 "%lld changed, %lld deleted, %.1f s\n",
                 NAME_WIDTH, name, r->pages, r->pages == 1 ? "" : "s",
                 r->requests, r->requests == 1 ? "" : "s", r->rows_seen,
                 r->rows_changed, r->rows_deleted, r->seconds);
        if (cli->verbosity >= GS_VERBOSE && r->reason[0])
            printf("%-*s          %s\n", NAME_WIDTH, "", r->reason);
        break;
    case GS_DECISION_SKIPPED: {
        char why[256];

        cli_skip_words(why, sizeof why, r, name);
        cli_info(cli, "%-*s skipped  %s\n", NAME_WIDTH, name, why);
        break;
    }
    case GS_DECISION_FAILED:
        if (cli->verbosity < GS_NORMAL)
            fprintf(stderr, "%s: %s: %s\n", cli->prog, name,
                    r->error[0] ? r->error : gs_strerror(r->code));
        else
            printf("%-*s FAILED   %s\n", NAME_WIDTH, name,
                   r->error[0] ? r->error : gs_strerror(r->code));
        break;
    default:
        break;
    }
}

/* The total line; each entity's own line was printed as it finished
 * (cli_progress()), so that a cron log of a killed run is not empty. */
void cli_print_pull(const gs_cli *cli, const gs_pull_report *report,
                    double seconds)
{
    long pulled = 0, skipped = 0, failed = 0;
    long long seen = 0, changed = 0, deleted = 0;

    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_entity_report *r = &report->entity[i];

        pulled += r->decision == GS_DECISION_PULLED;
        skipped += r->decision == GS_DECISION_SKIPPED;
        failed += r->decision == GS_DECISION_FAILED;
        seen += r->rows_seen;
        changed += r->rows_changed;
        deleted += r->rows_deleted;
    }
    cli_info(cli,
             "%-*s %ld pulled, %ld skipped, %ld failed; %lld Gazelle "
             "request%s, %lld rows seen, %lld changed, %lld deleted, "
             "%.1f s\n",
             NAME_WIDTH, "pull total", pulled, skipped, failed,
             report->requests, report->requests == 1 ? "" : "s", seen, changed,
             deleted, seconds);
    if (cli->verbosity >= GS_VERBOSE && report->users_auto_triggered)
        printf("%-*s users pulled because a pulled row named a technician "
               "the cache lacked\n",
               NAME_WIDTH, "");
}

/* One entity's push line; failures go to stderr under --quiet. */
void cli_print_push_entity(const gs_cli *cli, const gs_push_entity_report *r,
                           const char *name, int dry_run)
{
    if (r->code != GS_OK && r->code != GS_EPARTIAL) {
        if (cli->verbosity < GS_NORMAL)
            fprintf(stderr, "%s: %s: %s\n", cli->prog, name,
                    r->error[0] ? r->error : gs_strerror(r->code));
        else
            printf("%-*s FAILED   %s (%lld pending, %lld pushed, "
                   "%lld request%s)\n",
                   NAME_WIDTH, name,
                   r->error[0] ? r->error : gs_strerror(r->code),
                   r->rows_pending, r->rows_pushed, r->requests,
                   r->requests == 1 ? "" : "s");
        return;
    }
    if (r->rows_pending == 0 && r->rows_failed == 0 && r->requests == 0) {
        cli_info(cli, "%-*s up to date\n", NAME_WIDTH, name);
        return;
    }
    if (dry_run) {
        cli_info(cli, "%-*s would push %lld row%s\n", NAME_WIDTH, name,
                 r->rows_pending, r->rows_pending == 1 ? "" : "s");
        return;
    }
    cli_info(cli,
             "%-*s pushed   %lld of %lld pending, %lld quarantined, "
             "%lld batch%s, %lld request%s\n",
             NAME_WIDTH, name, r->rows_pushed, r->rows_pending, r->rows_failed,
             r->batches, r->batches == 1 ? "" : "es", r->requests,
             r->requests == 1 ? "" : "s");
    if (r->rows_failed && cli->verbosity >= GS_NORMAL && r->error[0])
        printf("%-*s          %s\n", NAME_WIDTH, "", r->error);
}

void cli_print_push(const gs_cli *cli, const gs_push_report *report,
                    unsigned asked, unsigned printed, int dry_run)
{
    long long pending = 0, failed = 0;
    long entities_failed = 0;

    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_push_entity_report *r = &report->entity[i];

        if (asked && !(asked & (1u << i)))
            continue;
        pending += r->rows_pending;
        failed += r->rows_failed;
        entities_failed += r->code != GS_OK && r->code != GS_EPARTIAL;
        if (!(printed & (1u << i)))
            cli_print_push_entity(cli, r, cli_entity_name(i), dry_run);
    }
    if (dry_run)
        cli_info(cli, "%-*s %lld row%s would be sent; nothing was sent\n",
                 NAME_WIDTH, "push total", pending, pending == 1 ? "" : "s");
    else
        cli_info(cli,
                 "%-*s %lld pushed, %lld quarantined, %ld entit%s failed; "
                 "%lld %s%s\n",
                 NAME_WIDTH, "push total", report->rows_pushed, failed,
                 entities_failed, entities_failed == 1 ? "y" : "ies",
                 report->requests,
                 report->unit ? report->unit : "Supabase request",
                 report->requests == 1 ? "" : "s");
}

/* gazsync sync: pull, then push, as one run in the log. */
#include "cli_record.h"

#include <string.h>

static const struct option sync_long[] = {
    {"force", optional_argument, NULL, OPT_FORCE},
    {"full", no_argument, NULL, OPT_FULL},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"all", no_argument, NULL, OPT_ALL},
    {"json", no_argument, NULL, OPT_JSON},
    {NULL, 0, NULL, 0},
};

static int half_ok(int rc)
{
    return rc == GS_OK || rc == GS_EPARTIAL;
}

/* The run's overall code. Some entities failed: partial. A whole half
 * failed (every entity of the pull, say, because Gazelle refused the
 * credentials): that half's own code, since that is what the person
 * reading the cron mail has to fix; the pull's first, as it comes first. */
static int sync_code(int pull_rc, int push_rc)
{
    if (pull_rc == GS_ESTORE || pull_rc == GS_ECANCELED)
        return pull_rc;
    if (push_rc == GS_ESTORE || push_rc == GS_ECANCELED)
        return push_rc;
    if (pull_rc == GS_OK && push_rc == GS_OK)
        return GS_OK;
    if (half_ok(pull_rc) && half_ok(push_rc))
        return GS_EPARTIAL;
    return half_ok(pull_rc) ? push_rc : pull_rc;
}

int cmd_sync(gs_cli *cli, int argc, char **argv)
{
    gs_cli_flags flags;
    gs_config cfg;
    int cfg_loaded = 0;
    gs_store *store = NULL;
    gs_http *supabase = NULL;
    gs_cli_gazelle gz;
    gs_cli_run run;
    gs_pull_report pull;
    gs_push_report push;
    gs_error pull_err, push_err;
    unsigned push_printed = 0;
    double seconds = 0;
    int rc, pull_rc, push_rc, exit_code;
    double t0 = cli_monotonic();

    memset(&gz, 0, sizeof gz);
    memset(&run, 0, sizeof run);
    /* Both halves' configuration is checked before anything runs: a sync
     * that pulls and then finds it cannot push has spent requests for
     * nothing the user asked for. */
    exit_code =
        cli_entity_command_start(&flags, &cfg, cli, argc, argv, sync_long);
    if (exit_code >= 0)
        return exit_code;
    cfg_loaded = 1;
    /* --json: stdout is the one JSON document; what people read goes
     * away, and failures still reach stderr. */
    if (flags.json)
        cli->verbosity = GS_QUIET;
    rc = cli_supabase_open(&supabase, &cfg);
    if (rc != GS_OK) {
        exit_code = cli_fail(cli, rc);
        goto done;
    }
    exit_code = cli_open_store(&store, cli, CLI_STORE_RUN);
    if (exit_code != 0)
        goto done;
    rc = cli_gazelle_open(&gz, store, cli, &cfg);
    if (rc != GS_OK) {
        exit_code = cli_fail(cli, rc);
        goto done;
    }
    rc = cli_run_begin(&run, store, cli, "sync");
    if (rc != GS_OK) {
        exit_code = cli_fail(cli, rc);
        goto done;
    }

    pull_rc =
        cli_pull_half(&pull, &seconds, &pull_err, store, &gz, &cfg, &flags);
    cli_print_pull(cli, &pull, seconds);
    /* The push runs whatever else the pull did: pages commit with their
     * cursor, so the cache is consistent and what it holds can go out. Not
     * after a cache fault (the file is not to be trusted) or a request to
     * stop. */
    memset(&push, 0, sizeof push);
    memset(&push_err, 0, sizeof push_err);
    if (pull_rc == GS_ESTORE || pull_rc == GS_ECANCELED) {
        push_rc = GS_OK;
    } else {
        push_rc = cli_push_half(&push, &push_err, store, supabase, &cfg, &flags,
                                cli, run.id, &push_printed);
        cli_print_push(cli, &push, cli_push_asked(&flags, &cfg), push_printed,
                       flags.dry_run);
    }

    rc = sync_code(pull_rc, push_rc);
    cli_run_add_pull(&run, &pull, pull_rc, &pull_err, "pull");
    cli_run_add_push(&run, &push, push_rc, &push_err, "push");
    json_t *stats = json_object();
    if (stats) {
        json_object_set_new(stats, "pull", gs_pull_report_json(&pull));
        json_object_set_new(stats, "push", gs_push_report_json(&push));
    }
    int log_rc = cli_run_finish(&run, cli, rc, stats);

    cli_report_half(cli, "pull", pull_rc, &pull_err);
    cli_gazelle_hint(&gz, &pull, pull_rc);
    cli_report_half(cli, "push", push_rc, &push_err);
    cli_pull_hint(cli, &cfg, &pull, &pull_err);
    cli_push_hint(cli, &cfg, &push, &push_err);
    cli_error_restore(half_ok(pull_rc) ? &push_err : &pull_err);
    exit_code = cli_exit_code(rc);
    if (log_rc != GS_OK) {
        int log_exit = cli_fail(cli, log_rc);
        if (exit_code == GS_EXIT_OK)
            exit_code = log_exit;
    }
    if (flags.json) {
        cli_run_json doc = {"sync",
                            rc,
                            exit_code,
                            run.id,
                            cli_monotonic() - t0,
                            half_ok(pull_rc) ? push_err.message
                                             : pull_err.message,
                            gs_pull_report_json(&pull),
                            gs_push_report_json(&push),
                            flags.dry_run};
        int json_exit = cli_print_run_json(cli, &doc);
        if (exit_code == GS_EXIT_OK)
            exit_code = json_exit;
    }

done:
    cli_run_free(&run);
    cli_gazelle_close(&gz);
    gs_http_free(supabase);
    gs_store_close(store);
    if (cfg_loaded)
        gs_config_free(&cfg);
    return exit_code;
}

/* gazsync pull: flags to gs_pull_opts, gs_pull_run(), the run log, one line
 * per entity. Which entity to call Gazelle for is gs_pull_run()'s call. */
#include "cli_record.h"

#include <string.h>

static const struct option pull_long[] = {
    {"force", optional_argument, NULL, OPT_FORCE},
    {"full", no_argument, NULL, OPT_FULL},
    {"json", no_argument, NULL, OPT_JSON},
    {NULL, 0, NULL, 0},
};

/* Named entities plus those of --force=LIST are pulled (none: all enabled).
 * A bare --force forces what is pulled: the named ones, or all. */
void cli_pull_opts(gs_pull_opts *opts, const gs_cli_flags *flags,
                   const gs_cli *cli, gs_cli_gazelle *gz)
{
    memset(opts, 0, sizeof *opts);
    opts->entities = flags->entities | flags->force_list;
    opts->force = flags->force_list;
    if (flags->force_all)
        opts->force |= opts->entities ? opts->entities : GS_ALL_ENTITIES;
    opts->full = flags->full;
    opts->now = cli_now_or_null(cli);
    opts->progress = cli_progress;
    opts->progress_ctx = gz;
    gz->progress.tty = cli_progress_wanted(cli);
    opts->cancel = &cli_cancel;
}

/* Runs the pull half; *saved gets the error detail as gs_pull_run() left
 * it, before the run log overwrites the thread's last error. */
int cli_pull_half(gs_pull_report *report, double *seconds, gs_error *saved,
                  gs_store *store, gs_cli_gazelle *gz, const gs_config *cfg,
                  const gs_cli_flags *flags)
{
    gs_pull_opts opts;
    double t0 = cli_monotonic();
    int rc;

    memset(report, 0, sizeof *report);
    cli_pull_opts(&opts, flags, gz->cli, gz);
    gs_error_clear();
    rc = gs_pull_run(report, store, gz->gazelle, cfg, &opts);
    *saved = *gs_error_last();
    cli_progress_clear(gz);
    *seconds = cli_monotonic() - t0;
    if (gz->cli->verbosity >= GS_VERBOSE) {
        gs_http_stats stats;
        gs_http_get_stats(&stats, gz->http);
        cli_verbose(gz->cli,
                    "gazelle: %lld requests (%lld retries), %lld "
                    "bytes received\n",
                    stats.requests, stats.retries, stats.bytes_received);
    }
    return rc;
}

/* The message after the table when not everything went well. */
void cli_report_half(const gs_cli *cli, const char *what, int rc,
                     const gs_error *saved)
{
    if (rc == GS_OK)
        return;
    const char *message =
        saved->code == rc && saved->message[0] ? saved->message : NULL;
    if (rc == GS_EPARTIAL)
        fprintf(stderr, "%s: %s partly failed: %s\n", cli->prog, what,
                message ? message
                        : "some entities failed (see above), the others "
                          "synced");
    else if (rc == GS_ECANCELED)
        fprintf(stderr, "%s: %s interrupted: %s\n", cli->prog, what,
                message ? message : "stopped on request");
    else
        fprintf(stderr, "%s: %s failed: %s\n", cli->prog, what,
                message ? message : gs_strerror(rc));
}

int cmd_pull(gs_cli *cli, int argc, char **argv)
{
    gs_cli_flags flags;
    gs_config cfg;
    int cfg_loaded = 0;
    gs_store *store = NULL;
    gs_cli_gazelle gz;
    gs_cli_run run;
    gs_pull_report report;
    gs_error saved;
    double seconds = 0;
    int rc, exit_code;

    memset(&gz, 0, sizeof gz);
    memset(&run, 0, sizeof run);
    exit_code =
        cli_entity_command_start(&flags, &cfg, cli, argc, argv, pull_long);
    if (exit_code >= 0)
        return exit_code;
    cfg_loaded = 1;
    /* --json: stdout is the one JSON document; what people read goes
     * away, and failures still reach stderr. */
    if (flags.json)
        cli->verbosity = GS_QUIET;
    exit_code = cli_open_store(&store, cli, CLI_STORE_RUN);
    if (exit_code != 0)
        goto done;
    rc = cli_gazelle_open(&gz, store, cli, &cfg);
    if (rc != GS_OK) {
        exit_code = cli_fail(cli, rc);
        goto done;
    }
    rc = cli_run_begin(&run, store, cli, "pull");
    if (rc != GS_OK) {
        exit_code = cli_fail(cli, rc);
        goto done;
    }

    rc = cli_pull_half(&report, &seconds, &saved, store, &gz, &cfg, &flags);
    cli_run_add_pull(&run, &report, rc, &saved, NULL);
    int log_rc = cli_run_finish(&run, cli, rc, gs_pull_report_json(&report));

    cli_print_pull(cli, &report, seconds);
    cli_report_half(cli, "pull", rc, &saved);
    cli_gazelle_hint(&gz, &report, rc);
    cli_pull_hint(cli, &cfg, &report, &saved);
    cli_error_restore(&saved);
    exit_code = cli_exit_code(rc);
    if (log_rc != GS_OK) {
        int log_exit = cli_fail(cli, log_rc);
        if (exit_code == GS_EXIT_OK)
            exit_code = log_exit;
    }
    if (flags.json) {
        cli_run_json doc = {"pull",
                            rc,
                            exit_code,
                            run.id,
                            seconds,
                            saved.message,
                            gs_pull_report_json(&report),
                            NULL,
                            0};
        int json_exit = cli_print_run_json(cli, &doc);
        if (exit_code == GS_EXIT_OK)
            exit_code = json_exit;
    }
    cli_verbose(cli, "run %lld recorded in sync_runs\n", run.id);

done:
    cli_run_free(&run);
    cli_gazelle_close(&gz);
    gs_store_close(store);
    if (cfg_loaded)
        gs_config_free(&cfg);
    return exit_code;
}

/* What pull, push and sync share: options to gs_sync_opts, the clients
 * opened, gs_sync_run(), and the result in words. The run itself (its row
 * in sync_runs, the halves, the code) is the library's. */
#include "cli.h"

#include <string.h>

typedef struct {
    const gs_cli *cli;
    gs_cli_gazelle *gz;
} run_words;

/* Named entities plus those of --force=LIST are pulled (none: all enabled).
 * A bare --force forces what is pulled: the named ones, or all. */
void cli_pull_opts(gs_pull_opts *opts, const gs_cli_flags *flags,
                   const gs_cli *cli, gs_cli_gazelle *gz)
{
    *opts = (gs_pull_opts)GS_PULL_OPTS_INIT;
    opts->entities = flags->entities | flags->force_list;
    opts->force = flags->force_list;
    if (flags->force_all)
        opts->force |= opts->entities ? opts->entities : GS_ALL_ENTITIES;
    opts->full = flags->full;
    opts->now = cli_now_or_null(cli);
    opts->progress = cli_progress;
    opts->progress_ctx = gz;
    opts->cancel = &cli_cancel;
}

void cli_push_opts(gs_push_opts *opts, const gs_cli_flags *flags,
                   const gs_cli *cli)
{
    *opts = (gs_push_opts)GS_PUSH_OPTS_INIT;
    opts->entities = flags->entities;
    opts->dry_run = flags->dry_run;
    opts->batch_rows = (int)flags->batch;
    opts->resend_all = flags->resend_all;
    opts->now = cli_now_or_null(cli);
    opts->cancel = &cli_cancel;
}

/* The entities a push covers, for printing: the named ones, or every one
 * the config enables. */
unsigned cli_push_asked(const gs_cli_flags *flags, const gs_config *cfg)
{
    unsigned asked = 0;

    if (flags->entities)
        return flags->entities;
    for (int i = 0; i < GS_ENTITY_COUNT; i++)
        if (cfg->policy[i].enabled)
            asked |= 1u << i;
    return asked ? asked : GS_ALL_ENTITIES;
}

/* From here a signal is a request to stop: the row is there to say
 * "interrupted". */
static void on_begin(void *ctx, long long run_id)
{
    (void)ctx;
    (void)run_id;
    cli_signals_install();
}

/* The pull's total line, before the push starts. */
static void on_pull(void *ctx, const gs_sync_report *report)
{
    run_words *words = ctx;
    gs_cli_gazelle *gz = words->gz;

    cli_progress_clear(gz);
    if (words->cli->verbosity >= GS_VERBOSE) {
        gs_http_stats stats;

        gs_http_get_stats(&stats, gz->http);
        cli_verbose(words->cli,
                    "gazelle: %lld requests (%lld retries), %lld "
                    "bytes received\n",
                    stats.requests, stats.retries, stats.bytes_received);
    }
    cli_print_pull(words->cli, &report->pull, report->pull_seconds);
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

/* The clients the halves need: Supabase (checked before anything runs: a
 * sync that pulls and then finds it cannot push has spent requests for
 * nothing), the cache, Gazelle. A dry push reads only the cache. 0 to go
 * on, else the exit code. */
static int open_clients(gs_http **supabase, gs_store **store,
                        gs_cli_gazelle *gz, gs_cli *cli, const gs_config *cfg,
                        const gs_sync_opts *opts)
{
    int exit_code, rc = GS_OK;

    if (opts->push && (opts->pull || !opts->push_opts.dry_run))
        rc = cli_supabase_open(supabase, cfg);
    if (rc != GS_OK)
        return cli_fail(cli, rc);
    exit_code = cli_open_store(
        store, cli, opts->pull ? CLI_STORE_RUN : CLI_STORE_RUN_EXISTING);
    if (exit_code != 0)
        return exit_code;
    rc = opts->pull ? cli_gazelle_open(gz, *store, cli, cfg) : GS_OK;
    return rc == GS_OK ? 0 : cli_fail(cli, rc);
}

/* The lines after the tables, and the exit code. */
static int word_result(gs_cli *cli, gs_cli_gazelle *gz, const gs_config *cfg,
                       const gs_sync_report *report, const gs_sync_opts *opts)
{
    int exit_code;

    if (opts->pull) {
        cli_report_half(cli, "pull", report->pull_code, &report->pull_error);
        cli_gazelle_hint(gz, &report->pull, report->pull_code);
    }
    if (opts->push)
        cli_report_half(cli, "push", report->push_code, &report->push_error);
    if (opts->pull)
        cli_pull_hint(cli, cfg, &report->pull, &report->pull_error);
    if (opts->push)
        cli_push_hint(cli, cfg, &report->push, &report->push_error);
    cli_error_restore(gs_sync_report_error(report));
    exit_code = cli_exit_code(report->code);
    if (report->run_log_code != GS_OK) {
        cli_error_restore(&report->run_log_error);
        int log_exit = cli_fail(cli, report->run_log_code);
        if (exit_code == GS_EXIT_OK)
            exit_code = log_exit;
    }
    return exit_code;
}

static int print_json(gs_cli *cli, const gs_sync_report *report,
                      const gs_sync_opts *opts, int exit_code, double seconds)
{
    cli_run_json doc = {
        opts->command,
        report->code,
        exit_code,
        report->run_id,
        seconds,
        gs_sync_report_error(report)->message,
        opts->pull ? gs_pull_report_json(&report->pull) : NULL,
        opts->push ? gs_push_report_json(&report->push) : NULL,
        opts->push ? opts->push_opts.dry_run : 0,
    };
    int json_exit = cli_print_run_json(cli, &doc);

    return exit_code == GS_EXIT_OK ? json_exit : exit_code;
}

int cli_run_command(gs_cli *cli, int argc, char **argv,
                    const struct option *longopts, const char *command,
                    int pull, int push)
{
    gs_cli_flags flags;
    gs_config cfg;
    gs_store *store = NULL;
    gs_http *supabase = NULL;
    gs_cli_gazelle gz;
    gs_sync_opts opts = GS_SYNC_OPTS_INIT;
    gs_sync_report report;
    cli_push_progress push_progress;
    run_words words = {cli, &gz};
    double t0 = cli_monotonic();
    int rc, exit_code;

    memset(&gz, 0, sizeof gz);
    exit_code =
        cli_entity_command_start(&flags, &cfg, cli, argc, argv, longopts);
    if (exit_code >= 0)
        return exit_code;
    /* --json: stdout is the one JSON document; what people read goes
     * away, and failures still reach stderr. */
    if (flags.json)
        cli->verbosity = GS_QUIET;
    opts.command = command;
    opts.pull = pull;
    opts.push = push;
    /* A dry push changes nothing, the run log included. */
    opts.record = pull || !flags.dry_run;
    opts.now = cli_now_or_null(cli);
    cli_pull_opts(&opts.pull_opts, &flags, cli, &gz);
    cli_push_opts(&opts.push_opts, &flags, cli);
    cli_push_progress_init(&push_progress, cli, flags.dry_run);
    opts.push_opts.progress = cli_push_progress_fn;
    opts.push_opts.progress_ctx = &push_progress;
    opts.on_begin = on_begin;
    opts.on_pull = pull ? on_pull : NULL;
    opts.callback_ctx = &words;
    exit_code = open_clients(&supabase, &store, &gz, cli, &cfg, &opts);
    if (exit_code != 0)
        goto done;
    /* After open_clients(): opening the Gazelle client resets gz. */
    gz.progress.tty = cli_progress_wanted(cli);

    rc = gs_sync_run(&report, store, gz.gazelle, supabase, &cfg, &opts);
    if (!report.pulled && !report.pushed) {
        /* Nothing ran: the run row could not be opened. */
        exit_code = cli_fail(cli, rc);
        goto done;
    }
    if (report.pushed)
        cli_print_push(cli, &report.push, cli_push_asked(&flags, &cfg),
                       push_progress.printed, flags.dry_run);
    exit_code = word_result(cli, &gz, &cfg, &report, &opts);
    if (flags.json)
        exit_code = print_json(cli, &report, &opts, exit_code,
                               pull && !push ? report.pull_seconds
                                             : cli_monotonic() - t0);
    if (pull && !push)
        cli_verbose(cli, "run %lld recorded in sync_runs\n", report.run_id);

done:
    cli_gazelle_close(&gz);
    gs_http_free(supabase);
    gs_store_close(store);
    gs_config_free(&cfg);
    return exit_code;
}

/* gazsync push: flags to gs_push_opts, gs_push_run(), the run log, one line
 * per entity. What is pending and how it is batched is gs_push_run()'s. */
#include "cli_record.h"

#include <string.h>

static const struct option push_long[] = {
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"all", no_argument, NULL, OPT_ALL},
    {"json", no_argument, NULL, OPT_JSON},
    {NULL, 0, NULL, 0},
};

int cli_push_half(gs_push_report *report, gs_error *saved, gs_store *store,
                  gs_http *http, const gs_config *cfg,
                  const gs_cli_flags *flags, const gs_cli *cli,
                  long long run_id, unsigned *printed)
{
    gs_push_opts opts;
    cli_push_progress progress;
    int rc;

    memset(report, 0, sizeof *report);
    memset(&opts, 0, sizeof opts);
    opts.entities = flags->entities;
    opts.dry_run = flags->dry_run;
    opts.batch_rows = (int)flags->batch;
    opts.resend_all = flags->resend_all;
    opts.now = cli_now_or_null(cli);
    opts.run_id = run_id;
    opts.cancel = &cli_cancel;
    cli_push_progress_init(&progress, cli, flags->dry_run);
    opts.progress = cli_push_progress_fn;
    opts.progress_ctx = &progress;
    gs_error_clear();
    rc = gs_push_run(report, store, http, cfg, &opts);
    *saved = *gs_error_last();
    *printed = progress.printed;
    return rc;
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

int cmd_push(gs_cli *cli, int argc, char **argv)
{
    gs_cli_flags flags;
    gs_config cfg;
    int cfg_loaded = 0;
    gs_store *store = NULL;
    gs_http *http = NULL;
    gs_cli_run run;
    gs_push_report report;
    gs_error saved;
    unsigned printed = 0;
    int rc, exit_code;
    double t0 = cli_monotonic();

    memset(&run, 0, sizeof run);
    exit_code =
        cli_entity_command_start(&flags, &cfg, cli, argc, argv, push_long);
    if (exit_code >= 0)
        return exit_code;
    cfg_loaded = 1;
    /* --json: stdout is the one JSON document; what people read goes
     * away, and failures still reach stderr. */
    if (flags.json)
        cli->verbosity = GS_QUIET;
    /* A dry run reads only the cache: it needs no Supabase settings. */
    rc = flags.dry_run ? GS_OK : cli_supabase_open(&http, &cfg);
    if (rc != GS_OK) {
        exit_code = cli_fail(cli, rc);
        goto done;
    }
    exit_code = cli_open_store(&store, cli, CLI_STORE_RUN_EXISTING);
    if (exit_code != 0)
        goto done;
    /* A dry run changes nothing, the run log included. */
    if (!flags.dry_run) {
        rc = cli_run_begin(&run, store, cli, "push");
        if (rc != GS_OK) {
            exit_code = cli_fail(cli, rc);
            goto done;
        }
    }

    rc = cli_push_half(&report, &saved, store, http, &cfg, &flags, cli, run.id,
                       &printed);
    cli_run_add_push(&run, &report, rc, &saved, NULL);
    int log_rc = cli_run_finish(&run, cli, rc, gs_push_report_json(&report));

    cli_print_push(cli, &report, cli_push_asked(&flags, &cfg), printed,
                   flags.dry_run);
    cli_report_half(cli, "push", rc, &saved);
    cli_push_hint(cli, &cfg, &report, &saved);
    cli_error_restore(&saved);
    exit_code = cli_exit_code(rc);
    if (log_rc != GS_OK) {
        int log_exit = cli_fail(cli, log_rc);
        if (exit_code == GS_EXIT_OK)
            exit_code = log_exit;
    }
    if (flags.json) {
        cli_run_json doc = {"push",
                            rc,
                            exit_code,
                            run.id,
                            cli_monotonic() - t0,
                            saved.message,
                            NULL,
                            gs_push_report_json(&report),
                            flags.dry_run};
        int json_exit = cli_print_run_json(cli, &doc);
        if (exit_code == GS_EXIT_OK)
            exit_code = json_exit;
    }

done:
    cli_run_free(&run);
    gs_http_free(http);
    gs_store_close(store);
    if (cfg_loaded)
        gs_config_free(&cfg);
    return exit_code;
}

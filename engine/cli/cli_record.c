/* The run log from the command line's side: one `sync_runs` row per pull,
 * push or sync, opened before the first request and completed with the
 * figures of the reports. The row holds messages from the library (which
 * never carry a secret) and counts; nothing from the configuration. */
#include "cli_record.h"

#include <stdlib.h>
#include <string.h>

int cli_run_begin(gs_cli_run *run, gs_store *store, const gs_cli *cli,
                  const char *command)
{
    int rc;

    memset(run, 0, sizeof *run);
    run->store = store;
    run->rec.command = command;
    run->rec.status = "running";
    cli_clock_now(run->started_at, cli);
    run->rec.started_at = run->started_at;
    rc = gs_store_run_begin(&run->id, store, &run->rec);
    if (rc == GS_OK) {
        run->begun = 1;
        /* From here a signal is a request to stop: the row is there to
         * say "interrupted". */
        cli_signals_install();
    }
    return rc;
}

static void add_error(gs_cli_run *run, const char *half, const char *entity,
                      const char *message)
{
    if (run->error.len)
        gs_buf_puts(&run->error, "; ");
    /* In a sync, say which half failed, unless the message already does
     * ("push: run log to gazsync_runs: ..."). */
    if (half && strncmp(message, half, strlen(half)) != 0)
        gs_buf_printf(&run->error, "%s%s", half, entity ? " " : ": ");
    if (entity)
        gs_buf_printf(&run->error, "%s: ", entity);
    gs_buf_puts(&run->error, message);
}

void cli_run_add_pull(gs_cli_run *run, const gs_pull_report *report, int rc,
                      const gs_error *err, const char *half)
{
    int named = 0;

    run->rec.gazelle_requests += report->requests;
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_entity_report *r = &report->entity[i];

        run->rec.rows_in += r->rows_seen;
        run->rec.rows_changed += r->rows_changed;
        if (r->decision == GS_DECISION_FAILED) {
            add_error(run, half, cli_entity_name(i),
                      r->error[0] ? r->error : gs_strerror(r->code));
            named++;
        }
    }
    if (rc != GS_OK && !named)
        add_error(run, half, NULL,
                  err && err->message[0] ? err->message : gs_strerror(rc));
}

void cli_run_add_push(gs_cli_run *run, const gs_push_report *report, int rc,
                      const gs_error *err, const char *half)
{
    int named = 0;

    run->rec.supabase_requests += report->requests;
    run->rec.rows_pushed += report->rows_pushed;
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_push_entity_report *r = &report->entity[i];

        if (r->code != GS_OK && r->code != GS_EPARTIAL) {
            add_error(run, half, cli_entity_name(i),
                      r->error[0] ? r->error : gs_strerror(r->code));
            named++;
        }
    }
    if (rc != GS_OK && !named)
        add_error(run, half, NULL,
                  err && err->message[0] ? err->message : gs_strerror(rc));
}

/* Completes the row; takes @p stats (may be NULL) and decrefs it. */
int cli_run_finish(gs_cli_run *run, const gs_cli *cli, int rc, json_t *stats)
{
    char *stats_text = NULL;
    int store_rc;

    if (!run->begun) {
        json_decref(stats);
        return GS_OK;
    }
    if (stats)
        stats_text = json_dumps(stats, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(stats);
    /* Under --now the run is stamped with the simulated clock at both ends,
     * so that the log agrees with the decisions the pull made. */
    cli_clock_now(run->finished_at, cli);
    run->rec.status = cli_run_status(rc);
    run->rec.finished_at = run->finished_at;
    run->rec.stats_json = stats_text ? stats_text : "{}";
    run->rec.error = run->error.len ? run->error.data : NULL;
    store_rc = gs_store_run_finish(run->store, run->id, &run->rec);
    free(stats_text);
    gs_buf_free(&run->error);
    run->begun = 0;
    return store_rc;
}

void cli_run_free(gs_cli_run *run)
{
    gs_buf_free(&run->error);
}

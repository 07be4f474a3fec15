/* `pull --json`, `push --json`, `sync --json`: the run's report as one JSON
 * document on stdout, for scripts and monitoring. The shape is documented
 * in docs/cli.md ("JSON output") and only grows: members are added, never
 * renamed or removed. The per-entity objects are the library's own reports
 * (gs_pull_report_json(), gs_push_report_json()), the same the run log
 * keeps in sync_runs.stats. */
#include "cli.h"

#define GS_RUN_JSON_VERSION 1

int cli_print_run_json(const gs_cli *cli, const cli_run_json *run)
{
    json_t *doc = json_pack(
        "{s:i, s:s, s:s, s:i, s:o, s:f, s:o}", "version", GS_RUN_JSON_VERSION,
        "command", run->command, "status", gs_sync_status(run->code),
        "exit_code", run->exit_code, "run_id",
        run->run_id > 0 ? json_integer(run->run_id) : json_null(), "seconds",
        run->seconds, "error",
        run->code != GS_OK && run->error && *run->error
            ? json_string(run->error)
            : json_null());
    int rc = GS_EXIT_OK;

    if (!doc) {
        json_decref(run->pull);
        json_decref(run->push);
        fprintf(stderr, "%s: out of memory for the JSON report\n", cli->prog);
        return GS_EXIT_FAILURE;
    }
    if (run->pull)
        json_object_set_new(doc, "pull", run->pull);
    if (run->push) {
        json_object_set_new(run->push, "dry_run", json_boolean(run->dry_run));
        json_object_set_new(doc, "push", run->push);
    }
    if (json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
        fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
        fprintf(stderr, "%s: cannot write the JSON report\n", cli->prog);
        rc = GS_EXIT_FAILURE;
    }
    json_decref(doc);
    return rc;
}

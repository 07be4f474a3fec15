/* gazsync runs: the run log (sync_runs), newest first. */
#include "cli.h"

#include <string.h>

static const struct option runs_long[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {NULL, 0, NULL, 0},
};

static const char *text_of(json_t *run, const char *key)
{
    const char *s = json_string_value(json_object_get(run, key));
    return s ? s : "";
}

static long long int_of(json_t *run, const char *key)
{
    json_t *v = json_object_get(run, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

static void print_run(json_t *run)
{
    const char *started = text_of(run, "started_at");
    const char *finished = text_of(run, "finished_at");
    const char *error = text_of(run, "error");
    time_t t0, t1;
    char took[32] = "-";

    if (gs_iso_parse(&t0, started) == GS_OK &&
        gs_iso_parse(&t1, finished) == GS_OK)
        gs_duration_format(took, sizeof took, (long long)(t1 - t0));
    printf("%6lld  %-20s  %-6s  %-8s  %7s  %7lld  %8lld  %7lld  %7lld  "
           "%6lld%s%s\n",
           int_of(run, "id"), started, text_of(run, "command"),
           text_of(run, "status"), took, int_of(run, "gazelle_requests"),
           int_of(run, "supabase_requests"), int_of(run, "rows_in"),
           int_of(run, "rows_changed"), int_of(run, "rows_pushed"),
           *error ? "  " : "", error);
}

int cmd_runs(gs_cli *cli, int argc, char **argv)
{
    gs_cli_flags flags;
    gs_store *store = NULL;
    json_t *runs = NULL;
    int first, rc, exit_code;

    memset(&flags, 0, sizeof flags);
    flags.limit = 20;
    exit_code = cli_command_start(cli, &first, argc, argv, runs_long,
                                  cli_flag_option, &flags);
    if (exit_code >= 0)
        return exit_code;
    if (first < argc)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[first]);

    exit_code = cli_open_store(&store, cli, CLI_STORE_READ);
    if (exit_code != 0)
        goto done;
    rc = gs_store_runs_list(&runs, store, (int)flags.limit);
    if (rc != GS_OK) {
        exit_code = cli_fail(cli, rc);
        goto done;
    }
    if (flags.json) {
        if (json_dumpf(runs, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) !=
            0) {
            fprintf(stderr, "%s: cannot write the runs\n", cli->prog);
            exit_code = GS_EXIT_FAILURE;
            goto done;
        }
        printf("\n");
        goto done;
    }
    if (json_array_size(runs) == 0) {
        cli_info(cli, "no runs yet\n");
        goto done;
    }
    printf("%6s  %-20s  %-6s  %-8s  %7s  %7s  %8s  %7s  %7s  %6s  %s\n", "id",
           "started", "cmd", "status", "took", "gazelle", "supabase", "rows in",
           "changed", "pushed", "error");
    size_t i;
    json_t *run;
    json_array_foreach(runs, i, run) print_run(run);

done:
    json_decref(runs);
    gs_store_close(store);
    return exit_code;
}

/* gazsync status: what the cache holds and what the next pull will do, from
 * the cache and the config alone (no network). --json prints
 * gs_store_status() as it is. */
#include "cli.h"

#include <string.h>

static const struct option status_long[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {NULL, 0, NULL, 0},
};

static const char *push_target(const gs_config *cfg)
{
    static char key[300];

    gs_push_state_key(key, sizeof key, cfg);
    return key;
}

/* The pull report of the newest run that pulled (a pull's stats, a sync's
 * stats.pull), from the run log; NULL when none. Borrowed from @runs. */
static json_t *last_pull(json_t *runs, json_int_t *run_id)
{
    size_t i;
    json_t *run;

    json_array_foreach(runs, i, run)
    {
        json_t *stats = json_object_get(run, "stats");
        json_t *pull = json_object_get(stats, "pull");

        if (!pull && json_object_get(stats, "gazelle_requests"))
            pull = stats;
        if (json_is_object(pull)) {
            *run_id = json_integer_value(json_object_get(run, "id"));
            return pull;
        }
    }
    return NULL;
}

/* Requests and pages apart: a packed request carries several pages. */
static void print_last_pull(json_t *pull, json_int_t run_id)
{
    json_int_t nodes =
        json_integer_value(json_object_get(pull, "request_nodes"));

    if (!pull)
        return;
    printf(
        "last pull run %lld: %lld Gazelle requests, %lld pages, ",
        (long long)run_id,
        (long long)json_integer_value(
            json_object_get(pull, "gazelle_requests")),
        (long long)json_integer_value(json_object_get(pull, "gazelle_pages")));
    if (json_is_true(json_object_get(pull, "packed")))
        printf("packed (up to %lld nodes a request)\n", (long long)nodes);
    else
        printf("one page a request\n");
}

static void print_entity_pages(json_t *pull, const gs_entity *entity)
{
    json_t *e =
        json_object_get(json_object_get(pull, "entities"), entity->name);

    if (!e || !json_integer_value(json_object_get(e, "pages")))
        return;
    printf("  last run pages %lld in %lld requests\n",
           (long long)json_integer_value(json_object_get(e, "pages")),
           (long long)json_integer_value(json_object_get(e, "requests")));
}

static int print_entity(gs_store *store, const gs_config *cfg, int i,
                        time_t now, const char *now_iso, json_t *pull)
{
    const gs_entity *entity = gs_entity_get((gs_entity_id)i);
    gs_sync_state st;
    gs_push_state ps;
    long long rows = 0, pending = 0;
    time_t last_success;
    json_t *failures = NULL;
    gs_entity_report next;
    char policy[96], decision[256], age[48] = "";
    int rc;

    rc = gs_store_state_get(&st, store, entity);
    if (rc == GS_OK)
        rc = gs_store_count(&rows, store, entity);
    if (rc == GS_OK)
        rc = gs_store_push_state_get(&ps, store, entity, push_target(cfg));
    if (rc == GS_OK)
        rc =
            gs_store_pending_count(&pending, store, entity, ps.last_pushed_seq);
    if (rc == GS_OK)
        rc = gs_store_failures_ids(&failures, store, entity, push_target(cfg));
    if (rc != GS_OK)
        goto done;

    gs_policy_format(policy, sizeof policy, &cfg->policy[i]);
    /* The library's own planner, so status never drifts from pull. */
    rc = gs_pull_preview(&next, store, cfg, entity, now_iso);
    if (rc != GS_OK)
        goto done;
    snprintf(decision, sizeof decision, "%s%s%s",
             next.decision == GS_DECISION_SKIPPED ? "skip: " : "", next.reason,
             next.resumes ? "; resumes the unfinished pull at its saved page"
                          : "");
    if (st.last_success[0] &&
        gs_iso_parse(&last_success, st.last_success) == GS_OK)
        cli_format_age(age, sizeof age, now - last_success);

    printf("%s\n", entity->name);
    printf("  rows           %lld\n", rows);
    if (st.last_success[0])
        printf("  last success   %s (%s)\n", st.last_success, age);
    else
        printf("  last success   never\n");
    if (st.status[0] && strcmp(st.status, "ok") != 0)
        printf("  last status    %s%s%s\n", st.status,
               st.last_error[0] ? ": " : "", st.last_error);
    if (st.decision[0])
        printf("  last pull      %s\n", st.decision);
    printf("  policy         %s\n", policy);
    printf("  next pull      %s\n", decision);
    printf("  Gazelle calls  %lld last run, %lld total\n", st.calls_last,
           st.calls_total);
    print_entity_pages(pull, entity);
    printf("  push           %lld pending, %zu quarantined", pending,
           json_array_size(failures));
    if (ps.last_push[0])
        printf(", last push %s", ps.last_push);
    printf("\n");

done:
    json_decref(failures);
    return rc;
}

int cmd_status(gs_cli *cli, int argc, char **argv)
{
    gs_cli_flags flags;
    gs_config cfg;
    int cfg_loaded = 0;
    gs_store *store = NULL;
    json_t *status = NULL, *runs = NULL, *pull = NULL;
    json_int_t run_id = 0;
    char now_text[32];
    char target[400];
    time_t now = 0;
    int first, rc, exit_code;

    memset(&flags, 0, sizeof flags);
    exit_code = cli_command_start(cli, &first, argc, argv, status_long,
                                  cli_flag_option, &flags);
    if (exit_code >= 0)
        return exit_code;
    if (first < argc)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[first]);

    exit_code = cli_load_config(&cfg, cli);
    if (exit_code != 0)
        goto done;
    cfg_loaded = 1;
    exit_code = cli_open_store(&store, cli, CLI_STORE_READ);
    if (exit_code != 0)
        goto done;

    if (flags.json) {
        rc = gs_store_status_at(&status, store, push_target(&cfg),
                                cli_now_or_null(cli));
        if (rc != GS_OK) {
            exit_code = cli_fail(cli, rc);
            goto done;
        }
        if (json_dumpf(status, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) !=
            0) {
            fprintf(stderr, "%s: cannot write the status\n", cli->prog);
            exit_code = GS_EXIT_FAILURE;
            goto done;
        }
        printf("\n");
        goto done;
    }

    cli_clock_now(now_text, cli);
    if (gs_iso_parse(&now, now_text) != GS_OK)
        now = 0;
    printf("cache %s (schema %d)%s%s\n", cli->db_path,
           gs_store_schema_version(), cli->now[0] ? ", now " : "", cli->now);
    gs_push_target_describe(target, sizeof target, &cfg);
    printf("push target %s\n", target);
    /* Best effort: a run log that cannot be read hides this line only. */
    if (gs_store_runs_list(&runs, store, 50) == GS_OK)
        pull = last_pull(runs, &run_id);
    print_last_pull(pull, run_id);
    printf("\n");
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        rc = print_entity(store, &cfg, i, now, now_text, pull);
        if (rc != GS_OK) {
            exit_code = cli_fail(cli, rc);
            goto done;
        }
    }

done:
    json_decref(runs);
    json_decref(status);
    gs_store_close(store);
    if (cfg_loaded)
        gs_config_free(&cfg);
    return exit_code;
}

/* gs_sync_run: a run row, the pull, the push, one code. The command-line
 * tool's pull, push and sync are this with one half or both, so that the
 * run log and the code rule are written once. */
#include <string.h>
#include <time.h>

#include "opts.h"
#include "sync_internal.h"

static int half_ok(int rc)
{
    return rc == GS_OK || rc == GS_EPARTIAL;
}

/* Some entities failed: partial. A whole half failed (every entity of the
 * pull, say, because Gazelle refused the credentials): that half's own
 * code, since that is what the person reading the cron mail has to fix;
 * the pull's first, as it comes first. */
int gs_sync_code(int pull_code, int push_code)
{
    if (pull_code == GS_ESTORE || pull_code == GS_ECANCELED)
        return pull_code;
    if (push_code == GS_ESTORE || push_code == GS_ECANCELED)
        return push_code;
    if (pull_code == GS_OK && push_code == GS_OK)
        return GS_OK;
    if (half_ok(pull_code) && half_ok(push_code))
        return GS_EPARTIAL;
    return half_ok(pull_code) ? push_code : pull_code;
}

const gs_error *gs_sync_report_error(const gs_sync_report *report)
{
    if (!report->pushed || (report->pulled && !half_ok(report->pull_code)))
        return &report->pull_error;
    return &report->push_error;
}

static double elapsed_since(const struct timespec *start)
{
    struct timespec end;

    clock_gettime(CLOCK_MONOTONIC, &end);
    return (double)(end.tv_sec - start->tv_sec) +
           (double)(end.tv_nsec - start->tv_nsec) / 1e9;
}

static void pull_half(gs_sync_report *report, gs_store *store,
                      gs_gazelle *gazelle, const gs_config *cfg,
                      const gs_sync_opts *opts)
{
    struct timespec start;

    clock_gettime(CLOCK_MONOTONIC, &start);
    gs_error_clear();
    report->pulled = 1;
    report->pull_code =
        gs_pull_run(&report->pull, store, gazelle, cfg, &opts->pull_opts);
    /* Kept before the run log overwrites the thread's last error. */
    report->pull_error = *gs_error_last();
    report->pull_seconds = elapsed_since(&start);
}

static void push_half(gs_sync_report *report, gs_store *store,
                      gs_http *supabase, const gs_config *cfg,
                      const gs_sync_opts *opts)
{
    gs_push_opts push_opts = opts->push_opts;

    push_opts.run_id = report->run_id;
    gs_error_clear();
    report->pushed = 1;
    report->push_code =
        gs_push_run(&report->push, store, supabase, cfg, &push_opts);
    report->push_error = *gs_error_last();
}

/* The row's stats: a half's report, or both under their names. */
static json_t *run_stats(const gs_sync_report *report, const gs_sync_opts *opts)
{
    json_t *stats;

    if (!opts->push)
        return gs_pull_report_json(&report->pull);
    if (!opts->pull)
        return gs_push_report_json(&report->push);
    stats = json_object();
    if (stats) {
        json_object_set_new(stats, "pull", gs_pull_report_json(&report->pull));
        json_object_set_new(stats, "push", gs_push_report_json(&report->push));
    }
    return stats;
}

static void record(gs__sync_row *row, gs_sync_report *report,
                   const gs_sync_opts *opts)
{
    int both = opts->pull && opts->push;

    if (opts->pull)
        gs__sync_row_add_pull(row, &report->pull, report->pull_code,
                              &report->pull_error, both ? "pull" : NULL);
    if (opts->push)
        gs__sync_row_add_push(row, &report->push, report->push_code,
                              &report->push_error, both ? "push" : NULL);
    gs_error_clear();
    report->run_log_code = gs__sync_row_finish(row, report->code, opts->now,
                                               run_stats(report, opts));
    report->run_log_error = *gs_error_last();
}

int gs_sync_run(gs_sync_report *report, gs_store *store, gs_gazelle *gazelle,
                gs_http *supabase, const gs_config *cfg,
                const gs_sync_opts *opts)
{
    static const gs_sync_opts defaults = GS_SYNC_OPTS_INIT;
    gs__sync_row row;
    int rc;

    memset(report, 0, sizeof *report);
    memset(&row, 0, sizeof row);
    if (!opts)
        opts = &defaults;
    rc = gs_opts_check(opts->version, GS_SYNC_OPTS_VERSION, "gs_sync_opts");
    if (rc == GS_OK && (!store || !cfg || (opts->pull && !gazelle)))
        rc = gs_error_set(GS_EINVAL, GS_ECLASS_NONE,
                          "sync: missing the cache, the configuration or "
                          "(for a pull) the Gazelle client");
    if (rc == GS_OK && opts->record) {
        rc = gs__sync_row_begin(
            &row, store, opts->command ? opts->command : "sync", opts->now);
        report->run_id = row.id;
    }
    if (rc != GS_OK) {
        report->code = rc;
        return rc;
    }
    if (opts->on_begin && row.begun)
        opts->on_begin(opts->callback_ctx, row.id);

    if (opts->pull) {
        pull_half(report, store, gazelle, cfg, opts);
        if (opts->on_pull)
            opts->on_pull(opts->callback_ctx, report);
    }
    /* The push runs whatever else the pull did: pages commit with their
     * cursor, so the cache is consistent and what it holds can go out. Not
     * after a cache fault (the file is not to be trusted) or a request to
     * stop. */
    if (opts->push && report->pull_code != GS_ESTORE &&
        report->pull_code != GS_ECANCELED)
        push_half(report, store, supabase, cfg, opts);

    report->code = gs_sync_code(report->pull_code, report->push_code);
    record(&row, report, opts);
    gs__sync_row_free(&row);
    return report->code;
}

/* The run log: one `sync_runs` row per pull, push or sync, opened before
 * the first request and completed with the figures of the reports. The row
 * holds messages from the library (which never carry a secret) and counts;
 * nothing from the configuration. */
#include <stdlib.h>
#include <string.h>

#include "sync_internal.h"

const char *gs_sync_status(int code)
{
    if (code == GS_OK)
        return "ok";
    if (code == GS_EPARTIAL)
        return "partial";
    if (code == GS_ECANCELED)
        return "interrupted";
    return "failed";
}

/* Under a simulated "now" the run is stamped with it at both ends, so that
 * the log agrees with the decisions the pull made. */
static int stamp(char out[GS_ISO_SIZE], const char *now)
{
    time_t t;

    return gs_clock_now(out, &t, now);
}

int gs__sync_row_begin(gs__sync_row *row, gs_store *store, const char *command,
                       const char *now)
{
    int rc;

    memset(row, 0, sizeof *row);
    row->store = store;
    row->rec.command = command;
    row->rec.status = "running";
    rc = stamp(row->started_at, now);
    row->rec.started_at = row->started_at;
    if (rc == GS_OK)
        rc = gs_store_run_begin(&row->id, store, &row->rec);
    row->begun = rc == GS_OK;
    return rc;
}

static void add_error(gs__sync_row *row, const char *half, const char *entity,
                      const char *message)
{
    if (row->error.len)
        gs_buf_puts(&row->error, "; ");
    /* In a sync, say which half failed, unless the message already does
     * ("push: run log to gazsync_runs: ..."). */
    if (half && strncmp(message, half, strlen(half)) != 0)
        gs_buf_printf(&row->error, "%s%s", half, entity ? " " : ": ");
    if (entity)
        gs_buf_printf(&row->error, "%s: ", entity);
    gs_buf_puts(&row->error, message);
}

/* One entity's failure, by name; @p code's name when it left no message. */
static void add_entity_error(gs__sync_row *row, const char *half, int id,
                             const char *message, int code)
{
    add_error(row, half, gs_entity_get((gs_entity_id)id)->name,
              message[0] ? message : gs_strerror(code));
}

/* A half that failed with no entity to blame (the run's own message). */
static void add_half_error(gs__sync_row *row, const char *half, int rc,
                           const gs_error *err, int named)
{
    if (rc != GS_OK && !named)
        add_error(row, half, NULL,
                  err && err->message[0] ? err->message : gs_strerror(rc));
}

void gs__sync_row_add_pull(gs__sync_row *row, const gs_pull_report *report,
                           int rc, const gs_error *err, const char *half)
{
    int named = 0;

    row->rec.gazelle_requests += report->requests;
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_entity_report *r = &report->entity[i];

        row->rec.rows_in += r->rows_seen;
        row->rec.rows_changed += r->rows_changed;
        if (r->decision == GS_DECISION_FAILED) {
            add_entity_error(row, half, i, r->error, r->code);
            named++;
        }
    }
    add_half_error(row, half, rc, err, named);
}

void gs__sync_row_add_push(gs__sync_row *row, const gs_push_report *report,
                           int rc, const gs_error *err, const char *half)
{
    int named = 0;

    row->rec.supabase_requests += report->requests;
    row->rec.rows_pushed += report->rows_pushed;
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_push_entity_report *r = &report->entity[i];

        if (r->code != GS_OK && r->code != GS_EPARTIAL) {
            add_entity_error(row, half, i, r->error, r->code);
            named++;
        }
    }
    add_half_error(row, half, rc, err, named);
}

int gs__sync_row_finish(gs__sync_row *row, int rc, const char *now,
                        json_t *stats)
{
    char *stats_text = NULL;
    int store_rc;

    if (!row->begun) {
        json_decref(stats);
        return GS_OK;
    }
    if (stats)
        stats_text = json_dumps(stats, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(stats);
    store_rc = stamp(row->finished_at, now);
    row->rec.status = gs_sync_status(rc);
    row->rec.finished_at = row->finished_at;
    row->rec.stats_json = stats_text ? stats_text : "{}";
    row->rec.error = row->error.len ? row->error.data : NULL;
    if (store_rc == GS_OK)
        store_rc = gs_store_run_finish(row->store, row->id, &row->rec);
    free(stats_text);
    gs_buf_free(&row->error);
    row->begun = 0;
    return store_rc;
}

void gs__sync_row_free(gs__sync_row *row)
{
    gs_buf_free(&row->error);
}

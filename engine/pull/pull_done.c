/* What every way of pulling does when an entity is done: the failure
 * recorded, contacts reported with their clients, the progress callback
 * told (pull.c runs entities one by one, pull_packed.c all at once). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "pull_internal.h"

double gs__pull_elapsed(const struct timespec *start)
{
    struct timespec end;

    clock_gettime(CLOCK_MONOTONIC, &end);
    return (double)(end.tv_sec - start->tv_sec) +
           (double)(end.tv_nsec - start->tv_nsec) / 1e9;
}

/* @p state NULL: it could not be read, and is left as it is in the cache
 * (writing back a zeroed one would erase the high-water mark and the
 * checkpoint, and the next run would read everything again). */
void gs__pull_record_failure(gs_pull_ctx *ctx, const gs_entity *entity,
                             gs_sync_state *state, int rc)
{
    gs_entity_report *report = &ctx->report->entity[entity->id];

    report->decision = GS_DECISION_FAILED;
    report->code = rc;
    gs_copy_text(report->error, sizeof report->error, gs_error_last()->message);
    if (!state)
        return;
    snprintf(state->status, sizeof state->status, "failed");
    gs_copy_text(state->last_error, sizeof state->last_error, report->error);
    /* Best effort: the failure itself may be the store's. */
    gs_store_state_put(ctx->store, entity, state);
}

/* Contacts come inside client pages: their report and state follow the
 * clients' pull (@p contacts: the entity nested in the one just pulled). */
static int follow_clients(gs_pull_ctx *ctx, const gs_entity *contacts)
{
    gs_entity_report *clients = &ctx->report->entity[contacts->parent];
    gs_entity_report *report = &ctx->report->entity[contacts->id];
    gs_sync_state state;
    int rc = gs_store_state_get(&state, ctx->store, contacts);

    report->decision = clients->decision;
    report->why = GS_WHY_WITH_CLIENTS;
    report->policy = clients->policy;
    gs_copy_text(report->reason, sizeof report->reason, "with clients");
    /* A failed clients pull fails its contacts for the same reason; without
     * the code and message the report read "FAILED ... GS_OK: success". */
    report->code = clients->code;
    gs_copy_text(report->error, sizeof report->error, clients->error);
    if (rc != GS_OK || clients->decision == GS_DECISION_SKIPPED)
        return rc;
    snprintf(state.policy, sizeof state.policy, "with clients");
    gs_copy_text(state.decision, sizeof state.decision, report->reason);
    gs_copy_text(state.last_attempt, sizeof state.last_attempt, ctx->now);
    if (clients->decision == GS_DECISION_PULLED) {
        snprintf(state.status, sizeof state.status, "ok");
        gs_copy_text(state.last_success, sizeof state.last_success, ctx->now);
        state.last_error[0] = '\0';
    } else {
        snprintf(state.status, sizeof state.status, "failed");
        gs_copy_text(state.last_error, sizeof state.last_error, clients->error);
    }
    rc = gs_store_count(&state.rows, ctx->store, contacts);
    if (rc == GS_OK)
        rc = gs_store_state_put(ctx->store, contacts, &state);
    return rc;
}

/* Tells the progress callback that @p id is done, with its report. */
void gs__pull_report_finished(gs_pull_ctx *ctx, gs_entity_id id)
{
    gs_progress progress;
    const gs_entity_report *r = &ctx->report->entity[id];

    if (!ctx->opts->progress || r->decision == GS_DECISION_NONE)
        return;
    memset(&progress, 0, sizeof progress);
    progress.entity = gs_entity_get(id);
    progress.pages = r->pages;
    progress.rows = r->rows_seen;
    progress.total = -1;
    progress.finished = r;
    ctx->opts->progress(ctx->opts->progress_ctx, &progress);
}

int gs__pull_entity_done(gs_pull_ctx *ctx, const gs_entity *entity, int rc)
{
    const gs_entity *child = gs_entity_child(entity);

    if (child) {
        int follow_rc = follow_clients(ctx, child);

        if (rc == GS_OK)
            rc = follow_rc;
    }
    gs__pull_report_finished(ctx, entity->id);
    if (child)
        gs__pull_report_finished(ctx, child->id);
    return rc;
}

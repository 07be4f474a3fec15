/* The page loop of one entity: ask, store, checkpoint, until the plan is
 * met. A run killed between pages resumes from the saved cursor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pull_internal.h"

static const char *mode_name(gs_plan_mode mode)
{
    switch (mode) {
    case GS_PLAN_FULL:
        return "full";
    case GS_PLAN_DELTA:
        return "delta";
    case GS_PLAN_WINDOW:
        return "window";
    case GS_PLAN_SINCE:
        return "since";
    default:
        return "skip";
    }
}

/* The checkpoint is "<mode>|<cursor>": a cursor is only meaningful to the
 * same query, so a run resumes only a pull of the same kind. */
const char *gs_pull_resumable(const gs_sync_state *state, gs_plan_mode mode)
{
    const char *name = mode_name(mode);
    size_t len = strlen(name);

    /* A cursor is cleared when a pull finishes, so one left behind marks a
     * pull that was killed or failed part-way: either way, go on from it. */
    if (mode == GS_PLAN_WINDOW)
        return NULL;
    if (strncmp(state->resume_cursor, name, len) != 0 ||
        state->resume_cursor[len] != '|' || !state->resume_cursor[len + 1])
        return NULL;
    return state->resume_cursor + len + 1;
}

static json_t *page_variables(const gs_entity *entity, const gs_pull_plan *plan,
                              int page_size, const char *after)
{
    json_t *vars = json_pack("{s:i}", "first", page_size);

    if (after)
        json_object_set_new(vars, "after", json_string(after));
    switch (entity->id) {
    case GS_ENTITY_CLIENTS:
    case GS_ENTITY_PIANOS:
        /* Newest change first: a delta stops at the first page that reaches
         * the high-water mark. Sorting by creation would miss updates. */
        json_object_set_new(vars, "sortBy",
                            json_pack("[s]", "UPDATED_AT_DESC"));
        break;
    case GS_ENTITY_APPOINTMENTS:
        json_object_set_new(vars, "sortBy", json_pack("[s]", "START_ASC"));
        if (plan->mode == GS_PLAN_WINDOW)
            json_object_set_new(vars, "filters",
                                json_pack("{s:s,s:s}", "startOn",
                                          plan->window_start, "endOn",
                                          plan->window_end));
        break;
    case GS_ENTITY_TIMELINE:
        if (plan->mode == GS_PLAN_SINCE)
            json_object_set_new(vars, "occurredAtGet",
                                json_string(plan->since));
        break;
    default:
        break;
    }
    return vars;
}

/* Deletions: what a full read or a window no longer returns is gone. The
 * seen ids live in a table, so a resumed full read sweeps as well. */
static int sweep(gs_pull_ctx *ctx, const gs_entity *entity,
                 const gs_pull_plan *plan)
{
    gs_entity_report *report = &ctx->report->entity[entity->id];
    long long deleted = 0, contacts_deleted = 0;
    int rc = GS_OK;

    if (plan->mode == GS_PLAN_WINDOW)
        rc = gs_store_sweep_unseen(&deleted, ctx->store, entity, "start",
                                   plan->sweep_from, plan->sweep_to, ctx->now);
    else if (plan->mode == GS_PLAN_FULL) {
        rc = gs_store_sweep_unseen(&deleted, ctx->store, entity, NULL, NULL,
                                   NULL, ctx->now);
        if (rc == GS_OK && entity->id == GS_ENTITY_CLIENTS)
            rc = gs_store_sweep_unseen(&contacts_deleted, ctx->store,
                                       gs_entity_get(GS_ENTITY_CONTACTS), NULL,
                                       NULL, NULL, ctx->now);
    }
    report->rows_deleted += deleted;
    ctx->report->entity[GS_ENTITY_CONTACTS].rows_deleted += contacts_deleted;
    return rc;
}

static int reset_seen(gs_pull_ctx *ctx, const gs_entity *entity)
{
    int rc = gs_store_seen_reset(ctx->store, entity);

    if (rc == GS_OK && entity->id == GS_ENTITY_CLIENTS)
        rc = gs_store_seen_reset(ctx->store, gs_entity_get(GS_ENTITY_CONTACTS));
    return rc;
}

/* Contacts are swept with clients, so their scope ends with the clients'. */
static int stop_seen(gs_pull_ctx *ctx, const gs_entity *entity)
{
    int rc = gs_store_seen_stop(ctx->store, entity);

    if (rc == GS_OK && entity->id == GS_ENTITY_CLIENTS)
        rc = gs_store_seen_stop(ctx->store, gs_entity_get(GS_ENTITY_CONTACTS));
    return rc;
}

typedef struct {
    long page;
    long long changed, rejected;
    time_t max_stamp;
    char max_text[GS_ISO_SIZE];
    int saw_older;
} page_totals;

/* Asks for one page and stores it with its checkpoint in one transaction.
 * *next gets the cursor to continue from, NULL when done. The checkpoint is
 * built in a copy and adopted only once committed: after a rollback, the
 * caller records the failure with *state, and a cursor past the rolled-back
 * page would make the next run skip it. */
static int pull_page(gs_pull_ctx *ctx, const gs_entity *entity,
                     const gs_pull_plan *plan, gs_sync_state *state,
                     page_totals *totals, const char *after, char **next)
{
    gs_entity_report *report = &ctx->report->entity[entity->id];
    gs_sync_state checkpoint = *state;
    gs_gazelle_page page = {0};
    json_t *vars, *data = NULL;
    char what[96];
    int rc;

    *next = NULL;
    totals->page++;
    snprintf(what, sizeof what, "%s page %ld", entity->name, totals->page);
    vars = page_variables(entity, plan,
                          ctx->cfg->policy[entity->id].page_size
                              ? ctx->cfg->policy[entity->id].page_size
                              : ctx->cfg->page_size,
                          after);
    /* The client names `what` in its own errors; the page reader only
     * knows the root field, so its errors get the page added here. */
    rc = gs_gazelle_query(&data, ctx->client, gs_gazelle_document(entity), vars,
                          what);
    if (rc != GS_OK)
        goto done;
    rc = gs_gazelle_page_parse(&page, data, entity->root_field);
    if (rc != GS_OK) {
        gs_error_wrap("%s", what);
        goto done;
    }
    rc = gs_store_begin(ctx->store);
    if (rc != GS_OK)
        goto done;
    rc = gs_pull_ingest_page(ctx, entity, page.nodes, totals->page,
                             &totals->changed, &totals->rejected,
                             &totals->max_stamp, totals->max_text,
                             &totals->saw_older, plan->stop_below);
    if (rc == GS_OK) {
        int more = page.has_next_page && page.end_cursor && !totals->saw_older;

        gs_copy_text(checkpoint.pending_high_water,
                     sizeof checkpoint.pending_high_water, totals->max_text);
        if (more) {
            int n = snprintf(checkpoint.resume_cursor,
                             sizeof checkpoint.resume_cursor, "%s|%s",
                             mode_name(plan->mode), page.end_cursor);
            /* A cut cursor would resume at some other page, or fail every
             * run: keep none, so a killed run starts this pull afresh. */
            if (n < 0 || (size_t)n >= sizeof checkpoint.resume_cursor)
                checkpoint.resume_cursor[0] = '\0';
        }
        rc = gs_store_state_put(ctx->store, entity, &checkpoint);
        if (rc == GS_OK)
            rc = gs_store_commit(ctx->store);
        if (rc == GS_OK)
            *state = checkpoint;
        if (rc == GS_OK && more) {
            *next = page.end_cursor;
            page.end_cursor = NULL;
        }
    }
    if (rc != GS_OK)
        gs_store_rollback(ctx->store);
    report->pages = totals->page;
    report->rows_seen += (long long)json_array_size(page.nodes);
    if (ctx->opts->progress)
        ctx->opts->progress(ctx->opts->progress_ctx, entity, totals->page,
                            report->rows_seen);
done:
    gs_gazelle_page_free(&page);
    json_decref(data);
    json_decref(vars);
    return rc;
}

/* Completes the entity: deletions swept, high-water advanced, checkpoint
 * cleared, in one transaction. The new state is adopted only once
 * committed: a failed sweep must not leave last_success (which max-age
 * trusts) or a cleared checkpoint behind in the failure record. */
static int finish(gs_pull_ctx *ctx, const gs_entity *entity,
                  const gs_pull_plan *plan, gs_sync_state *state,
                  const page_totals *totals)
{
    gs_sync_state done = *state;
    time_t old_mark;
    int rc = gs_store_begin(ctx->store);

    if (rc == GS_OK)
        rc = sweep(ctx, entity, plan);
    if (rc == GS_OK && plan->mode == GS_PLAN_FULL)
        rc = gs_pull_full_done(ctx, entity);
    if (rc == GS_OK && totals->max_text[0] &&
        (!done.high_water[0] ||
         gs_iso_parse(&old_mark, done.high_water) != GS_OK ||
         totals->max_stamp > old_mark))
        gs_copy_text(done.high_water, sizeof done.high_water, totals->max_text);
    done.resume_cursor[0] = '\0';
    done.pending_high_water[0] = '\0';
    snprintf(done.status, sizeof done.status, "ok");
    done.last_error[0] = '\0';
    gs_copy_text(done.last_success, sizeof done.last_success, ctx->now);
    if (rc == GS_OK)
        rc = gs_store_count(&done.rows, ctx->store, entity);
    if (rc == GS_OK)
        rc = gs_store_state_put(ctx->store, entity, &done);
    if (rc == GS_OK)
        rc = gs_store_commit(ctx->store);
    else
        gs_store_rollback(ctx->store);
    if (rc == GS_OK)
        *state = done;
    return rc;
}

int gs_pull_entity(gs_pull_ctx *ctx, const gs_entity *entity,
                   const gs_pull_plan *plan, gs_sync_state *state)
{
    gs_entity_report *report = &ctx->report->entity[entity->id];
    page_totals totals = {0};
    const char *resume = gs_pull_resumable(state, plan->mode);
    char *cursor = NULL, *next = NULL;
    int rc = GS_OK;

    if (resume) {
        cursor = strdup(resume);
        if (state->pending_high_water[0] &&
            gs_iso_parse(&totals.max_stamp, state->pending_high_water) == GS_OK)
            gs_copy_text(totals.max_text, sizeof totals.max_text,
                         state->pending_high_water);
    } else {
        state->resume_cursor[0] = '\0';
        state->pending_high_water[0] = '\0';
        /* Only sweeping pulls track the ids they see: each tracked id is
         * one more write per row, wasted where nothing is swept. */
        if (plan->mode == GS_PLAN_FULL || plan->mode == GS_PLAN_WINDOW)
            rc = reset_seen(ctx, entity);
        else
            rc = stop_seen(ctx, entity);
    }
    snprintf(state->status, sizeof state->status, "running");
    gs_copy_text(state->last_attempt, sizeof state->last_attempt, ctx->now);
    if (rc == GS_OK)
        rc = gs_store_state_put(ctx->store, entity, state);
    while (rc == GS_OK) {
        rc = pull_page(ctx, entity, plan, state, &totals, cursor, &next);
        free(cursor);
        cursor = next;
        if (rc != GS_OK || !cursor)
            break;
        /* Stopped on request: the page is stored with its checkpoint, so
         * the next run resumes right after it. */
        if (ctx->opts->cancel && *ctx->opts->cancel)
            rc = gs_error_set(GS_ECANCELED, GS_ECLASS_NONE,
                              "%s: interrupted after page %ld; the next run "
                              "resumes there",
                              entity->name, totals.page);
    }
    free(cursor);
    report->rows_changed += totals.changed;
    if (rc == GS_OK && totals.rejected > 0) {
        /* The good rows are kept; the mark stays where it was so the next
         * run reads these pages again and reports the bad rows again. */
        rc = gs_error_set(GS_EINVAL, GS_ECLASS_DATA,
                          "%s (%lld row(s) refused; high-water mark kept)",
                          report->error, totals.rejected);
        state->resume_cursor[0] = '\0';
    } else if (rc == GS_OK) {
        rc = finish(ctx, entity, plan, state, &totals);
    }
    return rc;
}

/* The page loop of one entity: ask, store, checkpoint, until the plan is
 * met. A run killed between pages resumes from the saved cursor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pull_internal.h"

const char *gs__pull_mode_name(gs_plan_mode mode)
{
    switch (mode) {
    case GS_PLAN_FULL:
        return "full";
    case GS_PLAN_NEW_ROWS:
        return "new-rows";
    case GS_PLAN_WINDOW:
        return "window";
    case GS_PLAN_SINCE:
        return "since";
    default:
        return "skip";
    }
}

/* The checkpoint is "<mode>|<cursor>": a cursor is only meaningful to the
 * same query, so a run resumes only a pull of the same kind. Only full
 * reads resume: a window, a since pull and a new-rows probe are asked
 * afresh with bounds computed now (the date moved, or the newest creation
 * stamp did, as the first pages were stored), and they are small; a
 * resumed since pull would also miss what arrived meanwhile on the pages
 * it had passed (issue 11, defect 17). */
const char *gs__pull_resumable(const gs_sync_state *state, gs_plan_mode mode)
{
    const char *name = gs__pull_mode_name(mode);
    size_t len = strlen(name);

    /* A cursor is cleared when a pull finishes, so one left behind marks a
     * pull that was killed or failed part-way: either way, go on from it. */
    if (mode != GS_PLAN_FULL)
        return NULL;
    /* A packed read's per-range cursors (pull_packed.c) are no cursor
     * of this query. */
    if (strcmp(state->resume_cursor, GS_PULL_RANGES_MARK) == 0)
        return NULL;
    if (strncmp(state->resume_cursor, name, len) != 0 ||
        state->resume_cursor[len] != '|' || !state->resume_cursor[len + 1])
        return NULL;
    return state->resume_cursor + len + 1;
}

/* Sorts and filters as the entity's descriptor says (gs_entity.reads).
 * Clients and pianos page in creation order, whose key never changes: a
 * resumed read can neither skip nor repeat a row (issue 11, defect 4).
 * Every read names all values of the enum filters
 * (gs_gazelle_add_all_values), so no row hides behind a default. */
json_t *gs__pull_page_variables(const gs_pull_ctx *ctx, const gs_entity *entity,
                                const gs_pull_plan *plan, int page_size,
                                const char *after)
{
    const gs_entity_reads *r = &entity->reads;
    const gs_entity *child = gs_entity_child(entity);
    const char *sort =
        plan->mode == GS_PLAN_NEW_ROWS ? r->sort_new_rows : r->sort_whole;
    json_t *vars, *filters = json_object();
    int rc = 0;

    if (entity->shape == GS_READ_LIST) {
        json_decref(filters);
        return json_object(); /* a plain list: no variables at all */
    }
    vars = json_pack("{s:i}", "first", page_size);
    if (!vars || !filters)
        goto fail;
    if (after)
        rc |= json_object_set_new(vars, "after", json_string(after));
    if (sort)
        rc |= json_object_set_new(vars, "sortBy", json_pack("[s]", sort));
    if (gs_gazelle_add_all_values(vars, filters, entity) != 0)
        goto fail;
    if (plan->mode == GS_PLAN_NEW_ROWS && r->created_filter)
        rc |= json_object_set_new(filters, r->created_filter,
                                  json_string(plan->created_get));
    if (plan->mode == GS_PLAN_WINDOW && r->window_from && r->window_to) {
        rc |= json_object_set_new(filters, r->window_from,
                                  json_string(plan->window_start));
        rc |= json_object_set_new(filters, r->window_to,
                                  json_string(plan->window_end));
    }
    if (plan->mode == GS_PLAN_SINCE && r->since_variable)
        rc |= json_object_set_new(vars, r->since_variable,
                                  json_string(plan->since));
    if (child && child->nested_first_variable)
        rc |=
            json_object_set_new(vars, child->nested_first_variable,
                                json_integer(gs__pull_contacts_page_size(ctx)));
    if (r->inner_first_variable)
        rc |= json_object_set_new(vars, r->inner_first_variable,
                                  json_integer(r->inner_page));
    /* an entity without filters (timeline) sends none */
    if (json_object_size(filters) > 0)
        rc |= json_object_set(vars, "filters", filters);
    if (rc != 0)
        goto fail;
    json_decref(filters);
    return vars;
fail:
    json_decref(vars);
    json_decref(filters);
    return NULL;
}

/* Deletions: what a full read or a window no longer returns is gone. The
 * seen ids live in a table, so a resumed full read sweeps as well. */
static int sweep(gs_pull_ctx *ctx, const gs_entity *entity,
                 const gs_pull_plan *plan)
{
    gs_entity_report *report = &ctx->report->entity[entity->id];
    const gs_entity *child = gs_entity_child(entity);
    long long deleted = 0, contacts_deleted = 0;
    int rc = GS_OK;

    /* a window is swept over the days it read, in the column its filters
     * bound */
    if (plan->mode == GS_PLAN_WINDOW)
        rc = gs_store_sweep_unseen(&deleted, ctx->store, entity,
                                   entity->reads.window_column,
                                   plan->sweep_from, plan->sweep_to, ctx->now);
    else if (plan->mode == GS_PLAN_FULL) {
        rc = gs_store_sweep_unseen(&deleted, ctx->store, entity, NULL, NULL,
                                   NULL, ctx->now);
        if (rc == GS_OK && child)
            rc = gs_store_sweep_unseen(&contacts_deleted, ctx->store, child,
                                       NULL, NULL, NULL, ctx->now);
    }
    report->rows_deleted += deleted;
    if (child)
        ctx->report->entity[child->id].rows_deleted += contacts_deleted;
    return rc;
}

static int reset_seen(gs_pull_ctx *ctx, const gs_entity *entity)
{
    const gs_entity *child = gs_entity_child(entity);
    int rc = gs_store_seen_reset(ctx->store, entity);

    if (rc == GS_OK && child)
        rc = gs_store_seen_reset(ctx->store, child);
    return rc;
}

/* Contacts are swept with clients, so their scope ends with the clients'. */
static int stop_seen(gs_pull_ctx *ctx, const gs_entity *entity)
{
    const gs_entity *child = gs_entity_child(entity);
    int rc = gs_store_seen_stop(ctx->store, entity);

    if (rc == GS_OK && child)
        rc = gs_store_seen_stop(ctx->store, child);
    return rc;
}

/* An answer that would keep the page loop going forever is refused, naming
 * the entity and page (issue 11, defect 5): a page with nothing in it that
 * claims more, a cursor this read was already given, a page count far past
 * what totalCount announced. */
int gs__pull_check_progress(gs_pull_totals *totals, const gs_gazelle_page *page,
                            int page_size, const char *what)
{
    long long expected;

    if (!page->has_next_page)
        return GS_OK;
    if (json_array_size(page->nodes) == 0)
        return gs_error_set(GS_EPROTO, GS_ECLASS_GAZELLE,
                            "%s: empty page claims more (hasNextPage true)",
                            what);
    if (json_object_get(totals->cursors, page->end_cursor))
        return gs_error_set(GS_EPROTO, GS_ECLASS_GAZELLE,
                            "%s: the answer repeats cursor '%.60s' of an "
                            "earlier page",
                            what, page->end_cursor);
    if (json_object_set_new(totals->cursors, page->end_cursor, json_true()))
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    /* A page shorter than asked with more to follow: the service clamped
     * `first`, and the read goes on at the size it answers. */
    if (!totals->page_min ||
        (long)json_array_size(page->nodes) < totals->page_min)
        totals->page_min = (long)json_array_size(page->nodes);
    if (totals->page_min < page_size)
        page_size = (int)totals->page_min;
    /* Two pages of slack: rows created while the read runs are fine. */
    expected = page->total_count >= 0
                   ? (page->total_count + page_size - 1) / page_size + 2
                   : -1;
    if (expected >= 0 && totals->page > expected)
        return gs_error_set(GS_EPROTO, GS_ECLASS_GAZELLE,
                            "%s: still more after %ld pages of %d, but "
                            "totalCount is %lld",
                            what, totals->page, page_size, page->total_count);
    return GS_OK;
}

/* A node's inner list (an event's pianos) comes in one nested page; more
 * than it holds would be cut silently, so it is refused, naming the node.
 * The nested pageInfo is paging bookkeeping, not data: it is dropped before
 * the node is stored, so raw holds what the node is. */
int gs__pull_check_inner_list(const gs_entity *entity, json_t *nodes,
                              const char *what)
{
    size_t i;
    json_t *node;

    json_array_foreach(nodes, i, node)
    {
        json_t *inner = json_object_get(node, entity->reads.inner_list);
        json_t *info = json_incref(json_object_get(inner, "pageInfo"));
        int more = json_is_true(json_object_get(info, "hasNextPage"));

        json_decref(info);
        if (json_is_object(inner))
            json_object_del(inner, "pageInfo");
        if (more)
            return gs_error_set(
                GS_EPROTO, GS_ECLASS_GAZELLE,
                "%s row %zu: %s %.40s has more than %d in %s", what, i + 1,
                entity->node_type,
                json_string_value(json_object_get(node, "id"))
                    ? json_string_value(json_object_get(node, "id"))
                    : "(no id)",
                entity->reads.inner_page, entity->reads.inner_list);
    }
    return GS_OK;
}

int gs__pull_page_size(const gs_pull_ctx *ctx, const gs_entity *entity)
{
    int size = ctx->cfg->policy[entity->id].page_size;

    return size ? size : ctx->cfg->page_size;
}

/* Asks for one page and stores it with its checkpoint in one transaction.
 * *next gets the cursor to continue from, NULL when done. The checkpoint is
 * built in a copy and adopted only once committed: after a rollback, the
 * caller records the failure with *state, and a cursor past the rolled-back
 * page would make the next run skip it. */
static int pull_page(gs_pull_ctx *ctx, const gs_entity *entity,
                     const gs_pull_plan *plan, gs_sync_state *state,
                     gs_pull_totals *totals, const char *after, char **next)
{
    gs_entity_report *report = &ctx->report->entity[entity->id];
    gs_sync_state checkpoint = *state;
    gs_gazelle_page page = {0};
    int page_size = gs__pull_page_size(ctx, entity);
    json_t *vars, *data = NULL;
    const char *document;
    char what[96];
    int rc;

    *next = NULL;
    totals->page++;
    snprintf(what, sizeof what, "%s page %ld", entity->name, totals->page);
    vars = gs__pull_page_variables(ctx, entity, plan, page_size, after);
    /* The client names `what` in its own errors; the page reader only
     * knows the root field, so its errors get the page added here. */
    document = gs_gazelle_document(entity); /* NULL: out of memory */
    rc = vars && document
             ? gs_gazelle_query(&data, ctx->client, document, vars, what)
             : gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    if (rc != GS_OK)
        goto done;
    rc = gs_gazelle_page_parse(&page, data, entity->root_field);
    if (rc != GS_OK) {
        gs_error_wrap("%s", what);
        goto done;
    }
    rc = gs__pull_check_progress(totals, &page, page_size, what);
    if (rc == GS_OK && entity->reads.inner_list)
        rc = gs__pull_check_inner_list(entity, page.nodes, what);
    /* Follow-up requests for long contact lists, before the transaction. */
    if (rc == GS_OK && gs_entity_child(entity))
        rc = gs__pull_contacts_complete(ctx, page.nodes, totals->page);
    if (rc != GS_OK)
        goto done;
    if (totals->page == 1 || totals->total < 0)
        totals->total = page.total_count;
    else if (page.total_count >= 0 && page.total_count != totals->total)
        totals->total_moved = 1;
    rc = gs_store_begin(ctx->store);
    if (rc != GS_OK)
        goto done;
    rc = gs__pull_ingest_page(ctx, entity, page.nodes, totals->page,
                              &totals->changed, &totals->rejected,
                              &totals->max_stamp, totals->max_text);
    if (rc == GS_OK) {
        int more = page.has_next_page && page.end_cursor;

        gs_copy_text(checkpoint.pending_high_water,
                     sizeof checkpoint.pending_high_water, totals->max_text);
        if (more) {
            int n = snprintf(checkpoint.resume_cursor,
                             sizeof checkpoint.resume_cursor, "%s|%s",
                             gs__pull_mode_name(plan->mode), page.end_cursor);
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
    totals->nodes_read += (long long)json_array_size(page.nodes);
    report->pages = totals->page;
    report->rows_seen += (long long)json_array_size(page.nodes);
    if (ctx->opts->progress) {
        gs_progress progress = {entity, totals->page, report->rows_seen,
                                page.total_count, NULL};
        ctx->opts->progress(ctx->opts->progress_ctx, &progress);
    }
done:
    gs_gazelle_page_free(&page);
    json_decref(data);
    json_decref(vars);
    return rc;
}

/* Whether this read may mark what it did not see deleted: only a read
 * that saw the whole list (a full read or a window, every status named)
 * in one consistent pass. A read resumed from an earlier run spans a gap
 * in which rows came and went; a totalCount that moved between pages, or
 * fewer nodes than it announced, says rows shifted under the cursor. Such
 * a read stores what it saw and sweeps nothing: the next complete read
 * does (docs/design.md, "Why a sweep is safe"). NULL: sweep; else why not. */
static const char *why_no_sweep(const gs_pull_plan *plan,
                                const gs_pull_totals *totals)
{
    if (plan->mode != GS_PLAN_FULL && plan->mode != GS_PLAN_WINDOW)
        return "";
    if (totals->resumed)
        return "resumed from an earlier run";
    if (totals->total_moved)
        return "totalCount changed between pages";
    if (totals->recount_moved)
        return "a range's totalCount changed after it was read";
    if (totals->out_of_order)
        return "a range was begun before an earlier one was finished (it "
               "grew past a page)";
    if (totals->counts_unchecked)
        return "its ranges could not be counted again after the last was "
               "read";
    if (totals->count_off ||
        (totals->total >= 0 && totals->nodes_read != totals->total))
        return "fewer or more rows than totalCount";
    return NULL;
}

/* The mark of a resumed read never passes the moment its first page was
 * asked: what arrived meanwhile may sit on pages already passed, and the
 * next run's lookback must still reach it (defect 17). */
static void cap_resumed_mark(gs_pull_ctx *ctx, const gs_entity *entity,
                             gs_pull_totals *totals)
{
    char key[64], *started = NULL;
    time_t t;

    snprintf(key, sizeof key, "read_started.%s", entity->name);
    if (totals->resumed &&
        gs_store_meta_get(&started, ctx->store, key) == GS_OK && started &&
        gs_iso_parse(&t, started) == GS_OK && totals->max_stamp > t) {
        totals->max_stamp = t;
        gs_iso_format(totals->max_text, t);
    }
    free(started);
}

/* Completes the entity: deletions swept, high-water advanced, checkpoint
 * cleared, in one transaction. The new state is adopted only once
 * committed: a failed sweep must not leave last_success (which max-age
 * trusts) or a cleared checkpoint behind in the failure record. */
int gs__pull_finish(gs_pull_ctx *ctx, const gs_entity *entity,
                    const gs_pull_plan *plan, gs_sync_state *state,
                    gs_pull_totals *totals)
{
    gs_entity_report *report = &ctx->report->entity[entity->id];
    const char *no_sweep = why_no_sweep(plan, totals);
    gs_sync_state done = *state;
    time_t old_mark;
    int rc = gs_store_begin(ctx->store);

    if (rc == GS_OK && !no_sweep)
        rc = sweep(ctx, entity, plan);
    else if (rc == GS_OK)
        rc = stop_seen(ctx, entity);
    /* Only a swept full read is the periodic one full-every asks for. */
    if (rc == GS_OK && plan->mode == GS_PLAN_FULL && !no_sweep)
        rc = gs__pull_full_done(ctx, entity);
    if (no_sweep && *no_sweep) {
        size_t len = strlen(report->reason);

        snprintf(report->reason + len, sizeof report->reason - len,
                 "; no deletion sweep: %s", no_sweep);
        /* `status` shows it too: why deletions wait for the next read */
        gs_copy_text(done.decision, sizeof done.decision, report->reason);
    }
    cap_resumed_mark(ctx, entity, totals);
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

int gs__pull_read_open(gs_pull_ctx *ctx, const gs_entity *entity,
                       const gs_pull_plan *plan, gs_sync_state *state,
                       gs_pull_totals *totals, int resume)
{
    char key[64];
    int rc = GS_OK;

    snprintf(key, sizeof key, "read_started.%s", entity->name);
    if (resume) {
        totals->resumed = 1;
        if (state->pending_high_water[0] &&
            gs_iso_parse(&totals->max_stamp, state->pending_high_water) ==
                GS_OK)
            gs_copy_text(totals->max_text, sizeof totals->max_text,
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
        if (rc == GS_OK)
            rc = gs_store_meta_set(ctx->store, key, ctx->now);
    }
    snprintf(state->status, sizeof state->status, "running");
    gs_copy_text(state->last_attempt, sizeof state->last_attempt, ctx->now);
    if (rc == GS_OK)
        rc = gs_store_state_put(ctx->store, entity, state);
    return rc;
}

int gs__pull_entity(gs_pull_ctx *ctx, const gs_entity *entity,
                    const gs_pull_plan *plan, gs_sync_state *state)
{
    gs_entity_report *report = &ctx->report->entity[entity->id];
    gs_pull_totals totals = {0};
    const char *resume = gs__pull_resumable(state, plan->mode);
    char *cursor = NULL, *next = NULL;
    int rc = GS_OK;

    totals.total = -1;
    totals.cursors = json_object();
    ctx->read_rows = json_object();
    if (!totals.cursors || !ctx->read_rows) {
        json_decref(totals.cursors);
        json_decref(ctx->read_rows);
        ctx->read_rows = NULL;
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    }
    if (resume)
        cursor = strdup(resume);
    rc = gs__pull_read_open(ctx, entity, plan, state, &totals, resume != NULL);
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
        rc = gs__pull_finish(ctx, entity, plan, state, &totals);
    }
    json_decref(totals.cursors);
    json_decref(ctx->read_rows);
    ctx->read_rows = NULL;
    return rc;
}

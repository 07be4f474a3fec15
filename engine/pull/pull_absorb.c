/* One answer of a packed request stored: every page checked, then all of
 * them with every checkpoint in one transaction, and each read whose
 * ranges are all done completed (its sweep's rules, finish()). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pull_packed.h"

/* Each range's count is of its own request: an appointment rescheduled
 * from a range not read yet into one already read, while a booking lands
 * in a third, keeps every count and their sum right, and the moved one
 * would be swept. So the counts must all be of one moment at or after the
 * last page: each range read in the request of that moment, or counted
 * again in it (parts riding with the read's last request, else a request
 * of counts alone, which counts every range). A count asked again that
 * differs from the one its range was read at stops the sweep, whenever it
 * was asked. 1 while @read waits for counts, else 0 with the reason set. */
static int counts_wait(entity_read *read)
{
    gs_pull_totals *t = &read->totals;
    long moment = 0;
    int missing = 0;

    if (!gs__packed_counts_again(read) || t->total_moved || t->count_off ||
        t->total < 0 || t->rejected > 0)
        return 0;
    /* A range begun before an earlier one was finished (it grew past the
     * page the cache foresaw) could have taken in, unseen, an appointment
     * moved from that one's unread pages: no count shows it. */
    for (size_t j = 0; j < read->n_streams; j++)
        for (size_t i = 0; i < j; i++)
            if (!read->streams[i].census && !read->streams[j].census &&
                read->streams[i].read_in > read->streams[j].first_in) {
                t->out_of_order = 1;
                return 0;
            }
    for (size_t i = 0; i < read->n_streams; i++) {
        const stream *s = &read->streams[i];

        if (s->census)
            continue;
        if (s->recount_in && s->recount != s->t.total) {
            t->recount_moved = 1;
            return 0;
        }
        if (s->read_in > moment)
            moment = s->read_in;
        if (s->recount_in > moment)
            moment = s->recount_in;
    }
    for (size_t i = 0; i < read->n_streams; i++) {
        const stream *s = &read->streams[i];

        missing |=
            !s->census && s->read_in != moment && s->recount_in != moment;
    }
    if (!missing)
        return 0;
    /* Bounded: counts asked alone twice (a refusal split them) or a run
     * stopped before them store the read without a sweep. */
    if (read->counts_lost || read->count_requests >= 2) {
        t->counts_unchecked = 1;
        return 0;
    }
    read->recount_alone = 1;
    return 1;
}

/* Every range done: the entity's figures summed for the sweep's rules
 * (why_no_sweep), then finish() as an unpacked read does it. */
int gs__packed_complete_read(packer *p, entity_read *read)
{
    gs_pull_ctx *ctx = p->ctx;
    gs_entity_report *report = &ctx->report->entity[read->entity->id];
    gs_pull_totals *t = &read->totals;
    const stream *whole = NULL;
    int known = 1, rc;

    t->total = 0;
    t->nodes_read = 0;
    for (size_t i = 0; i < read->n_streams; i++)
        if (read->streams[i].whole)
            whole = &read->streams[i];
    for (size_t i = 0; i < read->n_streams; i++) {
        gs_pull_totals *r = &read->streams[i].t;

        if (read->streams[i].census || (whole && whole != &read->streams[i]))
            continue;
        known &= r->total >= 0;
        t->total += r->total >= 0 ? r->total : 0;
        t->nodes_read += r->nodes_read;
        t->total_moved |= r->total_moved;
        /* a range short of its own count is hidden in a sum that matches */
        t->count_off |= r->total >= 0 && r->nodes_read != r->total;
    }
    if (!known)
        t->total = -1;
    /* a stopped run cannot read it again: the caller fails it (and the
     * streams, which a split's parts still point into, stay in place) */
    if (!whole && known && read->census > t->total && read->counts_lost)
        return GS_OK;
    if (!whole && known && read->census > t->total) {
        rc = gs__packed_read_whole(p, read);
        if (rc != GS_OK)
            gs__packed_fail_read(p, read, rc);
        return rc == GS_ESTORE ? rc : GS_OK;
    }
    /* the ranges together must hold what the whole list holds (fewer:
     * rows deleted meanwhile) */
    if (!whole && known && read->census >= 0 && read->census != t->total)
        t->count_off = 1;
    /* waiting: gs__packed_pick() asks the counts in the next request */
    if (counts_wait(read))
        return GS_OK;
    report->rows_changed += t->changed;
    t->changed = 0;
    if (t->rejected > 0) {
        /* The good rows are kept; the mark stays where it was so the next
         * run reads these pages again and reports the bad rows again. */
        rc = gs_error_set(GS_EINVAL, GS_ECLASS_DATA,
                          "%s (%lld row(s) refused; high-water mark kept)",
                          report->error, t->rejected);
        read->state.resume_cursor[0] = '\0';
        gs__packed_fail_read(p, read, rc);
        return GS_OK;
    }
    rc = gs__pull_finish(ctx, read->entity, &read->plan, &read->state, t);
    if (rc != GS_OK) {
        gs__packed_fail_read(p, read, rc);
        return rc == GS_ESTORE ? rc : GS_OK;
    }
    read->open = 0;
    report->decision = GS_DECISION_PULLED;
    report->requests = read->requests;
    report->seconds += gs__pull_elapsed(&read->start);
    read->state.calls_last = read->requests;
    read->state.calls_total += read->requests;
    rc = gs_store_state_put(ctx->store, read->entity, &read->state);
    rc = gs__pull_entity_done(ctx, read->entity, rc);
    if (rc != GS_OK)
        gs__packed_count_failure(p, rc);
    return rc == GS_ESTORE ? rc : GS_OK;
}

/* Checks every page of an answer, completes the contacts, then stores all
 * of them with every checkpoint in one transaction. A page that fails its
 * checks fails its entity alone; a store fault ends the run. */
int gs__packed_absorb(packer *p, part_ref *refs, size_t n, json_t **answers)
{
    gs_pull_ctx *ctx = p->ctx;
    gs_gazelle_page *pages = calloc(n, sizeof *pages);
    gs_sync_state *checkpoints = calloc(n, sizeof *checkpoints);
    char what[160];
    int rc = GS_OK;

    if (!pages || !checkpoints) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        entity_read *read = refs[i].read;
        stream *s = refs[i].s;
        const gs_entity *entity = read->entity;
        long long calls = gs_gazelle_requests(ctx->client);
        int part_rc;

        if (!read->open)
            continue;
        gs__packed_part_name(what, sizeof what, &refs[i]);
        if (!refs[i].recount)
            s->t.page++;
        part_rc =
            gs_gazelle_page_parse(&pages[i], answers[i], entity->root_field);
        if (part_rc != GS_OK)
            gs_error_wrap("%s", what);
        if (part_rc == GS_OK && refs[i].recount) {
            s->recount = pages[i].total_count;
            s->recount_in = p->request_no;
            read->recount_alone = 0;
            continue;
        }
        if (part_rc == GS_OK && s->census) {
            read->census = pages[i].total_count;
            s->done = 1;
            continue;
        }
        if (part_rc == GS_OK)
            part_rc = gs__pull_check_progress(
                &s->t, &pages[i], gs__packed_part_first(read, s), what);
        if (part_rc == GS_OK && entity->reads.inner_list)
            part_rc = gs__pull_check_inner_list(entity, pages[i].nodes, what);
        if (part_rc == GS_OK && gs_entity_child(entity))
            part_rc = gs__pull_contacts_complete(ctx, pages[i].nodes,
                                                 read->totals.page + 1);
        read->requests += gs_gazelle_requests(ctx->client) - calls;
        if (part_rc != GS_OK)
            gs__packed_fail_read(p, read, part_rc);
    }
    rc = gs_store_begin(ctx->store);
    for (size_t i = 0; rc == GS_OK && i < n; i++) {
        entity_read *read = refs[i].read;
        stream *s = refs[i].s;
        gs_gazelle_page *page = &pages[i];
        gs_entity_report *report = &ctx->report->entity[read->entity->id];

        if (!read->open || s->census || refs[i].recount)
            continue;
        read->totals.page++;
        ctx->read_rows = read->read_rows;
        rc = gs__pull_ingest_page(
            ctx, read->entity, page->nodes, read->totals.page,
            &read->totals.changed, &read->totals.rejected,
            &read->totals.max_stamp, read->totals.max_text);
        ctx->read_rows = NULL;
        if (s->t.page == 1)
            s->first_in = p->request_no;
        if (s->t.page == 1 || s->t.total < 0)
            s->t.total = page->total_count;
        else if (page->total_count >= 0 && page->total_count != s->t.total)
            s->t.total_moved = 1;
        s->t.nodes_read += (long long)json_array_size(page->nodes);
        free(s->cursor);
        s->cursor = NULL;
        if (page->has_next_page && page->end_cursor) {
            s->cursor = page->end_cursor;
            page->end_cursor = NULL;
        } else {
            s->done = 1;
            s->read_in = p->request_no;
        }
        report->pages = read->totals.page;
        report->rows_seen += (long long)json_array_size(page->nodes);
    }
    /* One checkpoint per entity of the answer, after its last page. */
    for (size_t i = 0; rc == GS_OK && i < n; i++) {
        entity_read *read = refs[i].read;
        gs_sync_state *cp = &checkpoints[i];
        int last = 1, more = 0;

        for (size_t k = i + 1; k < n; k++)
            last &= refs[k].read != read;
        if (!read->open || !last)
            continue;
        *cp = read->state;
        gs_copy_text(cp->pending_high_water, sizeof cp->pending_high_water,
                     read->totals.max_text);
        /* the census is no range: gs__packed_ranges_save leaves it out, and a
         * checkpoint of done ranges alone would resume to nothing */
        for (size_t k = 0; k < read->n_streams; k++)
            more |= !read->streams[k].census && !read->streams[k].done;
        /* Only full reads resume (gs__pull_resumable says why). */
        if (read->plan.mode == GS_PLAN_FULL && more) {
            gs_copy_text(cp->resume_cursor, sizeof cp->resume_cursor,
                         GS_PULL_RANGES_MARK);
            rc = gs__packed_ranges_save(p, read);
        }
        if (rc == GS_OK)
            rc = gs_store_state_put(ctx->store, read->entity, cp);
    }
    if (rc == GS_OK)
        rc = gs_store_commit(ctx->store);
    if (rc != GS_OK) {
        gs_store_rollback(ctx->store);
        /* the streams moved on past pages the cache does not hold */
        for (size_t i = 0; i < n; i++)
            refs[i].read->unstored = 1;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        entity_read *read = refs[i].read;
        int last = 1;

        for (size_t k = i + 1; k < n; k++)
            last &= refs[k].read != read;
        if (!read->open)
            continue;
        if (last)
            read->state = checkpoints[i];
        if (ctx->opts->progress && !refs[i].s->census && !refs[i].recount) {
            gs_progress progress = {
                read->entity, read->totals.page,
                ctx->report->entity[read->entity->id].rows_seen,
                pages[i].total_count, NULL};
            ctx->opts->progress(ctx->opts->progress_ctx, &progress);
        }
    }
    /* A refused request's parts complete their reads once all are in:
     * counts split from the pages they ride with are of one moment no
     * more, and the first part alone would decide before the rest. */
    if (rc == GS_OK && !p->splitting)
        rc = gs__packed_complete_done(p, refs, n);
done:
    for (size_t i = 0; pages && i < n; i++)
        gs_gazelle_page_free(&pages[i]);
    free(pages);
    free(checkpoints);
    return rc;
}

int gs__packed_complete_done(packer *p, part_ref *refs, size_t n)
{
    int rc = GS_OK;

    for (size_t i = 0; rc == GS_OK && i < n; i++) {
        entity_read *read = refs[i].read;
        int all = 1;

        for (size_t k = i + 1; k < n; k++)
            all &= refs[k].read != read;
        for (size_t k = 0; k < read->n_streams; k++)
            all &= read->streams[k].done;
        /* once each: a read waiting for its counts stays open */
        if (read->open && all)
            rc = gs__packed_complete_read(p, read);
    }
    return rc;
}

int gs__packed_stop_read(packer *p, entity_read *read, int rc)
{
    gs_error why = *gs_error_last();
    int done = GS_OK;

    if (rc != GS_ESTORE && !read->unstored && !gs__packed_reads_left(read)) {
        read->counts_lost = 1;
        done = gs__packed_complete_read(p, read);
        if (!read->open || done == GS_ESTORE)
            return done;
        /* still open: its census counted more than its ranges, and this
         * stopped run cannot read the list again whole */
        gs_error_set(why.code, why.klass, "%s", why.message);
    }
    gs__packed_fail_read(p, read, rc);
    return GS_OK;
}

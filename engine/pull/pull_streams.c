/* The reads of a packed run (issue 13) and their streams: a read opened
 * as run_entity() decides it (from the saved ranges, an unpacked cursor,
 * or the partition), its ranges' checkpoints, and a read failed or read
 * again whole. pull_packed.c says how the run goes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "pull_packed.h"

void gs__packed_read_free(entity_read *read)
{
    for (size_t i = 0; i < read->n_streams; i++) {
        json_decref(read->streams[i].bounds.types);
        free(read->streams[i].cursor);
        json_decref(read->streams[i].t.cursors);
    }
    free(read->streams);
    json_decref(read->totals.cursors);
    json_decref(read->read_rows);
    memset(read, 0, sizeof *read);
}

static int add_stream(entity_read *read, gs_pull_range *bounds,
                      const char *cursor)
{
    stream *grown =
        realloc(read->streams, (read->n_streams + 1) * sizeof *grown);
    stream *s;

    if (!grown)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    read->streams = grown;
    s = &grown[read->n_streams++];
    memset(s, 0, sizeof *s);
    s->bounds = *bounds; /* takes the types */
    memset(bounds, 0, sizeof *bounds);
    s->t.total = -1;
    s->t.cursors = json_object();
    if (cursor)
        s->cursor = strdup(cursor);
    if (!s->t.cursors || (cursor && !s->cursor))
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    return GS_OK;
}

static void ranges_key(char *key, size_t size, const gs_entity *entity)
{
    snprintf(key, size, "pull.ranges.%s", entity->name);
}

/* Every range of a full read with its cursor and whether it is done, in
 * the page's transaction: what the next run resumes. */
int gs__packed_ranges_save(packer *p, entity_read *read)
{
    json_t *list = json_array(), *doc;
    char key[64], *text = NULL;
    int rc = GS_OK;

    for (size_t i = 0; list && i < read->n_streams && rc == GS_OK; i++) {
        stream *s = &read->streams[i];
        json_t *r;

        if (s->census)
            continue; /* a resumed read sweeps nothing: no count needed */
        r = gs__pull_range_json(&s->bounds);
        if (!r ||
            json_object_set_new(r, "cursor",
                                s->cursor ? json_string(s->cursor)
                                          : json_null()) != 0 ||
            json_object_set_new(r, "done", json_boolean(s->done)) != 0 ||
            json_array_append_new(list, r) != 0)
            rc = GS_ENOMEM;
    }
    doc = list ? json_pack("{s:o}", "ranges", list) : NULL;
    if (rc == GS_OK && doc)
        text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (rc != GS_OK || !text)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    ranges_key(key, sizeof key, read->entity);
    rc = gs_store_meta_set(p->ctx->store, key, text);
    free(text);
    return rc;
}

/* The ranges a killed full read left, or none (a checkpoint that does not
 * parse starts the read afresh: it never resumes a wrong range). */
static int ranges_load(packer *p, entity_read *read, int *found)
{
    char key[64], *text = NULL;
    json_t *doc = NULL, *list, *r;
    size_t i;
    int rc;

    *found = 0;
    ranges_key(key, sizeof key, read->entity);
    rc = gs_store_meta_get(&text, p->ctx->store, key);
    if (rc != GS_OK || !text)
        return rc;
    doc = json_loads(text, 0, NULL);
    free(text);
    list = json_object_get(doc, "ranges");
    json_array_foreach(list, i, r)
    {
        gs_pull_range bounds;
        json_t *cursor = json_object_get(r, "cursor");

        if (gs__pull_range_parse(&bounds, r) != GS_OK ||
            (cursor && !json_is_string(cursor) && !json_is_null(cursor)))
            break;
        rc = add_stream(read, &bounds, json_string_value(cursor));
        if (rc != GS_OK)
            break;
        read->streams[read->n_streams - 1].done =
            json_is_true(json_object_get(r, "done"));
    }
    if (rc == GS_OK && json_array_size(list) > 0 && i == json_array_size(list))
        *found = 1;
    else if (rc == GS_OK) { /* a broken checkpoint: forget what it gave */
        for (size_t k = 0; k < read->n_streams; k++) {
            json_decref(read->streams[k].bounds.types);
            free(read->streams[k].cursor);
            json_decref(read->streams[k].t.cursors);
        }
        read->n_streams = 0;
    }
    json_decref(doc);
    return rc;
}

/* Decides @read's entity as run_entity() does, and opens its read: from
 * the saved ranges, from an unpacked run's cursor (one stream), or afresh
 * from the partition. */
int gs__packed_read_start(packer *p, entity_read *read)
{
    gs_pull_ctx *ctx = p->ctx;
    const gs_entity *entity = read->entity;
    gs_entity_report *report = &ctx->report->entity[entity->id];
    const char *cursor;
    int resumed = 0, rc;

    clock_gettime(CLOCK_MONOTONIC, &read->start);
    read->totals.total = -1;
    read->census = -1;
    read->page_size = gs__pull_page_size(ctx, entity);
    rc = gs__pull_plan_make(&read->plan, ctx, entity, &read->state);
    if (rc != GS_OK)
        return rc;
    gs_policy_format(read->state.policy, sizeof read->state.policy,
                     &ctx->cfg->policy[entity->id]);
    gs__pull_plan_report(report, &read->plan,
                         ctx->cfg->policy[entity->id].kind);
    gs_copy_text(read->state.decision, sizeof read->state.decision,
                 read->plan.reason);
    if (read->plan.mode == GS_PLAN_SKIP) {
        report->decision = GS_DECISION_SKIPPED;
        read->state.calls_last = 0;
        return gs_store_state_put(ctx->store, entity, &read->state);
    }
    read->totals.cursors = json_object();
    read->read_rows = json_object();
    if (!read->totals.cursors || !read->read_rows)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    if (read->plan.mode == GS_PLAN_FULL &&
        strcmp(read->state.resume_cursor, GS_PULL_RANGES_MARK) == 0)
        rc = ranges_load(p, read, &resumed);
    else if ((cursor = gs__pull_resumable(&read->state, read->plan.mode))) {
        gs_pull_range all = {{0}, {0}, NULL, -1};

        rc = add_stream(read, &all, cursor);
        resumed = 1;
    }
    if (rc == GS_OK && !resumed) {
        gs_pull_partition part;

        rc = gs__pull_partition_make(&part, ctx, entity, &read->plan,
                                     read->page_size);
        if (rc == GS_OK) { /* before add_stream takes the ranges */
            read->kind = part.kind;
            read->blind = part.n > 0 && part.range[0].rows < 0;
        }
        for (size_t i = 0; rc == GS_OK && i < part.n; i++)
            rc = add_stream(read, &part.range[i], NULL);
        /* A sweeping read cut in ranges also asks the whole list's count:
         * a row no range returns (a null date the bounds pass by) would be
         * swept otherwise. */
        if (rc == GS_OK && part.kind != GS_RANGE_ALL) {
            gs_pull_range whole = {{0}, {0}, NULL, 1};

            rc = add_stream(read, &whole, NULL);
            if (rc == GS_OK)
                read->streams[read->n_streams - 1].census = 1;
        }
        gs__pull_partition_free(&part);
    }
    if (rc == GS_OK)
        rc = gs__pull_read_open(ctx, entity, &read->plan, &read->state,
                                &read->totals, resumed);
    if (rc == GS_OK)
        read->open = 1;
    return rc;
}

void gs__packed_count_failure(packer *p, int rc)
{
    if ((*p->failed)++ == 0)
        *p->first_failure = rc;
}

void gs__packed_fail_read(packer *p, entity_read *read, int rc)
{
    gs_entity_report *report = &p->ctx->report->entity[read->entity->id];

    read->open = 0;
    report->requests = read->requests;
    report->seconds += gs__pull_elapsed(&read->start);
    /* the rows it stored before failing are changed all the same */
    report->rows_changed += read->totals.changed;
    read->totals.changed = 0;
    read->state.calls_last = read->requests;
    read->state.calls_total += read->requests;
    gs__pull_record_failure(p->ctx, read->entity, &read->state, rc);
    gs__packed_count_failure(p, gs__pull_entity_done(p->ctx, read->entity, rc));
}

/* The census counts more than the ranges returned: rows no bound passes
 * (a null createdAt, nullable in the schema) would never be refreshed.
 * The list is read again whole by one cursor stream, as unpacked, in this
 * run, and that stream alone decides the sweep: its seen ids start afresh
 * so a row changed since its range read is no contradiction. */
int gs__packed_read_whole(packer *p, entity_read *read)
{
    gs_pull_range all = {{0}, {0}, NULL, -1};
    int rc = gs__pull_read_open(p->ctx, read->entity, &read->plan, &read->state,
                                &read->totals, 0);

    json_object_clear(read->read_rows);
    if (rc == GS_OK)
        rc = add_stream(read, &all, NULL);
    if (rc == GS_OK)
        read->streams[read->n_streams - 1].whole = 1;
    return rc;
}

/* Whether @read's ranges are read in day order and counted again once all
 * are read: a sweeping read cut by start day (an edit moves an appointment
 * from one range to another; no edit moves a creation day or a timeline
 * entry's type) from the cache's rows (cut blind, the cache holds none
 * there for a sweep to mark), with its census, not resumed, not read
 * again whole. */
int gs__packed_counts_again(const entity_read *read)
{
    int census = 0;

    if ((read->plan.mode != GS_PLAN_FULL &&
         read->plan.mode != GS_PLAN_WINDOW) ||
        read->kind != GS_RANGE_START || read->blind)
        return 0;
    for (size_t i = 0; i < read->n_streams; i++) {
        if (read->streams[i].whole)
            return 0;
        census |= read->streams[i].census;
    }
    return census && !read->totals.resumed;
}

/* Streams of @read not done yet, the census among them. */
size_t gs__packed_reads_left(const entity_read *read)
{
    size_t left = 0;

    for (size_t i = 0; i < read->n_streams; i++)
        left += !read->streams[i].done;
    return left;
}

/* The `first` of @s's next page (the nodes it counts in the budget). */
int gs__packed_part_first(const entity_read *read, const stream *s)
{
    if (s->census)
        return 1;
    if (read->entity->shape == GS_READ_LIST)
        return 1;
    return s->first ? s->first : read->page_size;
}

/* The `first` of the part @ref asks. */
int gs__packed_ref_first(const part_ref *ref)
{
    return ref->recount ? 1 : gs__packed_part_first(ref->read, ref->s);
}

void gs__packed_part_name(char *out, size_t size, const part_ref *ref)
{
    char range[64];

    gs__pull_range_name(range, sizeof range, &ref->s->bounds);
    if (ref->recount)
        snprintf(out, size, "%s range %s count", ref->read->entity->name,
                 range);
    else if (ref->read->n_streams > 1)
        snprintf(out, size, "%s range %s page %ld", ref->read->entity->name,
                 range, ref->s->t.page + 1);
    else
        snprintf(out, size, "%s page %ld", ref->read->entity->name,
                 ref->read->totals.page + 1);
}

/* The packed run (issue 13): the reads of every entity due tonight, each cut
 * into ranges from the cache (pull_ranges.c), become streams of pages; the
 * streams' next pages are packed into requests of at most request_nodes
 * (the sum of their `first`), one Gazelle document each
 * (gs_gazelle_query_packed). Every page of an answer is checked first, then
 * all of them are stored with every checkpoint in one transaction: a run
 * killed at any point resumes each full read at each range's cursor.
 * engine/pull/README.md, "Packed requests", says why each rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "pull_ranges.h"

/* What refusals taught (gs_pull_costs): the limit, each entity's cost per
 * node, a node cap, the clean runs since; a JSON object (a meta key). */
#define LEARNED_KEY "pull.request_nodes_learned"

typedef struct {
    gs_pull_range bounds;
    char *cursor; /* continue after it; NULL: the range's first page */
    int done;
    int census;        /* first: 1, for the whole list's totalCount only */
    int first;         /* the next page's `first` (pick); 0 the page size */
    int small;         /* an enlarged page was refused alone: page size */
    int whole;         /* the list again unbounded: the ranges missed rows */
    long read_in;      /* the request that read its last page */
    long long recount; /* its totalCount asked again (first: 1) ... */
    long recount_in;   /* ... in this request; 0 never */
    gs_pull_totals t;  /* this range's pages, totalCount and cursors */
} stream;

typedef struct {
    const gs_entity *entity;
    gs_pull_plan plan;
    gs_sync_state state;
    stream *streams;
    size_t n_streams;
    gs_pull_totals totals; /* the entity's rows, marks, resumed */
    long long census;      /* the whole read's totalCount; -1 not asked */
    json_t *read_rows;     /* ctx->read_rows while its pages are stored */
    int page_size;
    int open;          /* reading: neither finished nor failed */
    int recount_alone; /* every range read, its counts asked on their own */
    int recount_tried;
    long long requests; /* requests that carried it, follow-ups too */
    struct timespec start;
} entity_read;

typedef struct {
    gs_pull_ctx *ctx;
    entity_read *reads;
    size_t n_reads;
    int budget;          /* nodes per request (request_nodes) */
    gs_pull_costs costs; /* learned from refusals (pull_cost.c) */
    unsigned exact;      /* entities measured alone this run, by bit */
    int refused;         /* a request was refused as too costly this run */
    long long requests_before;
    long request_no;
    int *failed, *first_failure;
} packer;

typedef struct {
    entity_read *read;
    stream *s;
    int recount; /* s done: its range's totalCount only (first: 1) */
} part_ref;

static void read_free(entity_read *read)
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
static int ranges_save(packer *p, entity_read *read)
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
static int read_start(packer *p, entity_read *read)
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

static void count_failure(packer *p, int rc)
{
    if ((*p->failed)++ == 0)
        *p->first_failure = rc;
}

static void fail_read(packer *p, entity_read *read, int rc)
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
    count_failure(p, gs__pull_entity_done(p->ctx, read->entity, rc));
}

/* The census counts more than the ranges returned: rows no bound passes
 * (a null createdAt, nullable in the schema) would never be refreshed.
 * The list is read again whole by one cursor stream, as unpacked, in this
 * run, and that stream alone decides the sweep: its seen ids start afresh
 * so a row changed since its range read is no contradiction. */
static int read_whole(packer *p, entity_read *read)
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

/* Whether @read is a sweeping read cut in ranges with a census (not
 * resumed, not read again whole): the reads whose ranges are counted again
 * once all are read. */
static int cut_sweep(const entity_read *read)
{
    int census = 0;

    if (read->plan.mode != GS_PLAN_FULL && read->plan.mode != GS_PLAN_WINDOW)
        return 0;
    for (size_t i = 0; i < read->n_streams; i++) {
        if (read->streams[i].whole)
            return 0;
        census |= read->streams[i].census;
    }
    return census && !read->totals.resumed;
}

/* Each range's count is of its own request: an appointment rescheduled
 * from a range not read yet into one already read, while a booking lands
 * in a third, keeps every count and their sum right, and the moved one
 * would be swept. So a range read before the read's last request must
 * have been counted again since (a part riding in that request, else a
 * request of counts alone): 1 while @read waits for those counts, else 0
 * with t->recount_moved set if one differs. */
static int counts_wait(entity_read *read)
{
    gs_pull_totals *t = &read->totals;
    long last = 0;
    int missing = 0;

    if (!cut_sweep(read) || t->total_moved || t->count_off || t->total < 0)
        return 0;
    for (size_t i = 0; i < read->n_streams; i++)
        if (!read->streams[i].census && read->streams[i].read_in > last)
            last = read->streams[i].read_in;
    for (size_t i = 0; i < read->n_streams; i++) {
        const stream *s = &read->streams[i];

        if (s->census || s->read_in >= last)
            continue;
        if (s->recount_in < last)
            missing = 1;
        else if (s->recount != s->t.total)
            t->recount_moved = 1;
    }
    if (!missing)
        return 0;
    if (read->recount_tried) { /* asked alone and still missing: no sweep */
        t->recount_moved = 1;
        return 0;
    }
    read->recount_alone = read->recount_tried = 1;
    return 1;
}

/* Every range done: the entity's figures summed for the sweep's rules
 * (why_no_sweep), then finish() as an unpacked read does it. */
static int complete_read(packer *p, entity_read *read)
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
    if (!whole && known && read->census > t->total) {
        rc = read_whole(p, read);
        if (rc != GS_OK)
            fail_read(p, read, rc);
        return rc == GS_ESTORE ? rc : GS_OK;
    }
    /* the ranges together must hold what the whole list holds (fewer:
     * rows deleted meanwhile) */
    if (!whole && known && read->census >= 0 && read->census != t->total)
        t->count_off = 1;
    if (counts_wait(read))
        return GS_OK; /* pick() asks the counts in the next request */
    report->rows_changed += t->changed;
    t->changed = 0;
    if (t->rejected > 0) {
        /* The good rows are kept; the mark stays where it was so the next
         * run reads these pages again and reports the bad rows again. */
        rc = gs_error_set(GS_EINVAL, GS_ECLASS_DATA,
                          "%s (%lld row(s) refused; high-water mark kept)",
                          report->error, t->rejected);
        read->state.resume_cursor[0] = '\0';
        fail_read(p, read, rc);
        return GS_OK;
    }
    rc = gs__pull_finish(ctx, read->entity, &read->plan, &read->state, t);
    if (rc != GS_OK) {
        fail_read(p, read, rc);
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
        count_failure(p, rc);
    return rc == GS_ESTORE ? rc : GS_OK;
}

/* The `first` of @s's next page (the nodes it counts in the budget). */
static int part_first(const entity_read *read, const stream *s)
{
    if (s->census)
        return 1;
    if (read->entity->shape == GS_READ_LIST)
        return 1;
    return s->first ? s->first : read->page_size;
}

/* The `first` of the part @ref asks. */
static int ref_first(const part_ref *ref)
{
    return ref->recount ? 1 : part_first(ref->read, ref->s);
}

/* The variables of @ref's page: the read's own, bounded to the range. */
static json_t *part_variables(packer *p, const part_ref *ref)
{
    entity_read *read = ref->read;
    stream *s = ref->s;
    const gs_entity *entity = read->entity;
    json_t *vars = gs__pull_page_variables(p->ctx, entity, &read->plan,
                                           ref_first(ref), s->cursor);
    json_t *filters = json_object_get(vars, "filters");
    int rc = 0;

    if (!vars)
        return NULL;
    if (s->bounds.types)
        rc |= json_object_set(vars, entity->all_values[0].key, s->bounds.types);
    else if (s->bounds.lo[0] || s->bounds.hi[0]) {
        int created = entity->reads.created_filter != NULL;
        /* createdGet/createdLet and startOn/endOn are inclusive days; the
         * descriptor names only the lower creation bound, its pair is the
         * schema's (PrivateAllClientsFilter, PrivateAllPianosFilter). */
        const char *from =
            created ? entity->reads.created_filter : entity->reads.window_from;
        const char *to = created ? "createdLet" : entity->reads.window_to;

        if (!filters) {
            rc |= json_object_set_new(vars, "filters", json_object());
            filters = json_object_get(vars, "filters");
        }
        /* An open end sends no bound: the first and last ranges reach
         * every date before and after the others. */
        if (s->bounds.lo[0])
            rc |= json_object_set_new(filters, from, json_string(s->bounds.lo));
        if (s->bounds.hi[0])
            rc |= json_object_set_new(filters, to, json_string(s->bounds.hi));
    }
    if (rc != 0) {
        json_decref(vars);
        return NULL;
    }
    return vars;
}

/* Pages a stream still has to read, as far as its totalCount tells. */
static long long remaining(const entity_read *read, const stream *s)
{
    long long left, per;

    /* Never asked: the cache's estimate, else first, to learn its size. */
    if (s->t.total < 0 && s->bounds.rows < 0)
        return 1LL << 40;
    left = (s->t.total >= 0 ? s->t.total : s->bounds.rows) - s->t.nodes_read;
    per = s->first ? s->first : read->page_size;
    return left > 0 ? (left + per - 1) / per : 1;
}

int gs__pull_part_size(int page_size, int fixed, long long rows, int budget,
                       int cap)
{
    int first = GS_PULL_PAGE_CEILING;

    if (fixed || rows <= page_size)
        return page_size;
    if (budget < first)
        first = budget;
    if (cap && cap < first)
        first = cap;
    return first > page_size ? first : page_size;
}

/* The nodes of @entity one request may carry by what refusals taught:
 * the node cap, and as many nodes as the limit's room holds at the
 * entity's cost per node (at least one); 0 when nothing bounds it. */
static int entity_cap(const packer *p, int entity)
{
    double room = gs__pull_cost_room(&p->costs);
    double per = gs__pull_cost_per_node(&p->costs, entity);
    int cap = p->costs.nodes;

    if (room > 0 && per > 0) {
        double fit = room / per < 1 ? 1 : room / per;

        if (!cap || fit < cap)
            cap = fit > 1e6 ? 1000000 : (int)fit;
    }
    return cap;
}

/* The `first` of @s's next page: larger for a range that holds more than
 * a page (its totalCount once asked, else the cache's rows). */
static int stream_first(const packer *p, const entity_read *read,
                        const stream *s)
{
    const gs_entity *entity = read->entity;
    long long rows = s->t.total >= 0       ? s->t.total - s->t.nodes_read
                     : s->bounds.rows >= 0 ? s->bounds.rows
                                           : -1;
    /* A page size other than the entity's built-in one was set by the
     * user: a ceiling. */
    int fixed =
        p->ctx->cfg->policy[entity->id].page_size != entity->default_page_size;

    if (s->small)
        return read->page_size;
    return gs__pull_part_size(read->page_size, fixed, rows, p->budget,
                              entity_cap(p, entity->id));
}

size_t gs__pull_pick(size_t *chosen, const gs_pull_ask *asks, size_t n,
                     int budget, const gs_pull_costs *costs)
{
    size_t picked = 0;
    long long nodes = 0;
    double cost = 0, room = costs ? gs__pull_cost_room(costs) : 0;
    char *taken = calloc(n ? n : 1, 1);

    if (!taken)
        return 0;
    for (;;) {
        size_t best = n;

        for (size_t i = 0; i < n; i++) {
            const gs_pull_ask *a = &asks[i];
            double c = room > 0
                           ? a->first * gs__pull_cost_per_node(costs, a->entity)
                           : 0;

            /* a part that does not fit leaves room for a smaller one */
            if (taken[i] || (picked > 0 && (nodes + a->first > budget ||
                                            (room > 0 && cost + c > room))))
                continue;
            if (best == n || a->left > asks[best].left)
                best = i;
        }
        if (best == n)
            break;
        taken[best] = 1;
        nodes += asks[best].first;
        if (room > 0)
            cost += asks[best].first *
                    gs__pull_cost_per_node(costs, asks[best].entity);
        chosen[picked++] = best;
    }
    free(taken);
    return picked;
}

/* Streams of @read not done yet, the census among them. */
static size_t reads_left(const entity_read *read)
{
    size_t left = 0;

    for (size_t i = 0; i < read->n_streams; i++)
        left += !read->streams[i].done;
    return left;
}

/* Whether the parts @refs hold every range @read has left, each expected
 * to end on this page: then the request finishes the read. */
static int finishes(const entity_read *read, const part_ref *refs, size_t n)
{
    int carried = 0;

    for (size_t i = 0; i < read->n_streams; i++) {
        const stream *s = &read->streams[i];
        int in = 0;

        if (s->done || s->census)
            continue;
        for (size_t k = 0; k < n && !in; k++)
            in = refs[k].s == s;
        if (!in || remaining(read, s) > 1)
            return 0;
        carried = 1;
    }
    return carried;
}

/* The ranges @read finished in earlier requests, counted again in this
 * one (counts_wait): with the request expected to finish the read, or on
 * their own once it is (recount_alone). Added only where they fit what
 * refusals taught; a ride left out costs a request of counts later. */
static void add_recounts(packer *p, part_ref *refs, size_t *picked, size_t max)
{
    long long nodes = 0;
    double cost = 0, room = gs__pull_cost_room(&p->costs);
    size_t base = *picked;

    for (size_t k = 0; k < base; k++) {
        nodes += ref_first(&refs[k]);
        cost += ref_first(&refs[k]) *
                gs__pull_cost_per_node(&p->costs, refs[k].read->entity->id);
    }
    for (size_t r = 0; r < p->n_reads; r++) {
        entity_read *read = &p->reads[r];
        size_t done = 0;
        double per = gs__pull_cost_per_node(&p->costs, read->entity->id);

        if (!read->open || !cut_sweep(read) ||
            !(read->recount_alone || finishes(read, refs, base)))
            continue;
        for (size_t i = 0; i < read->n_streams; i++)
            done += read->streams[i].done && !read->streams[i].census;
        if (done == 0 || *picked + done > max ||
            (*picked > 0 && p->costs.nodes &&
             nodes + (long long)done > p->costs.nodes) ||
            (*picked > 0 && room > 0 && cost + (double)done * per > room))
            continue;
        for (size_t i = 0; i < read->n_streams; i++) {
            stream *s = &read->streams[i];

            if (!s->done || s->census)
                continue;
            refs[*picked].read = read;
            refs[*picked].s = s;
            refs[(*picked)++].recount = 1;
        }
        nodes += (long long)done;
        cost += (double)done * per;
    }
}

/* The next request's parts (gs__pull_pick) among the open streams, in
 * *@picked; GS_ENOMEM, never an empty pick that would end the run as done.
 * A read's census rides with its first request whatever the budget or cap
 * (one node): left to wait behind the ranges, a failure after the last
 * range's answer would leave a checkpoint of done ranges and no count. */
static int pick(packer *p, part_ref *refs, size_t max, size_t *picked_out)
{
    gs_pull_ask *asks = calloc(max ? max : 1, sizeof *asks);
    part_ref *all = calloc(max ? max : 1, sizeof *all);
    size_t *chosen = calloc(max ? max : 1, sizeof *chosen);
    size_t n = 0, picked = 0;

    for (size_t r = 0; asks && all && chosen && r < p->n_reads; r++) {
        entity_read *read = &p->reads[r];

        for (size_t i = 0; read->open && i < read->n_streams && n < max; i++) {
            stream *s = &read->streams[i];

            if (s->done)
                continue;
            s->first = stream_first(p, read, s);
            asks[n].entity = (int)read->entity->id;
            asks[n].first = part_first(read, s);
            asks[n].left = remaining(read, s);
            all[n].read = read;
            all[n++].s = s;
        }
    }
    if (asks && all && chosen)
        picked = gs__pull_pick(chosen, asks, n,
                               p->costs.nodes ? p->costs.nodes : p->budget,
                               &p->costs);
    for (size_t k = 0; k < picked; k++) {
        refs[k] = all[chosen[k]];
        refs[k].recount = 0;
    }
    for (size_t c = 0; c < n && picked > 0; c++) {
        int carried = 0, in = 0;

        if (!all[c].s->census)
            continue;
        for (size_t k = 0; k < picked; k++) {
            carried |= refs[k].read == all[c].read;
            in |= refs[k].s == all[c].s;
        }
        if (carried && !in && picked < max)
            refs[picked++] = all[c];
    }
    if (asks && all && chosen)
        add_recounts(p, refs, &picked, max);
    free(asks);
    free(all);
    free(chosen);
    *picked_out = picked;
    /* gs__pull_pick always takes one of several asks, but out of memory */
    if (n > 0 && picked == 0)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    return GS_OK;
}

static void part_name(char *out, size_t size, const part_ref *ref)
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

static void request_name(char *out, size_t size, long no, const part_ref *refs,
                         size_t n)
{
    size_t len;

    snprintf(out, size, "request %ld:", no);
    for (size_t i = 0; i < n; i++) {
        size_t count = 0;
        int seen = 0;

        for (size_t k = 0; k < i; k++)
            seen |= refs[k].read == refs[i].read;
        if (seen)
            continue;
        for (size_t k = i; k < n; k++)
            count += refs[k].read == refs[i].read;
        len = strlen(out);
        snprintf(out + len, size - len, "%s %s %zu", i ? "," : "",
                 refs[i].read->entity->name, count);
    }
}

/* Checks every page of an answer, completes the contacts, then stores all
 * of them with every checkpoint in one transaction. A page that fails its
 * checks fails its entity alone; a store fault ends the run. */
static int absorb(packer *p, part_ref *refs, size_t n, json_t **answers)
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
        part_name(what, sizeof what, &refs[i]);
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
            part_rc = gs__pull_check_progress(&s->t, &pages[i],
                                              part_first(read, s), what);
        if (part_rc == GS_OK && entity->reads.inner_list)
            part_rc = gs__pull_check_inner_list(entity, pages[i].nodes, what);
        if (part_rc == GS_OK && gs_entity_child(entity))
            part_rc = gs__pull_contacts_complete(ctx, pages[i].nodes,
                                                 read->totals.page + 1);
        read->requests += gs_gazelle_requests(ctx->client) - calls;
        if (part_rc != GS_OK)
            fail_read(p, read, part_rc);
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
        /* the census is no range: ranges_save leaves it out, and a
         * checkpoint of done ranges alone would resume to nothing */
        for (size_t k = 0; k < read->n_streams; k++)
            more |= !read->streams[k].census && !read->streams[k].done;
        /* Only full reads resume (gs__pull_resumable says why). */
        if (read->plan.mode == GS_PLAN_FULL && more) {
            gs_copy_text(cp->resume_cursor, sizeof cp->resume_cursor,
                         GS_PULL_RANGES_MARK);
            rc = ranges_save(p, read);
        }
        if (rc == GS_OK)
            rc = gs_store_state_put(ctx->store, read->entity, cp);
    }
    if (rc == GS_OK)
        rc = gs_store_commit(ctx->store);
    if (rc != GS_OK) {
        gs_store_rollback(ctx->store);
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
    /* Entities whose every range is done are finished now (once each: a
     * read waiting for its counts stays open). */
    for (size_t i = 0; rc == GS_OK && i < n; i++) {
        entity_read *read = refs[i].read;
        int all = 1;

        for (size_t k = i + 1; k < n; k++)
            all &= refs[k].read != read;
        for (size_t k = 0; k < read->n_streams; k++)
            all &= read->streams[k].done;
        if (read->open && all)
            rc = complete_read(p, read);
    }
done:
    for (size_t i = 0; pages && i < n; i++)
        gs_gazelle_page_free(&pages[i]);
    free(pages);
    free(checkpoints);
    return rc;
}

static int check_bound(packer *p)
{
    long long made = gs_gazelle_requests(p->ctx->client) - p->requests_before;

    if (p->ctx->cfg->max_requests > 0 && made >= p->ctx->cfg->max_requests)
        return gs_error_set(GS_EPARTIAL, GS_ECLASS_NONE,
                            "max_requests = %ld reached after %lld Gazelle "
                            "requests; the next run resumes the full reads "
                            "left unfinished",
                            p->ctx->cfg->max_requests, made);
    return GS_OK;
}

static int caps_save(packer *p)
{
    const gs_pull_costs *c = &p->costs;
    json_t *doc =
        json_pack("{s:f,s:i,s:i,s:o}", "limit", c->limit, "nodes", c->nodes,
                  "clean_runs", c->clean_runs, "cost_per_node", json_object());
    json_t *per = json_object_get(doc, "cost_per_node");
    char *text;
    int rc;

    for (int e = 0; per && e < GS_ENTITY_COUNT; e++)
        if (c->per_node[e] > 0 &&
            json_object_set_new(per, gs_entity_get((gs_entity_id)e)->name,
                                json_real(c->per_node[e])) != 0)
            per = NULL;
    text = per ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS |
                                     JSON_REAL_PRECISION(8))
               : NULL;
    json_decref(doc);
    if (!text)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    rc = gs_store_meta_set(p->ctx->store, LEARNED_KEY, text);
    free(text);
    return rc;
}

/* A request of @refs was refused as too costly with @message: with
 * graphql-ruby's numbers, the limit and the costs per node (measured when
 * it held one entity, shared otherwise, pull_cost.c); without (a 413, a
 * timeout), half its nodes bound every request from now on. */
static int learn(packer *p, const part_ref *refs, size_t n, const char *message)
{
    long long nodes[GS_ENTITY_COUNT] = {0}, all = 0;
    double cost, limit;

    p->refused = 1;
    p->costs.clean_runs = 0;
    for (size_t i = 0; i < n; i++) {
        nodes[refs[i].read->entity->id] += ref_first(&refs[i]);
        all += ref_first(&refs[i]);
    }
    if (gs__pull_cost_parse(message, &cost, &limit))
        gs__pull_cost_learn(&p->costs, nodes, cost, limit, &p->exact);
    else if (!p->costs.nodes || all / 2 < p->costs.nodes)
        p->costs.nodes = all / 2 > 0 ? (int)(all / 2) : 1;
    return caps_save(p);
}

/* Parts of one entity first, then the next: a refused request of several
 * entities is asked again entity by entity before anything is learned.
 * Returns how many entities @refs holds. */
static size_t group_by_entity(part_ref *refs, size_t n)
{
    size_t groups = 0;

    for (size_t i = 0; i < n; i++) {
        size_t k = i + 1;

        for (size_t j = i + 1; j < n; j++)
            if (refs[j].read == refs[i].read) {
                part_ref moved = refs[j];

                memmove(&refs[k + 1], &refs[k], (j - k) * sizeof *refs);
                refs[k++] = moved;
            }
        groups++;
        i = k - 1;
    }
    return groups;
}

/* Asks @refs as one request. A refusal as too costly splits it: by entity
 * first (at most one level, GS_ENTITY_COUNT groups), then a request of one
 * entity in halves, each asked on its own (at most log2(n) levels more),
 * and half of the refused size is what that entity's parts get later. */
static int send(packer *p, part_ref *refs, size_t n)
{
    gs_gazelle_part *parts = calloc(n, sizeof *parts);
    json_t **answers = calloc(n, sizeof *answers);
    char what[200], *refusal = NULL;
    int rc = parts && answers
                 ? check_bound(p)
                 : gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");

    for (size_t i = 0; rc == GS_OK && i < n; i++) {
        parts[i].entity = refs[i].read->entity;
        parts[i].variables = part_variables(p, &refs[i]);
        if (!parts[i].variables)
            rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    }
    if (rc != GS_OK)
        goto done;
    request_name(what, sizeof what, ++p->request_no, refs, n);
    rc = gs_gazelle_query_packed(answers, p->ctx->client, parts, n, what);
    if (rc == GS_ETOOBIG && !(refusal = strdup(gs_error_last()->message)))
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int counted = 0;

        for (size_t k = 0; k < i; k++)
            counted |= refs[k].read == refs[i].read;
        if (!counted)
            refs[i].read->requests++;
    }
    if (rc == GS_ETOOBIG && n == 1 && !refs[0].s->small && !refs[0].recount &&
        part_first(refs[0].read, refs[0].s) > refs[0].read->page_size) {
        /* An enlarged page refused alone is asked again at the page size;
         * graphql-ruby's numbers, when it gave them, teach the entity's
         * cost, which sizes the next enlarged pages to fit (entity_cap); a
         * refusal without numbers teaches nothing here, since a node cap
         * would bound every request. */
        double cost, limit;

        if (gs__pull_cost_parse(refusal, &cost, &limit) &&
            learn(p, refs, 1, refusal) == GS_ESTORE)
            goto done;
        p->refused = 1;
        refs[0].s->small = 1;
        refs[0].s->first = refs[0].read->page_size;
        rc = send(p, refs, 1);
        goto done;
    } else if (rc == GS_ETOOBIG && n == 1) {
        char name[160];

        part_name(name, sizeof name, &refs[0]);
        if (learn(p, refs, n, refusal) == GS_ESTORE)
            goto done;
        rc =
            gs_error_set(GS_ETOOBIG, GS_ECLASS_GAZELLE,
                         "%s: refused as too costly even alone (%d nodes); "
                         "lower [entity.%s] page_size",
                         name, ref_first(&refs[0]), refs[0].read->entity->name);
    } else if (rc == GS_ETOOBIG && group_by_entity(refs, n) > 1) {
        size_t start = 0;

        p->refused = 1;
        rc = GS_OK;
        for (size_t i = 1; i <= n && rc == GS_OK; i++)
            if (i == n || refs[i].read != refs[start].read) {
                rc = send(p, refs + start, i - start);
                start = i;
            }
        /* after the parts: an entity they measured alone leaves the rest
         * of the cost to the others */
        if (rc == GS_OK)
            rc = learn(p, refs, n, refusal);
        goto done;
    } else if (rc == GS_ETOOBIG) {
        size_t half = n / 2;

        rc = learn(p, refs, n, refusal);
        if (rc == GS_OK)
            rc = send(p, refs, half);
        if (rc == GS_OK)
            rc = send(p, refs + half, n - half);
        goto done;
    }
    if (rc == GS_OK)
        rc = absorb(p, refs, n, answers);
    else if (rc != GS_EAUTH && rc != GS_EPARTIAL && rc != GS_ECANCELED &&
             rc != GS_ESTORE) {
        /* The request failed for every entity it carried; the others go
         * on, as an unpacked run goes on after one entity's failure. */
        for (size_t i = 0; i < n; i++)
            if (refs[i].read->open)
                fail_read(p, refs[i].read, rc);
        rc = GS_OK;
    }
done:
    for (size_t i = 0; parts && i < n; i++)
        json_decref(parts[i].variables);
    for (size_t i = 0; answers && i < n; i++)
        json_decref(answers[i]);
    free(parts);
    free(answers);
    free(refusal);
    return rc;
}

/* What refusals taught earlier runs; anything else (an older cache's
 * per-entity caps, a broken value) is forgotten: the next refusal teaches
 * again. */
static int learned_caps(packer *p)
{
    char *text = NULL;
    json_t *doc, *per;
    int rc = gs_store_meta_get(&text, p->ctx->store, LEARNED_KEY);

    p->budget = p->ctx->cfg->request_nodes;
    doc = rc == GS_OK && text ? json_loads(text, 0, NULL) : NULL;
    per = json_object_get(doc, "cost_per_node");
    for (int e = 0; e < GS_ENTITY_COUNT; e++) {
        double c = json_number_value(
            json_object_get(per, gs_entity_get((gs_entity_id)e)->name));

        p->costs.per_node[e] = c > 0 ? c : 0;
    }
    p->costs.limit = json_number_value(json_object_get(doc, "limit"));
    if (p->costs.limit < 0)
        p->costs.limit = 0;
    p->costs.nodes = (int)json_integer_value(json_object_get(doc, "nodes"));
    if (p->costs.nodes < 0 || p->costs.nodes >= p->budget)
        p->costs.nodes = 0;
    p->costs.clean_runs =
        (int)json_integer_value(json_object_get(doc, "clean_runs"));
    json_decref(doc);
    free(text);
    return rc;
}

/* A run without a refusal counts toward the weekly probe (pull_cost.c,
 * engine/pull/README.md "Limits"). */
static int grow_back(packer *p)
{
    if (p->refused || (p->costs.limit <= 0 && p->costs.nodes <= 0))
        return GS_OK;
    gs__pull_cost_clean_run(&p->costs, p->budget);
    return caps_save(p);
}

int gs__pull_packed(gs_pull_ctx *ctx, const gs_entity *const *order,
                    size_t n_order, int *attempted, int *failed,
                    int *first_failure)
{
    packer p = {.ctx = ctx,
                .requests_before = gs_gazelle_requests(ctx->client),
                .failed = failed,
                .first_failure = first_failure};
    part_ref *refs = NULL;
    size_t max_parts = 0;
    int stop = GS_OK, rc;

    p.reads = calloc(n_order ? n_order : 1, sizeof *p.reads);
    if (!p.reads)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    stop = learned_caps(&p);
    ctx->report->request_nodes = p.budget;
    for (size_t i = 0; stop == GS_OK && i < n_order; i++) {
        entity_read *read = &p.reads[p.n_reads];
        unsigned bit = 1u << order[i]->id;

        if (ctx->opts->entities && !(ctx->opts->entities & bit))
            continue;
        if (ctx->opts->cancel && *ctx->opts->cancel) {
            stop = gs_error_set(GS_ECANCELED, GS_ECLASS_NONE,
                                "pull interrupted before %s", order[i]->name);
            break;
        }
        (*attempted)++;
        p.n_reads++;
        read->entity = order[i];
        rc = gs_store_state_get(&read->state, ctx->store, read->entity);
        if (rc != GS_OK) {
            gs__pull_record_failure(ctx, read->entity, NULL, rc);
            count_failure(&p, gs__pull_entity_done(ctx, read->entity, rc));
        } else if ((rc = read_start(&p, read)) != GS_OK)
            fail_read(&p, read, rc);
        else if (read->open && !reads_left(read))
            rc = complete_read(&p, read);
        else if (!read->open &&
                 (rc = gs__pull_entity_done(ctx, read->entity, GS_OK)) != GS_OK)
            count_failure(&p, rc);
        if (rc == GS_ESTORE)
            stop = rc;
        max_parts += read->n_streams;
    }
    refs = calloc(max_parts ? max_parts : 1, sizeof *refs);
    if (!refs && stop == GS_OK)
        stop = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    while (stop == GS_OK) {
        size_t n = 0;

        stop = pick(&p, refs, max_parts, &n);
        if (stop != GS_OK || n == 0)
            break;
        rc = send(&p, refs, n);
        if (rc == GS_EAUTH) {
            /* every other request would be refused the same way */
            for (size_t r = 0; r < p.n_reads; r++)
                if (p.reads[r].open)
                    fail_read(&p, &p.reads[r], rc);
            break;
        }
        if (rc != GS_OK) {
            stop = rc;
            break;
        }
        if (ctx->opts->cancel && *ctx->opts->cancel)
            stop = gs_error_set(GS_ECANCELED, GS_ECLASS_NONE,
                                "interrupted after request %ld; the next run "
                                "resumes there",
                                p.request_no);
    }
    /* Stopped: what is unfinished keeps its checkpoints for the next run. */
    if (stop != GS_OK) {
        gs_error saved = *gs_error_last();

        for (size_t r = 0; r < p.n_reads; r++)
            if (p.reads[r].open) {
                gs_error_set(saved.code, saved.klass, "%s", saved.message);
                fail_read(&p, &p.reads[r], stop);
            }
        gs_error_set(saved.code, saved.klass, "%s", saved.message);
    } else
        stop = grow_back(&p);
    /* Nothing left to ask, yet a read is open: a bug, said for its entity,
     * never a run that says OK with the entity "running" for good. */
    for (size_t r = 0; stop == GS_OK && r < p.n_reads; r++)
        if (p.reads[r].open)
            fail_read(&p, &p.reads[r],
                      gs_error_set(GS_EPROTO, GS_ECLASS_NONE,
                                   "%s: the read ended with %zu stream(s) "
                                   "unread and nothing left to ask",
                                   p.reads[r].entity->name,
                                   reads_left(&p.reads[r])));
    for (size_t r = 0; r < p.n_reads; r++)
        read_free(&p.reads[r]);
    free(p.reads);
    free(refs);
    return stop;
}

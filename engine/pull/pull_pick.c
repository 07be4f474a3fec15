/* What the next packed request carries: the streams' next parts, the
 * longest first, within the budget and what refusals taught, with the
 * census and the ranges counted again riding along (pull_packed.c). */
#include <stdlib.h>

#include "pull_packed.h"

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

/* Whether @s is among the @n parts of @refs. */
static int in_pick(const part_ref *refs, size_t n, const stream *s)
{
    for (size_t k = 0; k < n; k++)
        if (refs[k].s == s)
            return 1;
    return 0;
}

/* Whether the parts @refs hold every range @read has left, each expected
 * to end on this page: then the request finishes the read. */
static int finishes(const entity_read *read, const part_ref *refs, size_t n)
{
    int carried = 0;

    for (size_t i = 0; i < read->n_streams; i++) {
        const stream *s = &read->streams[i];

        if (s->done || s->census)
            continue;
        if (!in_pick(refs, n, s) || remaining(read, s) > 1)
            return 0;
        carried = 1;
    }
    return carried;
}

/* The ranges of @read counted again in this request (counts_wait,
 * pull_absorb.c): those it finished earlier, riding with the request
 * expected to finish it, or all of them once every page is read. Only
 * where they fit what refusals taught beside the other parts (a ride left
 * out costs a request of counts later; counts alone wait for room, and go
 * on their own, whatever the budget, when nothing else is left). */
static void add_recounts(packer *p, part_ref *refs, size_t *picked, size_t max)
{
    long long nodes = 0;
    double cost = 0, room = gs__pull_cost_room(&p->costs);
    size_t base = *picked;

    for (size_t k = 0; k < base; k++) {
        nodes += gs__packed_ref_first(&refs[k]);
        cost += gs__packed_ref_first(&refs[k]) *
                gs__pull_cost_per_node(&p->costs, refs[k].read->entity->id);
    }
    for (size_t r = 0; r < p->n_reads; r++) {
        entity_read *read = &p->reads[r];
        size_t done = 0;
        double per = gs__pull_cost_per_node(&p->costs, read->entity->id);
        int alone = read->recount_alone;

        if (!read->open || !gs__packed_counts_again(read) ||
            !(alone || finishes(read, refs, base)))
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
        read->count_requests += alone;
        nodes += (long long)done;
        cost += (double)done * per;
    }
}

/* The ranges of a read cut by start day are read in day order, a range
 * only with or after every earlier one: an appointment moved to a later
 * day then lands in a range not read yet (seen there), as under one
 * cursor, and a move to an earlier day changes the count of a range read
 * already, which counts_wait (pull_absorb.c) sees. Parts the pick took
 * past a range it left out wait; a pick left empty takes the read's first
 * range left. Ranges are in day order in read->streams (the partition
 * tiles the days upward). */
static void keep_day_order(packer *p, const part_ref *all, size_t n,
                           part_ref *refs, size_t *picked)
{
    for (size_t r = 0; r < p->n_reads; r++) {
        entity_read *read = &p->reads[r];
        const stream *gap = NULL;
        size_t kept = 0;

        if (!read->open || !gs__packed_counts_again(read))
            continue;
        for (size_t i = 0; i < read->n_streams && !gap; i++) {
            const stream *s = &read->streams[i];

            if (!s->done && !s->census && !in_pick(refs, *picked, s))
                gap = s;
        }
        for (size_t k = 0; gap && k < *picked; k++)
            if (refs[k].read != read || refs[k].s->census || refs[k].s < gap)
                refs[kept++] = refs[k];
        if (gap)
            *picked = kept;
    }
    for (size_t c = 0; *picked == 0 && c < n; c++)
        if (!all[c].s->census)
            refs[(*picked)++] = all[c];
}

/* The next request's parts (gs__pull_pick) among the open streams, in
 * *@picked; GS_ENOMEM, never an empty pick that would end the run as done.
 * A read's census rides with its first request whatever the budget or cap
 * (one node): left to wait behind the ranges, a failure after the last
 * range's answer would leave a checkpoint of done ranges and no count. */
int gs__packed_pick(packer *p, part_ref *refs, size_t max, size_t *picked_out)
{
    gs_pull_ask *asks = calloc(max ? max : 1, sizeof *asks);
    part_ref *all = calloc(max ? max : 1, sizeof *all);
    size_t *chosen = calloc(max ? max : 1, sizeof *chosen);
    size_t n = 0, picked = 0;

    for (size_t r = 0; asks && all && chosen && r < p->n_reads; r++) {
        entity_read *read = &p->reads[r];
        int in_order = gs__packed_counts_again(read), blocked = 0;

        for (size_t i = 0; read->open && i < read->n_streams && n < max; i++) {
            stream *s = &read->streams[i];

            if (s->done || (blocked && !s->census))
                continue;
            s->first = stream_first(p, read, s);
            /* a range with pages after this one holds back the later */
            blocked |= in_order && !s->census && remaining(read, s) > 1;
            asks[n].entity = (int)read->entity->id;
            asks[n].first = gs__packed_part_first(read, s);
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
    if (asks && all && chosen)
        keep_day_order(p, all, n, refs, &picked);
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

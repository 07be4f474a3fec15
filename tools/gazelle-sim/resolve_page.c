/* Keyset paging and the connection shapes (nodes, edges { cursor node },
 * pageInfo, totalCount) shared by every modelled list.
 *
 * A page is a window of an ascending (key, id) array: a root list's sorted
 * order (order.c) or, for a list inside a row (a client's contacts or
 * pianos, an event's pianos), a small array built for the request. Filters
 * that bound the sort key itself narrow the window by binary search; the
 * others are checked row by row. A cursor names the (key, id) of the last
 * row a client saw, so the next page starts right after it whatever was
 * inserted or deleted meanwhile. */
#include <stdlib.h>
#include <string.h>

#include "resolve_internal.h"

enum { DAY = 86400 };

static int in_rows(const gsim_list_filter *lf, int64_t row)
{
    for (size_t i = 0; i < lf->count; i++)
        if (lf->rows[i] == row)
            return 1;
    return 0;
}

static int in_values(const gsim_list_filter *lf, const char *value)
{
    for (size_t i = 0; value && i < lf->count; i++)
        if (strcmp(lf->values[i], value) == 0)
            return 1;
    return 0;
}

/* Without a status filter, a status --hide-unfiltered names is left out. */
static int status_shown(const gsim_dataset *ds, const gsim_page_query *q,
                        const char *status)
{
    if (q->status.on)
        return in_values(&q->status, status);
    for (size_t i = 0; i < ds->params.nhidden_statuses; i++)
        if (strcmp(ds->params.hidden_statuses[i], status) == 0)
            return 0;
    return 1;
}

static int day_in(const gsim_page_query *q, gsim_time t)
{
    int64_t day = gsim_day_of(t);
    return day >= q->day_lo && day <= q->day_hi;
}

static int event_matches(const gsim_dataset *ds, const gsim_page_query *q,
                         const gsim_event *e)
{
    if (!day_in(q, e->start))
        return 0;
    if (q->client.on && !in_rows(&q->client, e->client))
        return 0;
    if (q->user.on && !in_rows(&q->user, e->user))
        return 0;
    if (q->type.on && !in_values(&q->type, e->type))
        return 0;
    if (!status_shown(ds, q, e->status))
        return 0;
    if (q->piano.on) {
        int any = 0;
        for (int i = 0; i < e->npianos && !any; i++)
            any = in_rows(&q->piano, e->pianos[i]);
        return any;
    }
    return 1;
}

static int matches(const gsim_dataset *ds, const gsim_page_query *q,
                   uint32_t row)
{
    switch (q->kind) {
    case GSIM_CLIENT: {
        const gsim_client *c = &ds->clients.rows[row];
        int bounded = q->day_lo != INT64_MIN || q->day_hi != INT64_MAX;
        if (bounded && row < ds->params.null_created_clients)
            return 0; /* a null date is in no range */
        return day_in(q, c->created_at) && status_shown(ds, q, c->status);
    }
    case GSIM_PIANO: {
        const gsim_piano *p = &ds->pianos.rows[row];
        return day_in(q, p->created_at) && status_shown(ds, q, p->status) &&
               (!q->type.on || in_values(&q->type, p->type)) &&
               (!q->client.on || in_rows(&q->client, p->client));
    }
    case GSIM_EVENT:
        return event_matches(ds, q, &ds->events.rows[row]);
    case GSIM_TIMELINE: {
        const gsim_timeline *t = &ds->timeline.rows[row];
        return (!q->has_time_lo || t->occurred_at >= q->time_lo) &&
               (!q->client.on || in_rows(&q->client, t->client)) &&
               (!q->piano.on || in_rows(&q->piano, t->piano)) &&
               (!q->type.on || in_values(&q->type, t->type));
    }
    case GSIM_CONTACT:
        return q->include_archived || !ds->contacts.rows[row].archived;
    default:
        return 1;
    }
}

/* First index whose (key, id) is above (key, id) when strictly, else at
 * or above. */
static size_t lower_bound(const gsim_sort_entry *e, size_t count, int64_t key,
                          uint64_t id, int strictly)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int before =
            e[mid].key < key || (e[mid].key == key &&
                                 (strictly ? e[mid].id <= id : e[mid].id < id));
        if (before)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int compare_entries(const void *a, const void *b)
{
    const gsim_sort_entry *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* The candidates of a list inside a row, ascending. */
static int nested_entries(gsim_page *pg, const gsim_dataset *ds,
                          const gsim_page_query *q, size_t *count)
{
    size_t n = 0, cap = 0;
    if (q->kind == GSIM_CONTACT) {
        const gsim_client *c = &ds->clients.rows[q->parent];
        for (int32_t i = c->first_contact; i >= 0;
             i = ds->contacts.rows[i].next)
            cap++;
    } else if (q->kind == GSIM_PIANO) {
        const gsim_client *c = &ds->clients.rows[q->parent];
        for (int32_t i = c->first_piano; i >= 0;
             i = ds->pianos.rows[i].next_sibling)
            cap++;
    } else {
        cap = ds->events.rows[q->parent].npianos;
    }
    pg->owned = malloc((cap ? cap : 1) * sizeof(*pg->owned));
    if (!pg->owned)
        return -1;
    gsim_sort_entry *e = pg->owned;
    if (q->kind == GSIM_CONTACT) {
        /* Creation order: the row number is the serial. */
        const gsim_client *c = &ds->clients.rows[q->parent];
        for (int32_t i = c->first_contact; i >= 0;
             i = ds->contacts.rows[i].next)
            e[n++] = (gsim_sort_entry){i, ds->contacts.rows[i].id, (uint32_t)i};
    } else if (q->kind == GSIM_PIANO) {
        const gsim_client *c = &ds->clients.rows[q->parent];
        for (int32_t i = c->first_piano; i >= 0;
             i = ds->pianos.rows[i].next_sibling)
            if (!ds->pianos.rows[i].deleted)
                e[n++] = (gsim_sort_entry){ds->pianos.rows[i].created_at,
                                           ds->pianos.rows[i].id, (uint32_t)i};
        qsort(e, n, sizeof(*e), compare_entries);
    } else { /* an event's piano slots, in booking order */
        for (size_t i = 0; i < cap; i++)
            e[n++] = (gsim_sort_entry){(int64_t)i, i, (uint32_t)i};
    }
    *count = n;
    return 0;
}

/* Whether the day bounds bound the sort key itself (created day under
 * CREATED_AT, start day under START), so they are a range of the order. */
static int day_window(const gsim_page_query *q)
{
    return q->parent < 0 && q->kind != GSIM_TIMELINE && q->kind != GSIM_USER &&
           (q->sort == GSIM_KEY_START) == (q->kind == GSIM_EVENT);
}

static void take(gsim_page *pg, const gsim_sort_entry *e)
{
    pg->rows[pg->count] = e->row;
    pg->keys[pg->count] = e->key;
    pg->ids[pg->count] = e->id;
    pg->count++;
}

static void reverse(gsim_page *pg)
{
    for (size_t a = 0, b = pg->count; a + 1 < b; a++, b--) {
        uint32_t r = pg->rows[a];
        int64_t k = pg->keys[a];
        uint64_t d = pg->ids[a];
        pg->rows[a] = pg->rows[b - 1];
        pg->keys[a] = pg->keys[b - 1];
        pg->ids[a] = pg->ids[b - 1];
        pg->rows[b - 1] = r;
        pg->keys[b - 1] = k;
        pg->ids[b - 1] = d;
    }
}

/* Relay's cursor pagination over the window [pg->lo, pg->hi) of the
 * ascending candidates: `after` and `before` cut the list (in its own
 * order, so a descending list cuts the other ends), then `first` takes
 * from the front or, alone, `last` from the back. first and last together
 * take the last `last` of the first `first`, as the spec orders them. */
static void walk(gsim_page *pg, const gsim_page_query *q, size_t count)
{
    size_t lo = pg->lo, hi = pg->hi;
    if (q->has_after) { /* asc: rows above the cursor; desc: below */
        size_t at = lower_bound(pg->entries, count, q->after_key, q->after_id,
                                !q->desc);
        if (!q->desc && at > lo)
            lo = at;
        if (q->desc && at < hi)
            hi = at;
    }
    if (q->has_before) {
        size_t at = lower_bound(pg->entries, count, q->before_key, q->before_id,
                                q->desc);
        if (!q->desc && at < hi)
            hi = at;
        if (q->desc && at > lo)
            lo = at;
    }
    /* The list runs up the array when ascending, down it when not; the
     * backward walk of `last` alone the other way. */
    int backward = q->has_last && !q->has_first;
    int up = (!q->desc) != backward;
    size_t limit = (size_t)(backward ? q->last : q->first);
    size_t i = up ? lo : hi;
    int more = 0;
    while (lo < hi && (up ? i < hi : i > lo)) {
        const gsim_sort_entry *e = up ? &pg->entries[i++] : &pg->entries[--i];
        if (!matches(pg->ex->ds, q, e->row))
            continue;
        if (pg->count == limit) {
            more = 1;
            break;
        }
        take(pg, e);
    }
    if (backward) {
        reverse(pg); /* collected from the back: put in list order */
        pg->has_previous = more;
        pg->has_next = q->has_before;
        return;
    }
    pg->has_next = more;
    pg->has_previous = q->has_after;
    if (q->has_last && (size_t)q->last < pg->count) {
        size_t drop = pg->count - (size_t)q->last;
        memmove(pg->rows, pg->rows + drop, q->last * sizeof(pg->rows[0]));
        memmove(pg->keys, pg->keys + drop, q->last * sizeof(pg->keys[0]));
        memmove(pg->ids, pg->ids + drop, q->last * sizeof(pg->ids[0]));
        pg->count = (size_t)q->last;
        pg->has_previous = 1;
    }
}

int gsim_page_run(gsim_page *pg, gsim_exec *ex, const gsim_page_query *q)
{
    memset(pg, 0, sizeof(*pg));
    pg->ex = ex;
    pg->q = q;
    pg->total = -1;
    size_t count;
    if (q->parent >= 0) {
        if (nested_entries(pg, ex->ds, q, &count) != 0)
            return -1;
        pg->entries = pg->owned;
    } else {
        const gsim_order *o = gsim_order_get(ex->ds, q->kind, q->sort);
        if (!o)
            return -1;
        pg->entries = o->entries;
        count = o->count;
    }
    pg->lo = 0;
    pg->hi = count;
    /* Day bounds on the sort key itself (created day under CREATED_AT,
     * start day under START) are a range of the order. */
    int day_key = day_window(q);
    if (day_key && q->day_lo != INT64_MIN)
        pg->lo = lower_bound(pg->entries, count, q->day_lo * DAY, 0, 0);
    if (day_key && q->day_hi != INT64_MAX)
        pg->hi = lower_bound(pg->entries, count, (q->day_hi + 1) * DAY, 0, 0);
    if (q->kind == GSIM_TIMELINE && q->has_time_lo)
        pg->lo = lower_bound(pg->entries, count, q->time_lo, 0, 0);
    if (pg->hi < pg->lo) /* createdGet after createdLet: nothing */
        pg->hi = pg->lo;
    walk(pg, q, count);
    return 0;
}

void gsim_page_free(gsim_page *pg)
{
    free(pg->owned);
    pg->owned = NULL;
}

/* Whether some filter is checked row by row (the others are the window). */
static int row_filtered(const gsim_dataset *ds, const gsim_page_query *q)
{
    int days = q->day_lo != INT64_MIN || q->day_hi != INT64_MAX;
    int hides = ds->params.nhidden_statuses &&
                (q->kind == GSIM_CLIENT || q->kind == GSIM_PIANO ||
                 q->kind == GSIM_EVENT);
    int null_days =
        days && q->kind == GSIM_CLIENT && ds->params.null_created_clients > 0;
    return q->client.on || q->piano.on || q->user.on || q->type.on ||
           q->status.on || hides || null_days ||
           (q->kind == GSIM_CONTACT && !q->include_archived) ||
           (days && !day_window(q));
}

static int64_t page_total(gsim_page *pg)
{
    if (pg->total >= 0)
        return pg->total;
    /* Day and time bounds always bound the sort key (created day for
     * CREATED_AT, start day for START, occurredAt for the timeline), so
     * without row filters the window is the answer: totalCount of six
     * million timeline entries costs nothing. */
    if (!row_filtered(pg->ex->ds, pg->q)) {
        pg->total = (int64_t)(pg->hi - pg->lo);
        return pg->total;
    }
    pg->total = 0;
    for (size_t i = pg->lo; i < pg->hi; i++)
        pg->total += matches(pg->ex->ds, pg->q, pg->entries[i].row);
    return pg->total;
}

static gsim_src node_src(const gsim_page *pg, size_t i)
{
    if (pg->q->kind == GSIM_EVENT_PIANO)
        return (gsim_src){&pg->ex->ds->events.rows[pg->q->parent], pg->rows[i]};
    return gsim_src_of(pg->ex->ds, pg->q->kind, pg->rows[i]);
}

static void write_cursor(gsim_exec *ex, const gsim_page *pg, size_t i)
{
    char cursor[GSIM_CURSOR_MAX];
    gsim_cursor_encode(cursor, pg->q->kind, pg->q->sort, pg->keys[i],
                       pg->ids[i]);
    gsim_out_str(ex->out, cursor);
}

static void conn_nodes(gsim_exec *ex, const gsim_src *src, const gql_field *f)
{
    gsim_page *pg = (gsim_page *)src->row;
    const gsim_stype *t = gsim_tref_named(gsim_def(f)->type);
    gsim_out_raw(ex->out, "[", 1);
    for (size_t i = 0; i < pg->count; i++) {
        if (i)
            gsim_out_raw(ex->out, ",", 1);
        gsim_src node = node_src(pg, i);
        gsim_render_object(ex, t, &node, f->selections);
    }
    gsim_out_raw(ex->out, "]", 1);
}

static void conn_edges(gsim_exec *ex, const gsim_src *src, const gql_field *f)
{
    const gsim_stype *t = gsim_tref_named(gsim_def(f)->type);
    const gsim_page *pg = src->row;
    gsim_out_raw(ex->out, "[", 1);
    for (size_t i = 0; i < pg->count; i++) {
        if (i)
            gsim_out_raw(ex->out, ",", 1);
        gsim_src edge = {pg, (uint32_t)i};
        gsim_render_object(ex, t, &edge, f->selections);
    }
    gsim_out_raw(ex->out, "]", 1);
}

static void conn_page_info(gsim_exec *ex, const gsim_src *src,
                           const gql_field *f)
{
    gsim_render_child(ex, f, src);
}

static void conn_total(gsim_exec *ex, const gsim_src *src, const gql_field *f)
{
    (void)f;
    gsim_out_int(ex->out, page_total((gsim_page *)src->row));
}

static void edge_cursor(gsim_exec *ex, const gsim_src *src, const gql_field *f)
{
    (void)f;
    write_cursor(ex, src->row, src->index);
}

static void edge_node(gsim_exec *ex, const gsim_src *src, const gql_field *f)
{
    gsim_src node = node_src(src->row, src->index);
    gsim_render_child(ex, f, &node);
}

static void info_has_next(gsim_exec *ex, const gsim_src *src,
                          const gql_field *f)
{
    (void)f;
    gsim_out_bool(ex->out, ((const gsim_page *)src->row)->has_next);
}

static void info_has_previous(gsim_exec *ex, const gsim_src *src,
                              const gql_field *f)
{
    (void)f;
    gsim_out_bool(ex->out, ((const gsim_page *)src->row)->has_previous);
}

static void info_cursor(gsim_exec *ex, const gsim_src *src, const gql_field *f,
                        int end)
{
    const gsim_page *pg = src->row;
    (void)f;
    if (pg->count == 0)
        gsim_out_puts(ex->out, "null");
    else
        write_cursor(ex, pg, end ? pg->count - 1 : 0);
}

static void info_start(gsim_exec *ex, const gsim_src *src, const gql_field *f)
{
    info_cursor(ex, src, f, 0);
}

static void info_end(gsim_exec *ex, const gsim_src *src, const gql_field *f)
{
    info_cursor(ex, src, f, 1);
}

void gsim_render_connection(gsim_exec *ex, const gql_field *f, gsim_kind kind,
                            int64_t parent, int root)
{
    gsim_page_query q;
    gsim_page pg;
    if (gsim_page_query_read(ex, f, kind, parent, &q) != 0) {
        if (!ex->failed)
            ex->out->failed = 1; /* out of memory */
        gsim_out_puts(ex->out, "null");
        gsim_page_query_free(&q);
        return;
    }
    if (gsim_page_run(&pg, ex, &q) != 0) {
        ex->out->failed = 1;
        gsim_out_puts(ex->out, "null");
    } else {
        gsim_src src = {&pg, 0};
        gsim_render_child(ex, f, &src);
        if (root) {
            ex->pages++;
            ex->nodes += pg.count;
        }
    }
    gsim_page_free(&pg);
    gsim_page_query_free(&q);
}

static const gsim_field_resolver connection[] = {
    {"nodes", conn_nodes},
    {"edges", conn_edges},
    {"pageInfo", conn_page_info},
    {"totalCount", conn_total},
};
static const gsim_field_resolver edge[] = {
    {"cursor", edge_cursor},
    {"node", edge_node},
};
static const gsim_field_resolver page_info[] = {
    {"hasNextPage", info_has_next},
    {"hasPreviousPage", info_has_previous},
    {"startCursor", info_start},
    {"endCursor", info_end},
};

const gsim_type_resolvers gsim_page_resolvers[] = {
    GSIM_RESOLVERS("PrivateClientConnection", connection),
    GSIM_RESOLVERS("PrivatePianoConnection", connection),
    GSIM_RESOLVERS("PrivateEventConnection", connection),
    GSIM_RESOLVERS("PrivateTimelineEntryConnection", connection),
    GSIM_RESOLVERS("PrivateContactConnection", connection),
    GSIM_RESOLVERS("PrivateEventPianoConnection", connection),
    GSIM_RESOLVERS("PrivateClientEdge", edge),
    GSIM_RESOLVERS("PrivatePianoEdge", edge),
    GSIM_RESOLVERS("PrivateEventEdge", edge),
    GSIM_RESOLVERS("PrivateTimelineEntryEdge", edge),
    GSIM_RESOLVERS("PrivateContactEdge", edge),
    GSIM_RESOLVERS("PrivateEventPianoEdge", edge),
    GSIM_RESOLVERS("PageInfo", page_info),
};
const size_t gsim_page_resolver_count =
    sizeof(gsim_page_resolvers) / sizeof(gsim_page_resolvers[0]);

/* Sorted views for keyset paging. Each (entity, key) order is an array of
 * (key, id, row) triples over live rows, ascending by (key, id): the id breaks
 * ties between rows that share a timestamp (bulk imports), so every row has
 * one exact place and a cursor naming (key, id) resumes exactly after it even
 * when rows were inserted or moved in between. Built on first use after a
 * change; churn invalidates them all at once. */
#include <stdlib.h>

#include "dataset.h"

static int compare_entries(const void *a, const void *b)
{
    const gsim_sort_entry *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return 0;
}

#define FILL(array, live_expr, created, start)                                 \
    do {                                                                       \
        for (size_t i = 0; i < (array).count; i++) {                           \
            const __typeof__((array).rows[0]) *r = &(array).rows[i];           \
            if (!(live_expr))                                                  \
                continue;                                                      \
            gsim_sort_entry *e = &entries[n++];                                \
            e->key = key == GSIM_KEY_CREATED ? (created) : (start);            \
            e->id = r->id;                                                     \
            e->row = (uint32_t)i;                                              \
        }                                                                      \
    } while (0)

const gsim_order *gsim_order_get(gsim_dataset *ds, gsim_kind kind,
                                 gsim_sort_key key)
{
    gsim_order *order = &ds->orders[kind][key];
    if (order->valid)
        return order;
    size_t total;
    switch (kind) {
    case GSIM_USER:
        total = ds->users.count;
        break;
    case GSIM_CLIENT:
        total = ds->clients.count;
        break;
    case GSIM_PIANO:
        total = ds->pianos.count;
        break;
    case GSIM_EVENT:
        total = ds->events.count;
        break;
    case GSIM_TIMELINE:
        total = ds->timeline.count;
        break;
    default:
        return NULL;
    }
    gsim_sort_entry *entries = malloc((total ? total : 1) * sizeof(*entries));
    if (!entries)
        return NULL;
    size_t n = 0;
    switch (kind) {
    case GSIM_USER:
        FILL(ds->users, 1, r->created_at, r->created_at);
        break;
    case GSIM_CLIENT:
        FILL(ds->clients, !r->deleted, r->created_at, r->created_at);
        break;
    case GSIM_PIANO:
        FILL(ds->pianos, !r->deleted, r->created_at, r->created_at);
        break;
    case GSIM_EVENT:
        FILL(ds->events, 1, r->created_at, r->start);
        break;
    default:
        /* A timeline entry has no visible createdAt; only occurredAt
         * orders it. */
        FILL(ds->timeline, 1, r->occurred_at, r->occurred_at);
        break;
    }
    qsort(entries, n, sizeof(*entries), compare_entries);
    free(order->entries);
    order->entries = entries;
    order->count = n;
    order->valid = 1;
    return order;
}

void gsim_orders_invalidate(gsim_dataset *ds)
{
    for (int k = 0; k < GSIM_KIND_COUNT; k++)
        for (int s = 0; s < GSIM_KEY_COUNT; s++)
            ds->orders[k][s].valid = 0;
}

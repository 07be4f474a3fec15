/* The initial business, generated from the seed alone. Rows are created in
 * creation-time order, so serials (and thus rows) follow createdAt; the
 * timestamps are drawn first and sorted, then the rows are built.
 *
 * Shared timestamps are deliberate: Gazelle data carries bulk imports
 * (hundreds of clients created and last updated in the same second when a
 * business migrated in) and bulk edits, and a delta sync that keys on
 * updatedAt alone must be caught out by them. */
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "make.h"

enum { DAY = 86400 };

typedef struct {
    gsim_time created;
    gsim_time start;
    int32_t client;
} plan;

static int compare_plans(const void *a, const void *b)
{
    const plan *x = a, *y = b;
    if (x->created != y->created)
        return x->created < y->created ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->client > y->client) - (x->client < y->client);
}

static plan *plans_new(uint64_t n)
{
    return calloc(n ? n : 1, sizeof(plan));
}

static gsim_time between(gsim_rng *rng, gsim_time lo, gsim_time hi)
{
    return hi > lo ? gsim_rng_range(rng, lo, hi) : lo;
}

static int gen_users(gsim_dataset *ds, gsim_rng *rng, gsim_time import_at)
{
    uint64_t n = ds->params.users;
    plan *p = plans_new(n);
    if (!p)
        return -1;
    for (uint64_t i = 0; i < n; i++)
        p[i].created = i == 0 ? import_at - 30 * DAY
                              : between(rng, import_at, ds->now - 800 * DAY);
    qsort(p, n, sizeof(*p), compare_plans);
    int rc = 0;
    for (uint64_t i = 0; i < n && rc == 0; i++) {
        const char *level = i == 0                      ? "ADMIN"
                            : gsim_rng_chance(rng, 0.2) ? "ASSISTANT"
                                                        : "TECHNICIAN";
        int64_t row = gsim_make_user(ds, rng, p[i].created, level);
        if (row < 0) {
            rc = -1;
            break;
        }
        gsim_user *u = &ds->users.rows[row];
        if (gsim_rng_chance(rng, 0.5))
            u->updated_at = between(rng, u->created_at, ds->now - DAY);
    }
    free(p);
    return rc;
}

static int gen_clients(gsim_dataset *ds, gsim_rng *rng, gsim_time import_at,
                       gsim_time bulk_edit_at)
{
    uint64_t n = ds->params.clients;
    plan *p = plans_new(n);
    if (!p)
        return -1;
    for (uint64_t i = 0; i < n; i++)
        p[i].created = gsim_rng_chance(rng, 0.35)
                           ? import_at
                           : between(rng, import_at + DAY, ds->now - DAY);
    qsort(p, n, sizeof(*p), compare_plans);
    int rc = 0;
    for (uint64_t i = 0; i < n; i++) {
        int64_t row = gsim_make_client(ds, rng, p[i].created);
        if (row < 0) {
            rc = -1;
            break;
        }
        gsim_client *c = &ds->clients.rows[row];
        /* The imported rows mostly never changed since the import. */
        double edited = c->created_at == import_at ? 0.4 : 0.5;
        if (gsim_rng_chance(rng, edited))
            c->updated_at = between(rng, c->created_at, ds->now - 60);
        if (c->updated_at < bulk_edit_at && c->created_at < bulk_edit_at &&
            gsim_rng_chance(rng, 0.2)) {
            c->tags |= 1u << 8; /* the campaign tagged them in one go */
            c->updated_at = bulk_edit_at;
        }
    }
    free(p);
    return rc;
}

static int gen_pianos(gsim_dataset *ds, gsim_rng *rng, gsim_time import_at)
{
    uint64_t n = ds->params.pianos;
    plan *p = plans_new(n);
    if (!p)
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        int32_t client = -1;
        if (ds->clients.count && gsim_rng_chance(rng, 0.97))
            client = (int32_t)gsim_rng_below(rng, ds->clients.count);
        gsim_time from =
            client >= 0 ? ds->clients.rows[client].created_at : import_at;
        p[i].client = client;
        p[i].created = (from == import_at && gsim_rng_chance(rng, 0.8))
                           ? import_at
                           : between(rng, from, ds->now - 60);
    }
    qsort(p, n, sizeof(*p), compare_plans);
    int rc = 0;
    for (uint64_t i = 0; i < n; i++) {
        int64_t row = gsim_make_piano(ds, rng, p[i].client, p[i].created);
        if (row < 0) {
            rc = -1;
            break;
        }
        gsim_piano *pi = &ds->pianos.rows[row];
        if (gsim_rng_chance(rng, 0.45)) {
            pi->updated_at = between(rng, pi->created_at, ds->now - 60);
            gsim_piano_service_dates(pi, rng, pi->updated_at);
        }
    }
    free(p);
    return rc;
}

static void settle_event(gsim_dataset *ds, gsim_rng *rng, gsim_event *e)
{
    gsim_time now = ds->now;
    gsim_time end = e->start + (gsim_time)e->duration * 60;
    if (strcmp(e->type, "APPOINTMENT") != 0) {
        if (gsim_rng_chance(rng, 0.2))
            e->updated_at = between(rng, e->created_at, now - 60);
        return;
    }
    double r = gsim_rng_unit(rng);
    if (end < now) {
        if (r < 0.85) {
            e->status = "COMPLETE";
            e->updated_at = end + gsim_rng_range(rng, 0, 3 * DAY);
            if (e->updated_at > now - 60)
                e->updated_at = now - 60;
        } else if (r < 0.93) {
            e->status = "CANCELED";
            e->updated_at = between(rng, e->created_at, e->start);
        } else if (r < 0.95) {
            e->status = "NO_SHOW";
            e->updated_at = between(rng, end, now - 60);
        }
    } else if (r < 0.07) {
        e->status = "CANCELED";
        e->updated_at = between(rng, e->created_at, now - 60);
    } else if (r < 0.3) {
        e->confirmed_by_client = 1;
        e->updated_at = between(rng, e->created_at, now - 60);
    }
    if (e->updated_at < e->created_at)
        e->updated_at = e->created_at;
}

static int gen_events(gsim_dataset *ds, gsim_rng *rng)
{
    uint64_t n = ds->params.events;
    plan *p = plans_new(n);
    if (!p)
        return -1;
    int64_t today = gsim_day_of(ds->now);
    for (uint64_t i = 0; i < n; i++) {
        int64_t day = gsim_rng_range(rng, today - 730, today + 182);
        p[i].start = gsim_business_start(rng, day);
        gsim_time booked = p[i].start - gsim_rng_range(rng, 3600, 60 * DAY);
        if (booked > ds->now - 60)
            booked = ds->now - gsim_rng_range(rng, 60, 30 * DAY);
        p[i].created = booked;
    }
    qsort(p, n, sizeof(*p), compare_plans);
    int rc = 0;
    for (uint64_t i = 0; i < n; i++) {
        int64_t row =
            gsim_make_event(ds, rng, p[i].created, p[i].start, ds->now);
        if (row < 0) {
            rc = -1;
            break;
        }
        settle_event(ds, rng, &ds->events.rows[row]);
    }
    free(p);
    return rc;
}

static const char *timeline_type(gsim_rng *rng)
{
    static const char *const types[] = {"SERVICE_ENTRY_MANUAL",
                                        "SERVICE_ENTRY_MANUAL",
                                        "APPOINTMENT",
                                        "APPOINTMENT",
                                        "USER_COMMENT",
                                        "INVOICE",
                                        "ESTIMATE",
                                        "CONTACT_EMAIL_AUTOMATED",
                                        "CONTACT_SMS_AUTOMATED",
                                        "PIANO_MEASUREMENT",
                                        "SYSTEM_MESSAGE"};
    return types[gsim_rng_below(rng, sizeof(types) / sizeof(types[0]))];
}

static int gen_timeline(gsim_dataset *ds, gsim_rng *rng, gsim_time import_at)
{
    uint64_t n = ds->params.timeline;
    plan *p = plans_new(n);
    if (!p)
        return -1;
    /* History older than a year after the import came over in one batch
     * when the business migrated its records. */
    gsim_time migrated_at = import_at + 365 * DAY;
    for (uint64_t i = 0; i < n; i++) {
        p[i].start = between(rng, import_at, ds->now - 60);
        if (p[i].start < migrated_at)
            p[i].created = migrated_at;
        else if (gsim_rng_chance(rng, 0.2))
            p[i].created = p[i].start + gsim_rng_range(rng, 60, 3 * DAY);
        else
            p[i].created = p[i].start;
        if (p[i].created > ds->now - 60)
            p[i].created = ds->now - 60;
    }
    qsort(p, n, sizeof(*p), compare_plans);
    int rc = 0;
    for (uint64_t i = 0; i < n; i++) {
        /* Every entry belongs to a client (the field is non-null). */
        int32_t client = gsim_pick_client(ds, rng, p[i].created);
        if (client < 0)
            continue;
        int32_t piano = gsim_rng_chance(rng, 0.5)
                            ? gsim_pick_piano_of(ds, rng, client)
                            : -1;
        const char *type = timeline_type(rng);
        int32_t user =
            strcmp(type, "SYSTEM_MESSAGE") != 0 && gsim_rng_chance(rng, 0.8)
                ? gsim_pick_staff(ds, rng, p[i].created)
                : -1;
        int64_t row = gsim_make_timeline(ds, rng, p[i].start, p[i].created,
                                         client, piano, user, -1, type);
        if (row < 0) {
            rc = -1;
            break;
        }
        gsim_timeline *t = &ds->timeline.rows[row];
        if (gsim_rng_chance(rng, 0.05))
            t->edited_at = between(rng, t->created_at, ds->now - 60);
    }
    free(p);
    return rc;
}

int gsim_dataset_generate(gsim_dataset *ds, uint64_t seed, gsim_time now,
                          const gsim_params *params)
{
    memset(ds, 0, sizeof(*ds));
    ds->seed = seed;
    ds->params = *params;
    ds->now = now;
    for (int k = 0; k < GSIM_KIND_COUNT; k++)
        ds->salt[k] = gsim_mix64(seed * 0x100000001b3ULL + (uint64_t)k + 1);
    gsim_rng rng;
    gsim_rng_seed(&rng, seed);
    gsim_rng_seed(&ds->rng, seed ^ 0x636875726e000000ULL); /* "churn" */
    /* Midnight-aligned anchors keep the import instant a round number. */
    gsim_time import_at = (gsim_day_of(now) - 3650) * DAY + 14 * 3600;
    gsim_time bulk_edit_at = (gsim_day_of(now) - 200) * DAY + 15 * 3600 + 7;
    if (gen_users(ds, &rng, import_at) ||
        gen_clients(ds, &rng, import_at, bulk_edit_at) ||
        gen_pianos(ds, &rng, import_at) || gen_events(ds, &rng) ||
        gen_timeline(ds, &rng, import_at)) {
        gsim_dataset_free(ds);
        return -1;
    }
    ds->last_change = now;
    return 0;
}

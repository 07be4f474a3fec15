/* One simulated day, in a fixed order: users, clients, pianos, events,
 * timeline. Every change takes the next tick of the day's clock, so
 * updatedAt only grows and follows the simulated time; a bulk edit gives
 * all its rows one tick, as a mass update in Gazelle does.
 *
 * Invariants the sync engine relies on and the tests check:
 * - a change to any of a client's contacts (an edit, a new contact, a new
 *   default, an archival) bumps the contact's and the client's updatedAt;
 * - a cancelled event stays, with status CANCELED;
 * - rescheduled, cancelled and completed events get a new updatedAt;
 * - only rows nothing refers to are deleted (a client with history is
 *   never deleted; its pianos go with it), so no event or timeline entry
 *   names a missing client or piano. */
#include "churn.h"

#include <string.h>

#include "make.h"
#include "text.h"

enum { DAY = 86400 };

typedef struct {
    gsim_dataset *ds;
    gsim_rng *rng;
    gsim_time tick, step, day_end;
    gsim_churn_summary *sum;
} day_ctx;

static gsim_time next_tick(day_ctx *d)
{
    d->tick += gsim_rng_range(d->rng, 1, d->step);
    if (d->tick > d->day_end)
        d->tick = d->day_end;
    if (d->tick <= d->ds->last_change)
        d->tick = d->ds->last_change + 1;
    d->ds->last_change = d->tick;
    return d->tick;
}

static int32_t live_client(day_ctx *d)
{
    return gsim_pick_client(d->ds, d->rng, d->tick);
}

static int32_t live_piano(day_ctx *d)
{
    gsim_dataset *ds = d->ds;
    for (int tries = 0; tries < 32 && ds->pianos.count; tries++) {
        uint64_t i = gsim_rng_below(d->rng, ds->pianos.count);
        if (!ds->pianos.rows[i].deleted)
            return (int32_t)i;
    }
    return -1;
}

/* Active schedulable users other than row. */
static size_t schedulable_others(const gsim_dataset *ds, uint64_t row)
{
    size_t n = 0;
    for (size_t i = 0; i < ds->users.count; i++)
        n += i != row && ds->users.rows[i].is_schedulable;
    return n;
}

static int users_day(day_ctx *d)
{
    gsim_dataset *ds = d->ds;
    uint64_t hires = gsim_rng_count(d->rng, ds->params.hires_per_year / 365);
    for (uint64_t i = 0; i < hires; i++) {
        if (gsim_make_user(ds, d->rng, next_tick(d), "TECHNICIAN") < 0)
            return -1;
        d->sum->users.created++;
    }
    uint64_t edits =
        gsim_rng_count(d->rng, ds->params.user_edits_per_year / 365);
    for (uint64_t i = 0; i < edits && ds->users.count; i++) {
        uint64_t row = gsim_rng_below(d->rng, ds->users.count);
        gsim_user *u = &ds->users.rows[row];
        double r = gsim_rng_unit(d->rng);
        if (r < 0.15 && row != 0 && schedulable_others(ds, row) >= 2) {
            /* A technician leaves: the profile stays, inactive. */
            u->status = "INACTIVE";
            u->active = 0;
            u->is_schedulable = 0;
        } else if (r < 0.5) {
            static const char *const colors[] = {"#BCBD22", "#7F7F7F",
                                                 "#AEC7E8", "#FFBB78"};
            u->color = GSIM_PICK(d->rng, colors);
        } else {
            u->email = gsim_arena_printf(&ds->text, "tech%d@pianos-exemple.ca",
                                         (int)gsim_rng_below(d->rng, 1000));
        }
        u->updated_at = next_tick(d);
        d->sum->users.updated++;
    }
    return 0;
}

/* A client's contacts change; every change stamps the contact with the
 * client's new updatedAt. -1 when out of memory. */
static int edit_contacts(day_ctx *d, int32_t row, gsim_time at)
{
    gsim_dataset *ds = d->ds;
    gsim_rng *rng = d->rng;
    gsim_client *c = &ds->clients.rows[row];
    gsim_contact *k = gsim_default_contact(ds, c);
    double r = gsim_rng_unit(rng);
    if (k && r < 0.5) { /* moved, new number or preferences: same contact */
        double what = gsim_rng_unit(rng);
        if (what < 0.4) {
            k->phone = gsim_text_phone(&ds->text, rng);
        } else if (what < 0.8) {
            k->has_location = 1;
            k->street1 = gsim_text_street(&ds->text, rng);
            k->municipality = gsim_text_municipality(rng, &k->region);
            k->postal_code = gsim_text_postal_code(&ds->text, rng);
        } else {
            k->wants_text = k->phone && !k->wants_text;
            k->wants_email = k->email && !k->wants_email;
        }
        k->updated_at = at;
        return 0;
    }
    if (!k || r < 0.75) {
        /* Another person of the household becomes the default (a new
         * contact, a new id); the former default stays, sometimes
         * archived. */
        int32_t former = c->default_contact;
        int64_t n = gsim_make_contact(ds, rng, row, at);
        if (n < 0)
            return -1;
        if (former >= 0) { /* re-read: the push may have moved the rows */
            k = &ds->contacts.rows[former];
            k->archived = gsim_rng_chance(rng, 0.4);
            k->updated_at = at;
        }
        gsim_set_default_contact(ds, row, (int32_t)n);
        return 0;
    }
    if (r < 0.88) { /* a second contact, not the default */
        return gsim_make_contact(ds, rng, row, at) < 0 ? -1 : 0;
    }
    /* Someone who left: archive a non-default contact, if any. */
    for (int32_t i = c->first_contact; i >= 0; i = ds->contacts.rows[i].next) {
        gsim_contact *o = &ds->contacts.rows[i];
        if (!o->is_default && !o->archived) {
            o->archived = 1;
            o->updated_at = at;
            return 0;
        }
    }
    return gsim_make_contact(ds, rng, row, at) < 0 ? -1 : 0;
}

static const char *next_client_status(const char *status)
{
    /* NEW and PROSPECT become customers; customers come and go. */
    return strcmp(status, "ACTIVE") == 0 ? "INACTIVE" : "ACTIVE";
}

static int edit_client(day_ctx *d, int32_t row, gsim_time at)
{
    gsim_dataset *ds = d->ds;
    gsim_rng *rng = d->rng;
    gsim_client *c = &ds->clients.rows[row];
    switch (gsim_rng_below(rng, 7)) {
    case 0:
        c->status = next_client_status(c->status);
        break;
    case 1:
        c->tags ^= 1u << gsim_rng_below(rng, gsim_client_tag_count);
        break;
    case 2:
        c->personal_notes =
            gsim_text_note(&ds->text, rng, strcmp(c->locale, "fr_CA") == 0);
        break;
    case 3:
    case 4:
        if (edit_contacts(d, row, at) != 0)
            return -1;
        break;
    case 5:
        c->preference_notes = gsim_rng_chance(rng, 0.2)
                                  ? NULL
                                  : "Rappeler 2 jours avant — \"merci!\" 🙏";
        break;
    default:
        c->lifecycle_state = "CUSTOMER";
        c->no_contact_until = GSIM_NO_DAY;
        c->no_contact_reason = NULL;
        break;
    }
    ds->clients.rows[row].updated_at = at;
    return 0;
}

static void delete_client(day_ctx *d, int32_t row)
{
    gsim_dataset *ds = d->ds;
    gsim_client *c = &ds->clients.rows[row];
    c->deleted = 1;
    d->sum->clients.deleted++;
    for (int32_t p = c->first_piano; p >= 0;
         p = ds->pianos.rows[p].next_sibling)
        if (!ds->pianos.rows[p].deleted) {
            ds->pianos.rows[p].deleted = 1;
            d->sum->pianos.deleted++;
        }
}

static int clients_day(day_ctx *d)
{
    gsim_dataset *ds = d->ds;
    gsim_params *p = &ds->params;
    uint64_t created = gsim_rng_count(d->rng, p->clients_per_day);
    for (uint64_t i = 0; i < created; i++) {
        if (gsim_make_client(ds, d->rng, next_tick(d)) < 0)
            return -1;
        d->sum->clients.created++;
    }
    uint64_t updates = gsim_rng_count(d->rng, (double)ds->clients.count *
                                                  p->client_update_pct / 100);
    for (uint64_t i = 0; i < updates; i++) {
        int32_t row = live_client(d);
        if (row < 0)
            break;
        if (edit_client(d, row, next_tick(d)) != 0)
            return -1;
        d->sum->clients.updated++;
    }
    if (gsim_rng_chance(d->rng, p->bulk_edit_chance)) {
        /* A mass edit: one tag set on many clients in the same second. */
        gsim_time at = next_tick(d);
        uint64_t n = (uint64_t)gsim_rng_range(d->rng, 5, 150);
        uint32_t tag = 1u << gsim_rng_below(d->rng, gsim_client_tag_count);
        for (uint64_t i = 0; i < n; i++) {
            int32_t row = live_client(d);
            if (row < 0)
                break;
            gsim_client *c = &ds->clients.rows[row];
            if (c->updated_at == at)
                continue;
            c->tags |= tag;
            c->updated_at = at;
            d->sum->clients.updated++;
        }
    }
    uint64_t deletes = gsim_rng_count(d->rng, p->client_deletes_per_year / 365);
    for (uint64_t i = 0; i < deletes; i++) {
        for (int tries = 0; tries < 64; tries++) {
            int32_t row = live_client(d);
            if (row >= 0 && ds->clients.rows[row].history_refs == 0) {
                int ok = 1;
                for (int32_t q = ds->clients.rows[row].first_piano; q >= 0;
                     q = ds->pianos.rows[q].next_sibling)
                    ok &= ds->pianos.rows[q].history_refs == 0;
                if (ok) {
                    delete_client(d, row);
                    break;
                }
            }
        }
    }
    return 0;
}

static int pianos_day(day_ctx *d)
{
    gsim_dataset *ds = d->ds;
    gsim_params *p = &ds->params;
    uint64_t created = gsim_rng_count(d->rng, p->pianos_per_day);
    for (uint64_t i = 0; i < created; i++) {
        int32_t client = gsim_rng_chance(d->rng, 0.97) ? live_client(d) : -1;
        if (gsim_make_piano(ds, d->rng, client, next_tick(d)) < 0)
            return -1;
        d->sum->pianos.created++;
    }
    uint64_t updates = gsim_rng_count(d->rng, (double)ds->pianos.count *
                                                  p->piano_update_pct / 100);
    for (uint64_t i = 0; i < updates; i++) {
        int32_t row = live_piano(d);
        if (row < 0)
            break;
        gsim_piano *pi = &ds->pianos.rows[row];
        switch (gsim_rng_below(d->rng, 4)) {
        case 0:
            pi->location = "Salle de répétition";
            break;
        case 1:
            pi->notes = gsim_text_note(&ds->text, d->rng, 1);
            break;
        case 2: {
            static const char *const statuses[] = {
                "ACTIVE", "ACTIVE", "INACTIVE", "TEMPORARY_STORAGE",
                "UNDER_RESTORATION"};
            pi->status = GSIM_PICK(d->rng, statuses);
            break;
        }
        default:
            pi->service_interval_months = 12;
            pi->last_service = (int32_t)gsim_day_of(d->tick);
            pi->next_service = pi->last_service + 365;
            break;
        }
        pi->updated_at = next_tick(d);
        d->sum->pianos.updated++;
    }
    uint64_t deletes = gsim_rng_count(d->rng, p->piano_deletes_per_year / 365);
    for (uint64_t i = 0; i < deletes; i++) {
        for (int tries = 0; tries < 64; tries++) {
            int32_t row = live_piano(d);
            if (row >= 0 && ds->pianos.rows[row].history_refs == 0) {
                ds->pianos.rows[row].deleted = 1;
                d->sum->pianos.deleted++;
                break;
            }
        }
    }
    return 0;
}

static int future_active(const gsim_event *e, gsim_time now)
{
    return e->start > now && strcmp(e->status, "ACTIVE") == 0 &&
           strcmp(e->type, "APPOINTMENT") == 0;
}

static int append_history(day_ctx *d, const gsim_event *e)
{
    int32_t piano = e->npianos ? e->pianos[0] : -1;
    if (e->client < 0)
        return 0; /* an entry needs a client */
    if (gsim_make_timeline(d->ds, d->rng, e->start, next_tick(d), e->client,
                           piano, e->user, (int32_t)(e - d->ds->events.rows),
                           "APPOINTMENT") < 0)
        return -1;
    d->sum->timeline.created++;
    return 0;
}

static int events_day(day_ctx *d, gsim_time day_start)
{
    gsim_dataset *ds = d->ds;
    gsim_params *p = &ds->params;
    int64_t today = gsim_day_of(day_start);
    uint64_t booked = gsim_rng_count(d->rng, p->events_per_day);
    for (uint64_t i = 0; i < booked; i++) {
        gsim_time start =
            gsim_business_start(d->rng, today + gsim_rng_range(d->rng, 1, 182));
        if (gsim_make_event(ds, d->rng, next_tick(d), start, d->tick) < 0)
            return -1;
        d->sum->events.created++;
    }
    uint64_t moves = gsim_rng_count(d->rng, p->reschedules_per_day);
    uint64_t cancels = gsim_rng_count(d->rng, p->cancels_per_day);
    for (uint64_t i = 0; i < moves + cancels && ds->events.count; i++) {
        for (int tries = 0; tries < 64; tries++) {
            gsim_event *e =
                &ds->events.rows[gsim_rng_below(d->rng, ds->events.count)];
            if (!future_active(e, d->tick))
                continue;
            if (i < moves)
                e->start = gsim_business_start(
                    d->rng, today + gsim_rng_range(d->rng, 1, 120));
            else
                e->status = "CANCELED"; /* the event stays */
            e->updated_at = next_tick(d);
            d->sum->events.updated++;
            break;
        }
    }
    /* The day's appointments are closed at its end: most completed (with
     * a service entry in the timeline), a few left open. */
    for (size_t i = 0; i < ds->events.count; i++) {
        gsim_event *e = &ds->events.rows[i];
        if (e->start < day_start || e->start >= d->day_end ||
            strcmp(e->status, "ACTIVE") != 0 ||
            strcmp(e->type, "APPOINTMENT") != 0 ||
            !gsim_rng_chance(d->rng, 0.92))
            continue;
        e->status = "COMPLETE";
        e->updated_at = next_tick(d);
        d->sum->events.updated++;
        if (append_history(d, e) != 0)
            return -1;
    }
    return 0;
}

static int timeline_day(day_ctx *d)
{
    gsim_dataset *ds = d->ds;
    static const char *const types[] = {"SERVICE_ENTRY_MANUAL",
                                        "USER_COMMENT",
                                        "INVOICE",
                                        "ESTIMATE",
                                        "CONTACT_EMAIL_AUTOMATED",
                                        "CONTACT_SMS_AUTOMATED",
                                        "PIANO_MEASUREMENT"};
    uint64_t n = gsim_rng_count(d->rng, ds->params.timeline_per_day);
    for (uint64_t i = 0; i < n; i++) {
        gsim_time created = next_tick(d);
        /* Technicians often write up a visit days later: occurredAt lags
         * createdAt, which a "since" pull must allow for. */
        gsim_time occurred =
            gsim_rng_chance(d->rng, 0.2)
                ? created - gsim_rng_range(d->rng, DAY, 5 * DAY)
                : created;
        int32_t client = live_client(d);
        if (client < 0)
            continue; /* an entry needs a client */
        int32_t piano = gsim_rng_chance(d->rng, 0.5)
                            ? gsim_pick_piano_of(ds, d->rng, client)
                            : -1;
        int32_t user = gsim_rng_chance(d->rng, 0.85)
                           ? gsim_pick_staff(ds, d->rng, created)
                           : -1;
        if (gsim_make_timeline(ds, d->rng, occurred, created, client, piano,
                               user, -1, GSIM_PICK(d->rng, types)) < 0)
            return -1;
        d->sum->timeline.created++;
    }
    /* Entries are corrected soon after they are written, not years later:
     * edits pick among entries created within the edit window. An edit
     * changes the comment but not occurredAt, and no field shows when it
     * happened, so a pull keyed on occurredAtGet sees it only if its
     * lookback covers the entry (or a full read does). */
    uint64_t edits = gsim_rng_count(d->rng, ds->params.timeline_edits_per_day);
    gsim_time since =
        d->tick - (gsim_time)ds->params.timeline_edit_window_days * DAY;
    size_t lo = 0, hi = ds->timeline.count;
    while (lo < hi) { /* rows are in creation order */
        size_t mid = lo + (hi - lo) / 2;
        if (ds->timeline.rows[mid].created_at < since)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (uint64_t i = 0; i < edits && lo < ds->timeline.count; i++) {
        gsim_timeline *t =
            &ds->timeline
                 .rows[lo + gsim_rng_below(d->rng, ds->timeline.count - lo)];
        t->comment = gsim_text_note(&ds->text, d->rng, 1);
        t->edited_at = next_tick(d);
        d->sum->timeline.updated++;
    }
    return 0;
}

int gsim_churn_advance(gsim_dataset *ds, int days, gsim_churn_summary *summary)
{
    int rc = 0;
    for (int i = 0; i < days && rc == 0; i++) {
        gsim_time day_start = ds->now;
        day_ctx d = {ds, &ds->rng, day_start, 0, day_start + DAY, summary};
        /* Spread the day's changes over its seconds, leaving room. */
        double expected =
            50 + ds->params.events_per_day + ds->params.timeline_per_day +
            (double)ds->clients.count * ds->params.client_update_pct / 100 +
            (double)ds->pianos.count * ds->params.piano_update_pct / 100;
        d.step = (gsim_time)(DAY / (2 * expected));
        if (d.step < 1)
            d.step = 1;
        rc = users_day(&d);
        if (rc == 0)
            rc = clients_day(&d);
        if (rc == 0)
            rc = pianos_day(&d);
        if (rc == 0)
            rc = events_day(&d, day_start);
        if (rc == 0)
            rc = timeline_day(&d);
        ds->now = day_start + DAY;
        if (ds->last_change > ds->now)
            ds->now = ds->last_change;
    }
    gsim_orders_invalidate(ds);
    return rc;
}

#include "make.h"

#include <string.h>

#include "text.h"

gsim_time gsim_business_start(gsim_rng *rng, int64_t day)
{
    /* 13:00-21:30 UTC is 8:00-16:30 (EST) in Montréal. */
    return day * 86400 + 13 * 3600 + gsim_rng_range(rng, 0, 17) * 1800;
}

/* Users hired by `before`: users are stored in hiring order. */
static size_t users_by(const gsim_dataset *ds, gsim_time before)
{
    size_t lo = 0, hi = ds->users.count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ds->users.rows[mid].created_at <= before)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A random one of the first n users that fits, drawn with a few tries
 * (almost every user fits) before a scan; -1 when none does. Called for
 * every event and timeline entry, so it must not walk all users. */
static int32_t pick_among(const gsim_dataset *ds, gsim_rng *rng, size_t n,
                          int schedulable)
{
    for (int tries = 0; tries < 16 && n; tries++) {
        const gsim_user *u = &ds->users.rows[gsim_rng_below(rng, n)];
        if (u->active && (!schedulable || u->is_schedulable))
            return (int32_t)(u - ds->users.rows);
    }
    for (size_t i = 0; i < n; i++) {
        const gsim_user *u = &ds->users.rows[i];
        if (u->active && (!schedulable || u->is_schedulable))
            return (int32_t)i;
    }
    return -1;
}

int32_t gsim_pick_user(gsim_dataset *ds, gsim_rng *rng, gsim_time before)
{
    size_t n = users_by(ds, before);
    /* The newest hire gets a double share: a new technician is booked
     * often while the others' calendars are full. */
    if (n > 1 && gsim_rng_chance(rng, 0.15))
        for (size_t i = n; i-- > 0;)
            if (ds->users.rows[i].is_schedulable)
                return (int32_t)i;
    int32_t row = pick_among(ds, rng, n, 1);
    return row >= 0 ? row : ds->users.count ? 0 : -1;
}

int32_t gsim_pick_staff(gsim_dataset *ds, gsim_rng *rng, gsim_time before)
{
    int32_t row = pick_among(ds, rng, users_by(ds, before), 0);
    return row >= 0 ? row : ds->users.count ? 0 : -1;
}

int32_t gsim_pick_client(gsim_dataset *ds, gsim_rng *rng, gsim_time before)
{
    size_t lo = 0, hi = ds->clients.count;
    while (lo < hi) { /* clients are stored in creation order */
        size_t mid = (lo + hi) / 2;
        if (ds->clients.rows[mid].created_at <= before)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return -1;
    for (int tries = 0; tries < 32; tries++) {
        size_t i = gsim_rng_below(rng, lo);
        if (!ds->clients.rows[i].deleted)
            return (int32_t)i;
    }
    return -1;
}

int32_t gsim_pick_piano_of(gsim_dataset *ds, gsim_rng *rng, int32_t client)
{
    if (client < 0)
        return -1;
    int32_t live[64];
    int n = 0;
    for (int32_t p = ds->clients.rows[client].first_piano; p >= 0 && n < 64;
         p = ds->pianos.rows[p].next_sibling)
        if (!ds->pianos.rows[p].deleted)
            live[n++] = p;
    return n ? live[gsim_rng_below(rng, (uint64_t)n)] : -1;
}

int64_t gsim_make_user(gsim_dataset *ds, gsim_rng *rng, gsim_time created,
                       const char *access_level)
{
    gsim_user *u = GSIM_PUSH(ds->users);
    if (!u)
        return -1;
    memset(u, 0, sizeof(*u));
    int french = gsim_rng_chance(rng, 0.75);
    gsim_name first = gsim_text_first_name(rng, french);
    gsim_name last = gsim_text_last_name(rng, french);
    u->id = gsim_id_new(ds, GSIM_USER);
    u->first_name = first.display;
    u->last_name = last.display;
    u->email = gsim_arena_printf(&ds->text, "%s.%s@pianos-exemple.ca",
                                 first.ascii, last.ascii);
    u->status = "ACTIVE";
    u->active = 1;
    u->access_level = access_level;
    /* The owner tunes too; an assistant answers the phone. */
    u->is_schedulable = strcmp(access_level, "ASSISTANT") != 0;
    u->timezone = GSIM_TIMEZONE;
    u->region = gsim_rng_chance(rng, 0.8) ? "QC" : NULL;
    static const char *const colors[] = {"#1F77B4", "#FF7F0E", "#2CA02C",
                                         "#D62728", "#9467BD", "#8C564B",
                                         "#E377C2", "#17BECF"};
    u->color = GSIM_PICK(rng, colors);
    u->created_at = created;
    u->updated_at = created;
    return (int64_t)(ds->users.count - 1);
}

gsim_contact *gsim_default_contact(gsim_dataset *ds, const gsim_client *c)
{
    return c->default_contact >= 0 ? &ds->contacts.rows[c->default_contact]
                                   : NULL;
}

void gsim_set_default_contact(gsim_dataset *ds, int32_t client, int32_t row)
{
    gsim_client *c = &ds->clients.rows[client];
    gsim_contact *old = gsim_default_contact(ds, c);
    if (old)
        old->is_default = 0;
    c->default_contact = row;
    ds->contacts.rows[row].is_default = 1;
    ds->contacts.rows[row].archived = 0;
}

int64_t gsim_make_contact(gsim_dataset *ds, gsim_rng *rng, int32_t client,
                          gsim_time created)
{
    gsim_contact *k = GSIM_PUSH(ds->contacts);
    if (!k)
        return -1;
    int32_t row = (int32_t)(ds->contacts.count - 1);
    gsim_client *c = &ds->clients.rows[client];
    int french = strcmp(c->locale, "fr_CA") == 0;
    memset(k, 0, sizeof(*k));
    k->id = gsim_id_new(ds, GSIM_CONTACT);
    k->client = client;
    k->next = -1;
    if (c->last_contact >= 0)
        ds->contacts.rows[c->last_contact].next = row;
    else
        c->first_contact = row;
    c->last_contact = row;
    gsim_name first = gsim_text_first_name(rng, french);
    gsim_name last = gsim_text_last_name(rng, french);
    k->first_name = first.display;
    k->last_name = last.display;
    static const char *const titles[] = {
        "Directrice", "Director of Music", "Curé", "Mr.", "Mme", "Dr"};
    k->title = gsim_rng_chance(rng, 0.15) ? GSIM_PICK(rng, titles) : NULL;
    static const char *const roles[] = {"Propriétaire", "Parent", "Billing",
                                        "Concierge"};
    k->role = gsim_rng_chance(rng, 0.1) ? GSIM_PICK(rng, roles) : NULL;
    if (gsim_rng_chance(rng, 0.85))
        k->email =
            gsim_arena_printf(&ds->text, "%s.%s%d@exemple.com", first.ascii,
                              last.ascii, (int)gsim_rng_below(rng, 100));
    if (gsim_rng_chance(rng, 0.9))
        k->phone = gsim_text_phone(&ds->text, rng);
    if (gsim_rng_chance(rng, 0.92)) {
        k->has_location = 1;
        k->street1 = gsim_text_street(&ds->text, rng);
        k->street2 = gsim_rng_chance(rng, 0.2)
                         ? gsim_arena_printf(&ds->text, "App. %d",
                                             (int)gsim_rng_range(rng, 1, 40))
                         : NULL;
        k->municipality = gsim_text_municipality(rng, &k->region);
        k->postal_code = gsim_text_postal_code(&ds->text, rng);
    }
    k->wants_email = k->email && gsim_rng_chance(rng, 0.8);
    k->wants_phone = k->phone && gsim_rng_chance(rng, 0.9);
    k->wants_text = k->phone && gsim_rng_chance(rng, 0.5);
    k->created_at = created;
    k->updated_at = created;
    return row;
}

int64_t gsim_make_client(gsim_dataset *ds, gsim_rng *rng, gsim_time created)
{
    gsim_client *c = GSIM_PUSH(ds->clients);
    if (!c)
        return -1;
    int32_t row = (int32_t)(ds->clients.count - 1);
    memset(c, 0, sizeof(*c));
    c->id = gsim_id_new(ds, GSIM_CLIENT);
    int french = gsim_rng_chance(rng, 0.7);
    c->locale = french ? "fr_CA" : "en_US";
    int business = gsim_rng_chance(rng, 0.18);
    c->client_type = business ? "BUSINESS" : "PERSONAL";
    c->company_name = business ? gsim_text_company(&ds->text, rng) : NULL;
    static const char *const statuses[] = {"ACTIVE",   "ACTIVE", "ACTIVE",
                                           "ACTIVE",   "ACTIVE", "INACTIVE",
                                           "PROSPECT", "NEW"};
    c->status = GSIM_PICK(rng, statuses);
    static const char *const lifecycle[] = {"CUSTOMER", "CUSTOMER", "LEAD",
                                            "PROSPECT", "CUSTOMER"};
    c->lifecycle_state = GSIM_PICK(rng, lifecycle);
    for (size_t t = 0; t < gsim_client_tag_count; t++)
        if (gsim_rng_chance(rng, 0.08))
            c->tags |= 1u << t;
    c->personal_notes = gsim_rng_chance(rng, 0.4)
                            ? gsim_text_note(&ds->text, rng, french)
                            : NULL;
    c->preference_notes = gsim_rng_chance(rng, 0.25)
                              ? gsim_text_note(&ds->text, rng, french)
                              : (gsim_rng_chance(rng, 0.1) ? "" : NULL);
    c->preferred_tech =
        gsim_rng_chance(rng, 0.5) ? gsim_pick_user(ds, rng, created) : -1;
    if (gsim_rng_chance(rng, 0.1)) {
        gsim_name n = gsim_text_last_name(rng, french);
        c->referred_by = gsim_arena_printf(&ds->text, "Famille %s", n.display);
    }
    c->no_contact_until = GSIM_NO_DAY;
    if (gsim_rng_chance(rng, 0.04)) {
        c->no_contact_until =
            (int32_t)(gsim_day_of(created) + gsim_rng_range(rng, 30, 900));
        c->no_contact_reason = french ? "Déménagement — rappeler plus tard"
                                      : "Asked not to be called \"for now\"";
    }
    c->first_piano = -1;
    c->first_contact = c->last_contact = c->default_contact = -1;
    c->created_at = created;
    c->updated_at = created;
    /* Some clients in Gazelle have no contact at all; most have one, a
     * household or a school several, and people who left stay archived. */
    if (!gsim_rng_chance(rng, 0.95))
        return row;
    int n =
        1 + (gsim_rng_chance(rng, 0.35) ? (int)gsim_rng_range(rng, 1, 3) : 0);
    for (int i = 0; i < n; i++) {
        int64_t k = gsim_make_contact(ds, rng, row, created);
        if (k < 0)
            return -1;
        if (i == 0)
            gsim_set_default_contact(ds, row, (int32_t)k);
        else
            ds->contacts.rows[k].archived = gsim_rng_chance(rng, 0.3);
    }
    return row;
}

void gsim_piano_service_dates(gsim_piano *p, gsim_rng *rng, gsim_time now)
{
    p->last_service = GSIM_NO_DAY;
    p->next_service = GSIM_NO_DAY;
    if (p->service_interval_months == 0 || gsim_rng_chance(rng, 0.2))
        return;
    int64_t today = gsim_day_of(now);
    int64_t created = gsim_day_of(p->created_at);
    int64_t last =
        today - gsim_rng_range(rng, 0, 30 * p->service_interval_months);
    if (last < created)
        last = created;
    p->last_service = (int32_t)last;
    p->next_service = (int32_t)(last + 30 * p->service_interval_months);
}

int64_t gsim_make_piano(gsim_dataset *ds, gsim_rng *rng, int32_t client,
                        gsim_time created)
{
    gsim_piano *p = GSIM_PUSH(ds->pianos);
    if (!p)
        return -1;
    memset(p, 0, sizeof(*p));
    int32_t row = (int32_t)(ds->pianos.count - 1);
    p->id = gsim_id_new(ds, GSIM_PIANO);
    p->client = client;
    p->next_sibling = -1;
    if (client >= 0) {
        p->next_sibling = ds->clients.rows[client].first_piano;
        ds->clients.rows[client].first_piano = row;
    }
    p->make = gsim_text_piano_make(rng, &p->model);
    p->serial_number =
        gsim_rng_chance(rng, 0.8)
            ? gsim_arena_printf(&ds->text, "%s%d",
                                gsim_rng_chance(rng, 0.2) ? "T" : "",
                                (int)gsim_rng_range(rng, 10000, 6999999))
            : NULL;
    static const char *const types[] = {"UPRIGHT", "UPRIGHT", "UPRIGHT",
                                        "GRAND",   "GRAND",   "DIGITAL",
                                        "CONSOLE", "SPINET",  "STUDIO"};
    p->type = gsim_rng_chance(rng, 0.02) ? "UNKNOWN" : GSIM_PICK(rng, types);
    p->year = gsim_rng_chance(rng, 0.75)
                  ? (int32_t)gsim_rng_range(rng, 1890, 2025)
                  : 0;
    static const char *const locations[] = {"Salon",
                                            "Living room",
                                            "Sous-sol",
                                            "Salle de concert",
                                            "Chapel, left of the altar",
                                            "Studio B (2e étage)"};
    p->location = gsim_rng_chance(rng, 0.6) ? GSIM_PICK(rng, locations) : NULL;
    p->notes =
        gsim_rng_chance(rng, 0.3) ? gsim_text_note(&ds->text, rng, 1) : NULL;
    double st = gsim_rng_unit(rng);
    p->status = st < 0.85   ? "ACTIVE"
                : st < 0.94 ? "INACTIVE"
                : st < 0.97 ? "TEMPORARY_STORAGE"
                            : "UNDER_RESTORATION";
    if (gsim_rng_chance(rng, 0.7))
        p->size = strcmp(p->type, "GRAND") == 0
                      ? gsim_arena_printf(&ds->text, "%d' %d\"",
                                          (int)gsim_rng_range(rng, 4, 9),
                                          (int)gsim_rng_range(rng, 0, 11))
                      : gsim_arena_printf(&ds->text, "%d cm",
                                          (int)gsim_rng_range(rng, 105, 135));
    static const char *const colors[] = {"Ebony",    "Ebony", "Walnut",
                                         "Mahogany", "White", "Cherry"};
    p->case_color = gsim_rng_chance(rng, 0.7) ? GSIM_PICK(rng, colors) : NULL;
    static const char *const finishes[] = {"Polished", "Satin", "Matte"};
    p->case_finish =
        gsim_rng_chance(rng, 0.5) ? GSIM_PICK(rng, finishes) : NULL;
    static const char *const uses[] = {"Home",   "Home",    "Teaching",
                                       "Church", "Concert", "School"};
    p->use_type = gsim_rng_chance(rng, 0.6) ? GSIM_PICK(rng, uses) : NULL;
    /* Ivory keytops: pianos from before the 1970s bans. */
    p->has_ivory = p->year && p->year < 1975 && gsim_rng_chance(rng, 0.7);
    p->rental = gsim_rng_chance(rng, 0.05);
    p->player_installed = gsim_rng_chance(rng, 0.03);
    p->consignment = gsim_rng_chance(rng, 0.01);
    p->needs_repair = gsim_rng_chance(rng, 0.04);
    p->dampp_chaser = gsim_rng_chance(rng, 0.15);
    for (size_t t = 0; t < gsim_piano_tag_count; t++)
        if (gsim_rng_chance(rng, 0.06))
            p->tags |= 1u << t;
    static const int32_t intervals[] = {0, 6, 12, 12, 12, 24};
    p->service_interval_months = GSIM_PICK(rng, intervals);
    p->created_at = created;
    p->updated_at = created;
    gsim_piano_service_dates(p, rng, created);
    return row;
}

int64_t gsim_make_event(gsim_dataset *ds, gsim_rng *rng, gsim_time created,
                        gsim_time start, gsim_time now)
{
    gsim_event *e = GSIM_PUSH(ds->events);
    if (!e)
        return -1;
    memset(e, 0, sizeof(*e));
    int64_t row = (int64_t)(ds->events.count - 1);
    e->id = gsim_id_new(ds, GSIM_EVENT);
    e->client = -1;
    e->user = -1;
    e->created_by = -1;
    e->created_at = created;
    e->updated_at = created;
    e->start = start;
    e->source = gsim_rng_chance(rng, 0.2) ? "CLIENT_SCHEDULER" : "MANUAL";
    e->travel_mode = gsim_rng_chance(rng, 0.9) ? "DRIVING" : "TRANSIT";
    e->status = "ACTIVE";
    /* Booked by the office, or by the client online (no user then). */
    if (strcmp(e->source, "MANUAL") == 0)
        e->created_by = gsim_pick_staff(ds, rng, created);
    double kind = gsim_rng_unit(rng);
    if (kind < 0.9) {
        e->type = "APPOINTMENT";
        e->client = gsim_pick_client(ds, rng, created);
        e->user = gsim_pick_user(ds, rng, created);
        static const int32_t durations[] = {60, 60, 90, 120, 30, 180};
        e->duration = GSIM_PICK(rng, durations);
        e->confirmed_by_client = gsim_rng_chance(rng, 0.7);
        if (e->client >= 0) {
            gsim_client *c = &ds->clients.rows[e->client];
            c->history_refs++;
            int want = (int)gsim_rng_range(rng, 0, 2);
            for (int i = 0; i < want; i++) {
                int32_t p = gsim_pick_piano_of(ds, rng, e->client);
                int dup = 0;
                for (int j = 0; j < e->npianos; j++)
                    dup |= e->pianos[j] == p;
                if (p >= 0 && !dup) {
                    e->is_tuning[e->npianos] = gsim_rng_chance(rng, 0.75);
                    e->pianos[e->npianos++] = p;
                    ds->pianos.rows[p].history_refs++;
                }
            }
            const gsim_contact *k = gsim_default_contact(ds, c);
            const char *who = c->company_name ? c->company_name
                              : k             ? k->last_name
                                              : "client";
            e->title = gsim_arena_printf(
                &ds->text, "%s — %s",
                strcmp(c->locale, "fr_CA") == 0 ? "Accord" : "Tuning", who);
        } else {
            e->title = "Accord";
        }
        e->notes = gsim_rng_chance(rng, 0.3) ? gsim_text_note(&ds->text, rng, 1)
                                             : NULL;
    } else if (kind < 0.95) {
        e->type = "PERSONAL";
        e->title = gsim_rng_chance(rng, 0.5) ? "Vacances 🏖️" : "Dentiste";
        /* Personal time may belong to nobody in particular. */
        e->user =
            gsim_rng_chance(rng, 0.7) ? gsim_pick_user(ds, rng, created) : -1;
        e->is_all_day = gsim_rng_chance(rng, 0.5);
        e->duration = e->is_all_day ? 1440 : 60;
        if (e->is_all_day)
            e->start = gsim_day_of(start) * 86400;
    } else if (kind < 0.98) {
        e->type = "MEMO";
        e->title = "Memo: commander des cordes (La 0, Si 0)";
        e->user =
            gsim_rng_chance(rng, 0.5) ? gsim_pick_user(ds, rng, created) : -1;
        e->is_all_day = 1;
        e->duration = 1440;
        e->start = gsim_day_of(start) * 86400;
        e->notes = "Fournisseur: \"Mapes\"\nQuantité: 2";
    } else {
        e->type = "SYNCED";
        e->title = "Google Calendar: réunion";
        e->user = gsim_pick_user(ds, rng, created);
        e->duration = 45;
        e->source = "GOOGLE_CALENDAR";
    }
    (void)now;
    return row;
}

int64_t gsim_make_timeline(gsim_dataset *ds, gsim_rng *rng, gsim_time occurred,
                           gsim_time created, int32_t client, int32_t piano,
                           int32_t user, int32_t appointment, const char *type)
{
    gsim_timeline *t = GSIM_PUSH(ds->timeline);
    if (!t)
        return -1;
    memset(t, 0, sizeof(*t));
    t->id = gsim_id_new(ds, GSIM_TIMELINE);
    t->occurred_at = occurred;
    t->created_at = created;
    t->edited_at = created;
    t->type = type;
    t->client = client;
    t->piano = piano;
    t->user = user;
    t->appointment = appointment;
    ds->clients.rows[client].history_refs++;
    if (piano >= 0)
        ds->pianos.rows[piano].history_refs++;
    t->summary = gsim_text_summary(&ds->text, rng, type);
    t->comment =
        gsim_rng_chance(rng, 0.35) ? gsim_text_note(&ds->text, rng, 1) : NULL;
    if (strcmp(type, "INVOICE") == 0)
        t->invoice = gsim_id_new(ds, GSIM_INVOICE);
    if (strcmp(type, "ESTIMATE") == 0)
        t->estimate = gsim_id_new(ds, GSIM_ESTIMATE);
    return (int64_t)(ds->timeline.count - 1);
}

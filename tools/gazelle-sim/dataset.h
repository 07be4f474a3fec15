/* The simulated business: users, clients, their contacts, pianos, events
 * and timeline entries, plus the simulated clock, in the shapes of Gazelle's
 * schema (schema/gazelle.graphql): enum fields hold the schema's own value
 * names, and only what the real API exposes is rendered (timeline entries
 * keep an internal edit time for churn that no field shows).
 *
 * Rows live in growable arrays in creation order and are never moved; a
 * deleted row keeps its slot with `deleted` set. Ids are not stored as text:
 * each row has a 64-bit id number, a bijection of its serial, rendered as
 * prefix + "_" + 16 characters on output (see ids.c). Text fields point into
 * the dataset's arena. Sort orders are built lazily per (entity, key) and
 * thrown away whenever churn changes the data. */
#ifndef GSIM_DATASET_H
#define GSIM_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "rng.h"

typedef int64_t gsim_time;    /* seconds since the Unix epoch, UTC */
#define GSIM_NO_DAY INT32_MIN /* a null CoreDate */

typedef enum {
    GSIM_USER,
    GSIM_CLIENT,
    GSIM_PIANO,
    GSIM_EVENT,
    GSIM_TIMELINE,
    GSIM_CONTACT,
    GSIM_INVOICE,
    GSIM_ESTIMATE,
    GSIM_EVENT_PIANO, /* an event's piano slot: cursors only, no ids */
    GSIM_KIND_COUNT
} gsim_kind;

/* The orders a list can be paged in. START is an event's start and a
 * timeline entry's occurredAt; Gazelle has no updatedAt order (ClientSort,
 * PianoSort and EventSort lack one), so neither does the simulator. */
typedef enum { GSIM_KEY_CREATED, GSIM_KEY_START, GSIM_KEY_COUNT } gsim_sort_key;

typedef struct {
    uint64_t id;
    const char *first_name, *last_name, *email;
    const char *status;       /* UserStatus */
    const char *access_level; /* AccessLevel */
    const char *timezone, *region, *color;
    uint8_t is_schedulable; /* never set on an inactive user */
    uint8_t active;         /* status is ACTIVE (no strcmp when drawing) */
    gsim_time created_at, updated_at;
} gsim_user;

/* A person of a client. A client has any number of contacts in creation
 * order (a sibling list); at most one is its default, never an archived
 * one. Email, phone and location are the contact's default ones (NULL /
 * has_location 0: that field is null). */
typedef struct {
    uint64_t id;
    int32_t client; /* client row */
    int32_t next;   /* next contact of the client, or -1 */
    const char *first_name, *last_name, *title, *role;
    const char *email, *phone;
    int has_location;
    const char *street1, *street2, *municipality, *postal_code, *region;
    uint8_t wants_email, wants_phone, wants_text;
    uint8_t is_default, archived;
    gsim_time created_at, updated_at;
} gsim_contact;

typedef struct {
    uint64_t id;
    const char *company_name, *status, *client_type, *personal_notes,
        *preference_notes, *lifecycle_state, *referred_by, *no_contact_reason,
        *locale;
    uint32_t tags;                       /* bit set over gsim_client_tags */
    int32_t preferred_tech;              /* user row or -1 */
    int32_t no_contact_until;            /* day number or GSIM_NO_DAY */
    int32_t first_contact, last_contact; /* contact rows or -1 */
    int32_t default_contact;             /* contact row or -1 */
    gsim_time created_at, updated_at;
    uint32_t history_refs; /* events and timeline entries naming it */
    int32_t first_piano;   /* head of its pianos' sibling list, or -1 */
    uint8_t deleted;
} gsim_client;

typedef struct {
    uint64_t id;
    int32_t client; /* client row or -1 */
    const char *make, *model, *serial_number, *type, *location, *notes, *status,
        *size, *case_color, *case_finish, *use_type;
    int32_t year;                       /* 0: null */
    int32_t service_interval_months;    /* 0: null */
    int32_t last_service, next_service; /* day numbers or GSIM_NO_DAY */
    uint8_t has_ivory, rental, player_installed, consignment, needs_repair,
        dampp_chaser;
    uint32_t tags;        /* bit set over gsim_piano_tags */
    int32_t next_sibling; /* next piano of the same client, or -1 */
    uint32_t history_refs;
    gsim_time created_at, updated_at;
    uint8_t deleted;
} gsim_piano;

enum { GSIM_EVENT_MAX_PIANOS = 3 };

typedef struct {
    uint64_t id;
    const char *title, *notes, *type, *status, *source, *travel_mode;
    gsim_time start;
    int32_t duration; /* minutes */
    uint8_t is_all_day, confirmed_by_client, npianos;
    uint8_t is_tuning[GSIM_EVENT_MAX_PIANOS];
    int32_t client, user, created_by; /* rows or -1 */
    int32_t pianos[GSIM_EVENT_MAX_PIANOS];
    gsim_time created_at, updated_at;
} gsim_event;

typedef struct {
    uint64_t id;
    gsim_time occurred_at;
    /* Internal only: PrivateTimelineEntry has no createdAt/updatedAt, but
     * churn needs to know when an entry was written (back-dated entries,
     * corrections within a window). */
    gsim_time created_at, edited_at;
    const char *type, *summary, *comment;
    int32_t client; /* client row: never -1 (client is non-null) */
    int32_t piano, user, appointment; /* rows or -1 */
    uint64_t invoice, estimate;       /* id numbers or 0 */
} gsim_timeline;

typedef struct {
    int64_t key;
    uint64_t id;
    uint32_t row;
} gsim_sort_entry;

typedef struct {
    gsim_sort_entry *entries; /* ascending by (key, id); live rows only */
    size_t count;
    int valid;
} gsim_order;

#define GSIM_ARRAY(T)                                                          \
    struct {                                                                   \
        T *rows;                                                               \
        size_t count, cap;                                                     \
    }

typedef struct {
    uint64_t users, clients, pianos, events, timeline;
    double hires_per_year, user_edits_per_year;
    double client_update_pct, piano_update_pct; /* % of rows per day */
    double clients_per_day, pianos_per_day;     /* new rows per day */
    double client_deletes_per_year, piano_deletes_per_year;
    double events_per_day, reschedules_per_day, cancels_per_day;
    double timeline_per_day, bulk_edit_chance; /* chance per day */
    double timeline_edits_per_day, timeline_edit_window_days;
    /* --hide-unfiltered: status values (of clients, pianos, events) that
     * lists leave out unless their `status` filter is given: the other
     * reading of what Gazelle returns unfiltered (README), for testing
     * that a sweep survives it. Points into argv; empty by default. */
    const char *hidden_statuses[16];
    size_t nhidden_statuses;
    /* --null-created-clients: the N oldest clients answer createdAt null
     * (the schema makes it nullable) and so pass no createdGet/createdLet
     * bound; 0 by default. */
    uint64_t null_created_clients;
} gsim_params;

typedef struct {
    uint64_t seed;
    gsim_params params;
    gsim_time now;
    gsim_time last_change; /* updatedAt never goes below this */
    gsim_rng rng;          /* the churn stream, advanced day by day */
    gsim_arena text;
    uint64_t salt[GSIM_KIND_COUNT];
    uint64_t serial[GSIM_KIND_COUNT]; /* next serial per id kind */
    GSIM_ARRAY(gsim_user) users;
    GSIM_ARRAY(gsim_client) clients;
    GSIM_ARRAY(gsim_contact) contacts;
    GSIM_ARRAY(gsim_piano) pianos;
    GSIM_ARRAY(gsim_event) events;
    GSIM_ARRAY(gsim_timeline) timeline;
    gsim_order orders[GSIM_KIND_COUNT][GSIM_KEY_COUNT];
} gsim_dataset;

/* Bit names for client and piano tags. */
extern const char *const gsim_client_tags[];
extern const size_t gsim_client_tag_count;
extern const char *const gsim_piano_tags[];
extern const size_t gsim_piano_tag_count;

/* The business's own time zone (contracts/gazelle.md, Values). */
#define GSIM_TIMEZONE "America/Montreal"

void gsim_params_default(gsim_params *p);
/* Generates the business for seed at time now (generate.c). 0 or -1. */
int gsim_dataset_generate(gsim_dataset *ds, uint64_t seed, gsim_time now,
                          const gsim_params *params);
void gsim_dataset_free(gsim_dataset *ds);

/* ---- ids (ids.c) ---- */
extern const char *const gsim_kind_prefix[GSIM_KIND_COUNT];
/* A new id number for kind (bijective in the serial, so never repeats). */
uint64_t gsim_id_new(gsim_dataset *ds, gsim_kind kind);
/* Writes prefix_XXXXXXXXXXXXXXXX into out (at least 24 bytes). */
void gsim_id_format(char *out, gsim_kind kind, uint64_t id);
/* Parses an id of the kind; 0 when malformed or of another kind. */
uint64_t gsim_id_parse(gsim_kind kind, const char *text);
/* The row of an id (the serial), or -1 when the id is not of this
 * dataset. Rows are created in serial order, so serial == row. */
int64_t gsim_id_row(const gsim_dataset *ds, gsim_kind kind, uint64_t id);

/* ---- time (clock.c) ---- */
int64_t gsim_days_from_civil(int64_t y, unsigned m, unsigned d);
void gsim_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* "2026-11-25T12:00:00Z" into out (at least 21 bytes). */
void gsim_time_format(char *out, gsim_time t);
/* "2026-11-25" into out (at least 11 bytes). */
void gsim_day_format(char *out, int64_t day);
/* Accepts YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM). 0 or -1. */
int gsim_time_parse(gsim_time *out, const char *text);
int gsim_day_parse(int64_t *out, const char *text);
static inline int64_t gsim_day_of(gsim_time t)
{
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

/* ---- orders (order.c) ---- */
/* The ascending order of live rows of kind by key, built on demand.
 * NULL when out of memory. */
const gsim_order *gsim_order_get(gsim_dataset *ds, gsim_kind kind,
                                 gsim_sort_key key);
void gsim_orders_invalidate(gsim_dataset *ds);

#endif

/* Resolvers of users, pianos, events (with their piano slots), timeline
 * entries, and the invoice and estimate an entry names. */
#include <stdio.h>

#include "resolve_internal.h"

GSIM_ID_FIELD(user_id, gsim_user, GSIM_USER)
GSIM_STR_FIELD(user_first, gsim_user, first_name)
GSIM_STR_FIELD(user_last, gsim_user, last_name)
GSIM_STR_FIELD(user_email, gsim_user, email)
GSIM_STR_FIELD(user_status, gsim_user, status)
GSIM_STR_FIELD(user_access_level, gsim_user, access_level)
GSIM_STR_FIELD(user_timezone, gsim_user, timezone)
GSIM_STR_FIELD(user_region, gsim_user, region)
GSIM_STR_FIELD(user_color, gsim_user, color)
GSIM_BOOL_FIELD(user_schedulable, gsim_user, is_schedulable)
GSIM_TIME_FIELD(user_created, gsim_user, created_at)
GSIM_TIME_FIELD(user_updated, gsim_user, updated_at)

static void user_full_name(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    const gsim_user *u = s->row;
    char name[256];
    (void)f;
    snprintf(name, sizeof(name), "%s %s", u->first_name, u->last_name);
    gsim_out_str(ex->out, name);
}

GSIM_ID_FIELD(piano_id, gsim_piano, GSIM_PIANO)
GSIM_REF_FIELD(piano_client, gsim_piano, GSIM_CLIENT, client)
GSIM_STR_FIELD(piano_make, gsim_piano, make)
GSIM_STR_FIELD(piano_model, gsim_piano, model)
GSIM_STR_FIELD(piano_serial, gsim_piano, serial_number)
GSIM_STR_FIELD(piano_type, gsim_piano, type)
GSIM_STR_FIELD(piano_location, gsim_piano, location)
GSIM_STR_FIELD(piano_notes, gsim_piano, notes)
GSIM_STR_FIELD(piano_status, gsim_piano, status)
GSIM_STR_FIELD(piano_size, gsim_piano, size)
GSIM_STR_FIELD(piano_case_color, gsim_piano, case_color)
GSIM_STR_FIELD(piano_case_finish, gsim_piano, case_finish)
GSIM_STR_FIELD(piano_use_type, gsim_piano, use_type)
GSIM_INT_FIELD(piano_year, gsim_piano, year)
GSIM_INT_FIELD(piano_interval, gsim_piano, service_interval_months)
GSIM_DAY_FIELD(piano_last_service, gsim_piano, last_service)
GSIM_DAY_FIELD(piano_next_service, gsim_piano, next_service)
GSIM_BOOL_FIELD(piano_has_ivory, gsim_piano, has_ivory)
GSIM_BOOL_FIELD(piano_rental, gsim_piano, rental)
GSIM_BOOL_FIELD(piano_player, gsim_piano, player_installed)
GSIM_BOOL_FIELD(piano_consignment, gsim_piano, consignment)
GSIM_BOOL_FIELD(piano_needs_repair, gsim_piano, needs_repair)
GSIM_BOOL_FIELD(piano_dampp_chaser, gsim_piano, dampp_chaser)
GSIM_TIME_FIELD(piano_created, gsim_piano, created_at)
GSIM_TIME_FIELD(piano_updated, gsim_piano, updated_at)

static void piano_tags(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)f;
    gsim_out_tags(ex->out, ((const gsim_piano *)s->row)->tags, gsim_piano_tags,
                  gsim_piano_tag_count);
}

GSIM_ID_FIELD(event_id, gsim_event, GSIM_EVENT)
GSIM_STR_FIELD(event_title, gsim_event, title)
GSIM_STR_FIELD(event_notes, gsim_event, notes)
GSIM_STR_FIELD(event_type, gsim_event, type)
GSIM_STR_FIELD(event_status, gsim_event, status)
GSIM_STR_FIELD(event_source, gsim_event, source)
GSIM_STR_FIELD(event_travel_mode, gsim_event, travel_mode)
GSIM_TIME_FIELD(event_start, gsim_event, start)
GSIM_BOOL_FIELD(event_all_day, gsim_event, is_all_day)
GSIM_BOOL_FIELD(event_confirmed, gsim_event, confirmed_by_client)
GSIM_REF_FIELD(event_client, gsim_event, GSIM_CLIENT, client)
GSIM_REF_FIELD(event_user, gsim_event, GSIM_USER, user)
GSIM_REF_FIELD(event_created_by, gsim_event, GSIM_USER, created_by)
GSIM_TIME_FIELD(event_created, gsim_event, created_at)
GSIM_TIME_FIELD(event_updated, gsim_event, updated_at)

static void event_duration(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)f;
    gsim_out_int(ex->out, ((const gsim_event *)s->row)->duration);
}

static void event_timezone(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)s;
    (void)f;
    gsim_out_str(ex->out, GSIM_TIMEZONE);
}

static void event_pianos(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    const gsim_event *e = s->row;
    gsim_render_connection(ex, f, GSIM_EVENT_PIANO, e - ex->ds->events.rows, 0);
}

/* An event piano's source is its event and the slot. */
static void event_piano_piano(gsim_exec *ex, const gsim_src *s,
                              const gql_field *f)
{
    const gsim_event *e = s->row;
    gsim_render_ref(ex, f, GSIM_PIANO, e->pianos[s->index]);
}

static void event_piano_tuning(gsim_exec *ex, const gsim_src *s,
                               const gql_field *f)
{
    const gsim_event *e = s->row;
    (void)f;
    gsim_out_bool(ex->out, e->is_tuning[s->index]);
}

static void event_piano_event(gsim_exec *ex, const gsim_src *s,
                              const gql_field *f)
{
    gsim_src event = {s->row, 0};
    gsim_render_child(ex, f, &event);
}

GSIM_ID_FIELD(timeline_id, gsim_timeline, GSIM_TIMELINE)
GSIM_TIME_FIELD(timeline_occurred, gsim_timeline, occurred_at)
GSIM_STR_FIELD(timeline_type, gsim_timeline, type)
GSIM_STR_FIELD(timeline_summary, gsim_timeline, summary)
GSIM_STR_FIELD(timeline_comment, gsim_timeline, comment)
GSIM_REF_FIELD(timeline_client, gsim_timeline, GSIM_CLIENT, client)
GSIM_REF_FIELD(timeline_piano, gsim_timeline, GSIM_PIANO, piano)
GSIM_REF_FIELD(timeline_user, gsim_timeline, GSIM_USER, user)
GSIM_REF_FIELD(timeline_appointment, gsim_timeline, GSIM_EVENT, appointment)

/* Invoices and estimates are not modelled beyond the id an entry names:
 * their source is that id number. */
static void timeline_invoice(gsim_exec *ex, const gsim_src *s,
                             const gql_field *f)
{
    const gsim_timeline *t = s->row;
    gsim_src id = {&t->invoice, 0};
    gsim_render_child(ex, f, t->invoice ? &id : NULL);
}

static void timeline_estimate(gsim_exec *ex, const gsim_src *s,
                              const gql_field *f)
{
    const gsim_timeline *t = s->row;
    gsim_src id = {&t->estimate, 0};
    gsim_render_child(ex, f, t->estimate ? &id : NULL);
}

static void invoice_id(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)f;
    gsim_out_id(ex->out, GSIM_INVOICE, *(const uint64_t *)s->row);
}

static void estimate_id(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)f;
    gsim_out_id(ex->out, GSIM_ESTIMATE, *(const uint64_t *)s->row);
}

static const gsim_field_resolver user[] = {
    {"id", user_id},
    {"firstName", user_first},
    {"lastName", user_last},
    {"fullName", user_full_name},
    {"email", user_email},
    {"status", user_status},
    {"accessLevel", user_access_level},
    {"isSchedulable", user_schedulable},
    {"timezone", user_timezone},
    {"region", user_region},
    {"color", user_color},
    {"createdAt", user_created},
    {"updatedAt", user_updated},
};
static const gsim_field_resolver piano[] = {
    {"id", piano_id},
    {"client", piano_client},
    {"make", piano_make},
    {"model", piano_model},
    {"serialNumber", piano_serial},
    {"type", piano_type},
    {"year", piano_year},
    {"location", piano_location},
    {"notes", piano_notes},
    {"status", piano_status},
    {"size", piano_size},
    {"tags", piano_tags},
    {"serviceIntervalMonths", piano_interval},
    {"calculatedLastService", piano_last_service},
    {"calculatedNextService", piano_next_service},
    {"caseColor", piano_case_color},
    {"caseFinish", piano_case_finish},
    {"useType", piano_use_type},
    {"hasIvory", piano_has_ivory},
    {"rental", piano_rental},
    {"playerInstalled", piano_player},
    {"consignment", piano_consignment},
    {"needsRepairOrRebuilding", piano_needs_repair},
    {"damppChaserInstalled", piano_dampp_chaser},
    {"createdAt", piano_created},
    {"updatedAt", piano_updated},
};
static const gsim_field_resolver event[] = {
    {"id", event_id},
    {"title", event_title},
    {"start", event_start},
    {"duration", event_duration},
    {"isAllDay", event_all_day},
    {"notes", event_notes},
    {"type", event_type},
    {"status", event_status},
    {"confirmedByClient", event_confirmed},
    {"source", event_source},
    {"travelMode", event_travel_mode},
    {"timezone", event_timezone},
    {"client", event_client},
    {"user", event_user},
    {"createdBy", event_created_by},
    {"createdAt", event_created},
    {"updatedAt", event_updated},
    {"allEventPianos", event_pianos},
};
static const gsim_field_resolver event_piano[] = {
    {"piano", event_piano_piano},
    {"isTuning", event_piano_tuning},
    {"event", event_piano_event},
};
static const gsim_field_resolver timeline[] = {
    {"id", timeline_id},
    {"occurredAt", timeline_occurred},
    {"type", timeline_type},
    {"summary", timeline_summary},
    {"comment", timeline_comment},
    {"client", timeline_client},
    {"piano", timeline_piano},
    {"user", timeline_user},
    {"appointment", timeline_appointment},
    {"invoice", timeline_invoice},
    {"estimate", timeline_estimate},
};
static const gsim_field_resolver invoice[] = {{"id", invoice_id}};
static const gsim_field_resolver estimate[] = {{"id", estimate_id}};

const gsim_type_resolvers gsim_row_resolvers[] = {
    GSIM_RESOLVERS("PrivateUser", user),
    GSIM_RESOLVERS("PrivatePiano", piano),
    GSIM_RESOLVERS("PrivateEvent", event),
    GSIM_RESOLVERS("PrivateEventPiano", event_piano),
    GSIM_RESOLVERS("PrivateTimelineEntry", timeline),
    GSIM_RESOLVERS("PrivateInvoice", invoice),
    GSIM_RESOLVERS("PrivateEstimate", estimate),
};
const size_t gsim_row_resolver_count =
    sizeof(gsim_row_resolvers) / sizeof(gsim_row_resolvers[0]);

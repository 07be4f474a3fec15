/* The old resolver's schema tables (validation is validate.c's, against
 * schema/gazelle.graphql). */
#include "schema.h"

#include <stdio.h>
#include <string.h>

static const char *const conn_args[] = {"first", "after", "sortBy", NULL};
static const char *const event_args[] = {"first", "after", "sortBy", "filters",
                                         NULL};
static const char *const timeline_args[] = {"first", "after", "occurredAtGet",
                                            "clientId", NULL};
static const char *const id_args[] = {"id", NULL};

#define S(n, f)                                                                \
    {                                                                          \
        n, f, T_SCALAR, NULL                                                   \
    }
#define O(n, f, t)                                                             \
    {                                                                          \
        n, f, t, NULL                                                          \
    }
#define TN                                                                     \
    {                                                                          \
        "__typename", F_TYPENAME, T_SCALAR, NULL                               \
    }

static const gsim_field_def query_fields[] = {
    TN,
    {"allUsers", F_ALL_USERS, T_USER_CONN, conn_args},
    {"allClients", F_ALL_CLIENTS, T_CLIENT_CONN, conn_args},
    {"allPianos", F_ALL_PIANOS, T_PIANO_CONN, conn_args},
    {"allEventsBatched", F_ALL_EVENTS, T_EVENT_CONN, event_args},
    {"allTimelineEntries", F_ALL_TIMELINE, T_TIMELINE_CONN, timeline_args},
    {"client", F_CLIENT_BY_ID, T_CLIENT, id_args},
    {"piano", F_PIANO_BY_ID, T_PIANO, id_args},
};

#define CONNECTION(name, edge, node)                                           \
    static const gsim_field_def name##_fields[] = {                            \
        TN, O("nodes", F_NODES, node), O("edges", F_EDGES, edge),              \
        O("pageInfo", F_PAGE_INFO, T_PAGE_INFO)};                              \
    static const gsim_field_def name##_edge_fields[] = {                       \
        TN, S("cursor", F_CURSOR), O("node", F_NODE, node)}

CONNECTION(user_conn, T_USER_EDGE, T_USER);
CONNECTION(client_conn, T_CLIENT_EDGE, T_CLIENT);
CONNECTION(piano_conn, T_PIANO_EDGE, T_PIANO);
CONNECTION(event_conn, T_EVENT_EDGE, T_EVENT);
CONNECTION(timeline_conn, T_TIMELINE_EDGE, T_TIMELINE);

static const gsim_field_def page_info_fields[] = {
    TN, S("hasNextPage", F_HAS_NEXT_PAGE), S("endCursor", F_END_CURSOR),
    S("hasPreviousPage", F_HAS_PREVIOUS_PAGE),
    S("startCursor", F_START_CURSOR)};

static const gsim_field_def user_fields[] = {TN,
                                             S("id", F_ID),
                                             S("firstName", F_FIRST_NAME),
                                             S("lastName", F_LAST_NAME),
                                             S("email", F_EMAIL),
                                             S("phone", F_PHONE),
                                             S("role", F_ROLE),
                                             S("createdAt", F_CREATED_AT),
                                             S("updatedAt", F_UPDATED_AT)};

static const gsim_field_def client_fields[] = {
    TN,
    S("id", F_ID),
    S("companyName", F_COMPANY_NAME),
    S("status", F_STATUS),
    S("tags", F_TAGS),
    S("clientType", F_CLIENT_TYPE),
    S("personalNotes", F_PERSONAL_NOTES),
    S("preferenceNotes", F_PREFERENCE_NOTES),
    S("preferredTechnicianId", F_PREFERRED_TECHNICIAN_ID),
    S("lifecycleState", F_LIFECYCLE_STATE),
    S("referredBy", F_REFERRED_BY),
    S("noContactUntil", F_NO_CONTACT_UNTIL),
    S("noContactReason", F_NO_CONTACT_REASON),
    O("defaultClientLocalization", F_DEFAULT_LOCALIZATION, T_LOCALIZATION),
    S("createdAt", F_CREATED_AT),
    S("updatedAt", F_UPDATED_AT),
    O("defaultContact", F_DEFAULT_CONTACT, T_CONTACT)};

static const gsim_field_def contact_fields[] = {
    TN,
    S("id", F_ID),
    S("firstName", F_FIRST_NAME),
    S("lastName", F_LAST_NAME),
    S("title", F_TITLE),
    O("defaultEmail", F_DEFAULT_EMAIL, T_EMAIL),
    O("defaultPhone", F_DEFAULT_PHONE, T_PHONE),
    O("defaultLocation", F_DEFAULT_LOCATION, T_LOCATION)};

static const gsim_field_def email_fields[] = {TN, S("email", F_EMAIL)};
static const gsim_field_def phone_fields[] = {TN,
                                              S("phoneNumber", F_PHONE_NUMBER)};
static const gsim_field_def location_fields[] = {
    TN,
    S("street1", F_STREET1),
    S("street2", F_STREET2),
    S("municipality", F_MUNICIPALITY),
    S("postalCode", F_POSTAL_CODE),
    S("region", F_REGION)};
static const gsim_field_def localization_fields[] = {TN, S("locale", F_LOCALE)};

static const gsim_field_def piano_fields[] = {
    TN,
    S("id", F_ID),
    O("client", F_CLIENT, T_CLIENT),
    S("make", F_MAKE),
    S("model", F_MODEL),
    S("serialNumber", F_SERIAL_NUMBER),
    S("type", F_TYPE),
    S("year", F_YEAR),
    S("location", F_LOCATION),
    S("notes", F_NOTES),
    S("status", F_STATUS),
    S("size", F_SIZE),
    S("tags", F_TAGS),
    S("serviceIntervalMonths", F_SERVICE_INTERVAL_MONTHS),
    S("calculatedLastService", F_CALCULATED_LAST_SERVICE),
    S("calculatedNextService", F_CALCULATED_NEXT_SERVICE),
    S("createdAt", F_CREATED_AT),
    S("updatedAt", F_UPDATED_AT)};

static const gsim_field_def event_fields[] = {
    TN,
    S("id", F_ID),
    S("title", F_TITLE),
    S("start", F_START),
    S("duration", F_DURATION),
    S("isAllDay", F_IS_ALL_DAY),
    S("notes", F_NOTES),
    S("type", F_TYPE),
    S("status", F_STATUS),
    S("confirmedByClient", F_CONFIRMED_BY_CLIENT),
    S("source", F_SOURCE),
    S("travelMode", F_TRAVEL_MODE),
    O("client", F_CLIENT, T_CLIENT),
    O("user", F_USER, T_USER),
    S("createdAt", F_CREATED_AT),
    S("updatedAt", F_UPDATED_AT),
    O("allEventPianos", F_ALL_EVENT_PIANOS, T_EVENT_PIANO_CONN)};

static const gsim_field_def event_piano_conn_fields[] = {
    TN, O("nodes", F_NODES, T_EVENT_PIANO)};
static const gsim_field_def event_piano_fields[] = {
    TN, O("piano", F_PIANO, T_PIANO)};

static const gsim_field_def timeline_fields[] = {
    TN,
    S("id", F_ID),
    S("occurredAt", F_OCCURRED_AT),
    S("type", F_TYPE),
    S("summary", F_SUMMARY),
    S("comment", F_COMMENT),
    O("client", F_CLIENT, T_CLIENT),
    O("piano", F_PIANO, T_PIANO),
    O("invoice", F_INVOICE, T_INVOICE),
    O("estimate", F_ESTIMATE, T_ESTIMATE),
    O("user", F_USER, T_USER),
    S("createdAt", F_CREATED_AT),
    S("updatedAt", F_UPDATED_AT)};

static const gsim_field_def invoice_fields[] = {TN, S("id", F_ID)};

#define T(name, arr)                                                           \
    {                                                                          \
        name, arr, sizeof(arr) / sizeof(arr[0])                                \
    }

const gsim_type_def gsim_types[T_COUNT] = {
    [T_SCALAR] = {"Scalar", NULL, 0},
    [T_QUERY] = T("Query", query_fields),
    [T_USER_CONN] = T("PrivateUserConnection", user_conn_fields),
    [T_USER_EDGE] = T("PrivateUserEdge", user_conn_edge_fields),
    [T_USER] = T("PrivateUser", user_fields),
    [T_CLIENT_CONN] = T("PrivateClientConnection", client_conn_fields),
    [T_CLIENT_EDGE] = T("PrivateClientEdge", client_conn_edge_fields),
    [T_CLIENT] = T("PrivateClient", client_fields),
    [T_CONTACT] = T("PrivateContact", contact_fields),
    [T_EMAIL] = T("PrivateContactEmail", email_fields),
    [T_PHONE] = T("PrivateContactPhone", phone_fields),
    [T_LOCATION] = T("PrivateContactLocation", location_fields),
    [T_LOCALIZATION] = T("PrivateClientLocalization", localization_fields),
    [T_PIANO_CONN] = T("PrivatePianoConnection", piano_conn_fields),
    [T_PIANO_EDGE] = T("PrivatePianoEdge", piano_conn_edge_fields),
    [T_PIANO] = T("PrivatePiano", piano_fields),
    [T_EVENT_CONN] = T("PrivateEventConnection", event_conn_fields),
    [T_EVENT_EDGE] = T("PrivateEventEdge", event_conn_edge_fields),
    [T_EVENT] = T("PrivateEvent", event_fields),
    [T_EVENT_PIANO_CONN] =
        T("PrivateEventPianoConnection", event_piano_conn_fields),
    [T_EVENT_PIANO] = T("PrivateEventPiano", event_piano_fields),
    [T_TIMELINE_CONN] =
        T("PrivateTimelineEntryConnection", timeline_conn_fields),
    [T_TIMELINE_EDGE] =
        T("PrivateTimelineEntryEdge", timeline_conn_edge_fields),
    [T_TIMELINE] = T("PrivateTimelineEntry", timeline_fields),
    [T_INVOICE] = T("PrivateInvoice", invoice_fields),
    [T_ESTIMATE] = T("PrivateEstimate", invoice_fields),
    [T_PAGE_INFO] = T("PageInfo", page_info_fields),
};

static const gsim_field_def *find_field(gsim_type type, const char *name)
{
    const gsim_type_def *t = &gsim_types[type];
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}

/* Transitional: the old resolver (resolve.c) dispatches on these tables,
 * so a document validate.c accepted is bound to them here; what the old
 * resolver cannot serve is said so. This goes with the old resolver. */
static void bind_set(gql_field *set, gsim_type type, json_t *errors,
                     size_t *count)
{
    char msg[256];
    for (gql_field *f = set; f; f = f->next) {
        const gsim_field_def *def = find_field(type, f->name);
        if (!def) {
            snprintf(msg, sizeof(msg),
                     "gazelle-sim does not serve field '%s' on type '%s' "
                     "yet (old resolver)",
                     f->name, gsim_types[type].name);
            gsim_error_add(errors, msg, f->line, f->col);
            (*count)++;
            continue;
        }
        f->def = def;
        if (def->type != T_SCALAR)
            bind_set(f->selections, def->type, errors, count);
    }
}

size_t gsim_validate(gql_operation *op, json_t *errors)
{
    size_t count = 0;
    bind_set(op->selections, T_QUERY, errors, &count);
    return count;
}

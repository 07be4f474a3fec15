/* The column mapping of every entity. Adding a column here means adding it to
 * schema/cache.sql (with a migration) and schema/supabase.sql. */
#include "gazsync/entity.h"

#include <string.h>

#define COLS(a) a, sizeof(a) / sizeof((a)[0])

static const gs_column user_columns[] = {
    {"id", GS_COL_TEXT, "id"},
    {"first_name", GS_COL_TEXT, "firstName"},
    {"last_name", GS_COL_TEXT, "lastName"},
    {"email", GS_COL_TEXT, "email"},
    {"created_at", GS_COL_TIMESTAMP, "createdAt"},
    {"updated_at", GS_COL_TIMESTAMP, "updatedAt"},
    /* schema 2: the real PrivateUser (it has no phone and no role) */
    {"full_name", GS_COL_TEXT, "fullName"},
    {"status", GS_COL_TEXT, "status"},
    {"access_level", GS_COL_TEXT, "accessLevel"},
    {"is_schedulable", GS_COL_BOOL, "isSchedulable"},
    {"timezone", GS_COL_TEXT, "timezone"},
    {"color", GS_COL_TEXT, "color"},
    {"region", GS_COL_TEXT, "region"},
};

static const gs_column client_columns[] = {
    {"id", GS_COL_TEXT, "id"},
    {"company_name", GS_COL_TEXT, "companyName"},
    {"status", GS_COL_TEXT, "status"},
    {"client_type", GS_COL_TEXT, "clientType"},
    {"tags", GS_COL_JSON, "tags"},
    {"personal_notes", GS_COL_TEXT, "personalNotes"},
    {"preference_notes", GS_COL_TEXT, "preferenceNotes"},
    {"preferred_technician_id", GS_COL_TEXT, "preferredTechnicianId"},
    {"lifecycle_state", GS_COL_TEXT, "lifecycleState"},
    {"referred_by", GS_COL_TEXT, "referredBy"},
    {"no_contact_until", GS_COL_DATE, "noContactUntil"},
    {"no_contact_reason", GS_COL_TEXT, "noContactReason"},
    {"locale", GS_COL_TEXT, "defaultClientLocalization.locale"},
    {"default_contact_id", GS_COL_TEXT, "defaultContact.id"},
    {"created_at", GS_COL_TIMESTAMP, "createdAt"},
    {"updated_at", GS_COL_TIMESTAMP, "updatedAt"},
};

/* A contact is a node of its client's allContacts (archived ones too);
 * client_id is taken from the client by the pull (see pull_ingest.c). */
static const gs_column contact_columns[] = {
    {"id", GS_COL_TEXT, "id"},
    {"client_id", GS_COL_TEXT, "clientId"},
    {"first_name", GS_COL_TEXT, "firstName"},
    {"last_name", GS_COL_TEXT, "lastName"},
    {"title", GS_COL_TEXT, "title"},
    {"email", GS_COL_TEXT, "defaultEmail.email"},
    {"phone", GS_COL_TEXT, "defaultPhone.phoneNumber"},
    {"street1", GS_COL_TEXT, "defaultLocation.street1"},
    {"street2", GS_COL_TEXT, "defaultLocation.street2"},
    {"municipality", GS_COL_TEXT, "defaultLocation.municipality"},
    {"postal_code", GS_COL_TEXT, "defaultLocation.postalCode"},
    {"region", GS_COL_TEXT, "defaultLocation.region"},
    {"updated_at", GS_COL_TIMESTAMP, "updatedAt"},
    /* schema 2: every contact of the client, not only its default one */
    {"is_default", GS_COL_BOOL, "isDefault"},
    {"archived", GS_COL_BOOL, "archived"},
};

static const gs_column piano_columns[] = {
    {"id", GS_COL_TEXT, "id"},
    {"client_id", GS_COL_TEXT, "client.id"},
    {"make", GS_COL_TEXT, "make"},
    {"model", GS_COL_TEXT, "model"},
    {"serial_number", GS_COL_TEXT, "serialNumber"},
    {"type", GS_COL_TEXT, "type"},
    {"year", GS_COL_INT, "year"},
    {"location", GS_COL_TEXT, "location"},
    {"notes", GS_COL_TEXT, "notes"},
    {"status", GS_COL_TEXT, "status"},
    {"size", GS_COL_TEXT, "size"},
    {"tags", GS_COL_JSON, "tags"},
    {"service_interval_months", GS_COL_INT, "serviceIntervalMonths"},
    {"calculated_last_service", GS_COL_DATE, "calculatedLastService"},
    {"calculated_next_service", GS_COL_DATE, "calculatedNextService"},
    {"created_at", GS_COL_TIMESTAMP, "createdAt"},
    {"updated_at", GS_COL_TIMESTAMP, "updatedAt"},
};

static const gs_column appointment_columns[] = {
    {"id", GS_COL_TEXT, "id"},
    {"title", GS_COL_TEXT, "title"},
    {"start", GS_COL_TIMESTAMP, "start"},
    {"duration", GS_COL_INT, "duration"},
    {"is_all_day", GS_COL_BOOL, "isAllDay"},
    {"notes", GS_COL_TEXT, "notes"},
    {"type", GS_COL_TEXT, "type"},
    {"status", GS_COL_TEXT, "status"},
    {"confirmed_by_client", GS_COL_BOOL, "confirmedByClient"},
    {"source", GS_COL_TEXT, "source"},
    {"travel_mode", GS_COL_TEXT, "travelMode"},
    {"client_id", GS_COL_TEXT, "client.id"},
    {"user_id", GS_COL_TEXT, "user.id"},
    {"piano_ids", GS_COL_JSON, "allEventPianos.nodes[].piano.id"},
    {"created_at", GS_COL_TIMESTAMP, "createdAt"},
    {"updated_at", GS_COL_TIMESTAMP, "updatedAt"},
    /* schema 2: who booked it, and which pianos are tuned */
    {"created_by_id", GS_COL_TEXT, "createdBy.id"},
    {"event_pianos", GS_COL_JSON, "allEventPianos.nodes"},
};

static const gs_column timeline_columns[] = {
    {"id", GS_COL_TEXT, "id"},
    {"occurred_at", GS_COL_TIMESTAMP, "occurredAt"},
    {"type", GS_COL_TEXT, "type"},
    {"summary", GS_COL_TEXT, "summary"},
    {"comment", GS_COL_TEXT, "comment"},
    {"client_id", GS_COL_TEXT, "client.id"},
    {"piano_id", GS_COL_TEXT, "piano.id"},
    {"invoice_id", GS_COL_TEXT, "invoice.id"},
    {"estimate_id", GS_COL_TEXT, "estimate.id"},
    {"user_id", GS_COL_TEXT, "user.id"},
    /* A timeline entry has no createdAt or updatedAt (schema 2 drops the
     * columns): occurredAt is its only stamp. */
};

static const gs_entity entities[GS_ENTITY_COUNT] = {
    {GS_ENTITY_USERS, "users", "users", "gazelle_users", "allUsers",
     "updatedAt", COLS(user_columns)},
    {GS_ENTITY_CLIENTS, "clients", "clients", "gazelle_clients", "allClients",
     "updatedAt", COLS(client_columns)},
    {GS_ENTITY_CONTACTS, "contacts", "contacts", "gazelle_contacts", NULL,
     "updatedAt", COLS(contact_columns)},
    {GS_ENTITY_PIANOS, "pianos", "pianos", "gazelle_pianos", "allPianos",
     "updatedAt", COLS(piano_columns)},
    {GS_ENTITY_APPOINTMENTS, "appointments", "appointments",
     "gazelle_appointments", "allEventsBatched", "updatedAt",
     COLS(appointment_columns)},
    {GS_ENTITY_TIMELINE, "timeline_entries", "timeline_entries",
     "gazelle_timeline_entries", "allTimelineEntries", "occurredAt",
     COLS(timeline_columns)},
};

const gs_entity *gs_entity_get(gs_entity_id id)
{
    if ((int)id < 0 || id >= GS_ENTITY_COUNT)
        return NULL;
    return &entities[id];
}

const gs_entity *gs_entity_find(const char *name)
{
    for (int i = 0; i < GS_ENTITY_COUNT; i++)
        if (name && strcmp(entities[i].name, name) == 0)
            return &entities[i];
    return NULL;
}

/* The descriptor of every entity: what gazsync reads from Gazelle, how it
 * maps a node onto columns, and how it reads it by default. Adding an entity
 * or a column: engine/entity/README.md (the SQL files are written by hand and
 * checked against this table by tests/unit/engine/test_entity_schema.c). */
#include "gazsync/entity.h"

#include <string.h>

#define COLS(a) a, sizeof(a) / sizeof((a)[0])

/* A column row is {name, type, path} or {name, type, path, refers}: most
 * columns name no entity, and a NULL written 70 times would hide the few
 * that do. The table is read by tests/integration/compare_cache.py too. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

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
    {"preferred_technician_id", GS_COL_TEXT, "preferredTechnicianId", "users"},
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
 * client_id is taken from the client by the pull (parent_key below). */
static const gs_column contact_columns[] = {
    {"id", GS_COL_TEXT, "id"},
    {"client_id", GS_COL_TEXT, "clientId", "clients"},
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
    {"client_id", GS_COL_TEXT, "client.id", "clients"},
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
    {"client_id", GS_COL_TEXT, "client.id", "clients"},
    {"user_id", GS_COL_TEXT, "user.id", "users"},
    {"piano_ids", GS_COL_JSON, "allEventPianos.nodes[].piano.id", "pianos"},
    {"created_at", GS_COL_TIMESTAMP, "createdAt"},
    {"updated_at", GS_COL_TIMESTAMP, "updatedAt"},
    /* schema 2: who booked it, and which pianos are tuned */
    {"created_by_id", GS_COL_TEXT, "createdBy.id", "users"},
    {"event_pianos", GS_COL_JSON, "allEventPianos.nodes"},
};

static const gs_column timeline_columns[] = {
    {"id", GS_COL_TEXT, "id"},
    {"occurred_at", GS_COL_TIMESTAMP, "occurredAt"},
    {"type", GS_COL_TEXT, "type"},
    {"summary", GS_COL_TEXT, "summary"},
    {"comment", GS_COL_TEXT, "comment"},
    {"client_id", GS_COL_TEXT, "client.id", "clients"},
    {"piano_id", GS_COL_TEXT, "piano.id", "pianos"},
    {"invoice_id", GS_COL_TEXT, "invoice.id"},
    {"estimate_id", GS_COL_TEXT, "estimate.id"},
    {"user_id", GS_COL_TEXT, "user.id", "users"},
    /* A timeline entry has no createdAt or updatedAt (schema 2 drops the
     * columns): occurredAt is its only stamp. */
};

/* Every value of the enums whose filters could hide rows when left out.
 * Which statuses (and types) an unfiltered list returns is not documented,
 * so every read names all of them: a row missing from such a read is gone
 * (docs/design.md, "Why a sweep is safe"). The conformance test checks
 * each list against the enum of schema/gazelle.graphql. */
static const char *const client_statuses[] = {"ACTIVE", "INACTIVE", "PROSPECT",
                                              "NEW", NULL};
static const char *const piano_statuses[] = {
    "ACTIVE", "INACTIVE", "TEMPORARY_STORAGE", "UNDER_RESTORATION", NULL};
static const char *const event_statuses[] = {"ACTIVE", "CANCELED", "NO_SHOW",
                                             "COMPLETE", NULL};
static const char *const event_types[] = {"APPOINTMENT", "PERSONAL", "MEMO",
                                          "SYNCED", NULL};
static const char *const timeline_types[] = {"CONTACT_EMAIL_AUTOMATED",
                                             "CONTACT_EMAIL_MANUAL",
                                             "CONTACT_SMS_AUTOMATED",
                                             "CONTACT_SMS_MANUAL",
                                             "CONTACT_PHONE_AUTOMATED",
                                             "CONTACT_PHONE_MANUAL_TALKED",
                                             "CONTACT_PHONE_MANUAL_MESSAGE",
                                             "CONTACT_POST_AUTOMATED",
                                             "CONTACT_POST_MANUAL",
                                             "CONTACT_OTHER_MANUAL",
                                             "ERROR_MESSAGE",
                                             "SYSTEM_MESSAGE",
                                             "USER_COMMENT",
                                             "SERVICE_ENTRY_AUTOMATED",
                                             "SERVICE_ENTRY_MANUAL",
                                             "APPOINTMENT",
                                             "APPOINTMENT_LOG",
                                             "INVOICE",
                                             "INVOICE_LOG",
                                             "INVOICE_PAYMENT",
                                             "INVOICE_SYNC",
                                             "PIANO_MEASUREMENT",
                                             "SCHEDULED_MESSAGE_EMAIL",
                                             "SCHEDULED_MESSAGE_SMS",
                                             "SCHEDULED_MESSAGE_PHONE",
                                             "ESTIMATE",
                                             "ESTIMATE_LOG",
                                             "SYSTEM_NOTIFICATION",
                                             NULL};

/* The people-owned example column (schema/supabase.sql says why). */
static const char *const client_target_extra[] = {"staff_notes", NULL};

#define PAGING "$first: Int, $after: String"
#define PAGED "first: $first, after: $after"

static const gs_entity entities[GS_ENTITY_COUNT] = {
    {
        .id = GS_ENTITY_USERS,
        .name = "users",
        .cache_table = "users",
        .target_table = "gazelle_users",
        .root_field = "allUsers",
        .updated_path = "updatedAt",
        .columns = COLS(user_columns),
        .node_type = "PrivateUser",
        /* allUsers is a plain list: the whole team in one request */
        .shape = GS_READ_LIST,
        .document = {.operation = "GazsyncUsers",
                     .selection = "id firstName lastName fullName email "
                                  "status accessLevel\n"
                                  "isSchedulable timezone color region "
                                  "createdAt updatedAt\n"},
        /* The team changes rarely, and an unknown technician named by the
         * data triggers a pull anyway (pull.c). */
        .default_policy = "if-empty",
    },
    {
        .id = GS_ENTITY_CLIENTS,
        .name = "clients",
        .cache_table = "clients",
        .target_table = "gazelle_clients",
        .root_field = "allClients",
        .updated_path = "updatedAt",
        .columns = COLS(client_columns),
        .node_type = "PrivateClient",
        .document = {.operation = "GazsyncClients",
                     /* + the child's $contactsFirst (the builder) */
                     .variables = PAGING ", $sortBy: [ClientSort!], $filters: "
                                         "PrivateAllClientsFilter",
                     .arguments = PAGED ", sortBy: $sortBy, filters: $filters",
                     .selection =
                         "id companyName status clientType tags personalNotes\n"
                         "preferenceNotes preferredTechnicianId "
                         "lifecycleState referredBy\n"
                         "noContactUntil noContactReason createdAt "
                         "updatedAt\n"
                         "defaultClientLocalization { locale }\n"
                         "defaultContact { id }\n"},
        /* No update-time order or filter exists for clients: a read pages
         * in creation order, a key that never changes (a resumed read can
         * neither skip nor repeat a row), and the new-rows probe asks
         * CREATED_AT_DESC with filters.createdGet. */
        .reads = {.sort_whole = "CREATED_AT_ASC",
                  .sort_new_rows = "CREATED_AT_DESC",
                  .created_filter = "createdGet"},
        .all_values = {{"status", 1, client_statuses}},
        /* No list can be asked by update time, so the night that must see
         * every edit reads the table whole, and the row hashes keep
         * unchanged rows from costing anything downstream (docs/design.md,
         * "Pull policies"). */
        .default_policy = "always",
        .target_extra = client_target_extra,
    },
    {
        .id = GS_ENTITY_CONTACTS,
        .name = "contacts",
        .cache_table = "contacts",
        .target_table = "gazelle_contacts",
        .updated_path = "updatedAt",
        .columns = COLS(contact_columns),
        .node_type = "PrivateContact",
        .shape = GS_READ_NESTED,
        /* The rest of one client's contacts, when they did not fit the
         * nested page: the root field client(id) has the same connection. */
        .document = {.operation = "GazsyncClientContacts",
                     .variables = "$id: String, " PAGING,
                     .root = "client(id: $id)",
                     .arguments = PAGED ", includeArchived: true",
                     .selection = "id firstName lastName title isDefault "
                                  "archived updatedAt\n"
                                  "defaultEmail { email }\n"
                                  "defaultPhone { phoneNumber }\n"
                                  "defaultLocation {\n"
                                  "  street1 street2 municipality postalCode "
                                  "region\n"
                                  "}\n"},
        .parent = GS_ENTITY_CLIENTS,
        .nested_field = "allContacts",
        .nested_arguments = "first: $contactsFirst, includeArchived: true",
        .nested_first_variable = "contactsFirst",
        .parent_key = "clientId",
        .default_policy = "always",
    },
    {
        .id = GS_ENTITY_PIANOS,
        .name = "pianos",
        .cache_table = "pianos",
        .target_table = "gazelle_pianos",
        .root_field = "allPianos",
        .updated_path = "updatedAt",
        .columns = COLS(piano_columns),
        .node_type = "PrivatePiano",
        .document = {.operation = "GazsyncPianos",
                     .variables = PAGING ", $sortBy: [PianoSort!], $filters: "
                                         "PrivateAllPianosFilter",
                     .arguments = PAGED ", sortBy: $sortBy, filters: $filters",
                     .selection = "id make model serialNumber type year "
                                  "location notes status size\n"
                                  "tags serviceIntervalMonths "
                                  "calculatedLastService\n"
                                  "calculatedNextService createdAt "
                                  "updatedAt\n"
                                  "client { id }\n"},
        /* the same orders and probe as clients */
        .reads = {.sort_whole = "CREATED_AT_ASC",
                  .sort_new_rows = "CREATED_AT_DESC",
                  .created_filter = "createdGet"},
        .all_values = {{"status", 1, piano_statuses}},
        .default_policy = "always",
    },
    {
        .id = GS_ENTITY_APPOINTMENTS,
        .name = "appointments",
        .cache_table = "appointments",
        .target_table = "gazelle_appointments",
        .root_field = "allEventsBatched",
        .updated_path = "updatedAt",
        .columns = COLS(appointment_columns),
        .node_type = "PrivateEvent",
        .document = {.operation = "GazsyncEvents",
                     .variables = PAGING ", $filters: PrivateAllEventsFilter, "
                                         "$sortBy: [EventSort!], "
                                         "$pianosFirst: Int",
                     .arguments = PAGED ", filters: $filters, sortBy: $sortBy",
                     .selection = "id title start duration isAllDay notes "
                                  "type status\n"
                                  "confirmedByClient source travelMode "
                                  "createdAt updatedAt\n"
                                  "client { id }\n"
                                  "user { id }\n"
                                  "createdBy { id }\n"
                                  "allEventPianos(first: $pianosFirst) {\n"
                                  "  nodes { isTuning piano { id } }\n"
                                  "  pageInfo { hasNextPage }\n"
                                  "}\n"},
        /* An event's pianos come in one nested page; more than it holds
         * would be cut silently, so the pull refuses it (50 is far above
         * any real visit). */
        .reads = {.sort_whole = "START_ASC",
                  .window_from = "startOn",
                  .window_to = "endOn",
                  .window_column = "start",
                  .inner_list = "allEventPianos",
                  .inner_first_variable = "pianosFirst",
                  .inner_page = 50},
        .all_values = {{"status", 1, event_statuses}, {"type", 1, event_types}},
        /* Bookings are made up to six months ahead and must be seen the
         * night they are made (a +90d edge missed them for months); past
         * events stop changing once closed, a week after covers late
         * write-ups. Chosen on the measured frontier (docs/benchmarks.md
         * section 6). The window is re-read every night: pages of 200,
         * the largest seen in use, halve the nightly cost. */
        .default_policy = "window=-7d..+190d",
        .default_page_size = 200,
    },
    {
        .id = GS_ENTITY_TIMELINE,
        .name = "timeline_entries",
        .cache_table = "timeline_entries",
        .target_table = "gazelle_timeline_entries",
        .root_field = "allTimelineEntries",
        .updated_path = "occurredAt",
        .columns = COLS(timeline_columns),
        .node_type = "PrivateTimelineEntry",
        /* Timeline entries have no createdAt/updatedAt and no sort
         * argument: the only bound is occurredAtGet. */
        .document = {.operation = "GazsyncTimeline",
                     .variables = PAGING ", $occurredAtGet: CoreDateTime, "
                                         "$types: [TimelineEntryType!]",
                     .arguments = PAGED ", occurredAtGet: $occurredAtGet, "
                                        "types: $types",
                     .selection = "id occurredAt type summary comment\n"
                                  "client { id }\n"
                                  "piano { id }\n"
                                  "invoice { id }\n"
                                  "estimate { id }\n"
                                  "user { id }\n"},
        .reads = {.since_variable = "occurredAtGet"},
        .all_values = {{"types", 0, timeline_types}},
        /* Entries are back-dated when a visit is written up days later
         * (occurredAt lags createdAt), and old entries are sometimes
         * edited, which no filter can see: a week of overlap, and a full
         * read every quarter. A week of overlap is ~110 entries for the
         * seed's business: pages of 200 (the largest seen in use) keep a
         * quiet night at one request. */
        .default_policy = "since,lookback=7d,full-every=90d",
        .default_page_size = 200,
    },
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

const gs_entity *gs_entity_child(const gs_entity *entity)
{
    for (int i = 0; entity && i < GS_ENTITY_COUNT; i++)
        if (entities[i].shape == GS_READ_NESTED &&
            entities[i].parent == entity->id)
            return &entities[i];
    return NULL;
}

const gs_entity *gs_entity_by_root(const char *root_field)
{
    for (int i = 0; root_field && i < GS_ENTITY_COUNT; i++)
        if (entities[i].root_field &&
            strcmp(entities[i].root_field, root_field) == 0)
            return &entities[i];
    return NULL;
}

/* The fixed GraphQL documents gazsync sends, written against Gazelle's own
 * schema (schema/gazelle.graphql; tests/conformance/test_gazsync_documents
 * validates every document gazsync sends, with its variables, against it).
 * Every value travels in `variables`; nothing from data or configuration is
 * spliced into these texts. Each document selects exactly the paths of its
 * entity's columns (engine/entity/entity_map.c; test_gazelle_client.c checks
 * every path is here), plus what the pull itself needs: totalCount (to check
 * that a read is complete), defaultContact and allContacts of clients. */
#include "gazsync/gazelle.h"

#include <stddef.h>
#include <string.h>

#define PAGE_INFO "pageInfo { hasNextPage endCursor }"

/* allUsers is a plain list: the whole team in one request, no paging. */
static const char users_document[] =
    "query GazsyncUsers {\n"
    "  allUsers {\n"
    "    id firstName lastName fullName email status accessLevel\n"
    "    isSchedulable timezone color region createdAt updatedAt\n"
    "  }\n"
    "}\n";

#define CONTACT_FIELDS                                                         \
    "id firstName lastName title isDefault archived updatedAt\n"               \
    "          defaultEmail { email }\n"                                       \
    "          defaultPhone { phoneNumber }\n"                                 \
    "          defaultLocation {\n"                                            \
    "            street1 street2 municipality postalCode region\n"             \
    "          }\n"

/* No update-time order or filter exists for clients: a read pages in
 * creation order, a key that never changes, and the new-rows probe asks
 * CREATED_AT_DESC with filters.createdGet. */
static const char clients_document[] =
    "query GazsyncClients($first: Int, $after: String,"
    " $sortBy: [ClientSort!], $filters: PrivateAllClientsFilter,"
    " $contactsFirst: Int) {\n"
    "  allClients(first: $first, after: $after, sortBy: $sortBy,"
    " filters: $filters) {\n"
    "    totalCount\n"
    "    nodes {\n"
    "      id companyName status clientType tags personalNotes\n"
    "      preferenceNotes preferredTechnicianId lifecycleState referredBy\n"
    "      noContactUntil noContactReason createdAt updatedAt\n"
    "      defaultClientLocalization { locale }\n"
    "      defaultContact { id }\n"
    "      allContacts(first: $contactsFirst, includeArchived: true) {\n"
    "        totalCount\n"
    "        nodes {\n"
    "          " CONTACT_FIELDS "        }\n"
    "        " PAGE_INFO "\n"
    "      }\n"
    "    }\n"
    "    " PAGE_INFO "\n"
    "  }\n"
    "}\n";

/* The rest of one client's contacts, when they did not fit the nested
 * page: the root field client(id) has the same allContacts connection. */
static const char client_contacts_document[] =
    "query GazsyncClientContacts($id: String, $first: Int,"
    " $after: String) {\n"
    "  client(id: $id) {\n"
    "    id\n"
    "    allContacts(first: $first, after: $after, includeArchived: true) {\n"
    "      totalCount\n"
    "      nodes {\n"
    "        " CONTACT_FIELDS "      }\n"
    "      " PAGE_INFO "\n"
    "    }\n"
    "  }\n"
    "}\n";

static const char pianos_document[] =
    "query GazsyncPianos($first: Int, $after: String,"
    " $sortBy: [PianoSort!], $filters: PrivateAllPianosFilter) {\n"
    "  allPianos(first: $first, after: $after, sortBy: $sortBy,"
    " filters: $filters) {\n"
    "    totalCount\n"
    "    nodes {\n"
    "      id make model serialNumber type year location notes status size\n"
    "      tags serviceIntervalMonths calculatedLastService\n"
    "      calculatedNextService createdAt updatedAt\n"
    "      client { id }\n"
    "    }\n"
    "    " PAGE_INFO "\n"
    "  }\n"
    "}\n";

static const char appointments_document[] =
    "query GazsyncEvents($first: Int, $after: String,"
    " $filters: PrivateAllEventsFilter, $sortBy: [EventSort!],"
    " $pianosFirst: Int) {\n"
    "  allEventsBatched(first: $first, after: $after, filters: $filters,"
    " sortBy: $sortBy) {\n"
    "    totalCount\n"
    "    nodes {\n"
    "      id title start duration isAllDay notes type status\n"
    "      confirmedByClient source travelMode createdAt updatedAt\n"
    "      client { id }\n"
    "      user { id }\n"
    "      createdBy { id }\n"
    "      allEventPianos(first: $pianosFirst) {\n"
    "        nodes { isTuning piano { id } }\n"
    "        pageInfo { hasNextPage }\n"
    "      }\n"
    "    }\n"
    "    " PAGE_INFO "\n"
    "  }\n"
    "}\n";

/* Timeline entries have no createdAt/updatedAt and no sort argument: the
 * only bound is occurredAtGet. */
static const char timeline_document[] =
    "query GazsyncTimeline($first: Int, $after: String,"
    " $occurredAtGet: CoreDateTime, $types: [TimelineEntryType!]) {\n"
    "  allTimelineEntries(first: $first, after: $after,"
    " occurredAtGet: $occurredAtGet, types: $types) {\n"
    "    totalCount\n"
    "    nodes {\n"
    "      id occurredAt type summary comment\n"
    "      client { id }\n"
    "      piano { id }\n"
    "      invoice { id }\n"
    "      estimate { id }\n"
    "      user { id }\n"
    "    }\n"
    "    " PAGE_INFO "\n"
    "  }\n"
    "}\n";

const char *gs_gazelle_document(const gs_entity *entity)
{
    if (!entity)
        return NULL;
    switch (entity->id) {
    case GS_ENTITY_USERS:
        return users_document;
    case GS_ENTITY_CLIENTS:
        return clients_document;
    case GS_ENTITY_PIANOS:
        return pianos_document;
    case GS_ENTITY_APPOINTMENTS:
        return appointments_document;
    case GS_ENTITY_TIMELINE:
        return timeline_document;
    case GS_ENTITY_CONTACTS: /* no connection: they come with clients */
    default:
        return NULL;
    }
}

const char *gs_gazelle_contacts_document(void)
{
    return client_contacts_document;
}

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

static json_t *string_list(const char *const *values)
{
    json_t *list = json_array();

    for (; list && *values; values++)
        if (json_array_append_new(list, json_string(*values)) != 0) {
            json_decref(list);
            return NULL;
        }
    return list;
}

int gs_gazelle_add_all_values(json_t *object, const gs_entity *entity)
{
    const char *const *first = NULL, *const *second = NULL;
    const char *first_key = "status", *second_key = NULL;

    switch (entity->id) {
    case GS_ENTITY_CLIENTS:
        first = client_statuses;
        break;
    case GS_ENTITY_PIANOS:
        first = piano_statuses;
        break;
    case GS_ENTITY_APPOINTMENTS:
        first = event_statuses;
        second = event_types;
        second_key = "type";
        break;
    case GS_ENTITY_TIMELINE:
        first = timeline_types;
        first_key = "types";
        break;
    default:
        return 0;
    }
    if (json_object_set_new(object, first_key, string_list(first)) != 0)
        return -1;
    if (second &&
        json_object_set_new(object, second_key, string_list(second)) != 0)
        return -1;
    return 0;
}

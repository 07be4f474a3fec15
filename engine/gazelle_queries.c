/* The fixed GraphQL documents gazsync sends. Every value travels in
 * `variables`; nothing from data or configuration is spliced into these
 * texts. Each document selects exactly the paths of its entity's columns
 * (engine/entity_map.c; test_gazelle_client.c checks every path is here),
 * plus the client's defaultContact for the contacts entity. */
#include "gazsync/gazelle.h"

#include <stddef.h>

#define PAGE_INFO "pageInfo { hasNextPage endCursor }"

static const char users_document[] =
    "query GazsyncUsers($first: Int, $after: String) {\n"
    "  allUsers(first: $first, after: $after) {\n"
    "    nodes {\n"
    "      id firstName lastName email phone role createdAt updatedAt\n"
    "    }\n"
    "    " PAGE_INFO "\n"
    "  }\n"
    "}\n";

static const char clients_document[] =
    "query GazsyncClients($first: Int, $after: String,"
    " $sortBy: [ClientSort!]) {\n"
    "  allClients(first: $first, after: $after, sortBy: $sortBy) {\n"
    "    nodes {\n"
    "      id companyName status clientType tags personalNotes\n"
    "      preferenceNotes preferredTechnicianId lifecycleState referredBy\n"
    "      noContactUntil noContactReason createdAt updatedAt\n"
    "      defaultClientLocalization { locale }\n"
    "      defaultContact {\n"
    "        id firstName lastName title\n"
    "        defaultEmail { email }\n"
    "        defaultPhone { phoneNumber }\n"
    "        defaultLocation {\n"
    "          street1 street2 municipality postalCode region\n"
    "        }\n"
    "      }\n"
    "    }\n"
    "    " PAGE_INFO "\n"
    "  }\n"
    "}\n";

static const char pianos_document[] =
    "query GazsyncPianos($first: Int, $after: String,"
    " $sortBy: [PianoSort!]) {\n"
    "  allPianos(first: $first, after: $after, sortBy: $sortBy) {\n"
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
    " $filters: PrivateAllEventsFilter, $sortBy: [EventSort!]) {\n"
    "  allEventsBatched(first: $first, after: $after, filters: $filters,"
    " sortBy: $sortBy) {\n"
    "    nodes {\n"
    "      id title start duration isAllDay notes type status\n"
    "      confirmedByClient source travelMode createdAt updatedAt\n"
    "      client { id }\n"
    "      user { id }\n"
    "      allEventPianos { nodes { piano { id } } }\n"
    "    }\n"
    "    " PAGE_INFO "\n"
    "  }\n"
    "}\n";

static const char timeline_document[] =
    "query GazsyncTimeline($first: Int, $after: String,"
    " $occurredAtGet: CoreDateTime) {\n"
    "  allTimelineEntries(first: $first, after: $after,"
    " occurredAtGet: $occurredAtGet) {\n"
    "    nodes {\n"
    "      id occurredAt type summary comment createdAt updatedAt\n"
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
    case GS_ENTITY_USERS: return users_document;
    case GS_ENTITY_CLIENTS: return clients_document;
    case GS_ENTITY_PIANOS: return pianos_document;
    case GS_ENTITY_APPOINTMENTS: return appointments_document;
    case GS_ENTITY_TIMELINE: return timeline_document;
    case GS_ENTITY_CONTACTS: /* no connection: they come with clients */
    default: return NULL;
    }
}

/* The old resolver's tables of the schema slice it serves (the old
 * contract). Validation no longer uses them: validate.c checks documents
 * against schema/gazelle.graphql. They go with the old resolver. */
#ifndef GSIM_SCHEMA_H
#define GSIM_SCHEMA_H

#include <jansson.h>

#include "gql.h"
#include "validate.h"

typedef enum {
    T_SCALAR,
    T_QUERY,
    T_USER_CONN,
    T_USER_EDGE,
    T_USER,
    T_CLIENT_CONN,
    T_CLIENT_EDGE,
    T_CLIENT,
    T_CONTACT,
    T_EMAIL,
    T_PHONE,
    T_LOCATION,
    T_LOCALIZATION,
    T_PIANO_CONN,
    T_PIANO_EDGE,
    T_PIANO,
    T_EVENT_CONN,
    T_EVENT_EDGE,
    T_EVENT,
    T_EVENT_PIANO_CONN,
    T_EVENT_PIANO,
    T_TIMELINE_CONN,
    T_TIMELINE_EDGE,
    T_TIMELINE,
    T_INVOICE,
    T_ESTIMATE,
    T_PAGE_INFO,
    T_COUNT
} gsim_type;

typedef enum {
    F_TYPENAME,
    /* Query */
    F_ALL_USERS,
    F_ALL_CLIENTS,
    F_ALL_PIANOS,
    F_ALL_EVENTS,
    F_ALL_TIMELINE,
    F_CLIENT_BY_ID,
    F_PIANO_BY_ID,
    /* connections, edges, page info */
    F_NODES,
    F_EDGES,
    F_PAGE_INFO,
    F_CURSOR,
    F_NODE,
    F_HAS_NEXT_PAGE,
    F_END_CURSOR,
    F_HAS_PREVIOUS_PAGE,
    F_START_CURSOR,
    /* shared */
    F_ID,
    F_CREATED_AT,
    F_UPDATED_AT,
    F_CLIENT,
    F_PIANO,
    F_USER,
    F_NOTES,
    F_TYPE,
    F_STATUS,
    F_TAGS,
    /* users and contacts */
    F_FIRST_NAME,
    F_LAST_NAME,
    F_EMAIL,
    F_PHONE,
    F_ROLE,
    F_TITLE,
    F_DEFAULT_EMAIL,
    F_DEFAULT_PHONE,
    F_DEFAULT_LOCATION,
    F_PHONE_NUMBER,
    F_STREET1,
    F_STREET2,
    F_MUNICIPALITY,
    F_POSTAL_CODE,
    F_REGION,
    /* clients */
    F_COMPANY_NAME,
    F_CLIENT_TYPE,
    F_PERSONAL_NOTES,
    F_PREFERENCE_NOTES,
    F_PREFERRED_TECHNICIAN_ID,
    F_LIFECYCLE_STATE,
    F_REFERRED_BY,
    F_NO_CONTACT_UNTIL,
    F_NO_CONTACT_REASON,
    F_DEFAULT_LOCALIZATION,
    F_LOCALE,
    F_DEFAULT_CONTACT,
    /* pianos */
    F_MAKE,
    F_MODEL,
    F_SERIAL_NUMBER,
    F_YEAR,
    F_LOCATION,
    F_SIZE,
    F_SERVICE_INTERVAL_MONTHS,
    F_CALCULATED_LAST_SERVICE,
    F_CALCULATED_NEXT_SERVICE,
    /* events */
    F_START,
    F_DURATION,
    F_IS_ALL_DAY,
    F_CONFIRMED_BY_CLIENT,
    F_SOURCE,
    F_TRAVEL_MODE,
    F_ALL_EVENT_PIANOS,
    /* timeline */
    F_OCCURRED_AT,
    F_SUMMARY,
    F_COMMENT,
    F_INVOICE,
    F_ESTIMATE
} gsim_field_id;

typedef struct {
    const char *name;
    gsim_field_id id;
    gsim_type type;          /* T_SCALAR for leaves */
    const char *const *args; /* NULL-terminated, or NULL for none */
} gsim_field_def;

typedef struct {
    const char *name;
    const gsim_field_def *fields;
    size_t count;
} gsim_type_def;

extern const gsim_type_def gsim_types[T_COUNT];

/* Transitional, until the old resolver goes: binds the fields of a
 * flattened operation that validate.c accepted to these tables (f->def);
 * fields the tables lack become errors. Returns the number of errors. */
size_t gsim_validate(gql_operation *op, json_t *errors);

#endif

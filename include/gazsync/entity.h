/**
 * @file entity.h
 * @brief The entities gazsync mirrors and the one mapping of their columns:
 *        Gazelle field path -> cache column -> Supabase column.
 *
 * This table is the single place that says which columns gazsync owns. The
 * cache (schema/cache.sql) and the target (schema/supabase.sql) have exactly
 * these columns plus their bookkeeping ones; tests check all three agree.
 */
#ifndef GAZSYNC_ENTITY_H
#define GAZSYNC_ENTITY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    GS_ENTITY_USERS = 0,
    GS_ENTITY_CLIENTS,
    GS_ENTITY_CONTACTS,
    GS_ENTITY_PIANOS,
    GS_ENTITY_APPOINTMENTS,
    GS_ENTITY_TIMELINE,
    GS_ENTITY_COUNT
} gs_entity_id;

/** How a column's value is stored (cache type / Supabase type). */
typedef enum {
    GS_COL_TEXT,      /**< TEXT / text */
    GS_COL_INT,       /**< INTEGER / bigint */
    GS_COL_BOOL,      /**< INTEGER 0/1 / boolean */
    GS_COL_JSON,      /**< TEXT holding JSON / jsonb (arrays such as tags) */
    GS_COL_TIMESTAMP, /**< TEXT ISO-8601 UTC / timestamptz */
    GS_COL_DATE,      /**< TEXT YYYY-MM-DD / date */
} gs_col_type;

/** One owned column. */
typedef struct {
    const char *name; /**< column name, same in cache and target */
    gs_col_type type;
    /** Path in the Gazelle node: dot-separated keys; a "[]" segment maps
     *  over an array and collects the rest of the path into a JSON array
     *  ("allEventPianos.nodes[].piano.id"). */
    const char *path;
} gs_column;

/** One mirrored entity. */
typedef struct {
    gs_entity_id id;
    const char *name;         /**< "clients": CLI and config name */
    const char *cache_table;  /**< table in gazsync.db */
    const char *target_table; /**< default Supabase table */
    const char *root_field;   /**< Gazelle root field; NULL for contacts */
    const char *updated_path; /**< node path of the upstream change stamp */
    const gs_column *columns; /**< owned columns, id first */
    size_t n_columns;
} gs_entity;

/** The entity @p id, or NULL when out of range. Static storage. */
const gs_entity *gs_entity_get(gs_entity_id id);

/** The entity called @p name ("clients"), or NULL. Static storage. */
const gs_entity *gs_entity_find(const char *name);

#ifdef __cplusplus
}
#endif
#endif

/**
 * @file entity.h
 * @brief The entities gazsync mirrors, one descriptor each: names, the
 *        Gazelle query's pieces, the column mapping (Gazelle field path ->
 *        cache column -> Supabase column), the default policy and the place
 *        in the pull order.
 *
 * This table is the single place that says what an entity is. The GraphQL
 * documents (engine/gazelle), the default policies (engine/config), the pull
 * order and its per-entity variables (engine/pull) are built from it; the
 * cache schema (schema/cache*.sql) and the target schema
 * (schema/supabase.sql) are written by hand, for people to read, and
 * checked against it by tests/unit/engine/test_entity_schema.c.
 * engine/entity/README.md says how to add an entity.
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

/** One owned column. The first column of every entity is its key, "id"
 *  (external_id in the target). */
typedef struct {
    const char *name; /**< column name, same in cache and target */
    gs_col_type type;
    /** Path in the Gazelle node: dot-separated keys; a "[]" segment maps
     *  over an array and collects the rest of the path into a JSON array
     *  ("allEventPianos.nodes[].piano.id"). */
    const char *path;
    /** The entity (by name) whose id this column holds, or NULL. An entity
     *  is pulled after those its columns name; a column naming "users"
     *  makes an unknown technician trigger a users pull. */
    const char *refers;
} gs_column;

/** How the entity's nodes are read. */
typedef enum {
    GS_READ_CONNECTION = 0, /**< a Relay connection: pages, totalCount */
    GS_READ_LIST,           /**< a plain list: every node in one answer */
    GS_READ_NESTED,         /**< no root field: a connection inside each
                                 node of its parent entity */
} gs_read_shape;

/** An enum filter whose values are all named in every read, so that no row
 *  hides behind a default the API does not document. */
typedef struct {
    const char *key;           /**< "status" */
    int in_filters;            /**< 1: a key of $filters; 0: a variable */
    const char *const *values; /**< NULL-terminated */
} gs_enum_filter;

/** The pieces of the entity's GraphQL document (engine/gazelle joins them;
 *  contracts/gazelle-schema.graphql is the law they are checked against).
 *  For a nested entity they are the follow-up document's, which asks one
 *  parent's connection again from where its nested page ended. */
typedef struct {
    const char *operation; /**< "GazsyncClients" */
    const char *variables; /**< variable definitions, without parentheses */
    const char *root;      /**< nested only: the parent read by id,
                                "client(id: $id)" */
    const char *arguments; /**< of the root field (nested: of the
                                connection); NULL: none */
    /** The node's fields, one line per group, each line ending in "\n",
     *  nested braces indented by two spaces. Nested entities' connections
     *  are appended by the builder. */
    const char *selection;
} gs_document;

/** What the entity's list lets a read ask beyond "every row". A NULL
 *  field: that bound does not exist, and a policy needing it is refused. */
typedef struct {
    const char *sort_whole;     /**< sortBy of a whole read; NULL: none */
    const char *sort_new_rows;  /**< sortBy of a new-rows probe */
    const char *created_filter; /**< $filters key bounding the probe */
    const char *window_from;    /**< $filters key: first day of a window */
    const char *window_to;      /**< $filters key: last day of a window */
    const char *window_column;  /**< the cache column the window bounds */
    const char *since_variable; /**< variable bounding a since read */
    /** A nested list inside each node that must fit one page (more is
     *  refused, naming the node), its size variable and size. */
    const char *inner_list;
    const char *inner_first_variable;
    int inner_page;
} gs_entity_reads;

/** One mirrored entity. */
typedef struct {
    gs_entity_id id;
    const char *name;         /**< "clients": CLI and config name */
    const char *cache_table;  /**< table in gazsync.db */
    const char *target_table; /**< default Supabase table */
    const char *root_field;   /**< Gazelle root field; NULL when nested */
    const char *updated_path; /**< node path of the upstream change stamp */
    const gs_column *columns; /**< owned columns, id first */
    size_t n_columns;
    const char *node_type; /**< GraphQL type of a node: "PrivateClient" */
    gs_read_shape shape;
    gs_document document;
    gs_entity_reads reads;
    gs_enum_filter all_values[2]; /**< key NULL: unused */
    /** Nested only: the entity whose nodes carry this one, the field of
     *  that connection in the parent's node, its arguments in the parent's
     *  document, the variable giving its page size there, and the node key
     *  the pull sets to the parent's id. */
    gs_entity_id parent;
    const char *nested_field;
    const char *nested_arguments;
    const char *nested_first_variable;
    const char *parent_key;
    /** The default policy, as the INI file writes it ("window=-7d..+190d",
     *  "since,lookback=7d,full-every=90d"), and nodes per request (0: the
     *  global page size). docs/design.md, "Pull policies", says why each. */
    const char *default_policy;
    int default_page_size;
    /** Columns of the target table that people own: never written by
     *  gazsync, created by schema/supabase.sql as examples. NULL-ended. */
    const char *const *target_extra;
} gs_entity;

/** The entity @p id, or NULL when out of range. Static storage. */
const gs_entity *gs_entity_get(gs_entity_id id);

/** The entity called @p name ("clients"), or NULL. Static storage. */
const gs_entity *gs_entity_find(const char *name);

/** The entity read nested inside @p entity's nodes (contacts in clients),
 *  or NULL. Static storage. */
const gs_entity *gs_entity_child(const gs_entity *entity);

/** The entity whose root field is @p root_field, or NULL. */
const gs_entity *gs_entity_by_root(const char *root_field);

/**
 * The entities that have a read of their own (nested ones ride with their
 * parent), in pull order: each after every entity its columns refer to,
 * otherwise in id order. Fills @p out (room for GS_ENTITY_COUNT) and returns
 * how many, or 0 when the references form a cycle (a descriptor error the
 * unit tests catch).
 */
size_t gs_entity_pull_order(const gs_entity *out[GS_ENTITY_COUNT]);

/** Whether some column of @p entity holds an id of entity @p other. */
int gs_entity_refers(const gs_entity *entity, const gs_entity *other);

/** The declared type of @p type in the cache ("TEXT", "INTEGER"). */
const char *gs_col_cache_type(gs_col_type type);

/** The declared type of @p type in the target ("text", "bigint",
 *  "boolean", "jsonb", "timestamptz", "date"). */
const char *gs_col_target_type(gs_col_type type);

#ifdef __cplusplus
}
#endif
#endif

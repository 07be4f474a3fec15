/* What the descriptors imply: the pull order (an entity after those its
 * columns name, so that users come before what names them and a full
 * technicians list makes the unknown-technician check meaningful) and the
 * declared SQL types of a column type. */
#include <string.h>

#include "gazsync/entity.h"

int gs_entity_refers(const gs_entity *entity, const gs_entity *other)
{
    for (size_t i = 0; entity && other && i < entity->n_columns; i++)
        if (entity->columns[i].refers &&
            strcmp(entity->columns[i].refers, other->name) == 0)
            return 1;
    return 0;
}

/* Whether every entity @p entity refers to (itself aside) is placed. */
static int ready(const gs_entity *entity, const int placed[GS_ENTITY_COUNT])
{
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_entity *other = gs_entity_get((gs_entity_id)i);

        /* a nested entity is placed with its parent */
        if (other->shape == GS_READ_NESTED)
            other = gs_entity_get(other->parent);
        if (other != entity && !placed[other->id] &&
            gs_entity_refers(entity, gs_entity_get((gs_entity_id)i)))
            return 0;
    }
    return 1;
}

size_t gs_entity_pull_order(const gs_entity *out[GS_ENTITY_COUNT])
{
    int placed[GS_ENTITY_COUNT] = {0};
    size_t n = 0, own = 0;

    for (int i = 0; i < GS_ENTITY_COUNT; i++)
        own += gs_entity_get((gs_entity_id)i)->shape != GS_READ_NESTED;
    /* Kahn's algorithm, lowest id first among the ready: the order stays
     * the table's wherever the references allow. */
    while (n < own) {
        const gs_entity *next = NULL;

        for (int i = 0; i < GS_ENTITY_COUNT && !next; i++) {
            const gs_entity *e = gs_entity_get((gs_entity_id)i);

            if (e->shape != GS_READ_NESTED && !placed[i] && ready(e, placed))
                next = e;
        }
        if (!next)
            return 0; /* a cycle */
        placed[next->id] = 1;
        out[n++] = next;
    }
    return n;
}

const char *gs_col_cache_type(gs_col_type type)
{
    return type == GS_COL_INT || type == GS_COL_BOOL ? "INTEGER" : "TEXT";
}

const char *gs_col_target_type(gs_col_type type)
{
    switch (type) {
    case GS_COL_INT:
        return "bigint";
    case GS_COL_BOOL:
        return "boolean";
    case GS_COL_JSON:
        return "jsonb";
    case GS_COL_TIMESTAMP:
        return "timestamptz";
    case GS_COL_DATE:
        return "date";
    case GS_COL_TEXT:
    default:
        return "text";
    }
}

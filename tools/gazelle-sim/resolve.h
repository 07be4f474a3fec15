/* Execution of a validated operation against the dataset: arguments to page
 * queries, keyset paging, filters, and rendering of exactly the selected
 * fields. */
#ifndef GSIM_RESOLVE_H
#define GSIM_RESOLVE_H

#include <jansson.h>

#include "dataset.h"
#include "gql.h"
#include "json_out.h"

typedef struct {
    gsim_dataset *ds;
    gsim_out *out;
    json_t *vars;     /* coerced variables (borrowed) */
    json_t *errors;   /* GraphQL errors (borrowed) */
    uint64_t pages;   /* root connections answered */
    uint64_t nodes;   /* rows in them */
} gsim_exec;

/* Writes the "data" object for the operation's selection set. Returns 0, or
 * -1 when argument errors were added to ex->errors (nothing usable was
 * written; the caller answers data: null). */
int gsim_execute(gsim_exec *ex, const gql_operation *op);

/* Renders one row with a selection set (used by the dump). */
void gsim_render_row(gsim_exec *ex, gsim_kind kind, uint32_t row,
                     const gql_field *selections);

#endif

/* Execution of a validated operation (validate.h) against the dataset: a
 * generic walker over the selection set, driven by the schema definitions
 * validation stored in every field (gql_field.def / .parent).
 *
 * Modelled fields come from the dataset through per-type resolver tables
 * keyed by field name and bound once, at start, to the schema's fields
 * (gsim_resolve_bind), so rendering a row costs an array index per field,
 * never a string compare. Every other field gets a type-correct value: null
 * where nullable; where non-null `[]` for lists, false, 0, "" (CoreDate and
 * CoreDateTime: the epoch, JSON: {}), an enum's first value, or a minimal
 * object whose own selection is rendered the same way. So any valid
 * document answers, and what a client reads that the simulator does not
 * model is visibly a default. */
#ifndef GSIM_RESOLVE_H
#define GSIM_RESOLVE_H

#include <jansson.h>

#include "dataset.h"
#include "gql.h"
#include "json_out.h"
#include "sdl.h"

typedef struct {
    gsim_dataset *ds;
    gsim_out *out;
    json_t *vars;   /* coerced variables (borrowed) */
    json_t *errors; /* GraphQL errors (borrowed) */
    uint64_t pages; /* root lists and connections answered */
    uint64_t nodes; /* rows in them */
    int failed;     /* an argument error was added to errors */
} gsim_exec;

/* Binds the resolver tables to schema (kept until gsim_resolve_unbind).
 * Returns 0, or -1 after printing to stderr which modelled type or field
 * the schema lacks (the simulator and the SDL disagree: a build error). */
int gsim_resolve_bind(const gsim_schema *schema);
void gsim_resolve_unbind(void);

/* Writes the "data" object for the operation's selection set. Returns 0, or
 * -1 when errors were added to ex->errors (an invalid cursor or CoreDate,
 * a mutation); what was written is then unusable and the caller answers
 * data: null. */
int gsim_execute(gsim_exec *ex, const gql_operation *op);

/* Renders one live row of kind (GSIM_USER .. GSIM_CONTACT) with a
 * selection set of its type (the dump). */
void gsim_render_row(gsim_exec *ex, gsim_kind kind, uint32_t row,
                     const gql_field *selections);

#endif

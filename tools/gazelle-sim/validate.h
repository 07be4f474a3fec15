/* GraphQL validation (https://spec.graphql.org/October2021/#sec-Validation)
 * of one request against the schema (sdl.h), and coercion of its variables
 * (#sec-Coercing-Variable-Values), with graphql-ruby's error wording since
 * that is what Gazelle runs. Executable documents only: every rule of
 * section 5 that can fire on a schema without interfaces, unions or custom
 * directives (operations, fields, arguments, fragments, values, directives
 * @include/@skip, variables).
 *
 * On success the chosen operation is ready for execution (resolve.h):
 * fragment spreads and inline fragments are flattened into plain field
 * lists (every fragment applies to one concrete type, the schema having no
 * abstract types), and every gql_field has def/parent set (gql.h). */
#ifndef GSIM_VALIDATE_H
#define GSIM_VALIDATE_H

#include <jansson.h>

#include "gql.h"
#include "sdl.h"

/* Validates doc for operation_name (NULL: the only operation) with the
 * request's variables (a JSON object, or NULL/json null for none).
 * Appends {"message","locations"[,"path","extensions"]} objects to errors
 * and returns their count; when it is 0, *op is the operation to run and
 * *vars a new reference to the coerced variables (defaults applied), which
 * the caller releases. The arena is the document's; flattening allocates
 * there. */
size_t gsim_validate_request(const gsim_schema *schema, gql_document *doc,
                             gsim_arena *arena, const char *operation_name,
                             json_t *variables, gql_operation **op,
                             json_t **vars, json_t *errors);

/* Appends {"message": msg, "locations": [{line, column}]} to errors. */
void gsim_error_add(json_t *errors, const char *msg, int line, int col);

#endif

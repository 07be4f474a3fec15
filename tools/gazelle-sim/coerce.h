/* Input values as the executor reads them: the request's variables
 * coerced to their declared types (spec #sec-Coercing-Variable-Values,
 * graphql-ruby's messages), and literals (arguments, defaults) turned into
 * the same JSON shapes. After coercion an Int is a JSON integer, a Float a
 * real, an ID a string, an enum value its name as a string, and a single
 * value where a list is expected a list of one. */
#ifndef GSIM_COERCE_H
#define GSIM_COERCE_H

#include <jansson.h>

#include "gql.h"
#include "sdl.h"

/* Coerces given (a JSON object, or NULL) for op's variable definitions,
 * whose tref validation has set. *out receives a new object holding the
 * coerced values and the defaults of absent variables; a nullable variable
 * that is absent and has no default stays absent. Errors are appended
 * ("Variable $first of type Int was provided invalid value", with
 * extensions.value and extensions.problems); returns their count. */
size_t gsim_coerce_variables(json_t **out, const gql_operation *op,
                             json_t *given, json_t *errors);

/* The value of literal v standing where type is expected (NULL: unknown,
 * no list wrapping or number conversion), variables read from vars (the
 * coerced ones). Returns a new reference, or NULL when v is a variable that
 * was not given (an absent argument, not a null one). */
json_t *gsim_literal_json(const gql_value *v, const gsim_tref *type,
                          json_t *vars);

#endif

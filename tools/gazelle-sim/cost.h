/* The limits a document must keep, enforced the way graphql-ruby (which
 * Gazelle runs) enforces its own: a size limit at lexing
 * (max_query_string_tokens) and a cost limit after validation
 * (max_complexity). Gazelle publishes neither, so both are off unless a
 * flag sets them (--max-query-tokens, --max-complexity): they exist so that
 * a client can be tested against a service that refuses large documents. */
#ifndef GSIM_COST_H
#define GSIM_COST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "gql.h"

typedef struct {
    uint64_t max_complexity; /* 0: no limit */
    uint64_t max_tokens;     /* 0: no limit */
} gsim_cost_limits;

/* graphql-ruby's answer to a document over max_tokens, and to one over
 * max_complexity ("Query has complexity of N, which exceeds max complexity
 * of M"): each the only error of a 200 answer without "data". */
#define GSIM_COST_TOO_LARGE "This query is too large to execute."

/* Counts the tokens of src as graphql-ruby's lexer does (whitespace, commas
 * and comments are not tokens; "..." and a whole string are one). 0 when
 * there are at most max; 1 with *line, *col at the first token past it. A
 * lexical error ends the count (the parser reports it). */
int gsim_cost_too_many_tokens(const char *src, size_t len, uint64_t max,
                              int *line, int *col);

/* graphql-ruby's complexity of a validated, flattened operation (fields
 * bound to their definitions): each field costs 1 plus its selections; a
 * connection (a type named ...Connection) costs 1, plus 1 per selection on
 * it (plus, for those other than nodes and edges, 1 per field under them),
 * plus its page size times the rest, the page size being `first`, or `last`
 * when larger, else the default page. Saturates at INT64_MAX, where Ruby
 * would grow a bignum. */
int64_t gsim_cost_complexity(const gql_operation *op, json_t *vars);

#endif

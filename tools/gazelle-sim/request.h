/* One POST /graphql/private/ request: the JSON body ({"query",
 * "variables", "operationName"}), its parsed document, the chosen operation,
 * coerced variables and validation. Split from execution so the server can
 * count root fields and apply fault rules before answering. */
#ifndef GSIM_REQUEST_H
#define GSIM_REQUEST_H

#include <jansson.h>
#include <stdint.h>

#include "arena.h"
#include "cost.h"
#include "dataset.h"
#include "gql.h"
#include "json_out.h"

typedef struct {
    gsim_arena arena;
    json_t *body;
    gql_document *doc;
    gql_operation *op;
    json_t *vars;
    json_t *errors;
    int status;        /* 200, or 400 when the body is not a GraphQL request */
    /* The distinct root field names the request selects, in order of first
     * use, and how often each is selected: a packed document's 40 parts
     * `p0: allClients ... p39: allClients` are one name used 40 times. One
     * entry per name however many aliases, in the arena. */
    const char **roots;
    uint64_t *root_uses;
    size_t nroots;
    int over_limit;    /* refused by a size or cost limit (cost.h) */
} gsim_request;

/* Parses and validates; never fails outright: problems become errors. */
void gsim_request_prepare(gsim_request *r, const char *body, size_t len);
/* The same under the size and cost limits of @p limits (NULL: none), which
 * refuse a document as graphql-ruby does (cost.h). */
void gsim_request_prepare_limited(gsim_request *r, const char *body,
                                  size_t len, const gsim_cost_limits *limits);
/* Writes the whole JSON answer. pages/nodes receive the paging counts. */
void gsim_request_answer(gsim_request *r, gsim_dataset *ds, gsim_out *out,
                         uint64_t *pages, uint64_t *nodes);
void gsim_request_free(gsim_request *r);

#endif

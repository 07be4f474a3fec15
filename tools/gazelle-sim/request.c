#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"
#include "sdl.h"
#include "validate.h"

/* Counts one use of root field name, adding the name when it is new. 0 or
 * -1 when out of memory. */
static int note_root(gsim_request *r, size_t *cap, const char *name)
{
    for (size_t i = 0; i < r->nroots; i++)
        if (strcmp(r->roots[i], name) == 0) {
            r->root_uses[i]++;
            return 0;
        }
    if (r->nroots == *cap) {
        size_t grown = *cap ? *cap * 2 : 8;
        const char **roots =
            gsim_arena_alloc(&r->arena, grown * sizeof(*roots));
        uint64_t *uses = gsim_arena_alloc(&r->arena, grown * sizeof(*uses));
        if (!roots || !uses)
            return -1;
        if (r->nroots) {
            memcpy(roots, r->roots, r->nroots * sizeof(*roots));
            memcpy(uses, r->root_uses, r->nroots * sizeof(*uses));
        }
        r->roots = roots;
        r->root_uses = uses;
        *cap = grown;
    }
    r->roots[r->nroots] = name;
    r->root_uses[r->nroots++] = 1;
    return 0;
}

/* The root fields a request selects, for the counters and the fault rules
 * (server.c), known even when the document is invalid: the direct fields
 * of the operation that would run. Every one counts, however many. */
static void note_roots(gsim_request *r, const gql_operation *op)
{
    size_t cap = 0;
    r->nroots = 0;
    for (const gql_field *f = op ? op->selections : NULL; f; f = f->next)
        if (f->kind == GQL_SEL_FIELD && note_root(r, &cap, f->name) != 0) {
            gsim_error_add(r->errors, "gazelle-sim: out of memory", 0, 0);
            return;
        }
}

static const gql_operation *named_operation(const gql_document *doc,
                                            const char *name)
{
    for (const gql_operation *op = doc->operations; op; op = op->next)
        if (name ? op->name && strcmp(op->name, name) == 0
                 : op == doc->operations && !op->next)
            return op;
    return NULL;
}

/* graphql-ruby's max_complexity, checked after validation as its
 * analysers run: the error carries only a message (no location). */
static void check_complexity(gsim_request *r, uint64_t max)
{
    int64_t complexity = gsim_cost_complexity(r->op, r->vars);
    char msg[160];

    if (complexity <= 0 || (uint64_t)complexity <= max)
        return;
    snprintf(msg, sizeof(msg),
             "Query has complexity of %lld, which exceeds max complexity of "
             "%llu",
             (long long)complexity, (unsigned long long)max);
    gsim_error_add(r->errors, msg, 0, 0);
    r->over_limit = 1;
}

void gsim_request_prepare(gsim_request *r, const char *body, size_t len)
{
    gsim_request_prepare_limited(r, body, len, NULL);
}

void gsim_request_prepare_limited(gsim_request *r, const char *body,
                                  size_t len, const gsim_cost_limits *limits)
{
    memset(r, 0, sizeof(*r));
    r->status = 200;
    r->errors = json_array();
    json_error_t jerr;
    r->body = json_loadb(body, len, 0, &jerr);
    const char *query = json_string_value(json_object_get(r->body, "query"));
    if (!r->body || !query) {
        char msg[256];
        snprintf(msg, sizeof(msg),
                 r->body ? "The body must be a JSON object with a \"query\" "
                           "string."
                         : "The body is not JSON: %s",
                 jerr.text);
        gsim_error_add(r->errors, msg, 0, 0);
        r->status = 400;
        return;
    }
    json_t *given = json_object_get(r->body, "variables");
    if (given && !json_is_object(given) && !json_is_null(given)) {
        gsim_error_add(r->errors, "\"variables\" must be a JSON object.", 0, 0);
        r->status = 400;
        return;
    }
    gql_error err;
    int line, col;
    /* graphql-ruby's lexer stops at the token past max_query_string_tokens,
     * before anything is parsed: that error is the only one. */
    if (limits && limits->max_tokens &&
        gsim_cost_too_many_tokens(query, strlen(query), limits->max_tokens,
                                  &line, &col)) {
        gsim_error_add(r->errors, GSIM_COST_TOO_LARGE, line, col);
        r->over_limit = 1;
        return;
    }
    if (gql_parse(&r->doc, &r->arena, query, strlen(query), &err) != 0) {
        gsim_error_add(r->errors, err.message, err.line, err.col);
        return;
    }
    const char *name =
        json_string_value(json_object_get(r->body, "operationName"));
    note_roots(r, named_operation(r->doc, name));
    const gsim_schema *schema = gsim_schema_gazelle();
    if (!schema) {
        gsim_error_add(r->errors,
                       "gazelle-sim: the embedded schema/gazelle.graphql "
                       "does not parse (see stderr)",
                       0, 0);
        r->status = 500;
        return;
    }
    if (gsim_validate_request(schema, r->doc, &r->arena, name, given, &r->op,
                              &r->vars, r->errors) != 0 ||
        !r->op) {
        if (json_array_size(r->errors) == 0) /* out of memory */
            gsim_error_add(r->errors, "gazelle-sim: out of memory", 0, 0);
        return;
    }
    note_roots(r, r->op); /* fragments may have added root fields */
    if (r->op->kind != GQL_OP_QUERY) {
        gsim_error_add(r->errors,
                       "gazelle-sim serves queries only; mutations are not "
                       "simulated.",
                       r->op->line, r->op->col);
        return;
    }
    if (limits && limits->max_complexity)
        check_complexity(r, limits->max_complexity);
}

void gsim_request_answer(gsim_request *r, gsim_dataset *ds, gsim_out *out,
                         uint64_t *pages, uint64_t *nodes)
{
    *pages = 0;
    *nodes = 0;
    /* graphql-ruby answers a request it refuses before execution (syntax,
     * validation, variables) with errors and no "data" at all. */
    int refused = json_array_size(r->errors) != 0;
    if (!refused) {
        gsim_exec ex = {.ds = ds, .out = out, .vars = r->vars,
                        .errors = r->errors};
        gsim_out_puts(out, "{\"data\":");
        if (gsim_execute(&ex, r->op) == 0) {
            gsim_out_puts(out, "}");
            *pages = ex.pages;
            *nodes = ex.nodes;
            return;
        }
        gs_buf_reset(&out->buf); /* drop the partial answer */
    }
    char *errors = json_dumps(r->errors, JSON_COMPACT);
    gsim_out_puts(out, "{\"errors\":");
    gsim_out_puts(out, errors ? errors : "[]");
    gsim_out_puts(out, r->status == 200 && !refused ? ",\"data\":null}" : "}");
    free(errors);
}

void gsim_request_free(gsim_request *r)
{
    json_decref(r->body);
    json_decref(r->vars);
    json_decref(r->errors);
    gsim_arena_free(&r->arena);
    memset(r, 0, sizeof(*r));
}

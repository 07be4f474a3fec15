/* The request's validation in graphql-ruby's order (Query#valid?): the
 * operation is chosen first (a missing name stops everything), then every
 * static rule runs over the whole document, and the variables' values are
 * coerced only when the document is valid. Then the chosen operation is
 * flattened for execution. */
#include "validate_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "coerce.h"

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_sequence(const unsigned char *s)
{
    size_t n;
    unsigned long cp;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0)
        n = 2, cp = s[0] & 0x1F;
    else if ((s[0] & 0xF0) == 0xE0)
        n = 3, cp = s[0] & 0x0F;
    else if ((s[0] & 0xF8) == 0xF0)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

void vutf8_clean(char *text)
{
    unsigned char *s = (unsigned char *)text;
    while (*s) {
        size_t n = utf8_sequence(s);
        if (n == 0)
            *s++ = '?';
        else
            s += n;
    }
}

void gsim_error_add(json_t *errors, const char *msg, int line, int col)
{
    /* Why the copy: a message quotes the document (string literals may
     * hold any bytes) and may be cut mid-character, and jansson refuses
     * invalid UTF-8; a dropped error would let an invalid request run. */
    char clean[600];
    snprintf(clean, sizeof(clean), "%s", msg);
    vutf8_clean(clean);
    json_t *e = json_pack("{s:s}", "message", clean);
    if (!e)
        e = json_pack("{s:s}", "message", "invalid request");
    if (!e)
        return;
    if (line > 0)
        json_object_set_new(
            e, "locations",
            json_pack("[{s:i,s:i}]", "line", line, "column", col));
    json_array_append_new(errors, e);
}

void verr_add_location(json_t *error, int line, int col)
{
    json_t *locations = json_object_get(error, "locations");
    if (locations && line > 0)
        json_array_append_new(
            locations, json_pack("{s:i,s:i}", "line", line, "column", col));
}

json_t *verr(vctx *c, int line, int col, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->count++;
    gsim_error_add(c->errors, msg, line, col);
    json_t *e = json_array_get(c->errors, json_array_size(c->errors) - 1);
    if (!e)
        return NULL;
    if (c->depth > 0) {
        json_t *path = json_array();
        for (int i = 0; i < c->depth && i < VPATH_MAX; i++)
            json_array_append_new(path, json_string(c->path[i]));
        json_object_set_new(e, "path", path);
    }
    json_object_set_new(e, "extensions", json_pack("{s:s}", "code", code));
    return e;
}

void vpath_push(vctx *c, const char *step)
{
    if (c->depth < VPATH_MAX)
        c->path[c->depth] = step;
    c->depth++;
}

void vpath_pop(vctx *c)
{
    c->depth--;
}

static const char *op_type_name(const gql_operation *op)
{
    switch (op->kind) {
    case GQL_OP_MUTATION:
        return "mutation";
    case GQL_OP_SUBSCRIPTION:
        return "subscription";
    default:
        return "query";
    }
}

static const gsim_stype *root_of(vctx *c, const gql_operation *op)
{
    switch (op->kind) {
    case GQL_OP_QUERY:
        return c->schema->query;
    case GQL_OP_MUTATION:
        if (!c->schema->mutation)
            verr(c, op->line, op->col, "missingMutationConfiguration",
                 "Schema is not configured for mutations");
        return c->schema->mutation;
    default:
        verr(c, op->line, op->col, "missingSubscriptionConfiguration",
             "Schema is not configured for subscriptions");
        return NULL;
    }
}

/* OperationNamesAreValid (unique names, a lone anonymous operation), the
 * root type, directives, variables and the selection set. */
static void check_operations(vctx *c, size_t nops)
{
    for (gql_operation *op = c->doc->operations; op; op = op->next) {
        if (!op->name && nops > 1)
            verr(c, op->line, op->col, "uniquelyNamedOperations",
                 "Operation name is required when multiple operations are "
                 "present");
        for (gql_operation *o = c->doc->operations; op->name && o != op;
             o = o->next)
            if (o->name && strcmp(o->name, op->name) == 0) {
                verr(c, op->line, op->col, "uniquelyNamedOperations",
                     "Operation name \"%s\" must be unique", op->name);
                break;
            }
        const char *label = op->name
                                ? gsim_arena_printf(c->arena, "%s %s",
                                                    op_type_name(op), op->name)
                                : op_type_name(op);
        vpath_push(c, label ? label : "query");
        const gsim_stype *root = root_of(c, op);
        vcheck_directives(c, op->directives,
                          op->kind == GQL_OP_MUTATION ? "mutations" : "queries",
                          0);
        if (root)
            vcheck_selections(c, op->selections, root);
        vpath_pop(c);
    }
}

static void check_variables(vctx *c)
{
    unsigned n = 0;
    for (gql_operation *op = c->doc->operations; op; op = op->next) {
        const char *who = op->name ? op->name
                                   : gsim_arena_printf(c->arena, "anonymous %s",
                                                       op_type_name(op));
        c->op_number = ++n;
        vcheck_variables(c, op, who ? who : "anonymous query");
    }
}

static gql_operation *choose(vctx *c, const char *operation_name, size_t *nops)
{
    gql_operation *chosen = NULL;
    *nops = 0;
    for (gql_operation *op = c->doc->operations; op; op = op->next) {
        (*nops)++;
        if (operation_name && op->name && !chosen &&
            strcmp(op->name, operation_name) == 0)
            chosen = op;
    }
    if (!operation_name && *nops == 1)
        chosen = c->doc->operations;
    /* graphql-ruby's OperationNameMissingError, without a location. */
    if (operation_name && !chosen) {
        char msg[300];
        snprintf(msg, sizeof(msg), "No operation named \"%s\"", operation_name);
        gsim_error_add(c->errors, msg, 0, 0);
        c->count++;
    } else if (!operation_name && *nops > 1) {
        gsim_error_add(c->errors, "An operation name is required", 0, 0);
        c->count++;
    }
    return chosen;
}

size_t gsim_validate_request(const gsim_schema *schema, gql_document *doc,
                             gsim_arena *arena, const char *operation_name,
                             json_t *variables, gql_operation **op,
                             json_t **vars, json_t *errors)
{
    vctx c;
    size_t nops;
    json_t *coerced = NULL;

    memset(&c, 0, sizeof(c));
    c.schema = schema;
    c.arena = arena;
    c.errors = errors;
    c.doc = doc;
    c.boolean_nn.non_null = 1;
    c.boolean_nn.named = gsim_schema_type(schema, "Boolean");
    c.if_arg.name = "if";
    c.if_arg.type = &c.boolean_nn;
    c.budget = VFIELD_BUDGET;
    *op = NULL;
    *vars = NULL;

    gql_operation *chosen = choose(&c, operation_name, &nops);
    if (c.count)
        goto done;
    int cycles = vcheck_fragments(&c); /* first: spreads look them up */
    check_operations(&c, nops);
    check_variables(&c);
    vcheck_unused_fragments(&c);
    if (c.count || cycles)
        goto done;
    for (gql_operation *o = doc->operations; o && !c.count; o = o->next)
        vflatten(&c, o->selections, NULL);
    if (c.count)
        goto done;
    if (!chosen) {
        gsim_error_add(errors, "No operation to run: the document has none", 0,
                       0);
        c.count++;
        goto done;
    }
    c.count += gsim_coerce_variables(&coerced, chosen, variables, errors);
    if (c.count)
        goto done;
    c.budget = VFIELD_BUDGET;
    c.over_budget = 0;
    chosen->selections = vflatten(&c, chosen->selections, coerced);
    if (c.count)
        goto done;
    *op = chosen;
    *vars = coerced;
    coerced = NULL;
done:
    json_decref(coerced);
    return c.count;
}

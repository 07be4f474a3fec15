#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"
#include "schema.h"

static json_t *default_json(const gql_value *v)
{
    /* Defaults are constants (the parser refuses variables in them). */
    json_t *out;
    switch (v->kind) {
    case GQL_V_INT: {
        char *end;
        long long n = strtoll(v->text, &end, 10);
        return *end ? json_real(strtod(v->text, NULL)) : json_integer(n);
    }
    case GQL_V_FLOAT: return json_real(strtod(v->text, NULL));
    case GQL_V_STRING:
    case GQL_V_ENUM: return json_string(v->text);
    case GQL_V_BOOLEAN: return json_boolean(v->boolean);
    case GQL_V_LIST:
        out = json_array();
        for (const gql_value *i = v->items; i; i = i->next)
            json_array_append_new(out, default_json(i));
        return out;
    case GQL_V_OBJECT:
        out = json_object();
        for (const gql_value *i = v->items; i; i = i->next)
            json_object_set_new(out, i->key, default_json(i));
        return out;
    default: return json_null();
    }
}

static void coerce_variables(gsim_request *r, json_t *given)
{
    char msg[200];
    r->vars = json_object();
    for (const gql_var_def *d = r->op->var_defs; d; d = d->next) {
        json_t *v = json_object_get(given, d->name);
        if (v && !(json_is_null(v) && d->non_null)) {
            json_object_set(r->vars, d->name, v);
        } else if (d->default_value && !v) {
            json_object_set_new(r->vars, d->name,
                                default_json(d->default_value));
        } else if (d->non_null) {
            snprintf(msg, sizeof(msg),
                     v ? "Variable \"$%s\" of non-null type \"%s!\" must not "
                         "be null."
                       : "Variable \"$%s\" of required type \"%s!\" was not "
                         "provided.",
                     d->name, d->type_name);
            gsim_error_add(r->errors, msg, d->line, d->col);
        }
    }
}

static int choose_operation(gsim_request *r, const char *name)
{
    size_t count = 0;
    for (gql_operation *op = r->doc->operations; op; op = op->next) {
        count++;
        if (name && op->name && strcmp(op->name, name) == 0)
            r->op = op;
    }
    if (name && !r->op) {
        char msg[200];
        snprintf(msg, sizeof(msg), "Unknown operation named \"%s\".", name);
        gsim_error_add(r->errors, msg, 0, 0);
        return -1;
    }
    if (!name) {
        if (count != 1) {
            gsim_error_add(r->errors,
                           count ? "Must provide operation name if query "
                                   "contains multiple operations."
                                 : "Must provide an operation.",
                           0, 0);
            return -1;
        }
        r->op = r->doc->operations;
    }
    if (r->op->kind != GQL_OP_QUERY) {
        gsim_error_add(r->errors,
                       r->op->kind == GQL_OP_MUTATION
                           ? "gazelle-sim serves queries only; mutations are "
                             "not simulated."
                           : "Subscriptions are not supported.",
                       r->op->line, r->op->col);
        return -1;
    }
    return 0;
}

void gsim_request_prepare(gsim_request *r, const char *body, size_t len)
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
    if (gql_parse(&r->doc, &r->arena, query, strlen(query), &err) != 0) {
        gsim_error_add(r->errors, err.message, err.line, err.col);
        return;
    }
    if (r->doc->has_fragments) {
        gsim_error_add(r->errors,
                       "Fragments are not supported by gazelle-sim; inline "
                       "the fields.",
                       r->doc->fragment_line, r->doc->fragment_col);
        return;
    }
    const char *name =
        json_string_value(json_object_get(r->body, "operationName"));
    if (choose_operation(r, name) != 0)
        return;
    for (gql_field *f = r->op->selections; f; f = f->next)
        if (r->nroots < GSIM_MAX_ROOT_NAMES)
            r->roots[r->nroots++] = f->name;
    if (gsim_validate(r->op, r->errors) != 0)
        return;
    coerce_variables(r, given);
}

void gsim_request_answer(gsim_request *r, gsim_dataset *ds, gsim_out *out,
                         uint64_t *pages, uint64_t *nodes)
{
    *pages = 0;
    *nodes = 0;
    if (json_array_size(r->errors) == 0) {
        gsim_exec ex = {ds, out, r->vars, r->errors, 0, 0};
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
    gsim_out_puts(out, r->status == 200 ? ",\"data\":null}" : "}");
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

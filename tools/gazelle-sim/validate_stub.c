/* TEMPORARY (branch sim-execute only): a stand-in for validate.c until the
 * sim-validate branch lands. It annotates fields (def/parent) and picks the
 * operation, with none of the validation rules; removed at the merge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

void gsim_error_add(json_t *errors, const char *msg, int line, int col)
{
    json_t *e = json_pack("{s:s}", "message", msg);
    if (line > 0)
        json_object_set_new(e, "locations",
                            json_pack("[{s:i,s:i}]", "line", line, "column",
                                      col));
    json_array_append_new(errors, e);
}

static size_t annotate(const gsim_stype *t, gql_field *set, json_t *errors)
{
    size_t n = 0;
    for (gql_field *f = set; f; f = f->next) {
        f->parent = t;
        if (strcmp(f->name, "__typename") == 0) {
            f->def = NULL;
            continue;
        }
        const gsim_sfield *d = gsim_stype_field(t, f->name);
        if (!d) {
            char msg[200];
            snprintf(msg, sizeof(msg), "Field '%s' doesn't exist on type '%s'",
                     f->name, t->name);
            gsim_error_add(errors, msg, f->line, f->col);
            n++;
            continue;
        }
        f->def = d;
        if (f->selections)
            n += annotate(gsim_tref_named(d->type), f->selections, errors);
    }
    return n;
}

static json_t *const_json(const gql_value *v)
{
    json_t *out;
    switch (v->kind) {
    case GQL_V_INT: return json_integer(strtoll(v->text, NULL, 10));
    case GQL_V_FLOAT: return json_real(strtod(v->text, NULL));
    case GQL_V_STRING:
    case GQL_V_ENUM: return json_string(v->text);
    case GQL_V_BOOLEAN: return json_boolean(v->boolean);
    case GQL_V_LIST:
        out = json_array();
        for (const gql_value *i = v->items; i; i = i->next)
            json_array_append_new(out, const_json(i));
        return out;
    case GQL_V_OBJECT:
        out = json_object();
        for (const gql_value *i = v->items; i; i = i->next)
            json_object_set_new(out, i->key, const_json(i));
        return out;
    default: return json_null();
    }
}

size_t gsim_validate_request(const gsim_schema *schema, gql_document *doc,
                             gsim_arena *arena, const char *operation_name,
                             json_t *variables, gql_operation **op,
                             json_t **vars, json_t *errors)
{
    (void)arena;
    *op = NULL;
    *vars = NULL;
    for (gql_operation *o = doc->operations; o; o = o->next)
        if (!operation_name || (o->name && !strcmp(o->name, operation_name)))
            *op = o;
    if (!*op) {
        gsim_error_add(errors, "No operation to run.", 0, 0);
        return 1;
    }
    size_t n = annotate(schema->query, (*op)->selections, errors);
    if (n)
        return n;
    *vars = json_object();
    for (const gql_var_def *d = (*op)->var_defs; d; d = d->next) {
        json_t *v = json_object_get(variables, d->name);
        if (v)
            json_object_set(*vars, d->name, v);
        else if (d->default_value)
            json_object_set_new(*vars, d->name, const_json(d->default_value));
    }
    return 0;
}

/* Variable values from the request's JSON and literal values from the
 * document, coerced to their input types (coerce.h). The problems list and
 * its explanations follow graphql-ruby (GraphQL::Query::
 * VariableValidationError, the types' validate_input). */
#include "coerce.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "validate_internal.h"

static void problem(json_t *problems, json_t *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(json_t *problems, json_t *path, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_array_append_new(
        problems, json_pack("{s:O,s:s}", "path", path, "explanation", msg));
}

/* The value as the explanation quotes it; long values are cut. */
static void quoted(char *out, size_t n, const json_t *v)
{
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(out, n, "%s", text ? text : "?");
    if (text && strlen(text) >= n && n > 4)
        memcpy(out + n - 4, "...", 4);
    free(text);
}

static json_t *coerce(json_t *v, const gsim_tref *t, json_t *path,
                      json_t *problems);

static json_t *with_step(json_t *path, json_t *step)
{
    json_t *p = json_copy(path);
    json_array_append_new(p, step);
    return p;
}

static json_t *coerce_list(json_t *v, const gsim_tref *t, json_t *path,
                           json_t *problems)
{
    json_t *out = json_array();
    if (!json_is_array(v)) {
        json_t *item = coerce(v, t->list_of, path, problems);
        if (item)
            json_array_append_new(out, item);
        return out;
    }
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        json_t *p = with_step(path, json_integer((json_int_t)i));
        json_t *item = coerce(x, t->list_of, p, problems);
        json_decref(p);
        if (item)
            json_array_append_new(out, item);
    }
    return out;
}

static json_t *coerce_input(json_t *v, const gsim_stype *t, json_t *path,
                            json_t *problems)
{
    char text[120];
    if (!json_is_object(v)) {
        quoted(text, sizeof(text), v);
        problem(problems, path, "Expected %s to be a key-value object.", text);
        return NULL;
    }
    json_t *out = json_object();
    const char *key;
    json_t *x;
    json_object_foreach(v, key, x)
    {
        json_t *p = with_step(path, json_string(key));
        const gsim_sarg *f = gsim_stype_input_field(t, key);
        if (!f) {
            problem(problems, p, "Field is not defined on %s", t->name);
        } else {
            json_t *item = coerce(x, f->type, p, problems);
            if (item)
                json_object_set_new(out, key, item);
        }
        json_decref(p);
    }
    for (size_t i = 0; i < t->ninput_fields; i++) {
        const gsim_sarg *f = &t->input_fields[i];
        if (f->type->non_null && !f->has_default &&
            !json_object_get(v, f->name)) {
            json_t *p = with_step(path, json_string(f->name));
            problem(problems, p, "Expected value to not be null");
            json_decref(p);
        }
    }
    return out;
}

static json_t *coerce_scalar(json_t *v, const gsim_stype *t, json_t *path,
                             json_t *problems)
{
    const char *n = t->name;
    json_t *out = NULL;
    if (strcmp(n, "Int") == 0) {
        /* graphql-ruby takes only integers (5.0 is refused) in range. */
        if (json_is_integer(v) && json_integer_value(v) >= -2147483648LL &&
            json_integer_value(v) <= 2147483647LL)
            out = json_incref(v);
    } else if (strcmp(n, "Float") == 0) {
        if (json_is_number(v))
            out = json_real(json_number_value(v));
    } else if (strcmp(n, "String") == 0 || strcmp(n, "Boolean") == 0) {
        if (n[0] == 'S' ? json_is_string(v) : json_is_boolean(v))
            out = json_incref(v);
    } else if (strcmp(n, "ID") == 0) {
        if (json_is_string(v))
            out = json_incref(v);
        else if (json_is_integer(v))
            out = json_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else {
        out = json_incref(v); /* custom scalars: see validate_values.c */
    }
    if (!out) {
        char text[120];
        quoted(text, sizeof(text), v);
        problem(problems, path, "Could not coerce value %s to %s", text, n);
    }
    return out;
}

static json_t *coerce_enum(json_t *v, const gsim_stype *t, json_t *path,
                           json_t *problems)
{
    if (json_is_string(v) &&
        gsim_stype_enum_index(t, json_string_value(v)) >= 0)
        return json_incref(v);
    gs_buf values = GS_BUF_INIT;
    for (size_t i = 0; i < t->nenum_values; i++)
        gs_buf_printf(&values, "%s%s", i ? ", " : "", t->enum_values[i]);
    char text[120];
    quoted(text, sizeof(text), v);
    problem(problems, path, "Expected %s to be one of: %s", text,
            values.data ? values.data : "");
    gs_buf_free(&values);
    return NULL;
}

static json_t *coerce(json_t *v, const gsim_tref *t, json_t *path,
                      json_t *problems)
{
    if (json_is_null(v)) {
        if (!t->non_null)
            return json_null();
        problem(problems, path, "Expected value to not be null");
        return NULL;
    }
    if (t->list_of)
        return coerce_list(v, t, path, problems);
    switch (t->named->kind) {
    case GSIM_TK_ENUM:
        return coerce_enum(v, t->named, path, problems);
    case GSIM_TK_INPUT:
        return coerce_input(v, t->named, path, problems);
    default:
        return coerce_scalar(v, t->named, path, problems);
    }
}

/* graphql-ruby: "... was provided invalid value for 0.id (Expected value to
 * not be null), ..." naming each problem that has a path. */
static void variable_error(json_t *errors, const gql_var_def *d, json_t *value,
                           json_t *problems)
{
    gs_buf msg = GS_BUF_INIT;
    gs_buf_printf(&msg, "Variable $%s of type ", d->name);
    vtype_text(&msg, d->type);
    gs_buf_puts(&msg, " was provided invalid value");
    size_t i, named = 0;
    json_t *p;
    json_array_foreach(problems, i, p)
    {
        json_t *path = json_object_get(p, "path");
        if (!json_array_size(path))
            continue;
        gs_buf_puts(&msg, named++ ? ", " : " for ");
        size_t j;
        json_t *step;
        json_array_foreach(path, j, step)
        {
            if (j)
                gs_buf_puts(&msg, ".");
            if (json_is_integer(step))
                gs_buf_printf(&msg, "%" JSON_INTEGER_FORMAT,
                              json_integer_value(step));
            else
                gs_buf_puts(&msg, json_string_value(step));
        }
        gs_buf_printf(&msg, " (%s)",
                      json_string_value(json_object_get(p, "explanation")));
    }
    json_t *e = json_pack("{s:s,s:[{s:i,s:i}],s:{s:O,s:O}}", "message",
                          msg.data ? msg.data : "", "locations", "line",
                          d->line, "column", d->col, "extensions", "value",
                          value ? value : json_null(), "problems", problems);
    if (e)
        json_array_append_new(errors, e);
    else /* still an error: an invalid variable must not run */
        gsim_error_add(errors, msg.data ? msg.data : "invalid variable",
                       d->line, d->col);
    gs_buf_free(&msg);
}

size_t gsim_coerce_variables(json_t **out, const gql_operation *op,
                             json_t *given, json_t *errors)
{
    size_t count = 0;
    *out = json_object();
    for (const gql_var_def *d = op->var_defs; d; d = d->next) {
        const gsim_tref *type = d->tref;
        json_t *v =
            json_is_object(given) ? json_object_get(given, d->name) : NULL;
        if (!type)
            continue;
        if (!v && d->default_value) {
            json_t *dv = gsim_literal_json(d->default_value, type, NULL);
            if (dv)
                json_object_set_new(*out, d->name, dv);
            continue;
        }
        if (!v && !type->non_null)
            continue;
        json_t *problems = json_array();
        json_t *root = json_array();
        json_t *value = coerce(v ? v : json_null(), type, root, problems);
        if (json_array_size(problems)) {
            variable_error(errors, d, v, problems);
            count++;
            json_decref(value);
        } else if (value) {
            json_object_set_new(*out, d->name, value);
        }
        json_decref(root);
        json_decref(problems);
    }
    return count;
}

static json_t *number_json(const gql_value *v, const gsim_stype *t)
{
    if (t && strcmp(t->name, "ID") == 0)
        return json_string(v->text);
    if (v->kind == GQL_V_FLOAT || (t && strcmp(t->name, "Float") == 0))
        return json_real(strtod(v->text, NULL));
    char *end;
    errno = 0;
    long long n = strtoll(v->text, &end, 10);
    if (errno || *end) /* beyond 64 bits: only a custom scalar takes it */
        return json_real(strtod(v->text, NULL));
    return json_integer(n);
}

json_t *gsim_literal_json(const gql_value *v, const gsim_tref *type,
                          json_t *vars)
{
    json_t *out;
    if (v->kind == GQL_V_VARIABLE) {
        out = json_object_get(vars, v->text);
        return out ? json_incref(out) : NULL;
    }
    if (v->kind == GQL_V_NULL)
        return json_null();
    if (type && type->list_of && v->kind != GQL_V_LIST) {
        json_t *item = gsim_literal_json(v, type->list_of, vars);
        return item ? json_pack("[o]", item) : NULL;
    }
    const gsim_stype *named = type ? type->named : NULL;
    switch (v->kind) {
    case GQL_V_INT:
    case GQL_V_FLOAT:
        return number_json(v, named);
    case GQL_V_STRING:
    case GQL_V_ENUM:
        return json_string(v->text);
    case GQL_V_BOOLEAN:
        return json_boolean(v->boolean);
    case GQL_V_LIST:
        out = json_array();
        for (const gql_value *i = v->items; i; i = i->next) {
            json_t *x = gsim_literal_json(i, type ? type->list_of : NULL, vars);
            json_array_append_new(out, x ? x : json_null());
        }
        return out;
    case GQL_V_OBJECT:
        out = json_object();
        for (const gql_value *i = v->items; i; i = i->next) {
            const gsim_sarg *f = named && named->kind == GSIM_TK_INPUT
                                     ? gsim_stype_input_field(named, i->key)
                                     : NULL;
            json_t *x = gsim_literal_json(i, f ? f->type : NULL, vars);
            if (x)
                json_object_set_new(out, i->key, x);
        }
        return out;
    default:
        return json_null();
    }
}

/* Literal values against their input types (spec 5.6): scalars, enum
 * values, lists (a single value where a list is expected is a list of one,
 * #sec-List.Input-Coercion), input objects (known, unique and required
 * fields). Variables inside literals are checked by validate_vars.c. */
#include "validate_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int vint_in_range(const char *text)
{
    char *end;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    return errno == 0 && *end == '\0' && n >= -2147483648LL &&
           n <= 2147483647LL;
}

enum { LITERAL_TEXT_MAX = 200 };

static void put_string(gs_buf *out, const char *s)
{
    gs_buf_puts(out, "\"");
    for (; *s && out->len < LITERAL_TEXT_MAX; s++) {
        if (*s == '"' || *s == '\\')
            gs_buf_printf(out, "\\%c", *s);
        else if (*s == '\n')
            gs_buf_puts(out, "\\n");
        else if ((unsigned char)*s < 0x20)
            gs_buf_printf(out, "\\u%04x", (unsigned char)*s);
        else
            gs_buf_append(out, s, 1);
    }
    gs_buf_puts(out, "\"");
}

void vliteral_text(gs_buf *out, const gql_value *v)
{
    if (out->len >= LITERAL_TEXT_MAX) {
        gs_buf_puts(out, "...");
        return;
    }
    switch (v->kind) {
    case GQL_V_VARIABLE:
        gs_buf_printf(out, "$%s", v->text);
        break;
    case GQL_V_STRING:
        put_string(out, v->text);
        break;
    case GQL_V_BOOLEAN:
        gs_buf_puts(out, v->boolean ? "true" : "false");
        break;
    case GQL_V_NULL:
        gs_buf_puts(out, "null");
        break;
    case GQL_V_LIST:
    case GQL_V_OBJECT:
        gs_buf_puts(out, v->kind == GQL_V_LIST ? "[" : "{");
        for (const gql_value *i = v->items; i; i = i->next) {
            if (i != v->items)
                gs_buf_puts(out, ", ");
            if (v->kind == GQL_V_OBJECT)
                gs_buf_printf(out, "%s: ", i->key);
            vliteral_text(out, i);
            if (out->len >= LITERAL_TEXT_MAX)
                break;
        }
        gs_buf_puts(out, v->kind == GQL_V_LIST ? "]" : "}");
        break;
    default:
        gs_buf_puts(out, v->text);
        break;
    }
}

/* Custom scalars (CoreDate, CoreDateTime, BigInt, JSON...) take any
 * literal: their formats are not in the introspection, and graphql-js's
 * buildSchema accepts any literal for them too. The executor reads the
 * dates it needs and answers a bad one with an execution error. */
static int scalar_accepts(const gsim_stype *t, const gql_value *v)
{
    if (strcmp(t->name, "Int") == 0)
        return v->kind == GQL_V_INT && vint_in_range(v->text);
    if (strcmp(t->name, "Float") == 0)
        return v->kind == GQL_V_INT || v->kind == GQL_V_FLOAT;
    if (strcmp(t->name, "String") == 0)
        return v->kind == GQL_V_STRING;
    if (strcmp(t->name, "Boolean") == 0)
        return v->kind == GQL_V_BOOLEAN;
    if (strcmp(t->name, "ID") == 0)
        return v->kind == GQL_V_STRING || v->kind == GQL_V_INT;
    return 1;
}

static vlit worse(vlit a, vlit b)
{
    if (a == LIT_INVALID || b == LIT_INVALID)
        return LIT_INVALID;
    return a == LIT_REPORTED || b == LIT_REPORTED ? LIT_REPORTED : LIT_VALID;
}

static vlit check_member(vctx *c, const gql_value *m, const gsim_stype *type)
{
    const gsim_sarg *def = gsim_stype_input_field(type, m->key);
    if (!def) {
        verr(c, m->line, m->col, "argumentNotAccepted",
             "InputObject '%s' doesn't accept argument '%s'", type->name,
             m->key);
        return LIT_REPORTED;
    }
    vlit r = vcheck_literal(c, m, def->type);
    if (r != LIT_INVALID)
        return r;
    gs_buf text = GS_BUF_INIT, want = GS_BUF_INIT;
    vliteral_text(&text, m);
    verr(c, m->line, m->col, "argumentLiteralsIncompatible",
         "Argument '%s' on InputObject '%s' has an invalid value (%s). "
         "Expected type '%s'.",
         m->key, type->name, text.data ? text.data : "",
         vtref_text(&want, def->type));
    gs_buf_free(&want);
    gs_buf_free(&text);
    return LIT_REPORTED;
}

static vlit check_input_object(vctx *c, const gql_value *v,
                               const gsim_stype *type)
{
    vlit r = LIT_VALID;
    for (const gql_value *m = v->items; m; m = m->next) {
        int repeated = 0;
        for (const gql_value *e = v->items; e != m && !repeated; e = e->next)
            repeated = strcmp(e->key, m->key) == 0;
        if (repeated) {
            verr(c, m->line, m->col, "inputFieldNotUnique",
                 "There can be only one input field named \"%s\"", m->key);
            r = LIT_REPORTED;
            continue;
        }
        r = worse(r, check_member(c, m, type));
    }
    for (size_t i = 0; i < type->ninput_fields; i++) {
        const gsim_sarg *f = &type->input_fields[i];
        if (!f->type->non_null || f->has_default)
            continue;
        const gql_value *m = v->items;
        while (m && strcmp(m->key, f->name) != 0)
            m = m->next;
        if (!m) {
            gs_buf want = GS_BUF_INIT;
            verr(c, v->line, v->col, "missingRequiredInputObjectAttribute",
                 "Argument '%s' on InputObject '%s' is required. Expected "
                 "type %s",
                 f->name, type->name, vtref_text(&want, f->type));
            gs_buf_free(&want);
            r = LIT_REPORTED;
        }
    }
    return r;
}

vlit vcheck_literal(vctx *c, const gql_value *v, const gsim_tref *type)
{
    if (v->kind == GQL_V_VARIABLE)
        return LIT_VALID;
    if (v->kind == GQL_V_NULL)
        return type->non_null ? LIT_INVALID : LIT_VALID;
    if (type->list_of) {
        if (v->kind != GQL_V_LIST)
            return vcheck_literal(c, v, type->list_of);
        vlit r = LIT_VALID;
        for (const gql_value *i = v->items; i; i = i->next)
            r = worse(r, vcheck_literal(c, i, type->list_of));
        return r;
    }
    const gsim_stype *t = type->named;
    switch (t->kind) {
    case GSIM_TK_SCALAR:
        return scalar_accepts(t, v) ? LIT_VALID : LIT_INVALID;
    case GSIM_TK_ENUM:
        return v->kind == GQL_V_ENUM && gsim_stype_enum_index(t, v->text) >= 0
                   ? LIT_VALID
                   : LIT_INVALID;
    case GSIM_TK_INPUT:
        return v->kind == GQL_V_OBJECT ? check_input_object(c, v, t)
                                       : LIT_INVALID;
    default:
        return LIT_INVALID;
    }
}

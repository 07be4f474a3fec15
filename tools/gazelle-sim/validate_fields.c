/* Selection sets (spec 5.3, 5.5.2.3): fields exist on their parent type,
 * leaf fields have no selections and object fields have some; arguments
 * (5.4): defined, unique, required ones present, literal values of the
 * right type; directives (5.7): defined, in a valid location, unique.
 * Messages are graphql-ruby's (lib/graphql/static_validation/rules). */
#include "validate_internal.h"

#include <string.h>

void vcheck_arguments(vctx *c, gql_argument *args, const gsim_sarg *defs,
                      size_t ndefs, const char *kind, const char *owner,
                      const char *node_name, int line, int col)
{
    for (gql_argument *a = args; a; a = a->next) {
        int repeated = 0;
        for (gql_argument *b = args; b != a && !repeated; b = b->next)
            repeated = strcmp(a->name, b->name) == 0;
        if (repeated) {
            verr(c, a->line, a->col, "argumentNotUnique",
                 "There can be only one argument named \"%s\"", a->name);
            continue;
        }
        const gsim_sarg *def = gsim_sarg_find(defs, ndefs, a->name);
        if (!def) {
            verr(c, a->line, a->col, "argumentNotAccepted",
                 "%s '%s' doesn't accept argument '%s'", kind, owner, a->name);
            continue;
        }
        vpath_push(c, a->name);
        if (vcheck_literal(c, a->value, def->type) == LIT_INVALID) {
            gs_buf text = GS_BUF_INIT, type = GS_BUF_INIT;
            vliteral_text(&text, a->value);
            verr(c, line, col, "argumentLiteralsIncompatible",
                 "Argument '%s' on %s '%s' has an invalid value (%s). "
                 "Expected type '%s'.",
                 a->name, kind, owner, text.data ? text.data : "",
                 vtref_text(&type, def->type));
            gs_buf_free(&type);
            gs_buf_free(&text);
        }
        vpath_pop(c);
    }
    gs_buf missing = GS_BUF_INIT;
    for (size_t i = 0; i < ndefs; i++) {
        if (!defs[i].type->non_null || defs[i].has_default)
            continue;
        const gql_argument *a = args;
        while (a && strcmp(a->name, defs[i].name) != 0)
            a = a->next;
        if (!a)
            gs_buf_printf(&missing, "%s%s", missing.len ? ", " : "",
                          defs[i].name);
    }
    if (missing.len)
        verr(c, line, col, "missingRequiredArguments",
             "%s '%s' is missing required arguments: %s", kind, node_name,
             missing.data);
    gs_buf_free(&missing);
}

void vcheck_directives(vctx *c, gql_directive *d, const char *location,
                       int allowed)
{
    for (gql_directive *first = d; d; d = d->next) {
        if (strcmp(d->name, "include") != 0 && strcmp(d->name, "skip") != 0) {
            verr(c, d->line, d->col, "undefinedDirective",
                 "Directive @%s is not defined", d->name);
            continue;
        }
        if (!allowed)
            verr(c, d->line, d->col, "directiveCannotBeApplied",
                 "'@%s' can't be applied to %s (allowed: fields, fragment "
                 "spreads, inline fragments)",
                 d->name, location);
        for (gql_directive *e = first; e != d; e = e->next)
            if (strcmp(e->name, d->name) == 0) {
                verr(c, d->line, d->col, "directiveNotUniqueForLocation",
                     "The directive \"%s\" can only be used once at this "
                     "location.",
                     d->name);
                break;
            }
        vcheck_arguments(c, d->args, &c->if_arg, 1, "Directive", d->name,
                         d->name, d->line, d->col);
    }
}

/* graphql-ruby lists the selections it refuses: ["id", "name"]. */
static void selection_names(gs_buf *out, const gql_field *set)
{
    for (const gql_field *s = set; s; s = s->next) {
        if (out->len)
            gs_buf_puts(out, ", ");
        if (s->kind == GQL_SEL_INLINE)
            gs_buf_printf(out, "\"... on %s { ... }\"",
                          s->type_cond ? s->type_cond : "?");
        else
            gs_buf_printf(out, "\"%s\"", s->name);
    }
}

static void check_leaf(vctx *c, gql_field *f, const gsim_stype *type)
{
    if (type->kind == GSIM_TK_OBJECT) {
        if (!f->has_selection_set)
            verr(c, f->line, f->col, "selectionMismatch",
                 "Field must have selections (field '%s' returns %s but has "
                 "no selections. Did you mean '%s { ... }'?)",
                 f->name, type->name, f->name);
        else
            vcheck_selections(c, f->selections, type);
        return;
    }
    if (f->has_selection_set) {
        gs_buf names = GS_BUF_INIT;
        selection_names(&names, f->selections);
        verr(c, f->line, f->col, "selectionMismatch",
             "Selections can't be made on %s (field '%s' returns %s but has "
             "selections [%s])",
             type->kind == GSIM_TK_ENUM ? "enums" : "scalars", f->name,
             type->name, names.data ? names.data : "");
        gs_buf_free(&names);
    }
}

static void check_field(vctx *c, gql_field *f, const gsim_stype *parent)
{
    f->parent = parent;
    f->def = NULL;
    vpath_push(c, gql_field_key(f));
    vcheck_directives(c, f->directives, "fields", 1);
    if (strcmp(f->name, "__typename") == 0) {
        vcheck_arguments(c, f->args, NULL, 0, "Field", gql_field_key(f),
                         f->name, f->line, f->col);
        check_leaf(c, f, gsim_schema_type(c->schema, "String"));
        goto done;
    }
    if (parent == c->schema->query &&
        (strcmp(f->name, "__schema") == 0 || strcmp(f->name, "__type") == 0)) {
        /* A documented departure (README, Validation): graphql-js and
         * graphql-ruby answer introspection; the simulator points at the
         * schema file instead of serving half of it. */
        verr(c, f->line, f->col, "introspectionNotSimulated",
             "gazelle-sim does not simulate introspection ('%s'): the "
             "schema is schema/gazelle.graphql",
             f->name);
        goto done;
    }
    const gsim_sfield *def = gsim_stype_field(parent, f->name);
    if (!def) {
        verr(c, f->line, f->col, "undefinedField",
             "Field '%s' doesn't exist on type '%s'", f->name, parent->name);
        goto done;
    }
    f->def = def;
    vcheck_arguments(c, f->args, def->args, def->nargs, "Field",
                     gql_field_key(f), f->name, f->line, f->col);
    check_leaf(c, f, gsim_tref_named(def->type));
done:
    vpath_pop(c);
}

const gsim_stype *vcondition_type(vctx *c, const char *name, int line, int col)
{
    const gsim_stype *t = gsim_schema_type(c->schema, name);
    if (!t)
        verr(c, line, col, "undefinedType",
             "No such type %s, so it can't be a fragment condition", name);
    else if (t->kind != GSIM_TK_OBJECT)
        verr(c, line, col, "fragmentOnNonCompositeType",
             "Invalid fragment on type %s (must be Union, Interface or "
             "Object)",
             name);
    else
        return t;
    return NULL;
}

static void check_spread(vctx *c, gql_field *s, const gsim_stype *parent)
{
    vcheck_directives(c, s->directives, "fragment spreads", 1);
    vfrag *f = vfrag_find(c, s->name);
    if (!f) {
        verr(c, s->line, s->col, "useAndDefineFragment",
             "Fragment %s was used, but not defined", s->name);
        return;
    }
    if (f->type && f->type != parent)
        verr(c, s->line, s->col, "cannotSpreadFragment",
             "Fragment %s on %s can't be spread inside %s", s->name,
             f->type->name, parent->name);
}

static void check_inline(vctx *c, gql_field *s, const gsim_stype *parent)
{
    vcheck_directives(c, s->directives, "inline fragments", 1);
    const gsim_stype *type = parent;
    /* With object types only, `... on T` inside parent needs T == parent. */
    if (s->type_cond) {
        type = vcondition_type(c, s->type_cond, s->line, s->col);
        if (!type)
            return;
        if (type != parent) {
            verr(c, s->line, s->col, "cannotSpreadFragment",
                 "Fragment on %s can't be spread inside %s", type->name,
                 parent->name);
            return;
        }
    }
    vcheck_selections(c, s->selections, type);
}

void vcheck_selections(vctx *c, gql_field *set, const gsim_stype *parent)
{
    for (gql_field *s = set; s; s = s->next) {
        switch (s->kind) {
        case GQL_SEL_FIELD:
            check_field(c, s, parent);
            break;
        case GQL_SEL_SPREAD:
            check_spread(c, s, parent);
            break;
        case GQL_SEL_INLINE:
            check_inline(c, s, parent);
            break;
        }
    }
}

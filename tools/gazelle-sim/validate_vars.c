/* Variables of one operation (spec 5.8): unique names, input types that
 * exist, defaults of their type, every use declared and allowed where it
 * stands (#sec-All-Variable-Usages-Are-Allowed), every declaration used.
 * Uses are found in the operation and in every fragment it reaches,
 * each fragment walked once per operation. */
#include "validate_internal.h"

#include <string.h>

void vtype_text(gs_buf *out, const gql_type *t)
{
    if (t->list_of) {
        gs_buf_puts(out, "[");
        vtype_text(out, t->list_of);
        gs_buf_puts(out, "]");
    } else {
        gs_buf_puts(out, t->name);
    }
    if (t->non_null)
        gs_buf_puts(out, "!");
}

const char *vtref_text(gs_buf *out, const gsim_tref *r)
{
    if (gsim_tref_text(out, r) != 0)
        return "(type text out of memory)";
    return out->data;
}

/* The schema's view of a declared type; NULL when its named type is
 * unknown or an object type (errors added). */
static const gsim_tref *resolve_type(vctx *c, const gql_var_def *d,
                                     const gql_type *t)
{
    gsim_tref *r = gsim_arena_alloc(c->arena, sizeof(*r));
    if (!r)
        return NULL;
    r->non_null = t->non_null;
    if (t->list_of) {
        r->list_of = resolve_type(c, d, t->list_of);
        return r->list_of ? r : NULL;
    }
    r->named = gsim_schema_type(c->schema, t->name);
    if (r->named && r->named->kind != GSIM_TK_OBJECT)
        return r;
    gs_buf text = GS_BUF_INIT;
    vtype_text(&text, d->type);
    verr(c, d->line, d->col, "variableRequiresValidType",
         r->named ? "%s isn't a valid input type (on $%s)"
                  : "%s isn't a defined input type (on $%s)",
         text.data ? text.data : "", d->name);
    gs_buf_free(&text);
    return NULL;
}

static void check_definition(vctx *c, gql_var_def *d, vvar *v)
{
    for (gql_var_def *e = c->op->var_defs; e != d; e = e->next)
        if (strcmp(e->name, d->name) == 0) {
            verr(c, d->line, d->col, "variableNotUnique",
                 "There can only be one variable named \"%s\"", d->name);
            break;
        }
    vcheck_directives(c, d->directives, "variable definitions", 0);
    const gsim_tref *type = resolve_type(c, d, d->type);
    d->tref = type;
    v->def = d;
    v->type = type;
    if (type && d->default_value &&
        vcheck_literal(c, d->default_value, type) == LIT_INVALID) {
        gs_buf want = GS_BUF_INIT;
        verr(c, d->line, d->col, "defaultValueInvalidType",
             "Default value for $%s doesn't match type %s", d->name,
             vtref_text(&want, type));
        gs_buf_free(&want);
    }
}

/* AreTypesCompatible(variableType, locationType); the non-null flags are
 * passed apart because a gsim_tref carries its own. */
static int compatible(const gsim_tref *var, int var_nn, const gsim_tref *loc,
                      int loc_nn)
{
    if (loc_nn) {
        if (!var_nn)
            return 0;
        return compatible(var, 0, loc, 0);
    }
    if (var_nn)
        return compatible(var, 0, loc, 0);
    if (loc->list_of) {
        if (!var->list_of)
            return 0;
        return compatible(var->list_of, var->list_of->non_null, loc->list_of,
                          loc->list_of->non_null);
    }
    if (var->list_of)
        return 0;
    return var->named == loc->named;
}

static int list_depth(const gsim_tref *t)
{
    int n = 0;
    for (; t->list_of; t = t->list_of)
        n++;
    return n;
}

static int allowed(const vvar *v, const gsim_tref *loc, int loc_default)
{
    const gsim_tref *var = v->type;
    if (loc->non_null && !var->non_null) {
        const gql_value *dv = v->def->default_value;
        int non_null_default = dv && dv->kind != GQL_V_NULL;
        if (!non_null_default && !loc_default)
            return 0;
        return compatible(var, var->non_null, loc, 0);
    }
    return compatible(var, var->non_null, loc, loc->non_null);
}

static void use_variable(vctx *c, const gql_value *v, const gsim_tref *loc,
                         int loc_default, const char *arg)
{
    vvar *var = NULL;
    for (size_t i = 0; i < c->nvars && !var; i++)
        if (strcmp(c->vars[i].def->name, v->text) == 0)
            var = &c->vars[i];
    if (!var) {
        verr(c, v->line, v->col, "variableNotDefined",
             "Variable $%s is used by %s but not declared", v->text,
             c->op_label);
        return;
    }
    var->used = 1;
    if (!loc || !var->type || allowed(var, loc, loc_default))
        return;
    /* graphql-ruby names the first difference it sees, in this order. */
    const char *what = "Nullability mismatch";
    if (gsim_tref_named(var->type) != gsim_tref_named(loc))
        what = "Type mismatch";
    else if (list_depth(var->type) != list_depth(loc))
        what = "List dimension mismatch";
    gs_buf var_type = GS_BUF_INIT, loc_type = GS_BUF_INIT;
    verr(c, v->line, v->col, "variableMismatch",
         "%s on variable $%s and argument %s (%s / %s)", what, v->text, arg,
         vtref_text(&var_type, var->type), vtref_text(&loc_type, loc));
    gs_buf_free(&loc_type);
    gs_buf_free(&var_type);
}

/* Walks a value standing where type loc is expected (NULL: unknown, then
 * only declarations are checked). */
static void walk_value(vctx *c, const gql_value *v, const gsim_tref *loc,
                       int loc_default, const char *arg)
{
    if (v->kind == GQL_V_VARIABLE) {
        use_variable(c, v, loc, loc_default, arg);
        return;
    }
    if (loc && loc->list_of && v->kind != GQL_V_LIST) {
        walk_value(c, v, loc->list_of, 0, arg);
        return;
    }
    for (const gql_value *i = v->items; i; i = i->next) {
        const gsim_tref *item = NULL;
        int item_default = 0;
        const char *name = arg;
        if (v->kind == GQL_V_LIST) {
            item = loc ? loc->list_of : NULL;
        } else if (loc && loc->named && loc->named->kind == GSIM_TK_INPUT) {
            const gsim_sarg *f = gsim_stype_input_field(loc->named, i->key);
            item = f ? f->type : NULL;
            item_default = f ? f->has_default : 0;
            name = i->key;
        }
        walk_value(c, i, item, item_default, name);
    }
}

static void walk_arguments(vctx *c, const gql_argument *args,
                           const gsim_sarg *defs, size_t ndefs)
{
    for (const gql_argument *a = args; a; a = a->next) {
        const gsim_sarg *def = gsim_sarg_find(defs, ndefs, a->name);
        walk_value(c, a->value, def ? def->type : NULL,
                   def ? def->has_default : 0, a->name);
    }
}

static void walk_set(vctx *c, const gql_field *set)
{
    for (const gql_field *s = set; s; s = s->next) {
        for (const gql_directive *d = s->directives; d; d = d->next)
            walk_arguments(c, d->args, &c->if_arg, 1);
        if (s->kind == GQL_SEL_FIELD) {
            const gsim_sfield *def = s->def;
            walk_arguments(c, s->args, def ? def->args : NULL,
                           def ? def->nargs : 0);
            walk_set(c, s->selections);
        } else if (s->kind == GQL_SEL_INLINE) {
            walk_set(c, s->selections);
        } else {
            vfrag *f = vfrag_find(c, s->name);
            if (!f)
                continue;
            f->used = 1;
            if (f->visited == c->op_number)
                continue;
            f->visited = c->op_number;
            walk_set(c, f->frag->selections);
        }
    }
}

void vcheck_variables(vctx *c, gql_operation *op, const char *op_label)
{
    size_t n = 0, i = 0;
    c->op = op;
    c->op_label = op_label;
    for (gql_var_def *d = op->var_defs; d; d = d->next)
        n++;
    c->vars = n ? gsim_arena_alloc(c->arena, n * sizeof(*c->vars)) : NULL;
    c->nvars = c->vars ? n : 0;
    for (gql_var_def *d = op->var_defs; d && c->vars; d = d->next)
        check_definition(c, d, &c->vars[i++]);
    walk_set(c, op->selections);
    for (i = 0; i < c->nvars; i++)
        if (!c->vars[i].used)
            verr(c, c->vars[i].def->line, c->vars[i].def->col,
                 "variableNotUsed",
                 "Variable $%s is declared by %s but not used",
                 c->vars[i].def->name, op_label);
    c->op = NULL;
    c->vars = NULL;
    c->nvars = 0;
}

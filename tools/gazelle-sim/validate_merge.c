/* Field collection (spec 6.3.2 CollectFields) with fragments expanded and
 * fields of one response key merged, used twice:
 * - statically, ignoring directives, for OverlappingFieldsCanBeMerged
 *   (5.3.2): with object types only, fields sharing a response key must
 *   have the same name and the same arguments, and their sub-selections
 *   must merge in turn;
 * - at execution, honouring @skip/@include, to give the executor plain
 *   field lists with one field per response key (no fragments, no
 *   duplicates), the way an executor's CollectFields would. */
#include "validate_internal.h"

#include <string.h>

typedef struct source source;
struct source {
    gql_field *field;
    source *next;
};

typedef struct {
    const char *key;
    source *head, *tail;
} group;

typedef struct {
    group *items;
    size_t n, cap;
} groups;

static int values_equal(const gql_value *a, const gql_value *b);

static const gql_value *member(const gql_value *obj, const char *key)
{
    for (const gql_value *m = obj->items; m; m = m->next)
        if (strcmp(m->key, key) == 0)
            return m;
    return NULL;
}

static int values_equal(const gql_value *a, const gql_value *b)
{
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case GQL_V_NULL:
        return 1;
    case GQL_V_BOOLEAN:
        return a->boolean == b->boolean;
    case GQL_V_LIST:
        for (a = a->items, b = b->items; a && b; a = a->next, b = b->next)
            if (!values_equal(a, b))
                return 0;
        return !a && !b;
    case GQL_V_OBJECT: {
        size_t na = 0, nb = 0;
        for (const gql_value *m = a->items; m; m = m->next, na++) {
            const gql_value *o = member(b, m->key);
            if (!o || !values_equal(m, o))
                return 0;
        }
        for (const gql_value *m = b->items; m; m = m->next)
            nb++;
        return na == nb;
    }
    default:
        return strcmp(a->text, b->text) == 0;
    }
}

static int same_arguments(const gql_field *a, const gql_field *b)
{
    size_t na = 0, nb = 0;
    for (const gql_argument *x = a->args; x; x = x->next, na++) {
        const gql_argument *y = b->args;
        while (y && strcmp(y->name, x->name) != 0)
            y = y->next;
        if (!y || !values_equal(x->value, y->value))
            return 0;
    }
    for (const gql_argument *y = b->args; y; y = y->next)
        nb++;
    return na == nb;
}

static void arguments_text(gs_buf *out, const gql_field *f)
{
    gs_buf_puts(out, "{");
    for (const gql_argument *a = f->args; a; a = a->next) {
        gs_buf_printf(out, "%s%s: ", a == f->args ? "" : ", ", a->name);
        vliteral_text(out, a->value);
    }
    gs_buf_puts(out, "}");
}

/* The @skip/@include verdict; directives were validated, so `if` is a
 * Boolean literal or a coerced Boolean! variable. */
static int skipped(const gql_field *s, json_t *vars)
{
    for (const gql_directive *d = s->directives; d; d = d->next) {
        int skip = strcmp(d->name, "skip") == 0;
        if (!skip && strcmp(d->name, "include") != 0)
            continue;
        const gql_value *v = d->args ? d->args->value : NULL;
        int cond = 0;
        if (v && v->kind == GQL_V_BOOLEAN)
            cond = v->boolean;
        else if (v && v->kind == GQL_V_VARIABLE)
            cond = json_is_true(json_object_get(vars, v->text));
        if (skip == cond)
            return 1;
    }
    return 0;
}

static int add_field(vctx *c, groups *gs, gql_field *f)
{
    group *g = NULL;
    const char *key = gql_field_key(f);
    for (size_t i = 0; i < gs->n && !g; i++)
        if (strcmp(gs->items[i].key, key) == 0)
            g = &gs->items[i];
    if (!g) {
        if (gs->n == gs->cap) {
            size_t cap = gs->cap ? gs->cap * 2 : 16;
            group *items = gsim_arena_alloc(c->arena, cap * sizeof(*items));
            if (!items)
                return -1;
            if (gs->n)
                memcpy(items, gs->items, gs->n * sizeof(*items));
            gs->items = items;
            gs->cap = cap;
        }
        g = &gs->items[gs->n++];
        g->key = key;
        g->head = g->tail = NULL;
    }
    source *s = gsim_arena_alloc(c->arena, sizeof(*s));
    if (!s)
        return -1;
    s->field = f;
    if (g->tail)
        g->tail->next = s;
    else
        g->head = s;
    g->tail = s;
    return 0;
}

static int collect(vctx *c, groups *gs, gql_field *set, json_t *vars)
{
    for (gql_field *s = set; s; s = s->next) {
        if (vars && skipped(s, vars))
            continue;
        if (s->kind == GQL_SEL_FIELD) {
            if (c->budget == 0) {
                if (!c->over_budget)
                    verr(c, s->line, s->col, "tooManyFields",
                         "The document selects more than %d fields once "
                         "its fragments are expanded",
                         VFIELD_BUDGET);
                c->over_budget = 1;
                return -1;
            }
            c->budget--;
            if (add_field(c, gs, s) != 0)
                return -1;
        } else if (s->kind == GQL_SEL_INLINE) {
            if (collect(c, gs, s->selections, vars) != 0)
                return -1;
        } else {
            vfrag *f = vfrag_find(c, s->name);
            if (f && collect(c, gs, f->frag->selections, vars) != 0)
                return -1;
        }
    }
    return 0;
}

static void check_group(vctx *c, const group *g)
{
    const gql_field *first = g->head->field;
    for (const source *s = g->head->next; s; s = s->next) {
        const gql_field *f = s->field;
        json_t *e = NULL;
        if (strcmp(f->name, first->name) != 0) {
            e = verr(c, first->line, first->col, "fieldConflict",
                     "Field '%s' has a field conflict: %s or %s?", g->key,
                     first->name, f->name);
        } else if (!same_arguments(first, f)) {
            gs_buf a = GS_BUF_INIT, b = GS_BUF_INIT;
            arguments_text(&a, first);
            arguments_text(&b, f);
            e = verr(c, first->line, first->col, "fieldConflict",
                     "Field '%s' has an argument conflict: %s or %s?", g->key,
                     a.data ? a.data : "", b.data ? b.data : "");
            gs_buf_free(&a);
            gs_buf_free(&b);
        }
        if (e) {
            verr_add_location(e, f->line, f->col);
            return; /* one conflict per key is enough to read */
        }
    }
}

static gql_field *build(vctx *c, groups *gs, json_t *vars)
{
    gql_field *head = NULL, **tail = &head;
    for (size_t i = 0; i < gs->n && !c->over_budget; i++) {
        const group *g = &gs->items[i];
        if (!vars)
            check_group(c, g);
        gql_field *f = gsim_arena_alloc(c->arena, sizeof(*f));
        if (!f) {
            verr(c, 0, 0, "outOfMemory", "Out of memory.");
            return NULL;
        }
        *f = *g->head->field;
        f->next = NULL;
        f->duplicate = 0;
        f->selections = NULL;
        if (f->has_selection_set) {
            groups sub = {NULL, 0, 0};
            for (const source *s = g->head; s; s = s->next)
                if (collect(c, &sub, s->field->selections, vars) != 0)
                    return NULL;
            f->selections = build(c, &sub, vars);
        }
        *tail = f;
        tail = &f->next;
    }
    return head;
}

gql_field *vflatten(vctx *c, gql_field *set, json_t *vars)
{
    groups gs = {NULL, 0, 0};
    if (collect(c, &gs, set, vars) != 0)
        return NULL;
    return build(c, &gs, vars);
}

/* Fragment definitions (spec 5.5): unique names, type conditions that
 * exist and are object types, bodies valid on their type, no cycles, each
 * one used. Spreads are checked where they stand (validate_fields.c). */
#include "validate_internal.h"

#include <stdlib.h>
#include <string.h>

static int by_name(const void *a, const void *b)
{
    return strcmp(((const vfrag *)a)->frag->name,
                  ((const vfrag *)b)->frag->name);
}

vfrag *vfrag_find(vctx *c, const char *name)
{
    gql_fragment key = {0};
    vfrag k = {0};
    key.name = name;
    k.frag = &key;
    if (!c->nfrags)
        return NULL;
    return bsearch(&k, c->frags, c->nfrags, sizeof(*c->frags), by_name);
}

static int find_cycles(vctx *c, vfrag *f, const gql_field *set);

static int visit(vctx *c, vfrag *f)
{
    int cycles = 0;
    f->state = 1;
    cycles = find_cycles(c, f, f->frag->selections);
    f->state = 2;
    return cycles;
}

/* Depth-first through the spreads; a spread of a fragment still on the
 * path closes a loop. */
static int find_cycles(vctx *c, vfrag *f, const gql_field *set)
{
    int cycles = 0;
    for (const gql_field *s = set; s; s = s->next) {
        if (s->kind != GQL_SEL_SPREAD) {
            cycles |= find_cycles(c, f, s->selections);
            continue;
        }
        vfrag *target = vfrag_find(c, s->name);
        if (!target)
            continue;
        if (target->state == 1) {
            verr(c, target->frag->line, target->frag->col, "infiniteLoop",
                 "Fragment %s contains an infinite loop", target->frag->name);
            cycles = 1;
        } else if (target->state == 0) {
            cycles |= visit(c, target);
        }
    }
    return cycles;
}

int vcheck_fragments(vctx *c)
{
    size_t n = 0, i = 0;
    for (gql_fragment *f = c->doc->fragments; f; f = f->next)
        n++;
    if (!n)
        return 0;
    c->frags = gsim_arena_alloc(c->arena, n * sizeof(*c->frags));
    if (!c->frags) {
        verr(c, 0, 0, "outOfMemory", "Out of memory.");
        return 1;
    }
    for (gql_fragment *f = c->doc->fragments; f; f = f->next) {
        for (gql_fragment *e = c->doc->fragments; e != f; e = e->next)
            if (strcmp(e->name, f->name) == 0) {
                verr(c, f->line, f->col, "fragmentNotUnique",
                     "Fragment name \"%s\" must be unique", f->name);
                break;
            }
        c->frags[i++].frag = f;
    }
    c->nfrags = n;
    qsort(c->frags, n, sizeof(*c->frags), by_name);
    for (i = 0; i < n; i++) {
        vfrag *f = &c->frags[i];
        const char *label =
            gsim_arena_printf(c->arena, "fragment %s", f->frag->name);
        vpath_push(c, label ? label : "fragment");
        vcheck_directives(c, f->frag->directives, "fragment definitions", 0);
        f->type =
            vcondition_type(c, f->frag->type_cond, f->frag->line, f->frag->col);
        if (f->type)
            vcheck_selections(c, f->frag->selections, f->type);
        vpath_pop(c);
    }
    int cycles = 0;
    for (i = 0; i < n; i++)
        if (c->frags[i].state == 0)
            cycles |= visit(c, &c->frags[i]);
    return cycles;
}

void vcheck_unused_fragments(vctx *c)
{
    for (gql_fragment *f = c->doc->fragments; f; f = f->next) {
        vfrag *v = vfrag_find(c, f->name);
        if (v && v->frag == f && !v->used)
            verr(c, f->line, f->col, "useAndDefineFragment",
                 "Fragment %s was defined, but not used", f->name);
    }
}

/* Binding the resolver tables to the schema: once, at start, each table
 * entry (type name, field name) is looked up in the schema and its
 * function stored at the field's index, so execution finds a field's
 * resolver by pointer arithmetic on the definition validation attached. A
 * table naming a type or field the schema lacks fails the start: the
 * simulator must never model something the real API does not have. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve_internal.h"

static struct {
    const gsim_schema *schema;
    gsim_resolver **by_type;     /* [ntypes]: NULL or [nfields] */
    gsim_default_kind *defaults; /* [ntypes] */
    const gsim_stype *kinds[GSIM_KIND_COUNT];
} bound;

static const char *const kind_types[GSIM_KIND_COUNT] = {
    [GSIM_USER] = "PrivateUser",
    [GSIM_CLIENT] = "PrivateClient",
    [GSIM_PIANO] = "PrivatePiano",
    [GSIM_EVENT] = "PrivateEvent",
    [GSIM_TIMELINE] = "PrivateTimelineEntry",
    [GSIM_CONTACT] = "PrivateContact",
    [GSIM_INVOICE] = "PrivateInvoice",
    [GSIM_ESTIMATE] = "PrivateEstimate",
    [GSIM_EVENT_PIANO] = "PrivateEventPiano",
};

static gsim_default_kind scalar_default(const gsim_stype *t)
{
    static const struct {
        const char *name;
        gsim_default_kind kind;
    } named[] = {
        {"Boolean", GSIM_DEFAULT_FALSE},     {"Int", GSIM_DEFAULT_ZERO},
        {"Float", GSIM_DEFAULT_ZERO},        {"BigInt", GSIM_DEFAULT_ZERO},
        {"CoreDateTime", GSIM_DEFAULT_TIME}, {"CoreDate", GSIM_DEFAULT_DAY},
        {"ISO8601Date", GSIM_DEFAULT_DAY},   {"JSON", GSIM_DEFAULT_OBJECT},
    };
    if (t->kind != GSIM_TK_SCALAR)
        return GSIM_DEFAULT_NULL;
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        if (strcmp(t->name, named[i].name) == 0)
            return named[i].kind;
    return GSIM_DEFAULT_EMPTY;
}

static int bind_table(const gsim_type_resolvers *table)
{
    const gsim_schema *s = bound.schema;
    const gsim_stype *t = gsim_schema_type(s, table->type);
    if (!t || t->kind != GSIM_TK_OBJECT) {
        fprintf(stderr, "gazelle-sim: the schema has no object type %s\n",
                table->type);
        return -1;
    }
    size_t ti = (size_t)(t - s->types);
    if (!bound.by_type[ti]) {
        bound.by_type[ti] =
            calloc(t->nfields ? t->nfields : 1, sizeof(gsim_resolver));
        if (!bound.by_type[ti])
            return -1;
    }
    for (size_t i = 0; i < table->count; i++) {
        const gsim_sfield *f = gsim_stype_field(t, table->fields[i].field);
        if (!f) {
            fprintf(stderr, "gazelle-sim: the schema has no field %s.%s\n",
                    table->type, table->fields[i].field);
            return -1;
        }
        bound.by_type[ti][f - t->fields] = table->fields[i].fn;
    }
    return 0;
}

int gsim_resolve_bind(const gsim_schema *schema)
{
    static const struct {
        const gsim_type_resolvers *tables;
        const size_t *count;
    } all[] = {
        {gsim_root_resolvers, &gsim_root_resolver_count},
        {gsim_client_resolvers, &gsim_client_resolver_count},
        {gsim_row_resolvers, &gsim_row_resolver_count},
        {gsim_page_resolvers, &gsim_page_resolver_count},
    };
    gsim_resolve_unbind();
    if (!schema)
        return -1;
    bound.schema = schema;
    bound.by_type = calloc(schema->ntypes, sizeof(*bound.by_type));
    bound.defaults = calloc(schema->ntypes, sizeof(*bound.defaults));
    if (!bound.by_type || !bound.defaults)
        goto fail;
    for (size_t i = 0; i < schema->ntypes; i++)
        bound.defaults[i] = scalar_default(&schema->types[i]);
    for (size_t a = 0; a < sizeof(all) / sizeof(all[0]); a++)
        for (size_t i = 0; i < *all[a].count; i++)
            if (bind_table(&all[a].tables[i]) != 0)
                goto fail;
    for (int k = 0; k < GSIM_KIND_COUNT; k++) {
        bound.kinds[k] = gsim_schema_type(schema, kind_types[k]);
        if (!bound.kinds[k]) {
            fprintf(stderr, "gazelle-sim: the schema has no type %s\n",
                    kind_types[k]);
            goto fail;
        }
    }
    return 0;
fail:
    gsim_resolve_unbind();
    return -1;
}

void gsim_resolve_unbind(void)
{
    if (bound.by_type)
        for (size_t i = 0; i < bound.schema->ntypes; i++)
            free(bound.by_type[i]);
    free(bound.by_type);
    free(bound.defaults);
    memset(&bound, 0, sizeof(bound));
}

static int in_schema(const gsim_stype *t)
{
    return bound.schema && t >= bound.schema->types &&
           t < bound.schema->types + bound.schema->ntypes;
}

gsim_resolver gsim_resolver_of(const gsim_stype *t, const gsim_sfield *def)
{
    if (!in_schema(t))
        return NULL;
    gsim_resolver *fields = bound.by_type[t - bound.schema->types];
    if (!fields || def < t->fields || def >= t->fields + t->nfields)
        return NULL;
    return fields[def - t->fields];
}

gsim_default_kind gsim_default_of(const gsim_stype *scalar)
{
    return in_schema(scalar) ? bound.defaults[scalar - bound.schema->types]
                             : GSIM_DEFAULT_EMPTY;
}

const gsim_stype *gsim_type_of_kind(gsim_kind kind)
{
    return bound.kinds[kind];
}

const gsim_schema *gsim_bound_schema(void)
{
    return bound.schema;
}

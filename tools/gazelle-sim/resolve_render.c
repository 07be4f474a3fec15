/* The walker: an object is its selected fields in order, each written by
 * its bound resolver when the object has a source and the field is
 * modelled, else by the default of its type. */
#include <string.h>

#include "resolve_internal.h"
#include "validate.h"

int gsim_skipped(const gsim_exec *ex, const gql_field *f)
{
    for (const gql_directive *d = f->directives; d; d = d->next) {
        json_t *v = NULL;
        for (const gql_argument *a = d->args; a && !v; a = a->next)
            if (strcmp(a->name, "if") == 0)
                v = gsim_value_json(a->value, ex->vars);
        int on = v && json_is_true(v);
        json_decref(v);
        if (strcmp(d->name, "skip") == 0 ? on : !on)
            return 1;
    }
    return 0;
}

static void render_scalar_default(gsim_out *o, const gsim_stype *t)
{
    if (t->kind == GSIM_TK_ENUM) {
        gsim_out_str(o, t->nenum_values ? t->enum_values[0] : "");
        return;
    }
    switch (gsim_default_of(t)) {
    case GSIM_DEFAULT_FALSE:
        gsim_out_puts(o, "false");
        break;
    case GSIM_DEFAULT_ZERO:
        gsim_out_puts(o, "0");
        break;
    case GSIM_DEFAULT_TIME:
        gsim_out_puts(o, "\"1970-01-01T00:00:00Z\"");
        break;
    case GSIM_DEFAULT_DAY:
        gsim_out_puts(o, "\"1970-01-01\"");
        break;
    case GSIM_DEFAULT_OBJECT:
        gsim_out_puts(o, "{}");
        break;
    default:
        gsim_out_puts(o, "\"\"");
        break;
    }
}

void gsim_render_default(gsim_exec *ex, const gsim_tref *type,
                         const gql_field *set)
{
    if (!type->non_null)
        gsim_out_puts(ex->out, "null");
    else if (type->list_of)
        gsim_out_puts(ex->out, "[]");
    else if (type->named->kind == GSIM_TK_OBJECT)
        gsim_render_object(ex, type->named, NULL, set);
    else
        render_scalar_default(ex->out, type->named);
}

void gsim_render_object(gsim_exec *ex, const gsim_stype *t, const gsim_src *src,
                        const gql_field *set)
{
    gsim_out *o = ex->out;
    int first = 1;
    gsim_out_raw(o, "{", 1);
    for (const gql_field *f = set; f; f = f->next) {
        if (f->duplicate || (f->directives && gsim_skipped(ex, f)))
            continue;
        gsim_out_key(o, &first, gql_field_key(f));
        const gsim_sfield *def = gsim_def(f);
        if (!def) { /* __typename */
            gsim_out_str(o, t->name);
            continue;
        }
        gsim_resolver fn = src ? gsim_resolver_of(t, def) : NULL;
        if (fn)
            fn(ex, src, f);
        else
            gsim_render_default(ex, def->type, f->selections);
    }
    gsim_out_raw(o, "}", 1);
}

void gsim_render_child(gsim_exec *ex, const gql_field *f, const gsim_src *child)
{
    const gsim_sfield *def = gsim_def(f);
    if (!child && !def->type->non_null)
        gsim_out_puts(ex->out, "null");
    else
        gsim_render_object(ex, gsim_tref_named(def->type), child,
                           f->selections);
}

gsim_src gsim_src_of(const gsim_dataset *ds, gsim_kind kind, uint32_t row)
{
    gsim_src s = {NULL, 0};
    switch (kind) {
    case GSIM_USER:
        s.row = &ds->users.rows[row];
        break;
    case GSIM_CLIENT:
        s.row = &ds->clients.rows[row];
        break;
    case GSIM_PIANO:
        s.row = &ds->pianos.rows[row];
        break;
    case GSIM_EVENT:
        s.row = &ds->events.rows[row];
        break;
    case GSIM_TIMELINE:
        s.row = &ds->timeline.rows[row];
        break;
    case GSIM_CONTACT:
        s.row = &ds->contacts.rows[row];
        break;
    default:
        break;
    }
    return s;
}

void gsim_render_ref(gsim_exec *ex, const gql_field *f, gsim_kind kind,
                     int64_t row)
{
    gsim_src s;
    if (row >= 0)
        s = gsim_src_of(ex->ds, kind, (uint32_t)row);
    gsim_render_child(ex, f, row >= 0 ? &s : NULL);
}

void gsim_render_row(gsim_exec *ex, gsim_kind kind, uint32_t row,
                     const gql_field *selections)
{
    gsim_src s = gsim_src_of(ex->ds, kind, row);
    gsim_render_object(ex, gsim_type_of_kind(kind), &s, selections);
}

int gsim_execute(gsim_exec *ex, const gql_operation *op)
{
    /* The server binds at start, before any thread runs; a single-threaded
     * caller (a test, the fuzz target) may leave it to the first request. */
    if (!gsim_bound_schema())
        gsim_resolve_bind(gsim_schema_gazelle());
    const gsim_schema *schema = gsim_bound_schema();
    if (op->kind != GQL_OP_QUERY || !schema) {
        gsim_error_add(ex->errors,
                       "gazelle-sim serves queries only; mutations and "
                       "subscriptions are not simulated.",
                       op->line, op->col);
        return -1;
    }
    gsim_src root = {ex->ds, 0};
    gsim_render_object(ex, schema->query, &root, op->selections);
    return ex->failed ? -1 : 0;
}

void gsim_out_time(gsim_out *o, gsim_time t)
{
    char text[24];
    gsim_time_format(text, t);
    gsim_out_str(o, text);
}

void gsim_out_day(gsim_out *o, int64_t day)
{
    char text[16];
    if (day == GSIM_NO_DAY) {
        gsim_out_puts(o, "null");
        return;
    }
    gsim_day_format(text, day);
    gsim_out_str(o, text);
}

void gsim_out_id(gsim_out *o, gsim_kind kind, uint64_t id)
{
    char text[32];
    gsim_id_format(text, kind, id);
    gsim_out_str(o, text);
}

void gsim_out_tags(gsim_out *o, uint32_t tags, const char *const *names,
                   size_t count)
{
    int first = 1;
    gsim_out_raw(o, "[", 1);
    for (size_t t = 0; t < count; t++) {
        if (!(tags & (1u << t)))
            continue;
        if (!first)
            gsim_out_raw(o, ",", 1);
        first = 0;
        gsim_out_str(o, names[t]);
    }
    gsim_out_raw(o, "]", 1);
}

void gsim_out_int_or_null(gsim_out *o, int64_t v)
{
    if (v)
        gsim_out_int(o, v);
    else
        gsim_out_puts(o, "null");
}

/* Arguments: AST values to JSON (variables substituted), ids to rows, and
 * the arguments of a connection (paging, sort, filters) to a page query.
 *
 * Validation has already checked names and types, so this reads what it
 * models and ignores the rest: an argument or filter key the schema has
 * and the simulator does not model is accepted and has no effect (see the
 * README). Only values validation cannot judge fail here: cursors, and
 * CoreDate / CoreDateTime text (custom scalars). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve_internal.h"
#include "validate.h"

json_t *gsim_value_json(const gql_value *v, json_t *vars)
{
    json_t *out, *item;
    switch (v->kind) {
    case GQL_V_VARIABLE:
        item = json_object_get(vars, v->text);
        return item ? json_incref(item) : json_null();
    case GQL_V_INT: {
        char *end;
        errno = 0;
        long long n = strtoll(v->text, &end, 10);
        if (errno || *end)
            return json_real(strtod(v->text, NULL));
        return json_integer(n);
    }
    case GQL_V_FLOAT:
        return json_real(strtod(v->text, NULL));
    case GQL_V_STRING:
    case GQL_V_ENUM:
        return json_string(v->text);
    case GQL_V_BOOLEAN:
        return json_boolean(v->boolean);
    case GQL_V_NULL:
        return json_null();
    case GQL_V_LIST:
        out = json_array();
        for (const gql_value *i = v->items; i; i = i->next)
            json_array_append_new(out, gsim_value_json(i, vars));
        return out;
    case GQL_V_OBJECT:
        out = json_object();
        for (const gql_value *i = v->items; i; i = i->next)
            json_object_set_new(out, i->key, gsim_value_json(i, vars));
        return out;
    }
    return json_null();
}

json_t *gsim_arg(const gsim_exec *ex, const gql_field *f, const char *name)
{
    for (const gql_argument *a = f->args; a; a = a->next)
        if (strcmp(a->name, name) == 0)
            return gsim_value_json(a->value, ex->vars);
    return NULL;
}

void gsim_exec_error(gsim_exec *ex, const gql_field *f, const char *msg)
{
    gsim_error_add(ex->errors, msg, f->line, f->col);
    ex->failed = 1;
}

static int row_live(const gsim_dataset *ds, gsim_kind kind, int64_t row)
{
    switch (kind) {
    case GSIM_CLIENT:
        return !ds->clients.rows[row].deleted;
    case GSIM_PIANO:
        return !ds->pianos.rows[row].deleted;
    case GSIM_CONTACT:
        return !ds->clients.rows[ds->contacts.rows[row].client].deleted;
    default:
        return 1;
    }
}

int64_t gsim_id_text_row(const gsim_dataset *ds, gsim_kind kind,
                         const char *text)
{
    uint64_t id = text ? gsim_id_parse(kind, text) : 0;
    int64_t row = id ? gsim_id_row(ds, kind, id) : -1;
    return row >= 0 && row_live(ds, kind, row) ? row : -2;
}

int64_t gsim_arg_row(gsim_exec *ex, const gql_field *f, const char *name,
                     gsim_kind kind)
{
    json_t *v = gsim_arg(ex, f, name);
    int64_t row = -1;
    if (json_is_string(v))
        row = gsim_id_text_row(ex->ds, kind, json_string_value(v));
    json_decref(v);
    return row;
}

/* ---- page queries ---- */

/* Only CREATED_AT (clients, pianos) and START (events) are modelled, and
 * the list's kind already chose that key; any other value of the enum
 * pages in the same order with its own direction, a stable order rather
 * than an error. So a value only decides the direction. */
static void sort_from(gsim_page_query *q, json_t *v)
{
    /* Input coercion lets one value stand for a list of one; of a longer
     * list the first value decides (later ones would break its ties, and
     * ties here are broken by id). */
    if (json_is_array(v))
        v = json_array_get(v, 0);
    const char *s = json_string_value(v);
    if (!s)
        return;
    size_t len = strlen(s);
    q->desc = len > 5 && strcmp(s + len - 5, "_DESC") == 0;
}

/* A string or list of strings argument into a list filter. kind is the id
 * kind, or GSIM_KIND_COUNT for enum values. */
static int list_from(gsim_list_filter *lf, json_t *v, gsim_exec *ex,
                     gsim_kind kind)
{
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    if (json_is_null(v) || n == 0)
        return 0;
    free(lf->rows);
    free(lf->values);
    lf->rows = calloc(n, sizeof(*lf->rows));
    lf->values = calloc(n, sizeof(*lf->values));
    if (!lf->rows || !lf->values)
        return -1;
    lf->on = 1;
    lf->count = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_is_array(v) ? json_array_get(v, i) : v;
        const char *s = json_string_value(item);
        if (!s)
            continue;
        lf->values[lf->count] = s;
        lf->rows[lf->count] =
            kind == GSIM_KIND_COUNT ? -2 : gsim_id_text_row(ex->ds, kind, s);
        lf->count++;
    }
    return 0;
}

static int day_from(gsim_exec *ex, const gql_field *f, const char *name,
                    json_t *v, int64_t *day, int upper)
{
    int64_t d;
    const char *s = json_string_value(v);
    if (json_is_null(v))
        return 0;
    if (!s || gsim_day_parse(&d, s) != 0) {
        char msg[200];
        snprintf(msg, sizeof(msg),
                 "Argument '%s' has an invalid value: \"%s\" is not a "
                 "CoreDate (YYYY-MM-DD).",
                 name, s ? s : "(not a string)");
        gsim_exec_error(ex, f, msg);
        return -1;
    }
    if (upper ? d < *day : d > *day)
        *day = d;
    return 0;
}

/* One argument or filter member. The names are the schema's; each lives
 * on the input types of the lists that have it. */
static int apply(gsim_exec *ex, const gql_field *f, gsim_page_query *q,
                 const char *name, json_t *v)
{
    static const char *const lower[] = {"createdGet", "startOn", "dateGet"};
    static const char *const upper[] = {"createdLet", "endOn", "dateLet"};
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(name, lower[i]) == 0)
            return day_from(ex, f, name, v, &q->day_lo, 0);
        if (strcmp(name, upper[i]) == 0)
            return day_from(ex, f, name, v, &q->day_hi, 1);
    }
    if (strcmp(name, "clientId") == 0)
        return list_from(&q->client, v, ex, GSIM_CLIENT);
    if (strcmp(name, "pianoId") == 0)
        return list_from(&q->piano, v, ex, GSIM_PIANO);
    if (strcmp(name, "userId") == 0)
        return list_from(&q->user, v, ex, GSIM_USER);
    if (strcmp(name, "type") == 0 || strcmp(name, "types") == 0)
        return list_from(&q->type, v, ex, GSIM_KIND_COUNT);
    if (strcmp(name, "status") == 0)
        return list_from(&q->status, v, ex, GSIM_KIND_COUNT);
    if (strcmp(name, "includeArchived") == 0) {
        q->include_archived = json_is_true(v);
        return 0;
    }
    if (strcmp(name, "occurredAtGet") == 0 && !json_is_null(v)) {
        const char *s = json_string_value(v);
        if (!s || gsim_time_parse(&q->time_lo, s) != 0) {
            char msg[200];
            snprintf(msg, sizeof(msg),
                     "Argument 'occurredAtGet' has an invalid value: \"%s\" "
                     "is not a CoreDateTime (2026-01-21T15:00:00Z).",
                     s ? s : "(not a string)");
            gsim_exec_error(ex, f, msg);
            return -1;
        }
        q->has_time_lo = 1;
    }
    return 0;
}

static void defaults_for(gsim_page_query *q, gsim_kind kind)
{
    memset(q, 0, sizeof(*q));
    q->kind = kind;
    q->first = GSIM_PAGE_DEFAULT;
    q->day_lo = INT64_MIN;
    q->day_hi = INT64_MAX;
    q->sort = GSIM_KEY_CREATED;
    if (kind == GSIM_EVENT) {
        q->sort = GSIM_KEY_START; /* the calendar's order */
    } else if (kind == GSIM_TIMELINE) {
        q->sort = GSIM_KEY_START; /* newest history first, as Gazelle's */
        q->desc = 1;              /* timeline reads; no sortBy exists */
    }
}

static int read_count(gsim_exec *ex, const gql_field *f, const char *name,
                      json_t *v, int *given, int64_t *count)
{
    if (!json_is_integer(v))
        return 0;
    json_int_t n = json_integer_value(v);
    if (n < 0) {
        char msg[80];
        snprintf(msg, sizeof(msg), "Argument '%s' must be >= 0.", name);
        gsim_exec_error(ex, f, msg);
        return -1;
    }
    *given = 1;
    *count = n > GSIM_PAGE_MAX ? GSIM_PAGE_MAX : n;
    return 0;
}

static int read_cursor(gsim_exec *ex, const gql_field *f, json_t *v,
                       const gsim_page_query *q, int *given, int64_t *key,
                       uint64_t *id)
{
    const char *s = json_string_value(v);
    if (!s)
        return 0;
    *given = 1;
    if (gsim_cursor_decode(s, q->kind, q->sort, key, id) == 0)
        return 0;
    char msg[256];
    snprintf(msg, sizeof(msg),
             "Invalid cursor \"%.120s\" for this connection and sort order.",
             s);
    gsim_exec_error(ex, f, msg);
    return -1;
}

int gsim_page_query_read(gsim_exec *ex, const gql_field *f, gsim_kind kind,
                         int64_t parent, gsim_page_query *q)
{
    defaults_for(q, kind);
    q->parent = parent;
    q->held = json_array();
    if (!q->held)
        return -1;
    json_t *first = NULL, *last = NULL, *after = NULL, *before = NULL;
    int rc = 0;
    for (const gql_argument *a = f->args; a && rc == 0; a = a->next) {
        json_t *v = gsim_value_json(a->value, ex->vars);
        json_array_append_new(q->held, v);
        if (strcmp(a->name, "first") == 0)
            first = v;
        else if (strcmp(a->name, "last") == 0)
            last = v;
        else if (strcmp(a->name, "after") == 0)
            after = v;
        else if (strcmp(a->name, "before") == 0)
            before = v;
        else if (strcmp(a->name, "sortBy") == 0)
            sort_from(q, v);
        else if (strcmp(a->name, "filters") == 0) {
            const char *key;
            json_t *member;
            json_object_foreach(v, key, member)
            {
                if (apply(ex, f, q, key, member) != 0) {
                    rc = -1;
                    break;
                }
            }
        } else if (apply(ex, f, q, a->name, v) != 0) {
            rc = -1;
        }
    }
    /* Cursors last: they name a place in the order sortBy chose. */
    if (rc == 0)
        rc = read_count(ex, f, "first", first, &q->has_first, &q->first);
    if (rc == 0)
        rc = read_count(ex, f, "last", last, &q->has_last, &q->last);
    if (rc == 0)
        rc = read_cursor(ex, f, after, q, &q->has_after, &q->after_key,
                         &q->after_id);
    if (rc == 0)
        rc = read_cursor(ex, f, before, q, &q->has_before, &q->before_key,
                         &q->before_id);
    return rc;
}

void gsim_page_query_free(gsim_page_query *q)
{
    gsim_list_filter *lists[] = {&q->client, &q->piano, &q->user, &q->type,
                                 &q->status};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        free(lists[i]->rows);
        free(lists[i]->values);
    }
    json_decref(q->held);
    memset(q, 0, sizeof(*q));
}

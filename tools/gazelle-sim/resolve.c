#include "resolve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "schema.h"

enum { PAGE_MAX = 200, PAGE_DEFAULT = 100 };

typedef struct {
    gsim_kind kind;
    gsim_sort_key sort;
    int desc;
    int64_t first;
    int has_after;
    int64_t after_key;
    uint64_t after_id;
    int64_t day_lo, day_hi;     /* events: start day range, inclusive */
    uint32_t type_mask;         /* events: bit per event type, 0 = all */
    int has_client;
    int64_t client;             /* row; -2 matches nothing */
    int has_occurred_min;
    gsim_time occurred_min;     /* timeline */
} page_query;

typedef struct {
    uint32_t rows[PAGE_MAX];
    int64_t keys[PAGE_MAX];
    size_t count;
    int has_next;
} page;

static const char *const event_types[] = {"APPOINTMENT", "PERSONAL", "MEMO",
                                          "SYNCED"};

/* ---- arguments ---- */

static json_t *value_json(const gql_value *v, json_t *vars)
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
            json_array_append_new(out, value_json(i, vars));
        return out;
    case GQL_V_OBJECT:
        out = json_object();
        for (const gql_value *i = v->items; i; i = i->next)
            json_object_set_new(out, i->key, value_json(i, vars));
        return out;
    }
    return json_null();
}

static json_t *arg_json(const gql_field *f, const char *name, json_t *vars)
{
    for (const gql_argument *a = f->args; a; a = a->next)
        if (strcmp(a->name, name) == 0)
            return value_json(a->value, vars);
    return NULL;
}

static int arg_error(gsim_exec *ex, const gql_field *f, const char *fmt,
                     const char *what)
{
    char msg[256];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(msg, sizeof(msg), fmt, what);
#pragma GCC diagnostic pop
    gsim_error_add(ex->errors, msg, f->line, f->col);
    return -1;
}

static int parse_sort(gsim_exec *ex, const gql_field *f, page_query *q,
                      json_t *value, const char *enum_name)
{
    if (json_is_array(value)) {
        if (json_array_size(value) > 1)
            return arg_error(ex, f, "gazelle-sim honours a single %s value.",
                             enum_name);
        value = json_array_get(value, 0);
    }
    if (!value || json_is_null(value))
        return 0;
    const char *s = json_string_value(value);
    static const struct {
        const char *name;
        gsim_sort_key key;
        int desc;
    } sorts[] = {{"CREATED_AT_ASC", GSIM_KEY_CREATED, 0},
                 {"CREATED_AT_DESC", GSIM_KEY_CREATED, 1},
                 {"UPDATED_AT_ASC", GSIM_KEY_UPDATED, 0},
                 {"UPDATED_AT_DESC", GSIM_KEY_UPDATED, 1},
                 {"START_ASC", GSIM_KEY_START, 0},
                 {"START_DESC", GSIM_KEY_START, 1}};
    for (size_t i = 0; s && i < sizeof(sorts) / sizeof(sorts[0]); i++) {
        if (strcmp(s, sorts[i].name) != 0)
            continue;
        if (sorts[i].key == GSIM_KEY_START && q->kind != GSIM_EVENT)
            break;
        q->sort = sorts[i].key;
        q->desc = sorts[i].desc;
        return 0;
    }
    char msg[200];
    snprintf(msg, sizeof(msg), "Value \"%s\" does not exist in \"%s\" enum.",
             s ? s : "(not a string)", enum_name);
    gsim_error_add(ex->errors, msg, f->line, f->col);
    return -1;
}

static int parse_day(gsim_exec *ex, const gql_field *f, json_t *v,
                     int64_t *day, const char *name)
{
    const char *s = json_string_value(v);
    if (!s || gsim_day_parse(day, s) != 0)
        return arg_error(ex, f,
                         "Filter \"%s\" expects a CoreDate (YYYY-MM-DD).",
                         name);
    return 0;
}

static int parse_client_id(gsim_exec *ex, const gql_field *f, json_t *v,
                           page_query *q)
{
    if (json_is_null(v))
        return 0;
    const char *s = json_string_value(v);
    if (!s)
        return arg_error(ex, f, "Argument \"%s\" expects an ID string.",
                         "clientId");
    q->has_client = 1;
    uint64_t id = gsim_id_parse(GSIM_CLIENT, s);
    q->client = id ? gsim_id_row(ex->ds, GSIM_CLIENT, id) : -1;
    if (q->client < 0)
        q->client = -2; /* unknown ids match nothing, not the null client */
    return 0;
}

static int parse_filters(gsim_exec *ex, const gql_field *f, page_query *q,
                         json_t *filters)
{
    const char *key;
    json_t *v;
    if (json_is_null(filters))
        return 0;
    if (!json_is_object(filters))
        return arg_error(ex, f, "Argument \"%s\" expects an input object.",
                         "filters");
    json_object_foreach(filters, key, v) {
        int64_t day;
        if (json_is_null(v))
            continue;
        if (strcmp(key, "startOn") == 0 || strcmp(key, "dateGet") == 0) {
            if (parse_day(ex, f, v, &day, key))
                return -1;
            if (day > q->day_lo)
                q->day_lo = day;
        } else if (strcmp(key, "endOn") == 0 || strcmp(key, "dateLet") == 0) {
            if (parse_day(ex, f, v, &day, key))
                return -1;
            if (day < q->day_hi)
                q->day_hi = day;
        } else if (strcmp(key, "type") == 0) {
            json_t *one = v;
            size_t i = 0, n = json_is_array(v) ? json_array_size(v) : 1;
            for (; i < n; i++) {
                if (json_is_array(v))
                    one = json_array_get(v, i);
                const char *s = json_string_value(one);
                size_t t = 0;
                while (s && t < 4 && strcmp(s, event_types[t]) != 0)
                    t++;
                if (!s || t == 4)
                    return arg_error(ex, f,
                                     "Value \"%s\" does not exist in "
                                     "\"EventType\" enum.",
                                     s ? s : "(not a string)");
                q->type_mask |= 1u << t;
            }
        } else if (strcmp(key, "clientId") == 0) {
            if (parse_client_id(ex, f, v, q))
                return -1;
        } else {
            return arg_error(ex, f,
                             "Field \"%s\" is not defined by type "
                             "\"PrivateAllEventsFilter\".",
                             key);
        }
    }
    return 0;
}

/* Reads the arguments of a connection field into q; -1 after adding an
 * error. */
static int parse_page_query(gsim_exec *ex, const gql_field *f, page_query *q)
{
    const gsim_field_def *def = f->def;
    memset(q, 0, sizeof(*q));
    q->first = PAGE_DEFAULT;
    q->day_lo = INT64_MIN;
    q->day_hi = INT64_MAX;
    q->sort = GSIM_KEY_CREATED;
    switch (def->id) {
    case F_ALL_USERS: q->kind = GSIM_USER; break;
    case F_ALL_CLIENTS: q->kind = GSIM_CLIENT; break;
    case F_ALL_PIANOS: q->kind = GSIM_PIANO; break;
    case F_ALL_EVENTS:
        q->kind = GSIM_EVENT;
        q->sort = GSIM_KEY_START; /* the calendar's natural order */
        break;
    default:
        q->kind = GSIM_TIMELINE;
        /* Newest history first, as Gazelle's timeline reads. */
        q->sort = GSIM_KEY_START;
        q->desc = 1;
        break;
    }
    int rc = 0;
    json_t *v;
    if ((v = arg_json(f, "first", ex->vars))) {
        if (json_is_integer(v) && json_integer_value(v) >= 0)
            q->first = json_integer_value(v) > PAGE_MAX ? PAGE_MAX
                                                       : json_integer_value(v);
        else if (!json_is_null(v))
            rc = arg_error(ex, f, "Argument \"%s\" expects a non-negative Int.",
                           "first");
        json_decref(v);
    }
    if (rc == 0 && (v = arg_json(f, "sortBy", ex->vars))) {
        static const char *const enums[] = {"UserSort", "ClientSort",
                                            "PianoSort", "EventSort"};
        rc = parse_sort(ex, f, q, v, enums[q->kind]);
        json_decref(v);
    }
    if (rc == 0 && (v = arg_json(f, "after", ex->vars))) {
        const char *s = json_string_value(v);
        if (s) {
            q->has_after = 1;
            if (gsim_cursor_decode(s, q->kind, q->sort, &q->after_key,
                                   &q->after_id) != 0)
                rc = arg_error(ex, f,
                               "Invalid cursor \"%s\" for this connection and "
                               "sort order.",
                               s);
        } else if (!json_is_null(v)) {
            rc = arg_error(ex, f, "Argument \"%s\" expects a String.", "after");
        }
        json_decref(v);
    }
    if (rc == 0 && (v = arg_json(f, "filters", ex->vars))) {
        rc = parse_filters(ex, f, q, v);
        json_decref(v);
    }
    if (rc == 0 && (v = arg_json(f, "clientId", ex->vars))) {
        rc = parse_client_id(ex, f, v, q);
        json_decref(v);
    }
    if (rc == 0 && (v = arg_json(f, "occurredAtGet", ex->vars))) {
        const char *s = json_string_value(v);
        if (s && gsim_time_parse(&q->occurred_min, s) == 0)
            q->has_occurred_min = 1;
        else if (!json_is_null(v))
            rc = arg_error(ex, f,
                           "Argument \"%s\" expects a CoreDateTime "
                           "(2026-01-21T15:00:00Z).",
                           "occurredAtGet");
        json_decref(v);
    }
    return rc;
}

/* ---- paging ---- */

static int matches(const gsim_dataset *ds, const page_query *q, uint32_t row)
{
    if (q->kind == GSIM_EVENT) {
        const gsim_event *e = &ds->events.rows[row];
        int64_t day = gsim_day_of(e->start);
        if (day < q->day_lo || day > q->day_hi)
            return 0;
        if (q->type_mask) {
            size_t t = 0;
            while (t < 4 && strcmp(e->type, event_types[t]) != 0)
                t++;
            if (t == 4 || !(q->type_mask & (1u << t)))
                return 0;
        }
        if (q->has_client && e->client != q->client)
            return 0;
    } else if (q->kind == GSIM_TIMELINE) {
        const gsim_timeline *t = &ds->timeline.rows[row];
        if (q->has_occurred_min && t->occurred_at < q->occurred_min)
            return 0;
        if (q->has_client && t->client != q->client)
            return 0;
    }
    return 1;
}

/* First index whose (key, id) is greater than (key, id) when strictly,
 * else greater or equal. */
static size_t lower_bound(const gsim_order *o, int64_t key, uint64_t id,
                          int strictly)
{
    size_t lo = 0, hi = o->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const gsim_sort_entry *e = &o->entries[mid];
        int before = e->key < key || (e->key == key &&
                                      (strictly ? e->id <= id : e->id < id));
        if (before)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int run_page(gsim_exec *ex, const page_query *q, page *pg)
{
    const gsim_order *o = gsim_order_get(ex->ds, q->kind, q->sort);
    if (!o)
        return -1;
    /* The filters that bound the sort key itself narrow the scan to a
     * range found by binary search: a date window over years of events
     * costs a few comparisons, not a walk. */
    size_t lo = 0, hi = o->count;
    if (q->sort == GSIM_KEY_START && q->kind == GSIM_EVENT) {
        if (q->day_lo != INT64_MIN)
            lo = lower_bound(o, q->day_lo * 86400, 0, 0);
        if (q->day_hi != INT64_MAX)
            hi = lower_bound(o, (q->day_hi + 1) * 86400, 0, 0);
    } else if (q->sort == GSIM_KEY_START && q->has_occurred_min) {
        lo = lower_bound(o, q->occurred_min, 0, 0);
    }
    if (q->has_after) {
        size_t at = lower_bound(o, q->after_key, q->after_id, !q->desc);
        if (!q->desc && at > lo)
            lo = at;
        if (q->desc && at < hi)
            hi = at;
    }
    pg->count = 0;
    pg->has_next = 0;
    if (lo >= hi)
        return 0;
    size_t i = q->desc ? hi : lo;
    for (;;) {
        if (q->desc ? i == lo : i == hi)
            break;
        const gsim_sort_entry *e = q->desc ? &o->entries[--i] : &o->entries[i++];
        if (!matches(ex->ds, q, e->row))
            continue;
        if (pg->count == (size_t)q->first) {
            pg->has_next = 1;
            break;
        }
        pg->rows[pg->count] = e->row;
        pg->keys[pg->count] = e->key;
        pg->count++;
    }
    return 0;
}

/* ---- rendering ---- */

static int skipped(const gsim_exec *ex, const gql_field *f)
{
    for (const gql_directive *d = f->directives; d; d = d->next) {
        json_t *v = d->args ? value_json(d->args->value, ex->vars) : NULL;
        int on = v && json_is_true(v);
        json_decref(v);
        if (strcmp(d->name, "skip") == 0 ? on : !on)
            return 1;
    }
    return 0;
}

#define EACH_FIELD(ex, set, f, first)                                       \
    for (const gql_field *f = (set); f; f = f->next)                        \
        if (!f->duplicate && !skipped((ex), f) &&                           \
            (gsim_out_key((ex)->out, &(first), gql_field_key(f)), 1))

static void out_time(gsim_out *o, gsim_time t)
{
    char text[24];
    gsim_time_format(text, t);
    gsim_out_str(o, text);
}

static void out_day(gsim_out *o, int64_t day)
{
    char text[16];
    if (day == GSIM_NO_DAY) {
        gsim_out_puts(o, "null");
        return;
    }
    gsim_day_format(text, day);
    gsim_out_str(o, text);
}

static void out_id(gsim_out *o, gsim_kind kind, uint64_t id)
{
    char text[32];
    gsim_id_format(text, kind, id);
    gsim_out_str(o, text);
}

static void out_tags(gsim_out *o, uint32_t tags, const char *const *names,
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

static void typename_of(gsim_out *o, const gql_field *f, gsim_type type)
{
    (void)f;
    gsim_out_str(o, gsim_types[type].name);
}

static void render_user(gsim_exec *ex, uint32_t row, const gql_field *set);
static void render_client(gsim_exec *ex, uint32_t row, const gql_field *set);
static void render_piano(gsim_exec *ex, uint32_t row, const gql_field *set);

static void render_ref(gsim_exec *ex, gsim_kind kind, int64_t row,
                       const gql_field *set)
{
    if (row < 0) {
        gsim_out_puts(ex->out, "null");
        return;
    }
    gsim_render_row(ex, kind, (uint32_t)row, set);
}

static void render_user(gsim_exec *ex, uint32_t row, const gql_field *set)
{
    const gsim_user *u = &ex->ds->users.rows[row];
    gsim_out *o = ex->out;
    int first = 1;
    gsim_out_raw(o, "{", 1);
    EACH_FIELD(ex, set, f, first)
    {
        switch (((const gsim_field_def *)f->def)->id) {
        case F_ID: out_id(o, GSIM_USER, u->id); break;
        case F_FIRST_NAME: gsim_out_str(o, u->first_name); break;
        case F_LAST_NAME: gsim_out_str(o, u->last_name); break;
        case F_EMAIL: gsim_out_str(o, u->email); break;
        case F_PHONE: gsim_out_str(o, u->phone); break;
        case F_ROLE: gsim_out_str(o, u->role); break;
        case F_CREATED_AT: out_time(o, u->created_at); break;
        case F_UPDATED_AT: out_time(o, u->updated_at); break;
        default: typename_of(o, f, T_USER); break;
        }
    }
    gsim_out_raw(o, "}", 1);
}

static void render_contact(gsim_exec *ex, const gsim_contact *k,
                           const gql_field *set)
{
    gsim_out *o = ex->out;
    int first = 1;
    gsim_out_raw(o, "{", 1);
    EACH_FIELD(ex, set, f, first)
    {
        const gql_field *sub = f->selections;
        int inner = 1;
        switch (((const gsim_field_def *)f->def)->id) {
        case F_ID: out_id(o, GSIM_CONTACT, k->id); break;
        case F_FIRST_NAME: gsim_out_str(o, k->first_name); break;
        case F_LAST_NAME: gsim_out_str(o, k->last_name); break;
        case F_TITLE: gsim_out_str(o, k->title); break;
        case F_DEFAULT_EMAIL:
            if (!k->email) {
                gsim_out_puts(o, "null");
                break;
            }
            gsim_out_raw(o, "{", 1);
            EACH_FIELD(ex, sub, g, inner)
            {
                if (((const gsim_field_def *)g->def)->id == F_EMAIL)
                    gsim_out_str(o, k->email);
                else
                    typename_of(o, g, T_EMAIL);
            }
            gsim_out_raw(o, "}", 1);
            break;
        case F_DEFAULT_PHONE:
            if (!k->phone) {
                gsim_out_puts(o, "null");
                break;
            }
            gsim_out_raw(o, "{", 1);
            EACH_FIELD(ex, sub, g, inner)
            {
                if (((const gsim_field_def *)g->def)->id == F_PHONE_NUMBER)
                    gsim_out_str(o, k->phone);
                else
                    typename_of(o, g, T_PHONE);
            }
            gsim_out_raw(o, "}", 1);
            break;
        case F_DEFAULT_LOCATION:
            if (!k->has_location) {
                gsim_out_puts(o, "null");
                break;
            }
            gsim_out_raw(o, "{", 1);
            EACH_FIELD(ex, sub, g, inner)
            {
                switch (((const gsim_field_def *)g->def)->id) {
                case F_STREET1: gsim_out_str(o, k->street1); break;
                case F_STREET2: gsim_out_str(o, k->street2); break;
                case F_MUNICIPALITY: gsim_out_str(o, k->municipality); break;
                case F_POSTAL_CODE: gsim_out_str(o, k->postal_code); break;
                case F_REGION: gsim_out_str(o, k->region); break;
                default: typename_of(o, g, T_LOCATION); break;
                }
            }
            gsim_out_raw(o, "}", 1);
            break;
        default: typename_of(o, f, T_CONTACT); break;
        }
    }
    gsim_out_raw(o, "}", 1);
}

static void render_client(gsim_exec *ex, uint32_t row, const gql_field *set)
{
    const gsim_client *c = &ex->ds->clients.rows[row];
    gsim_out *o = ex->out;
    int first = 1;
    gsim_out_raw(o, "{", 1);
    EACH_FIELD(ex, set, f, first)
    {
        int inner = 1;
        switch (((const gsim_field_def *)f->def)->id) {
        case F_ID: out_id(o, GSIM_CLIENT, c->id); break;
        case F_COMPANY_NAME: gsim_out_str(o, c->company_name); break;
        case F_STATUS: gsim_out_str(o, c->status); break;
        case F_TAGS:
            out_tags(o, c->tags, gsim_client_tags, gsim_client_tag_count);
            break;
        case F_CLIENT_TYPE: gsim_out_str(o, c->client_type); break;
        case F_PERSONAL_NOTES: gsim_out_str(o, c->personal_notes); break;
        case F_PREFERENCE_NOTES: gsim_out_str(o, c->preference_notes); break;
        case F_PREFERRED_TECHNICIAN_ID:
            if (c->preferred_tech < 0)
                gsim_out_puts(o, "null");
            else
                out_id(o, GSIM_USER, ex->ds->users.rows[c->preferred_tech].id);
            break;
        case F_LIFECYCLE_STATE: gsim_out_str(o, c->lifecycle_state); break;
        case F_REFERRED_BY: gsim_out_str(o, c->referred_by); break;
        case F_NO_CONTACT_UNTIL: out_day(o, c->no_contact_until); break;
        case F_NO_CONTACT_REASON: gsim_out_str(o, c->no_contact_reason); break;
        case F_DEFAULT_LOCALIZATION:
            gsim_out_raw(o, "{", 1);
            EACH_FIELD(ex, f->selections, g, inner)
            {
                if (((const gsim_field_def *)g->def)->id == F_LOCALE)
                    gsim_out_str(o, c->locale);
                else
                    typename_of(o, g, T_LOCALIZATION);
            }
            gsim_out_raw(o, "}", 1);
            break;
        case F_CREATED_AT: out_time(o, c->created_at); break;
        case F_UPDATED_AT: out_time(o, c->updated_at); break;
        case F_DEFAULT_CONTACT:
            if (c->has_contact)
                render_contact(ex, &c->contact, f->selections);
            else
                gsim_out_puts(o, "null");
            break;
        default: typename_of(o, f, T_CLIENT); break;
        }
    }
    gsim_out_raw(o, "}", 1);
}

static void render_piano(gsim_exec *ex, uint32_t row, const gql_field *set)
{
    const gsim_piano *p = &ex->ds->pianos.rows[row];
    gsim_out *o = ex->out;
    int first = 1;
    gsim_out_raw(o, "{", 1);
    EACH_FIELD(ex, set, f, first)
    {
        switch (((const gsim_field_def *)f->def)->id) {
        case F_ID: out_id(o, GSIM_PIANO, p->id); break;
        case F_CLIENT: render_ref(ex, GSIM_CLIENT, p->client, f->selections); break;
        case F_MAKE: gsim_out_str(o, p->make); break;
        case F_MODEL: gsim_out_str(o, p->model); break;
        case F_SERIAL_NUMBER: gsim_out_str(o, p->serial_number); break;
        case F_TYPE: gsim_out_str(o, p->type); break;
        case F_YEAR:
            if (p->year)
                gsim_out_int(o, p->year);
            else
                gsim_out_puts(o, "null");
            break;
        case F_LOCATION: gsim_out_str(o, p->location); break;
        case F_NOTES: gsim_out_str(o, p->notes); break;
        case F_STATUS: gsim_out_str(o, p->status); break;
        case F_SIZE: gsim_out_str(o, p->size); break;
        case F_TAGS:
            out_tags(o, p->tags, gsim_piano_tags, gsim_piano_tag_count);
            break;
        case F_SERVICE_INTERVAL_MONTHS:
            if (p->service_interval_months)
                gsim_out_int(o, p->service_interval_months);
            else
                gsim_out_puts(o, "null");
            break;
        case F_CALCULATED_LAST_SERVICE: out_day(o, p->last_service); break;
        case F_CALCULATED_NEXT_SERVICE: out_day(o, p->next_service); break;
        case F_CREATED_AT: out_time(o, p->created_at); break;
        case F_UPDATED_AT: out_time(o, p->updated_at); break;
        default: typename_of(o, f, T_PIANO); break;
        }
    }
    gsim_out_raw(o, "}", 1);
}

static void render_event_pianos(gsim_exec *ex, const gsim_event *e,
                                 const gql_field *set)
{
    gsim_out *o = ex->out;
    int first = 1;
    gsim_out_raw(o, "{", 1);
    EACH_FIELD(ex, set, f, first)
    {
        if (((const gsim_field_def *)f->def)->id != F_NODES) {
            typename_of(o, f, T_EVENT_PIANO_CONN);
            continue;
        }
        gsim_out_raw(o, "[", 1);
        for (int i = 0; i < e->npianos; i++) {
            int inner = 1;
            if (i)
                gsim_out_raw(o, ",", 1);
            gsim_out_raw(o, "{", 1);
            EACH_FIELD(ex, f->selections, g, inner)
            {
                if (((const gsim_field_def *)g->def)->id == F_PIANO)
                    render_ref(ex, GSIM_PIANO, e->pianos[i], g->selections);
                else
                    typename_of(o, g, T_EVENT_PIANO);
            }
            gsim_out_raw(o, "}", 1);
        }
        gsim_out_raw(o, "]", 1);
    }
    gsim_out_raw(o, "}", 1);
}

static void render_event(gsim_exec *ex, uint32_t row, const gql_field *set)
{
    const gsim_event *e = &ex->ds->events.rows[row];
    gsim_out *o = ex->out;
    int first = 1;
    gsim_out_raw(o, "{", 1);
    EACH_FIELD(ex, set, f, first)
    {
        switch (((const gsim_field_def *)f->def)->id) {
        case F_ID: out_id(o, GSIM_EVENT, e->id); break;
        case F_TITLE: gsim_out_str(o, e->title); break;
        case F_START: out_time(o, e->start); break;
        case F_DURATION: gsim_out_int(o, e->duration); break;
        case F_IS_ALL_DAY: gsim_out_bool(o, e->is_all_day); break;
        case F_NOTES: gsim_out_str(o, e->notes); break;
        case F_TYPE: gsim_out_str(o, e->type); break;
        case F_STATUS: gsim_out_str(o, e->status); break;
        case F_CONFIRMED_BY_CLIENT:
            gsim_out_bool(o, e->confirmed_by_client);
            break;
        case F_SOURCE: gsim_out_str(o, e->source); break;
        case F_TRAVEL_MODE: gsim_out_str(o, e->travel_mode); break;
        case F_CLIENT: render_ref(ex, GSIM_CLIENT, e->client, f->selections); break;
        case F_USER: render_ref(ex, GSIM_USER, e->user, f->selections); break;
        case F_CREATED_AT: out_time(o, e->created_at); break;
        case F_UPDATED_AT: out_time(o, e->updated_at); break;
        case F_ALL_EVENT_PIANOS: render_event_pianos(ex, e, f->selections); break;
        default: typename_of(o, f, T_EVENT); break;
        }
    }
    gsim_out_raw(o, "}", 1);
}

static void render_id_object(gsim_exec *ex, gsim_kind kind, uint64_t id,
                             const gql_field *set, gsim_type type)
{
    gsim_out *o = ex->out;
    int first = 1;
    if (!id) {
        gsim_out_puts(o, "null");
        return;
    }
    gsim_out_raw(o, "{", 1);
    EACH_FIELD(ex, set, f, first)
    {
        if (((const gsim_field_def *)f->def)->id == F_ID)
            out_id(o, kind, id);
        else
            typename_of(o, f, type);
    }
    gsim_out_raw(o, "}", 1);
}

static void render_timeline(gsim_exec *ex, uint32_t row, const gql_field *set)
{
    const gsim_timeline *t = &ex->ds->timeline.rows[row];
    gsim_out *o = ex->out;
    int first = 1;
    gsim_out_raw(o, "{", 1);
    EACH_FIELD(ex, set, f, first)
    {
        switch (((const gsim_field_def *)f->def)->id) {
        case F_ID: out_id(o, GSIM_TIMELINE, t->id); break;
        case F_OCCURRED_AT: out_time(o, t->occurred_at); break;
        case F_TYPE: gsim_out_str(o, t->type); break;
        case F_SUMMARY: gsim_out_str(o, t->summary); break;
        case F_COMMENT: gsim_out_str(o, t->comment); break;
        case F_CLIENT: render_ref(ex, GSIM_CLIENT, t->client, f->selections); break;
        case F_PIANO: render_ref(ex, GSIM_PIANO, t->piano, f->selections); break;
        case F_USER: render_ref(ex, GSIM_USER, t->user, f->selections); break;
        case F_INVOICE:
            render_id_object(ex, GSIM_INVOICE, t->invoice, f->selections,
                             T_INVOICE);
            break;
        case F_ESTIMATE:
            render_id_object(ex, GSIM_ESTIMATE, t->estimate, f->selections,
                             T_ESTIMATE);
            break;
        case F_CREATED_AT: out_time(o, t->created_at); break;
        case F_UPDATED_AT: out_time(o, t->updated_at); break;
        default: typename_of(o, f, T_TIMELINE); break;
        }
    }
    gsim_out_raw(o, "}", 1);
}

void gsim_render_row(gsim_exec *ex, gsim_kind kind, uint32_t row,
                     const gql_field *selections)
{
    switch (kind) {
    case GSIM_USER: render_user(ex, row, selections); break;
    case GSIM_CLIENT: render_client(ex, row, selections); break;
    case GSIM_PIANO: render_piano(ex, row, selections); break;
    case GSIM_EVENT: render_event(ex, row, selections); break;
    default: render_timeline(ex, row, selections); break;
    }
}

static uint64_t row_id(const gsim_dataset *ds, gsim_kind kind, uint32_t row)
{
    switch (kind) {
    case GSIM_USER: return ds->users.rows[row].id;
    case GSIM_CLIENT: return ds->clients.rows[row].id;
    case GSIM_PIANO: return ds->pianos.rows[row].id;
    case GSIM_EVENT: return ds->events.rows[row].id;
    default: return ds->timeline.rows[row].id;
    }
}

static void write_cursor(gsim_exec *ex, const page_query *q, const page *pg,
                         size_t i)
{
    char cursor[GSIM_CURSOR_MAX];
    gsim_cursor_encode(cursor, q->kind, q->sort, pg->keys[i],
                       row_id(ex->ds, q->kind, pg->rows[i]));
    gsim_out_str(ex->out, cursor);
}

static void render_connection(gsim_exec *ex, const gql_field *conn,
                              const page_query *q, const page *pg)
{
    gsim_out *o = ex->out;
    gsim_type conn_type = ((const gsim_field_def *)conn->def)->type;
    int first = 1;
    gsim_out_raw(o, "{", 1);
    EACH_FIELD(ex, conn->selections, f, first)
    {
        int inner = 1;
        switch (((const gsim_field_def *)f->def)->id) {
        case F_NODES:
            gsim_out_raw(o, "[", 1);
            for (size_t i = 0; i < pg->count; i++) {
                if (i)
                    gsim_out_raw(o, ",", 1);
                gsim_render_row(ex, q->kind, pg->rows[i], f->selections);
            }
            gsim_out_raw(o, "]", 1);
            break;
        case F_EDGES:
            gsim_out_raw(o, "[", 1);
            for (size_t i = 0; i < pg->count; i++) {
                int edge_first = 1;
                if (i)
                    gsim_out_raw(o, ",", 1);
                gsim_out_raw(o, "{", 1);
                EACH_FIELD(ex, f->selections, g, edge_first)
                {
                    switch (((const gsim_field_def *)g->def)->id) {
                    case F_CURSOR: write_cursor(ex, q, pg, i); break;
                    case F_NODE:
                        gsim_render_row(ex, q->kind, pg->rows[i],
                                        g->selections);
                        break;
                    default: typename_of(o, g, conn_type + 1); break;
                    }
                }
                gsim_out_raw(o, "}", 1);
            }
            gsim_out_raw(o, "]", 1);
            break;
        case F_PAGE_INFO:
            gsim_out_raw(o, "{", 1);
            EACH_FIELD(ex, f->selections, g, inner)
            {
                switch (((const gsim_field_def *)g->def)->id) {
                case F_HAS_NEXT_PAGE: gsim_out_bool(o, pg->has_next); break;
                case F_HAS_PREVIOUS_PAGE: gsim_out_bool(o, q->has_after); break;
                case F_END_CURSOR:
                case F_START_CURSOR:
                    if (pg->count == 0)
                        gsim_out_puts(o, "null");
                    else
                        write_cursor(ex, q, pg,
                                     ((const gsim_field_def *)g->def)->id ==
                                             F_END_CURSOR
                                         ? pg->count - 1
                                         : 0);
                    break;
                default: typename_of(o, g, T_PAGE_INFO); break;
                }
            }
            gsim_out_raw(o, "}", 1);
            break;
        default: typename_of(o, f, conn_type); break;
        }
    }
    gsim_out_raw(o, "}", 1);
}

static int by_id(gsim_exec *ex, const gql_field *f, gsim_kind kind,
                 int64_t *row)
{
    json_t *v = arg_json(f, "id", ex->vars);
    const char *s = json_string_value(v);
    int rc = 0;
    *row = -1;
    if (!s) {
        rc = arg_error(ex, f, "Argument \"%s\" of type \"String!\" is required.",
                       "id");
    } else {
        uint64_t id = gsim_id_parse(kind, s);
        *row = id ? gsim_id_row(ex->ds, kind, id) : -1;
        if (*row >= 0 && ((kind == GSIM_CLIENT &&
                           ex->ds->clients.rows[*row].deleted) ||
                          (kind == GSIM_PIANO &&
                           ex->ds->pianos.rows[*row].deleted)))
            *row = -1;
    }
    json_decref(v);
    return rc;
}

int gsim_execute(gsim_exec *ex, const gql_operation *op)
{
    /* Arguments are all read before anything is written, so a bad cursor
     * in the second root field does not leave half an answer. */
    enum { MAX_ROOTS = 16 };
    page_query queries[MAX_ROOTS];
    int64_t rows[MAX_ROOTS];
    size_t n = 0;
    int failed = 0;
    for (const gql_field *f = op->selections; f; f = f->next, n++) {
        if (n == MAX_ROOTS) {
            gsim_error_add(ex->errors, "Too many root fields (max 16).",
                           f->line, f->col);
            return -1;
        }
        gsim_field_id id = ((const gsim_field_def *)f->def)->id;
        if (id == F_CLIENT_BY_ID)
            failed |= by_id(ex, f, GSIM_CLIENT, &rows[n]) != 0;
        else if (id == F_PIANO_BY_ID)
            failed |= by_id(ex, f, GSIM_PIANO, &rows[n]) != 0;
        else if (id != F_TYPENAME)
            failed |= parse_page_query(ex, f, &queries[n]) != 0;
    }
    if (failed)
        return -1;
    gsim_out *o = ex->out;
    int first = 1;
    n = 0;
    gsim_out_raw(o, "{", 1);
    for (const gql_field *f = op->selections; f; f = f->next, n++) {
        if (f->duplicate || skipped(ex, f))
            continue;
        gsim_out_key(o, &first, gql_field_key(f));
        gsim_field_id id = ((const gsim_field_def *)f->def)->id;
        if (id == F_TYPENAME) {
            gsim_out_str(o, "Query");
        } else if (id == F_CLIENT_BY_ID) {
            render_ref(ex, GSIM_CLIENT, rows[n], f->selections);
        } else if (id == F_PIANO_BY_ID) {
            render_ref(ex, GSIM_PIANO, rows[n], f->selections);
        } else {
            page pg;
            if (run_page(ex, &queries[n], &pg) != 0) {
                o->failed = 1;
                break;
            }
            ex->pages++;
            ex->nodes += pg.count;
            render_connection(ex, f, &queries[n], &pg);
        }
    }
    gsim_out_raw(o, "}", 1);
    return 0;
}

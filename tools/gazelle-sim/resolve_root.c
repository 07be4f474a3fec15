/* The root fields the simulator models (PrivateQuery): the lists gazsync
 * and the field client read and the by-id lookups. Every other root field
 * gets its type's default (resolve.h). */
#include "resolve_internal.h"

static void all_users(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    /* A plain list ([PrivateUser!]!): every user, in hiring order, in one
     * answer; it takes no arguments at all. */
    const gsim_stype *t = gsim_tref_named(gsim_def(f)->type);
    (void)s;
    gsim_out_raw(ex->out, "[", 1);
    for (size_t i = 0; i < ex->ds->users.count; i++) {
        if (i)
            gsim_out_raw(ex->out, ",", 1);
        gsim_src u = gsim_src_of(ex->ds, GSIM_USER, (uint32_t)i);
        gsim_render_object(ex, t, &u, f->selections);
    }
    gsim_out_raw(ex->out, "]", 1);
    ex->pages++;
    ex->nodes += ex->ds->users.count;
}

static void all_clients(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)s;
    gsim_render_connection(ex, f, GSIM_CLIENT, -1, 1);
}

static void all_pianos(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)s;
    gsim_render_connection(ex, f, GSIM_PIANO, -1, 1);
}

static void all_events(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)s;
    gsim_render_connection(ex, f, GSIM_EVENT, -1, 1);
}

static void all_timeline(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)s;
    gsim_render_connection(ex, f, GSIM_TIMELINE, -1, 1);
}

/* allEvents(filters, sortBy): the events connection's rows as one plain
 * list ([PrivateEvent!]!), however many; walked in pages of the maximum
 * size so the keyset machinery is the connection's own. */
static void all_events_list(gsim_exec *ex, const gsim_src *s,
                            const gql_field *f)
{
    const gsim_stype *t = gsim_tref_named(gsim_def(f)->type);
    gsim_page_query q;
    gsim_page pg;
    size_t n = 0;
    (void)s;
    if (gsim_page_query_read(ex, f, GSIM_EVENT, -1, &q) != 0) {
        if (!ex->failed)
            ex->out->failed = 1;
        gsim_out_puts(ex->out, "null");
        gsim_page_query_free(&q);
        return;
    }
    q.first = GSIM_PAGE_MAX;
    gsim_out_raw(ex->out, "[", 1);
    for (;;) {
        if (gsim_page_run(&pg, ex, &q) != 0) {
            ex->out->failed = 1;
            break;
        }
        for (size_t i = 0; i < pg.count; i++, n++) {
            if (n)
                gsim_out_raw(ex->out, ",", 1);
            gsim_src e = gsim_src_of(ex->ds, GSIM_EVENT, pg.rows[i]);
            gsim_render_object(ex, t, &e, f->selections);
        }
        int more = pg.has_next && pg.count;
        if (more) {
            q.has_after = 1;
            q.after_key = pg.keys[pg.count - 1];
            q.after_id = pg.ids[pg.count - 1];
        }
        gsim_page_free(&pg);
        if (!more)
            break;
    }
    gsim_out_raw(ex->out, "]", 1);
    ex->pages++;
    ex->nodes += n;
    gsim_page_query_free(&q);
}

/* client(clientId, id) and piano(pianoId, id) take either argument; an
 * unknown or deleted id is null. */
static void by_id(gsim_exec *ex, const gql_field *f, const char *alt,
                  gsim_kind kind)
{
    int64_t row = gsim_arg_row(ex, f, "id", kind);
    if (row == -1 && alt)
        row = gsim_arg_row(ex, f, alt, kind);
    gsim_render_ref(ex, f, kind, row);
}

static void client_by_id(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)s;
    by_id(ex, f, "clientId", GSIM_CLIENT);
}

static void piano_by_id(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)s;
    by_id(ex, f, "pianoId", GSIM_PIANO);
}

static void event_by_id(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)s;
    gsim_render_ref(ex, f, GSIM_EVENT,
                    gsim_arg_row(ex, f, "eventId", GSIM_EVENT));
}

static void contact_by_id(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)s;
    by_id(ex, f, NULL, GSIM_CONTACT);
}

/* The user the credentials belong to: the account's owner (the first
 * user, ADMIN). */
static void current_user(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)s;
    gsim_render_ref(ex, f, GSIM_USER, ex->ds->users.count ? 0 : -1);
}

static void tag_names(gsim_exec *ex, const char *const *names, size_t n)
{
    gsim_out_tags(ex->out, n >= 32 ? UINT32_MAX : (1u << n) - 1, names, n);
}

static void client_tags(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)s;
    (void)f;
    tag_names(ex, gsim_client_tags, gsim_client_tag_count);
}

static void piano_tags(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)s;
    (void)f;
    tag_names(ex, gsim_piano_tags, gsim_piano_tag_count);
}

static const gsim_field_resolver query[] = {
    {"allUsers", all_users},        {"allClients", all_clients},
    {"allPianos", all_pianos},      {"allEventsBatched", all_events},
    {"allEvents", all_events_list}, {"allTimelineEntries", all_timeline},
    {"client", client_by_id},       {"piano", piano_by_id},
    {"event", event_by_id},         {"contact", contact_by_id},
    {"user", current_user},         {"allClientTags", client_tags},
    {"allPianoTags", piano_tags},
};

const gsim_type_resolvers gsim_root_resolvers[] = {
    GSIM_RESOLVERS("PrivateQuery", query),
};
const size_t gsim_root_resolver_count =
    sizeof(gsim_root_resolvers) / sizeof(gsim_root_resolvers[0]);

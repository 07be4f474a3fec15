/* A client's contacts come nested in its page (allContacts, archived ones
 * included); a client with more contacts than the nested page holds gets
 * follow-up requests, client(id) { allContacts(after) }, made before the
 * page's transaction opens, so that the page and its checkpoint still land
 * in one transaction and no network wait holds the cache's write lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pull_internal.h"

/* Most clients have one to three contacts: a nested page of 25 keeps
 * follow-ups rare without making every client page heavy. */
#define CONTACTS_PAGE 25

/* More pages of contacts than any one client can have (25,000 at the
 * default page). */
#define MAX_FOLLOW_UPS 1000

int gs__pull_contacts_page_size(const gs_pull_ctx *ctx)
{
    int size = ctx->cfg->policy[GS_ENTITY_CONTACTS].page_size;

    return size > 0 ? size : CONTACTS_PAGE;
}

/* Appends the contacts after @cursor to @into, one request per page. */
static int follow_up(gs_pull_ctx *ctx, const char *client_id,
                     const char *cursor, json_t *into, long page)
{
    char what[160], *after = strdup(cursor);
    long follow = 0;
    int rc = after ? GS_OK : GS_ENOMEM;

    while (rc == GS_OK && after) {
        gs_gazelle_page more = {0};
        json_t *vars, *data = NULL;

        follow++;
        snprintf(what, sizeof what,
                 "contacts of client %.40s (clients page %ld, follow-up %ld)",
                 client_id, page, follow);
        /* A cursor cycle longer than one page would never end either. */
        if (follow > MAX_FOLLOW_UPS) {
            rc = gs_error_set(GS_EPROTO, GS_ECLASS_GAZELLE,
                              "%s: still more after %d follow-ups", what,
                              MAX_FOLLOW_UPS);
            break;
        }
        vars = json_pack("{s:s,s:i,s:s}", "id", client_id, "first",
                         gs__pull_contacts_page_size(ctx), "after", after);
        rc = vars ? gs_gazelle_query(&data, ctx->client,
                                     gs_gazelle_contacts_document(), vars, what)
                  : gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        /* A client deleted since its page was read answers null: its list
         * ends here (the next full read sweeps the client and them). */
        if (rc == GS_OK && json_is_null(json_object_get(data, "client"))) {
            json_decref(data);
            json_decref(vars);
            break;
        }
        if (rc == GS_OK)
            rc = gs_gazelle_conn_parse(
                &more,
                json_object_get(json_object_get(data, "client"), "allContacts"),
                "client.allContacts");
        if (rc != GS_OK)
            gs_error_wrap("%s", what);
        /* The same guards as the main page loop: a page that repeats its
         * cursor, or claims more with nothing in it, would never end. */
        else if (more.has_next_page && (json_array_size(more.nodes) == 0 ||
                                        strcmp(more.end_cursor, after) == 0))
            rc = gs_error_set(GS_EPROTO, GS_ECLASS_GAZELLE,
                              "%s: the page claims more contacts but %s", what,
                              json_array_size(more.nodes) == 0
                                  ? "is empty"
                                  : "repeats its cursor");
        else if (json_array_extend(into, more.nodes) != 0)
            rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        free(after);
        after = NULL;
        if (rc == GS_OK && more.has_next_page) {
            after = more.end_cursor;
            more.end_cursor = NULL;
        }
        gs_gazelle_page_free(&more);
        json_decref(data);
        json_decref(vars);
    }
    free(after);
    return rc;
}

int gs__pull_contacts_complete(gs_pull_ctx *ctx, json_t *nodes, long page)
{
    size_t i;
    json_t *client;
    int rc = GS_OK;

    json_array_foreach(nodes, i, client)
    {
        json_t *conn = json_object_get(client, "allContacts");
        const char *id = json_string_value(json_object_get(client, "id"));
        gs_gazelle_page first = {0};
        char what[96];

        if (!conn || json_is_null(conn))
            continue; /* no list: the ingest retires nothing */
        snprintf(what, sizeof what, "clients page %ld row %zu allContacts",
                 page, i + 1);
        rc = gs_gazelle_conn_parse(&first, conn, what);
        /* A client without an id is refused by the ingest; its contacts
         * cannot be asked for anyway. */
        if (rc == GS_OK && first.has_next_page && id)
            rc = follow_up(ctx, id, first.end_cursor, first.nodes, page);
        /* From here on the node holds the whole list as plain `nodes`,
         * whether the answer used nodes or edges. */
        if (rc == GS_OK && json_object_set(conn, "nodes", first.nodes) != 0)
            rc = GS_ENOMEM;
        gs_gazelle_page_free(&first);
        if (rc != GS_OK)
            return rc;
    }
    return GS_OK;
}

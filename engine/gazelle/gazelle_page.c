/* One page of a Relay connection (contracts/gazelle.md, "Lists and
 * paging"): nodes come as `nodes` or as `edges[].node`; both are accepted.
 * A plain list (allUsers) is one complete page. The shape is checked
 * strictly, because a page misread as "empty, no next page" would end a
 * pull early and silently. */
#include "gazsync/gazelle.h"

#include <stdlib.h>
#include <string.h>

#include "gazsync/error.h"

void gs_gazelle_page_free(gs_gazelle_page *page)
{
    if (!page)
        return;
    json_decref(page->nodes);
    free(page->end_cursor);
    page->nodes = NULL;
    page->end_cursor = NULL;
    page->has_next_page = 0;
    page->total_count = -1;
}

static int bad(const char *root_field, const char *why)
{
    return gs_error_set(GS_EPROTO, GS_ECLASS_GAZELLE, "%s: %s", root_field,
                        why);
}

/* Collects the nodes of @p conn into @p nodes. */
static int collect_nodes(json_t *nodes, json_t *conn, const char *root_field)
{
    json_t *list = json_object_get(conn, "nodes");
    json_t *edges = json_object_get(conn, "edges");
    size_t i;
    json_t *item;

    if (list && !json_is_null(list)) {
        if (!json_is_array(list))
            return bad(root_field, "nodes is not an array");
        json_array_foreach(list, i, item)
        {
            if (!json_is_object(item))
                return gs_error_set(GS_EPROTO, GS_ECLASS_GAZELLE,
                                    "%s: node %zu is not an object", root_field,
                                    i);
            if (json_array_append(nodes, item) != 0)
                return gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE,
                                    "out of memory");
        }
        return GS_OK;
    }
    if (edges && !json_is_null(edges)) {
        if (!json_is_array(edges))
            return bad(root_field, "edges is not an array");
        json_array_foreach(edges, i, item)
        {
            json_t *node = json_object_get(item, "node");
            if (!json_is_object(node))
                return gs_error_set(GS_EPROTO, GS_ECLASS_GAZELLE,
                                    "%s: edge %zu has no node object",
                                    root_field, i);
            if (json_array_append(nodes, node) != 0)
                return gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE,
                                    "out of memory");
        }
        return GS_OK;
    }
    return bad(root_field, "connection has neither nodes nor edges");
}

static int read_page_info(gs_gazelle_page *out, json_t *conn,
                          const char *root_field)
{
    json_t *info = json_object_get(conn, "pageInfo");
    json_t *next, *cursor;

    if (!json_is_object(info))
        return bad(root_field, "pageInfo is missing");
    next = json_object_get(info, "hasNextPage");
    if (!json_is_boolean(next))
        return bad(root_field, "pageInfo.hasNextPage is not a boolean");
    out->has_next_page = json_is_true(next);
    cursor = json_object_get(info, "endCursor");
    if (json_is_string(cursor)) {
        out->end_cursor = strdup(json_string_value(cursor));
        if (!out->end_cursor)
            return gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE, "out of memory");
    } else if (cursor && !json_is_null(cursor)) {
        return bad(root_field, "pageInfo.endCursor is not a string");
    }
    /* Without a cursor the next page cannot be asked for: refuse rather
     * than loop on the first page forever. */
    if (out->has_next_page && (!out->end_cursor || !*out->end_cursor))
        return bad(root_field, "hasNextPage is true but endCursor is empty");
    return GS_OK;
}

/* totalCount is optional for the reader (a page without it is checked
 * less), but when present it must be a count. */
static int read_total(gs_gazelle_page *out, json_t *conn,
                      const char *root_field)
{
    json_t *total = json_object_get(conn, "totalCount");

    out->total_count = -1;
    if (!total || json_is_null(total))
        return GS_OK;
    if (!json_is_integer(total) || json_integer_value(total) < 0)
        return bad(root_field, "totalCount is not a count");
    out->total_count = json_integer_value(total);
    return GS_OK;
}

/* A plain list holds every node at once: one page, nothing after it. */
static int read_list(gs_gazelle_page *out, json_t *list, const char *root_field)
{
    size_t i;
    json_t *item;

    json_array_foreach(list, i, item)
    {
        if (!json_is_object(item))
            return gs_error_set(GS_EPROTO, GS_ECLASS_GAZELLE,
                                "%s: node %zu is not an object", root_field, i);
        if (json_array_append(out->nodes, item) != 0)
            return gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE, "out of memory");
    }
    out->total_count = (long long)json_array_size(list);
    return GS_OK;
}

/* The root fields gazsync reads that the schema types as plain lists
 * (`allUsers: [PrivateUser!]!`; the descriptor's GS_READ_LIST). Any other
 * root answering a list is a shape error, not one complete page: read as
 * complete, `[]` for a connection would let a sweep mark the whole table
 * deleted. */
static int is_plain_list(const char *name)
{
    const gs_entity *entity = gs_entity_by_root(name);

    return entity && entity->shape == GS_READ_LIST;
}

static int parse(gs_gazelle_page *out, json_t *conn, const char *name,
                 int list_ok)
{
    int rc;

    memset(out, 0, sizeof *out);
    out->total_count = -1;
    if (json_is_array(conn) && !list_ok)
        return bad(name, "is a list where a connection is expected");
    if (!json_is_object(conn) && !json_is_array(conn))
        return bad(name, "is neither a connection nor a list");
    out->nodes = json_array();
    if (!out->nodes)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE, "out of memory");
    if (json_is_array(conn))
        rc = read_list(out, conn, name);
    else if ((rc = collect_nodes(out->nodes, conn, name)) == GS_OK &&
             (rc = read_page_info(out, conn, name)) == GS_OK)
        rc = read_total(out, conn, name);
    if (rc != GS_OK)
        gs_gazelle_page_free(out);
    return rc;
}

int gs_gazelle_conn_parse(gs_gazelle_page *out, json_t *conn, const char *name)
{
    return parse(out, conn, name ? name : "connection", 0);
}

int gs_gazelle_page_parse(gs_gazelle_page *out, json_t *data,
                          const char *root_field)
{
    memset(out, 0, sizeof *out);
    out->total_count = -1;
    if (!root_field)
        return gs_error_set(GS_EINVAL, GS_ECLASS_GAZELLE,
                            "gs_gazelle_page_parse: no root field");
    if (!json_is_object(json_object_get(data, root_field)) &&
        !json_is_array(json_object_get(data, root_field)))
        return bad(root_field, "is not an object in the answer's data");
    return parse(out, json_object_get(data, root_field), root_field,
                 is_plain_list(root_field));
}

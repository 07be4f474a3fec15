/* The GraphQL documents gazsync sends, built from the entity descriptors
 * (engine/entity/entity_map.c) and checked against Gazelle's own schema
 * (schema/gazelle.graphql; tests/conformance/test_gazsync_documents
 * validates every document gazsync sends, with its variables, against it).
 * Every value travels in `variables`; nothing from data or configuration is
 * spliced into these texts, only the descriptors' fixed pieces. Each document
 * selects the paths of its entity's columns (test_gazelle_client.c checks
 * every path is there), plus what the pull itself needs: totalCount (to check
 * that a read is complete), pageInfo, and the nested entities' connections
 * (allContacts of clients). */
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "gazsync/gazelle.h"

#define PAGE_INFO "pageInfo { hasNextPage endCursor }\n"

/* Appends each line of @p text, indented by @p indent spaces. *rc gets
 * GS_ENOMEM when an append fails: a cut document must not be sent. */
static void put_lines(gs_buf *out, int *rc, int indent, const char *text)
{
    while (text && *text) {
        const char *end = strchr(text, '\n');
        size_t len = end ? (size_t)(end - text) : strlen(text);

        *rc |= gs_buf_printf(out, "%*s%.*s\n", indent, "", (int)len, text);
        text += len + (end ? 1 : 0);
    }
}

/* "<field>(<arguments>) {", a page of @p nodes at @p indent, "}". */
static void put_connection(gs_buf *out, int *rc, int indent, const char *field,
                           const char *arguments, const gs_entity *nodes)
{
    *rc |= gs_buf_printf(out, "%*s%s%s%s%s {\n", indent, "", field,
                         arguments ? "(" : "", arguments ? arguments : "",
                         arguments ? ")" : "");
    *rc |= gs_buf_printf(out, "%*stotalCount\n%*snodes {\n", indent + 2, "",
                         indent + 2, "");
    put_lines(out, rc, indent + 4, nodes->document.selection);
    *rc |= gs_buf_printf(out, "%*s}\n%*s" PAGE_INFO "%*s}\n", indent + 2, "",
                         indent + 2, "", indent, "");
}

/* The node's own fields, then the connection of the entity nested in it. */
static void put_node(gs_buf *out, int *rc, int indent, const gs_entity *entity)
{
    const gs_entity *child = gs_entity_child(entity);

    put_lines(out, rc, indent, entity->document.selection);
    if (child)
        put_connection(out, rc, indent, child->nested_field,
                       child->nested_arguments, child);
}

char *gs_gazelle_document_build(const gs_entity *entity)
{
    const gs_document *doc = entity ? &entity->document : NULL;
    const gs_entity *child = gs_entity_child(entity);
    const char *vars, *args;
    gs_buf out = GS_BUF_INIT;
    int rc = 0, nested_var;

    if (!doc || !doc->operation || !doc->selection)
        return NULL;
    vars = doc->variables;
    args = doc->arguments;
    /* the page size of a nested connection is a variable of its parent */
    nested_var = child && child->nested_first_variable;
    rc |= gs_buf_printf(&out, "query %s%s%s", doc->operation,
                        vars || nested_var ? "(" : "", vars ? vars : "");
    if (nested_var)
        rc |= gs_buf_printf(&out, "%s$%s: Int", vars ? ", " : "",
                            child->nested_first_variable);
    rc |= gs_buf_printf(&out, "%s {\n", vars || nested_var ? ")" : "");
    if (entity->shape == GS_READ_NESTED) {
        /* the follow-up: one parent, by id, and its connection again */
        rc |= gs_buf_printf(&out, "  %s {\n    id\n", doc->root);
        put_connection(&out, &rc, 4, entity->nested_field, args, entity);
        rc |= gs_buf_puts(&out, "  }\n");
    } else if (entity->shape == GS_READ_LIST) {
        rc |= gs_buf_printf(&out, "  %s {\n", entity->root_field);
        put_node(&out, &rc, 4, entity);
        rc |= gs_buf_puts(&out, "  }\n");
    } else {
        rc |= gs_buf_printf(&out,
                            "  %s%s%s%s {\n    totalCount\n"
                            "    nodes {\n",
                            entity->root_field, args ? "(" : "",
                            args ? args : "", args ? ")" : "");
        put_node(&out, &rc, 6, entity);
        rc |= gs_buf_puts(&out, "    }\n    " PAGE_INFO "  }\n");
    }
    rc |= gs_buf_puts(&out, "}\n");
    if (rc != 0) {
        gs_buf_free(&out);
        return NULL;
    }
    return gs_buf_detach(&out);
}

/* Built on first use, then shared: the documents are fixed for the
 * process. One that could not be built (out of memory) is tried again on
 * the next call rather than remembered as missing. */
static char *built[GS_ENTITY_COUNT];
static pthread_mutex_t built_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *document_of(const gs_entity *entity)
{
    const char *doc;

    if (!entity || (int)entity->id < 0 || entity->id >= GS_ENTITY_COUNT)
        return NULL;
    pthread_mutex_lock(&built_lock);
    if (!built[entity->id])
        built[entity->id] = gs_gazelle_document_build(entity);
    doc = built[entity->id];
    pthread_mutex_unlock(&built_lock);
    return doc;
}

const char *gs_gazelle_document(const gs_entity *entity)
{
    /* a nested entity has no read of its own: it comes with its parent */
    if (!entity || entity->shape == GS_READ_NESTED)
        return NULL;
    return document_of(entity);
}

const char *gs_gazelle_contacts_document(void)
{
    return document_of(gs_entity_get(GS_ENTITY_CONTACTS));
}

static json_t *string_list(const char *const *values)
{
    json_t *list = json_array();

    for (; list && *values; values++)
        if (json_array_append_new(list, json_string(*values)) != 0) {
            json_decref(list);
            return NULL;
        }
    return list;
}

int gs_gazelle_add_all_values(json_t *vars, json_t *filters,
                              const gs_entity *entity)
{
    for (size_t i = 0; i < 2; i++) {
        const gs_enum_filter *f = &entity->all_values[i];
        json_t *into = f->in_filters ? filters : vars;

        if (!f->key)
            continue;
        if (!into ||
            json_object_set_new(into, f->key, string_list(f->values)) != 0)
            return -1;
    }
    return 0;
}

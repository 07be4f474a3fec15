/* The GraphQL documents gazsync sends, built from the entity descriptors
 * (engine/entity/entity_map.c) and checked against Gazelle's own schema
 * (schema/gazelle.graphql; tests/conformance/test_gazsync_documents
 * validates every document gazsync sends, with its variables, against it).
 * Every value travels in `variables`; nothing from data or configuration is
 * spliced into these texts, only the descriptors' fixed pieces. Each document
 * selects the paths of its entity's columns (test_gazelle_client.c checks
 * every path is there), plus what the pull itself needs: totalCount (to check
 * that a read is complete), pageInfo, and the nested entities' connections
 * (allContacts of clients). A packed document (issue 13) is several of
 * those root fields under aliases, written by the same body writer with
 * per-part variable names, so a page asked packed selects what it selects
 * alone. */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "gazsync/gazelle.h"

#define PAGE_INFO "pageInfo { hasNextPage endCursor }\n"

/* Appends @p len bytes of a descriptor's text with every variable reference
 * `$name` written `$<prefix>name`: the one place a packed document (issue
 * 13) gets its per-part names (`$p0_first`), so that no variable is named
 * one way where declared and another where used. The prefix "" leaves the
 * text as it is: the single documents stay byte for byte what they were. */
static void put_renamed(gs_buf *out, int *rc, const char *text, size_t len,
                        const char *prefix)
{
    while (len > 0) {
        const char *dollar = memchr(text, '$', len);
        size_t run = dollar ? (size_t)(dollar - text) + 1 : len;

        *rc |= gs_buf_append(out, text, run);
        if (dollar)
            *rc |= gs_buf_puts(out, prefix);
        text += run;
        len -= run;
    }
}

/* Appends each line of @p text, indented by @p indent spaces, its variables
 * renamed by @p prefix. *rc gets GS_ENOMEM when an append fails: a cut
 * document must not be sent. */
static void put_lines(gs_buf *out, int *rc, int indent, const char *text,
                      const char *prefix)
{
    while (text && *text) {
        const char *end = strchr(text, '\n');
        size_t len = end ? (size_t)(end - text) : strlen(text);

        *rc |= gs_buf_printf(out, "%*s", indent, "");
        put_renamed(out, rc, text, len, prefix);
        *rc |= gs_buf_puts(out, "\n");
        text += len + (end ? 1 : 0);
    }
}

static void put_node(gs_buf *out, int *rc, int indent, const gs_entity *entity,
                     const char *prefix);

/* "[<alias>: ]<field>(<arguments>) {", a page of @p nodes at @p indent,
 * "}". */
static void put_connection(gs_buf *out, int *rc, int indent, const char *alias,
                           const char *field, const char *arguments,
                           const gs_entity *nodes, const char *prefix)
{
    *rc |= gs_buf_printf(out, "%*s%s%s%s%s", indent, "", alias ? alias : "",
                         alias ? ": " : "", field, arguments ? "(" : "");
    if (arguments) {
        put_renamed(out, rc, arguments, strlen(arguments), prefix);
        *rc |= gs_buf_puts(out, ")");
    }
    *rc |= gs_buf_printf(out, " {\n%*stotalCount\n%*snodes {\n", indent + 2, "",
                         indent + 2, "");
    put_node(out, rc, indent + 4, nodes, prefix);
    *rc |= gs_buf_printf(out, "%*s}\n%*s" PAGE_INFO "%*s}\n", indent + 2, "",
                         indent + 2, "", indent, "");
}

/* The node's own fields, then the connection of the entity nested in it. */
static void put_node(gs_buf *out, int *rc, int indent, const gs_entity *entity,
                     const char *prefix)
{
    const gs_entity *child = gs_entity_child(entity);

    put_lines(out, rc, indent, entity->document.selection, prefix);
    if (child)
        put_connection(out, rc, indent, NULL, child->nested_field,
                       child->nested_arguments, child, prefix);
}

/* The variable definitions of @p entity's read, renamed by @p prefix, after
 * a "(" (the first of the operation: *count is 0) or a ", ": its
 * document.variables, then the page size of its nested connection, which is
 * a variable of the parent's document. */
static void put_definitions(gs_buf *out, int *rc, int *count,
                            const gs_entity *entity, const char *prefix)
{
    const gs_entity *child = gs_entity_child(entity);
    const char *vars = entity->document.variables;

    if (vars) {
        *rc |= gs_buf_puts(out, (*count)++ ? ", " : "(");
        put_renamed(out, rc, vars, strlen(vars), prefix);
    }
    if (child && child->nested_first_variable)
        *rc |= gs_buf_printf(out, "%s$%s%s: Int", (*count)++ ? ", " : "(",
                             prefix, child->nested_first_variable);
}

/* The root field of @p entity's own read, at an indent of 2, under
 * @p alias (NULL: none): the body a single document and a packed one
 * share. */
static void put_root(gs_buf *out, int *rc, const gs_entity *entity,
                     const char *alias, const char *prefix)
{
    if (entity->shape == GS_READ_LIST) {
        *rc |= gs_buf_printf(out, "  %s%s%s {\n", alias ? alias : "",
                             alias ? ": " : "", entity->root_field);
        put_node(out, rc, 4, entity, prefix);
        *rc |= gs_buf_puts(out, "  }\n");
    } else {
        put_connection(out, rc, 2, alias, entity->root_field,
                       entity->document.arguments, entity, prefix);
    }
}

static int has_document(const gs_entity *entity)
{
    return entity && entity->document.operation && entity->document.selection;
}

/* Hands the built text over, or NULL when an append failed. */
static char *finish(gs_buf *out, int rc)
{
    if (rc != 0) {
        gs_buf_free(out);
        return NULL;
    }
    return gs_buf_detach(out);
}

char *gs_gazelle_document_build(const gs_entity *entity)
{
    gs_buf out = GS_BUF_INIT;
    int rc = 0, count = 0;

    if (!has_document(entity))
        return NULL;
    rc |= gs_buf_printf(&out, "query %s", entity->document.operation);
    put_definitions(&out, &rc, &count, entity, "");
    rc |= gs_buf_printf(&out, "%s {\n", count ? ")" : "");
    if (entity->shape == GS_READ_NESTED) {
        /* the follow-up: one parent, by id, and its connection again */
        rc |= gs_buf_printf(&out, "  %s {\n    id\n", entity->document.root);
        put_connection(&out, &rc, 4, NULL, entity->nested_field,
                       entity->document.arguments, entity, "");
        rc |= gs_buf_puts(&out, "  }\n");
    } else {
        put_root(&out, &rc, entity, NULL, "");
    }
    rc |= gs_buf_puts(&out, "}\n");
    return finish(&out, rc);
}

/* Every part declares every variable of its entity's document, whether or
 * not the part carries a value for it: a declared variable that is never
 * used would be an error (graphql-js and graphql-ruby both run the spec's
 * "All Variables Used" rule), but a declared one with no value given is
 * not: the argument it feeds is then left out, exactly as in the single
 * document, whose $after has no value on a first page. So the text depends
 * on the parts' entities only, and every argument stays bound. */
char *gs_gazelle_packed_document(const gs_gazelle_part *parts, size_t n)
{
    gs_buf out = GS_BUF_INIT;
    char prefix[32], alias[32];
    int rc = 0, count = 0;

    if (!parts || n == 0)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!has_document(parts[i].entity) ||
            parts[i].entity->shape == GS_READ_NESTED)
            return NULL;
    rc |= gs_buf_puts(&out, "query GazsyncPacked");
    for (size_t i = 0; i < n; i++) {
        snprintf(prefix, sizeof prefix, "p%zu_", i);
        put_definitions(&out, &rc, &count, parts[i].entity, prefix);
    }
    rc |= gs_buf_printf(&out, "%s {\n", count ? ")" : "");
    for (size_t i = 0; i < n; i++) {
        snprintf(prefix, sizeof prefix, "p%zu_", i);
        snprintf(alias, sizeof alias, "p%zu", i);
        put_root(&out, &rc, parts[i].entity, alias, prefix);
    }
    rc |= gs_buf_puts(&out, "}\n");
    return finish(&out, rc);
}

json_t *gs_gazelle_packed_variables(const gs_gazelle_part *parts, size_t n)
{
    json_t *vars = json_object();
    char name[256];
    const char *key;
    json_t *value;
    int ok = vars != NULL;

    for (size_t i = 0; ok && parts && i < n; i++) {
        ok = !parts[i].variables || json_is_object(parts[i].variables);
        json_object_foreach(parts[i].variables, key, value)
        {
            int len = snprintf(name, sizeof name, "p%zu_%s", i, key);

            ok = ok && len > 0 && (size_t)len < sizeof name &&
                 json_object_set(vars, name, value) == 0;
        }
    }
    if (!ok) {
        json_decref(vars);
        vars = NULL;
    }
    return vars;
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

/* One page of Gazelle nodes into the cache. The caller holds the page's
 * transaction, so a page lands whole together with its cursor checkpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pull_internal.h"

/* The value at a dotted @p path of @p node ("createdBy.id"), or NULL. */
static const char *string_at(json_t *node, const char *path)
{
    char key[64];

    for (;;) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);

        if (len >= sizeof key || strchr(path, '['))
            return NULL; /* a list or a long key is not an id */
        memcpy(key, path, len);
        key[len] = '\0';
        node = json_object_get(node, key);
        if (!dot)
            return json_string_value(node);
        path = dot + 1;
    }
}

/* The technicians a node names (its columns that refer to users, by the
 * descriptor), remembered so that an unknown one triggers a users pull
 * (DESIGN.md: hires are picked up without a forced run). */
static void note_named_users(gs_pull_ctx *ctx, const gs_entity *entity,
                             json_t *node)
{
    const gs_entity *users = gs_entity_get(GS_ENTITY_USERS);

    for (size_t i = 0; i < entity->n_columns; i++) {
        const gs_column *col = &entity->columns[i];
        const char *id;

        if (!col->refers || strcmp(col->refers, users->name) != 0)
            continue;
        id = string_at(node, col->path);
        if (id && *id)
            json_object_set_new(ctx->named_users, id, json_true());
    }
}

/* The column of @p child that holds its parent's id (parent_key). */
static const char *parent_column(const gs_entity *child)
{
    for (size_t i = 0; i < child->n_columns; i++)
        if (strcmp(child->columns[i].path, child->parent_key) == 0)
            return child->columns[i].name;
    return NULL;
}

/* Contacts mirror every contact a client lists (archived ones too, marked
 * by their `archived` column): one it no longer lists is marked deleted. */
static int retire_former_contacts(gs_pull_ctx *ctx, const gs_entity *child,
                                  json_t *client, json_t *kept)
{
    const char *client_id = json_string_value(json_object_get(client, "id"));
    long long retired = 0;
    char *keep_ids;
    int rc;

    if (!client_id)
        return GS_OK;
    keep_ids = json_dumps(kept, JSON_COMPACT);
    if (!keep_ids)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    rc = gs_store_retire_others(&retired, ctx->store, child,
                                parent_column(child), client_id, keep_ids,
                                ctx->now);
    free(keep_ids);
    ctx->report->entity[child->id].rows_deleted += retired;
    return rc;
}

/* One contact of @client becomes a contacts row of its own, keyed by the
 * contact id, with the client's id added. */
static int ingest_contact(gs_pull_ctx *ctx, const gs_entity *child,
                          json_t *client, json_t *contact, long long *changed)
{
    json_t *row;
    int was_changed = 0;
    int rc;

    /* A contact that cannot be keyed is refused like any row (GS_EINVAL,
     * counted by the caller), not dropped without a word. */
    if (!json_is_object(contact) ||
        !json_is_string(json_object_get(contact, "id")) ||
        json_string_length(json_object_get(contact, "id")) == 0)
        return gs_error_set(GS_EINVAL, GS_ECLASS_DATA,
                            "%s: a node without a string id", child->name);
    row = json_copy(contact);
    if (!row)
        return GS_ENOMEM;
    json_object_set(row, child->parent_key, json_object_get(client, "id"));
    rc = gs_store_upsert(&was_changed, ctx->store, child, row, ctx->now);
    json_decref(row);
    ctx->report->entity[child->id].rows_seen++;
    *changed += was_changed;
    return rc;
}

/* Every contact of @client (@conn: its allContacts, completed by
 * gs__pull_contacts_complete()), then the retirement of those it no longer
 * lists. A client whose allContacts is missing or null (an answer that did
 * not carry it) retires nothing: absence of the list is not an empty list. */
static int ingest_contacts(gs_pull_ctx *ctx, const gs_entity *child,
                           json_t *client, json_t *conn, long long *changed)
{
    json_t *contacts = json_object_get(conn, "nodes");
    json_t *kept;
    size_t i;
    json_t *contact;
    int rc = GS_OK;

    if (!json_is_array(contacts))
        return GS_OK;
    kept = json_array();
    if (!kept)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    json_array_foreach(contacts, i, contact)
    {
        rc = ingest_contact(ctx, child, client, contact, changed);
        if (rc != GS_OK)
            break;
        json_array_append(kept, json_object_get(contact, "id"));
    }
    if (rc == GS_OK)
        rc = retire_former_contacts(ctx, child, client, kept);
    json_decref(kept);
    return rc;
}

static void track_stamp(const gs_entity *entity, json_t *node,
                        time_t *max_stamp, char max_text[GS_ISO_SIZE])
{
    const char *stamp =
        json_string_value(json_object_get(node, entity->updated_path));
    time_t t;

    if (!stamp || gs_iso_parse(&t, stamp) != GS_OK)
        return;
    if (t > *max_stamp) {
        *max_stamp = t;
        /* The stamp as sent, unless it would be cut (a long fraction with an
         * offset): a cut one no longer parses, and every later run would
         * take the mark for absent and read everything. Its UTC second then
         * stands for it, the same instant for the planner. */
        if (strlen(stamp) < GS_ISO_SIZE)
            snprintf(max_text, GS_ISO_SIZE, "%s", stamp);
        else
            gs_iso_format(max_text, t);
    }
}

/* The same id twice in one read with different content: one silently
 * replacing the other would hide that the answer contradicts itself
 * (issue 11, defect 18). The later body is kept (it is stored already);
 * the read is reported as failed, naming the entity, the id and the page,
 * so the mark does not advance and the next run reads it again. A node
 * repeated unchanged is harmless and not reported. A sweeping read (full,
 * window) compares in its sweep_seen table, on disk, so a first read of
 * 60,000 timeline entries holds no id in memory; the others (since,
 * new-rows: small reads) in a set of their own. */
static int check_repeat(gs_pull_ctx *ctx, const gs_entity *entity, json_t *node,
                        long page)
{
    const char *id = json_string_value(json_object_get(node, "id"));
    json_int_t hash = (json_int_t)gs_store_last_hash(ctx->store);
    int repeat = gs_store_last_repeat(ctx->store);
    json_t *seen;

    if (repeat < 0 && ctx->read_rows && id) {
        seen = json_object_get(ctx->read_rows, id);
        if (!seen &&
            json_object_set_new(ctx->read_rows, id, json_integer(hash)) != 0)
            return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        repeat = !seen ? 0 : json_integer_value(seen) == hash ? 1 : 2;
    }
    if (repeat != 2)
        return GS_OK;
    return gs_error_set(GS_EINVAL, GS_ECLASS_DATA,
                        "%s: id %.60s came twice in this read with different "
                        "content (again on page %ld; the later is kept)",
                        entity->name, id ? id : "", page);
}

/* Counts a refused row; the first one's error is kept, naming the entity,
 * page and row (1-based). */
static void refuse_row(gs_entity_report *report, long long *rejected,
                       const gs_entity *entity, long page, size_t index)
{
    if (*rejected == 0) {
        gs_error_wrap("%s page %ld row %zu", entity->name, page, index + 1);
        gs_copy_text(report->error, sizeof report->error,
                     gs_error_last()->message);
    }
    (*rejected)++;
}

int gs__pull_ingest_page(gs_pull_ctx *ctx, const gs_entity *entity,
                         json_t *nodes, long page, long long *changed,
                         long long *rejected, time_t *max_stamp,
                         char max_stamp_text[GS_ISO_SIZE])
{
    gs_entity_report *report = &ctx->report->entity[entity->id];
    const gs_entity *child = gs_entity_child(entity);
    size_t index;
    json_t *node;
    int rc;

    json_array_foreach(nodes, index, node)
    {
        int was_changed = 0;
        json_t *contacts = NULL;

        /* A client's contacts are rows of their own: kept out of the
         * client's raw, so that a contact's edit does not change (and
         * push) its client too. */
        if (child && (contacts = json_incref(
                          json_object_get(node, child->nested_field))))
            json_object_del(node, child->nested_field);
        rc = gs_store_upsert(&was_changed, ctx->store, entity, node, ctx->now);
        if (rc == GS_EINVAL) {
            /* A row without a usable id cannot be keyed: refuse it alone,
             * keep its page-mates, and report where it was. */
            refuse_row(report, rejected, entity, page, index);
            json_decref(contacts);
            continue;
        }
        if (rc != GS_OK) {
            json_decref(contacts);
            return gs_error_wrap("%s page %ld row %zu", entity->name, page,
                                 index + 1);
        }
        *changed += was_changed;
        rc = check_repeat(ctx, entity, node, page);
        if (rc == GS_ENOMEM) {
            json_decref(contacts);
            return rc;
        }
        if (rc != GS_OK)
            refuse_row(report, rejected, entity, page, index);
        track_stamp(entity, node, max_stamp, max_stamp_text);
        note_named_users(ctx, entity, node);
        if (child) {
            long long contact_changed = 0;

            rc = ingest_contacts(ctx, child, node, contacts, &contact_changed);
            json_decref(contacts);
            if (rc == GS_EINVAL) {
                /* The client is kept; only its contact is refused. */
                refuse_row(report, rejected, entity, page, index);
                continue;
            }
            if (rc != GS_OK)
                return gs_error_wrap("%s of %s page %ld row %zu", child->name,
                                     entity->name, page, index + 1);
            ctx->report->entity[child->id].rows_changed += contact_changed;
        }
    }
    return GS_OK;
}

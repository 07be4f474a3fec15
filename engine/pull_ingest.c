/* One page of Gazelle nodes into the cache. The caller holds the page's
 * transaction, so a page lands whole together with its cursor checkpoint. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "pull_internal.h"

/* The technicians a node names, remembered so that an unknown one triggers
 * a users pull (DESIGN.md: hires are picked up without a forced run). */
static void note_named_users(gs_pull_ctx *ctx, json_t *node)
{
    json_t *user = json_object_get(node, "user");
    const char *id = json_string_value(json_object_get(user, "id"));
    const char *preferred =
        json_string_value(json_object_get(node, "preferredTechnicianId"));

    if (id && *id)
        json_object_set_new(ctx->named_users, id, json_true());
    if (preferred && *preferred)
        json_object_set_new(ctx->named_users, preferred, json_true());
}

/* Contacts mirror each client's *default* contact: one the client no
 * longer names (replaced, or none now) is marked deleted. */
static int retire_former_contacts(gs_pull_ctx *ctx, json_t *client,
                                  const char *keep_id)
{
    const char *client_id = json_string_value(json_object_get(client, "id"));
    long long retired = 0;
    int rc;

    if (!client_id)
        return GS_OK;
    rc = gs_store_retire_others(&retired, ctx->store,
                                gs_entity_get(GS_ENTITY_CONTACTS), "client_id",
                                client_id, keep_id, ctx->now);
    ctx->report->entity[GS_ENTITY_CONTACTS].rows_deleted += retired;
    return rc;
}

/* A client's defaultContact becomes a contacts row of its own, keyed by the
 * contact id, with the client's id and change stamp. */
static int ingest_contact(gs_pull_ctx *ctx, json_t *client, long long *changed)
{
    json_t *contact = json_object_get(client, "defaultContact");
    json_t *row;
    int was_changed = 0;
    int rc;

    if (json_is_null(contact))
        return retire_former_contacts(ctx, client, NULL);
    if (!json_is_object(contact))
        return GS_OK;
    /* A contact that cannot be keyed is refused like any row (GS_EINVAL,
     * counted by the caller), not dropped without a word. */
    if (!json_is_string(json_object_get(contact, "id")) ||
        json_string_length(json_object_get(contact, "id")) == 0)
        return gs_error_set(GS_EINVAL, GS_ECLASS_DATA,
                            "contacts: defaultContact without a string id");
    row = json_copy(contact);
    if (!row)
        return GS_ENOMEM;
    json_object_set(row, "clientId", json_object_get(client, "id"));
    json_object_set(row, "updatedAt", json_object_get(client, "updatedAt"));
    rc = gs_store_upsert(&was_changed, ctx->store,
                         gs_entity_get(GS_ENTITY_CONTACTS), row, ctx->now);
    json_decref(row);
    ctx->report->entity[GS_ENTITY_CONTACTS].rows_seen++;
    *changed += was_changed;
    if (rc != GS_OK)
        return rc;
    return retire_former_contacts(
        ctx, client, json_string_value(json_object_get(contact, "id")));
}

static void track_stamp(const gs_entity *entity, json_t *node,
                        time_t *max_stamp, char max_text[GS_ISO_SIZE],
                        int *saw_older, time_t stop_below)
{
    const char *stamp =
        json_string_value(json_object_get(node, entity->updated_path));
    time_t t;

    /* A node without a readable stamp never stops a delta: reading one page
     * too many is cheap, missing a change is not. */
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
    if (stop_below && t < stop_below)
        *saw_older = 1;
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

int gs_pull_ingest_page(gs_pull_ctx *ctx, const gs_entity *entity,
                        json_t *nodes, long page, long long *changed,
                        long long *rejected, time_t *max_stamp,
                        char max_stamp_text[GS_ISO_SIZE], int *saw_older,
                        time_t stop_below)
{
    gs_entity_report *report = &ctx->report->entity[entity->id];
    size_t index;
    json_t *node;
    int rc;

    json_array_foreach(nodes, index, node)
    {
        int was_changed = 0;

        rc = gs_store_upsert(&was_changed, ctx->store, entity, node, ctx->now);
        if (rc == GS_EINVAL) {
            /* A row without a usable id cannot be keyed: refuse it alone,
             * keep its page-mates, and report where it was. */
            refuse_row(report, rejected, entity, page, index);
            continue;
        }
        if (rc != GS_OK)
            return gs_error_wrap("%s page %ld row %zu", entity->name, page,
                                 index + 1);
        *changed += was_changed;
        track_stamp(entity, node, max_stamp, max_stamp_text, saw_older,
                    stop_below);
        note_named_users(ctx, node);
        if (entity->id == GS_ENTITY_CLIENTS) {
            long long contact_changed = 0;

            rc = ingest_contact(ctx, node, &contact_changed);
            if (rc == GS_EINVAL) {
                /* The client is kept; only its contact is refused. */
                refuse_row(report, rejected, entity, page, index);
                continue;
            }
            if (rc != GS_OK)
                return gs_error_wrap("contacts of %s page %ld row %zu",
                                     entity->name, page, index + 1);
            ctx->report->entity[GS_ENTITY_CONTACTS].rows_changed +=
                contact_changed;
        }
    }
    return GS_OK;
}

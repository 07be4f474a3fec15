/* A push report as JSON: the `--json` output and the `sync_runs` row's
 * detail. Its own file because both the run (push.c) and the run row
 * (push_runs.c) use it, and push.c calls push_runs.c: one direction only. */
#include <jansson.h>

#include "gazsync/entity.h"
#include "gazsync/error.h"
#include "gazsync/push.h"

json_t *gs_push_report_json(const gs_push_report *report)
{
    json_t *root = json_object();
    json_t *entities = json_object();

    if (!root || !entities || !report) {
        json_decref(root);
        json_decref(entities);
        return NULL;
    }
    for (int e = 0; e < GS_ENTITY_COUNT; e++) {
        const gs_push_entity_report *rep = &report->entity[e];
        json_t *one = json_pack("{sI sI sI sI sI sI ss}", "rows_pending",
                                (json_int_t)rep->rows_pending, "rows_pushed",
                                (json_int_t)rep->rows_pushed, "rows_failed",
                                (json_int_t)rep->rows_failed, "requests",
                                (json_int_t)rep->requests, "batches",
                                (json_int_t)rep->batches, "batch_rows",
                                (json_int_t)rep->batch_rows, "status",
                                rep->code == GS_OK ? "ok" : "failed");
        if (!one)
            goto fail;
        if (rep->code != GS_OK &&
            (json_object_set_new(one, "code",
                                 json_string(gs_strerror(rep->code))) ||
             json_object_set_new(one, "error", json_string(rep->error)))) {
            json_decref(one);
            goto fail;
        }
        if (json_object_set_new(entities, gs_entity_get((gs_entity_id)e)->name,
                                one) != 0)
            goto fail;
    }
    if (json_object_set_new(root, "requests",
                            json_integer((json_int_t)report->requests)) ||
        json_object_set_new(root, "rows_pushed",
                            json_integer((json_int_t)report->rows_pushed)))
        goto fail;
    if (json_object_set_new(root, "entities", entities) != 0) {
        json_decref(root);
        return NULL;
    }
    return root;
fail:
    json_decref(entities);
    json_decref(root);
    return NULL;
}

#include "gazsync/pull.h"

static const char *decision_name(gs_decision decision)
{
    switch (decision) {
    case GS_DECISION_PULLED:
        return "pulled";
    case GS_DECISION_SKIPPED:
        return "skipped";
    case GS_DECISION_FAILED:
        return "failed";
    default:
        return "not asked";
    }
}

json_t *gs_pull_report_json(const gs_pull_report *report)
{
    json_t *root = json_object();
    json_t *entities = json_object();

    if (!root || !entities) {
        json_decref(root);
        json_decref(entities);
        return NULL;
    }
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_entity_report *e = &report->entity[i];

        if (e->decision == GS_DECISION_NONE && e->rows_seen == 0)
            continue;
        json_object_set_new(
            entities, gs_entity_get((gs_entity_id)i)->name,
            json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:f,s:s?}", "decision",
                      decision_name(e->decision), "reason", e->reason, "pages",
                      (json_int_t)e->pages, "requests", (json_int_t)e->requests,
                      "rows_seen", (json_int_t)e->rows_seen, "rows_changed",
                      (json_int_t)e->rows_changed, "rows_deleted",
                      (json_int_t)e->rows_deleted, "seconds", e->seconds,
                      "error", e->code ? e->error : NULL));
    }
    json_object_set_new(root, "entities", entities);
    json_object_set_new(root, "gazelle_requests",
                        json_integer(report->requests));
    json_object_set_new(root, "users_auto_triggered",
                        json_boolean(report->users_auto_triggered));
    return root;
}

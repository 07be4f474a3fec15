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

static const char *policy_name(gs_policy_kind kind)
{
    switch (kind) {
    case GS_POLICY_IF_EMPTY:
        return "if-empty";
    case GS_POLICY_NEW_ROWS:
        return "new-rows";
    case GS_POLICY_WINDOW:
        return "window";
    case GS_POLICY_SINCE:
        return "since";
    default:
        return "always";
    }
}

/* The decision as data beside the reason (docs/cli.md, "JSON output"):
 * a script tells "skipped, the table has rows, can be forced" from these,
 * not from the words. */
static void add_decision(json_t *e, const gs_entity_report *r)
{
    json_object_set_new(e, "why", json_string(gs_pull_why_name(r->why)));
    json_object_set_new(e, "policy", json_string(policy_name(r->policy)));
    json_object_set_new(e, "can_force", json_boolean(r->can_force));
    if (r->why == GS_WHY_TABLE_HAS_ROWS)
        json_object_set_new(e, "rows", json_integer(r->rows));
    if (r->why == GS_WHY_INTERVAL) {
        json_object_set_new(e, "age_s", json_integer(r->age_s));
        json_object_set_new(e, "interval_s", json_integer(r->interval_s));
    }
    if (r->why == GS_WHY_FULL_DUE)
        json_object_set_new(e, "interval_s", json_integer(r->interval_s));
    if (r->clock_back)
        json_object_set_new(e, "clock_back", json_true());
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
        json_t *entry =
            json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:f,s:s?}", "decision",
                      decision_name(e->decision), "reason", e->reason, "pages",
                      (json_int_t)e->pages, "requests", (json_int_t)e->requests,
                      "rows_seen", (json_int_t)e->rows_seen, "rows_changed",
                      (json_int_t)e->rows_changed, "rows_deleted",
                      (json_int_t)e->rows_deleted, "seconds", e->seconds,
                      "error", e->code ? e->error : NULL);

        if (entry)
            add_decision(entry, e);
        json_object_set_new(entities, gs_entity_get((gs_entity_id)i)->name,
                            entry);
    }
    json_object_set_new(root, "entities", entities);
    json_object_set_new(root, "gazelle_requests",
                        json_integer(report->requests));
    json_object_set_new(root, "gazelle_pages", json_integer(report->pages));
    json_object_set_new(root, "packed", json_boolean(report->request_nodes));
    if (report->request_nodes)
        json_object_set_new(root, "request_nodes",
                            json_integer(report->request_nodes));
    json_object_set_new(root, "users_auto_triggered",
                        json_boolean(report->users_auto_triggered));
    return root;
}

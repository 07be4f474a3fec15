/* gs_pull_run: the entities in dependency order, each decided locally,
 * then a users pull when the data named a technician the cache lacks. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "opts.h"
#include "pull_internal.h"

static int run_entity(gs_pull_ctx *ctx, const gs_entity *entity,
                      const gs_pull_plan *forced_plan)
{
    gs_entity_report *report = &ctx->report->entity[entity->id];
    gs_sync_state state;
    gs_pull_plan plan;
    struct timespec start;
    long long calls_before = gs_gazelle_requests(ctx->client);
    int rc;

    clock_gettime(CLOCK_MONOTONIC, &start);
    rc = gs_store_state_get(&state, ctx->store, entity);
    if (rc != GS_OK) {
        gs__pull_record_failure(ctx, entity, NULL, rc);
        return rc;
    }
    if (forced_plan)
        plan = *forced_plan;
    else
        rc = gs__pull_plan_make(&plan, ctx, entity, &state);
    if (rc != GS_OK) {
        gs__pull_record_failure(ctx, entity, &state, rc);
        return rc;
    }
    gs_policy_format(state.policy, sizeof state.policy,
                     &ctx->cfg->policy[entity->id]);
    gs__pull_plan_report(report, &plan, ctx->cfg->policy[entity->id].kind);
    gs_copy_text(state.decision, sizeof state.decision, plan.reason);
    if (plan.mode == GS_PLAN_SKIP) {
        report->decision = GS_DECISION_SKIPPED;
        state.calls_last = 0;
        return gs_store_state_put(ctx->store, entity, &state);
    }
    rc = gs__pull_entity(ctx, entity, &plan, &state);
    report->requests += gs_gazelle_requests(ctx->client) - calls_before;
    report->seconds += gs__pull_elapsed(&start);
    state.calls_last = report->requests;
    state.calls_total += gs_gazelle_requests(ctx->client) - calls_before;
    if (rc != GS_OK) {
        gs__pull_record_failure(ctx, entity, &state, rc);
        return rc;
    }
    report->decision = GS_DECISION_PULLED;
    return gs_store_state_put(ctx->store, entity, &state);
}

/* The first technician id the data named that the cache has never held. A
 * technician marked deleted is known: old appointments keep naming people
 * who left, and that must not cost a users pull every night. */
static int find_unknown_user(const char **unknown, gs_pull_ctx *ctx)
{
    const gs_entity *users = gs_entity_get(GS_ENTITY_USERS);
    const char *id;
    json_t *value;
    int rc;

    *unknown = NULL;
    json_object_foreach(ctx->named_users, id, value)
    {
        int exists = 0;

        rc = gs_store_exists(&exists, ctx->store, users, id);
        if (rc != GS_OK)
            return rc;
        if (!exists) {
            *unknown = id;
            return GS_OK;
        }
    }
    return GS_OK;
}

static int pull_users_for_hire(gs_pull_ctx *ctx)
{
    gs_entity_report *report = &ctx->report->entity[GS_ENTITY_USERS];
    gs_pull_plan plan;
    const char *unknown;
    int rc;

    /* Users pulled in full this run already: an id still unknown is not a
     * hire but a deleted technician; asking again would not help. */
    if (report->decision == GS_DECISION_PULLED ||
        report->decision == GS_DECISION_FAILED)
        return GS_OK;
    rc = find_unknown_user(&unknown, ctx);
    if (rc != GS_OK || !unknown)
        return rc;
    memset(&plan, 0, sizeof plan);
    plan.mode = GS_PLAN_FULL;
    plan.why = GS_WHY_HIRE;
    snprintf(plan.reason, sizeof plan.reason,
             "the data names technician %s, unknown to the cache", unknown);
    ctx->report->users_auto_triggered = 1;
    return run_entity(ctx, gs_entity_get(GS_ENTITY_USERS), &plan);
}

int gs_pull_preview(gs_entity_report *out, gs_store *store,
                    const gs_config *cfg, const gs_entity *entity,
                    const char *now)
{
    gs_pull_opts opts = GS_PULL_OPTS_INIT;
    gs_pull_report report;
    gs_pull_ctx ctx = {store, NULL, cfg, &opts, &report, {0}, 0, NULL, NULL};
    gs_sync_state state;
    gs_pull_plan plan;
    int rc;

    memset(out, 0, sizeof *out);
    if (entity->id == GS_ENTITY_CONTACTS) {
        out->decision = GS_DECISION_PULLED;
        out->why = GS_WHY_WITH_CLIENTS;
        out->policy = cfg->policy[GS_ENTITY_CLIENTS].kind;
        snprintf(
            out->reason, sizeof out->reason,
            "read with clients (each client's allContacts, archived ones too)");
        return GS_OK;
    }
    rc = gs_clock_now(ctx.now, &ctx.now_t, now);
    if (rc == GS_OK)
        rc = gs_store_state_get(&state, store, entity);
    if (rc == GS_OK)
        rc = gs__pull_plan_make(&plan, &ctx, entity, &state);
    if (rc != GS_OK)
        return rc;
    gs__pull_plan_report(out, &plan, cfg->policy[entity->id].kind);
    out->decision =
        plan.mode == GS_PLAN_SKIP ? GS_DECISION_SKIPPED : GS_DECISION_PULLED;
    out->resumes = gs__pull_resumable(&state, plan.mode) != NULL ||
                   (cfg->pack && plan.mode == GS_PLAN_FULL &&
                    strcmp(state.resume_cursor, GS_PULL_RANGES_MARK) == 0);
    return GS_OK;
}

int gs_pull_run(gs_pull_report *report, gs_store *store, gs_gazelle *client,
                const gs_config *cfg, const gs_pull_opts *opts)
{
    static const gs_pull_opts no_opts = GS_PULL_OPTS_INIT;
    gs_pull_ctx ctx = {store, client, cfg, opts ? opts : &no_opts, report, {0},
                       0,     NULL,   NULL};
    const gs_entity *order[GS_ENTITY_COUNT];
    size_t n_order = gs_entity_pull_order(order);
    long long requests_before = gs_gazelle_requests(client);
    int attempted = 0, failed = 0, first_failure = GS_OK;
    int stop = GS_OK; /* a failure that ends the whole run */
    int rc;

    memset(report, 0, sizeof *report);
    rc = gs_opts_check(ctx.opts->version, GS_PULL_OPTS_VERSION, "gs_pull_opts");
    if (rc != GS_OK)
        return rc;
    rc = gs_clock_now(ctx.now, &ctx.now_t, ctx.opts->now);
    if (rc != GS_OK)
        return rc;
    if (n_order == 0) /* the descriptors' references form a cycle */
        return gs_error_set(GS_EINVAL, GS_ECLASS_NONE,
                            "no pull order: the entities name each other in "
                            "a cycle (engine/entity/entity_map.c)");
    ctx.named_users = json_object();
    if (!ctx.named_users)
        return GS_ENOMEM;
    /* Packed: the reads of every entity at once, their pages several to a
     * request (pull_packed.c); the hire check below still comes after. */
    if (cfg->pack)
        stop = gs__pull_packed(&ctx, order, n_order, &attempted, &failed,
                               &first_failure);
    /* Users first (a full technicians list makes the later check
     * meaningful): each entity after those its columns name; contacts ride
     * along with clients (gs_entity_pull_order). */
    for (size_t i = 0; i < n_order && !cfg->pack; i++) {
        const gs_entity *entity = order[i];
        unsigned bit = 1u << entity->id;

        if (ctx.opts->entities && !(ctx.opts->entities & bit))
            continue;
        if (ctx.opts->cancel && *ctx.opts->cancel) {
            stop = gs_error_set(GS_ECANCELED, GS_ECLASS_NONE,
                                "pull interrupted before %s", entity->name);
            break;
        }
        attempted++;
        rc = run_entity(&ctx, entity, NULL);
        rc = gs__pull_entity_done(&ctx, entity, rc);
        if (rc != GS_OK && failed++ == 0)
            first_failure = rc;
        if (rc == GS_EAUTH)
            break; /* every other entity would be refused the same way */
        /* A cache fault (corrupt page, disk full, I/O error) is the file's,
         * not the entity's: going on would write into a broken file. */
        if (rc == GS_ESTORE || rc == GS_ECANCELED) {
            stop = rc;
            break;
        }
    }
    if (first_failure != GS_EAUTH && stop == GS_OK) {
        rc = pull_users_for_hire(&ctx);
        if (rc != GS_OK && failed++ == 0)
            first_failure = rc;
        if (report->users_auto_triggered)
            gs__pull_report_finished(&ctx, GS_ENTITY_USERS);
    }
    report->requests = gs_gazelle_requests(client) - requests_before;
    for (int i = 0; i < GS_ENTITY_COUNT; i++)
        report->pages += report->entity[i].pages;
    json_decref(ctx.named_users);
    if (stop != GS_OK)
        return stop;
    if (failed == 0)
        return GS_OK;
    return failed >= attempted ? first_failure : GS_EPARTIAL;
}

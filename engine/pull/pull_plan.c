/* The local decision: whether an entity needs Gazelle this run, and how
 * much of it. Nothing here touches the network (DESIGN.md: "No network call
 * is made to decide whether to make a network call"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pull_internal.h"

static int plan_window(gs_pull_plan *plan, gs_pull_ctx *ctx,
                       const gs_entity_policy *policy)
{
    const char *tz = ctx->cfg->time_zone;
    char inner_start[11], inner_end[11];
    time_t from, to;
    int rc;

    gs_local_date(plan->window_start, ctx->now_t, -policy->window_past_days,
                  tz);
    gs_local_date(plan->window_end, ctx->now_t, policy->window_future_days, tz);
    /* Deletions are swept only over the whole days strictly inside the
     * window: whether Gazelle reads startOn/endOn as local or UTC days, an
     * event there was asked for, so its absence means it is gone. */
    gs_local_date(inner_start, ctx->now_t, -policy->window_past_days + 1, tz);
    gs_local_date(inner_end, ctx->now_t, policy->window_future_days, tz);
    rc = gs_local_midnight(&from, inner_start, tz);
    if (rc == GS_OK)
        rc = gs_local_midnight(&to, inner_end, tz);
    if (rc != GS_OK)
        return rc;
    gs_iso_format(plan->sweep_from, from);
    gs_iso_format(plan->sweep_to, to);
    plan->mode = GS_PLAN_WINDOW;
    plan->why = GS_WHY_WINDOW;
    snprintf(plan->reason, sizeof plan->reason, "window %s..%s (%s)",
             plan->window_start, plan->window_end, tz);
    return GS_OK;
}

/* The cheap probe for new rows: the newest creation stamp the cache holds
 * (a local read) gives createdGet. CoreDate is a date, and whether Gazelle
 * reads it in the business zone or in UTC is not documented: one day
 * earlier covers both, and the overlap re-reads a few rows whose hashes
 * show them unchanged. An empty table is read whole. */
static int plan_new_rows(gs_pull_plan *plan, gs_pull_ctx *ctx,
                         const gs_entity *entity)
{
    char *newest = NULL;
    time_t t;
    int rc = gs_store_max_text(&newest, ctx->store, entity, "created_at");

    if (rc != GS_OK)
        return rc;
    if (!newest || gs_iso_parse(&t, newest) != GS_OK) {
        plan->mode = GS_PLAN_FULL;
        plan->why = GS_WHY_NO_CREATED;
        snprintf(plan->reason, sizeof plan->reason,
                 "full read: no known creation date (policy new-rows)");
    } else {
        rc = gs_local_date(plan->created_get, t, -1, ctx->cfg->time_zone);
        plan->mode = GS_PLAN_NEW_ROWS;
        plan->why = GS_WHY_NEW_ROWS;
        snprintf(plan->reason, sizeof plan->reason,
                 "new rows: created since %s (newest known %s, minus a day)",
                 plan->created_get, newest);
    }
    free(newest);
    return rc;
}

/* The policy's own decision, once force, full and max-age are ruled out. */
static int plan_by_policy(gs_pull_plan *plan, gs_pull_ctx *ctx,
                          const gs_entity *entity,
                          const gs_entity_policy *policy,
                          const gs_sync_state *state)
{
    long long rows = 0;
    time_t high_water;
    int rc;

    switch (policy->kind) {
    case GS_POLICY_IF_EMPTY:
        rc = gs_store_count(&rows, ctx->store, entity);
        if (rc != GS_OK)
            return rc;
        plan->rows = rows;
        if (rows > 0) {
            plan->mode = GS_PLAN_SKIP;
            plan->why = GS_WHY_TABLE_HAS_ROWS;
            plan->can_force = 1;
            snprintf(plan->reason, sizeof plan->reason,
                     "table has %lld rows (policy if-empty); "
                     "--force=%s re-reads it",
                     rows, entity->name);
        } else {
            plan->mode = GS_PLAN_FULL;
            plan->why = GS_WHY_TABLE_EMPTY;
            snprintf(plan->reason, sizeof plan->reason,
                     "full read: table is empty (policy if-empty)");
        }
        return GS_OK;
    case GS_POLICY_WINDOW:
        /* The first run reads the whole history once; later runs only the
         * window where appointments still change. */
        if (!state->last_success[0]) {
            plan->mode = GS_PLAN_FULL;
            plan->why = GS_WHY_FIRST_RUN;
            snprintf(plan->reason, sizeof plan->reason, "first run: full read");
            return GS_OK;
        }
        return plan_window(plan, ctx, policy);
    case GS_POLICY_NEW_ROWS:
        return plan_new_rows(plan, ctx, entity);
    case GS_POLICY_SINCE:
        if (!state->high_water[0] ||
            gs_iso_parse(&high_water, state->high_water) != GS_OK) {
            plan->mode = GS_PLAN_FULL;
            plan->why = GS_WHY_FIRST_RUN;
            snprintf(plan->reason, sizeof plan->reason, "first run: full read");
            return GS_OK;
        }
        high_water -= (time_t)policy->lookback_s;
        plan->mode = GS_PLAN_SINCE;
        plan->why = GS_WHY_SINCE;
        gs_iso_format(plan->since, high_water);
        snprintf(plan->reason, sizeof plan->reason,
                 "since %s (high-water %s minus %llds lookback)", plan->since,
                 state->high_water, policy->lookback_s);
        return GS_OK;
    case GS_POLICY_ALWAYS:
    default:
        plan->mode = GS_PLAN_FULL;
        plan->why = GS_WHY_ALWAYS;
        snprintf(plan->reason, sizeof plan->reason,
                 "full read (policy always): unchanged rows cost nothing");
        return GS_OK;
    }
}

static void note_future(gs_pull_plan *plan, const gs_sync_state *state)
{
    char note[sizeof plan->reason + 96];

    if (plan->mode == GS_PLAN_SKIP)
        return;
    plan->clock_back = 1;
    snprintf(note, sizeof note,
             "last success %s is in the future (clock went back?): due; %s",
             state->last_success, plan->reason);
    gs_copy_text(plan->reason, sizeof plan->reason, note);
}

int gs__pull_plan_make(gs_pull_plan *plan, gs_pull_ctx *ctx,
                       const gs_entity *entity, const gs_sync_state *state)
{
    const gs_entity_policy *policy = &ctx->cfg->policy[entity->id];
    unsigned bit = 1u << entity->id;
    time_t last_success;

    memset(plan, 0, sizeof *plan);
    if (ctx->opts->force & bit) {
        plan->mode = GS_PLAN_FULL;
        plan->why = GS_WHY_FORCED;
        snprintf(plan->reason, sizeof plan->reason,
                 "forced (--force): full read");
        return GS_OK;
    }
    if (ctx->opts->full) {
        plan->mode = GS_PLAN_FULL;
        plan->why = GS_WHY_FULL;
        snprintf(plan->reason, sizeof plan->reason, "--full: full read");
        return GS_OK;
    }
    if (!policy->enabled) {
        plan->mode = GS_PLAN_SKIP;
        plan->why = GS_WHY_DISABLED;
        plan->can_force = 1;
        snprintf(plan->reason, sizeof plan->reason, "disabled in config");
        return GS_OK;
    }
    /* A last success after "now" means the clock went back (or a run
     * under --now from the future): not a reason to wait years, but a
     * reason to read now, and the reason says so. */
    int future = state->last_success[0] &&
                 gs_iso_parse(&last_success, state->last_success) == GS_OK &&
                 last_success > ctx->now_t;
    if (policy->max_age_s > 0 && !future && state->last_success[0] &&
        gs_iso_parse(&last_success, state->last_success) == GS_OK &&
        ctx->now_t - last_success < policy->max_age_s) {
        char age[32], limit[32];

        gs_duration_format(age, sizeof age,
                           (long long)(ctx->now_t - last_success));
        gs_duration_format(limit, sizeof limit, policy->max_age_s);
        plan->mode = GS_PLAN_SKIP;
        plan->why = GS_WHY_INTERVAL;
        plan->can_force = 1;
        plan->age_s = (long long)(ctx->now_t - last_success);
        plan->interval_s = policy->max_age_s;
        snprintf(plan->reason, sizeof plan->reason,
                 "last success %s ago (max-age=%s); --force=%s re-reads it",
                 age, limit, entity->name);
        return GS_OK;
    }
    if (policy->full_every_s > 0 && state->last_success[0]) {
        int due = 0;
        int rc = gs__pull_full_due(&due, ctx, entity, policy->full_every_s);

        if (rc != GS_OK)
            return rc;
        if (due) {
            char every[32];

            gs_duration_format(every, sizeof every, policy->full_every_s);
            plan->mode = GS_PLAN_FULL;
            plan->why = GS_WHY_FULL_DUE;
            plan->interval_s = policy->full_every_s;
            snprintf(plan->reason, sizeof plan->reason,
                     "full read due (full-every=%s): sweeps deletions", every);
            if (future)
                note_future(plan, state);
            return GS_OK;
        }
    }
    int rc = plan_by_policy(plan, ctx, entity, policy, state);
    if (rc == GS_OK && future)
        note_future(plan, state);
    return rc;
}

void gs__pull_plan_report(gs_entity_report *report, const gs_pull_plan *plan,
                          gs_policy_kind policy)
{
    report->why = plan->why;
    report->policy = policy;
    report->rows = plan->rows;
    report->age_s = plan->age_s;
    report->interval_s = plan->interval_s;
    report->can_force = plan->can_force;
    report->clock_back = plan->clock_back;
    gs_copy_text(report->reason, sizeof report->reason, plan->reason);
}

const char *gs_pull_why_name(gs_pull_why why)
{
    static const char *const names[] = {
        [GS_WHY_NONE] = "none",
        [GS_WHY_FORCED] = "forced",
        [GS_WHY_FULL] = "full",
        [GS_WHY_DISABLED] = "disabled",
        [GS_WHY_INTERVAL] = "policy-interval-not-elapsed",
        [GS_WHY_FULL_DUE] = "full-read-due",
        [GS_WHY_TABLE_HAS_ROWS] = "table-has-rows",
        [GS_WHY_TABLE_EMPTY] = "table-empty",
        [GS_WHY_FIRST_RUN] = "first-run",
        [GS_WHY_WINDOW] = "window",
        [GS_WHY_NEW_ROWS] = "new-rows",
        [GS_WHY_NO_CREATED] = "no-creation-date",
        [GS_WHY_SINCE] = "since",
        [GS_WHY_ALWAYS] = "always",
        [GS_WHY_HIRE] = "hire-detected",
        [GS_WHY_WITH_CLIENTS] = "with-clients",
    };

    if ((unsigned)why >= sizeof names / sizeof names[0] || !names[why])
        return "unknown";
    return names[why];
}

/* The last complete full read of each entity is kept in `meta`, since only
 * a full read can see deletions and edits that no filter reaches. */
static void full_key(char *key, size_t size, const gs_entity *entity)
{
    snprintf(key, size, "last_full.%s", entity->name);
}

int gs__pull_full_due(int *due, gs_pull_ctx *ctx, const gs_entity *entity,
                      long long every_s)
{
    char key[64];
    char *last = NULL;
    time_t last_t;
    int rc;

    full_key(key, sizeof key, entity);
    rc = gs_store_meta_get(&last, ctx->store, key);
    if (rc != GS_OK)
        return rc;
    /* A cache from before this rule has no stamp: count from now rather
     * than re-reading everything on upgrade. */
    if (!last)
        rc = gs__pull_full_done(ctx, entity);
    /* A full read stamped after "now" (the clock went back) is due: it
     * would otherwise wait until the clock caught up, years maybe. */
    *due = last && (gs_iso_parse(&last_t, last) != GS_OK ||
                    last_t > ctx->now_t || ctx->now_t - last_t >= every_s);
    free(last);
    return rc;
}

int gs__pull_full_done(gs_pull_ctx *ctx, const gs_entity *entity)
{
    char key[64];

    full_key(key, sizeof key, entity);
    return gs_store_meta_set(ctx->store, key, ctx->now);
}

/* Partitions of a read, from the cache alone (pull_ranges.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pull_ranges.h"

/* A year back more than the oldest client of any business we know: rows
 * older still land in the first range, open below. */
#define BLIND_YEARS 15

void gs__pull_partition_free(gs_pull_partition *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        json_decref(p->range[i].types);
    free(p->range);
    p->range = NULL;
    p->n = 0;
}

static gs_pull_range *add_range(gs_pull_partition *p)
{
    gs_pull_range *grown = realloc(p->range, (p->n + 1) * sizeof *grown);

    if (!grown)
        return NULL;
    p->range = grown;
    memset(&grown[p->n], 0, sizeof *grown);
    grown[p->n].rows = -1;
    return &grown[p->n++];
}

gs_range_kind gs__pull_range_kind(const gs_entity *entity,
                                  const gs_pull_plan *plan)
{
    if (plan->mode == GS_PLAN_FULL && entity->reads.created_filter &&
        entity->reads.sort_whole)
        return GS_RANGE_CREATED;
    /* A full read of events too: startOn alone bounds below, endOn alone
     * above (engine/pull/README.md), so open ends reach every date. */
    if ((plan->mode == GS_PLAN_WINDOW || plan->mode == GS_PLAN_FULL) &&
        entity->reads.window_from && entity->reads.window_to &&
        entity->reads.window_column)
        return GS_RANGE_START;
    if (plan->mode == GS_PLAN_FULL && entity->all_values[0].key &&
        !entity->all_values[0].in_filters && entity->reads.since_variable)
        return GS_RANGE_TYPES;
    return GS_RANGE_ALL;
}

/* @day shifted by @days calendar days (UTC arithmetic on a date). */
static int day_shift(char out[11], const char *day, int days)
{
    time_t t;
    int rc = gs_local_midnight(&t, day, "UTC");

    if (rc == GS_OK)
        rc = gs_local_date(out, t + 43200, days, "UTC");
    return rc;
}

int gs__pull_cut_days(gs_pull_partition *out, json_t *days, long long cap,
                      const char *first_lo, const char *last_hi)
{
    gs_pull_range *r;
    long long rows = 0;
    size_t i;
    json_t *pair;

    memset(out, 0, sizeof *out);
    out->kind = GS_RANGE_CREATED;
    if (!(r = add_range(out)))
        return GS_ENOMEM;
    gs_copy_text(r->lo, sizeof r->lo, first_lo);
    json_array_foreach(days, i, pair)
    {
        const char *day = json_string_value(json_array_get(pair, 0));
        long long n = json_integer_value(json_array_get(pair, 1));

        /* Rows outside the caller's bounds are not read by this read. */
        if (!day || strlen(day) != 10 ||
            (first_lo[0] && strcmp(day, first_lo) < 0) ||
            (last_hi[0] && strcmp(day, last_hi) > 0))
            continue;
        if (rows > 0 && rows + n > cap) {
            int rc = day_shift(r->hi, day, -1);

            if (rc != GS_OK)
                return rc;
            if (!(r = add_range(out)))
                return GS_ENOMEM;
            gs_copy_text(r->lo, sizeof r->lo, day);
            rows = 0;
        }
        rows += n;
        r->rows = rows;
    }
    gs_copy_text(r->hi, sizeof r->hi, last_hi);
    return GS_OK;
}

int gs__pull_blind_years(gs_pull_partition *out, const char *today, int years)
{
    int year;
    gs_pull_range *r;

    memset(out, 0, sizeof *out);
    out->kind = GS_RANGE_CREATED;
    if (sscanf(today, "%4d", &year) != 1 || year < 1000 || year > 9999 ||
        years < 0 || years > 100)
        return gs_error_set(GS_EINVAL, GS_ECLASS_NONE, "bad date '%.12s'",
                            today);
    /* (open .. Y-years-1-12-31], each year, [Y-01-01 .. open) */
    for (int y = year - years - 1; y <= year; y++) {
        if (!(r = add_range(out)))
            return GS_ENOMEM;
        if (y > year - years - 1)
            snprintf(r->lo, sizeof r->lo, "%04u-01-01", (unsigned)y % 10000u);
        if (y < year)
            snprintf(r->hi, sizeof r->hi, "%04u-12-31", (unsigned)y % 10000u);
    }
    return GS_OK;
}

int gs__pull_blind_months(gs_pull_partition *out, const char *from,
                          const char *to)
{
    char lo[11];
    gs_pull_range *r;

    memset(out, 0, sizeof *out);
    out->kind = GS_RANGE_START;
    gs_copy_text(lo, sizeof lo, from);
    while (strcmp(lo, to) <= 0) {
        int y, m;
        char next[11];
        int rc;

        if (!(r = add_range(out)))
            return GS_ENOMEM;
        gs_copy_text(r->lo, sizeof r->lo, lo);
        if (sscanf(lo, "%4d-%2d", &y, &m) != 2 || y < 1000 || y > 9998 ||
            m < 1 || m > 12)
            return gs_error_set(GS_EINVAL, GS_ECLASS_NONE, "bad date '%s'", lo);
        y += m / 12;
        m = m % 12 + 1;
        snprintf(next, sizeof next, "%04d-%02d-01", y, m);
        if (strcmp(next, to) > 0) {
            gs_copy_text(r->hi, sizeof r->hi, to);
            break;
        }
        rc = day_shift(r->hi, next, -1);
        if (rc != GS_OK)
            return rc;
        gs_copy_text(lo, sizeof lo, next);
    }
    return GS_OK;
}

static long long count_of(json_t *counts, const char *value)
{
    size_t i;
    json_t *pair;

    json_array_foreach(counts, i, pair)
    {
        const char *v = json_string_value(json_array_get(pair, 0));

        if (v && strcmp(v, value) == 0)
            return json_integer_value(json_array_get(pair, 1));
    }
    return 0;
}

int gs__pull_group_types(gs_pull_partition *out, const char *const *values,
                         json_t *counts, int groups)
{
    size_t n = 0, n_known = 0, n_groups;
    long long *load = NULL, *rows = NULL;
    size_t *order = NULL;
    int rc = GS_ENOMEM;

    memset(out, 0, sizeof *out);
    out->kind = GS_RANGE_TYPES;
    while (values[n])
        n++;
    rows = calloc(n + 1, sizeof *rows);
    order = calloc(n + 1, sizeof *order);
    if (!rows || !order)
        goto done;
    for (size_t i = 0; i < n; i++) {
        rows[i] = count_of(counts, values[i]);
        n_known += rows[i] > 0;
    }
    /* Nothing known (a first read): each value alone, so that the heavy
     * types, unknown yet, each page on their own. */
    if (n_known == 0) {
        for (size_t i = 0; i < n; i++) {
            gs_pull_range *r = add_range(out);

            if (!r || !(r->types = json_pack("[s]", values[i])))
                goto done;
        }
        rc = GS_OK;
        goto done;
    }
    n_groups = groups < 1 ? 1 : (size_t)groups;
    if (n_groups > n_known)
        n_groups = n_known;
    load = calloc(n_groups, sizeof *load);
    if (!load)
        goto done;
    for (size_t g = 0; g < n_groups; g++) {
        gs_pull_range *r = add_range(out);

        if (!r || !(r->types = json_array()))
            goto done;
    }
    /* Largest first, each into the lightest group (LPT). */
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && rows[order[j]] > rows[order[j - 1]]; j--) {
            size_t t = order[j];

            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (size_t k = 0; k < n_known; k++) {
        size_t i = order[k], light = 0;

        for (size_t g = 1; g < n_groups; g++)
            if (load[g] < load[light])
                light = g;
        load[light] += rows[i];
        out->range[light].rows = load[light];
        if (json_array_append_new(out->range[light].types,
                                  json_string(values[i])) != 0)
            goto done;
    }
    /* Types the cache has never held: together, one more range. */
    if (n_known < n) {
        gs_pull_range *r = add_range(out);

        if (!r || !(r->types = json_array()))
            goto done;
        for (size_t k = n_known; k < n; k++)
            if (json_array_append_new(r->types,
                                      json_string(values[order[k]])) != 0)
                goto done;
    }
    rc = GS_OK;
done:
    if (rc != GS_OK)
        gs__pull_partition_free(out);
    free(load);
    free(rows);
    free(order);
    return rc == GS_ENOMEM
               ? gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory")
               : rc;
}

/* The cache's live rows per business day of @column, [day, rows] in day
 * order. */
static int rows_per_day(json_t **days, gs_pull_ctx *ctx,
                        const gs_entity *entity, const char *column)
{
    json_t *stamps = NULL, *out = json_array();
    char last[11] = "";
    size_t i;
    json_t *pair;
    int rc = out ? gs_store_count_by(&stamps, ctx->store, entity, column)
                 : GS_ENOMEM;

    json_array_foreach(stamps, i, pair)
    {
        const char *stamp = json_string_value(json_array_get(pair, 0));
        long long n = json_integer_value(json_array_get(pair, 1));
        char day[11];
        time_t t;

        if (rc != GS_OK)
            break;
        if (!stamp || gs_iso_parse(&t, stamp) != GS_OK ||
            gs_local_date(day, t, 0, ctx->cfg->time_zone) != GS_OK)
            continue;
        /* Stamps in order are days in order: merge each day's stamps. */
        if (strcmp(day, last) == 0) {
            json_t *tail = json_array_get(out, json_array_size(out) - 1);

            rc = json_array_set_new(
                     tail, 1,
                     json_integer(json_integer_value(json_array_get(tail, 1)) +
                                  n)) == 0
                     ? GS_OK
                     : GS_ENOMEM;
        } else {
            rc = json_array_append_new(
                     out, json_pack("[s,I]", day, (json_int_t)n)) == 0
                     ? GS_OK
                     : GS_ENOMEM;
            gs_copy_text(last, sizeof last, day);
        }
    }
    json_decref(stamps);
    if (rc != GS_OK) {
        json_decref(out);
        out = NULL;
    }
    *days = out;
    return rc;
}

int gs__pull_partition_make(gs_pull_partition *out, gs_pull_ctx *ctx,
                            const gs_entity *entity, const gs_pull_plan *plan,
                            int page_size)
{
    gs_range_kind kind = gs__pull_range_kind(entity, plan);
    /* A range of at most 90% of a page: a few rows created or moved since
     * the cache last saw them still fit, and the range ends in one page. */
    long long cap = page_size * 9LL / 10 > 0 ? page_size * 9LL / 10 : 1;
    json_t *counts = NULL;
    char today[11];
    int rc = GS_OK;

    memset(out, 0, sizeof *out);
    if (kind == GS_RANGE_ALL) {
        out->kind = kind;
        return add_range(out) ? GS_OK : GS_ENOMEM;
    }
    if (kind == GS_RANGE_TYPES) {
        int groups = ctx->cfg->request_nodes / (page_size > 0 ? page_size : 1);

        rc = gs_store_count_by(&counts, ctx->store, entity, "type");
        if (rc == GS_OK)
            rc = gs__pull_group_types(out, entity->all_values[0].values, counts,
                                      groups);
        json_decref(counts);
        return rc;
    }
    rc = rows_per_day(&counts, ctx, entity,
                      kind == GS_RANGE_CREATED ? "created_at"
                                               : entity->reads.window_column);
    if (rc == GS_OK && plan->mode == GS_PLAN_FULL) {
        if (json_array_size(counts) == 0) {
            rc = gs_local_date(today, ctx->now_t, 0, ctx->cfg->time_zone);
            if (rc == GS_OK)
                rc = gs__pull_blind_years(out, today, BLIND_YEARS);
        } else
            rc = gs__pull_cut_days(out, counts, cap, "", "");
        out->kind = kind;
    } else if (rc == GS_OK) {
        long long in_window = 0;
        size_t i;
        json_t *pair;

        json_array_foreach(counts, i, pair)
        {
            const char *day = json_string_value(json_array_get(pair, 0));

            if (strcmp(day, plan->window_start) >= 0 &&
                strcmp(day, plan->window_end) <= 0)
                in_window += json_integer_value(json_array_get(pair, 1));
        }
        if (in_window == 0)
            rc = gs__pull_blind_months(out, plan->window_start,
                                       plan->window_end);
        else
            rc = gs__pull_cut_days(out, counts, cap, plan->window_start,
                                   plan->window_end);
        out->kind = GS_RANGE_START;
    }
    json_decref(counts);
    if (rc != GS_OK)
        gs__pull_partition_free(out);
    return rc;
}

json_t *gs__pull_range_json(const gs_pull_range *range)
{
    return json_pack("{s:s,s:s,s:O?}", "lo", range->lo, "hi", range->hi,
                     "types", range->types);
}

int gs__pull_range_parse(gs_pull_range *out, json_t *json)
{
    const char *lo = json_string_value(json_object_get(json, "lo"));
    const char *hi = json_string_value(json_object_get(json, "hi"));
    json_t *types = json_object_get(json, "types");

    memset(out, 0, sizeof *out);
    out->rows = -1;
    if (!lo || !hi || strlen(lo) > 10 || strlen(hi) > 10 ||
        (types && !json_is_array(types) && !json_is_null(types)))
        return GS_EINVAL;
    gs_copy_text(out->lo, sizeof out->lo, lo);
    gs_copy_text(out->hi, sizeof out->hi, hi);
    if (json_is_array(types))
        out->types = json_incref(types);
    return GS_OK;
}

void gs__pull_range_name(char *out, size_t size, const gs_pull_range *range)
{
    if (range->types)
        snprintf(out, size, "types %.40s%s",
                 json_string_value(json_array_get(range->types, 0))
                     ? json_string_value(json_array_get(range->types, 0))
                     : "(none)",
                 json_array_size(range->types) > 1 ? " and more" : "");
    else if (range->lo[0] || range->hi[0])
        snprintf(out, size, "%s..%s", range->lo, range->hi);
    else
        snprintf(out, size, "all");
}

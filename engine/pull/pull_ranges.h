/* The partition of one read into ranges that each fit about one page,
 * computed from the cache alone (engine/pull/README.md, "Packed
 * requests"). The ranges tile the read: every creation day, start day of
 * the window or timeline type lies in exactly one, so a row is asked once
 * whatever zone Gazelle compares dates in. */
#ifndef GS_PULL_RANGES_H
#define GS_PULL_RANGES_H

#include <jansson.h>

#include "pull_internal.h"

typedef enum {
    GS_RANGE_ALL = 0, /* one range, the read's own bounds */
    GS_RANGE_CREATED, /* filters.createdGet/createdLet (clients, pianos) */
    GS_RANGE_START,   /* filters.startOn/endOn (events) */
    GS_RANGE_TYPES,   /* the `types` variable (timeline) */
} gs_range_kind;

typedef struct {
    char lo[11], hi[11]; /* inclusive days, "" open (CREATED, START) */
    json_t *types;       /* TYPES: the enum values of this range (owned) */
    long long rows;      /* the cache's rows in it; -1 not known (blind) */
} gs_pull_range;

typedef struct {
    gs_range_kind kind;
    gs_pull_range *range;
    size_t n;
} gs_pull_partition;

void gs__pull_partition_free(gs_pull_partition *p);

/* How @entity's read under @plan is cut: CREATED for full reads of clients
 * and pianos, START for the appointments' window and full reads, TYPES for
 * a full read of the timeline, ALL for everything else (since, new-rows,
 * users). */
gs_range_kind gs__pull_range_kind(const gs_entity *entity,
                                  const gs_pull_plan *plan);

/* Cuts @days ([day, rows] pairs in day order) into ranges of at most @cap
 * rows at day boundaries (a day with more stays whole): the first range
 * starts at @first_lo, the last ends at @last_hi ("" open), and each next
 * range starts the day after the previous one ends. */
int gs__pull_cut_days(gs_pull_partition *out, json_t *days, long long cap,
                      const char *first_lo, const char *last_hi);

/* With nothing known: one range per calendar year of the @years before
 * @today's year and that year, the first open below, the last open above. */
int gs__pull_blind_years(gs_pull_partition *out, const char *today, int years);

/* With nothing known of a window [@from, @to]: one range per month. */
int gs__pull_blind_months(gs_pull_partition *out, const char *from,
                          const char *to);

/* Every value of @values (NULL-ended) in exactly one of at most @groups
 * ranges, balanced by @counts ([value, rows] pairs; values absent or at 0
 * form one more group of their own). No counts at all: each value alone. */
int gs__pull_group_types(gs_pull_partition *out, const char *const *values,
                         json_t *counts, int groups);

/* The partition of @entity's read under @plan from the cache's rows. */
int gs__pull_partition_make(gs_pull_partition *out, gs_pull_ctx *ctx,
                            const gs_entity *entity, const gs_pull_plan *plan,
                            int page_size);

/* The range as JSON ({"lo","hi","types"}) and back, for checkpoints. */
json_t *gs__pull_range_json(const gs_pull_range *range);
int gs__pull_range_parse(gs_pull_range *out, json_t *json);

/* "2019-01-01..2019-12-31", "..2010-12-31", "3 types", "all": for errors. */
void gs__pull_range_name(char *out, size_t size, const gs_pull_range *range);

#endif

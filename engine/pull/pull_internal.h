/* Private pieces of the pull: the plan (a local decision, no network) and
 * the page loop that carries it out. */
#ifndef GS_PULL_INTERNAL_H
#define GS_PULL_INTERNAL_H

#include <jansson.h>
#include <time.h>

#include "clock.h"
#include "gazsync/error.h"
#include "gazsync/pull.h"

typedef enum {
    GS_PLAN_SKIP = 0,
    GS_PLAN_FULL,     /* every row; deletions swept over the whole table */
    GS_PLAN_NEW_ROWS, /* CREATED_AT_DESC, createdGet = created_get */
    GS_PLAN_WINDOW,   /* the date window; deletions swept inside it */
    GS_PLAN_SINCE,    /* occurredAtGet = since */
} gs_plan_mode;

typedef struct {
    gs_plan_mode mode;
    /* The decision as data (gs_entity_report's fields of the same names);
     * reason says it in English for the log and the state row. */
    gs_pull_why why;
    long long rows, age_s, interval_s;
    int can_force, clock_back;
    char reason[160];
    char created_get[11];         /* new-rows: createdGet (business date) */
    char since[GS_ISO_SIZE];      /* since: occurredAtGet */
    char window_start[11];        /* window: startOn (business dates) */
    char window_end[11];          /* window: endOn */
    char sweep_from[GS_ISO_SIZE]; /* window: sweep start >= this ... */
    char sweep_to[GS_ISO_SIZE];   /* ... and < this */
} gs_pull_plan;

/* The checkpoint of a full read packed in ranges: each range's cursor is
 * in `meta` (pull.ranges.<entity>, pull_packed.c); this mark in
 * sync_state.resume_cursor says they are to be resumed, and store/repair.c
 * drops it ("full|%") with the rest when the sweep's seen ids are gone. */
#define GS_PULL_RANGES_MARK "full|{ranges}"

/* What one pull run shares between its entities. */
typedef struct {
    gs_store *store;
    gs_gazelle *client;
    const gs_config *cfg;
    const gs_pull_opts *opts;
    gs_pull_report *report;
    char now[GS_ISO_SIZE];
    time_t now_t;
    json_t *named_users; /* set (object) of user ids the data names */
    json_t *read_rows;   /* this read: id -> [row_hash, page] (defect 18) */
} gs_pull_ctx;

/* Decides, from the cache alone, what to do with @entity this run. */
int gs__pull_plan_make(gs_pull_plan *plan, gs_pull_ctx *ctx,
                       const gs_entity *entity, const gs_sync_state *state);

/* Copies @plan's decision (why, rows, ..., reason) into @report, with the
 * entity's configured @policy. */
void gs__pull_plan_report(gs_entity_report *report, const gs_pull_plan *plan,
                          gs_policy_kind policy);

/* Whether the entity's periodic full read is due (*due 0/1), and the
 * record that one finished. */
int gs__pull_full_due(int *due, gs_pull_ctx *ctx, const gs_entity *entity,
                      long long every_s);
int gs__pull_full_done(gs_pull_ctx *ctx, const gs_entity *entity);

/* The cursor a pull of @mode can resume from, or NULL. */
const char *gs__pull_resumable(const gs_sync_state *state, gs_plan_mode mode);

/* One read's running figures: pages, rows, the totalCount check, the
 * cursors it was given (a packed read keeps one per range for the checks
 * and one for the entity, whose sums and flags decide its sweep). */
typedef struct {
    long page;
    long long changed, rejected;
    time_t max_stamp;
    char max_text[GS_ISO_SIZE];
    int resumed;          /* the read goes on from an earlier run's page */
    long long total;      /* totalCount of the first page; -1 unknown */
    int total_moved;      /* a later page said another totalCount */
    long long nodes_read; /* nodes of this run's pages */
    json_t *cursors;      /* every cursor this read was given (a set) */
    int count_off;        /* packed: a range read other than its count */
    long page_min;     /* fewest nodes of a page with more to follow; 0 none */
    int recount_moved; /* packed: a range's count, asked again once every
                          range was read, differs from the one it was read
                          at */
    int counts_unchecked; /* packed: those counts could not be asked */
    int out_of_order;     /* packed: a range begun before an earlier one
                             was finished */
} gs_pull_totals;

const char *gs__pull_mode_name(gs_plan_mode mode);

/* The variables of one page of @entity under @plan (sort, enum values,
 * bounds, nested page sizes), after @after (NULL: the first page). */
json_t *gs__pull_page_variables(const gs_pull_ctx *ctx, const gs_entity *entity,
                                const gs_pull_plan *plan, int page_size,
                                const char *after);

/* The refusals of an answer that would page forever (issue 11, defect 5)
 * and of an inner list cut short; @what names the page in the error.
 * @page_size is the `first` asked; a service that answers fewer (it clamps
 * `first` to a lower cap) is paged at the size it answers. */
int gs__pull_check_progress(gs_pull_totals *totals, const gs_gazelle_page *page,
                            int page_size, const char *what);
int gs__pull_check_inner_list(const gs_entity *entity, json_t *nodes,
                              const char *what);

/* Nodes per page of @entity (its own page_size, else the global one). */
int gs__pull_page_size(const gs_pull_ctx *ctx, const gs_entity *entity);

/* Starts a read (@resume 0: afresh, its seen ids reset) or goes on with one
 * (its pending mark into @totals); the state says "running". */
int gs__pull_read_open(gs_pull_ctx *ctx, const gs_entity *entity,
                       const gs_pull_plan *plan, gs_sync_state *state,
                       gs_pull_totals *totals, int resume);

/* Completes a read: the sweep (or why none), the high-water mark, the
 * checkpoint cleared, in one transaction; *state adopted once committed. */
int gs__pull_finish(gs_pull_ctx *ctx, const gs_entity *entity,
                    const gs_pull_plan *plan, gs_sync_state *state,
                    gs_pull_totals *totals);

/* Seconds since @start (CLOCK_MONOTONIC). */
double gs__pull_elapsed(const struct timespec *start);

/* An entity's failure into its report and (@state not NULL) its state. */
void gs__pull_record_failure(gs_pull_ctx *ctx, const gs_entity *entity,
                             gs_sync_state *state, int rc);

/* Tells the progress callback that entity @id is done, with its report. */
void gs__pull_report_finished(gs_pull_ctx *ctx, gs_entity_id id);

/* An entity is done (pulled, skipped or failed with @rc): contacts follow
 * clients, the progress callback hears of both. Returns @rc, or the
 * contacts' failure. */
int gs__pull_entity_done(gs_pull_ctx *ctx, const gs_entity *entity, int rc);

/* One part a packed request could carry: its entity, its `first`, the
 * pages its stream has left (the priority). */
typedef struct {
    int entity; /* gs_entity_id */
    int first;
    long long left;
} gs_pull_ask;

/* What refusals as too costly taught (pull_cost.c; engine/pull/README.md,
 * "Limits"), kept in meta under pull.request_nodes_learned. */
typedef struct {
    double per_node[GS_ENTITY_COUNT]; /* cost of one node; 0: not known */
    double limit;   /* the service's max complexity; 0: not known */
    int nodes;      /* nodes a request, from refusals with no numbers; 0 */
    int clean_runs; /* runs without a refusal since the last probe */
} gs_pull_costs;

/* Requests are filled to this share of the limit: a request's cost is
 * near, not exactly, the sum of its parts'. */
#define GS_PULL_COST_SHARE 0.9
/* Runs without a refusal before the limit and node cap are probed a
 * quarter higher: at a fixed limit, one refusal a week at most. */
#define GS_PULL_COST_PROBE_RUNS 7

/* graphql-ruby's "Query has complexity of C, which exceeds max complexity
 * of N" anywhere in @message: 1 with @cost = C and @limit = N, else 0. */
int gs__pull_cost_parse(const char *message, double *cost, double *limit);

/* A refused request of @nodes[entity] nodes cost @cost against @limit:
 * one entity alone is measured (its bit set in @exact); several share the
 * cost left by those in @exact, in proportion to their nodes. */
void gs__pull_cost_learn(gs_pull_costs *costs,
                         const long long nodes[GS_ENTITY_COUNT], double cost,
                         double limit, unsigned *exact);

/* One node of @entity: its own cost, else the costliest known (0: none). */
double gs__pull_cost_per_node(const gs_pull_costs *costs, int entity);

/* The cost a request may reach: the limit's share, 0 when not known. */
double gs__pull_cost_room(const gs_pull_costs *costs);

/* A run without a refusal; after GS_PULL_COST_PROBE_RUNS of them the limit
 * and the node cap grow by a quarter (a cap reaching @budget is dropped). */
void gs__pull_cost_clean_run(gs_pull_costs *costs, int budget);

/* The parts of the next packed request among @asks (in pull order): the
 * most pages left first, pull order among equals, each only while the sum
 * of `first` stays within @budget and the sum of their costs within
 * gs__pull_cost_room(@costs) (NULL: no cost bound); a part that does not
 * fit leaves room for a smaller one; one part always. Their indexes into
 * @chosen (room for @n); returns how many (0 when @n is 0 or out of
 * memory). */
size_t gs__pull_pick(size_t *chosen, const gs_pull_ask *asks, size_t n,
                     int budget, const gs_pull_costs *costs);

/* The largest `first` a packed part asks: 200, the page size the field
 * client uses in production (contracts/gazelle.md) and the simulator's cap
 * (tools/gazelle-sim/README.md). */
#define GS_PULL_PAGE_CEILING 200

/* The `first` of a packed part whose range has @rows left to read (-1 not
 * known): @page_size, or, when the range holds more than a page (an import
 * day no date bound splits) and the page size is the default one (@fixed
 * 0), up to GS_PULL_PAGE_CEILING, @budget and @cap (0: none). */
int gs__pull_part_size(int page_size, int fixed, long long rows, int budget,
                       int cap);

/* The packed run (pull_packed.c): the reads of every entity due tonight,
 * their pages packed into requests of cfg->request_nodes. */
int gs__pull_packed(gs_pull_ctx *ctx, const gs_entity *const *order,
                    size_t n_order, int *attempted, int *failed,
                    int *first_failure);

/* Carries out @plan for @entity, page by page; fills the entity's report. */
int gs__pull_entity(gs_pull_ctx *ctx, const gs_entity *entity,
                    const gs_pull_plan *plan, gs_sync_state *state);

/* Completes, before the page's transaction, the contacts of every client
 * of @nodes whose nested allContacts page said there are more: follow-up
 * requests append them to the client's allContacts.nodes. */
int gs__pull_contacts_complete(gs_pull_ctx *ctx, json_t *nodes, long page);

/* Contacts per nested page and per follow-up ([entity.contacts]
 * page_size, 25 by default). */
int gs__pull_contacts_page_size(const gs_pull_ctx *ctx);

/* bench/gs_bench.c still spells it without the private prefix. */
#define gs_pull_ingest_page gs__pull_ingest_page
/* Stores one page of nodes in the open transaction: upserts (and contacts
 * for clients), collects named technicians. Rows without an id are refused
 * one by one (counted in *rejected, first error kept), the rest are kept. */
int gs__pull_ingest_page(gs_pull_ctx *ctx, const gs_entity *entity,
                         json_t *nodes, long page, long long *changed,
                         long long *rejected, time_t *max_stamp,
                         char max_stamp_text[GS_ISO_SIZE]);

#endif

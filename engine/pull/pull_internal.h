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

/* The packed run's private types and the calls between its files:
 * pull_streams.c (reads, streams, checkpoints) under pull_pick.c (the next
 * request's parts) and pull_absorb.c (storing an answer), both under
 * pull_packed.c (sending, refusals, the run). */
#ifndef GS_PULL_PACKED_H
#define GS_PULL_PACKED_H

#include <stddef.h>

#include "pull_ranges.h"

typedef struct {
    gs_pull_range bounds;
    char *cursor; /* continue after it; NULL: the range's first page */
    int done;
    int census;        /* first: 1, for the whole list's totalCount only */
    int first;         /* the next page's `first` (pick); 0 the page size */
    int small;         /* an enlarged page was refused alone: page size */
    int whole;         /* the list again unbounded: the ranges missed rows */
    long first_in;     /* the request that read its first page */
    long read_in;      /* the request that read its last page */
    long long recount; /* its totalCount asked again (first: 1) ... */
    long recount_in;   /* ... in this request; 0 never */
    gs_pull_totals t;  /* this range's pages, totalCount and cursors */
} stream;

typedef struct {
    const gs_entity *entity;
    gs_pull_plan plan;
    gs_sync_state state;
    stream *streams;
    size_t n_streams;
    gs_pull_totals totals; /* the entity's rows, marks, resumed */
    long long census;      /* the whole read's totalCount; -1 not asked */
    json_t *read_rows;     /* ctx->read_rows while its pages are stored */
    int page_size;
    int open;           /* reading: neither finished nor failed */
    gs_range_kind kind; /* how its ranges are cut (pull_ranges.h) */
    int blind;          /* cut with nothing known (no rows cached) */
    int recount_alone;  /* every range read: its counts asked on their own */
    int count_requests; /* requests of counts alone it was given */
    int counts_lost;    /* the run stopped before its counts were asked */
    int unstored;       /* an answer of it was rolled back after its
                           streams had moved on: never completed */
    long long requests; /* requests that carried it, follow-ups too */
    struct timespec start;
} entity_read;

typedef struct {
    gs_pull_ctx *ctx;
    entity_read *reads;
    size_t n_reads;
    int budget;          /* nodes per request (request_nodes) */
    gs_pull_costs costs; /* learned from refusals (pull_cost.c) */
    unsigned exact;      /* entities measured alone this run, by bit */
    int refused;         /* a request was refused as too costly this run */
    long long requests_before;
    long request_no;
    int splitting; /* inside a refused request's parts: completion waits */
    int *failed, *first_failure;
} packer;

typedef struct {
    entity_read *read;
    stream *s;
    int recount; /* s done: its range's totalCount only (first: 1) */
} part_ref;

/* ---- pull_streams.c ---- */
void gs__packed_read_free(entity_read *read);
int gs__packed_ranges_save(packer *p, entity_read *read);
int gs__packed_read_start(packer *p, entity_read *read);
void gs__packed_count_failure(packer *p, int rc);
void gs__packed_fail_read(packer *p, entity_read *read, int rc);
int gs__packed_read_whole(packer *p, entity_read *read);
int gs__packed_counts_again(const entity_read *read);
size_t gs__packed_reads_left(const entity_read *read);
int gs__packed_part_first(const entity_read *read, const stream *s);
int gs__packed_ref_first(const part_ref *ref);
void gs__packed_part_name(char *out, size_t size, const part_ref *ref);

/* ---- pull_pick.c ---- */
int gs__packed_pick(packer *p, part_ref *refs, size_t max, size_t *picked_out);

/* ---- pull_absorb.c ---- */
int gs__packed_complete_read(packer *p, entity_read *read);
int gs__packed_absorb(packer *p, part_ref *refs, size_t n, json_t **answers);
/* The reads of @refs whose every range is done, completed (once each). */
int gs__packed_complete_done(packer *p, part_ref *refs, size_t n);
/* @read, open, stopped by @rc: failed, unless every page is stored (its
 * counts were left to ask, or a refused request's parts were still out):
 * then it finishes, without a sweep if its counts are missing. */
int gs__packed_stop_read(packer *p, entity_read *read, int rc);

#endif

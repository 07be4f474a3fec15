/* Private to engine/sync: the run row (sync_record.c) that gs_sync_run()
 * (sync.c) opens before the first request and completes at the end. */
#ifndef GS_SYNC_INTERNAL_H
#define GS_SYNC_INTERNAL_H

#include "buf.h"
#include "clock.h"
#include "gazsync/sync.h"

typedef struct {
    gs_store *store; /* borrowed */
    gs_run_record rec;
    long long id;
    int begun;
    char started_at[GS_ISO_SIZE];
    char finished_at[GS_ISO_SIZE];
    gs_buf error; /* "pianos: ...; appointments: ..." */
} gs__sync_row;

/* Inserts the "running" row of @command, stamped @now (NULL: the clock). */
int gs__sync_row_begin(gs__sync_row *row, gs_store *store, const char *command,
                       const char *now);
/* Adds a half's figures and failures; @half prefixes the messages in a run
 * of both halves ("pull", "push"), NULL otherwise. */
void gs__sync_row_add_pull(gs__sync_row *row, const gs_pull_report *report,
                           int rc, const gs_error *err, const char *half);
void gs__sync_row_add_push(gs__sync_row *row, const gs_push_report *report,
                           int rc, const gs_error *err, const char *half);
/* Completes the row with status of @rc; takes @stats (may be NULL) and
 * decrefs it. GS_OK without a begun row. */
int gs__sync_row_finish(gs__sync_row *row, int rc, const char *now,
                        json_t *stats);
void gs__sync_row_free(gs__sync_row *row);

#endif

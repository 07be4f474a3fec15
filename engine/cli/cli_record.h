/* The run log row of one command (sync_runs), from the CLI's side. */
#ifndef GS_CLI_RECORD_H
#define GS_CLI_RECORD_H

#include "buf.h"
#include "cli.h"

typedef struct {
    gs_store *store; /* borrowed */
    gs_run_record rec;
    long long id;
    int begun;
    char started_at[32];
    char finished_at[32];
    gs_buf error; /* "pianos: ...; appointments: ..." */
} gs_cli_run;

int cli_run_begin(gs_cli_run *run, gs_store *store, const gs_cli *cli,
                  const char *command);
/* @p half prefixes messages in a sync ("pull", "push"); NULL otherwise. */
void cli_run_add_pull(gs_cli_run *run, const gs_pull_report *report, int rc,
                      const gs_error *err, const char *half);
void cli_run_add_push(gs_cli_run *run, const gs_push_report *report, int rc,
                      const gs_error *err, const char *half);
int cli_run_finish(gs_cli_run *run, const gs_cli *cli, int rc, json_t *stats);
void cli_run_free(gs_cli_run *run);

#endif

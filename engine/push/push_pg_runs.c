/* The run log (gazsync_runs) over PostgreSQL: the same run objects as the
 * REST target's (push_runs.c builds them), upserted on run_id in one
 * statement, the whole array bound as one parameter. */
#include <stdlib.h>
#include <string.h>

#include "gazsync/error.h"
#include "pg_conn.h"
#include "push_internal.h"

static const char runs_sql[] =
    "INSERT INTO gazsync_runs (run_id, command, started_at, finished_at, "
    "status, gazelle_requests, supabase_requests, rows_in, rows_changed, "
    "rows_pushed, stats, error) "
    "SELECT run_id, command, started_at, finished_at, status, "
    "gazelle_requests, supabase_requests, rows_in, rows_changed, rows_pushed, "
    "stats, error FROM jsonb_populate_recordset(null::gazsync_runs, "
    "$1::jsonb) "
    "ON CONFLICT (run_id) DO UPDATE SET command = excluded.command, "
    "started_at = excluded.started_at, finished_at = excluded.finished_at, "
    "status = excluded.status, gazelle_requests = excluded.gazelle_requests, "
    "supabase_requests = excluded.supabase_requests, "
    "rows_in = excluded.rows_in, rows_changed = excluded.rows_changed, "
    "rows_pushed = excluded.rows_pushed, stats = excluded.stats, "
    "error = excluded.error";

int gs__push_pg_post_runs(void *sink, json_t *runs)
{
    gs_pg *pg = sink;
    char *text = json_dumps(runs, JSON_COMPACT);
    const char *params[1] = {text};
    char state[6], message[400];
    int rc;

    if (!text)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE,
                            "push: out of memory");
    rc = gs__pg_exec(NULL, pg, runs_sql, 1, params, PGRES_COMMAND_OK, state,
                     message, sizeof message);
    free(text);
    if (rc != GS_OK)
        return gs_error_set(rc, GS_ECLASS_SUPABASE,
                            "push: run log to gazsync_runs at %s: %s (%s)",
                            gs__pg_where(pg), message, state);
    return GS_OK;
}

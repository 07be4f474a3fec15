/* What a killed run leaves behind, put right by the next run once it holds
 * the run lock (so nothing else can be running):
 *
 * - sync_runs rows still "running": no process will ever finish them, so
 *   they become "interrupted" (finished_at stays NULL: when the process
 *   died is not known). The push sends them to gazsync_runs as they are.
 * - a full read whose checkpoint ("full|<cursor>") survives while its
 *   sweep scope is gone. Caches written before the run lock get there when
 *   an overlapping run's delta closed the scope under a running full read:
 *   the resumed read then failed "sweep without gs_store_seen_reset()" on
 *   every run, --full and --force included, since they resume the same
 *   checkpoint. Without the scope the ids seen before the kill are lost,
 *   so resuming cannot sweep honestly: the checkpoint is dropped and the
 *   full read starts again (one full read more, nothing deleted wrongly).
 *   Clients also need their contacts' scope, which they sweep with them. */
#include "internal.h"

static const char repair_sql[] =
    "UPDATE sync_runs SET status = 'interrupted', error = "
    "coalesce(error || '; ', '') || 'interrupted: the process ended before "
    "the run finished (killed, or the machine stopped)' "
    "WHERE status = 'running';\n"
    "UPDATE sync_state SET resume_cursor = NULL, pending_high_water = NULL "
    "WHERE resume_cursor LIKE 'full|%' AND (entity NOT IN "
    "(SELECT entity FROM sweep_scope) OR (entity = 'clients' AND "
    "'contacts' NOT IN (SELECT entity FROM sweep_scope)));\n"
    "UPDATE sync_state SET status = 'interrupted' WHERE status = 'running';";

int gs__store_repair(gs_store *store)
{
    int rc = sqlite3_exec(store->db, repair_sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK)
        return gs__store_sql_error(store, rc, "repairing a killed run's state");
    return GS_OK;
}

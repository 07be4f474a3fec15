/* doctor's look at the PostgreSQL target (gazsync/push_probe.h): one bounded
 * connection, then catalog reads only. */
#include "gazsync/push_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazsync/error.h"
#include "pg_conn.h"

struct gs_push_probe {
    gs_pg *pg;
};

/* The columns of the table, and its row-level security, from the catalog:
 * to_regclass() so that a missing table is an empty answer, not an error. */
static const char table_sql[] =
    "SELECT c.relrowsecurity, a.attname FROM pg_class c "
    "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 "
    "AND NOT a.attisdropped WHERE c.oid = to_regclass($1)";

int gs_push_probe_open(gs_push_probe **out, const gs_config *cfg,
                       long timeout_s)
{
    gs_push_probe *probe = calloc(1, sizeof *probe);
    int rc;

    *out = NULL;
    if (!probe)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE, "out of memory");
    if ((rc = gs__pg_new(&probe->pg, cfg->pg_url, 1, 0)) != GS_OK) {
        free(probe);
        return rc;
    }
    *out = probe;
    gs__pg_set_deadline(probe->pg, timeout_s);
    rc = gs__pg_reconnect(probe->pg);
    /* libpq says so in words only (28P01 / 28000 at the server). */
    if (rc != GS_OK) {
        char why[sizeof gs_error_last()->message];
        snprintf(why, sizeof why, "%s", gs_error_last()->message);
        if (strstr(why, "authentication failed") ||
            strstr(why, "no pg_hba.conf entry"))
            return gs_error_set(GS_EAUTH, GS_ECLASS_SUPABASE, "%s", why);
    }
    return rc;
}

void gs_push_probe_close(gs_push_probe *probe)
{
    if (!probe)
        return;
    gs__pg_close(probe->pg);
    free(probe);
}

const char *gs_push_probe_where(const gs_push_probe *probe)
{
    return probe ? gs__pg_where(probe->pg) : "?";
}

void gs_push_probe_tls(const gs_push_probe *probe, int *in_use,
                       const char **sslmode, int *local)
{
    PGconn *conn = gs__pg_conn(probe->pg);
    const char *host = gs__pg_param(probe->pg, "host");
    const char *hostaddr = gs__pg_param(probe->pg, "hostaddr");

    *in_use = conn && PQsslInUse(conn);
    *sslmode = gs__pg_param(probe->pg, "sslmode");
    if (!*sslmode)
        *sslmode = getenv("PGSSLMODE") && *getenv("PGSSLMODE")
                       ? getenv("PGSSLMODE")
                       : "libpq's default, prefer";
    if (!host && !hostaddr)
        host = getenv("PGHOST");
    *local = gs__pg_host_is_local(host) && gs__pg_host_is_local(hostaddr);
}

static int has_column(PGresult *res, const char *column, size_t len)
{
    for (int r = 0; r < PQntuples(res); r++) {
        const char *name = PQgetvalue(res, r, 1);
        if (strlen(name) == len && strncmp(name, column, len) == 0)
            return 1;
    }
    return 0;
}

int gs_push_probe_table(gs_push_probe *probe, const char *table,
                        const char *columns, int *exists, int *rls,
                        char *missing, size_t missing_size)
{
    char *quoted = NULL;
    const char *params[1];
    PGresult *res = NULL;
    char state[6];
    size_t used = 0;
    int rc;

    *exists = 0;
    *rls = 0;
    missing[0] = '\0';
    if (gs__pg_lost(probe->pg))
        return GS_EHTTP;
    quoted = PQescapeIdentifier(gs__pg_conn(probe->pg), table, strlen(table));
    if (!quoted)
        return GS_ENOMEM;
    params[0] = quoted;
    rc = gs__pg_exec(&res, probe->pg, table_sql, 1, params, PGRES_TUPLES_OK,
                     state, missing, missing_size);
    PQfreemem(quoted);
    if (rc != GS_OK)
        return GS_EHTTP;
    *exists = PQntuples(res) > 0;
    *rls = *exists && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    for (const char *c = columns; *exists && c && *c;) {
        size_t len = strcspn(c, ",");
        if (!has_column(res, c, len) && used + len + 3 < missing_size) {
            used += (size_t)snprintf(missing + used, missing_size - used,
                                     "%s%.*s", used ? ", " : "", (int)len, c);
        }
        c += len;
        if (*c == ',')
            c++;
    }
    PQclear(res);
    return GS_OK;
}

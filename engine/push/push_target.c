/* Which target a push writes to, in words, for status and doctor: from the
 * config alone, without connecting, and without the secret (the
 * PostgreSQL connection string is parsed, and only its host, port and
 * database are named). */
#include <stdio.h>

#include "gazsync/error.h"
#include "gazsync/push.h"
#include "pg_conn.h"

void gs_push_state_key(char *out, size_t size, const gs_config *cfg)
{
    gs_pg *pg = NULL;

    if (cfg->push_target == GS_PUSH_TARGET_POSTGRES) {
        if (cfg->pg_url && *cfg->pg_url &&
            gs__pg_new(&pg, cfg->pg_url, 1, 0) == GS_OK)
            gs__pg_identity(out, size, pg);
        else
            snprintf(out, size, "postgres");
        gs__pg_close(pg);
        return;
    }
    snprintf(out, size, "%s",
             cfg->supabase_target && *cfg->supabase_target
                 ? cfg->supabase_target
                 : "supabase");
}

void gs_push_target_describe(char *out, size_t size, const gs_config *cfg)
{
    gs_pg *pg = NULL;
    char host[256];

    if (cfg->push_target == GS_PUSH_TARGET_POSTGRES) {
        if (!cfg->pg_url || !*cfg->pg_url)
            snprintf(out, size,
                     "postgres (GAZSYNC_PG_URL / DATABASE_URL not "
                     "set)");
        else if (gs__pg_new(&pg, cfg->pg_url, 1, 0) != GS_OK)
            snprintf(out, size,
                     "postgres (GAZSYNC_PG_URL / DATABASE_URL is "
                     "not a connection string)");
        else
            snprintf(out, size, "postgres at %s, sslmode %s", gs__pg_where(pg),
                     gs__pg_param(pg, "sslmode") ? gs__pg_param(pg, "sslmode")
                                                 : "libpq's default");
        gs__pg_close(pg);
        return;
    }
    if (!cfg->supabase_url || !*cfg->supabase_url) {
        snprintf(out, size, "supabase (SUPABASE_URL not set)");
        return;
    }
    gs_http_url_host(host, sizeof host, cfg->supabase_url);
    snprintf(out, size, "supabase at %s (PostgREST)", host);
}

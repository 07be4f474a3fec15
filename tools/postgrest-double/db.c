/* The connection of db.h. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

struct pd_db {
    PGconn *pg;
    pthread_mutex_t lock;
};

static void prepare_session(PGconn *pg)
{
    /* Supabase databases run in UTC; timestamps then come back as PostgREST
     * shows them there (json of timestamptz: "...+00:00"). */
    PGresult *res = PQexec(pg, "SET TIME ZONE 'UTC'");
    PQclear(res);
}

int pd_db_open(pd_db **out, const char *conninfo, char *err, size_t errlen)
{
    pd_db *db = calloc(1, sizeof(*db));
    *out = NULL;
    if (!db) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    db->pg = PQconnectdb(conninfo);
    if (PQstatus(db->pg) != CONNECTION_OK) {
        snprintf(err, errlen, "%s", PQerrorMessage(db->pg));
        PQfinish(db->pg);
        free(db);
        return -1;
    }
    prepare_session(db->pg);
    pthread_mutex_init(&db->lock, NULL);
    *out = db;
    return 0;
}

void pd_db_close(pd_db *db)
{
    if (!db)
        return;
    PQfinish(db->pg);
    pthread_mutex_destroy(&db->lock);
    free(db);
}

PGconn *pd_db_lock(pd_db *db)
{
    pthread_mutex_lock(&db->lock);
    if (PQstatus(db->pg) != CONNECTION_OK) {
        /* The server restarted or dropped us: PostgREST reconnects too. */
        PQreset(db->pg);
        if (PQstatus(db->pg) == CONNECTION_OK)
            prepare_session(db->pg);
    }
    return db->pg;
}

void pd_db_unlock(pd_db *db)
{
    pthread_mutex_unlock(&db->lock);
}

PGresult *pd_db_exec(PGconn *pg, const pd_sql *q, pd_response *resp)
{
    if (q->failed) {
        pd_response_error(resp, 500, "PGRST000", "out of memory", NULL, NULL);
        return NULL;
    }
    PGresult *res = PQexecParams(pg, q->text.data, q->nparams, NULL,
                                 (const char *const *)q->params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return res;
    pd_error_from_pg(resp, pg, res);
    PQclear(res);
    return NULL;
}

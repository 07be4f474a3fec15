/* The one PostgreSQL connection, shared by the server's threads under a
 * lock: statements of one request run alone, as PostgREST runs each request
 * in its own transaction. */
#ifndef PD_DB_H
#define PD_DB_H

#include <libpq-fe.h>

#include "double.h"
#include "sql.h"

typedef struct pd_db pd_db;

/* Connects with a libpq conninfo string; on failure writes why into err. */
int pd_db_open(pd_db **out, const char *conninfo, char *err, size_t errlen);
void pd_db_close(pd_db *db);
/* Takes the connection for one request, reconnecting if it broke. */
PGconn *pd_db_lock(pd_db *db);
void pd_db_unlock(pd_db *db);
/* Runs the statement. Returns its result, or NULL after turning the failure
 * into PostgREST's answer in resp. The caller PQclear()s the result. */
PGresult *pd_db_exec(PGconn *pg, const pd_sql *q, pd_response *resp);

#endif

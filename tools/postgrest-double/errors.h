/* PostgREST's mapping from SQLSTATE to HTTP status, and its error bodies for
 * database failures. */
#ifndef PD_ERRORS_H
#define PD_ERRORS_H

#include <libpq-fe.h>

#include "double.h"

/* The HTTP status PostgREST answers for a SQLSTATE (contracts/postgrest.md,
 * "Errors"; PostgREST's Error.hs for the rows the table leaves out). */
int pd_status_for_sqlstate(const char *sqlstate);
/* Fills resp from a failed result (res may be NULL: connection lost). */
void pd_error_from_pg(pd_response *resp, PGconn *pg, const PGresult *res);

#endif

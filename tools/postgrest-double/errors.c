/* See errors.h. The table follows PostgREST's pgErrorStatus. */
#include "errors.h"

#include <string.h>

static int prefix(const char *code, const char *p)
{
    return strncmp(code, p, strlen(p)) == 0;
}

int pd_status_for_sqlstate(const char *code)
{
    if (!code || strlen(code) != 5)
        return 500;
    if (!strcmp(code, "23503") || !strcmp(code, "23505"))
        return 409;
    if (!strcmp(code, "25006"))
        return 405; /* read-only transaction */
    if (!strcmp(code, "42P01") || !strcmp(code, "42883"))
        return 404;
    if (!strcmp(code, "42P17") || !strcmp(code, "53400") ||
        !strcmp(code, "21000"))
        return 500;
    if (!strcmp(code, "42501"))
        return 403; /* the service role is authenticated */
    if (!strcmp(code, "P0001"))
        return 400; /* RAISE EXCEPTION's default code */
    if (prefix(code, "08") || prefix(code, "53"))
        return 503;
    if (prefix(code, "0L") || prefix(code, "0P") || prefix(code, "28"))
        return 403;
    static const char *const server_side[] = {
        "09", "25", "2D", "38", "39", "3B", "40", "54",
        "55", "57", "58", "F0", "HV", "P0", "XX",
    };
    for (size_t i = 0; i < sizeof(server_side) / sizeof(server_side[0]); i++)
        if (prefix(code, server_side[i]))
            return 500;
    return 400; /* 22*, 23502, 42703, most 42*, 428C9, ... */
}

void pd_error_from_pg(pd_response *resp, PGconn *pg, const PGresult *res)
{
    const char *code = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!code) {
        /* No SQLSTATE: the connection itself failed (PostgREST: PGRST001,
         * 503, and the client retries). */
        pd_response_error(resp, 503, "PGRST001",
                          "Database client error. Retrying the connection.",
                          pg ? PQerrorMessage(pg) : NULL, NULL);
        return;
    }
    pd_response_error(resp, pd_status_for_sqlstate(code), code,
                      PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY),
                      PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL),
                      PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
}

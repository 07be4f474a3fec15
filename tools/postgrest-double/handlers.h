/* The four verbs on /rest/v1/<table>. Each runs one statement on the locked
 * connection, fills resp, and reports the rows it wrote for the stats. */
#ifndef PD_HANDLERS_H
#define PD_HANDLERS_H

#include <libpq-fe.h>

#include "catalog.h"
#include "double.h"
#include "prefer.h"
#include "sql.h"

typedef struct {
    PGconn *pg;
    const pd_table *table;
    const pd_request *req;
    pd_prefer prefer;
    char *qualifier; /* "public"."<table>", quoted */
    long long rows_written;
} pd_call;

void pd_handle_get(pd_response *resp, pd_call *call); /* GET and HEAD */
void pd_handle_post(pd_response *resp, pd_call *call);
void pd_handle_patch(pd_response *resp, pd_call *call);
void pd_handle_delete(pd_response *resp, pd_call *call);

typedef enum {
    /* POST: q holds "WITH pgrst_written AS (INSERT ... RETURNING <table>.*,
     * (xmax = 0) AS pgrst_inserted), pgrst_source AS (<the table's columns>
     * FROM pgrst_written)". 201, or 200 for an upsert that inserted no row
     * (PostgREST 12, PR #2926); Content-Range "*\/<count or *>". */
    PD_WRITE_INSERT,
    /* PATCH, DELETE: q holds "WITH pgrst_source AS (... RETURNING
     * <table>.*)". 200 with the rows, or 204; Content-Range
     * "0-<n-1>/<count or *>" ("*\/..." for no row), as PostgREST. */
    PD_WRITE_CHANGE,
} pd_write;

/* Shared tail of the writes: appends the final SELECT (count, and the rows
 * when return=representation) to q, runs it and answers. */
void pd_finish_write(pd_response *resp, pd_call *call, pd_sql *q,
                     pd_write kind);

/* A body that is not JSON: 400 PGRST102, as PostgREST answers. */
void pd_invalid_body(pd_response *resp, const char *message);
/* A payload key that is not a column: 400 PGRST204. */
void pd_unknown_payload_column(pd_response *resp, const pd_table *t,
                               const char *name);

#endif

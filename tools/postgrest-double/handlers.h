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

/* Shared tail of the writes: q holds "WITH pgrst_source AS (... RETURNING
 * <table>.*)"; this appends the final SELECT (count, and the rows when
 * return=representation), runs it and answers `status` (or
 * `minimal_status` with no body). */
void pd_finish_write(pd_response *resp, pd_call *call, pd_sql *q, int status,
                     int minimal_status);

/* A body that is not JSON: 400 PGRST102, as PostgREST answers. */
void pd_invalid_body(pd_response *resp, const char *message);
/* A payload key that is not a column: 400 PGRST204. */
void pd_unknown_payload_column(pd_response *resp, const pd_table *t,
                               const char *name);

#endif

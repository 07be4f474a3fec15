/* The read side of PostgREST's URL grammar: select=, horizontal filters
 * (col=op.value), order=, limit= and offset=, turned into SQL fragments.
 * Column names are checked against the catalog; values become parameters. */
#ifndef PD_QUERY_H
#define PD_QUERY_H

#include "catalog.h"
#include "double.h"
#include "sql.h"

typedef struct {
    long long limit; /* -1: none */
    long long offset;
} pd_page;

/* Query arguments that are not filters. */
int pd_query_reserved(const char *name);
/* Appends the conditions of every filter argument, joined by AND, to q
 * ("true" when there are none), each column qualified by `qualifier`
 * (already quoted SQL, e.g. "public"."t"). On a bad filter fills resp and
 * returns -1. */
int pd_query_where(pd_sql *q, const pd_table *t, const char *qualifier,
                   const pd_kvlist *args, pd_response *resp);
/* Appends the select list ("*" or quoted columns, with aliases) for the
 * select= value (NULL means *). */
int pd_query_select(pd_sql *q, const pd_table *t, const char *select,
                    pd_response *resp);
/* Appends " ORDER BY ..." for order= (nothing when NULL). */
int pd_query_order(pd_sql *q, const pd_table *t, const char *qualifier,
                   const char *order, pd_response *resp);
int pd_query_page(pd_page *out, const pd_kvlist *args, pd_response *resp);

#endif

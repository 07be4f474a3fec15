/* Accept: application/vnd.pgrst.object+json, which supabase-js .single()
 * sends: the answer is the one row as an object, or 406 PGRST116 (and, for
 * a write, nothing is kept) when there is not exactly one. */
#ifndef PD_SINGULAR_H
#define PD_SINGULAR_H

#include "double.h"

int pd_singular_wanted(const pd_request *req);
/* Rewrites a successful array answer; returns 0, or -1 when it turned the
 * answer into the 406 (the caller rolls back). */
int pd_singular_answer(pd_response *resp, long long rows_written);

#endif

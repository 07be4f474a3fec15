/* The Prefer header (RFC 7240) as PostgREST reads it: several preferences
 * per header separated by commas, and the header possibly repeated. Unknown
 * preferences are ignored, as PostgREST's default handling=lenient does. */
#ifndef PD_PREFER_H
#define PD_PREFER_H

#include "double.h"

typedef enum {
    PD_RESOLUTION_NONE = 0,
    PD_RESOLUTION_MERGE,  /* resolution=merge-duplicates */
    PD_RESOLUTION_IGNORE, /* resolution=ignore-duplicates */
} pd_resolution;

typedef enum {
    PD_RETURN_DEFAULT = 0, /* not asked: minimal for writes */
    PD_RETURN_MINIMAL,
    PD_RETURN_REPRESENTATION,
    PD_RETURN_HEADERS_ONLY,
} pd_return;

typedef struct {
    pd_resolution resolution;
    pd_return ret;
    int missing_default; /* missing=default */
    int count_exact;     /* count=exact (planned/estimated too) */
} pd_prefer;

void pd_prefer_parse(pd_prefer *out, const pd_kvlist *headers);
/* The Preference-Applied header value for what was honoured, into buf
 * (left empty when nothing applies); @p write: POST/PATCH/DELETE (a read
 * applies only count=). */
void pd_prefer_applied(gs_buf *buf, const pd_prefer *prefer, int write);

#endif

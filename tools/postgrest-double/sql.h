/* A SQL statement under construction: its text and its bound values. Values
 * only ever enter as $n parameters (PQexecParams); the only names spliced
 * into the text are identifiers that the catalog knows, always quoted. */
#ifndef PD_SQL_H
#define PD_SQL_H

#include "buf.h"

typedef struct {
    gs_buf text;
    char **params; /* owned copies; NULL entries are SQL NULL */
    int nparams;
    int cap;
    int failed; /* out of memory at some point: do not run it */
} pd_sql;

#define PD_SQL_INIT                                                            \
    {                                                                          \
        GS_BUF_INIT, NULL, 0, 0, 0                                             \
    }

void pd_sql_put(pd_sql *q, const char *text);
/* Appends "name" with embedded quotes doubled. */
void pd_sql_ident(pd_sql *q, const char *name);
/* Binds a copy of value as the next parameter without writing it into the
 * text (for values referenced later, or several times); returns n. */
int pd_sql_bind(pd_sql *q, const char *value);
/* Appends $n bound to a copy of value (NULL binds SQL NULL); returns n. */
int pd_sql_param(pd_sql *q, const char *value);
/* Appends a reference to an already-bound parameter. */
void pd_sql_param_ref(pd_sql *q, int n);
void pd_sql_free(pd_sql *q);

#endif

/* The statement builder of sql.h. Errors are sticky (`failed`) so callers
 * can build a whole statement and check once. */
#include "sql.h"

#include <stdlib.h>
#include <string.h>

void pd_sql_put(pd_sql *q, const char *text)
{
    if (gs_buf_puts(&q->text, text) != 0)
        q->failed = 1;
}

void pd_sql_ident(pd_sql *q, const char *name)
{
    pd_sql_put(q, "\"");
    for (const char *p = name; *p; p++) {
        const char *piece = (*p == '"') ? "\"\"" : NULL;
        if (piece)
            pd_sql_put(q, piece);
        else if (gs_buf_append(&q->text, p, 1) != 0)
            q->failed = 1;
    }
    pd_sql_put(q, "\"");
}

int pd_sql_bind(pd_sql *q, const char *value)
{
    if (q->nparams == q->cap) {
        int cap = q->cap ? q->cap * 2 : 8;
        char **params = realloc(q->params, (size_t)cap * sizeof(*params));
        if (!params) {
            q->failed = 1;
            return 0;
        }
        q->params = params;
        q->cap = cap;
    }
    char *copy = NULL;
    if (value && !(copy = strdup(value))) {
        q->failed = 1;
        return 0;
    }
    q->params[q->nparams++] = copy;
    return q->nparams;
}

int pd_sql_param(pd_sql *q, const char *value)
{
    int n = pd_sql_bind(q, value);
    if (n)
        pd_sql_param_ref(q, n);
    return n;
}

void pd_sql_param_ref(pd_sql *q, int n)
{
    if (gs_buf_printf(&q->text, "$%d", n) != 0)
        q->failed = 1;
}

void pd_sql_free(pd_sql *q)
{
    if (!q)
        return;
    for (int i = 0; i < q->nparams; i++)
        free(q->params[i]);
    free(q->params);
    gs_buf_free(&q->text);
    q->params = NULL;
    q->nparams = q->cap = 0;
}

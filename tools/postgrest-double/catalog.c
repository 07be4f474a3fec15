/* See catalog.h. */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

static const char columns_sql[] =
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
    "       pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,"
    "       coalesce(a.attnum = ANY(i.indkey), false)"
    "  FROM pg_class c"
    "  JOIN pg_namespace n ON n.oid = c.relnamespace"
    "  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
    "                     AND NOT a.attisdropped"
    "  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum"
    "  LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary"
    " WHERE n.nspname = 'public' AND c.relname = $1"
    "   AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
    " ORDER BY a.attnum";

static char *dup_or_null(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL
                                      : strdup(PQgetvalue(res, row, col));
}

static int fill(pd_table *t, const PGresult *res)
{
    int rows = PQntuples(res);
    t->columns = calloc((size_t)rows, sizeof(*t->columns));
    t->primary_key = calloc((size_t)rows, sizeof(*t->primary_key));
    if (!t->columns || !t->primary_key)
        return -1;
    for (int r = 0; r < rows; r++) {
        pd_column *c = &t->columns[t->ncolumns++];
        c->name = strdup(PQgetvalue(res, r, 0));
        c->type = strdup(PQgetvalue(res, r, 1));
        c->default_expr = dup_or_null(res, r, 2);
        c->identity = PQgetvalue(res, r, 3)[0];
        c->generated = PQgetvalue(res, r, 4)[0];
        if (!c->name || !c->type)
            return -1;
        if (PQgetvalue(res, r, 5)[0] == 't')
            t->primary_key[t->nprimary_key++] = c->name;
    }
    return 0;
}

int pd_catalog_table(pd_table **out, PGconn *pg, const char *name)
{
    const char *params[1] = {name};
    PGresult *res =
        PQexecParams(pg, columns_sql, 1, NULL, params, NULL, NULL, 0);
    int rc = -1;
    pd_table *t = NULL;

    *out = NULL;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        goto done;
    if (PQntuples(res) == 0) {
        rc = 1;
        goto done;
    }
    t = calloc(1, sizeof(*t));
    if (!t || !(t->name = strdup(name)) || fill(t, res) != 0)
        goto done;
    *out = t;
    t = NULL;
    rc = 0;
done:
    pd_table_free(t);
    PQclear(res);
    return rc;
}

const pd_column *pd_table_column(const pd_table *table, const char *name)
{
    for (size_t i = 0; i < table->ncolumns; i++)
        if (strcmp(table->columns[i].name, name) == 0)
            return &table->columns[i];
    return NULL;
}

void pd_table_free(pd_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ncolumns; i++) {
        free(t->columns[i].name);
        free(t->columns[i].type);
        free(t->columns[i].default_expr);
    }
    free(t->columns);
    free(t->primary_key); /* entries point into columns */
    free(t->name);
    free(t);
}

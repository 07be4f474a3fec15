/* What the database says a table is: the only source of identifiers the
 * double splices into SQL. Read per request (no schema cache to reload). */
#ifndef PD_CATALOG_H
#define PD_CATALOG_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct {
    char *name;
    char *type;         /* format_type(), e.g. "timestamp with time zone" */
    char *default_expr; /* pg_get_expr() of the default, or NULL */
    char identity;      /* 'a' generated always, 'd' by default, 0 none */
    char generated;     /* 's' stored generated column, 0 none */
} pd_column;

typedef struct {
    char *name;
    pd_column *columns;
    size_t ncolumns;
    char **primary_key;
    size_t nprimary_key;
} pd_table;

/* Loads table `name` of schema public: 0 found, 1 no such table, -1 query
 * failed (PQerrorMessage tells). Free with pd_table_free. */
int pd_catalog_table(pd_table **out, PGconn *pg, const char *name);
const pd_column *pd_table_column(const pd_table *table, const char *name);
void pd_table_free(pd_table *table);

#endif

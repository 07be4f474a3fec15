/* The PostgreSQL push target seen by `gazsync doctor`: a read-only look at the
 * target database, as data for doctor to print: whether it connects, whether
 * TLS is in use, which tables and columns are missing, whether row-level
 * security is on. Never the connection string: the server is named by host,
 * port and database only. */
#ifndef GAZSYNC_PUSH_PROBE_H
#define GAZSYNC_PUSH_PROBE_H

#include <stddef.h>

#include "gazsync/config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_push_probe gs_push_probe;

/* Connects to cfg->pg_url with one attempt bounded by @p timeout_s.
 * GS_ECONFIG (no or bad connection string), GS_EHTTP (no connection: the
 * error names the host and libpq's reason), GS_EAUTH (the server refused
 * the user or password). *out is set even on failure when the string
 * parsed (for gs_push_probe_where()); gs_push_probe_close() it. */
int gs_push_probe_open(gs_push_probe **out, const gs_config *cfg,
                       long timeout_s);
void gs_push_probe_close(gs_push_probe *probe);

/* "host H port P database D". */
const char *gs_push_probe_where(const gs_push_probe *probe);

/* TLS on the connection: *in_use, the sslmode asked for (or "libpq's
 * default"), and whether every host is local. */
void gs_push_probe_tls(const gs_push_probe *probe, int *in_use,
                       const char **sslmode, int *local);

/* Table @p table: *exists, and in @p missing (a comma-separated list, ""
 * when none) the columns of the comma-separated @p columns it lacks;
 * *rls whether row-level security is on. GS_OK or GS_EHTTP (the query
 * failed: @p missing holds the reason). */
int gs_push_probe_table(gs_push_probe *probe, const char *table,
                        const char *columns, int *exists, int *rls,
                        char *missing, size_t missing_size);

#ifdef __cplusplus
}
#endif
#endif

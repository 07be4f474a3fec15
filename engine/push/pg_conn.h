/* Private to the PostgreSQL target (engine/pg_conn.c, engine/push_pg*.c):
 * one libpq connection made from GAZSYNC_PG_URL / DATABASE_URL, with the TLS
 * rule, reconnects with bounded backoff, and the connection named without
 * its secret (host, port, database). */
#ifndef GS_PG_CONN_H
#define GS_PG_CONN_H

#include <libpq-fe.h>

typedef struct gs_pg gs_pg;

/* Connects to @p url (a libpq URI or key=value string; never printed).
 * sslmode=require is added unless the URL or PGSSLMODE names a mode or every
 * host is local (gs__pg_host_is_local()). @p max_attempts connection attempts,
 * waiting @p backoff_ms, then twice that, ... (at most 30 s) between them.
 * GS_ECONFIG for an unparsable URL, GS_EHTTP when no attempt connected;
 * the message names host, port and database only. Caller gs__pg_close()s. */
int gs__pg_open(gs_pg **out, const char *url, int max_attempts,
                long backoff_ms);
void gs__pg_close(gs_pg *pg);

/* gs__pg_open() without connecting: the URL parsed and gazsync's additions
 * made (for tests of the TLS rule). */
int gs__pg_new(gs_pg **out, const char *url, int max_attempts, long backoff_ms);

/* The value gazsync will connect with for libpq keyword @p key, or NULL. */
const char *gs__pg_param(const gs_pg *pg, const char *key);

/* The live connection, NULL after a loss that gs__pg_reconnect() did not
 * mend. */
PGconn *gs__pg_conn(gs_pg *pg);

/* "host H port P database D": for messages, never the URL. */
const char *gs__pg_where(const gs_pg *pg);

/* "postgres:HOST:PORT/DATABASE" (host as the URL names it, or the local
 * socket's "local"): the target's identity, without a secret. */
void gs__pg_identity(char *out, size_t size, const gs_pg *pg);

/* Whether the connection is gone (the server closed it, the network cut). */
int gs__pg_lost(const gs_pg *pg);

/* A new connection after a loss, with the same bounded backoff. */
int gs__pg_reconnect(gs_pg *pg);

/* Statements sent on this connection (reconnects included). */
long long gs__pg_statements(const gs_pg *pg);

/* Runs @p sql with @p n text parameters; GS_OK when the result is
 * @p want (PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN). Otherwise a
 * negative code, with the SQLSTATE in @p sqlstate (6 bytes, "" when none,
 * "08006" on a lost connection) and the server's first message line in
 * @p message (@p message_size bytes). @p out (may be NULL) gets the result,
 * PQclear()ed by the caller. */
int gs__pg_exec(PGresult **out, gs_pg *pg, const char *sql, int n,
                const char *const *values, ExecStatusType want,
                char sqlstate[6], char *message, size_t message_size);

/* The run deadline: from now, @p run_timeout_s seconds (0: none). After
 * it no statement is sent and no connect starts; a statement running at it
 * is cancelled (gs__pg_wait()); connect_timeout never reaches past it. */
void gs__pg_set_deadline(gs_pg *pg, long run_timeout_s);

/* Whether a statement or connect met the run deadline: the push stops with
 * the deadline's error, not as after a statement timeout. */
int gs__pg_deadline_hit(const gs_pg *pg);

/* Fills @p sqlstate ("57014") and @p message with "@p what at the run
 * deadline (N s, GAZSYNC_RUN_TIMEOUT_S)"; returns GS_EHTTP. */
int gs__pg_at_deadline(const gs_pg *pg, const char *what, char sqlstate[6],
                       char *message, size_t message_size);

/* Waits, bounded by the deadline, until the connection's next result can
 * be read (after PQputCopyEnd, say). GS_OK, or GS_EHTTP when the
 * connection broke or was dropped after an unanswered cancel. */
int gs__pg_wait(gs_pg *pg);

/* PQputCopyData (@p data) or, @p data NULL, PQputCopyEnd (@p fail: the
 * reason to abandon the COPY, NULL to finish it), flushed to the server
 * within the run deadline. GS_OK, or GS_EHTTP (connection broken or
 * dropped at the deadline). */
int gs__pg_put_copy(gs_pg *pg, const char *data, size_t len, const char *fail);

/* @p sql (a statement with @p n text parameters) and COMMIT in one round
 * trip (pipeline mode); GS_OK when both went through, else as
 * gs__pg_exec() (the transaction then is aborted: the caller rolls back). */
int gs__pg_exec_commit(gs_pg *pg, const char *sql, int n,
                       const char *const *values, char sqlstate[6],
                       char *message, size_t message_size);

/* The TLS rule's test of one host list (libpq's "host" or "hostaddr"):
 * every comma-separated entry empty, a Unix socket path ("/..." or "@..."),
 * "localhost", "127.0.0.1" or "::1". NULL counts as local (libpq then uses
 * the Unix socket). */
int gs__pg_host_is_local(const char *hosts);

#endif

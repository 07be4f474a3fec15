/* One libpq connection for the PostgreSQL target.
 *
 * The connection string comes from the environment only (config.c); it may
 * hold a password, so it is never copied into a message: errors name the
 * host, port and database (gs__pg_where()).
 *
 * TLS: Supabase and every managed PostgreSQL want TLS, and libpq's default
 * ("prefer") silently falls back to clear text. So sslmode=require is added
 * unless the URL (or PGSSLMODE) names a mode, or every host is local (the
 * tests' throwaway cluster on 127.0.0.1 or a Unix socket, where there is no
 * network to protect and no certificate to present). */
#include "pg_conn.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gazsync/error.h"

#define MAX_OPTIONS 64
#define MAX_BACKOFF_MS 30000L
#define CONNECT_TIMEOUT_S 30L
/* After a cancel at the deadline, how long the server has to say so before
 * the connection is dropped instead. */
#define CANCEL_GRACE_MS 5000LL

struct gs_pg {
    PGconn *conn;
    PQconninfoOption *parsed;
    const char *keys[MAX_OPTIONS];
    const char *values[MAX_OPTIONS];
    char where[320];
    int max_attempts;
    long backoff_ms;
    long long statements;
    long long deadline;       /* CLOCK_MONOTONIC ms; 0: none */
    long run_timeout_s;       /* for messages */
    int deadline_hit;         /* a statement or connect met it */
    long user_connect_s;      /* the URL's connect_timeout, 0: none */
    char connect_timeout[24]; /* the value connects use (keys/values) */
};

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds before the run deadline, LLONG_MAX without one. */
static long long time_left(const gs_pg *pg)
{
    return pg->deadline ? pg->deadline - now_ms() : 0x7fffffffffffffffLL;
}

static int local_entry(const char *entry, size_t len)
{
    static const char *const local[] = {"localhost", "127.0.0.1", "::1"};

    if (len == 0 || entry[0] == '/' || entry[0] == '@')
        return 1;
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
        if (strlen(local[i]) == len && strncmp(entry, local[i], len) == 0)
            return 1;
    return 0;
}

int gs__pg_host_is_local(const char *hosts)
{
    const char *p = hosts;

    if (!hosts)
        return 1;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (!local_entry(p, len))
            return 0;
        if (!comma)
            return 1;
        p = comma + 1;
    }
}

static const char *option(const gs_pg *pg, const char *key)
{
    for (const PQconninfoOption *o = pg->parsed; o && o->keyword; o++)
        if (strcmp(o->keyword, key) == 0 && o->val && *o->val)
            return o->val;
    return NULL;
}

/* The keyword/value arrays for PQconnectdbParams: the URL's own options,
 * then what gazsync adds when the URL is silent. */
static void build_params(gs_pg *pg)
{
    const char *host = option(pg, "host");
    const char *hostaddr = option(pg, "hostaddr");
    const char *ssl_env = getenv("PGSSLMODE");
    int n = 0;

    if (!host && !hostaddr)
        host = getenv("PGHOST");
    for (const PQconninfoOption *o = pg->parsed; o && o->keyword; o++) {
        if (!o->val || !*o->val || n >= MAX_OPTIONS - 4)
            continue;
        pg->keys[n] = o->keyword;
        pg->values[n++] = o->val;
    }
    if (!option(pg, "sslmode") && !(ssl_env && *ssl_env) &&
        !(gs__pg_host_is_local(host) && gs__pg_host_is_local(hostaddr))) {
        pg->keys[n] = "sslmode";
        pg->values[n++] = "require";
    }
    if (!option(pg, "application_name")) {
        pg->keys[n] = "application_name";
        pg->values[n++] = "gazsync";
    }
    /* Every connect is bounded: by the URL's connect_timeout or 30 s, and
     * by what is left of the run (connect_with_backoff() sets the value). */
    if (option(pg, "connect_timeout")) {
        char *end = NULL;
        pg->user_connect_s = strtol(option(pg, "connect_timeout"), &end, 10);
        if (!end || *end || pg->user_connect_s <= 0)
            pg->user_connect_s = 0;
    }
    for (int i = 0; i < n; i++)
        if (strcmp(pg->keys[i], "connect_timeout") == 0)
            pg->values[i] = pg->connect_timeout;
    if (!option(pg, "connect_timeout")) {
        pg->keys[n] = "connect_timeout";
        pg->values[n++] = pg->connect_timeout;
    }
    snprintf(pg->connect_timeout, sizeof pg->connect_timeout, "%ld",
             CONNECT_TIMEOUT_S);
    pg->keys[n] = NULL;
    pg->values[n] = NULL;
    snprintf(pg->where, sizeof pg->where, "host %s port %s database %s",
             host       ? host
             : hostaddr ? hostaddr
                        : "(local socket)",
             option(pg, "port") ? option(pg, "port") : "5432",
             option(pg, "dbname") ? option(pg, "dbname")
             : option(pg, "user") ? option(pg, "user")
                                  : "(default)");
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* libpq's message, first line only: it names the host and the server's
 * reason, never the password. */
static void first_line(char *out, size_t size, const char *text)
{
    size_t len = text ? strcspn(text, "\r\n") : 0;

    if (len >= size)
        len = size - 1;
    if (len)
        memcpy(out, text, len);
    out[len] = '\0';
}

static int deadline_error(gs_pg *pg, const char *what)
{
    pg->deadline_hit = 1;
    return gs_error_set(GS_EHTTP, GS_ECLASS_SUPABASE,
                        "PostgreSQL at %s: %s: the run deadline (%ld s, "
                        "GAZSYNC_RUN_TIMEOUT_S) has passed",
                        pg->where, what, pg->run_timeout_s);
}

/* connect_timeout for the next attempt: libpq counts whole seconds and
 * takes less than 2 as 2, so a run with less than that left does not
 * start one. */
static int bound_connect(gs_pg *pg)
{
    long long left = time_left(pg);
    long seconds = pg->user_connect_s ? pg->user_connect_s : CONNECT_TIMEOUT_S;

    if (left < 2000)
        return deadline_error(pg, "not connecting");
    if (left / 1000 < seconds)
        seconds = (long)(left / 1000);
    snprintf(pg->connect_timeout, sizeof pg->connect_timeout, "%ld", seconds);
    return GS_OK;
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int connect_with_backoff(gs_pg *pg)
{
    char why[300] = "";
    long wait = pg->backoff_ms > 0 ? pg->backoff_ms : 100;
    int rc;

    for (int attempt = 1; attempt <= pg->max_attempts; attempt++) {
        if (pg->conn)
            PQfinish(pg->conn);
        pg->conn = NULL;
        if ((rc = bound_connect(pg)) != GS_OK)
            return rc;
        pg->conn = PQconnectdbParams(pg->keys, pg->values, 0);
        if (pg->conn && PQstatus(pg->conn) == CONNECTION_OK) {
            /* The server's notices (a temp table that exists already) are
             * not the user's business. */
            PQsetNoticeProcessor(pg->conn, ignore_notice, NULL);
            return GS_OK;
        }
        first_line(why, sizeof why,
                   pg->conn ? PQerrorMessage(pg->conn) : "out of memory");
        if (attempt < pg->max_attempts) {
            if (time_left(pg) <= wait) {
                if (pg->conn)
                    PQfinish(pg->conn);
                pg->conn = NULL;
                return deadline_error(pg, "not connecting again");
            }
            sleep_ms(wait);
            wait = wait * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : wait * 2;
        }
    }
    if (pg->conn)
        PQfinish(pg->conn);
    pg->conn = NULL;
    return gs_error_set(GS_EHTTP, GS_ECLASS_SUPABASE,
                        "PostgreSQL at %s: no connection after %d "
                        "attempt(s): %s",
                        pg->where, pg->max_attempts, why);
}

int gs__pg_new(gs_pg **out, const char *url, int max_attempts, long backoff_ms)
{
    gs_pg *pg;
    char *err = NULL;

    *out = NULL;
    if (!url || !*url)
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "push: [push] target = postgres needs "
                            "GAZSYNC_PG_URL or DATABASE_URL");
    if (!(pg = calloc(1, sizeof *pg)))
        return gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE, "out of memory");
    pg->max_attempts = max_attempts > 0 ? max_attempts : 1;
    pg->backoff_ms = backoff_ms;
    pg->parsed = PQconninfoParse(url, &err);
    if (!pg->parsed) {
        /* libpq's reason quotes the bad part of the text, which may be the
         * password: say only that it is not a connection string. */
        PQfreemem(err);
        free(pg);
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "push: GAZSYNC_PG_URL / DATABASE_URL is not a "
                            "libpq connection string");
    }
    build_params(pg);
    *out = pg;
    return GS_OK;
}

const char *gs__pg_param(const gs_pg *pg, const char *key)
{
    for (int i = 0; pg && pg->keys[i]; i++)
        if (strcmp(pg->keys[i], key) == 0)
            return pg->values[i];
    return NULL;
}

int gs__pg_open(gs_pg **out, const char *url, int max_attempts, long backoff_ms)
{
    gs_pg *pg = NULL;
    int rc;

    *out = NULL;
    if ((rc = gs__pg_new(&pg, url, max_attempts, backoff_ms)) != GS_OK)
        return rc;
    if ((rc = connect_with_backoff(pg)) != GS_OK) {
        gs__pg_close(pg);
        return rc;
    }
    *out = pg;
    return GS_OK;
}

void gs__pg_close(gs_pg *pg)
{
    if (!pg)
        return;
    if (pg->conn)
        PQfinish(pg->conn);
    /* The parsed options hold the password: wipe before freeing. */
    for (PQconninfoOption *o = pg->parsed; o && o->keyword; o++)
        if (o->val)
            memset(o->val, 0, strlen(o->val));
    PQconninfoFree(pg->parsed);
    free(pg);
}

PGconn *gs__pg_conn(gs_pg *pg)
{
    return pg ? pg->conn : NULL;
}

void gs__pg_identity(char *out, size_t size, const gs_pg *pg)
{
    const char *host = option(pg, "host");
    const char *dbname = option(pg, "dbname");

    if (!host)
        host = option(pg, "hostaddr");
    if (!host)
        host = getenv("PGHOST");
    if (!dbname)
        dbname = option(pg, "user");
    snprintf(out, size, "postgres:%s:%s/%s", host && *host ? host : "local",
             option(pg, "port") ? option(pg, "port") : "5432",
             dbname ? dbname : "postgres");
}

const char *gs__pg_where(const gs_pg *pg)
{
    return pg ? pg->where : "?";
}

int gs__pg_lost(const gs_pg *pg)
{
    return !pg || !pg->conn || PQstatus(pg->conn) != CONNECTION_OK;
}

int gs__pg_reconnect(gs_pg *pg)
{
    return connect_with_backoff(pg);
}

long long gs__pg_statements(const gs_pg *pg)
{
    return pg ? pg->statements : 0;
}

void gs__pg_set_deadline(gs_pg *pg, long run_timeout_s)
{
    pg->run_timeout_s = run_timeout_s;
    pg->deadline = run_timeout_s > 0 ? now_ms() + run_timeout_s * 1000 : 0;
}

int gs__pg_deadline_hit(const gs_pg *pg)
{
    return pg && pg->deadline_hit;
}

/* Waits for @p events on the socket, no later than the run deadline. At
 * the deadline the statement is cancelled (PQcancel) once, and the server
 * has CANCEL_GRACE_MS more to answer (*@p give_up), after which the
 * connection is dropped. GS_OK: look again; GS_EHTTP: the connection is
 * gone. */
static int io_wait(gs_pg *pg, short events, long long *give_up)
{
    long long left = *give_up ? *give_up - now_ms() : time_left(pg);
    struct pollfd fd = {PQsocket(pg->conn), events, 0};

    if (fd.fd < 0)
        return GS_EHTTP;
    if (left <= 0 && *give_up) {
        PQfinish(pg->conn); /* it did not answer the cancel either */
        pg->conn = NULL;
        return GS_EHTTP;
    }
    if (left <= 0) {
        PGcancel *cancel = PQgetCancel(pg->conn);
        char why[200];
        pg->deadline_hit = 1;
        *give_up = now_ms() + CANCEL_GRACE_MS;
        if (!cancel || !PQcancel(cancel, why, sizeof why))
            *give_up = now_ms(); /* no cancel: drop it at once */
        PQfreeCancel(cancel);
        return GS_OK;
    }
    if (poll(&fd, 1, left > 1000 ? 1000 : (int)left) > 0 &&
        (fd.revents & (POLLIN | POLLERR | POLLHUP)) &&
        !PQconsumeInput(pg->conn))
        return GS_EHTTP; /* the connection broke: the results say so */
    return GS_OK;
}

int gs__pg_wait(gs_pg *pg)
{
    long long give_up = 0;

    while (pg->conn && PQisBusy(pg->conn))
        if (io_wait(pg, POLLIN, &give_up) != GS_OK)
            return GS_EHTTP;
    return pg->conn ? GS_OK : GS_EHTTP;
}

int gs__pg_put_copy(gs_pg *pg, const char *data, size_t len, const char *fail)
{
    long long give_up = 0;
    int queued, flushed = 1;

    if (gs__pg_lost(pg) || PQsetnonblocking(pg->conn, 1) != 0)
        return GS_EHTTP;
    /* Non-blocking, so that a server that stops reading (a lock, a slow
     * trigger) cannot hold the push past the deadline in send(). */
    for (;;) {
        queued = data ? PQputCopyData(pg->conn, data, (int)len)
                      : PQputCopyEnd(pg->conn, fail);
        if (queued != 0 || io_wait(pg, POLLOUT | POLLIN, &give_up) != GS_OK)
            break;
    }
    while (queued == 1 && pg->conn && (flushed = PQflush(pg->conn)) == 1)
        if (io_wait(pg, POLLOUT | POLLIN, &give_up) != GS_OK)
            break;
    if (pg->conn)
        PQsetnonblocking(pg->conn, 0);
    return queued == 1 && flushed == 0 && pg->conn ? GS_OK : GS_EHTTP;
}

static int send_statement(gs_pg *pg, const char *sql, int n,
                          const char *const *values)
{
    int sent =
        n > 0 ? PQsendQueryParams(pg->conn, sql, n, NULL, values, NULL, NULL, 0)
              : PQsendQuery(pg->conn, sql);

    /* The query is in libpq's buffer; blocking mode has flushed it. */
    return sent ? GS_OK : GS_EHTTP;
}

/* The last result of what was sent (a COPY's PGRES_COPY_IN stops there),
 * after a bounded wait; NULL when the connection broke. */
static PGresult *last_result(gs_pg *pg)
{
    PGresult *last = NULL, *res;

    for (;;) {
        if (gs__pg_wait(pg) != GS_OK || !pg->conn)
            break;
        if (!(res = PQgetResult(pg->conn)))
            break;
        PQclear(last);
        last = res;
        if (PQresultStatus(res) == PGRES_COPY_IN ||
            PQresultStatus(res) == PGRES_COPY_OUT ||
            PQresultStatus(res) == PGRES_PIPELINE_SYNC)
            break;
        /* An error ends a multi-statement string: keep it, not a later
         * result, as the answer. */
        if (PQresultStatus(res) == PGRES_FATAL_ERROR) {
            while (gs__pg_wait(pg) == GS_OK && pg->conn &&
                   (res = PQgetResult(pg->conn)) != NULL) {
                int copy = PQresultStatus(res) == PGRES_COPY_IN;
                PQclear(res);
                if (copy) {
                    PQputCopyEnd(pg->conn, "gazsync: abandoned");
                }
            }
            break;
        }
    }
    return last;
}

/* A statement @p what ("not sent", "cancelled") at the run deadline. */
int gs__pg_at_deadline(const gs_pg *pg, const char *what, char sqlstate[6],
                       char *message, size_t message_size)
{
    snprintf(sqlstate, 6, "57014");
    snprintf(message, message_size,
             "%s at the run deadline (%ld s, GAZSYNC_RUN_TIMEOUT_S)", what,
             pg->run_timeout_s);
    return GS_EHTTP;
}

int gs__pg_exec(PGresult **out, gs_pg *pg, const char *sql, int n,
                const char *const *values, ExecStatusType want,
                char sqlstate[6], char *message, size_t message_size)
{
    PGresult *res;
    const char *state;

    if (out)
        *out = NULL;
    sqlstate[0] = '\0';
    message[0] = '\0';
    if (gs__pg_lost(pg)) {
        snprintf(sqlstate, 6, "08006");
        snprintf(message, message_size, "the connection to %s is lost",
                 gs__pg_where(pg));
        return GS_EHTTP;
    }
    if (time_left(pg) <= 0) {
        pg->deadline_hit = 1;
        return gs__pg_at_deadline(pg, "not sent", sqlstate, message,
                                  message_size);
    }
    pg->statements++;
    res = send_statement(pg, sql, n, values) == GS_OK ? last_result(pg) : NULL;
    if (res && PQresultStatus(res) == want) {
        if (out)
            *out = res;
        else
            PQclear(res);
        return GS_OK;
    }
    state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state)
        snprintf(sqlstate, 6, "%.5s", state);
    else if (gs__pg_lost(pg))
        snprintf(sqlstate, 6, "08006");
    /* The primary message without libpq's "ERROR:  " prefix; the detail
     * names the offending value or key, as PostgREST's "details" does. */
    if (res && PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)) {
        const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        char line[400];
        first_line(line, sizeof line,
                   PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
        snprintf(message, message_size, "%s%s%.200s", line, detail ? " " : "",
                 detail ? detail : "");
    } else {
        first_line(message, message_size,
                   pg->conn ? PQerrorMessage(pg->conn) : "connection dropped");
    }
    PQclear(res);
    if (pg->deadline_hit)
        return gs__pg_at_deadline(pg, "cancelled", sqlstate, message,
                                  message_size);
    return gs__pg_lost(pg) ? GS_EHTTP : GS_ECONFLICT;
}

/* The error of @p res (or of the connection) into @p sqlstate and
 * @p message, as gs__pg_exec() reports it. */
static int result_error(gs_pg *pg, const PGresult *res, char sqlstate[6],
                        char *message, size_t message_size)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary =
        res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

    snprintf(sqlstate, 6, "%.5s",
             state             ? state
             : gs__pg_lost(pg) ? "08006"
                               : "");
    if (primary)
        first_line(message, message_size, primary);
    else
        first_line(message, message_size,
                   pg->conn ? PQerrorMessage(pg->conn) : "connection dropped");
    if (pg->deadline_hit)
        return gs__pg_at_deadline(pg, "cancelled", sqlstate, message,
                                  message_size);
    return gs__pg_lost(pg) ? GS_EHTTP : GS_ECONFLICT;
}

int gs__pg_exec_commit(gs_pg *pg, const char *sql, int n,
                       const char *const *values, char sqlstate[6],
                       char *message, size_t message_size)
{
    int rc = GS_OK;

    sqlstate[0] = '\0';
    message[0] = '\0';
    if (gs__pg_lost(pg) || time_left(pg) <= 0 || !PQenterPipelineMode(pg->conn))
        return gs__pg_exec(NULL, pg, sql, n, values, PGRES_COMMAND_OK, sqlstate,
                           message, message_size) == GS_OK
                   ? gs__pg_exec(NULL, pg, "COMMIT", 0, NULL, PGRES_COMMAND_OK,
                                 sqlstate, message, message_size)
                   : (gs__pg_lost(pg) ? GS_EHTTP : GS_ECONFLICT);
    pg->statements += 2;
    if (!PQsendQueryParams(pg->conn, sql, n, NULL, values, NULL, NULL, 0) ||
        !PQsendQueryParams(pg->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) ||
        !PQpipelineSync(pg->conn))
        rc = result_error(pg, NULL, sqlstate, message, message_size);
    /* Each statement's result, then the NULL that ends it; then the sync. */
    for (int i = 0; i < 2 && rc == GS_OK; i++) {
        PGresult *res = NULL;
        if (gs__pg_wait(pg) == GS_OK)
            res = PQgetResult(pg->conn);
        if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = result_error(pg, res, sqlstate, message, message_size);
        PQclear(res);
        if (rc == GS_OK && gs__pg_wait(pg) == GS_OK)
            PQclear(PQgetResult(pg->conn)); /* the NULL */
    }
    /* Drain to the sync, so the connection leaves pipeline mode idle. */
    while (pg->conn && gs__pg_wait(pg) == GS_OK) {
        PGresult *res = PQgetResult(pg->conn);
        int sync = res && PQresultStatus(res) == PGRES_PIPELINE_SYNC;
        PQclear(res);
        if (sync)
            break;
    }
    if (pg->conn)
        PQexitPipelineMode(pg->conn);
    return rc;
}

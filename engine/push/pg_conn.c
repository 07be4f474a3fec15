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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gazsync/error.h"

#define MAX_OPTIONS 64
#define MAX_BACKOFF_MS 30000L

struct gs_pg {
    PGconn *conn;
    PQconninfoOption *parsed;
    const char *keys[MAX_OPTIONS];
    const char *values[MAX_OPTIONS];
    char where[320];
    int max_attempts;
    long backoff_ms;
    long long statements;
};

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
    if (!option(pg, "connect_timeout")) {
        pg->keys[n] = "connect_timeout";
        pg->values[n++] = "30";
    }
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

static int connect_with_backoff(gs_pg *pg)
{
    char why[300] = "";
    long wait = pg->backoff_ms > 0 ? pg->backoff_ms : 100;

    for (int attempt = 1; attempt <= pg->max_attempts; attempt++) {
        if (pg->conn)
            PQfinish(pg->conn);
        pg->conn = PQconnectdbParams(pg->keys, pg->values, 0);
        if (pg->conn && PQstatus(pg->conn) == CONNECTION_OK)
            return GS_OK;
        first_line(why, sizeof why,
                   pg->conn ? PQerrorMessage(pg->conn) : "out of memory");
        if (attempt < pg->max_attempts) {
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
    pg->statements++;
    res = n > 0 ? PQexecParams(pg->conn, sql, n, NULL, values, NULL, NULL, 0)
                : PQexec(pg->conn, sql);
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
        first_line(message, message_size, PQerrorMessage(pg->conn));
    }
    PQclear(res);
    return gs__pg_lost(pg) ? GS_EHTTP : GS_ECONFLICT;
}

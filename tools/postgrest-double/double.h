/* Types shared by the PostgREST double's files: the request as the router
 * sees it (no libmicrohttpd types, so the parsers can be unit-tested), the
 * response being built, and the server-wide context. */
#ifndef PD_DOUBLE_H
#define PD_DOUBLE_H

#include <pthread.h>
#include <stddef.h>

#include "buf.h"

/* One query argument or header, in arrival order; repeated names are kept
 * (PostgREST allows `id=gt.1&id=lt.9` and repeated Prefer headers). */
typedef struct {
    char *name;
    char *value;
} pd_kv;

typedef struct {
    pd_kv *items;
    size_t count;
    size_t cap;
} pd_kvlist;

int pd_kvlist_add(pd_kvlist *list, const char *name, const char *value);
/* First value of `name` (case-insensitive when `nocase`), or NULL. */
const char *pd_kvlist_get(const pd_kvlist *list, const char *name, int nocase);
void pd_kvlist_free(pd_kvlist *list);

typedef struct {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* URL path, without the query */
    pd_kvlist args;     /* decoded query arguments */
    pd_kvlist headers;
    const char *body; /* NUL-terminated, may be "" */
    size_t body_len;
    int body_too_large; /* the body went over --max-body */
} pd_request;

typedef struct {
    int status;
    gs_buf body;
    const char *content_type; /* static string, or NULL for no body */
    pd_kvlist headers;
    int drop_connection; /* fault "close": answer nothing */
} pd_response;

void pd_response_free(pd_response *resp);
/* Replaces the body with a PostgREST error object {code,message,details,hint}
 * (details and hint may be NULL, giving JSON null). */
void pd_response_error(pd_response *resp, int status, const char *code,
                       const char *message, const char *details,
                       const char *hint);
/* Sets a JSON body (copied). */
void pd_response_json(pd_response *resp, int status, const char *json);

struct pd_faults;
struct pd_stats;
struct pd_db;

typedef struct {
    const char *key; /* the service-role key both headers must carry */
    const char *anon_key; /* POSTGREST_DOUBLE_ANON_KEY: runs as role anon */
    size_t max_body; /* bytes; 0 = no limit */
    struct pd_db *db;
    struct pd_faults *faults;
    struct pd_stats *stats;
} pd_context;

/* The router: answers one complete request. */
void pd_route(pd_response *resp, pd_context *ctx, const pd_request *req);

#endif

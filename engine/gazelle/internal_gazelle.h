/* Private to the Gazelle client files (gazelle_client.c, gazelle_oauth.c,
 * gazelle_packed.c). */
#ifndef GS_INTERNAL_GAZELLE_H
#define GS_INTERNAL_GAZELLE_H

#include <jansson.h>

#include "gazsync/gazelle.h"
#include "gazsync/http.h"

/* Tokens that one OAuth refresh brought back; free with
 * gs__oauth_tokens_free(). refresh_token is NULL when the answer had none
 * (the caller keeps the old one). */
typedef struct {
    char *access_token;
    char *refresh_token;
    long long expires_in; /* seconds, -1 when absent */
} gs__oauth_tokens;

/* POSTs grant_type=refresh_token to @p oauth_url. *requests grows by the
 * attempts made. Errors: GS_EAUTH (refused), GS_EHTTP, GS_EPROTO. */
int gs__oauth_refresh(gs__oauth_tokens *out, gs_http *http,
                      const char *oauth_url, const char *refresh_token,
                      const char *client_id, const char *client_secret,
                      long long *requests);
void gs__oauth_tokens_free(gs__oauth_tokens *tokens);

/* scheme://host[:port] of @p api_url + "/developer/oauth/token"; malloc'd,
 * NULL when @p api_url has no scheme or out of memory. */
char *gs__oauth_default_url(const char *api_url);

/* What a failed exchange showed beyond its code and detail, for a caller
 * that judges failures further (gazelle_packed.c: a refusal as too costly).
 * The HTTP status is the detail's (gs_error_last()->http_status). */
typedef struct {
    int timed_out;  /* no answer: the last attempt ran out of time */
    json_t *errors; /* the answer's GraphQL `errors` (new reference; the
                       caller decrefs), or NULL */
} gs__gazelle_failure;

/* gs_gazelle_query(), and on failure what @p failure (may be NULL) says. */
int gs__gazelle_query_ex(json_t **data, gs__gazelle_failure *failure,
                         gs_gazelle *client, const char *document,
                         json_t *variables, const char *what);

#endif

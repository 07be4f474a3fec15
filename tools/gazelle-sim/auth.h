/* Gazelle's two ways in (contracts/gazelle.md, Transport): an OAuth access
 * token as "Authorization: Bearer", or a short API key as
 * "x-gazelle-api-key". Access tokens expire after a number of requests or
 * of simulated seconds; POST /developer/oauth/token with grant_type
 * refresh_token issues a new pair and retires the old one (rotation, the
 * conservative reading: a client that forgets to store the new refresh
 * token is caught). client_credentials is refused as the real service does. */
#ifndef GSIM_AUTH_H
#define GSIM_AUTH_H

#include <jansson.h>
#include <stdint.h>

#include "dataset.h"

typedef struct {
    char api_key[128];
    char access_token[128];
    char refresh_token[128];
    char client_id[128];
    char client_secret[128];
    int required;            /* any credential flag given */
    uint64_t ttl_requests;   /* 0: no limit */
    int64_t ttl_seconds;     /* 0: no limit (simulated seconds) */
    uint64_t used;           /* requests made with the current token */
    gsim_time issued_at;
    uint64_t seed, generation;
} gsim_auth;

/* 0 when the request may proceed, else -1 (answer 401). */
int gsim_auth_check(gsim_auth *a, const char *authorization,
                    const char *api_key, gsim_time now);
/* Handles a token request body (form-encoded or JSON, by content type).
 * Returns the HTTP status and sets *answer to the JSON body (caller
 * decrefs). */
int gsim_auth_token(gsim_auth *a, const char *content_type, const char *body,
                    size_t len, gsim_time now, json_t **answer);

#endif

/* Which tokens a run starts with, and the saving of a refresh's: the
 * policy over the token file (token_file.c). */
#include "gazsync/tokens.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "secret.h"

static int is_set(const char *s)
{
    return s && *s;
}

void gs_tokens_fingerprint(char out[32], const char *access_token,
                           const char *refresh_token, const char *api_key)
{
    const char *parts[3] = {access_token, refresh_token, api_key};
    uint64_t h = GS_HASH_INIT;

    for (int i = 0; i < 3; i++) {
        const char *part = parts[i] ? parts[i] : "";

        h = gs_hash_continue(h, part, strlen(part));
        /* separator: ("ab","c") differs from ("a","bc") */
        h = gs_hash_continue(h, "\xff", 1);
    }
    snprintf(out, 32, "fnv1a64:%016llx", (unsigned long long)h);
}

static void env_fingerprint(char out[32], const gs_token_store *store)
{
    gs_tokens_fingerprint(out, store->env_access_token,
                          store->env_refresh_token, store->env_api_key);
}

static int dup_secret(char **out, const char *value)
{
    *out = NULL;
    if (!is_set(value))
        return GS_OK;
    *out = strdup(value);
    return *out ? GS_OK
                : gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
}

void gs_token_choice_free(gs_token_choice *choice)
{
    gs_secret_free(choice->access_token);
    gs_secret_free(choice->refresh_token);
    choice->access_token = choice->refresh_token = NULL;
}

/* Tokens saved after a refresh replace the environment's: once a run has
 * refreshed, the environment's access token is expired and its refresh
 * token already used; starting from them would cost a 401 and a refresh
 * that fails. The exception is a user who has since put new credentials in
 * the environment (re-authorised): the fingerprint of the environment then
 * differs from the one saved with the tokens, and the environment wins. */
int gs_token_store_pick(gs_token_choice *out, const gs_token_store *store,
                        gs_store *cache)
{
    gs_tokens saved;
    char fingerprint[32];
    int rc;

    memset(out, 0, sizeof *out);
    memset(&saved, 0, sizeof saved);
    rc = cache ? gs_tokens_migrate(&out->migrated, cache, store->path) : GS_OK;
    if (rc == GS_OK)
        rc = gs_tokens_read(&saved, &out->shared, store->path);
    if (rc != GS_OK)
        return rc;
    env_fingerprint(fingerprint, store);
    if (saved.fingerprint && strcmp(saved.fingerprint, fingerprint) != 0) {
        out->source = GS_TOKENS_ENV_CHANGED;
    } else if (saved.access_token || saved.refresh_token) {
        out->source = GS_TOKENS_FROM_FILE;
        out->access_token = saved.access_token;
        out->refresh_token = saved.refresh_token;
        saved.access_token = saved.refresh_token = NULL;
    }
    gs_tokens_free(&saved);
    if (out->source != GS_TOKENS_FROM_FILE) {
        rc = dup_secret(&out->access_token, store->env_access_token);
        if (rc == GS_OK)
            rc = dup_secret(&out->refresh_token, store->env_refresh_token);
        if (rc != GS_OK)
            gs_token_choice_free(out);
    }
    return rc;
}

/* One file replaced atomically: a new access token never sits beside the
 * old refresh token or fingerprint. */
int gs_token_store_save(void *ctx, const char *access_token,
                        const char *refresh_token)
{
    const gs_token_store *store = ctx;
    gs_tokens saved, next;
    char fingerprint[32];
    int rc = gs_tokens_read(&saved, NULL, store->path);

    if (rc != GS_OK)
        return rc;
    env_fingerprint(fingerprint, store);
    next.access_token =
        (char *)(access_token ? access_token : saved.access_token);
    next.refresh_token =
        (char *)(refresh_token ? refresh_token : saved.refresh_token);
    next.fingerprint = fingerprint;
    rc = gs_tokens_write(store->path, &next);
    gs_tokens_free(&saved);
    return rc;
}

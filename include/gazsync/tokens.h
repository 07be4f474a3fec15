/**
 * @file tokens.h
 * @brief The token store: the OAuth tokens of the last Gazelle refresh, in
 *        a file of their own (`<cache>.tokens`, mode 0600, the .env
 *        format), preferred over the environment's on the next run unless
 *        the environment has been given new credentials since.
 *
 * Gazelle rotates refresh tokens: once a run has refreshed, the
 * environment's pair is spent, and losing the new one would lock the next
 * run out until someone re-authorises. The file is not the cache, so the
 * cache holds no secret and can be cached (an Actions cache is readable by
 * every workflow of the repository); tokens an older gazsync kept in the
 * cache's `meta` move to the file.
 */
#ifndef GAZSYNC_TOKENS_H
#define GAZSYNC_TOKENS_H

#include <stddef.h>

#include "gazsync/error.h"
#include "gazsync/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The token file's contents. Strings are NULL when absent. */
typedef struct {
    char *access_token;
    char *refresh_token;
    char *fingerprint; /**< of the environment's credentials they replace */
} gs_tokens;

/** Wipes and frees the strings (explicit_bzero); accepts an empty one. */
void gs_tokens_free(gs_tokens *tokens);

/** The token file of the cache at @p cache_path: @p override when set
 *  (the CLI's $GAZSYNC_TOKEN_FILE), else "<cache_path>.tokens".
 *  GS_ECONFIG when it does not fit @p size. */
int gs_token_path(char *out, size_t size, const char *cache_path,
                  const char *override);

/** Reads @p path; a missing file reads as no tokens. *shared (may be NULL)
 *  is 1 when the file holds something and group or others may read it. */
int gs_tokens_read(gs_tokens *out, int *shared, const char *path);

/** Replaces @p path atomically (a new 0600 file renamed over it: a crash
 *  leaves the old tokens or the new ones, never half of each).
 *  GS_EPROTO for a token holding a quote or a newline, GS_EIO. */
int gs_tokens_write(const char *path, const gs_tokens *tokens);

/** Moves tokens an older gazsync kept in @p cache's meta to @p path
 *  (unless the file already has some, which are newer) and erases them
 *  from the cache. *moved is 1 when there were some. */
int gs_tokens_migrate(int *moved, gs_store *cache, const char *path);

/** A fingerprint of the environment's credentials (64-bit FNV-1a, as
 *  "fnv1a64:<16 hex>"): says nothing useful about high-entropy tokens, and
 *  sits in the 0600 file beside them anyway. NULLs count as empty. */
void gs_tokens_fingerprint(char out[32], const char *access_token,
                           const char *refresh_token, const char *api_key);

/** A token file and the environment's credentials (all borrowed). */
typedef struct {
    const char *path;
    const char *env_access_token;
    const char *env_refresh_token;
    const char *env_api_key;
} gs_token_store;

typedef enum {
    GS_TOKENS_FROM_ENV = 0, /**< nothing saved: the environment's */
    GS_TOKENS_FROM_FILE,    /**< the tokens of the last refresh */
    GS_TOKENS_ENV_CHANGED,  /**< saved ones, but the environment has new
                                 credentials since: the environment's */
} gs_token_source;

/** What to start a Gazelle client with. */
typedef struct {
    char *access_token; /**< NULL: none; gs_token_choice_free() */
    char *refresh_token;
    gs_token_source source;
    int migrated; /**< tokens moved out of the cache's meta just now */
    int shared;   /**< the token file may be read by group or others */
} gs_token_choice;

/**
 * Chooses the tokens to start with: the saved ones, unless the
 * environment's fingerprint differs from the one saved with them (the user
 * re-authorised), else the environment's. Migrates tokens out of @p cache
 * first (NULL: no cache, nothing to migrate).
 */
int gs_token_store_pick(gs_token_choice *out, const gs_token_store *store,
                        gs_store *cache);

/** Wipes and frees the choice's tokens. */
void gs_token_choice_free(gs_token_choice *choice);

/**
 * A gs_token_saver (gs_gazelle_opts.save_tokens) with a gs_token_store as
 * @p ctx: saves a refresh's tokens with the environment's fingerprint. A
 * refresh that returns only an access token keeps the file's refresh
 * token.
 */
int gs_token_store_save(void *ctx, const char *access_token,
                        const char *refresh_token);

#ifdef __cplusplus
}
#endif
#endif

/* The token file: `<cache>.tokens` (or the caller's path), mode 0600, in
 * the .env format, read with the configuration's own .env reader.
 *
 * The tokens used to live in the cache's meta table, and the README's
 * GitHub Actions recipe caches gazsync.db between runs: an Actions cache is
 * readable by every workflow and branch of the repository, so the live
 * refresh token went with it. Out of the cache, the cache file holds no
 * secret; the token file is a secret like .env. Tokens a cache still holds
 * from before are moved here by the next run (which holds the run lock) and
 * erased from meta. */
#include "gazsync/tokens.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "internal_config.h"
#include "secret.h"

#define META_ACCESS "gazelle.access_token"
#define META_REFRESH "gazelle.refresh_token"
#define META_ENV_FINGERPRINT "gazelle.env_fingerprint"

#define KEY_ACCESS "GAZELLE_ACCESS_TOKEN"
#define KEY_REFRESH "GAZELLE_REFRESH_TOKEN"
#define KEY_FINGERPRINT "GAZSYNC_ENV_FINGERPRINT"

static void wipe(char **s)
{
    gs_secret_free(*s);
    *s = NULL;
}

void gs_tokens_free(gs_tokens *t)
{
    wipe(&t->access_token);
    wipe(&t->refresh_token);
    wipe(&t->fingerprint);
}

int gs_token_path(char *out, size_t size, const char *cache_path,
                  const char *override)
{
    int n = override && *override ? snprintf(out, size, "%s", override)
                                  : snprintf(out, size, "%s.tokens",
                                             cache_path ? cache_path : "");

    if (n < 0 || (size_t)n >= size)
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "token file path too long");
    return GS_OK;
}

static int dup_value(char **out, const gs__dotenv *env, const char *key)
{
    const char *v = gs__dotenv_get(env, key, NULL);

    *out = NULL;
    if (!v || !*v)
        return GS_OK;
    *out = strdup(v);
    return *out ? GS_OK
                : gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
}

int gs_tokens_read(gs_tokens *out, int *shared, const char *path)
{
    gs__dotenv env;
    struct stat st;
    int rc;

    memset(out, 0, sizeof *out);
    if (shared)
        *shared = 0;
    rc = gs__dotenv_load(&env, path); /* a missing file: no tokens */
    if (rc != GS_OK)
        return rc;
    if (shared && env.n && stat(path, &st) == 0 && (st.st_mode & 077))
        *shared = 1;
    rc = dup_value(&out->access_token, &env, KEY_ACCESS);
    if (rc == GS_OK)
        rc = dup_value(&out->refresh_token, &env, KEY_REFRESH);
    if (rc == GS_OK)
        rc = dup_value(&out->fingerprint, &env, KEY_FINGERPRINT);
    gs__dotenv_free(&env);
    if (rc != GS_OK)
        gs_tokens_free(out);
    return rc;
}

/* Single quotes keep a value literal in the .env format; OAuth tokens are
 * base64url or JWTs and never hold one. */
static int put_line(gs_buf *buf, const char *key, const char *value)
{
    if (!value)
        return GS_OK;
    if (strchr(value, '\'') || strchr(value, '\n'))
        return gs_error_set(GS_EPROTO, GS_ECLASS_GAZELLE,
                            "a refreshed token holds a quote or a newline; "
                            "not saved");
    return gs_buf_printf(buf, "%s='%s'\n", key, value);
}

/* Written to a new 0600 file beside the old one, then renamed over it. */
int gs_tokens_write(const char *path, const gs_tokens *t)
{
    char tmp[4200];
    gs_buf text = GS_BUF_INIT;
    int fd = -1, rc;

    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >=
        sizeof tmp)
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "token file path too long");
    rc = gs_buf_puts(&text, "# gazsync: the OAuth tokens of the last Gazelle "
                            "refresh. A secret, like .env:\n# keep it 0600 "
                            "and out of shared caches.\n");
    if (rc == GS_OK)
        rc = put_line(&text, KEY_ACCESS, t->access_token);
    if (rc == GS_OK)
        rc = put_line(&text, KEY_REFRESH, t->refresh_token);
    if (rc == GS_OK)
        rc = put_line(&text, KEY_FINGERPRINT, t->fingerprint);
    if (rc != GS_OK)
        goto done;
    unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, text.data, text.len) != (ssize_t)text.len ||
        fsync(fd) != 0) {
        rc = gs_error_set(GS_EIO, GS_ECLASS_OS, "token file %s: %s", path,
                          strerror(errno));
        goto done;
    }
    close(fd);
    fd = -1;
    if (rename(tmp, path) != 0)
        rc = gs_error_set(GS_EIO, GS_ECLASS_OS, "token file %s: %s", path,
                          strerror(errno));
done:
    if (fd >= 0)
        close(fd);
    if (rc != GS_OK)
        unlink(tmp);
    gs_secret_wipe(text.data, text.len);
    gs_buf_free(&text);
    return rc;
}

/* Tokens a cache of gazsync 0.1.0 holds in meta go to the token file
 * (unless it already has some, which are newer) and leave the cache. */
int gs_tokens_migrate(int *moved, gs_store *cache, const char *path)
{
    gs_tokens old, current;
    int rc;

    *moved = 0;
    memset(&old, 0, sizeof old);
    memset(&current, 0, sizeof current);
    rc = gs_store_meta_get(&old.access_token, cache, META_ACCESS);
    if (rc == GS_OK)
        rc = gs_store_meta_get(&old.refresh_token, cache, META_REFRESH);
    if (rc == GS_OK)
        rc = gs_store_meta_get(&old.fingerprint, cache, META_ENV_FINGERPRINT);
    if (rc != GS_OK ||
        (!old.access_token && !old.refresh_token && !old.fingerprint))
        goto done;
    rc = gs_tokens_read(&current, NULL, path);
    if (rc == GS_OK && !current.access_token && !current.refresh_token)
        rc = gs_tokens_write(path, &old);
    if (rc != GS_OK)
        goto done;
    /* The cache opens with secure_delete, so the old values are zeroed in
     * their pages, not merely unlinked. */
    rc = gs_store_begin(cache);
    if (rc == GS_OK)
        rc = gs_store_meta_set(cache, META_ACCESS, NULL);
    if (rc == GS_OK)
        rc = gs_store_meta_set(cache, META_REFRESH, NULL);
    if (rc == GS_OK)
        rc = gs_store_meta_set(cache, META_ENV_FINGERPRINT, NULL);
    if (rc == GS_OK)
        rc = gs_store_commit(cache);
    else
        gs_store_rollback(cache);
    *moved = rc == GS_OK;
done:
    gs_tokens_free(&old);
    gs_tokens_free(&current);
    return rc;
}

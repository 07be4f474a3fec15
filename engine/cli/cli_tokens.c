/* The refreshed OAuth tokens, kept in a file of their own: `<cache>.tokens`
 * (or $GAZSYNC_TOKEN_FILE), mode 0600, in the .env format.
 *
 * They used to live in the cache's meta table, and the README's GitHub
 * Actions recipe caches gazsync.db between runs: an Actions cache is
 * readable by every workflow and branch of the repository, so the live
 * refresh token went with it. Out of the cache, the cache file holds no
 * secret and can be cached; the token file is a secret like .env. Tokens a
 * cache still holds from before are moved here on the next run (which holds
 * the run lock) and erased from meta. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli_tokens.h"
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

void cli_tokens_free(cli_tokens *t)
{
    wipe(&t->access);
    wipe(&t->refresh);
    wipe(&t->fingerprint);
}

int cli_token_path(char *out, size_t size, const gs_cli *cli)
{
    const char *env = getenv("GAZSYNC_TOKEN_FILE");
    int n = env && *env ? snprintf(out, size, "%s", env)
                        : snprintf(out, size, "%s.tokens", cli->db_path);

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

int cli_tokens_read(cli_tokens *out, const gs_cli *cli, const char *path)
{
    gs__dotenv env;
    int rc;

    memset(out, 0, sizeof *out);
    rc = gs__dotenv_load(&env, path); /* a missing file: no tokens */
    if (rc != GS_OK)
        return rc;
    if (env.n)
        cli_warn_if_shared(cli, path, "token file");
    rc = dup_value(&out->access, &env, KEY_ACCESS);
    if (rc == GS_OK)
        rc = dup_value(&out->refresh, &env, KEY_REFRESH);
    if (rc == GS_OK)
        rc = dup_value(&out->fingerprint, &env, KEY_FINGERPRINT);
    gs__dotenv_free(&env);
    if (rc != GS_OK)
        cli_tokens_free(out);
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

/* Written to a new 0600 file beside the old one, then renamed over it: a
 * crash leaves the old pair or the new one, never half of each. */
int cli_tokens_write(const char *path, const cli_tokens *t)
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
        rc = put_line(&text, KEY_ACCESS, t->access);
    if (rc == GS_OK)
        rc = put_line(&text, KEY_REFRESH, t->refresh);
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
int cli_tokens_migrate(gs_store *store, const gs_cli *cli, const char *path)
{
    cli_tokens old, current;
    int rc;

    memset(&old, 0, sizeof old);
    memset(&current, 0, sizeof current);
    rc = gs_store_meta_get(&old.access, store, META_ACCESS);
    if (rc == GS_OK)
        rc = gs_store_meta_get(&old.refresh, store, META_REFRESH);
    if (rc == GS_OK)
        rc = gs_store_meta_get(&old.fingerprint, store, META_ENV_FINGERPRINT);
    if (rc != GS_OK || (!old.access && !old.refresh && !old.fingerprint))
        goto done;
    rc = cli_tokens_read(&current, cli, path);
    if (rc == GS_OK && !current.access && !current.refresh)
        rc = cli_tokens_write(path, &old);
    if (rc != GS_OK)
        goto done;
    /* The cache opens with secure_delete, so the old values are zeroed in
     * their pages, not merely unlinked. */
    rc = gs_store_begin(store);
    if (rc == GS_OK)
        rc = gs_store_meta_set(store, META_ACCESS, NULL);
    if (rc == GS_OK)
        rc = gs_store_meta_set(store, META_REFRESH, NULL);
    if (rc == GS_OK)
        rc = gs_store_meta_set(store, META_ENV_FINGERPRINT, NULL);
    if (rc == GS_OK)
        rc = gs_store_commit(store);
    else
        gs_store_rollback(store);
    if (rc == GS_OK)
        cli_verbose(cli,
                    "gazelle: moved the saved tokens from the cache to "
                    "%s\n",
                    path);
done:
    cli_tokens_free(&old);
    cli_tokens_free(&current);
    return rc;
}

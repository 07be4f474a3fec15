/* doctor's local checks: the configuration and .env, the settings they
 * give (the common mistakes in the two URLs), the token file and the
 * cache. */
#include "cli_tokens.h"
#include "doctor.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_set(const char *s)
{
    return s && *s;
}

/* A file that holds secrets (.env, the token file) must be private. */
static void check_private(gs_doctor *d, const char *area, const char *what,
                          const char *path)
{
    struct stat st;
    char fix[4200];

    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            cli_doctor_ok(d, area, "no %s at %s", what, path);
        else
            cli_doctor_problem(d, area, GS_EXIT_CONFIG,
                               "check the path and its folder's permissions",
                               "%s %s: %s", what, path, strerror(errno));
        return;
    }
    if (st.st_mode & 077) {
        snprintf(fix, sizeof fix, "chmod 600 %s", path);
        cli_doctor_problem(d, area, GS_EXIT_CONFIG, fix,
                           "%s %s is readable by %s (mode %04o); it holds "
                           "secrets",
                           what, path,
                           (st.st_mode & 007) ? "others" : "its group",
                           (unsigned)(st.st_mode & 07777));
        return;
    }
    if (access(path, R_OK) != 0) {
        snprintf(fix, sizeof fix, "run gazsync as the owner of %s", path);
        cli_doctor_problem(d, area, GS_EXIT_CONFIG, fix,
                           "%s %s: cannot read it", what, path);
        return;
    }
    cli_doctor_ok(d, area, "%s %s (mode %04o)", what, path,
                  (unsigned)(st.st_mode & 07777));
}

int cli_doctor_config(gs_doctor *d, gs_config *cfg)
{
    const gs_cli *cli = d->cli;
    int rc;

    memset(cfg, 0, sizeof *cfg);
    if (cli->config_path)
        cli_doctor_ok(d, "config", "INI file %s", cli->config_path);
    else
        cli_doctor_ok(d, "config", "no INI file (built-in defaults)");
    if (cli->env_file)
        check_private(d, "config", "env file", cli->env_file);
    else
        cli_doctor_ok(d, "config", "no .env file (the environment only)");
    if (cli->env_file && cli->env_file_explicit &&
        access(cli->env_file, R_OK) != 0)
        return 0; /* said above */
    rc = gs_config_load(cfg, cli->config_path, cli->env_file);
    if (rc != GS_OK) {
        const gs_error *e = gs_error_last();
        cli_doctor_problem(d, "config", GS_EXIT_CONFIG,
                           "correct the file, line or variable named", "%s",
                           e->message[0] ? e->message : gs_strerror(rc));
        return 0;
    }
    cli_doctor_ok(d, "config", "configuration valid (time zone %s)",
                  cfg->time_zone);
    return 1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

void cli_doctor_settings(gs_doctor *d, const gs_config *cfg)
{
    char token_path[4096];

    if (!is_set(cfg->gazelle_url))
        cli_doctor_problem(d, "gazelle", GS_EXIT_CONFIG,
                           "set GAZELLE_API_URL=https://<account>/graphql/"
                           "private/ in .env",
                           "GAZELLE_API_URL is not set");
    else if (!strstr(cfg->gazelle_url, "/graphql/private"))
        cli_doctor_problem(d, "gazelle", GS_EXIT_CONFIG,
                           "the private API's URL ends in /graphql/private/",
                           "GAZELLE_API_URL has no /graphql/private/ path");
    else
        cli_doctor_ok(d, "gazelle", "GAZELLE_API_URL set");
    if (!is_set(cfg->gazelle_access_token) &&
        !is_set(cfg->gazelle_refresh_token) && !is_set(cfg->gazelle_api_key))
        cli_doctor_problem(
            d, "gazelle", GS_EXIT_AUTH,
            "set GAZELLE_ACCESS_TOKEN (with GAZELLE_REFRESH_TOKEN, "
            "GAZELLE_CLIENT_ID, GAZELLE_CLIENT_SECRET) or "
            "GAZELLE_API_KEY",
            "no Gazelle credentials configured");
    else
        cli_doctor_ok(d, "gazelle", "credentials configured (%s)",
                      is_set(cfg->gazelle_api_key) ? "API key"
                                                   : "OAuth tokens");

    /* The PostgreSQL target needs neither (doctor_remote.c checks its
     * connection string). */
    if (cfg->push_target == GS_PUSH_TARGET_POSTGRES)
        ;
    else if (!is_set(cfg->supabase_url))
        cli_doctor_problem(d, "supabase", GS_EXIT_CONFIG,
                           "set SUPABASE_URL=https://<project>.supabase.co",
                           "SUPABASE_URL is not set");
    else if (ends_with(cfg->supabase_url, "/rest/v1") ||
             ends_with(cfg->supabase_url, "/rest/v1/"))
        cli_doctor_problem(d, "supabase", GS_EXIT_CONFIG,
                           "drop /rest/v1 from SUPABASE_URL: gazsync adds it",
                           "SUPABASE_URL ends in /rest/v1");
    else
        cli_doctor_ok(d, "supabase", "SUPABASE_URL set");
    if (cfg->push_target == GS_PUSH_TARGET_POSTGRES)
        ;
    else if (!is_set(cfg->supabase_key))
        cli_doctor_problem(d, "supabase", GS_EXIT_CONFIG,
                           "set SUPABASE_SERVICE_ROLE_KEY (Project Settings > "
                           "API > service_role)",
                           "SUPABASE_SERVICE_ROLE_KEY is not set");
    else
        cli_doctor_ok(d, "supabase", "SUPABASE_SERVICE_ROLE_KEY set");

    if (cli_token_path(token_path, sizeof token_path, d->cli) == GS_OK)
        check_private(d, "gazelle", "token file", token_path);
}

static void cache_contents(gs_doctor *d, const gs_store_health *h)
{
    const char *path = d->cli->db_path;
    int want = gs_store_schema_version();

    if (!h->is_cache) {
        cli_doctor_problem(d, "cache", GS_EXIT_CACHE,
                           "name the cache with --db, or move this file away",
                           "%s is a SQLite file but not a gazsync cache", path);
        return;
    }
    if (h->schema_version > want)
        cli_doctor_problem(d, "cache", GS_EXIT_CACHE,
                           "use the gazsync that wrote it, or a newer one",
                           "schema %d is newer than this gazsync's (%d)",
                           h->schema_version, want);
    else if (h->schema_version < want)
        cli_doctor_ok(d, "cache",
                      "schema %d (the next run upgrades it to %d in place)",
                      h->schema_version, want);
    else
        cli_doctor_ok(d, "cache", "schema %d", h->schema_version);
    if (h->integrity_ok)
        cli_doctor_ok(d, "cache", "integrity (quick_check) ok");
    else
        cli_doctor_problem(d, "cache", GS_EXIT_CACHE,
                           "move the file away and pull again (the cache is "
                           "rebuilt from Gazelle)",
                           "integrity check failed: %s", h->integrity);
}

void cli_doctor_cache(gs_doctor *d)
{
    const char *path = d->cli->db_path;
    gs_store_health h;
    char fix[4200];
    int rc = gs_store_health_check(&h, path);

    if (rc != GS_OK) {
        const gs_error *e = gs_error_last();
        cli_doctor_problem(d, "cache", GS_EXIT_CACHE,
                           "move the file away and pull again, or name another "
                           "with --db",
                           "%s", e->message[0] ? e->message : gs_strerror(rc));
        return;
    }
    if (!h.exists) {
        cli_doctor_ok(d, "cache",
                      "%s not created yet (the first pull or 'init' "
                      "creates it)",
                      path);
        return;
    }
    if (h.mode & 077) {
        snprintf(fix, sizeof fix, "chmod 600 %s", path);
        cli_doctor_problem(d, "cache", GS_EXIT_CACHE, fix,
                           "%s is readable by others (mode %04o); it holds the "
                           "business's clients",
                           path, h.mode);
    } else {
        cli_doctor_ok(d, "cache", "%s (mode %04o)", path, h.mode);
    }
    if (h.lock_held)
        cli_doctor_problem(d, "cache", GS_EXIT_BUSY,
                           "wait for that run to end (a stuck one: kill it by "
                           "its pid)",
                           "a run holds the cache's run lock now (pid %s)",
                           h.lock_pid[0] ? h.lock_pid : "unknown");
    else
        cli_doctor_ok(d, "cache", "run lock free");
    cache_contents(d, &h);
}

/* What every command needs around the library: the exit code of a gs_code,
 * printing the last error, loading the configuration, opening the cache,
 * and the little time arithmetic that printing ages needs. */
#include "cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The exit codes are coarser than gs_code on purpose: a cron job wants to
 * know whether to fix the config, the credentials, the network or the disk.
 * The code decides; the class breaks ties for codes that any layer may
 * raise (GS_EINVAL from the config parser is a config problem). */
int cli_exit_code(int code)
{
    const gs_error *e = gs_error_last();

    switch (code) {
    case GS_OK:
        return GS_EXIT_OK;
    case GS_EUSAGE:
        return GS_EXIT_USAGE;
    case GS_ECONFIG:
        return GS_EXIT_CONFIG;
    case GS_EHTTP:
    case GS_ERATELIMIT:
    case GS_EPROTO:
    case GS_ECONFLICT:
        return GS_EXIT_NETWORK;
    case GS_EAUTH:
        return GS_EXIT_AUTH;
    case GS_EPARTIAL:
        return GS_EXIT_PARTIAL;
    case GS_ESTORE:
    case GS_EIO:
        return GS_EXIT_CACHE;
    case GS_EBUSY:
        return GS_EXIT_BUSY;
    case GS_ECANCELED:
        return cli_signal_exit_code();
    default:
        break;
    }
    if (e->code == code) {
        switch (e->klass) {
        case GS_ECLASS_CONFIG:
            return GS_EXIT_CONFIG;
        case GS_ECLASS_STORE:
        case GS_ECLASS_OS:
            return GS_EXIT_CACHE;
        case GS_ECLASS_HTTP:
        case GS_ECLASS_GAZELLE:
        case GS_ECLASS_SUPABASE:
            return GS_EXIT_NETWORK;
        default:
            break;
        }
    }
    return GS_EXIT_FAILURE;
}

/* Puts back an error saved before other calls overwrote the thread's last
 * error (the run log is written between a failure and its printing). */
void cli_error_restore(const gs_error *saved)
{
    gs_error_set_http(saved->code, saved->klass, saved->http_status, "%s",
                      saved->message);
}

double cli_monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints "gazsync: <message>" for the failure @p code and gives its exit
 * code. The message is the library's, which never holds a token or key;
 * nothing from the configuration's secrets is ever printed here. */
int cli_fail(const gs_cli *cli, int code)
{
    const gs_error *e = gs_error_last();
    const char *message =
        e->code == code && e->message[0] ? e->message : gs_strerror(code);

    fprintf(stderr, "%s: %s\n", cli->prog, message);
    return cli_exit_code(code);
}

void cli_info(const gs_cli *cli, const char *fmt, ...)
{
    va_list ap;

    if (cli->verbosity < GS_NORMAL)
        return;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
}

void cli_verbose(const gs_cli *cli, const char *fmt, ...)
{
    va_list ap;

    if (cli->verbosity < GS_VERBOSE)
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

int cli_load_config(gs_config *cfg, const gs_cli *cli)
{
    int rc;

    /* gs_config_load() starts from gs_config_defaults() itself. On failure
     * the struct is left alone (not freed here): the process is about to
     * exit, and a leak there is cheaper than guessing what was filled. */
    memset(cfg, 0, sizeof *cfg);
    /* gs_config_load() treats a missing .env as "none"; a file the user
     * named on the command line and that is not there is a mistake. */
    if (cli->env_file && cli->env_file_explicit &&
        access(cli->env_file, R_OK) != 0) {
        gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                     "--env-file %s: cannot read it", cli->env_file);
        return cli_fail(cli, GS_ECONFIG);
    }
    rc = gs_config_load(cfg, cli->config_path, cli->env_file);
    if (rc != GS_OK)
        return cli_fail(cli, rc);
    /* The cache is made private by the library; the .env holding the keys
     * is the user's file, so it gets a warning, not a chmod. */
    if (cli->env_file)
        cli_warn_if_shared(cli, cli->env_file, "env file");
    cli_verbose(cli, "config: %s; env file: %s\n",
                cli->config_path ? cli->config_path : "(none, defaults)",
                cli->env_file ? cli->env_file : "(none)");
    return 0;
}

int cli_open_store(gs_store **store, const gs_cli *cli, cli_store_mode mode)
{
    gs_store_opts opts;
    int rc;

    *store = NULL;
    if ((mode == CLI_STORE_READ || mode == CLI_STORE_RUN_EXISTING) &&
        access(cli->db_path, F_OK) != 0) {
        fprintf(stderr,
                "%s: no cache at %s (run '%s init' or '%s pull' first, or "
                "name one with --db)\n",
                cli->prog, cli->db_path, cli->prog, cli->prog);
        return GS_EXIT_CACHE;
    }
    memset(&opts, 0, sizeof opts);
    /* status and runs only read: a 0400 cache, or one a run is writing,
     * is fine, and they take no lock. */
    opts.read_only = mode == CLI_STORE_READ;
    opts.run_lock = mode != CLI_STORE_READ;
    opts.adopt = mode == CLI_STORE_INIT;
    rc = gs_store_open(store, cli->db_path, &opts);
    /* Said once, before waiting, so that a cron log shows why the run
     * started late. */
    if (rc == GS_EBUSY && cli->wait_seconds > 0) {
        fprintf(stderr,
                "%s: %s is in use by another run; waiting up to %ld s\n",
                cli->prog, cli->db_path, cli->wait_seconds);
        opts.lock_wait_ms = (int)(cli->wait_seconds * 1000);
        rc = gs_store_open(store, cli->db_path, &opts);
    }
    if (rc != GS_OK)
        return cli_fail(cli, rc);
    cli_verbose(cli, "cache: %s (schema %d)\n", cli->db_path,
                gs_store_schema_version());
    return 0;
}

const char *cli_now_or_null(const gs_cli *cli)
{
    return cli->now[0] ? cli->now : NULL;
}

void cli_clock_now(char out[32], const gs_cli *cli)
{
    if (cli->now[0]) {
        memcpy(out, cli->now, sizeof cli->now);
        return;
    }
    gs_iso_format(out, time(NULL));
}

const char *cli_entity_name(int id)
{
    const gs_entity *entity = gs_entity_get((gs_entity_id)id);
    return entity ? entity->name : "?";
}

void cli_format_age(char *out, size_t size, long long seconds)
{
    char d[32];

    if (seconds < 0) {
        gs_duration_format(d, sizeof d, -seconds);
        snprintf(out, size, "in %s", d);
        return;
    }
    gs_duration_format(d, sizeof d, seconds);
    snprintf(out, size, "%s ago", d);
}

void cli_warn_if_shared(const gs_cli *cli, const char *path, const char *what)
{
    struct stat st;

    if (stat(path, &st) == 0 && (st.st_mode & 077))
        fprintf(stderr,
                "%s: warning: %s %s is readable by %s (mode %04o); it holds "
                "secrets: chmod 600 %s\n",
                cli->prog, what, path,
                (st.st_mode & 007) ? "others" : "its group",
                (unsigned)(st.st_mode & 07777), path);
}

/* What every command needs around the library: the exit code of a gs_code,
 * printing the last error, loading the configuration, opening the cache,
 * and the little time arithmetic that printing ages needs. */
#include "cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
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
    cli_verbose(cli, "config: %s; env file: %s\n",
                cli->config_path ? cli->config_path : "(none, defaults)",
                cli->env_file ? cli->env_file : "(none)");
    return 0;
}

int cli_open_store(gs_store **store, const gs_cli *cli, int must_exist)
{
    int rc;

    *store = NULL;
    if (must_exist && access(cli->db_path, F_OK) != 0) {
        fprintf(stderr,
                "%s: no cache at %s (run '%s init' or '%s pull' first, or "
                "name one with --db)\n",
                cli->prog, cli->db_path, cli->prog, cli->prog);
        return GS_EXIT_CACHE;
    }
    rc = gs_store_open(store, cli->db_path, NULL);
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
    cli_iso_format(out, (long long)time(NULL));
}

const char *cli_entity_name(int id)
{
    const gs_entity *entity = gs_entity_get((gs_entity_id)id);
    return entity ? entity->name : "?";
}

/* Reads exactly @p n digits. */
static int digits(int *out, const char **p, int n)
{
    int value = 0;

    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        value = value * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = value;
    return 0;
}

/* "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM[:SS[.frac]]" with "Z", "+HH:MM",
 * "-HH:MM" or nothing (taken as UTC). The cache and Gazelle write the
 * "...Z" form; the others are accepted for people typing --now. */
int cli_iso_parse(long long *epoch, const char *text)
{
    const char *p = text;
    struct tm tm;
    int year, mon, day, hour = 0, min = 0, sec = 0, off = 0;

    memset(&tm, 0, sizeof tm);
    if (digits(&year, &p, 4) || *p++ != '-' || digits(&mon, &p, 2) ||
        *p++ != '-' || digits(&day, &p, 2))
        return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&hour, &p, 2) || *p++ != ':' || digits(&min, &p, 2))
            return -1;
        if (*p == ':') {
            p++;
            if (digits(&sec, &p, 2))
                return -1;
            if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                    return -1;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om;
            if (digits(&oh, &p, 2))
                return -1;
            if (*p == ':')
                p++;
            if (digits(&om, &p, 2) || oh > 23 || om > 59)
                return -1;
            off = sign * (oh * 3600 + om * 60);
        }
    }
    if (*p != '\0' || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
        min > 59 || sec > 60)
        return -1;
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    *epoch = (long long)t - off;
    return 0;
}

void cli_iso_format(char out[32], long long epoch)
{
    time_t t = (time_t)epoch;
    struct tm tm;

    if (!gmtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        out[0] = '\0';
}

/* "45s", "12m", "3h 20m", "2d 4h": precise enough to judge freshness. */
void cli_format_duration(char *out, size_t size, long long s)
{
    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf(out, size, "%llds", s);
    else if (s < 3600)
        snprintf(out, size, "%lldm", s / 60);
    else if (s < 86400)
        snprintf(out, size, "%lldh %lldm", s / 3600, s % 3600 / 60);
    else
        snprintf(out, size, "%lldd %lldh", s / 86400, s % 86400 / 3600);
}

void cli_format_age(char *out, size_t size, long long seconds)
{
    char d[32];

    if (seconds < 0) {
        cli_format_duration(d, sizeof d, -seconds);
        snprintf(out, size, "in %s", d);
        return;
    }
    cli_format_duration(d, sizeof d, seconds);
    snprintf(out, size, "%s ago", d);
}

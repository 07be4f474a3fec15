/* Flag parsing shared by every command: the global options (accepted before
 * and after the command name), a command's own options, numbers and entity
 * names. getopt_long does the work; this file names bad flags precisely. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OPT_DB = 1000,
    OPT_CONFIG,
    OPT_ENV_FILE,
    OPT_NOW,
    OPT_VERSION,
    OPT_WAIT,
};

/* A bare --wait: long enough for any nightly run to end, short enough
 * that a wedged one is noticed the same day. */
#define DEFAULT_WAIT_SECONDS 3600
#define MAX_WAIT_SECONDS 86400

static const struct option global_long[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"env-file", required_argument, NULL, OPT_ENV_FILE},
    {"now", required_argument, NULL, OPT_NOW},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"wait", optional_argument, NULL, OPT_WAIT},
};
#define GLOBAL_LONG_COUNT (sizeof global_long / sizeof global_long[0])
#define MAX_LONG_OPTIONS 32

int cli_usage_error(const gs_cli *cli, const char *fmt, ...)
{
    va_list ap;

    if (cli->command)
        fprintf(stderr, "%s %s: ", cli->prog, cli->command);
    else
        fprintf(stderr, "%s: ", cli->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (cli->command)
        fprintf(stderr, "\nTry '%s %s --help'.\n", cli->prog, cli->command);
    else
        fprintf(stderr, "\nTry '%s --help'.\n", cli->prog);
    return GS_EXIT_USAGE;
}

/* The text of the flag getopt just refused. For a long option getopt leaves
 * optopt 0 (or the option's value when it was given an argument it does not
 * take), and the word itself is argv[optind - 1]; for a short one, optopt is
 * the letter, which may sit inside a bundle such as "-qz". */
static void bad_flag_name(char *out, size_t size, char **argv)
{
    const char *word = optind > 0 ? argv[optind - 1] : NULL;

    if (word && strncmp(word, "--", 2) == 0) {
        size_t len = strcspn(word, "=");
        snprintf(out, size, "%.*s", (int)len, word);
    } else if (optopt > 0 && optopt < 256) {
        snprintf(out, size, "-%c", optopt);
    } else {
        snprintf(out, size, "%s", word ? word : "?");
    }
}

static int handle_global(gs_cli *cli, int opt, const char *arg)
{
    switch (opt) {
    case OPT_DB:
        cli->db_path = arg;
        return 1;
    case OPT_CONFIG:
        cli->config_path = arg;
        cli->config_explicit = 1;
        return 1;
    case OPT_ENV_FILE:
        cli->env_file = arg;
        cli->env_file_explicit = 1;
        return 1;
    case OPT_NOW:
        cli->now_text = arg;
        return 1;
    case 'q':
        cli->verbosity = GS_QUIET;
        return 1;
    case 'v':
        cli->verbosity = GS_VERBOSE;
        return 1;
    case 'h':
        cli->show_help = 1;
        return 1;
    case OPT_VERSION:
        cli->show_version = 1;
        return 1;
    case OPT_WAIT:
        cli->wait_text = arg ? arg : "";
        return 1;
    default:
        return 0;
    }
}

static int parse(gs_cli *cli, int *next, int argc, char **argv,
                 const struct option *cmd_long, const char *cmd_short,
                 gs_cli_opt_fn fn, void *ctx, int stop_at_word)
{
    struct option all[MAX_LONG_OPTIONS];
    char optstring[64];
    size_t n = 0;
    int opt;

    for (size_t i = 0; i < GLOBAL_LONG_COUNT; i++)
        all[n++] = global_long[i];
    for (size_t i = 0; cmd_long && cmd_long[i].name; i++) {
        if (n + 1 >= MAX_LONG_OPTIONS)
            break;
        all[n++] = cmd_long[i];
    }
    memset(&all[n], 0, sizeof all[n]);
    /* '+' stops at the command name; ':' makes a missing argument
     * distinguishable from an unknown flag. */
    if ((size_t)snprintf(optstring, sizeof optstring, "%s:hqv%s",
                         stop_at_word ? "+" : "",
                         cmd_short ? cmd_short : "") >= sizeof optstring)
        return cli_usage_error(cli, "internal error: option string too long");

    opterr = 0;
    optind = 0; /* GNU: re-initialise, since main may parse twice */
    while ((opt = getopt_long(argc, argv, optstring, all, NULL)) != -1) {
        char name[64];

        if (opt == '?') {
            bad_flag_name(name, sizeof name, argv);
            /* GNU getopt sets optopt to the option's value when a known
             * long option got "=value" it does not take; 0 when unknown. */
            if (optopt != 0 && strncmp(name, "--", 2) == 0)
                return cli_usage_error(cli, "option '%s' takes no value", name);
            return cli_usage_error(cli, "unknown option '%s'", name);
        }
        if (opt == ':') {
            bad_flag_name(name, sizeof name, argv);
            return cli_usage_error(cli, "option '%s' needs a value", name);
        }
        if (handle_global(cli, opt, optarg))
            continue;
        if (!fn)
            return cli_usage_error(cli, "unexpected option");
        int rc = fn(ctx, cli, opt, optarg);
        if (rc != 0)
            return rc;
    }
    *next = optind;
    return 0;
}

int cli_parse_global_prefix(gs_cli *cli, int *argi, int argc, char **argv)
{
    return parse(cli, argi, argc, argv, NULL, NULL, NULL, NULL, 1);
}

int cli_parse_command(gs_cli *cli, int *first_positional, int argc, char **argv,
                      const struct option *cmd_long, const char *cmd_short,
                      gs_cli_opt_fn fn, void *ctx)
{
    return parse(cli, first_positional, argc, argv, cmd_long, cmd_short, fn,
                 ctx, 0);
}

int cli_parse_long(long *out, const gs_cli *cli, const char *flag,
                   const char *text, long min, long max)
{
    char *end = NULL;
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
        return cli_usage_error(cli,
                               "%s wants a whole number from %ld to %ld, "
                               "not '%s'",
                               flag, min, max, text);
    *out = value;
    return 0;
}

static int entity_names_error(const gs_cli *cli, const char *flag,
                              const char *name, size_t len)
{
    char names[160] = "";
    size_t used = 0;

    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        int w = snprintf(names + used, sizeof names - used, "%s%s",
                         i ? ", " : "", cli_entity_name(i));
        if (w < 0 || (size_t)w >= sizeof names - used)
            break;
        used += (size_t)w;
    }
    return cli_usage_error(cli, "%s%sunknown entity '%.*s' (one of: %s)",
                           flag ? flag : "", flag ? ": " : "", (int)len, name,
                           names);
}

/* "clients,pianos" into bits (1u << gs_entity_id). */
int cli_parse_entity_list(unsigned *mask, const gs_cli *cli, const char *flag,
                          const char *list)
{
    const char *p = list;

    while (*p) {
        size_t len = strcspn(p, ",");
        char name[64];

        if (len == 0 || len >= sizeof name)
            return len == 0 ? cli_usage_error(cli,
                                              "%s: empty entity name in "
                                              "'%s'",
                                              flag ? flag : "entity", list)
                            : entity_names_error(cli, flag, p, len);
        memcpy(name, p, len);
        name[len] = '\0';
        const gs_entity *entity = gs_entity_find(name);
        if (!entity)
            return entity_names_error(cli, flag, p, len);
        *mask |= 1u << entity->id;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

int cli_parse_entities(unsigned *mask, const gs_cli *cli, char **names,
                       int count)
{
    for (int i = 0; i < count; i++) {
        int rc = cli_parse_entity_list(mask, cli, NULL, names[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* Defaults and the environment, after every flag is known: a flag beats the
 * environment, which beats the built-in default. */
int cli_finish_globals(gs_cli *cli)
{
    const char *env;

    if (!cli->db_path) {
        env = getenv("GAZSYNC_DB");
        cli->db_path = env && *env ? env : "./gazsync.db";
    }
    if (!cli->config_path) {
        env = getenv("GAZSYNC_CONFIG");
        if (env && *env) {
            cli->config_path = env;
            cli->config_explicit = 1;
        } else if (file_exists("./gazsync.ini")) {
            cli->config_path = "./gazsync.ini";
        }
    }
    if (!cli->env_file && file_exists("./.env"))
        cli->env_file = "./.env";

    if (cli->wait_text) {
        cli->wait_seconds = DEFAULT_WAIT_SECONDS;
        if (*cli->wait_text &&
            cli_parse_long(&cli->wait_seconds, cli, "--wait", cli->wait_text, 0,
                           MAX_WAIT_SECONDS) != 0)
            return GS_EXIT_USAGE;
    }

    const char *source = "--now";
    if (!cli->now_text) {
        env = getenv("GAZSYNC_NOW");
        if (env && *env) {
            cli->now_text = env;
            source = "GAZSYNC_NOW";
        }
    }
    cli->now[0] = '\0';
    if (cli->now_text) {
        time_t epoch;
        int rc = 0;
        /* A day that does not exist (2026-02-30) is refused, not moved to
         * March; a time too near the year 9999 for the windows, too. */
        if (gs_iso_parse(&epoch, cli->now_text) != GS_OK)
            rc = cli_usage_error(cli,
                                 "%s wants an ISO time like "
                                 "2026-01-21T15:00:00Z (a real day), not '%s'",
                                 source, cli->now_text);
        else if (gs_now_in_range(epoch) != GS_OK)
            rc = cli_usage_error(cli, "%s '%s' is outside %s .. %s", source,
                                 cli->now_text, GS_NOW_MIN, GS_NOW_MAX);
        if (rc != 0)
            return strcmp(source, "--now") == 0 ? rc : GS_EXIT_CONFIG;
        gs_iso_format(cli->now, epoch);
    }
    return 0;
}

int cli_flag_option(void *ctx, gs_cli *cli, int opt, const char *arg)
{
    gs_cli_flags *flags = ctx;

    switch (opt) {
    case OPT_FORCE:
        /* optional_argument: only "--force=LIST" carries a value, so a
         * following word stays a positional entity ("--force users"). */
        if (arg)
            return cli_parse_entity_list(&flags->force_list, cli, "--force",
                                         arg);
        flags->force_all = 1;
        return 0;
    case OPT_FULL:
        flags->full = 1;
        return 0;
    case OPT_DRY_RUN:
        flags->dry_run = 1;
        return 0;
    case OPT_BATCH:
        return cli_parse_long(&flags->batch, cli, "--batch", arg, 1, 100000);
    case OPT_ALL:
        flags->resend_all = 1;
        return 0;
    case OPT_JSON:
        flags->json = 1;
        return 0;
    case OPT_LIMIT:
        return cli_parse_long(&flags->limit, cli, "--limit", arg, 1, 100000);
    default:
        return cli_usage_error(cli, "unexpected option");
    }
}

/* The `gazsync` command-line front end: flags, printing and exit codes, and
 * nothing else. Every decision about what to sync lives in gazsync_core
 * behind include/gazsync/; these files only translate between a shell and
 * that API, the way curl's tool_*.c files sit apart from libcurl.
 *
 * Private to engine/cli/ (these files are not part of gazsync_core). */
#ifndef GS_CLI_H
#define GS_CLI_H

#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "clock.h"
#include "gazsync/gazsync.h"

/* Documented exit codes (--help, docs/gazsync.1, docs/cli.md). Scripts and
 * cron jobs branch on these, so the numbers never change. */
enum {
    GS_EXIT_OK = 0,
    GS_EXIT_FAILURE = 1, /* anything not below */
    GS_EXIT_USAGE = 2,   /* bad flag, argument or entity name */
    GS_EXIT_CONFIG = 3,  /* configuration missing or invalid */
    GS_EXIT_NETWORK = 4, /* network, HTTP status, rate limit, bad answer */
    GS_EXIT_AUTH = 5,    /* credentials rejected */
    GS_EXIT_PARTIAL = 6, /* some entities failed, others synced */
    GS_EXIT_CACHE = 7,   /* SQLite or file-system error on the cache */
    GS_EXIT_BUSY = 8,    /* another run holds the cache (its run lock) */
    /* Stopped by a signal, the shell's 128 + signal number: SIGINT 130,
     * SIGTERM 143. */
    GS_EXIT_SIGNAL_BASE = 128,
};

typedef enum { GS_QUIET = -1, GS_NORMAL = 0, GS_VERBOSE = 1 } gs_verbosity;

/* What the global options say; filled before and after the command name. */
typedef struct {
    const char *prog;        /* "gazsync" */
    const char *command;     /* "pull", ...; NULL before it is known */
    const char *db_path;     /* --db, GAZSYNC_DB, ./gazsync.db */
    const char *config_path; /* --config, GAZSYNC_CONFIG, ./gazsync.ini */
    int config_explicit;     /* named by flag or env: must exist */
    const char *env_file;    /* --env-file, ./.env */
    int env_file_explicit;
    const char *now_text;  /* --now / GAZSYNC_NOW as given */
    char now[32];          /* normalised ISO UTC, "" when the clock */
    const char *wait_text; /* --wait's value; "" for a bare --wait */
    long wait_seconds;     /* for the run lock; 0: do not wait */
    int verbosity;
    int show_help;
    int show_version;
} gs_cli;

/* A command's own flags: called for each option that is not global. Returns
 * 0, or GS_EXIT_USAGE after printing why. */
typedef int (*gs_cli_opt_fn)(void *ctx, gs_cli *cli, int opt, const char *arg);

/* Every command's own flags, in one struct and one callback
 * (cli_flag_option): the commands differ only in which they accept. */
enum {
    OPT_FORCE = 2000,
    OPT_FULL,
    OPT_DRY_RUN,
    OPT_BATCH,
    OPT_JSON,
    OPT_LIMIT,
    OPT_ALL,
};

typedef struct {
    unsigned entities;   /* positional ENTITY names, as bits */
    unsigned force_list; /* --force=a,b */
    int force_all;       /* bare --force */
    int full;
    int dry_run;
    long batch;     /* 0: the config's */
    int resend_all; /* push --all */
    int json;
    long limit;
} gs_cli_flags;

#define GS_ALL_ENTITIES ((1u << GS_ENTITY_COUNT) - 1u)

/* cli_opts.c */
int cli_flag_option(void *flags, gs_cli *cli, int opt, const char *arg);
int cli_parse_global_prefix(gs_cli *cli, int *argi, int argc, char **argv);
int cli_parse_command(gs_cli *cli, int *first_positional, int argc, char **argv,
                      const struct option *cmd_long, const char *cmd_short,
                      gs_cli_opt_fn fn, void *ctx);
int cli_finish_globals(gs_cli *cli);
int cli_usage_error(const gs_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int cli_parse_long(long *out, const gs_cli *cli, const char *flag,
                   const char *text, long min, long max);
/* The start that pull, push and sync share: options, entity names, the
 * config. -1 to go on (cfg is loaded: gs_config_free() it), else the exit
 * code to return (nothing to free). */
int cli_entity_command_start(gs_cli_flags *flags, gs_config *cfg, gs_cli *cli,
                             int argc, char **argv,
                             const struct option *longopts);
int cli_parse_entities(unsigned *mask, const gs_cli *cli, char **names,
                       int count);
int cli_parse_entity_list(unsigned *mask, const gs_cli *cli, const char *flag,
                          const char *list);

/* cli_command.c: the --version line (the library's version and the cache
 * schema). */
void cli_print_version(void);
/* cli_command.c: parses a command's flags, answers --help and --version,
 * applies defaults and the environment. -1 to go on, or an exit code. */
/* cli_env.c: a warning naming @p path and `chmod 600` when group or others
 * may read it (.env, the token file). */
void cli_warn_if_shared(const gs_cli *cli, const char *path, const char *what);
int cli_command_start(gs_cli *cli, int *first_positional, int argc, char **argv,
                      const struct option *cmd_long, gs_cli_opt_fn fn,
                      void *ctx);

/* cli_env.c */
int cli_exit_code(int code);
void cli_error_restore(const gs_error *saved);
double cli_monotonic(void);
int cli_fail(const gs_cli *cli, int code);
int cli_load_config(gs_config *cfg, const gs_cli *cli);
/* How a command opens the cache. */
typedef enum {
    CLI_STORE_READ,         /* status, runs: read-only, must exist, no lock */
    CLI_STORE_RUN,          /* pull, sync: created when missing, run lock */
    CLI_STORE_RUN_EXISTING, /* push: must exist, run lock */
    CLI_STORE_INIT, /* init: created, run lock, adopts any SQLite file */
} cli_store_mode;
int cli_open_store(gs_store **store, const gs_cli *cli, cli_store_mode mode);
const char *cli_now_or_null(const gs_cli *cli);
void cli_clock_now(char out[32], const gs_cli *cli);
void cli_info(const gs_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_verbose(const gs_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_format_age(char *out, size_t size, long long seconds);
const char *cli_entity_name(int id);

/* cli_signal.c: SIGINT and SIGTERM ask the run to stop between pages or
 * batches (cli_cancel, for gs_pull_opts.cancel and gs_push_opts.cancel); a
 * second one ends the process at once. */
extern volatile sig_atomic_t cli_cancel;
void cli_signals_install(void);
/* The exit code of a cancelled run: 128 + the signal's number. */
int cli_signal_exit_code(void);

/* cli_progress.c: the line rewritten in place on a terminal while a pull
 * or a push runs (done/total, rate, ETA). */
typedef struct {
    int tty;                 /* draw it: cli_progress_wanted() */
    int shown;               /* a \r line is on the terminal */
    int width;               /* of the longest line drawn, to blank it */
    const gs_entity *entity; /* the entity the line is about */
    double started;          /* cli_monotonic() at its first report */
    long long rows_at_start; /* rows done at that report */
} cli_progress_line;

/* Whether to draw progress: not --quiet or --json, stdout and stderr both
 * terminals (a log or a pipe gets none), and NO_COLOR unset or empty. */
int cli_progress_wanted(const gs_cli *cli);

/* cli_run.c: the pull and push halves shared by pull, push and sync. */
typedef struct {
    gs_http *http;
    gs_gazelle *gazelle;
    gs_store *store;      /* borrowed */
    const gs_cli *cli;    /* borrowed */
    const gs_config *cfg; /* borrowed */
    int no_credentials;   /* neither token nor API key configured */
    cli_progress_line progress;
    char token_path[4096]; /* where refreshed tokens are kept */
    gs_token_store tokens; /* the saver's context: the file, the env's */
} gs_cli_gazelle;

int cli_gazelle_open(gs_cli_gazelle *gz, gs_store *store, const gs_cli *cli,
                     const gs_config *cfg);
void cli_gazelle_close(gs_cli_gazelle *gz);
void cli_gazelle_hint(const gs_cli_gazelle *gz, const gs_pull_report *report,
                      int rc);
void cli_progress_clear(gs_cli_gazelle *gz);
/* cli_progress.c: gs_pull_opts.progress. On a terminal, a line rewritten
 * in place (done/total, rate, ETA); everywhere, each entity's result line
 * as it finishes. */
void cli_progress(void *ctx, const gs_progress *progress);
/* cli_run.c: a skipped entity's reason and override, in words. */
void cli_skip_words(char *out, size_t size, const gs_entity_report *r,
                    const char *name);
/* cli_progress.c: gs_push_opts.progress, the same for a push; @p ctx is a
 * cli_push_progress. */
typedef struct {
    const gs_cli *cli;
    cli_progress_line line;
    int dry_run;
    unsigned printed; /* bit per entity whose result line is out */
} cli_push_progress;
void cli_push_progress_init(cli_push_progress *pp, const gs_cli *cli,
                            int dry_run);
void cli_push_progress_fn(void *ctx, const gs_push_progress *progress);
void cli_print_pull_entity(const gs_cli *cli, const gs_entity_report *r,
                           const char *name);
int cli_supabase_check(const gs_config *cfg);
/* Checks SUPABASE_URL and the key are set (cli_supabase_check), then
 * creates the transport. */
int cli_supabase_open(gs_http **http, const gs_config *cfg);
void cli_print_pull(const gs_cli *cli, const gs_pull_report *report,
                    double seconds);
/* The push's total, after the line of each entity of @p asked not in
 * @p printed (those cli_push_progress_fn() printed as they finished). */
void cli_print_push(const gs_cli *cli, const gs_push_report *report,
                    unsigned asked, unsigned printed, int dry_run);
void cli_print_push_entity(const gs_cli *cli, const gs_push_entity_report *r,
                           const char *name, int dry_run);

/* cli_sync.c: the flags as each half's opts. */
void cli_pull_opts(gs_pull_opts *opts, const gs_cli_flags *flags,
                   const gs_cli *cli, gs_cli_gazelle *gz);
void cli_push_opts(gs_push_opts *opts, const gs_cli_flags *flags,
                   const gs_cli *cli);
unsigned cli_push_asked(const gs_cli_flags *flags, const gs_config *cfg);

/* cli_sync.c: pull, push and sync: the flags of @p longopts, the clients,
 * gs_sync_run() with the halves asked for, the result in words. Returns the
 * exit code. */
int cli_run_command(gs_cli *cli, int argc, char **argv,
                    const struct option *longopts, const char *command,
                    int pull, int push);
void cli_report_half(const gs_cli *cli, const char *what, int rc,
                     const gs_error *saved);

/* cli_hints.c: after a failed half, a line on what to check (a host that
 * does not resolve or refuses, a Gazelle URL without /graphql/private/). */
void cli_pull_hint(const gs_cli *cli, const gs_config *cfg,
                   const gs_pull_report *report, const gs_error *saved);
void cli_push_hint(const gs_cli *cli, const gs_config *cfg,
                   const gs_push_report *report, const gs_error *saved);

/* cli_json.c: a run's --json report (docs/cli.md, "JSON output"). */
typedef struct {
    const char *command; /* "pull", "push", "sync" */
    int code;            /* the run's gs_code */
    int exit_code;
    long long run_id; /* 0: none (a dry run) */
    double seconds;
    const char *error; /* the run's message; used when code != GS_OK */
    json_t *pull;      /* stolen; NULL for push */
    json_t *push;      /* stolen; NULL for pull */
    int dry_run;
} cli_run_json;
/* Prints it on stdout; GS_EXIT_OK or GS_EXIT_FAILURE when it cannot. */
int cli_print_run_json(const gs_cli *cli, const cli_run_json *run);

/* The commands: each returns an exit code. */
int cmd_init(gs_cli *cli, int argc, char **argv);
int cmd_pull(gs_cli *cli, int argc, char **argv);
int cmd_push(gs_cli *cli, int argc, char **argv);
int cmd_sync(gs_cli *cli, int argc, char **argv);
int cmd_status(gs_cli *cli, int argc, char **argv);
int cmd_runs(gs_cli *cli, int argc, char **argv);
int cmd_doctor(gs_cli *cli, int argc, char **argv);
int cmd_schema(gs_cli *cli, int argc, char **argv);

/* help.c */
void cli_help_main(FILE *out);
int cli_help_command(FILE *out, const char *command);
extern const char cli_global_options_help[];
extern const char cli_exit_codes_help[];

#endif

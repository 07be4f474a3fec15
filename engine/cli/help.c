/* The --help texts. Kept in one file so that they, docs/gazsync.1 and
 * docs/cli.md can be read side by side and kept saying the same thing. */
#include "cli.h"

#include <string.h>

const char cli_global_options_help[] =
    "Global options (before or after the command):\n"
    "  --db PATH         the cache file (env GAZSYNC_DB; default "
    "./gazsync.db)\n"
    "  --config FILE     INI file with policies, batch sizes, time zone\n"
    "                    (env GAZSYNC_CONFIG; default ./gazsync.ini if "
    "present)\n"
    "  --env-file FILE   KEY=value file of credentials (default ./.env if\n"
    "                    present); the process environment wins over it\n"
    "  --now ISO         the clock, for experiments on a simulated one\n"
    "                    (env GAZSYNC_NOW), e.g. 2026-01-21T15:00:00Z; a real\n"
    "                    day from 1970 to 9989\n"
    "  --wait[=SECONDS]  when another run holds the cache, wait for it (bare:\n"
    "                    3600 s, at most 86400) instead of exiting 8\n"
    "  -q, --quiet       print only errors\n"
    "  -v, --verbose     print more detail\n"
    "  -h, --help        this help; 'gazsync COMMAND --help' for a command's\n"
    "  --version         print the version and the cache schema version\n";

const char cli_exit_codes_help[] =
    "Exit codes:\n"
    "  0  ok\n"
    "  1  failure not covered below\n"
    "  2  usage: unknown command, flag, value or entity\n"
    "  3  configuration missing or invalid (names the file, key or variable)\n"
    "  4  network, HTTP status, rate limit or unexpected answer\n"
    "  5  credentials rejected (Gazelle or Supabase)\n"
    "  6  partial failure: some entities failed, the others synced\n"
    "  7  cache error (SQLite or file system; corrupt, full): the run stops\n"
    "  8  the cache is in use by another run (pull, push, sync or init);\n"
    "     --wait waits for it\n"
    "  130, 143  stopped by SIGINT, SIGTERM after the page or batch in\n"
    "     flight; the run is recorded as interrupted\n";

void cli_help_main(FILE *out)
{
    fputs("Usage: gazsync [OPTIONS] COMMAND [ARGS...]\n"
          "\n"
          "Mirror a Gazelle account into a local SQLite cache (pull) and the\n"
          "cache into Supabase (push), calling each API only for what "
          "changed.\n"
          "\n"
          "Commands:\n"
          "  init     create the cache file (mode 0600) and print its schema\n"
          "  pull     Gazelle -> cache, per-entity policies decide locally\n"
          "  push     cache -> Supabase, only rows changed since the last "
          "push\n"
          "  sync     pull, then push, in one run\n"
          "  status   per entity: rows, last success, policy, next decision,\n"
          "           API calls, push backlog\n"
          "  runs     the run log (sync_runs)\n"
          "  doctor   check the set-up (config, cache, Gazelle, Supabase)\n"
          "           without changing anything\n"
          "  schema   print the Supabase SQL this gazsync expects\n"
          "  help     'gazsync help COMMAND' is 'gazsync COMMAND --help'\n"
          "\n"
          "Entities: users, clients, contacts, pianos, appointments,\n"
          "timeline_entries.\n"
          "\n",
          out);
    fputs(cli_global_options_help, out);
    fputs("\nEnvironment (or the .env file): GAZELLE_API_URL, "
          "GAZELLE_ACCESS_TOKEN\nor GAZELLE_API_KEY, GAZELLE_REFRESH_TOKEN, "
          "GAZELLE_CLIENT_ID,\nGAZELLE_CLIENT_SECRET (pull); SUPABASE_URL, "
          "SUPABASE_SERVICE_ROLE_KEY\n(push).\n\n",
          out);
    fputs(cli_exit_codes_help, out);
    fputs("\nSee gazsync(1) and docs/cli.md.\n", out);
}

static const char help_init[] =
    "Usage: gazsync init [OPTIONS]\n"
    "\n"
    "Create the cache (or migrate an existing one to this build's schema) and\n"
    "print its path, schema version and file mode (0600: it holds the\n"
    "business's data). Needs no credentials and makes no network call.\n"
    "init also turns an existing SQLite file that is not a gazsync cache into\n"
    "one (other commands refuse such a file and leave it untouched).\n";

static const char help_pull[] =
    "Usage: gazsync pull [ENTITY...] [--force[=ENTITY,...]] [--full] "
    "[--json]\n"
    "                    [OPTIONS]\n"
    "\n"
    "Read Gazelle into the cache. Each entity's policy (from the config)\n"
    "decides locally whether to call Gazelle at all: users are read only\n"
    "when the table is empty, clients and pianos by delta since the\n"
    "high-water mark, appointments in a date window, timeline entries since\n"
    "the last one. No ENTITY means every enabled entity.\n"
    "\n"
    "  --force             ignore the policy of the named entities (all when\n"
    "                      none is named): 'gazsync pull --force users'\n"
    "  --force=E1,E2       ignore the policy of E1 and E2 (and pull them)\n"
    "  --full              re-read everything, marking rows that no longer\n"
    "                      come back as deleted\n"
    "  --json              print the run's report as one JSON document on\n"
    "                      stdout (docs/cli.md, \"JSON output\")\n"
    "\n"
    "A bare --force never takes the next word as its value: '--force users'\n"
    "is '--force' plus the entity 'users', which forces users alone.\n"
    "Prints one line per entity (pulled, skipped and why, FAILED) as each\n"
    "finishes, and a total; on a terminal (not with NO_COLOR), a progress\n"
    "line on stderr while pages arrive (rows done of Gazelle's total, rate,\n"
    "time left).\n"
    "One pull, push or sync per cache at a time (the lock <cache>.lock):\n"
    "another exits 8 at once, or waits with --wait. Tokens Gazelle refreshes\n"
    "are kept in <cache>.tokens (mode 0600; $GAZSYNC_TOKEN_FILE), never in\n"
    "the cache.\n";

static const char help_push[] =
    "Usage: gazsync push [ENTITY...] [--dry-run] [--batch N] [--all] "
    "[--json]\n"
    "                    [OPTIONS]\n"
    "\n"
    "Send each entity's backlog (rows changed since its last accepted push)\n"
    "to Supabase as bulk upserts of the columns gazsync owns. With nothing\n"
    "pending, no request is made. Rows Supabase refuses are quarantined in\n"
    "push_failures and retried on later pushes.\n"
    "Needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (not --dry-run).\n"
    "\n"
    "  --dry-run           show what would be sent; send and record nothing\n"
    "                      (reads only the cache)\n"
    "  --batch N           rows per request (1..100000; default from the\n"
    "                      config, 500)\n"
    "  --all               send every row, live and deleted, not only the\n"
    "                      backlog (a full re-send; costs one request per\n"
    "                      batch of the whole cache)\n"
    "  --json              print the run's report as one JSON document on\n"
    "                      stdout (docs/cli.md, \"JSON output\")\n"
    "\n"
    "Prints one line per entity as each finishes, and a total; on a terminal\n"
    "(not with NO_COLOR), a progress line on stderr after each batch (rows\n"
    "sent of the backlog, rate, time left).\n";

static const char help_sync[] =
    "Usage: gazsync sync [ENTITY...] [--force[=ENTITY,...]] [--full] "
    "[--dry-run]\n"
    "                    [--batch N] [--all] [--json] [OPTIONS]\n"
    "\n"
    "Pull, then push, recorded as one run. The push runs even when some\n"
    "entities failed to pull: the cache is consistent page by page, so what\n"
    "it holds is pushed. Flags as for pull and push; --dry-run applies to\n"
    "the push half only. Exit code 6 when some entities failed; when a\n"
    "whole half failed (every entity of the pull, say, for expired\n"
    "credentials), that half's own code (5 in that case).\n"
    "Needs the Gazelle variables and SUPABASE_URL and\n"
    "SUPABASE_SERVICE_ROLE_KEY.\n"
    "\n"
    "  --json              print the run's report as one JSON document on\n"
    "                      stdout (docs/cli.md, \"JSON output\")\n";

static const char help_status[] =
    "Usage: gazsync status [--json] [OPTIONS]\n"
    "\n"
    "Per entity: live rows, last success and its age, policy, what the next\n"
    "pull will do and why, Gazelle calls (last run, total), rows waiting to\n"
    "be pushed and rows quarantined. Reads only the cache and the config:\n"
    "no network call, no lock, and a read-only cache (0400) is fine.\n"
    "\n"
    "  --json              print the cache's status as JSON (age_s from\n"
    "                      --now when given)\n";

static const char help_runs[] =
    "Usage: gazsync runs [--json] [--limit N] [OPTIONS]\n"
    "\n"
    "The run log (sync_runs), newest first: command, status, duration,\n"
    "Gazelle and Supabase requests, rows in, changed and pushed, error.\n"
    "\n"
    "  --json              print the runs as a JSON array\n"
    "  --limit N           how many runs (1..100000; default 20)\n";

static const char help_doctor[] =
    "Usage: gazsync doctor [OPTIONS]\n"
    "\n"
    "Check everything a night needs and print, per check, ok, PROBLEM with\n"
    "a fix, or skipped: the config and .env (and their modes), the token\n"
    "file, the cache (mode, run lock, schema version, integrity), Gazelle\n"
    "(reachable, credentials accepted, one small query), Supabase\n"
    "(reachable, key accepted, every target table and column present) and,\n"
    "when SUPABASE_ANON_KEY is set, that the public anon key reads nothing\n"
    "(row-level security on). Changes nothing (tokens Gazelle rotates on a\n"
    "refresh are saved, as a run would). Exit 0 only when every check\n"
    "passed, else the exit code of the first problem.\n";

static const char help_schema[] =
    "Usage: gazsync schema [OPTIONS]\n"
    "\n"
    "Print the Supabase SQL this gazsync expects (tables, columns, indexes,\n"
    "row-level security), the same file as share/gazsync/supabase.sql.\n"
    "Apply it with 'gazsync schema | psql \"$DATABASE_URL\"' or in\n"
    "Supabase's SQL editor; applying it again only adds what is missing.\n";

static const struct {
    const char *name;
    const char *text;
} command_help[] = {
    {"init", help_init},     {"pull", help_pull},     {"push", help_push},
    {"sync", help_sync},     {"status", help_status}, {"runs", help_runs},
    {"doctor", help_doctor}, {"schema", help_schema},
};

/* Prints @p command's help; -1 when there is no such command. */
int cli_help_command(FILE *out, const char *command)
{
    for (size_t i = 0; i < sizeof command_help / sizeof command_help[0]; i++) {
        if (strcmp(command_help[i].name, command) == 0) {
            fputs(command_help[i].text, out);
            fputc('\n', out);
            fputs(cli_global_options_help, out);
            fputc('\n', out);
            fputs(cli_exit_codes_help, out);
            return 0;
        }
    }
    return -1;
}

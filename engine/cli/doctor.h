/* gazsync doctor (cmd_doctor.c, cli_doctor_report.c, doctor_local.c,
 * doctor_remote.c): every check a night needs, each printed as it finishes with
 * what is wrong and how to fix it. Nothing is changed: files are stat()ed and
 * read, the cache opened read-only, the run lock only tried, Gazelle and
 * Supabase only read. The one exception is Gazelle's: a refresh Gazelle makes
 * rotates the refresh token, and the new one is saved to the token file as a
 * run would, or the next run would be locked out. */
#ifndef GS_CLI_DOCTOR_H
#define GS_CLI_DOCTOR_H

#include "cli.h"

typedef struct {
    const gs_cli *cli;
    int checks;
    int problems;
    int skipped;
    int exit_code; /* the first problem's; GS_EXIT_OK when none */
} gs_doctor;

/* One line per check: "ok", "PROBLEM" (with a "fix:" line) or "skipped". */
void cli_doctor_ok(gs_doctor *d, const char *area, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cli_doctor_problem(gs_doctor *d, const char *area, int exit_code,
                        const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void cli_doctor_skip(gs_doctor *d, const char *area, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* doctor_local.c. cli_doctor_config() returns 1 when cfg was loaded (then
 * gs_config_free() it). */
int cli_doctor_config(gs_doctor *d, gs_config *cfg);
void cli_doctor_settings(gs_doctor *d, const gs_config *cfg);
void cli_doctor_cache(gs_doctor *d);

/* doctor_remote.c */
void cli_doctor_gazelle(gs_doctor *d, const gs_config *cfg);
void cli_doctor_supabase(gs_doctor *d, const gs_config *cfg);

#endif

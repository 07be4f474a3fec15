/* gazsync doctor: checks a set-up before its first night (doctor.h). Exit
 * 0 only when every check passed; otherwise the exit code of the first
 * problem (3 config, 4 network, 5 credentials, 7 cache, 8 lock held). */
#include "doctor.h"

#include <stdarg.h>
#include <string.h>

#define AREA_WIDTH 9

static void print_line(const char *status, const char *area, const char *fmt,
                       va_list ap)
{
    printf("%-8s %-*s ", status, AREA_WIDTH, area);
    vprintf(fmt, ap);
    printf("\n");
    /* A cron log or a pipe shows each check as it finishes, not at exit. */
    fflush(stdout);
}

void doctor_ok(gs_doctor *d, const char *area, const char *fmt, ...)
{
    va_list ap;

    d->checks++;
    if (d->cli->verbosity < GS_NORMAL)
        return;
    va_start(ap, fmt);
    print_line("ok", area, fmt, ap);
    va_end(ap);
}

void doctor_problem(gs_doctor *d, const char *area, int exit_code,
                    const char *fix, const char *fmt, ...)
{
    va_list ap;

    d->checks++;
    d->problems++;
    if (d->exit_code == GS_EXIT_OK)
        d->exit_code = exit_code;
    va_start(ap, fmt);
    print_line("PROBLEM", area, fmt, ap);
    va_end(ap);
    if (fix && *fix)
        printf("%-8s %-*s fix: %s\n", "", AREA_WIDTH, "", fix);
}

void doctor_skip(gs_doctor *d, const char *area, const char *fmt, ...)
{
    va_list ap;

    d->skipped++;
    if (d->cli->verbosity < GS_NORMAL)
        return;
    va_start(ap, fmt);
    print_line("skipped", area, fmt, ap);
    va_end(ap);
}

int cmd_doctor(gs_cli *cli, int argc, char **argv)
{
    static const struct option doctor_long[] = {{NULL, 0, NULL, 0}};
    gs_doctor d;
    gs_config cfg;
    int first = 0, loaded;
    int rc =
        cli_command_start(cli, &first, argc, argv, doctor_long, NULL, NULL);

    if (rc >= 0)
        return rc;
    if (first < argc)
        return cli_usage_error(cli, "doctor takes no arguments ('%s')",
                               argv[first]);
    memset(&d, 0, sizeof d);
    d.cli = cli;
    loaded = doctor_config(&d, &cfg);
    if (loaded)
        doctor_settings(&d, &cfg);
    doctor_cache(&d);
    if (loaded) {
        doctor_gazelle(&d, &cfg);
        doctor_supabase(&d, &cfg);
        gs_config_free(&cfg);
    } else {
        doctor_skip(&d, "gazelle", "the configuration did not load");
        doctor_skip(&d, "supabase", "the configuration did not load");
    }
    if (d.problems)
        printf("%d problem%s in %d checks; fix %s and run '%s doctor' "
               "again\n",
               d.problems, d.problems == 1 ? "" : "s", d.checks,
               d.problems == 1 ? "it" : "them", cli->prog);
    else
        cli_info(cli, "all %d checks passed%s\n", d.checks,
                 d.skipped ? " (some skipped, see above)" : "");
    return d.exit_code;
}

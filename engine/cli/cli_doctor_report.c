/* doctor's lines: "ok", "PROBLEM" with its "fix:" line, "skipped", each
 * flushed as it is printed (doctor.h). */
#include "doctor.h"

#include <stdarg.h>

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

void cli_doctor_ok(gs_doctor *d, const char *area, const char *fmt, ...)
{
    va_list ap;

    d->checks++;
    if (d->cli->verbosity < GS_NORMAL)
        return;
    va_start(ap, fmt);
    print_line("ok", area, fmt, ap);
    va_end(ap);
}

void cli_doctor_problem(gs_doctor *d, const char *area, int exit_code,
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

void cli_doctor_skip(gs_doctor *d, const char *area, const char *fmt, ...)
{
    va_list ap;

    d->skipped++;
    if (d->cli->verbosity < GS_NORMAL)
        return;
    va_start(ap, fmt);
    print_line("skipped", area, fmt, ap);
    va_end(ap);
}

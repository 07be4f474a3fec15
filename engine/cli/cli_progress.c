/* Progress of a pull. On a terminal (stderr, not --quiet) one line is
 * rewritten in place with "\r" and spaces, never an ANSI escape (so
 * NO_COLOR and dumb terminals get plain text): the entity, its page, rows
 * done of the total Gazelle announced (totalCount), the rate and an ETA.
 * When an entity is done its result line goes to stdout at once, on a
 * terminal or not, so that the log of a run killed half-way shows what was
 * finished. Nothing of the rewritten line reaches a file or a pipe. */
#include "cli.h"

#include <string.h>

void cli_progress_clear(gs_cli_gazelle *gz)
{
    if (!gz->progress_shown)
        return;
    fprintf(stderr, "\r%*s\r", gz->progress_width, "");
    fflush(stderr);
    gz->progress_shown = 0;
    gz->progress_width = 0;
}

/* "  ETA 1m 05s" from rows left and the rate; "" when not known. */
static void format_eta(char *out, size_t size, long long left, double rate)
{
    char d[32];

    out[0] = '\0';
    if (rate <= 0 || left < 0)
        return;
    gs_duration_format(d, sizeof d, (long long)((double)left / rate + 0.5));
    snprintf(out, size, "  ETA %s", d);
}

static void show_line(gs_cli_gazelle *gz, const gs_progress *p)
{
    double now = cli_monotonic(), elapsed, rate;
    char done[64], eta[48] = "", line[192];
    int len;

    if (p->entity != gz->progress_entity) {
        gz->progress_entity = p->entity;
        gz->progress_started = now;
    }
    elapsed = now - gz->progress_started;
    rate = elapsed > 0.05 ? (double)p->rows / elapsed : 0;
    if (p->total >= 0) {
        long long shown_total = p->total > p->rows ? p->total : p->rows;
        snprintf(done, sizeof done, "%lld/%lld rows (%d%%)", p->rows,
                 shown_total,
                 shown_total ? (int)(100 * p->rows / shown_total) : 100);
        format_eta(eta, sizeof eta, shown_total - p->rows, rate);
    } else {
        snprintf(done, sizeof done, "%lld rows", p->rows);
    }
    len =
        snprintf(line, sizeof line, "  %-16s page %ld  %s  %.0f rows/s%s",
                 p->entity ? p->entity->name : "?", p->pages, done, rate, eta);
    if (len < 0)
        return;
    if ((size_t)len >= sizeof line)
        len = (int)sizeof line - 1;
    fprintf(stderr, "\r%s%*s", line,
            gz->progress_width > len ? gz->progress_width - len : 0, "");
    fflush(stderr);
    gz->progress_shown = 1;
    if (len > gz->progress_width)
        gz->progress_width = len;
}

void cli_progress(void *ctx, const gs_progress *progress)
{
    gs_cli_gazelle *gz = ctx;

    if (progress->finished) {
        cli_progress_clear(gz);
        gz->progress_entity = NULL;
        cli_print_pull_entity(gz->cli, progress->finished,
                              progress->entity ? progress->entity->name : "?");
        fflush(stdout);
        return;
    }
    if (gz->progress_tty)
        show_line(gz, progress);
}

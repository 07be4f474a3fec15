/* Progress of a pull or a push. On a terminal (stdout and stderr both, not
 * --quiet, NO_COLOR unset) one line on stderr is rewritten in place with
 * "\r" and spaces, never an ANSI escape (so dumb terminals get plain text):
 * the entity, its page or batch, rows done of the total (Gazelle's
 * totalCount for a pull, the backlog counted before the first batch for a
 * push), the rate and an ETA. When an entity is done its result line goes
 * to stdout at once, on a terminal or not, so that the log of a run killed
 * half-way shows what was finished. Nothing of the rewritten line reaches
 * a file or a pipe. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_progress_wanted(const gs_cli *cli)
{
    const char *no_color = getenv("NO_COLOR");

    /* no-color.org: set to anything but the empty string. A rewritten line
     * is the only decoration gazsync has, so NO_COLOR turns it off. */
    if (no_color && *no_color)
        return 0;
    return cli->verbosity >= GS_NORMAL && isatty(STDOUT_FILENO) &&
           isatty(STDERR_FILENO);
}

static void line_clear(cli_progress_line *line)
{
    if (!line->shown)
        return;
    fprintf(stderr, "\r%*s\r", line->width, "");
    fflush(stderr);
    line->shown = 0;
    line->width = 0;
}

void cli_progress_clear(gs_cli_gazelle *gz)
{
    line_clear(&gz->progress);
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

/* "  pianos           batch 3  1500/4000 rows (37%)  420 rows/s  ETA 6s".
 * The rate counts the rows since the entity's first report, over the time
 * since then; @p total < 0: not known (no percentage, no ETA). */
static void line_show(cli_progress_line *line, const gs_entity *entity,
                      const char *step, long long steps, long long rows,
                      long long total)
{
    double now = cli_monotonic(), elapsed, rate;
    char done[64], eta[48] = "", text[192];
    int len;

    if (entity != line->entity) {
        line->entity = entity;
        line->started = now;
        line->rows_at_start = rows;
    }
    elapsed = now - line->started;
    rate = elapsed > 0.05 ? (double)(rows - line->rows_at_start) / elapsed : 0;
    if (total >= 0) {
        long long shown_total = total > rows ? total : rows;
        snprintf(done, sizeof done, "%lld/%lld rows (%d%%)", rows, shown_total,
                 shown_total ? (int)(100 * rows / shown_total) : 100);
        format_eta(eta, sizeof eta, shown_total - rows, rate);
    } else {
        snprintf(done, sizeof done, "%lld rows", rows);
    }
    len = snprintf(text, sizeof text, "  %-16s %s %lld  %s  %.0f rows/s%s",
                   entity ? entity->name : "?", step, steps, done, rate, eta);
    if (len < 0)
        return;
    if ((size_t)len >= sizeof text)
        len = (int)sizeof text - 1;
    fprintf(stderr, "\r%s%*s", text, line->width > len ? line->width - len : 0,
            "");
    fflush(stderr);
    line->shown = 1;
    if (len > line->width)
        line->width = len;
}

void cli_progress(void *ctx, const gs_progress *progress)
{
    gs_cli_gazelle *gz = ctx;

    if (progress->finished) {
        line_clear(&gz->progress);
        gz->progress.entity = NULL;
        cli_print_pull_entity(gz->cli, progress->finished,
                              progress->entity ? progress->entity->name : "?");
        fflush(stdout);
        return;
    }
    if (gz->progress.tty)
        line_show(&gz->progress, progress->entity, "page", progress->pages,
                  progress->rows, progress->total);
}

void cli_push_progress_init(cli_push_progress *pp, const gs_cli *cli,
                            int dry_run)
{
    memset(pp, 0, sizeof *pp);
    pp->cli = cli;
    pp->dry_run = dry_run;
    pp->line.tty = cli_progress_wanted(cli);
}

void cli_push_progress_fn(void *ctx, const gs_push_progress *progress)
{
    cli_push_progress *pp = ctx;
    const char *name = progress->entity ? progress->entity->name : "?";

    if (progress->finished) {
        line_clear(&pp->line);
        pp->line.entity = NULL;
        cli_print_push_entity(pp->cli, progress->finished, name, pp->dry_run);
        fflush(stdout);
        if (progress->entity)
            pp->printed |= 1u << progress->entity->id;
        return;
    }
    if (pp->line.tty)
        line_show(&pp->line, progress->entity, "batch", progress->batches,
                  progress->rows, progress->total);
}

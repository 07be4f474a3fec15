/* SIGINT and SIGTERM during a run: the first asks the library to stop at
 * the next boundary (a page stored with its checkpoint, a batch recorded),
 * so the run is logged "interrupted" and the next one resumes; a second
 * ends the process at once (SQLite's journal keeps the file whole). */
#include "cli.h"

#include <string.h>
#include <unistd.h>

volatile sig_atomic_t cli_cancel;
static volatile sig_atomic_t cancel_signal;

static void on_signal(int sig)
{
    if (cli_cancel)
        _exit(GS_EXIT_SIGNAL_BASE + sig);
    cancel_signal = sig;
    cli_cancel = 1;
    /* Said at once, so that nobody presses Ctrl-C again thinking nothing
     * happened. write(2): printf is not safe in a handler. */
    static const char said[] =
        "\ngazsync: stopping after the page or batch in flight (the run is "
        "recorded as interrupted; the next one resumes); signal again to "
        "stop at once\n";
    ssize_t ignored = write(STDERR_FILENO, said, sizeof said - 1);
    (void)ignored;
}

void cli_signals_install(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* SA_RESTART: a read or a poll in flight goes on (curl retries its
     * EINTR anyway); the flag is looked at between pages. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_signal_exit_code(void)
{
    return GS_EXIT_SIGNAL_BASE + (cancel_signal ? cancel_signal : SIGINT);
}

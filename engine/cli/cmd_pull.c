/* gazsync pull: the pull half of gs_sync_run() (cli_sync.c), one line per
 * entity. Which entity to call Gazelle for is the library's call. */
#include "cli.h"

static const struct option pull_long[] = {
    {"force", optional_argument, NULL, OPT_FORCE},
    {"full", no_argument, NULL, OPT_FULL},
    {"json", no_argument, NULL, OPT_JSON},
    {NULL, 0, NULL, 0},
};

int cmd_pull(gs_cli *cli, int argc, char **argv)
{
    return cli_run_command(cli, argc, argv, pull_long, "pull", 1, 0);
}

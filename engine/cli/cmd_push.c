/* gazsync push: the push half of gs_sync_run() (cli_sync.c), one line per
 * entity. What is pending and how it is batched is the library's. */
#include "cli.h"

static const struct option push_long[] = {
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"all", no_argument, NULL, OPT_ALL},
    {"json", no_argument, NULL, OPT_JSON},
    {NULL, 0, NULL, 0},
};

int cmd_push(gs_cli *cli, int argc, char **argv)
{
    return cli_run_command(cli, argc, argv, push_long, "push", 0, 1);
}

/* gazsync sync: pull, then push, as one run in the log (gs_sync_run()). */
#include "cli.h"

static const struct option sync_long[] = {
    {"force", optional_argument, NULL, OPT_FORCE},
    {"full", no_argument, NULL, OPT_FULL},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"all", no_argument, NULL, OPT_ALL},
    {"json", no_argument, NULL, OPT_JSON},
    {NULL, 0, NULL, 0},
};

int cmd_sync(gs_cli *cli, int argc, char **argv)
{
    return cli_run_command(cli, argc, argv, sync_long, "sync", 1, 1);
}

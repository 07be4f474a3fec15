/* gazsync init: create (or migrate) the cache and say what it is. */
#include "cli.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct option init_long[] = {
    {NULL, 0, NULL, 0},
};

int cmd_init(gs_cli *cli, int argc, char **argv)
{
    gs_store *store = NULL;
    struct stat st;
    int first, existed, exit_code;

    exit_code =
        cli_command_start(cli, &first, argc, argv, init_long, NULL, NULL);
    if (exit_code >= 0)
        return exit_code;
    if (first < argc)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[first]);

    existed = access(cli->db_path, F_OK) == 0;
    exit_code = cli_open_store(&store, cli, CLI_STORE_INIT);
    if (exit_code != 0)
        return exit_code;
    gs_store_close(store);

    if (stat(cli->db_path, &st) != 0) {
        gs_error_set(GS_EIO, GS_ECLASS_OS, "%s: cannot stat the cache",
                     cli->db_path);
        return cli_fail(cli, GS_EIO);
    }
    cli_info(cli, "%s %s\n", existed ? "cache" : "created", cli->db_path);
    cli_info(cli, "schema  %d\n", gs_store_schema_version());
    cli_info(cli, "mode    %04o\n", (unsigned)(st.st_mode & 07777));
    if ((st.st_mode & 077) != 0)
        fprintf(stderr,
                "%s: warning: %s is readable by others (mode %04o); it "
                "holds the business's clients: chmod 600 it\n",
                cli->prog, cli->db_path, (unsigned)(st.st_mode & 07777));
    return GS_EXIT_OK;
}

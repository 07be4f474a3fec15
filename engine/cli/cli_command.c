/* The common head of every command: its own flags together with the global
 * ones, --help, --version, then the defaults and environment. Apart from
 * main.c so that the option parser (cli_opts.c) and main() both call down
 * to it, not into each other. */
#include "cli.h"

#include <string.h>

void cli_print_version(void)
{
    printf("gazsync %s (cache schema %d)\n", gs_version(),
           gs_store_schema_version());
}

/* Returns -1 to go on, or an exit code. */
int cli_command_start(gs_cli *cli, int *first_positional, int argc, char **argv,
                      const struct option *cmd_long, gs_cli_opt_fn fn,
                      void *ctx)
{
    int rc = cli_parse_command(cli, first_positional, argc, argv, cmd_long,
                               NULL, fn, ctx);
    if (rc != 0)
        return rc;
    if (cli->show_help) {
        cli_help_command(stdout, cli->command);
        return GS_EXIT_OK;
    }
    if (cli->show_version) {
        cli_print_version();
        return GS_EXIT_OK;
    }
    rc = cli_finish_globals(cli);
    if (rc != 0)
        return rc;
    return -1;
}

int cli_entity_command_start(gs_cli_flags *flags, gs_config *cfg, gs_cli *cli,
                             int argc, char **argv,
                             const struct option *longopts)
{
    int first, exit_code;

    memset(flags, 0, sizeof *flags);
    exit_code = cli_command_start(cli, &first, argc, argv, longopts,
                                  cli_flag_option, flags);
    if (exit_code >= 0)
        return exit_code;
    exit_code =
        cli_parse_entities(&flags->entities, cli, argv + first, argc - first);
    if (exit_code == 0)
        exit_code = cli_load_config(cfg, cli);
    return exit_code != 0 ? exit_code : -1;
}

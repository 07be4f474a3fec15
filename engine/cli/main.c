/* gazsync's main(): global options, then the command. Each command parses
 * its own flags again together with the global ones, so that
 * `gazsync --db x pull` and `gazsync pull --db x` mean the same. */
#include "cli.h"

#include <string.h>

static const struct {
    const char *name;
    int (*run)(gs_cli *cli, int argc, char **argv);
} commands[] = {
    {"init", cmd_init},     {"pull", cmd_pull},     {"push", cmd_push},
    {"sync", cmd_sync},     {"status", cmd_status}, {"runs", cmd_runs},
    {"doctor", cmd_doctor}, {"schema", cmd_schema},
};

int main(int argc, char **argv)
{
    gs_cli cli;
    int argi = 1;
    int rc;

    memset(&cli, 0, sizeof cli);
    cli.prog = "gazsync";
    rc = cli_parse_global_prefix(&cli, &argi, argc, argv);
    if (rc != 0)
        return rc;
    if (cli.show_version) {
        cli_print_version();
        return GS_EXIT_OK;
    }
    if (argi >= argc) {
        if (cli.show_help) {
            cli_help_main(stdout);
            return GS_EXIT_OK;
        }
        cli_help_main(stderr);
        return GS_EXIT_USAGE;
    }

    const char *name = argv[argi];
    if (strcmp(name, "help") == 0) {
        const char *topic = argi + 1 < argc ? argv[argi + 1] : NULL;
        /* `help --help`, `help -h` and `help help` are asking about help
         * itself, whose help is the main one. */
        if (!topic || strcmp(topic, "--help") == 0 ||
            strcmp(topic, "-h") == 0 || strcmp(topic, "help") == 0) {
            cli_help_main(stdout);
            return GS_EXIT_OK;
        }
        if (cli_help_command(stdout, argv[argi + 1]) != 0)
            return cli_usage_error(&cli, "unknown command '%s'",
                                   argv[argi + 1]);
        return GS_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            cli.command = commands[i].name;
            if (cli.show_help) {
                cli_help_command(stdout, name);
                return GS_EXIT_OK;
            }
            return commands[i].run(&cli, argc - argi, argv + argi);
        }
    }
    return cli_usage_error(&cli,
                           "unknown command '%s' (init, pull, push, "
                           "sync, status, runs, doctor, schema)",
                           name);
}

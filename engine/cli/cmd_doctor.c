/* gazsync doctor: checks a set-up before its first night (doctor.h). Exit
 * 0 only when every check passed; otherwise the exit code of the first
 * problem (3 config, 4 network, 5 credentials, 7 cache, 8 lock held). */
#include "doctor.h"

#include <string.h>

int cmd_doctor(gs_cli *cli, int argc, char **argv)
{
    static const struct option doctor_long[] = {{NULL, 0, NULL, 0}};
    gs_doctor d;
    gs_config cfg;
    int first = 0, loaded;
    int rc =
        cli_command_start(cli, &first, argc, argv, doctor_long, NULL, NULL);

    if (rc >= 0)
        return rc;
    if (first < argc)
        return cli_usage_error(cli, "doctor takes no arguments ('%s')",
                               argv[first]);
    memset(&d, 0, sizeof d);
    d.cli = cli;
    loaded = cli_doctor_config(&d, &cfg);
    if (loaded)
        cli_doctor_settings(&d, &cfg);
    cli_doctor_cache(&d);
    if (loaded) {
        cli_doctor_gazelle(&d, &cfg);
        cli_doctor_supabase(&d, &cfg);
        gs_config_free(&cfg);
    } else {
        cli_doctor_skip(&d, "gazelle", "the configuration did not load");
        cli_doctor_skip(&d, "supabase", "the configuration did not load");
    }
    if (d.problems)
        printf("%d problem%s in %d checks; fix %s and run '%s doctor' "
               "again\n",
               d.problems, d.problems == 1 ? "" : "s", d.checks,
               d.problems == 1 ? "it" : "them", cli->prog);
    else
        cli_info(cli, "all %d checks passed%s\n", d.checks,
                 d.skipped ? " (some skipped, see above)" : "");
    return d.exit_code;
}

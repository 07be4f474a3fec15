/* gazsync schema: the Supabase SQL this binary pushes to, as it was built
 * (schema/supabase.sql embedded by CMake; the install puts the same file in
 * share/gazsync/). `gazsync schema | psql "$DATABASE_URL"`, or pasted into
 * Supabase's SQL editor, is the set-up; applying it again changes nothing
 * it does not need to. */
#include "cli.h"

#include <stddef.h>

/* supabase_sql.c, generated at build time (CMakeLists.txt). */
extern const char gs_supabase_sql[];
extern const size_t gs_supabase_sql_len;

int cmd_schema(gs_cli *cli, int argc, char **argv)
{
    static const struct option schema_long[] = {{NULL, 0, NULL, 0}};
    int first = 0;
    int rc =
        cli_command_start(cli, &first, argc, argv, schema_long, NULL, NULL);

    if (rc >= 0)
        return rc;
    if (first < argc)
        return cli_usage_error(cli, "schema takes no arguments ('%s')",
                               argv[first]);
    if (fwrite(gs_supabase_sql, 1, gs_supabase_sql_len, stdout) !=
            gs_supabase_sql_len ||
        fflush(stdout) != 0) {
        fprintf(stderr, "%s: cannot write the schema to stdout\n", cli->prog);
        return GS_EXIT_FAILURE;
    }
    return GS_EXIT_OK;
}

/* The CLI's side of the token store (include/gazsync/tokens.h): where the
 * file is. Choosing, reading and saving tokens is the library's. */
#ifndef GS_CLI_TOKENS_H
#define GS_CLI_TOKENS_H

#include "cli.h"

/* cli_run.c: $GAZSYNC_TOKEN_FILE, else "<cache>.tokens". */
int cli_token_path(char *out, size_t size, const gs_cli *cli);

#endif

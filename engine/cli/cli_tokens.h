/* The token file (cli_tokens.c): refreshed OAuth tokens out of the cache. */
#ifndef GS_CLI_TOKENS_H
#define GS_CLI_TOKENS_H

#include "cli.h"

typedef struct {
    char *access; /* NULL when absent */
    char *refresh;
    char *fingerprint; /* of the environment's credentials they replace */
} cli_tokens;

/* $GAZSYNC_TOKEN_FILE, else "<cache>.tokens". */
int cli_token_path(char *out, size_t size, const gs_cli *cli);
/* A missing file reads as no tokens. Warns when the file is not private. */
int cli_tokens_read(cli_tokens *out, const gs_cli *cli, const char *path);
/* Replaces the file atomically with a 0600 one. */
int cli_tokens_write(const char *path, const cli_tokens *tokens);
/* Moves tokens an older gazsync kept in the cache's meta to the file. */
int cli_tokens_migrate(gs_store *store, const gs_cli *cli, const char *path);
/* Wipes and frees the strings. */
void cli_tokens_free(cli_tokens *tokens);

#endif

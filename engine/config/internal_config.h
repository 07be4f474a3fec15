/* Private to the configuration files (config.c, config_ini.c, dotenv.c). */
#ifndef GS_INTERNAL_CONFIG_H
#define GS_INTERNAL_CONFIG_H

#include <stddef.h>

#include "gazsync/config.h"

/* The KEY=VALUE pairs of a .env file, in file order. */
typedef struct {
    char **keys;
    char **values;
    int *lines;
    size_t n;
} gs__dotenv;

/* Reads @p path; a missing file gives an empty set and GS_OK (a .env is
 * optional). Errors: GS_ECONFIG "path:line: ...", GS_EIO, GS_ENOMEM. */
int gs__dotenv_load(gs__dotenv *out, const char *path);
/* The value of @p key (the last one when repeated) or NULL; *line gets its
 * line number when @p line is not NULL. */
const char *gs__dotenv_get(const gs__dotenv *env, const char *key, int *line);
void gs__dotenv_free(gs__dotenv *env);

/* Applies the INI file @p path over @p cfg. GS_ECONFIG "path:line: ..."
 * for unknown sections or keys and bad values; GS_ECONFIG when the file
 * cannot be read. */
int gs__config_load_ini(gs_config *cfg, const char *path);

/* Shared value parsers; each returns 0 on success, -1 when bad. */
int gs__parse_long(long *out, const char *text, long min, long max);
int gs__parse_bool(int *out, const char *text);
int gs__valid_time_zone(const char *text);
/* 0 when the zone's TZif file is there and reads (a misspelt zone is an
 * error, not UTC); -1 otherwise. */
int gs__known_time_zone(const char *text);
int gs__valid_url(const char *text);
/* Replaces *dst with a copy of @p value; GS_OK or GS_ENOMEM. */
int gs__set_string(char **dst, const char *value);

#endif

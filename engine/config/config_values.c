/* The value parsers and validators shared by the INI loader (config_ini.c)
 * and the .env/environment pass (config.c). Apart from both so that
 * config.c calls the INI loader and both call down to these, with no cycle
 * between the two files. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "gazsync/error.h"
#include "internal_config.h"
#include "secret.h"

int gs__parse_long(long *out, const char *text, long min, long max)
{
    char *end = NULL;
    long value;

    if (!text)
        return -1;
    while (*text == ' ')
        text++;
    if (*text == '\0')
        return -1;
    errno = 0;
    value = strtol(text, &end, 10);
    while (end && *end == ' ')
        end++;
    if (errno != 0 || !end || *end != '\0' || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

int gs__parse_bool(int *out, const char *text)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};

    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

/* An IANA zone name ("America/Montreal", "UTC", "Etc/GMT+5"); it becomes
 * a path under /usr/share/zoneinfo, so only the characters such names use
 * and nothing that leaves the folder. */
int gs__valid_time_zone(const char *text)
{
    size_t n = strlen(text);

    if (n == 0 || n >= sizeof((gs_config *)0)->time_zone || text[0] == '/' ||
        strstr(text, ".."))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)text[i]) && !strchr("_/+-", text[i]))
            return 0;
    return 1;
}

/* Whether the zone's file can be read (clock.c computes dates from it). */
int gs__known_time_zone(const char *text)
{
    gs_tz *zone = NULL;
    int rc = gs_tz_load(&zone, text); /* the caller words the error */

    gs_tz_free(zone);
    return rc == GS_OK ? 0 : -1;
}

/* A table name spliced into a PostgREST path: lowercase identifier. */
int gs__valid_url(const char *text)
{
    return strncmp(text, "https://", 8) == 0 ||
           strncmp(text, "http://", 7) == 0;
}

int gs__set_string(char **dst, const char *value)
{
    char *copy = strdup(value ? value : "");

    if (!copy)
        return GS_ENOMEM;
    gs_secret_free(*dst); /* may have been a secret */
    *dst = copy;
    return GS_OK;
}

/* A `.env` file: KEY=VALUE lines, `#` comments, an optional `export `
 * prefix, values optionally in single quotes (literal) or double quotes
 * (\n, \", \\ and \$ escapes). Hand-parsed: Debian ships no library for this
 * format. The values are only read here; the process environment is never
 * changed, and config.c gives a variable already set there precedence. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gazsync/error.h"
#include "internal_config.h"
#include "secret.h"

void gs__dotenv_free(gs__dotenv *env)
{
    if (!env)
        return;
    for (size_t i = 0; i < env->n; i++) {
        free(env->keys[i]);
        gs_secret_free(env->values[i]); /* .env holds secrets */
    }
    free(env->keys);
    free(env->values);
    free(env->lines);
    memset(env, 0, sizeof *env);
}

const char *gs__dotenv_get(const gs__dotenv *env, const char *key, int *line)
{
    for (size_t i = env ? env->n : 0; i > 0; i--) {
        if (strcmp(env->keys[i - 1], key) == 0) {
            if (line)
                *line = env->lines[i - 1];
            return env->values[i - 1];
        }
    }
    return NULL;
}

static int add(gs__dotenv *env, char *key, char *value, int line)
{
    size_t n = env->n + 1;
    char **keys = realloc(env->keys, n * sizeof *keys);
    if (keys)
        env->keys = keys;
    char **values = realloc(env->values, n * sizeof *values);
    if (values)
        env->values = values;
    int *lines = realloc(env->lines, n * sizeof *lines);
    if (lines)
        env->lines = lines;
    if (!keys || !values || !lines)
        return GS_ENOMEM;
    env->keys[env->n] = key;
    env->values[env->n] = value;
    env->lines[env->n] = line;
    env->n = n;
    return GS_OK;
}

/* Reads the value after '=' into @p out; NULL error text when fine. */
static const char *parse_value(gs_buf *out, const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\'') {
        const char *close = strchr(p + 1, '\'');
        if (!close)
            return "unterminated single quote";
        if (gs_buf_append(out, p + 1, (size_t)(close - p - 1)) != GS_OK)
            return "out of memory";
        p = close + 1;
    } else if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            char c = *p;
            if (c == '\\' && p[1]) {
                p++;
                c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
                if (*p != 'n' && *p != 't' && *p != '"' && *p != '\\' &&
                    *p != '$' && gs_buf_append(out, "\\", 1) != GS_OK)
                    return "out of memory";
            }
            if (gs_buf_append(out, &c, 1) != GS_OK)
                return "out of memory";
        }
        if (*p != '"')
            return "unterminated double quote";
        p++;
    } else {
        /* unquoted: up to an inline " #" comment, trailing blanks cut */
        const char *end = p;
        while (*end &&
               !(*end == '#' && end > p && isspace((unsigned char)end[-1])))
            end++;
        while (end > p && isspace((unsigned char)end[-1]))
            end--;
        if (gs_buf_append(out, p, (size_t)(end - p)) != GS_OK ||
            gs_buf_puts(out, "") != GS_OK)
            return "out of memory";
        return NULL;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p && *p != '#')
        return "text after the closing quote";
    if (gs_buf_puts(out, "") != GS_OK)
        return "out of memory";
    return NULL;
}

static int parse_line(gs__dotenv *env, char *line, int lineno, const char *path)
{
    gs_buf value = GS_BUF_INIT;
    const char *why = NULL;
    char *p = line, *key = NULL, *eq;
    size_t klen;

    line[strcspn(line, "\r\n")] = '\0';
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#')
        return GS_OK;
    if (strncmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
        p += 6;
        while (*p == ' ' || *p == '\t')
            p++;
    }
    eq = strchr(p, '=');
    klen = eq ? (size_t)(eq - p) : 0;
    while (klen && (p[klen - 1] == ' ' || p[klen - 1] == '\t'))
        klen--;
    for (size_t i = 0; i < klen; i++)
        if (!(isalnum((unsigned char)p[i]) || p[i] == '_') ||
            (i == 0 && isdigit((unsigned char)p[i])))
            klen = 0;
    if (!eq || klen == 0)
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                            "%s:%d: expected KEY=VALUE", path, lineno);
    why = parse_value(&value, eq + 1);
    if (why) {
        gs_buf_free(&value);
        return gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG, "%s:%d: %s", path,
                            lineno, why);
    }
    key = strndup(p, klen);
    if (!key || add(env, key, value.data, lineno) != GS_OK) {
        free(key);
        gs_buf_free(&value);
        return gs_error_set(GS_ENOMEM, GS_ECLASS_CONFIG, "out of memory");
    }
    return GS_OK;
}

int gs__dotenv_load(gs__dotenv *out, const char *path)
{
    FILE *file;
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = GS_OK;

    memset(out, 0, sizeof *out);
    if (!path)
        return GS_OK;
    file = fopen(path, "r");
    if (!file) {
        if (errno == ENOENT)
            return GS_OK;
        return gs_error_set(GS_EIO, GS_ECLASS_CONFIG, "%s: %s", path,
                            strerror(errno));
    }
    while (rc == GS_OK && getline(&line, &cap, file) != -1)
        rc = parse_line(out, line, ++lineno, path);
    if (rc == GS_OK && ferror(file))
        rc = gs_error_set(GS_EIO, GS_ECLASS_CONFIG, "%s: read error", path);
    if (line) {
        memset(line, 0, cap);
        free(line);
    }
    fclose(file);
    if (rc != GS_OK)
        gs__dotenv_free(out);
    return rc;
}

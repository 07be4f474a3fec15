/* Shared by the store unit tests: a fresh cache in a temporary directory per
 * test, and small queries on its connection. Header-only so that each
 * test_*.c stays one program. */
#ifndef GS_TEST_STORE_UTIL_H
#define GS_TEST_STORE_UTIL_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"

typedef struct {
    char dir[256];
    char path[512];
    gs_store *store;
} store_fixture;

static inline void fixture_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    char file[1024];

    if (!d)
        return;
    while ((ent = readdir(d)) != NULL) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        snprintf(file, sizeof file, "%s/%s", dir, ent->d_name);
        unlink(file);
    }
    closedir(d);
    rmdir(dir);
}

/* A temp dir and its cache path, without opening anything. */
static inline int fixture_dir(void **state)
{
    store_fixture *fx = calloc(1, sizeof *fx);
    const char *tmp = getenv("TMPDIR");

    if (!fx)
        return -1;
    snprintf(fx->dir, sizeof fx->dir, "%s/gs_store_XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/gazsync.db", fx->dir);
    *state = fx;
    return 0;
}

static inline int fixture_open(void **state)
{
    store_fixture *fx;

    if (fixture_dir(state) != 0)
        return -1;
    fx = *state;
    return gs_store_open(&fx->store, fx->path, NULL) == GS_OK ? 0 : -1;
}

static inline int fixture_close(void **state)
{
    store_fixture *fx = *state;

    if (!fx)
        return 0;
    gs_store_close(fx->store);
    fixture_rmdir(fx->dir);
    free(fx);
    return 0;
}

/* The integer answer of @sql on @db (fails the test on error). */
static inline long long sql_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    long long value = -1;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

/* Whether @sql's single answer is SQL NULL. */
static inline int sql_is_null(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    int is_null;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    is_null = sqlite3_column_type(stmt, 0) == SQLITE_NULL;
    sqlite3_finalize(stmt);
    return is_null;
}

/* The text answer of @sql, malloc'd ("" for NULL). */
static inline char *sql_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    char *value;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    value = strdup(sqlite3_column_text(stmt, 0)
                       ? (const char *)sqlite3_column_text(stmt, 0)
                       : "");
    sqlite3_finalize(stmt);
    return value;
}

/* Parses @text as a JSON node (fails the test on a syntax error). */
static inline json_t *node_of(const char *text)
{
    json_error_t err;
    json_t *node = json_loads(text, JSON_ALLOW_NUL, &err);

    if (!node)
        fail_msg("bad test JSON: %s", err.text);
    return node;
}

/* Upserts @text into @entity; returns the gs code, *changed set. */
static inline int upsert_text(int *changed, gs_store *store,
                              gs_entity_id entity, const char *text,
                              const char *now)
{
    json_t *node = node_of(text);
    int rc = gs_store_upsert(changed, store, gs_entity_get(entity), node, now);

    json_decref(node);
    return rc;
}

#endif

/* Both SQL schemas against the entity descriptors (issue 14): the files are
 * written by hand, for people to read and apply (`gazsync schema`, the
 * cache's migration steps), so they are checked rather than generated.
 * schema/supabase.sql is parsed (its create-table bodies and its "add column
 * if not exists" upgrades); the cache is asked, by pragma table_info, once
 * gazsync has created it from schema/cache*.sql. Either fails when a table
 * or a column the descriptor names is missing or typed otherwise, or when an
 * entity table has a column the descriptor does not know. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "gazsync/entity.h"
#include "gazsync/error.h"
#include "gazsync/store.h"
#include "repo_file.h"

/* ---- schema/supabase.sql -------------------------------------------- */

#define MAX_COLS 64
#define MAX_TABLES 16

typedef struct {
    char table[64];
    char name[MAX_COLS][64];
    char type[MAX_COLS][32];
    int n;
} sql_table;

typedef struct {
    sql_table t[MAX_TABLES];
    int n;
    char error[256]; /* a drift inside the file itself, or "" */
} sql_schema;

static sql_table *table_of(sql_schema *s, const char *name, int create)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->t[i].table, name) == 0)
            return &s->t[i];
    if (!create)
        return NULL;
    assert_true(s->n < MAX_TABLES);
    snprintf(s->t[s->n].table, sizeof s->t[s->n].table, "%s", name);
    return &s->t[s->n++];
}

/* Adds "name type" to @p t; the same column again (an upgrade's "add
 * column if not exists") must have the same type. */
static void add_column(sql_schema *s, sql_table *t, const char *name,
                       const char *type)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->name[i], name) == 0) {
            if (strcmp(t->type[i], type) != 0 && !s->error[0])
                snprintf(s->error, sizeof s->error,
                         "%s.%s is %s, and %s in its upgrade", t->table, name,
                         t->type[i], type);
            return;
        }
    assert_true(t->n < MAX_COLS);
    snprintf(t->name[t->n], sizeof t->name[t->n], "%s", name);
    snprintf(t->type[t->n], sizeof t->type[t->n], "%s", type);
    t->n++;
}

/* The first two words of @p line: a column's name and type. 0 when the
 * line is not a column (a comment, a constraint, a closing bracket). */
static int column_words(char name[64], char type[32], const char *line)
{
    while (*line == ' ')
        line++;
    if (!islower((unsigned char)*line) ||
        sscanf(line, "%63[a-z0-9_] %31[a-z0-9_]", name, type) != 2)
        return 0;
    return strcmp(name, "primary") != 0 && strcmp(name, "unique") != 0 &&
           strcmp(name, "constraint") != 0;
}

static void parse_supabase(sql_schema *s, const char *sql)
{
    static const char create[] = "create table if not exists ";
    static const char alter[] = "alter table ";
    static const char add[] = " add column if not exists ";

    memset(s, 0, sizeof *s);
    for (const char *line = sql; line && *line;) {
        const char *end = strchr(line, '\n');
        char table[64], name[64], type[32];

        if (strncmp(line, create, sizeof create - 1) == 0 &&
            sscanf(line + sizeof create - 1, "%63[a-z0-9_]", table) == 1) {
            sql_table *t = table_of(s, table, 1);

            /* the body: one column a line, up to ");" */
            for (line = end ? end + 1 : NULL; line && strncmp(line, ");", 2);
                 line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
                if (column_words(name, type, line))
                    add_column(s, t, name, type);
            end = line ? strchr(line, '\n') : NULL;
        } else if (strncmp(line, alter, sizeof alter - 1) == 0 &&
                   sscanf(line + sizeof alter - 1, "%63[a-z0-9_]", table) ==
                       1 &&
                   strstr(line, add) && strstr(line, add) < end &&
                   sscanf(strstr(line, add) + sizeof add - 1,
                          "%63[a-z0-9_] %31[a-z0-9_]", name, type) == 2) {
            sql_table *t = table_of(s, table, 0);

            if (t)
                add_column(s, t, name, type);
            else if (!s->error[0])
                snprintf(s->error, sizeof s->error,
                         "%s gets %s before it is created", table, name);
        }
        line = end ? end + 1 : NULL;
    }
}

/* Writes into @p out the drift of column @p name of @p table: @p have its
 * type on the @p side ("SQL", "cache"; NULL: absent there), @p want the
 * descriptor's (NULL: unknown to it). Nothing when both agree. */
static void judge(char *out, size_t size, const char *side, const char *table,
                  const char *name, const char *have, const char *want)
{
    if (!have)
        snprintf(out, size, "%s.%s is in the descriptor, not in the %s", table,
                 name, side);
    else if (!want)
        snprintf(out, size, "%s.%s is in the %s, not in the descriptor", table,
                 name, side);
    else if (strcmp(have, want) != 0)
        snprintf(out, size, "%s.%s is %s in the %s, %s in the descriptor",
                 table, name, have, side, want);
}

static const char *type_in(const sql_table *t, const char *name)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->name[i], name) == 0)
            return t->type[i];
    return NULL;
}

static const gs_column *column_of(const gs_entity *e, const char *name)
{
    for (size_t i = 0; i < e->n_columns; i++)
        if (strcmp(e->columns[i].name, name) == 0)
            return &e->columns[i];
    return NULL;
}

static int is_extra(const gs_entity *e, const char *name)
{
    for (const char *const *x = e->target_extra; x && *x; x++)
        if (strcmp(*x, name) == 0)
            return 1;
    return 0;
}

/* What one side (the target, the cache) adds around the owned columns. */
typedef struct {
    const char *side;                    /* "SQL", "cache" */
    const char *(*type_of)(gs_col_type); /* the declared type there */
    const char *key;                     /* the column holding the Gazelle id */
    const char *const (*bookkeeping)[2]; /* {name, type} */
    size_t n_bookkeeping;
    int extras; /* whether gs_entity.target_extra applies */
} side_rules;

static const char *const target_bookkeeping[][2] = {
    {"id", "bigint"}, /* the target's own key, generated */
    {"raw", "jsonb"},
    {"synced_at", "timestamptz"},
    {"deleted_at", "timestamptz"}};

static const char *const cache_bookkeeping[][2] = {{"row_hash", "INTEGER"},
                                                   {"change_seq", "INTEGER"},
                                                   {"pulled_at", "TEXT"},
                                                   {"deleted_at", "TEXT"},
                                                   {"raw", "TEXT"}};

static const side_rules target_rules = {"SQL",
                                        gs_col_target_type,
                                        "external_id",
                                        target_bookkeeping,
                                        sizeof target_bookkeeping /
                                            sizeof target_bookkeeping[0],
                                        1};
static const side_rules cache_rules = {"cache",
                                       gs_col_cache_type,
                                       "id",
                                       cache_bookkeeping,
                                       sizeof cache_bookkeeping /
                                           sizeof cache_bookkeeping[0],
                                       0};

/* The type column @p name of @p e's table must have on that side, or NULL
 * when the descriptor does not know the column. @p have: its type there
 * (a people's column may have any). */
static const char *expected(const side_rules *r, const gs_entity *e,
                            const char *name, const char *have)
{
    const gs_column *col = column_of(e, name);

    for (size_t b = 0; b < r->n_bookkeeping; b++)
        if (strcmp(name, r->bookkeeping[b][0]) == 0)
            return r->bookkeeping[b][1];
    if (strcmp(name, r->key) == 0)
        return r->type_of(e->columns[0].type);
    if (col && col != &e->columns[0])
        return r->type_of(col->type);
    return r->extras && is_extra(e, name) ? have : NULL;
}

/* The first drift between @p e and its table @p t on side @p r, or "". */
static void table_drift(char *out, size_t size, const side_rules *r,
                        const gs_entity *e, const sql_table *t)
{
    if (t->n == 0) {
        snprintf(out, size, "no table %s (%s)", t->table, e->name);
        return;
    }
    for (size_t c = 0; c < e->n_columns && !out[0]; c++) {
        const char *name = c == 0 ? r->key : e->columns[c].name;

        judge(out, size, r->side, t->table, name, type_in(t, name),
              r->type_of(e->columns[c].type));
    }
    for (size_t b = 0; b < r->n_bookkeeping && !out[0]; b++)
        judge(out, size, r->side, t->table, r->bookkeeping[b][0],
              type_in(t, r->bookkeeping[b][0]), r->bookkeeping[b][1]);
    for (const char *const *x = e->target_extra; r->extras && x && *x; x++)
        if (!out[0] && !type_in(t, *x))
            snprintf(out, size, "%s.%s (people's column) is not in the %s",
                     t->table, *x, r->side);
    for (int k = 0; k < t->n && !out[0]; k++)
        judge(out, size, r->side, t->table, t->name[k], t->type[k],
              expected(r, e, t->name[k], t->type[k]));
}

/* The drift found in @p s, or "" (a message naming table and column). */
static void supabase_drift(char *out, size_t size, const sql_schema *s)
{
    snprintf(out, size, "%s", s->error);
    for (int i = 0; i < GS_ENTITY_COUNT && !out[0]; i++) {
        const gs_entity *e = gs_entity_get((gs_entity_id)i);
        sql_table none;
        const sql_table *t = NULL;

        for (int k = 0; k < s->n; k++)
            if (strcmp(s->t[k].table, e->target_table) == 0)
                t = &s->t[k];
        if (!t) {
            memset(&none, 0, sizeof none);
            snprintf(none.table, sizeof none.table, "%s", e->target_table);
            t = &none;
        }
        table_drift(out, size, &target_rules, e, t);
    }
    /* a gazelle_* table no entity targets is an entity the descriptor lacks */
    for (int k = 0; k < s->n && !out[0]; k++) {
        int known = 0;

        for (int i = 0; i < GS_ENTITY_COUNT; i++)
            known |= strcmp(s->t[k].table,
                            gs_entity_get((gs_entity_id)i)->target_table) == 0;
        if (!known && strncmp(s->t[k].table, "gazelle_", 8) == 0)
            snprintf(out, size, "table %s is in the SQL, no entity's",
                     s->t[k].table);
    }
}

static void test_supabase_sql_matches_the_descriptors(void **state)
{
    char *sql = gs_test_repo_file("schema/supabase.sql");
    sql_schema *s = calloc(1, sizeof *s);
    char drift[256];

    (void)state;
    assert_non_null(s);
    parse_supabase(s, sql);
    assert_true(s->n >= GS_ENTITY_COUNT); /* the parse found the tables */
    supabase_drift(drift, sizeof drift, s);
    if (drift[0])
        fail_msg("schema/supabase.sql drifted from engine/entity: %s", drift);
    free(s);
    free(sql);
}

/* The check itself can fail: the same file with a column cut, retyped, or
 * added finds each drift (the parse is not blind). */
static void test_supabase_check_finds_each_kind_of_drift(void **state)
{
    static const struct {
        const char *from, *to, *finds;
    } edits[] = {
        {"    serial_number text,\n", "", "serial_number is in the descriptor"},
        {"    year bigint,\n", "    year text,\n", "year is text in the SQL"},
        {"    title text,\n    start",
         "    title text,\n    mood text,\n    start", "mood is in the SQL"},
        {"alter table gazelle_users add column if not exists status text;",
         "alter table gazelle_users add column if not exists status jsonb;",
         "in its upgrade"},
        {"create table if not exists gazelle_timeline_entries (",
         "create table if not exists gazelle_timeline (", "no table"},
    };
    char *sql = gs_test_repo_file("schema/supabase.sql");
    sql_schema *s = calloc(1, sizeof *s);

    (void)state;
    assert_non_null(s);
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        const char *at = strstr(sql, edits[i].from);
        size_t len = strlen(sql) + strlen(edits[i].to) + 1;
        char *edited = malloc(len);
        char drift[256];
        int fails = 0;

        assert_non_null(at);
        assert_non_null(edited);
        snprintf(edited, len, "%.*s%s%s", (int)(at - sql), sql, edits[i].to,
                 at + strlen(edits[i].from));
        parse_supabase(s, edited);
        supabase_drift(drift, sizeof drift, s);
        fails = strstr(drift, edits[i].finds) != NULL;
        if (!fails)
            fail_msg("edit %zu: expected '%s', got '%s'", i, edits[i].finds,
                     drift);
        free(edited);
    }
    /* and the file as it is has none */
    parse_supabase(s, sql);
    assert_string_equal(s->error, "");
    free(s);
    free(sql);
}

/* ---- the cache -------------------------------------------------------- */

/* The drift of the cache at @p db, or "": each entity table as SQLite
 * declares it (pragma table_info), judged like the target's. */
static void cache_drift(char *out, size_t size, sqlite3 *db)
{
    sql_table *t = calloc(1, sizeof *t);

    assert_non_null(t);
    out[0] = '\0';
    for (int i = 0; i < GS_ENTITY_COUNT && !out[0]; i++) {
        const gs_entity *e = gs_entity_get((gs_entity_id)i);
        sqlite3_stmt *stmt = NULL;

        memset(t, 0, sizeof *t);
        snprintf(t->table, sizeof t->table, "%s", e->cache_table);
        /* the table name is the descriptor's, bound as a value */
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT name, type FROM "
                                            "pragma_table_info(?1)",
                                            -1, &stmt, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(stmt, 1, e->cache_table, -1, SQLITE_STATIC);
        while (sqlite3_step(stmt) == SQLITE_ROW && t->n < MAX_COLS) {
            snprintf(t->name[t->n], sizeof t->name[t->n], "%s",
                     (const char *)sqlite3_column_text(stmt, 0));
            snprintf(t->type[t->n], sizeof t->type[t->n], "%s",
                     (const char *)sqlite3_column_text(stmt, 1));
            t->n++;
        }
        sqlite3_finalize(stmt);
        table_drift(out, size, &cache_rules, e, t);
    }
    free(t);
}

typedef struct {
    char dir[256];
    char path[512];
    sqlite3 *db;
} cache_fixture;

static int open_fresh_cache(void **state)
{
    cache_fixture *fx = calloc(1, sizeof *fx);
    const char *tmp = getenv("TMPDIR");
    gs_store *store = NULL;

    if (!fx)
        return -1;
    *state = fx;
    snprintf(fx->dir, sizeof fx->dir, "%s/gs_entity_schema_XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->path, sizeof fx->path, "%s/gazsync.db", fx->dir);
    /* gazsync creates it: schema/cache.sql, then each migration step */
    if (gs_store_open(&store, fx->path, NULL) != GS_OK)
        return -1;
    gs_store_close(store);
    return sqlite3_open(fx->path, &fx->db) == SQLITE_OK ? 0 : -1;
}

static int close_cache(void **state)
{
    cache_fixture *fx = *state;
    static const char *const suffixes[] = {"", "-wal", "-shm", ".lock"};
    char file[600];

    if (!fx)
        return 0;
    sqlite3_close(fx->db);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(file, sizeof file, "%s%s", fx->path, suffixes[i]);
        unlink(file);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void test_cache_schema_matches_the_descriptors(void **state)
{
    cache_fixture *fx = *state;
    char drift[256];

    cache_drift(drift, sizeof drift, fx->db);
    if (drift[0])
        fail_msg("the cache (schema/cache*.sql) drifted from engine/entity: "
                 "%s",
                 drift);
}

/* The cache check can fail too: a column dropped from a table, one added,
 * a table gone, each is found. */
static void test_cache_check_finds_each_kind_of_drift(void **state)
{
    static const struct {
        const char *sql, *finds;
    } edits[] = {
        {"ALTER TABLE pianos DROP COLUMN make",
         "pianos.make is in the descriptor"},
        {"ALTER TABLE clients ADD COLUMN mood TEXT", "clients.mood is in the "
                                                     "cache"},
        {"DROP TABLE timeline_entries", "no table timeline_entries"},
    };
    cache_fixture *fx = *state;
    char drift[256];

    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        assert_int_equal(
            sqlite3_exec(fx->db, "SAVEPOINT edit", NULL, NULL, NULL),
            SQLITE_OK);
        if (sqlite3_exec(fx->db, edits[i].sql, NULL, NULL, NULL) != SQLITE_OK)
            fail_msg("%s: %s", edits[i].sql, sqlite3_errmsg(fx->db));
        cache_drift(drift, sizeof drift, fx->db);
        if (!strstr(drift, edits[i].finds))
            fail_msg("after %s: expected '%s', got '%s'", edits[i].sql,
                     edits[i].finds, drift);
        assert_int_equal(sqlite3_exec(fx->db, "ROLLBACK TO edit; RELEASE edit",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    }
    /* rolled back, the cache is whole again */
    cache_drift(drift, sizeof drift, fx->db);
    assert_string_equal(drift, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_supabase_sql_matches_the_descriptors),
        cmocka_unit_test(test_supabase_check_finds_each_kind_of_drift),
        cmocka_unit_test_setup_teardown(
            test_cache_schema_matches_the_descriptors, open_fresh_cache,
            close_cache),
        cmocka_unit_test_setup_teardown(
            test_cache_check_finds_each_kind_of_drift, open_fresh_cache,
            close_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

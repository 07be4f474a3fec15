/* gs_bench: the C halves of the ingest benchmark (docs/benchmarks.md).
 *
 *   gs_bench record DIR
 *       Reads every entity in full from GAZELLE_API_URL with gazsync's own
 *       client and documents (the variables of a first pull), and writes
 *       each page's `data` object to DIR/NN-ENTITY-PPPPPP.json, listed in
 *       DIR/manifest.txt ("ENTITY FILE" per line, in pull order).
 *   gs_bench ingest DB DIR [--no-seen]
 *       Feeds the recorded pages to a fresh cache through the pull's own
 *       path: json_load_file (jansson), gs_gazelle_page_parse, then
 *       gs_pull_ingest_page inside gs_store_begin/commit with the page's
 *       sync_state checkpoint, as engine/pull_entity.c does. A first pull is
 *       a full read, which records the ids it sees for the deletion sweep;
 *       --no-seen leaves that out. Prints one JSON object (rows, pages,
 *       seconds, rows_per_s).
 *   gs_bench shell-sql DIR NOW
 *       Prints the script with which the sqlite3 shell does the same work
 *       with its JSON functions (readfile, json_each, json_extract) into a
 *       cache made by `gazsync init`: the same columns from the same paths
 *       of engine/entity_map.c, one transaction per page, change_seq from
 *       the counters table. What it leaves out: row_hash (0), sorting the
 *       keys of raw (json() keeps Gazelle's order), the seen ids.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gazsync/gazsync.h"
#include "pull_internal.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
    fprintf(stderr, "usage: gs_bench record DIR\n"
                    "       gs_bench ingest DB DIR [--no-seen]\n"
                    "       gs_bench shell-sql DIR NOW\n");
    return 2;
}

/* The variables of a first (full) pull: engine/pull_entity.c's
 * page_variables for GS_PLAN_FULL. */
static json_t *full_variables(const gs_entity *entity, int page_size,
                              const char *after)
{
    json_t *vars = json_pack("{s:i}", "first", page_size);

    if (after)
        json_object_set_new(vars, "after", json_string(after));
    if (entity->id == GS_ENTITY_CLIENTS || entity->id == GS_ENTITY_PIANOS)
        json_object_set_new(vars, "sortBy",
                            json_pack("[s]", "CREATED_AT_ASC"));
    else if (entity->id == GS_ENTITY_APPOINTMENTS)
        json_object_set_new(vars, "sortBy", json_pack("[s]", "START_ASC"));
    return vars;
}

static int record(const char *dir)
{
    gs_config cfg;
    gs_http *http = NULL;
    gs_gazelle *client = NULL;
    gs_http_opts hopts = {0};
    gs_gazelle_opts gopts = {0};
    char path[4096];
    FILE *manifest = NULL;
    long long total_rows = 0;
    long total_pages = 0;
    int rc = 1;

    /* gs_config_load() starts from the defaults itself. */
    if (gs_config_load(&cfg, NULL, NULL) != GS_OK || !cfg.gazelle_url) {
        fprintf(stderr, "gs_bench: set GAZELLE_API_URL (%s)\n",
                gs_error_last()->message);
        gs_config_free(&cfg);
        return 1;
    }
    hopts.label = "gazelle";
    gopts.api_url = cfg.gazelle_url;
    gopts.access_token = cfg.gazelle_access_token;
    gopts.api_key = cfg.gazelle_api_key;
    snprintf(path, sizeof path, "%s/manifest.txt", dir);
    if (gs_http_new(&http, &hopts) != GS_OK ||
        gs_gazelle_new(&client, http, &gopts) != GS_OK ||
        !(manifest = fopen(path, "w"))) {
        fprintf(stderr, "gs_bench: cannot start (%s)\n",
                gs_error_last()->message);
        goto done;
    }
    for (int e = 0; e < GS_ENTITY_COUNT; e++) {
        const gs_entity *entity = gs_entity_get((gs_entity_id)e);
        char *after = NULL;
        long page_no = 0;

        if (!entity->root_field)
            continue;
        for (;;) {
            json_t *vars = full_variables(entity, cfg.page_size, after);
            json_t *data = NULL;
            gs_gazelle_page page = {0};
            int qrc = gs_gazelle_query(
                &data, client, gs_gazelle_document(entity), vars, entity->name);
            json_decref(vars);
            free(after);
            after = NULL;
            if (qrc != GS_OK || gs_gazelle_page_parse(
                                    &page, data, entity->root_field) != GS_OK) {
                fprintf(stderr, "gs_bench: %s page %ld: %s\n", entity->name,
                        page_no + 1, gs_error_last()->message);
                json_decref(data);
                goto done;
            }
            page_no++;
            snprintf(path, sizeof path, "%s/%02d-%s-%06ld.json", dir, e,
                     entity->name, page_no);
            if (json_dump_file(data, path, JSON_COMPACT) != 0) {
                fprintf(stderr, "gs_bench: cannot write %s\n", path);
                json_decref(data);
                gs_gazelle_page_free(&page);
                goto done;
            }
            fprintf(manifest, "%s %s\n", entity->name, path);
            total_rows += (long long)json_array_size(page.nodes);
            total_pages++;
            if (page.has_next_page && page.end_cursor) {
                after = page.end_cursor;
                page.end_cursor = NULL;
            }
            gs_gazelle_page_free(&page);
            json_decref(data);
            if (!after)
                break;
        }
    }
    printf("{\"pages\":%ld,\"nodes\":%lld}\n", total_pages, total_rows);
    rc = 0;
done:
    if (manifest)
        fclose(manifest);
    gs_gazelle_free(client);
    gs_http_free(http);
    gs_config_free(&cfg);
    return rc;
}

typedef struct {
    char entity[64];
    char path[4096];
} manifest_line;

static manifest_line *read_manifest(size_t *count, const char *dir)
{
    char path[4096];
    char line[8300];
    manifest_line *lines = NULL;
    size_t n = 0, cap = 0;
    FILE *f;

    snprintf(path, sizeof path, "%s/manifest.txt", dir);
    if (!(f = fopen(path, "r"))) {
        fprintf(stderr, "gs_bench: no %s (run record first)\n", path);
        return NULL;
    }
    while (fgets(line, sizeof line, f)) {
        char *space = strchr(line, ' ');
        char *end = strchr(line, '\n');
        if (!space)
            continue;
        if (end)
            *end = '\0';
        *space = '\0';
        if (n == cap) {
            manifest_line *bigger;
            cap = cap ? cap * 2 : 256;
            bigger = realloc(lines, cap * sizeof *lines);
            if (!bigger) {
                free(lines);
                fclose(f);
                return NULL;
            }
            lines = bigger;
        }
        if (strlen(line) >= sizeof lines[n].entity ||
            strlen(space + 1) >= sizeof lines[n].path)
            continue;
        memcpy(lines[n].entity, line, strlen(line) + 1);
        memcpy(lines[n].path, space + 1, strlen(space + 1) + 1);
        n++;
    }
    fclose(f);
    *count = n;
    return lines;
}

static int ingest(const char *db, const char *dir, int track_seen)
{
    gs_store *store = NULL;
    gs_config cfg;
    gs_pull_report report;
    gs_pull_opts opts;
    gs_pull_ctx ctx;
    gs_sync_state state;
    manifest_line *lines;
    size_t count = 0;
    const gs_entity *current = NULL;
    long long rows = 0;
    double t0, seconds;
    int rc = 1;

    if (!(lines = read_manifest(&count, dir)))
        return 1;
    gs_config_defaults(&cfg);
    memset(&report, 0, sizeof report);
    opts = (gs_pull_opts)GS_PULL_OPTS_INIT;
    memset(&ctx, 0, sizeof ctx);
    memset(&state, 0, sizeof state);
    t0 = now_s();
    if (gs_store_open(&store, db, NULL) != GS_OK) {
        fprintf(stderr, "gs_bench: %s\n", gs_error_last()->message);
        goto done;
    }
    ctx.store = store;
    ctx.cfg = &cfg;
    ctx.opts = &opts;
    ctx.report = &report;
    snprintf(ctx.now, sizeof ctx.now, "2026-11-25T12:00:00Z");
    ctx.now_t = 0;
    ctx.named_users = json_object();
    for (size_t i = 0; i < count; i++) {
        const gs_entity *entity = gs_entity_find(lines[i].entity);
        json_error_t jerr;
        json_t *data;
        gs_gazelle_page page = {0};
        long long changed = 0, rejected = 0;
        time_t max_stamp = 0;
        char max_text[GS_ISO_SIZE] = "";
        int prc;

        if (!entity)
            goto done;
        if (entity != current) {
            current = entity;
            if (gs_store_state_get(&state, store, entity) != GS_OK)
                goto fail;
            if (track_seen &&
                (gs_store_seen_reset(store, entity) != GS_OK ||
                 (entity->id == GS_ENTITY_CLIENTS &&
                  gs_store_seen_reset(
                      store, gs_entity_get(GS_ENTITY_CONTACTS)) != GS_OK)))
                goto fail;
        }
        if (!(data = json_load_file(lines[i].path, 0, &jerr))) {
            fprintf(stderr, "gs_bench: %s: %s\n", lines[i].path, jerr.text);
            goto done;
        }
        prc = gs_gazelle_page_parse(&page, data, entity->root_field);
        if (prc == GS_OK)
            prc = gs_store_begin(store);
        if (prc == GS_OK)
            prc = gs_pull_ingest_page(&ctx, entity, page.nodes, (long)i + 1,
                                      &changed, &rejected, &max_stamp,
                                      max_text);
        if (prc == GS_OK) {
            snprintf(state.resume_cursor, sizeof state.resume_cursor, "full|%s",
                     page.end_cursor ? page.end_cursor : "");
            prc = gs_store_state_put(store, entity, &state);
        }
        if (prc == GS_OK)
            prc = gs_store_commit(store);
        else
            gs_store_rollback(store);
        rows += changed;
        gs_gazelle_page_free(&page);
        json_decref(data);
        if (prc != GS_OK)
            goto fail;
    }
    gs_store_close(store);
    store = NULL;
    seconds = now_s() - t0;
    printf("{\"rows\":%lld,\"pages\":%zu,\"seconds\":%.3f,"
           "\"rows_per_s\":%.0f,\"seen_ids\":%s}\n",
           rows, count, seconds, seconds > 0 ? (double)rows / seconds : 0.0,
           track_seen ? "true" : "false");
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "gs_bench: %s\n", gs_error_last()->message);
done:
    json_decref(ctx.named_users);
    gs_store_close(store);
    gs_config_free(&cfg);
    free(lines);
    return rc;
}

/* A column's value in SQL, from the node `n.value`. */
static void print_column_expr(const gs_column *col, const char *node)
{
    const char *brackets = strstr(col->path, "[]");

    if (brackets) {
        /* "a.nodes[].piano.id": the mapped array. */
        printf("(SELECT json_group_array(json_extract(p.value, '$.%s')) "
               "FROM json_each(%s, '$.%.*s') p)",
               brackets + 3, node, (int)(brackets - col->path), col->path);
        return;
    }
    printf("json_extract(%s, '$.%s')", node, col->path);
}

/* One INSERT of the nodes of @from_sql (a json_each over the page, named n)
 * into @entity's table, with an upsert clause of store/stmt.c's shape, then
 * the file-wide counter moved past the rows it numbered. */
static void print_insert(const gs_entity *entity, const char *node_expr,
                         const char *from_sql, const char *now)
{
    printf("INSERT INTO \"%s\" (", entity->cache_table);
    for (size_t c = 0; c < entity->n_columns; c++)
        printf("\"%s\", ", entity->columns[c].name);
    printf("row_hash, change_seq, pulled_at, deleted_at, raw)\nSELECT ");
    for (size_t c = 0; c < entity->n_columns; c++) {
        print_column_expr(&entity->columns[c], node_expr);
        printf(", ");
    }
    printf("0, (SELECT value FROM counters WHERE name = 'change_seq') + "
           "n.key + 1, '%s', NULL, json(%s)\n%s WHERE true\n",
           now, node_expr, from_sql);
    printf("ON CONFLICT (id) DO UPDATE SET ");
    for (size_t c = 1; c < entity->n_columns; c++)
        printf("\"%s\" = excluded.\"%s\", ", entity->columns[c].name,
               entity->columns[c].name);
    printf("row_hash = excluded.row_hash, change_seq = excluded.change_seq, "
           "pulled_at = excluded.pulled_at, deleted_at = NULL, "
           "raw = excluded.raw WHERE row_hash IS NOT excluded.row_hash "
           "OR deleted_at IS NOT NULL;\n");
    printf("UPDATE counters SET value = max(value, coalesce((SELECT "
           "max(change_seq) FROM \"%s\"), 0)) WHERE name = 'change_seq';\n",
           entity->cache_table);
}

static int shell_sql(const char *dir, const char *now)
{
    manifest_line *lines;
    size_t count = 0;
    char from[512];

    if (!(lines = read_manifest(&count, dir)))
        return 1;
    printf("PRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\n"
           "CREATE TEMP TABLE page (doc TEXT);\n");
    for (size_t i = 0; i < count; i++) {
        const gs_entity *entity = gs_entity_find(lines[i].entity);
        if (!entity) {
            free(lines);
            return 1;
        }
        printf("BEGIN;\nDELETE FROM page;\n"
               "INSERT INTO page SELECT readfile('%s');\n",
               lines[i].path);
        /* allUsers is a plain list; the others are connections */
        snprintf(from, sizeof from,
                 "FROM page, json_each(page.doc, '$.%s%s') n",
                 entity->root_field,
                 entity->id == GS_ENTITY_USERS ? "" : ".nodes");
        print_insert(entity, "n.value", from, now);
        if (entity->id == GS_ENTITY_CLIENTS) {
            /* contacts: every node of each client's allContacts, with the
             * client's id, as engine/pull_ingest.c stores them */
            printf("-- contacts\nWITH n AS (SELECT row_number() OVER () - 1 "
                   "AS key, json_set(c.value, '$.clientId', "
                   "json_extract(n0.value, '$.id')) AS value FROM page, "
                   "json_each(page.doc, '$.%s.nodes') n0, "
                   "json_each(n0.value, '$.allContacts.nodes') c)\n",
                   entity->root_field);
            print_insert(gs_entity_get(GS_ENTITY_CONTACTS), "n.value", "FROM n",
                         now);
        }
        printf("COMMIT;\n");
    }
    free(lines);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "record") == 0)
        return record(argv[2]);
    if (argc >= 4 && strcmp(argv[1], "ingest") == 0)
        return ingest(argv[2], argv[3],
                      !(argc >= 5 && strcmp(argv[4], "--no-seen") == 0));
    if (argc >= 4 && strcmp(argv[1], "shell-sql") == 0)
        return shell_sql(argv[2], argv[3]);
    return usage();
}

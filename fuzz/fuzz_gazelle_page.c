/* A Gazelle answer, as untrusted bytes, through everything a pull does with
 * it before the next request: jansson, gs_gazelle_page_parse() of each root
 * field, then gs__pull_ingest_page() into a real cache (typed columns, raw
 * JSON, row hash, contacts from clients, stamps, named technicians).
 *
 * Input: the whole HTTP body, {"data": {"allClients": {...}, ...}}.
 * Errors are expected and fine; a crash, a leak or UB is a finding.
 *
 * The cache is opened once per process in a private temporary directory and
 * every input runs in a transaction that is rolled back, so inputs do not
 * see each other's rows and the file does not grow. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gazsync/gazsync.h"
#include "pull_internal.h"

static gs_store *cache;
static char dir[] = "/tmp/gs-fuzz-page-XXXXXX";
static char path[sizeof dir + 16];

static void remove_cache(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char file[sizeof path + 16];

    gs_store_close(cache);
    cache = NULL;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(file, sizeof file, "%s%s", path, suffixes[i]);
        unlink(file);
    }
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!mkdtemp(dir)) {
        perror("fuzz_gazelle_page: mkdtemp");
        abort();
    }
    snprintf(path, sizeof path, "%s/cache.db", dir);
    if (gs_store_open(&cache, path, NULL) != GS_OK) {
        fprintf(stderr, "fuzz_gazelle_page: %s\n", gs_error_last()->message);
        abort();
    }
    atexit(remove_cache);
    return 0;
}

static void ingest(json_t *data, const gs_entity *entity)
{
    gs_gazelle_page page;
    gs_pull_report report;
    gs_pull_opts opts;
    gs_pull_ctx ctx;
    long long changed = 0, rejected = 0;
    time_t max_stamp = 0;
    char max_text[GS_ISO_SIZE] = "";

    if (gs_gazelle_page_parse(&page, data, entity->root_field) != GS_OK)
        return;
    memset(&report, 0, sizeof report);
    opts = (gs_pull_opts)GS_PULL_OPTS_INIT;
    memset(&ctx, 0, sizeof ctx);
    ctx.store = cache;
    ctx.opts = &opts;
    ctx.report = &report;
    ctx.now_t = 1795608000; /* 2026-11-25T12:00:00Z, the simulator's */
    snprintf(ctx.now, sizeof ctx.now, "2026-11-25T12:00:00Z");
    ctx.named_users = json_object();
    if (!ctx.named_users)
        abort();
    if (gs_store_begin(cache) != GS_OK)
        abort();
    (void)gs_pull_ingest_page(&ctx, entity, page.nodes, 1, &changed, &rejected,
                              &max_stamp, max_text);
    if (gs_store_rollback(cache) != GS_OK)
        abort();
    json_decref(ctx.named_users);
    gs_gazelle_page_free(&page);
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    json_t *root = json_loadb((const char *)bytes, size, 0, NULL);
    json_t *data = json_object_get(root, "data");

    if (json_is_object(data)) {
        for (int e = 0; e < GS_ENTITY_COUNT; e++) {
            const gs_entity *entity = gs_entity_get((gs_entity_id)e);
            if (entity->root_field)
                ingest(data, entity);
        }
    }
    json_decref(root);
    return 0;
}

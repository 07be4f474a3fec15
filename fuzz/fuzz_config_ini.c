/* The configuration files, as untrusted bytes: the INI file (libinih and
 * engine/config_ini.c's keys and values: policies, durations, numbers, time
 * zones, URLs, table names) and the .env file (engine/dotenv.c, hand-parsed:
 * quotes, escapes, comments, `export`).
 *
 * Input: INI text, then a NUL byte, then .env text (no NUL: INI only). Each
 * part is written to its own file in a private temporary directory and
 * given to gs_config_load(); errors are expected and fine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gazsync/gazsync.h"

static char dir[] = "/tmp/gs-fuzz-config-XXXXXX";
static char ini_path[sizeof dir + 16];
static char env_path[sizeof dir + 16];

static void remove_files(void)
{
    unlink(ini_path);
    unlink(env_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!mkdtemp(dir)) {
        perror("fuzz_config_ini: mkdtemp");
        abort();
    }
    snprintf(ini_path, sizeof ini_path, "%s/gazsync.ini", dir);
    snprintf(env_path, sizeof env_path, "%s/.env", dir);
    atexit(remove_files);
    /* The process environment overrides both files: keep it out of the
     * way so the files' values are the ones parsed and applied. */
    static const char *const vars[] = {
        "GAZELLE_API_URL",           "GAZELLE_OAUTH_URL",
        "GAZELLE_ACCESS_TOKEN",      "GAZELLE_API_KEY",
        "GAZELLE_REFRESH_TOKEN",     "GAZELLE_CLIENT_ID",
        "GAZELLE_CLIENT_SECRET",     "SUPABASE_URL",
        "SUPABASE_SERVICE_ROLE_KEY", "GAZSYNC_CA_BUNDLE",
        "GAZSYNC_TIME_ZONE",         "GAZSYNC_MIN_INTERVAL_MS",
        "GAZSYNC_TIMEOUT_MS",        "GAZSYNC_BACKOFF_BASE_MS",
        "GAZSYNC_MAX_ATTEMPTS",      "GAZSYNC_PAGE_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
    return 0;
}

static void write_file(const char *path, const uint8_t *bytes, size_t size)
{
    FILE *file = fopen(path, "wb");

    if (!file || (size && fwrite(bytes, 1, size, file) != size) ||
        fclose(file) != 0) {
        perror(path);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    const uint8_t *nul = memchr(bytes, '\0', size);
    size_t ini_size = nul ? (size_t)(nul - bytes) : size;
    gs_config cfg;

    write_file(ini_path, bytes, ini_size);
    if (nul) {
        write_file(env_path, nul + 1, size - ini_size - 1);
    } else {
        unlink(env_path);
    }
    if (gs_config_load(&cfg, ini_path, nul ? env_path : NULL) == GS_OK) {
        /* Whatever was accepted must be within its documented bounds. */
        if (cfg.page_size < 1 || cfg.page_size > 1000 ||
            cfg.push_batch_rows < 1 || cfg.max_attempts < 1 ||
            memchr(cfg.time_zone, '\0', sizeof cfg.time_zone) == NULL)
            abort();
        for (int e = 0; e < GS_ENTITY_COUNT; e++)
            if (memchr(cfg.policy[e].target_table, '\0',
                       sizeof cfg.policy[e].target_table) == NULL)
                abort();
        gs_config_free(&cfg);
    }
    /* On failure gs_config_load() has freed cfg already; a second free
     * must still be harmless (every *_free() accepts what it left). */
    gs_config_free(&cfg);
    return 0;
}

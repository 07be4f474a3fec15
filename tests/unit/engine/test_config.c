/* engine/config*.c, dotenv.c: defaults, INI, .env and environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gazsync/config.h"
#include "gazsync/error.h"

static const char *const VARS[] = {"GAZELLE_API_URL",
                                   "GAZELLE_OAUTH_URL",
                                   "GAZELLE_ACCESS_TOKEN",
                                   "GAZELLE_API_KEY",
                                   "GAZELLE_REFRESH_TOKEN",
                                   "GAZELLE_CLIENT_ID",
                                   "GAZELLE_CLIENT_SECRET",
                                   "SUPABASE_URL",
                                   "SUPABASE_SERVICE_ROLE_KEY",
                                   "GAZSYNC_TIME_ZONE",
                                   "GAZSYNC_MIN_INTERVAL_MS",
                                   "GAZSYNC_BACKOFF_BASE_MS",
                                   "GAZSYNC_MAX_ATTEMPTS",
                                   "GAZSYNC_PAGE_SIZE",
                                   "GAZSYNC_CA_BUNDLE",
                                   "GAZSYNC_TIMEOUT_MS",
                                   "GAZSYNC_PACK",
                                   "GAZSYNC_REQUEST_NODES",
                                   "GAZSYNC_MAX_REQUESTS"};

typedef struct {
    char dir[64];
    char ini[128];
    char env[128];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/gs_test_config_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->ini, sizeof f->ini, "%s/gazsync.ini", f->dir);
    snprintf(f->env, sizeof f->env, "%s/.env", f->dir);
    for (size_t i = 0; i < sizeof VARS / sizeof VARS[0]; i++)
        unsetenv(VARS[i]);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    unlink(f->ini);
    unlink(f->env);
    rmdir(f->dir);
    for (size_t i = 0; i < sizeof VARS / sizeof VARS[0]; i++)
        unsetenv(VARS[i]);
    free(f);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    assert_int_equal(fputs(text, file) >= 0, 1);
    assert_int_equal(fclose(file), 0);
}

static void test_config_defaults(void **state)
{
    (void)state;
    gs_config cfg;
    gs_config_defaults(&cfg);
    assert_string_equal(cfg.gazelle_url,
                        "https://gazelleapp.io/graphql/private/");
    assert_string_equal(cfg.supabase_target, "supabase");
    assert_string_equal(cfg.time_zone, "America/Montreal");
    assert_int_equal(cfg.page_size, 100);
    assert_int_equal(cfg.min_interval_ms, 200);
    assert_int_equal(cfg.timeout_ms, 120000);
    assert_int_equal(cfg.max_attempts, 5);
    assert_int_equal(cfg.backoff_base_ms, 500);
    assert_int_equal(cfg.push_batch_rows, 500);
    assert_int_equal(cfg.push_batch_bytes, 4000000);
    assert_null(cfg.gazelle_access_token);
    assert_int_equal(cfg.policy[GS_ENTITY_USERS].kind, GS_POLICY_IF_EMPTY);
    /* No list can be asked by update time: read whole every night. */
    assert_int_equal(cfg.policy[GS_ENTITY_CLIENTS].kind, GS_POLICY_ALWAYS);
    assert_int_equal(cfg.policy[GS_ENTITY_PIANOS].kind, GS_POLICY_ALWAYS);
    assert_int_equal(cfg.policy[GS_ENTITY_APPOINTMENTS].kind, GS_POLICY_WINDOW);
    assert_int_equal(cfg.policy[GS_ENTITY_APPOINTMENTS].window_past_days, 7);
    assert_int_equal(cfg.policy[GS_ENTITY_APPOINTMENTS].window_future_days,
                     190);
    assert_int_equal(cfg.policy[GS_ENTITY_TIMELINE].kind, GS_POLICY_SINCE);
    assert_int_equal(cfg.policy[GS_ENTITY_TIMELINE].lookback_s, 7 * 86400);
    assert_int_equal(cfg.policy[GS_ENTITY_TIMELINE].full_every_s, 90 * 86400);
    assert_int_equal(cfg.policy[GS_ENTITY_CLIENTS].full_every_s, 0);
    assert_int_equal(cfg.policy[GS_ENTITY_USERS].full_every_s, 0);
    assert_int_equal(cfg.policy[GS_ENTITY_TIMELINE].page_size, 200);
    assert_int_equal(cfg.policy[GS_ENTITY_CLIENTS].page_size, 0);
    assert_int_equal(cfg.policy[GS_ENTITY_APPOINTMENTS].page_size, 200);
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        assert_true(cfg.policy[i].enabled);
        assert_string_equal(cfg.policy[i].target_table,
                            gs_entity_get((gs_entity_id)i)->target_table);
    }
    gs_config_free(&cfg);
    gs_config_free(&cfg); /* twice is harmless */
}

static void test_config_ini_env_precedence(void **state)
{
    fixture *f = *state;
    gs_config cfg;
    write_file(f->ini, "; comment\n"
                       "[gazsync]\n"
                       "time_zone = America/Toronto\n"
                       "page_size = 50\n"
                       "min_interval_ms = 300\n"
                       "gazelle_api_url = http://ini.example/graphql/\n"
                       "[push]\n"
                       "batch_rows = 250\n"
                       "batch_bytes = 1000000\n"
                       "[entity.clients]\n"
                       "column.company_name = name\n"
                       "column.tags = -\n"
                       "policy = always,max-age=6h\n"
                       "target_table = my_clients\n"
                       "[entity.users]\n"
                       "enabled = false\n"
                       "max_age = 2w\n"
                       "[entity.timeline_entries]\n"
                       "lookback = 3d\n"
                       "page_size = 150\n"
                       "policy = since\n");
    write_file(f->env, "# secrets\n"
                       "export GAZELLE_ACCESS_TOKEN=\"tok from env file\"\n"
                       "GAZELLE_REFRESH_TOKEN='ref#1'\n"
                       "GAZELLE_CLIENT_ID = cid # trailing comment\n"
                       "GAZSYNC_PAGE_SIZE=75\n"
                       "SUPABASE_URL=http://dotenv.example\n"
                       "SUPABASE_SERVICE_ROLE_KEY=from-dotenv\n"
                       "UNRELATED=whatever\n"
                       "\n");
    /* the process environment beats .env, .env beats the INI file */
    setenv("SUPABASE_SERVICE_ROLE_KEY", "from-process", 1);
    setenv("GAZSYNC_MIN_INTERVAL_MS", "0", 1);
    assert_int_equal(gs_config_load(&cfg, f->ini, f->env), GS_OK);
    assert_string_equal(cfg.time_zone, "America/Toronto");
    assert_int_equal(cfg.page_size, 75);
    assert_int_equal(cfg.min_interval_ms, 0);
    assert_string_equal(cfg.gazelle_url, "http://ini.example/graphql/");
    assert_int_equal(cfg.push_batch_rows, 250);
    assert_int_equal(cfg.push_batch_bytes, 1000000);
    assert_string_equal(cfg.gazelle_access_token, "tok from env file");
    assert_string_equal(cfg.gazelle_refresh_token, "ref#1");
    assert_string_equal(cfg.gazelle_client_id, "cid");
    assert_string_equal(cfg.supabase_url, "http://dotenv.example");
    assert_string_equal(cfg.supabase_key, "from-process");
    assert_null(cfg.gazelle_api_key);
    const gs_entity_policy *c = &cfg.policy[GS_ENTITY_CLIENTS];
    assert_int_equal(c->kind, GS_POLICY_ALWAYS);
    assert_int_equal(c->max_age_s, 21600);
    assert_string_equal(c->target_table, "my_clients");
    assert_string_equal(c->column_target[1], "name"); /* company_name */
    assert_string_equal(c->column_target[4], "-");    /* tags */
    assert_string_equal(c->column_target[2], "");     /* status: its own */
    assert_false(cfg.policy[GS_ENTITY_USERS].enabled);
    assert_int_equal(cfg.policy[GS_ENTITY_USERS].max_age_s, 14 * 86400);
    assert_int_equal(cfg.policy[GS_ENTITY_TIMELINE].lookback_s, 3 * 86400);
    assert_int_equal(cfg.policy[GS_ENTITY_TIMELINE].page_size, 150);
    assert_int_equal(cfg.policy[GS_ENTITY_TIMELINE].kind, GS_POLICY_SINCE);
    /* the .env file did not leak into the process environment */
    assert_null(getenv("UNRELATED"));
    assert_string_equal(getenv("SUPABASE_SERVICE_ROLE_KEY"), "from-process");
    gs_config_free(&cfg);

    /* and the process environment beats the INI file too */
    setenv("GAZELLE_API_URL", "https://env.example/graphql/private/", 1);
    setenv("GAZSYNC_TIME_ZONE", "UTC", 1);
    assert_int_equal(gs_config_load(&cfg, f->ini, NULL), GS_OK);
    assert_string_equal(cfg.gazelle_url,
                        "https://env.example/graphql/private/");
    assert_string_equal(cfg.time_zone, "UTC");
    assert_int_equal(cfg.page_size, 50);
    assert_null(cfg.gazelle_access_token);
    gs_config_free(&cfg);
}

static void expect_ini_error(fixture *f, const char *text, const char *want)
{
    gs_config cfg;
    char full[256];
    write_file(f->ini, text);
    assert_int_equal(gs_config_load(&cfg, f->ini, NULL), GS_ECONFIG);
    snprintf(full, sizeof full, "%s:%s", f->ini, want);
    if (!strstr(gs_error_last()->message, full))
        fail_msg("message '%s' lacks '%s'", gs_error_last()->message, full);
    assert_null(cfg.gazelle_url); /* freed on failure */
    gs_config_free(&cfg);
}

static void test_config_bad_ini_names_file_line_key(void **state)
{
    fixture *f = *state;
    expect_ini_error(f, "[gazsync]\npage_size = 10\npolcy = delta\n",
                     "3: unknown key 'polcy' in [gazsync]");
    expect_ini_error(f, "[entity.clients]\n\npolicy = sometimes\n",
                     "3: [entity.clients] policy: bad policy 'sometimes'");
    /* The old policy names the entity and says why it cannot work. */
    expect_ini_error(f, "[entity.pianos]\npolicy = delta\n",
                     "2: [entity.pianos] policy: policy 'delta' cannot work "
                     "on the real Gazelle API");
    expect_ini_error(f, "[entity.clients]\npolicy = window=-1d..+1d\n",
                     "2: [entity.clients] policy: clients: policy not "
                     "possible: a date window needs");
    expect_ini_error(f, "[entity.widgets]\npolicy = delta\n",
                     "2: unknown entity in section [entity.widgets]");
    expect_ini_error(f, "[wat]\nx = 1\n", "2: unknown section [wat]");
    expect_ini_error(f, "[gazsync]\npage_size = 10x\n",
                     "2: bad value for 'page_size'");
    expect_ini_error(f, "[entity.users]\nlookback = 5\n",
                     "2: bad value for 'lookback'");
    expect_ini_error(f, "[entity.users]\ntarget_table = users; drop\n",
                     "2: bad value for 'target_table'");
    expect_ini_error(f, "[entity.users]\nenabled = maybe\n",
                     "2: bad value for 'enabled'");
    expect_ini_error(f, "[entity.clients]\ncolumn.id = client_key\n",
                     "2: bad value for 'column.id'");
    expect_ini_error(f, "[entity.clients]\ncolumn.colour = hue\n",
                     "2: 'column.colour' in [entity.clients]: not a column");
    expect_ini_error(f, "[entity.clients]\ncolumn.tags = \"x\"; drop\n",
                     "2: bad value for 'column.tags'");
    expect_ini_error(f, "[gazsync]\naccess_token = abc\n",
                     "2: unknown key 'access_token' in [gazsync] (secrets");
    /* out of range (issue 11, defect 16) */
    expect_ini_error(
        f, "[entity.timeline_entries]\nlookback = 2000000w\n",
        "2: bad value for 'lookback' in [entity.timeline_entries]: "
        "'2000000w'");
    expect_ini_error(f, "[entity.clients]\nmax_age = 3661d\n",
                     "2: bad value for 'max_age' in [entity.clients]: '3661d'");
    expect_ini_error(f, "[entity.clients]\npolicy = always,max-age=99999w\n",
                     "2: [entity.clients] policy: bad policy "
                     "'always,max-age=99999w'");
    /* an unknown zone is an error naming key and value, never UTC */
    expect_ini_error(f, "[gazsync]\ntime_zone = America/Montrael\n",
                     "2: time_zone = 'America/Montrael' is not a known time "
                     "zone");
    expect_ini_error(f, "[gazsync]\ntime_zone = Mars/Olympus_Mons\n",
                     "2: time_zone = 'Mars/Olympus_Mons'");
    /* given twice: libinih alone lets the last one win */
    expect_ini_error(f,
                     "[entity.clients]\npolicy = new-rows\npolicy = always\n",
                     "3: key 'policy' in [entity.clients] given twice "
                     "(first at line 2)");
    expect_ini_error(f,
                     "[gazsync]\npage_size = 10\n[push]\nbatch_rows = 5\n"
                     "\n[gazsync]\nmin_interval_ms = 0\n",
                     "6: section [gazsync] given twice (first at line 1)");
    expect_ini_error(f, "[push]\nbatch_rows = 5\n[push]\n",
                     "3: section [push] given twice (first at line 1)");
    /* an indented line: libinih's multi-line continuation */
    expect_ini_error(f, "[entity.clients]\npolicy = always\n  page_size = 50\n",
                     "3: indented line");
    expect_ini_error(f, "[entity.clients]\npolicy = always\n\tmax_age = 6h\n",
                     "3: indented line");
    expect_ini_error(f, "[gazsync]\nthis line has no equals\n",
                     "2: syntax error");
    assert_null(strstr(gs_error_last()->message, "abc"));
}

static void test_config_missing_files(void **state)
{
    fixture *f = *state;
    gs_config cfg;
    /* a named INI that is missing is an error; a missing .env is fine */
    assert_int_equal(gs_config_load(&cfg, f->ini, NULL), GS_ECONFIG);
    assert_non_null(strstr(gs_error_last()->message, f->ini));
    gs_config_free(&cfg);
    assert_int_equal(gs_config_load(&cfg, NULL, f->env), GS_OK);
    gs_config_free(&cfg);
}

static void test_config_bad_env_values_name_variable_not_value(void **state)
{
    fixture *f = *state;
    gs_config cfg;
    setenv("GAZSYNC_PAGE_SIZE", "lots", 1);
    assert_int_equal(gs_config_load(&cfg, NULL, NULL), GS_ECONFIG);
    assert_non_null(strstr(gs_error_last()->message, "GAZSYNC_PAGE_SIZE"));
    assert_non_null(strstr(gs_error_last()->message, "environment"));
    gs_config_free(&cfg);
    unsetenv("GAZSYNC_PAGE_SIZE");

    write_file(f->env, "A=1\nGAZELLE_API_URL=ftp://secret-host/\n");
    assert_int_equal(gs_config_load(&cfg, NULL, f->env), GS_ECONFIG);
    char want[200];
    snprintf(want, sizeof want, "%s:2: GAZELLE_API_URL", f->env);
    assert_non_null(strstr(gs_error_last()->message, want));
    assert_null(strstr(gs_error_last()->message, "secret-host"));
    gs_config_free(&cfg);

    write_file(f->env, "GAZELLE_ACCESS_TOKEN=\"unterminated\n");
    assert_int_equal(gs_config_load(&cfg, NULL, f->env), GS_ECONFIG);
    assert_non_null(strstr(gs_error_last()->message, ":1: "));
    assert_null(strstr(gs_error_last()->message, "unterminated\""));
    gs_config_free(&cfg);

    write_file(f->env, "just some words\n");
    assert_int_equal(gs_config_load(&cfg, NULL, f->env), GS_ECONFIG);
    assert_non_null(strstr(gs_error_last()->message, ":1: expected KEY=VALUE"));
    gs_config_free(&cfg);
    /* a time zone is no secret: the message names it */
    write_file(f->env, "GAZSYNC_TIME_ZONE=America/Montrael\n");
    assert_int_equal(gs_config_load(&cfg, NULL, f->env), GS_ECONFIG);
    snprintf(want, sizeof want,
             "%s:1: GAZSYNC_TIME_ZONE 'America/Montrael' is not a known time "
             "zone",
             f->env);
    assert_non_null(strstr(gs_error_last()->message, want));
    gs_config_free(&cfg);
    write_file(f->env, "GAZSYNC_TIME_ZONE=Europe/Paris\n");
    assert_int_equal(gs_config_load(&cfg, NULL, f->env), GS_OK);
    assert_string_equal(cfg.time_zone, "Europe/Paris");
    gs_config_free(&cfg);
}

/* Packed requests (issue 13): on by default, 2000 nodes, no bound on
 * requests; the INI sets them, the environment wins, bad values name the
 * key or variable. */
static void test_config_packing_keys(void **state)
{
    fixture *f = *state;
    gs_config cfg;

    assert_int_equal(gs_config_load(&cfg, NULL, NULL), GS_OK);
    assert_int_equal(cfg.pack, 1);
    assert_int_equal(cfg.request_nodes, 2000);
    assert_int_equal(cfg.max_requests, 0);
    gs_config_free(&cfg);
    write_file(f->ini, "[gazsync]\npack = off\nrequest_nodes = 600\n"
                       "max_requests = 40\n");
    assert_int_equal(gs_config_load(&cfg, f->ini, NULL), GS_OK);
    assert_int_equal(cfg.pack, 0);
    assert_int_equal(cfg.request_nodes, 600);
    assert_int_equal(cfg.max_requests, 40);
    gs_config_free(&cfg);
    setenv("GAZSYNC_PACK", "on", 1);
    setenv("GAZSYNC_REQUEST_NODES", "700", 1);
    assert_int_equal(gs_config_load(&cfg, f->ini, NULL), GS_OK);
    assert_int_equal(cfg.pack, 1);
    assert_int_equal(cfg.request_nodes, 700);
    gs_config_free(&cfg);
    setenv("GAZSYNC_PACK", "sometimes", 1);
    assert_int_equal(gs_config_load(&cfg, NULL, NULL), GS_ECONFIG);
    assert_non_null(strstr(gs_error_last()->message, "GAZSYNC_PACK"));
    assert_non_null(strstr(gs_error_last()->message, "on or off"));
    gs_config_free(&cfg);
    unsetenv("GAZSYNC_PACK");
    unsetenv("GAZSYNC_REQUEST_NODES");
    write_file(f->ini, "[gazsync]\nrequest_nodes = 0\n");
    assert_int_equal(gs_config_load(&cfg, f->ini, NULL), GS_ECONFIG);
    assert_non_null(strstr(gs_error_last()->message, "request_nodes"));
    gs_config_free(&cfg);
    write_file(f->ini, "[gazsync]\npack = maybe\n");
    assert_int_equal(gs_config_load(&cfg, f->ini, NULL), GS_ECONFIG);
    assert_non_null(strstr(gs_error_last()->message, "pack"));
    gs_config_free(&cfg);
}

static void test_config_dotenv_quoting(void **state)
{
    fixture *f = *state;
    gs_config cfg;
    write_file(f->env, "GAZELLE_CLIENT_SECRET=\"a \\\"b\\\" \\\\ c\"\n"
                       "GAZELLE_API_KEY='lit $x \\n' # comment\n"
                       "GAZELLE_CLIENT_ID=plain#nocomment\n"
                       "GAZELLE_ACCESS_TOKEN=\n");
    assert_int_equal(gs_config_load(&cfg, NULL, f->env), GS_OK);
    assert_string_equal(cfg.gazelle_client_secret, "a \"b\" \\ c");
    assert_string_equal(cfg.gazelle_api_key, "lit $x \\n");
    assert_string_equal(cfg.gazelle_client_id, "plain#nocomment");
    assert_null(cfg.gazelle_access_token); /* empty means unset */
    gs_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_config_defaults),
        T(test_config_ini_env_precedence),
        T(test_config_bad_ini_names_file_line_key),
        T(test_config_missing_files),
        T(test_config_bad_env_values_name_variable_not_value),
        T(test_config_dotenv_quoting),
        T(test_config_packing_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

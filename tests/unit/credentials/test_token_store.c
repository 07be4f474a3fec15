/* The token store (engine/credentials): the token file's round trip, its
 * mode and atomic replacement, the choice between the saved tokens and the
 * environment's (the fingerprint), the save callback, the move out of an
 * older cache's meta, and the path rule. A real cache and files in a
 * temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../store/test_store_util.h"
#include "gazsync/tokens.h"

typedef struct {
    store_fixture *sf;
    char path[600];
    gs_token_store store;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    void *sf = NULL;

    if (!f || fixture_open(&sf) != 0)
        return -1;
    f->sf = sf;
    snprintf(f->path, sizeof f->path, "%s.tokens", f->sf->path);
    f->store.path = f->path;
    f->store.env_access_token = "acc-env-1";
    f->store.env_refresh_token = "ref-env-1";
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    void *sf = f->sf;

    fixture_close(&sf);
    free(f);
    return 0;
}

static int file_mode(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return (int)(st.st_mode & 07777);
}

static void test_token_file_round_trip_is_private(void **state)
{
    fixture *f = *state;
    gs_tokens in = {"acc-1", "ref-1", "fnv1a64:0123456789abcdef"};
    gs_tokens out;
    int shared = -1;
    char tmp[700];

    assert_int_equal(gs_tokens_write(f->path, &in), GS_OK);
    assert_int_equal(file_mode(f->path), 0600);
    /* the temporary file was renamed, not left beside it */
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", f->path, (long)getpid());
    assert_int_not_equal(access(tmp, F_OK), 0);
    assert_int_equal(gs_tokens_read(&out, &shared, f->path), GS_OK);
    assert_string_equal(out.access_token, "acc-1");
    assert_string_equal(out.refresh_token, "ref-1");
    assert_string_equal(out.fingerprint, "fnv1a64:0123456789abcdef");
    assert_int_equal(shared, 0);
    gs_tokens_free(&out);
    assert_null(out.access_token);

    /* replaced whole: a token left out is gone, not kept from before */
    in.refresh_token = NULL;
    assert_int_equal(gs_tokens_write(f->path, &in), GS_OK);
    assert_int_equal(gs_tokens_read(&out, NULL, f->path), GS_OK);
    assert_string_equal(out.access_token, "acc-1");
    assert_null(out.refresh_token);
    gs_tokens_free(&out);
}

static void test_token_file_missing_reads_as_none(void **state)
{
    fixture *f = *state;
    gs_tokens out;
    int shared = -1;

    assert_int_equal(gs_tokens_read(&out, &shared, f->path), GS_OK);
    assert_null(out.access_token);
    assert_null(out.refresh_token);
    assert_null(out.fingerprint);
    assert_int_equal(shared, 0);
}

static void test_token_file_shared_mode_is_reported(void **state)
{
    fixture *f = *state;
    gs_tokens in = {"acc-1", "ref-1", NULL};
    gs_tokens out;
    int shared = 0;

    assert_int_equal(gs_tokens_write(f->path, &in), GS_OK);
    assert_int_equal(chmod(f->path, 0644), 0);
    assert_int_equal(gs_tokens_read(&out, &shared, f->path), GS_OK);
    assert_int_equal(shared, 1);
    gs_tokens_free(&out);
}

/* A token the .env format cannot hold literally is refused, and the file
 * keeps the pair it had. */
static void test_token_file_refuses_a_quote_and_keeps_the_old(void **state)
{
    fixture *f = *state;
    gs_tokens good = {"acc-1", "ref-1", NULL};
    gs_tokens bad = {"acc'2", "ref-2", NULL};
    gs_tokens out;

    assert_int_equal(gs_tokens_write(f->path, &good), GS_OK);
    assert_int_equal(gs_tokens_write(f->path, &bad), GS_EPROTO);
    assert_int_equal(gs_tokens_read(&out, NULL, f->path), GS_OK);
    assert_string_equal(out.access_token, "acc-1");
    assert_string_equal(out.refresh_token, "ref-1");
    gs_tokens_free(&out);
}

/* Nothing saved: the environment's tokens. */
static void test_pick_without_a_file_uses_the_environment(void **state)
{
    fixture *f = *state;
    gs_token_choice choice;

    assert_int_equal(gs_token_store_pick(&choice, &f->store, f->sf->store),
                     GS_OK);
    assert_int_equal(choice.source, GS_TOKENS_FROM_ENV);
    assert_string_equal(choice.access_token, "acc-env-1");
    assert_string_equal(choice.refresh_token, "ref-env-1");
    assert_false(choice.migrated);
    gs_token_choice_free(&choice);
    assert_null(choice.access_token);
}

/* After a refresh the saved pair wins over the spent environment's; once
 * the environment has new credentials, the environment wins. */
static void test_pick_prefers_saved_until_the_environment_changes(void **state)
{
    fixture *f = *state;
    gs_token_choice choice;

    assert_int_equal(gs_token_store_save(&f->store, "acc-new", "ref-new"),
                     GS_OK);
    assert_int_equal(file_mode(f->path), 0600);
    assert_int_equal(gs_token_store_pick(&choice, &f->store, NULL), GS_OK);
    assert_int_equal(choice.source, GS_TOKENS_FROM_FILE);
    assert_string_equal(choice.access_token, "acc-new");
    assert_string_equal(choice.refresh_token, "ref-new");
    gs_token_choice_free(&choice);

    f->store.env_access_token = "acc-reauthorised";
    f->store.env_refresh_token = "ref-reauthorised";
    assert_int_equal(gs_token_store_pick(&choice, &f->store, NULL), GS_OK);
    assert_int_equal(choice.source, GS_TOKENS_ENV_CHANGED);
    assert_string_equal(choice.access_token, "acc-reauthorised");
    assert_string_equal(choice.refresh_token, "ref-reauthorised");
    gs_token_choice_free(&choice);
}

/* A refresh that returns only an access token keeps the file's refresh
 * token, and the fingerprint saved is the environment's. */
static void test_save_keeps_the_refresh_token_it_was_not_given(void **state)
{
    fixture *f = *state;
    gs_tokens out;
    char fingerprint[32];

    assert_int_equal(gs_token_store_save(&f->store, "acc-a", "ref-a"), GS_OK);
    assert_int_equal(gs_token_store_save(&f->store, "acc-b", NULL), GS_OK);
    assert_int_equal(gs_tokens_read(&out, NULL, f->path), GS_OK);
    assert_string_equal(out.access_token, "acc-b");
    assert_string_equal(out.refresh_token, "ref-a");
    gs_tokens_fingerprint(fingerprint, "acc-env-1", "ref-env-1", NULL);
    assert_string_equal(out.fingerprint, fingerprint);
    gs_tokens_free(&out);
}

static void test_fingerprint_separates_its_parts(void **state)
{
    char a[32], b[32], c[32];

    (void)state;
    gs_tokens_fingerprint(a, "ab", "c", NULL);
    gs_tokens_fingerprint(b, "a", "bc", NULL);
    gs_tokens_fingerprint(c, "ab", "c", "");
    assert_string_not_equal(a, b);
    assert_string_equal(a, c); /* NULL counts as empty */
    assert_int_equal(strncmp(a, "fnv1a64:", 8), 0);
    assert_int_equal(strlen(a), 8 + 16);
}

/* Tokens an older gazsync left in meta move to the file and leave the
 * cache; the choice then uses them. */
static void test_pick_moves_tokens_out_of_the_cache(void **state)
{
    fixture *f = *state;
    gs_token_choice choice;
    char *left = NULL;
    gs_store *cache = f->sf->store;

    assert_int_equal(
        gs_store_meta_set(cache, "gazelle.access_token", "acc-meta"), GS_OK);
    assert_int_equal(
        gs_store_meta_set(cache, "gazelle.refresh_token", "ref-meta"), GS_OK);
    assert_int_equal(gs_token_store_pick(&choice, &f->store, cache), GS_OK);
    assert_true(choice.migrated);
    assert_int_equal(choice.source, GS_TOKENS_FROM_FILE);
    assert_string_equal(choice.access_token, "acc-meta");
    gs_token_choice_free(&choice);
    assert_int_equal(file_mode(f->path), 0600);
    assert_int_equal(gs_store_meta_get(&left, cache, "gazelle.access_token"),
                     GS_OK);
    assert_null(left);
    assert_int_equal(gs_store_meta_get(&left, cache, "gazelle.refresh_token"),
                     GS_OK);
    assert_null(left);
    /* a second run has nothing to move */
    assert_int_equal(gs_token_store_pick(&choice, &f->store, cache), GS_OK);
    assert_false(choice.migrated);
    gs_token_choice_free(&choice);
}

static void test_token_path_default_override_and_length(void **state)
{
    char out[64], tiny[8];

    (void)state;
    assert_int_equal(gs_token_path(out, sizeof out, "c.db", NULL), GS_OK);
    assert_string_equal(out, "c.db.tokens");
    assert_int_equal(gs_token_path(out, sizeof out, "c.db", ""), GS_OK);
    assert_string_equal(out, "c.db.tokens");
    assert_int_equal(gs_token_path(out, sizeof out, "c.db", "/run/t"), GS_OK);
    assert_string_equal(out, "/run/t");
    assert_int_equal(gs_token_path(tiny, sizeof tiny, "cache.db", NULL),
                     GS_ECONFIG);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_token_file_round_trip_is_private),
        T(test_token_file_missing_reads_as_none),
        T(test_token_file_shared_mode_is_reported),
        T(test_token_file_refuses_a_quote_and_keeps_the_old),
        T(test_pick_without_a_file_uses_the_environment),
        T(test_pick_prefers_saved_until_the_environment_changes),
        T(test_save_keeps_the_refresh_token_it_was_not_given),
        cmocka_unit_test(test_fingerprint_separates_its_parts),
        T(test_pick_moves_tokens_out_of_the_cache),
        cmocka_unit_test(test_token_path_default_override_and_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

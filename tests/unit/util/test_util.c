/* The ground floor's one hash, one table-name rule, one secret wipe and the
 * version (engine/util/hash.c, ident.c, secret.c, version.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazsync/version.h"
#include "hash.h"
#include "ident.h"
#include "secret.h"

/* Published FNV-1a 64 test vectors: the cache's row_hash depends on them. */
static void test_hash_matches_the_published_vectors(void **state)
{
    (void)state;
    assert_true(gs_hash_fnv1a("", 0) == 0xcbf29ce484222325ULL);
    assert_true(gs_hash_fnv1a("a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(gs_hash_fnv1a("foobar", 6) == 0x85944171f73967e8ULL);
}

static void test_hash_in_parts_equals_hash_of_the_whole(void **state)
{
    uint64_t h = gs_hash_continue(GS_HASH_INIT, "foo", 3);

    (void)state;
    assert_true(gs_hash_continue(h, "bar", 3) == gs_hash_fnv1a("foobar", 6));
}

static void test_table_name_rule(void **state)
{
    char longest[GS_TABLE_NAME_SIZE + 1];

    (void)state;
    assert_true(gs_table_name_valid("gazelle_clients"));
    assert_true(gs_table_name_valid("_t2"));
    assert_false(gs_table_name_valid(NULL));
    assert_false(gs_table_name_valid(""));
    assert_false(gs_table_name_valid("2t"));
    assert_false(gs_table_name_valid("Clients"));
    assert_false(gs_table_name_valid("a-b"));
    assert_false(gs_table_name_valid("a;drop"));
    memset(longest, 'a', sizeof longest);
    longest[GS_TABLE_NAME_SIZE - 1] = '\0';
    assert_true(gs_table_name_valid(longest));
    longest[GS_TABLE_NAME_SIZE - 1] = 'a';
    longest[GS_TABLE_NAME_SIZE] = '\0';
    assert_false(gs_table_name_valid(longest));
}

static void test_secret_wipe_zeroes_and_accepts_null(void **state)
{
    char key[] = "service-role-key";

    (void)state;
    gs_secret_wipe(key, sizeof key);
    for (size_t i = 0; i < sizeof key; i++)
        assert_int_equal(key[i], 0);
    gs_secret_wipe(NULL, 4);
    gs_secret_free(NULL);
    gs_secret_free(strdup("token")); /* LeakSanitizer checks the free */
}

static void test_version_is_the_header_version(void **state)
{
    (void)state;
    assert_string_equal(gs_version(), GAZSYNC_VERSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_matches_the_published_vectors),
        cmocka_unit_test(test_hash_in_parts_equals_hash_of_the_whole),
        cmocka_unit_test(test_table_name_rule),
        cmocka_unit_test(test_secret_wipe_zeroes_and_accepts_null),
        cmocka_unit_test(test_version_is_the_header_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

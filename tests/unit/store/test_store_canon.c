/* store/canon.c: the canonical text equals jansson's sorted compact dump. */
#include "test_store_util.h"

static void check_same_as_jansson(json_t *value)
{
    gs_buf out = GS_BUF_INIT;
    char *want =
        json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

    assert_non_null(want);
    assert_int_equal(gs__store_canonical(&out, value), GS_OK);
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.data, want, strlen(want));
    free(want);
    gs_buf_free(&out);
}

static void test_canonical_matches_jansson_on_mixed_nodes(void **state)
{
    static const char *const cases[] = {
        "{}",
        "[]",
        "{\"b\":1,\"a\":[true,false,null,{\"z\":\"x\",\"y\":-7}],\"c\":{}}",
        "{\"s\":\"quote \\\" back \\\\ slash / tab\\t nl\\n cr\\r \\b \\f\"}",
        "{\"ctl\":\"\\u0001\\u001f\\u007f\",\"uni\":\"caf\\u00e9 \\u2028 "
        "\\ud83c\\udfb9\"}",
        "{\"r\":1.5,\"big\":1e300,\"whole\":3.0,\"neg\":-0.000001,"
        "\"i\":9223372036854775807,\"m\":-9223372036854775807}",
        "[1e-300,-1e20,1.25e-5,123456789012345678.0,0.0,-0.0,2.5e10]",
        "{\"ab\":1,\"a\":2,\"b\":3,\"A\":4,\"\":5,\"a0\":6}",
        "{\"k\":{\"nodes\":[{\"piano\":{\"id\":\"pia_1\"}},{\"piano\":null}]}}",
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *value = node_of(cases[i]);
        check_same_as_jansson(value);
        json_decref(value);
    }
}

static void test_canonical_sorts_objects_larger_than_the_stack(void **state)
{
    json_t *value = json_object();

    (void)state;
    for (int i = 100; i > 0; i--) {
        char key[16];
        snprintf(key, sizeof key, "k%03d", i);
        json_object_set_new(value, key, json_integer(i));
    }
    check_same_as_jansson(value);
    json_decref(value);
}

static void test_canonical_keeps_nul_bytes(void **state)
{
    json_t *value = node_of("{\"a\":\"x\\u0000y\"}");
    gs_buf out = GS_BUF_INIT;

    (void)state;
    assert_int_equal(gs__store_canonical(&out, value), GS_OK);
    assert_int_equal(out.len, strlen("{\"a\":\"x\\u0000y\"}"));
    assert_memory_equal(out.data, "{\"a\":\"x\\u0000y\"}", out.len);
    gs_buf_free(&out);
    json_decref(value);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_matches_jansson_on_mixed_nodes),
        cmocka_unit_test(test_canonical_sorts_objects_larger_than_the_stack),
        cmocka_unit_test(test_canonical_keeps_nul_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

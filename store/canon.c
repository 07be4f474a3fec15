/* The canonical text of a node: compact JSON with object keys sorted
 * bytewise, the same text jansson's json_dumps(JSON_COMPACT |
 * JSON_SORT_KEYS) gives (test_canon.c checks), written straight into a
 * reused buffer. Why not json_dumps: it is on the hot path of every pulled
 * row, and jansson's dump calls back per token and allocates per object; this
 * writer appends runs of plain bytes at once and sorts keys on the stack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct {
    const char *key;
    size_t len;
    json_t *value;
} member;

static int cmp_member(const void *a, const void *b)
{
    const member *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, n);

    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* A JSON string: runs of bytes that need no escape are appended whole. */
static int put_string(gs_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF"; /* as jansson */
    size_t run = 0, i;
    int rc = gs_buf_append(out, "\"", 1);

    for (i = 0; i < len && rc == GS_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[6] = {'\\', 0, '0', '0', 0, 0};
        size_t esc_len = 2;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rc = gs_buf_append(out, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            esc_len = 6;
        }
        if (rc == GS_OK)
            rc = gs_buf_append(out, esc, esc_len);
    }
    if (rc == GS_OK)
        rc = gs_buf_append(out, s + run, len - run);
    if (rc == GS_OK)
        rc = gs_buf_append(out, "\"", 1);
    return rc;
}

static int put_real(gs_buf *out, double value)
{
    char text[64];
    int n = snprintf(text, sizeof text, "%.17g", value);

    if (n < 0 || (size_t)n >= sizeof text)
        return GS_EINVAL;
    char *e = strchr(text, 'e');

    /* As jansson: "e+300" -> "e300", "e-07" -> "e-7". */
    if (e) {
        char *digits = e + 1 + (e[1] == '-');
        char *from = e + 1;

        while (*from == '+')
            from++;
        if (e[1] == '-')
            from = digits;
        while (*from == '0' && from[1])
            from++;
        memmove(e[1] == '-' ? digits : e + 1, from, strlen(from) + 1);
        n = (int)strlen(text);
    }
    /* As jansson: a real always reads back as a real. */
    if (!strpbrk(text, ".eE")) {
        if ((size_t)n + 2 >= sizeof text)
            return GS_EINVAL;
        memcpy(text + n, ".0", 3);
        n += 2;
    }
    return gs_buf_append(out, text, (size_t)n);
}

static int put_value(gs_buf *out, json_t *value);

static int put_object(gs_buf *out, json_t *object)
{
    member stack[32], *members = stack;
    size_t n = json_object_size(object), i = 0;
    void *iter;
    int rc = GS_OK;

    if (n > sizeof stack / sizeof stack[0] &&
        !(members = malloc(n * sizeof *members)))
        return GS_ENOMEM;
    for (iter = json_object_iter(object); iter && i < n;
         iter = json_object_iter_next(object, iter), i++) {
        members[i].key = json_object_iter_key(iter);
        members[i].len = json_object_iter_key_len(iter);
        members[i].value = json_object_iter_value(iter);
    }
    n = i;
    qsort(members, n, sizeof *members, cmp_member);
    rc = gs_buf_append(out, "{", 1);
    for (i = 0; i < n && rc == GS_OK; i++) {
        if (i)
            rc = gs_buf_append(out, ",", 1);
        if (rc == GS_OK)
            rc = put_string(out, members[i].key, members[i].len);
        if (rc == GS_OK)
            rc = gs_buf_append(out, ":", 1);
        if (rc == GS_OK)
            rc = put_value(out, members[i].value);
    }
    if (rc == GS_OK)
        rc = gs_buf_append(out, "}", 1);
    if (members != stack)
        free(members);
    return rc;
}

static int put_value(gs_buf *out, json_t *value)
{
    char text[32];
    int rc = GS_OK, n;
    size_t i;

    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return put_object(out, value);
    case JSON_ARRAY:
        rc = gs_buf_append(out, "[", 1);
        for (i = 0; i < json_array_size(value) && rc == GS_OK; i++) {
            if (i)
                rc = gs_buf_append(out, ",", 1);
            if (rc == GS_OK)
                rc = put_value(out, json_array_get(value, i));
        }
        return rc == GS_OK ? gs_buf_append(out, "]", 1) : rc;
    case JSON_STRING:
        return put_string(out, json_string_value(value),
                          json_string_length(value));
    case JSON_INTEGER:
        n = snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT,
                     json_integer_value(value));
        return gs_buf_append(out, text, (size_t)n);
    case JSON_REAL:
        return put_real(out, json_real_value(value));
    case JSON_TRUE:
        return gs_buf_append(out, "true", 4);
    case JSON_FALSE:
        return gs_buf_append(out, "false", 5);
    case JSON_NULL:
        return gs_buf_append(out, "null", 4);
    }
    return GS_EINVAL;
}

int gs__store_canonical(gs_buf *out, json_t *value)
{
    gs_buf_reset(out);
    if (!value || put_value(out, value) != GS_OK || !out->data)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS,
                            "out of memory writing a node");
    return GS_OK;
}

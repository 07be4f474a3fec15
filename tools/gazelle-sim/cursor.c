#include "cursor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void gsim_cursor_encode(char out[GSIM_CURSOR_MAX], gsim_kind kind,
                        gsim_sort_key sort, int64_t key, uint64_t id)
{
    char plain[64];
    int n = snprintf(plain, sizeof(plain), "v1:%d:%d:%lld:%llu", (int)kind,
                     (int)sort, (long long)key, (unsigned long long)id);
    size_t o = 0;
    for (int i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)plain[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)(unsigned char)plain[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)plain[i + 2];
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = b64[(v >> 6) & 63];
        if (i + 2 < n)
            out[o++] = b64[v & 63];
    }
    out[o] = '\0';
}

int gsim_cursor_decode(const char *text, gsim_kind kind, gsim_sort_key sort,
                       int64_t *key, uint64_t *id)
{
    char plain[GSIM_CURSOR_MAX];
    size_t len = strlen(text), o = 0;
    if (len == 0 || len >= GSIM_CURSOR_MAX || len % 4 == 1)
        return -1;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        const char *at = strchr(b64, text[i]);
        if (!at || !text[i])
            return -1;
        acc = (acc << 6) | (uint32_t)(at - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            plain[o++] = (char)((acc >> bits) & 0xFF);
        }
    }
    plain[o] = '\0';
    int k, s;
    long long kv;
    unsigned long long iv;
    char tail;
    if (sscanf(plain, "v1:%d:%d:%lld:%llu%c", &k, &s, &kv, &iv, &tail) != 4)
        return -1;
    if (k != (int)kind || s != (int)sort)
        return -1;
    *key = kv;
    *id = iv;
    return 0;
}

#include "json_out.h"

#include <stdio.h>
#include <string.h>

void gsim_out_grow_append(gsim_out *o, const char *text, size_t len)
{
    if (gs_buf_append(&o->buf, text, len) != 0)
        o->failed = 1;
}

void gsim_out_puts(gsim_out *o, const char *text)
{
    gsim_out_raw(o, text, strlen(text));
}

void gsim_out_str(gsim_out *o, const char *text)
{
    if (!text) {
        gsim_out_raw(o, "null", 4);
        return;
    }
    gsim_out_raw(o, "\"", 1);
    const char *run = text, *p = text;
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        gsim_out_raw(o, run, (size_t)(p - run));
        char esc[8];
        switch (c) {
        case '"':
            gsim_out_raw(o, "\\\"", 2);
            break;
        case '\\':
            gsim_out_raw(o, "\\\\", 2);
            break;
        case '\n':
            gsim_out_raw(o, "\\n", 2);
            break;
        case '\r':
            gsim_out_raw(o, "\\r", 2);
            break;
        case '\t':
            gsim_out_raw(o, "\\t", 2);
            break;
        default:
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            gsim_out_raw(o, esc, 6);
        }
        run = p + 1;
    }
    gsim_out_raw(o, run, (size_t)(p - run));
    gsim_out_raw(o, "\"", 1);
}

void gsim_out_int(gsim_out *o, int64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof(text), "%lld", (long long)v);
    gsim_out_raw(o, text, (size_t)n);
}

void gsim_out_bool(gsim_out *o, int v)
{
    if (v)
        gsim_out_raw(o, "true", 4);
    else
        gsim_out_raw(o, "false", 5);
}

void gsim_out_key(gsim_out *o, int *first, const char *key)
{
    if (!*first)
        gsim_out_raw(o, ",", 1);
    *first = 0;
    gsim_out_str(o, key);
    gsim_out_raw(o, ":", 1);
}

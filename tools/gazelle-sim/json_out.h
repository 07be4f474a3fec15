/* A JSON writer for answers. Why not jansson here: a page is written field
 * by field in the order the query selected them, straight into one buffer;
 * building a jansson tree per node and dumping it would cost several times
 * more for the same bytes (the sim must never be a benchmark's bottleneck).
 * Requests are still parsed with jansson. A failed allocation is remembered
 * and reported once at the end. */
#ifndef GSIM_JSON_OUT_H
#define GSIM_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"

typedef struct {
    gs_buf buf;
    int failed;
} gsim_out;

/* The slow path of gsim_out_raw: grows the buffer. */
void gsim_out_grow_append(gsim_out *o, const char *text, size_t len);
/* Appends bytes. Inline because an answer is thousands of tiny appends
 * ("{", a key, a comma); only a full buffer takes the call. */
static inline void gsim_out_raw(gsim_out *o, const char *text, size_t len)
{
    gs_buf *b = &o->buf;
    if (b->data && b->len + len < b->cap) {
        memcpy(b->data + b->len, text, len);
        b->len += len;
        b->data[b->len] = '\0';
        return;
    }
    gsim_out_grow_append(o, text, len);
}
void gsim_out_puts(gsim_out *o, const char *text);
/* A JSON string, or null when text is NULL. */
void gsim_out_str(gsim_out *o, const char *text);
void gsim_out_int(gsim_out *o, int64_t v);
void gsim_out_bool(gsim_out *o, int v);
/* Writes "," unless *first, then "key":. */
void gsim_out_key(gsim_out *o, int *first, const char *key);

#endif

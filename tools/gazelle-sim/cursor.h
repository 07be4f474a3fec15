/* Opaque keyset cursors: base64url of "v1:<kind>:<sort key>:<key>:<id>".
 * A cursor names the exact (key, id) place of the last row a client saw, so
 * the next page starts right after it whatever was inserted, deleted or
 * moved meanwhile; it never counts rows (an offset would skip or repeat). */
#ifndef GSIM_CURSOR_H
#define GSIM_CURSOR_H

#include <stdint.h>

#include "dataset.h"

enum { GSIM_CURSOR_MAX = 96 };

void gsim_cursor_encode(char out[GSIM_CURSOR_MAX], gsim_kind kind,
                        gsim_sort_key sort, int64_t key, uint64_t id);
/* 0, or -1 when the text is not a cursor of this kind and sort key. */
int gsim_cursor_decode(const char *text, gsim_kind kind, gsim_sort_key sort,
                       int64_t *key, uint64_t *id);

#endif

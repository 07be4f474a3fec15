#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gsim_arena_chunk {
    gsim_arena_chunk *next;
    size_t used;
    size_t cap;
    _Alignas(8) unsigned char bytes[];
};

enum { CHUNK_SIZE = 64 * 1024 };

void *gsim_arena_alloc(gsim_arena *arena, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    gsim_arena_chunk *chunk = arena->head;
    if (!chunk || chunk->cap - chunk->used < size) {
        size_t cap = size > CHUNK_SIZE ? size : CHUNK_SIZE;
        chunk = malloc(sizeof(*chunk) + cap);
        if (!chunk)
            return NULL;
        chunk->used = 0;
        chunk->cap = cap;
        /* A big one-off block goes behind the head so the head's free space
         * stays usable for the small allocations that follow. */
        if (arena->head && size > CHUNK_SIZE) {
            chunk->next = arena->head->next;
            arena->head->next = chunk;
        } else {
            chunk->next = arena->head;
            arena->head = chunk;
        }
    }
    void *out = chunk->bytes + chunk->used;
    chunk->used += size;
    memset(out, 0, size);
    return out;
}

char *gsim_arena_strndup(gsim_arena *arena, const char *text, size_t len)
{
    char *out = gsim_arena_alloc(arena, len + 1);
    if (!out)
        return NULL;
    memcpy(out, text, len);
    out[len] = '\0';
    return out;
}

char *gsim_arena_strdup(gsim_arena *arena, const char *text)
{
    return gsim_arena_strndup(arena, text, strlen(text));
}

char *gsim_arena_printf(gsim_arena *arena, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *out = gsim_arena_alloc(arena, (size_t)n + 1);
    if (!out)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

void gsim_arena_free(gsim_arena *arena)
{
    gsim_arena_chunk *chunk = arena->head;
    while (chunk) {
        gsim_arena_chunk *next = chunk->next;
        free(chunk);
        chunk = next;
    }
    arena->head = NULL;
}

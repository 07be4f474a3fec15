/* A bump allocator: many small allocations freed together. The GraphQL AST
 * of one request and the dataset's text both live in one, so freeing them is
 * one call and LeakSanitizer has nothing to chase. */
#ifndef GSIM_ARENA_H
#define GSIM_ARENA_H

#include <stddef.h>

typedef struct gsim_arena_chunk gsim_arena_chunk;

typedef struct {
    gsim_arena_chunk *head;
} gsim_arena;

#define GSIM_ARENA_INIT {NULL}

/* Zeroed memory, 8-byte aligned, or NULL when out of memory. */
void *gsim_arena_alloc(gsim_arena *arena, size_t size);
/* A NUL-terminated copy of len bytes of text. */
char *gsim_arena_strndup(gsim_arena *arena, const char *text, size_t len);
char *gsim_arena_strdup(gsim_arena *arena, const char *text);
/* printf into the arena. */
char *gsim_arena_printf(gsim_arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gsim_arena_free(gsim_arena *arena);

#endif

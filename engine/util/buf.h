/* A growable byte buffer, always NUL-terminated: the one helper for building
 * strings, request bodies and SQL-free text. Private to gazsync_core and the
 * tools that link it. */
#ifndef GS_BUF_H
#define GS_BUF_H

#include <stddef.h>

/* The ground floor keeps short names in the source (the simulator and the
 * PostgREST double use them too); the linker sees them with the one
 * private prefix, gs__, so that nothing the library exports looks public
 * without being in include/gazsync/ (test_structure_symbols). */
#define gs_buf_append gs__buf_append
#define gs_buf_puts gs__buf_puts
#define gs_buf_printf gs__buf_printf
#define gs_buf_reset gs__buf_reset
#define gs_buf_detach gs__buf_detach
#define gs_buf_free gs__buf_free
#define gs_copy_text gs__copy_text

typedef struct {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len; /* bytes before the NUL */
    size_t cap;
} gs_buf;

#define GS_BUF_INIT                                                            \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

/* Each returns 0 or GS_ENOMEM. */
int gs_buf_append(gs_buf *buf, const void *bytes, size_t len);
int gs_buf_puts(gs_buf *buf, const char *text);
int gs_buf_printf(gs_buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Empties the buffer, keeping its memory. */
void gs_buf_reset(gs_buf *buf);
/* Hands the string to the caller (free() it); the buffer is left empty. */
char *gs_buf_detach(gs_buf *buf);
void gs_buf_free(gs_buf *buf);

/* Copies @src into the fixed array @dst of @size bytes, truncating, always
 * NUL-terminated: for the bounded text fields of reports and states. */
void gs_copy_text(char *dst, size_t size, const char *src);
#endif

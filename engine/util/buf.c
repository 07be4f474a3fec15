#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazsync/error.h"

static int grow(gs_buf *buf, size_t extra)
{
    size_t need = buf->len + extra + 1;
    size_t cap = buf->cap ? buf->cap : 64;
    char *data;

    if (need < buf->len)
        return GS_ENOMEM;
    if (need <= buf->cap)
        return GS_OK;
    while (cap < need)
        cap *= 2;
    data = realloc(buf->data, cap);
    if (!data)
        return GS_ENOMEM;
    buf->data = data;
    buf->cap = cap;
    return GS_OK;
}

int gs_buf_append(gs_buf *buf, const void *bytes, size_t len)
{
    if (grow(buf, len) != GS_OK)
        return GS_ENOMEM;
    if (len)
        memcpy(buf->data + buf->len, bytes, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return GS_OK;
}

int gs_buf_puts(gs_buf *buf, const char *text)
{
    return gs_buf_append(buf, text, strlen(text));
}

int gs_buf_printf(gs_buf *buf, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || grow(buf, (size_t)n) != GS_OK)
        return GS_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return GS_OK;
}

void gs_buf_reset(gs_buf *buf)
{
    buf->len = 0;
    if (buf->data)
        buf->data[0] = '\0';
}

char *gs_buf_detach(gs_buf *buf)
{
    char *data = buf->data;

    if (!data)
        data = calloc(1, 1);
    buf->data = NULL;
    buf->len = buf->cap = 0;
    return data;
}

void gs_buf_free(gs_buf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

void gs_copy_text(char *dst, size_t size, const char *src)
{
    size_t len;

    if (size == 0)
        return;
    len = src ? strnlen(src, size - 1) : 0;
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

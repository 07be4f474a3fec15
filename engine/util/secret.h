/* The one way to wipe a secret (tokens, keys, a .env's values): explicit_bzero,
 * which the compiler may not remove the way it removes a memset of memory
 * that is freed right after. */
#ifndef GS_SECRET_H
#define GS_SECRET_H

#include <stddef.h>

/* Short names in the source, the private prefix gs__ at link time (buf.h
 * says why). */
#define gs_secret_wipe gs__secret_wipe
#define gs_secret_free gs__secret_free

/* Overwrites the @p len bytes at @p bytes with zeros; NULL is fine. */
void gs_secret_wipe(void *bytes, size_t len);
/* Wipes the NUL-terminated @p text, then frees it; NULL is fine. */
void gs_secret_free(char *text);

#endif

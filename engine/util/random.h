/* Random bytes from the operating system, portably (random.c). */
#ifndef GS_RANDOM_H
#define GS_RANDOM_H

#include <stddef.h>

/* Fills @p out with @p size bytes fit for ids (a UUID): GS_OK, or GS_EIO
 * with the reason when the system has none to give. */
int gs__random_bytes(void *out, size_t size);

#endif

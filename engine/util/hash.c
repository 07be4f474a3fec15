/* FNV-1a, 64 bits (http://www.isthe.com/chongo/tech/comp/fnv/). A collision
 * would need a row's new content to hash like its previous content: 2^-64
 * per change. */
#include "hash.h"

#define FNV_PRIME 0x100000001b3ULL

uint64_t gs_hash_continue(uint64_t hash, const void *bytes, size_t len)
{
    const unsigned char *p = bytes;

    for (size_t i = 0; i < len; i++) {
        hash ^= p[i];
        hash *= FNV_PRIME;
    }
    return hash;
}

uint64_t gs_hash_fnv1a(const void *bytes, size_t len)
{
    return gs_hash_continue(GS_HASH_INIT, bytes, len);
}

/* The one hash: 64-bit FNV-1a, a change detector and a fingerprint, not a
 * defence against an adversary. The cache's row_hash is this value, so it
 * must never change for the same bytes. */
#ifndef GS_HASH_H
#define GS_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Short names in the source, the private prefix gs__ at link time (buf.h
 * says why). */
#define GS_HASH_INIT 0xcbf29ce484222325ULL
#define gs_hash_fnv1a gs__hash_fnv1a
#define gs_hash_continue gs__hash_continue

/* The hash of @p len bytes at @p bytes. */
uint64_t gs_hash_fnv1a(const void *bytes, size_t len);
/* Folds @p len more bytes into @p hash (start from GS_HASH_INIT), for a
 * value made of several parts. */
uint64_t gs_hash_continue(uint64_t hash, const void *bytes, size_t len);

#endif

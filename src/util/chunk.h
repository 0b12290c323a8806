/*
 * chunk: an owned, heap-allocated byte string that is wiped when freed.
 * Every secret (keys, nonces' derived material, shared secrets, PSKs) lives in a chunk,
 * so wiping is the default, not a memory.
 */
#ifndef MGMTSEC_UTIL_CHUNK_H
#define MGMTSEC_UTIL_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct chunk {
	uint8_t *ptr; /* owned; NULL when empty */
	size_t len;
};

#define CHUNK_EMPTY ((struct chunk){NULL, 0})

/* Allocates len zeroed bytes. Returns false on allocation failure (chunk left empty). */
bool chunk_alloc(struct chunk *c, size_t len);
bool chunk_dup(struct chunk *c, const void *src, size_t len);
/* a || b into a new chunk. */
bool chunk_cat(struct chunk *c, const struct chunk *a, const struct chunk *b);
/* Wipes (OPENSSL_cleanse) and frees; NULL-safe; leaves the chunk empty. */
void chunk_clear(struct chunk *c);
/* Constant-time equality (CRYPTO_memcmp); false when lengths differ. */
bool chunk_eq_ct(const void *a, const void *b, size_t len);
/* Wipes memory that is not in a chunk (stack buffers). */
void memwipe(void *p, size_t len);

#endif

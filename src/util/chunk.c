#include "util/chunk.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

bool chunk_alloc(struct chunk *c, size_t len)
{
	c->ptr = calloc(1, len ? len : 1);
	c->len = c->ptr ? len : 0;
	return c->ptr != NULL;
}

bool chunk_dup(struct chunk *c, const void *src, size_t len)
{
	if (!chunk_alloc(c, len))
		return false;
	if (len)
		memcpy(c->ptr, src, len);
	return true;
}

bool chunk_cat(struct chunk *c, const struct chunk *a, const struct chunk *b)
{
	if (!chunk_alloc(c, a->len + b->len))
		return false;
	if (a->len)
		memcpy(c->ptr, a->ptr, a->len);
	if (b->len)
		memcpy(c->ptr + a->len, b->ptr, b->len);
	return true;
}

void chunk_clear(struct chunk *c)
{
	if (!c)
		return;
	if (c->ptr) {
		OPENSSL_cleanse(c->ptr, c->len);
		free(c->ptr);
	}
	c->ptr = NULL;
	c->len = 0;
}

bool chunk_eq_ct(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void memwipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

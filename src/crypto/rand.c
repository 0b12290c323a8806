/* rand: the only source of randomness (nonces, SPIs, IVs, DH private values via OpenSSL). */
#include "crypto/crypto.h"

#include <limits.h>
#include <openssl/rand.h>

int crypto_random(void *out, size_t len)
{
	if (len > INT_MAX)
		return -1;
	if (len == 0)
		return 0;
	return RAND_bytes(out, (int)len) == 1 ? 0 : -1;
}

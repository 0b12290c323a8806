/* rand: the only source of randomness (nonces, SPIs, IVs, DH private values via OpenSSL).
 *
 * Small requests are served from a per-thread pool filled by one RAND_bytes call: OpenSSL 3.0
 * spends about 2 us a call, most of it its fork check (a getpid system call), and an IKE SA
 * set-up asks for six small values. Bytes are wiped from the pool as they are handed out, and a
 * forked child empties its pool, so parent and child never hand out the same bytes. */
#include "crypto/crypto.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>

#define POOL_LEN     256
#define POOL_MAX_REQ 64 /* larger requests go to OpenSSL directly */

static __thread struct {
	unsigned char b[POOL_LEN];
	size_t off; /* bytes before off are used (and wiped): POOL_LEN = empty */
} pool = {.off = POOL_LEN};

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* Runs in the child, in the thread that forked: the only pool the child has. */
static void pool_reset(void)
{
	OPENSSL_cleanse(pool.b, sizeof(pool.b));
	pool.off = POOL_LEN;
}

static void atfork_register(void)
{
	pthread_atfork(NULL, NULL, pool_reset);
}

int crypto_random(void *out, size_t len)
{
	if (len > INT_MAX)
		return -1;
	if (len == 0)
		return 0;
	if (len > POOL_MAX_REQ)
		return RAND_bytes(out, (int)len) == 1 ? 0 : -1;
	pthread_once(&atfork_once, atfork_register);
	if (POOL_LEN - pool.off < len) {
		pool.off = POOL_LEN; /* a failed fill leaves no bytes to hand out */
		if (RAND_bytes(pool.b, POOL_LEN) != 1)
			return -1;
		pool.off = 0;
	}
	memcpy(out, pool.b + pool.off, len);
	OPENSSL_cleanse(pool.b + pool.off, len);
	pool.off += len;
	return 0;
}

/*
 * hash: plain message digests (SHA-1 for IKEv2 NAT detection, RFC 7296 §2.23).
 */
#include <openssl/evp.h>

#include "crypto/crypto.h"

int crypto_sha1(const void *data, size_t len, uint8_t out[20])
{
	unsigned int out_len = 0;
	if (EVP_Digest(data, len, out, &out_len, EVP_sha1(), NULL) != 1 || out_len != 20)
		return -1;
	return 0;
}

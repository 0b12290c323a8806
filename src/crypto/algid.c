/*
 * algid: RFC 7427 §3 AlgorithmIdentifier DER blobs, as listed in RFC 7427 Appendix A.
 *
 * PKCS#1 v1.5 (Appendix A.1): sha*WithRSAEncryption with NULL parameters.
 * RSASSA-PSS (Appendix A.4.3 gives SHA-256): hashAlgorithm [0] sha-x, maskGenAlgorithm [1]
 * mgf1 with sha-x, saltLength [2] = hash length, trailerField absent (default 1). SHA-384 and
 * SHA-512 use the same layout with their hash OID and salt length.
 * Matching is on the exact bytes: a peer's parameters must be these ones.
 */
#include "crypto/crypto.h"

#include <string.h>

#define PKCS1_ALGID(last)                                                                          \
	{                                                                                          \
		0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, (last),    \
		    0x05, 0x00                                                                     \
	}

/* hash: 2.16.840.1.101.3.4.2.{1,2,3}; salt: 32 / 48 / 64 */
#define PSS_ALGID(hash, salt)                                                                      \
	{                                                                                          \
		0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,      \
		    0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,  \
		    0x03, 0x04, 0x02, (hash), 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09,      \
		    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09,  \
		    0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, (hash), 0x05, 0x00, 0xa2,      \
		    0x03, 0x02, 0x01, (salt)                                                       \
	}

static const uint8_t algid_pkcs1_sha1[] = PKCS1_ALGID(0x05);
static const uint8_t algid_pkcs1_sha256[] = PKCS1_ALGID(0x0b);
static const uint8_t algid_pkcs1_sha384[] = PKCS1_ALGID(0x0c);
static const uint8_t algid_pkcs1_sha512[] = PKCS1_ALGID(0x0d);
static const uint8_t algid_pss_sha256[] = PSS_ALGID(0x01, 0x20);
static const uint8_t algid_pss_sha384[] = PSS_ALGID(0x02, 0x30);
static const uint8_t algid_pss_sha512[] = PSS_ALGID(0x03, 0x40);

static const struct {
	enum sig_scheme scheme;
	const uint8_t *der;
	size_t len;
} algids[] = {
    {SIG_RSA_PKCS1_SHA1, algid_pkcs1_sha1, sizeof(algid_pkcs1_sha1)},
    {SIG_RSA_PKCS1_SHA256, algid_pkcs1_sha256, sizeof(algid_pkcs1_sha256)},
    {SIG_RSA_PKCS1_SHA384, algid_pkcs1_sha384, sizeof(algid_pkcs1_sha384)},
    {SIG_RSA_PKCS1_SHA512, algid_pkcs1_sha512, sizeof(algid_pkcs1_sha512)},
    {SIG_RSA_PSS_SHA256, algid_pss_sha256, sizeof(algid_pss_sha256)},
    {SIG_RSA_PSS_SHA384, algid_pss_sha384, sizeof(algid_pss_sha384)},
    {SIG_RSA_PSS_SHA512, algid_pss_sha512, sizeof(algid_pss_sha512)},
};

const uint8_t *sig_algid_der(enum sig_scheme s, size_t *len)
{
	for (size_t i = 0; i < sizeof(algids) / sizeof(algids[0]); i++) {
		if (algids[i].scheme == s) {
			if (len)
				*len = algids[i].len;
			return algids[i].der;
		}
	}
	return NULL;
}

int sig_scheme_from_algid(const uint8_t *der, size_t len, enum sig_scheme *s)
{
	if (!der || !s)
		return -1;
	for (size_t i = 0; i < sizeof(algids) / sizeof(algids[0]); i++) {
		if (algids[i].len == len && memcmp(algids[i].der, der, len) == 0) {
			*s = algids[i].scheme;
			return 0;
		}
	}
	return -1;
}

/*
 * sig: RSA signatures for IKEv2 AUTH: RSASSA-PKCS1-v1_5 (RFC 7296 method 1 uses SHA-1;
 * RFC 7427 method 14 any listed hash) and RSASSA-PSS with MGF1 of the same hash and a salt as
 * long as the hash (matching the AlgorithmIdentifiers in algid.c).
 */
#include "crypto/crypto_int.h"

#include <openssl/rsa.h>

#include "util/chunk.h"

static const char *sig_md(enum sig_scheme s, bool *pss)
{
	*pss = s == SIG_RSA_PSS_SHA256 || s == SIG_RSA_PSS_SHA384 || s == SIG_RSA_PSS_SHA512;
	switch (s) {
	case SIG_RSA_PKCS1_SHA1:
		return "SHA1";
	case SIG_RSA_PKCS1_SHA256:
	case SIG_RSA_PSS_SHA256:
		return "SHA256";
	case SIG_RSA_PKCS1_SHA384:
	case SIG_RSA_PSS_SHA384:
		return "SHA384";
	case SIG_RSA_PKCS1_SHA512:
	case SIG_RSA_PSS_SHA512:
		return "SHA512";
	}
	return NULL;
}

/* Padding for the scheme on a DigestSign/Verify context. */
static int sig_set_padding(EVP_PKEY_CTX *pctx, const char *md, bool pss)
{
	if (!pss)
		return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0 ? 0 : -1;
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) <= 0)
		return -1;
	return 0;
}

static bool sig_is_rsa(EVP_PKEY *pkey)
{
	return pkey && EVP_PKEY_is_a(pkey, "RSA");
}

int sig_sign(const struct privkey *k, enum sig_scheme s, const uint8_t *data, size_t len,
             struct chunk *sig)
{
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	size_t sig_len = 0;
	bool pss;
	const char *md = sig_md(s, &pss);
	int rc = -1;

	if (!k || !md || !sig || (!data && len) || !sig_is_rsa(k->pkey))
		return -1;
	*sig = CHUNK_EMPTY;
	mctx = EVP_MD_CTX_new();
	if (!mctx || EVP_DigestSignInit_ex(mctx, &pctx, md, NULL, NULL, k->pkey, NULL) <= 0 ||
	    sig_set_padding(pctx, md, pss) < 0)
		goto done;
	if (EVP_DigestSign(mctx, NULL, &sig_len, data, len) <= 0 || !chunk_alloc(sig, sig_len))
		goto done;
	if (EVP_DigestSign(mctx, sig->ptr, &sig_len, data, len) <= 0) {
		chunk_clear(sig);
		goto done;
	}
	sig->len = sig_len;
	rc = 0;
done:
	EVP_MD_CTX_free(mctx);
	return rc;
}

int sig_verify(const struct cert *c, enum sig_scheme s, const uint8_t *data, size_t len,
               const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY *pub = c ? X509_get0_pubkey(c->x509) : NULL;
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	bool pss;
	const char *md = sig_md(s, &pss);
	int rc = -1;

	if (!md || !sig || (!data && len) || !sig_is_rsa(pub))
		return -1;
	mctx = EVP_MD_CTX_new();
	if (!mctx || EVP_DigestVerifyInit_ex(mctx, &pctx, md, NULL, NULL, pub, NULL) <= 0 ||
	    sig_set_padding(pctx, md, pss) < 0)
		goto done;
	if (EVP_DigestVerify(mctx, sig, sig_len, data, len) == 1)
		rc = 0;
done:
	EVP_MD_CTX_free(mctx);
	return rc;
}

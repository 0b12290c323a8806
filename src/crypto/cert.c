/*
 * cert: X.509 certificates: loading (PEM file, DER bytes from a CERT payload), the values IKEv2
 * needs from them (DER, SPKI SHA-1 for CERTREQ, subject, subjectAltName) and chain verification
 * against a CA file with an optional CRL file. The CA/CRL stores and decoded certificates are
 * reused across calls (cert_cache.c).
 */
#include "crypto/crypto_int.h"

#include <limits.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/chunk.h"

static struct cert *cert_wrap(X509 *x)
{
	struct cert *c;
	unsigned char *der = NULL;
	int len;

	if (!x)
		return NULL;
	len = i2d_X509(x, &der);
	c = len > 0 ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		OPENSSL_free(der);
		X509_free(x);
		return NULL;
	}
	c->x509 = x;
	c->der = der;
	c->der_len = (size_t)len;
	return c;
}

struct cert *cert_load_pem(const char *path)
{
	X509 *x;
	FILE *f;

	if (!path)
		return NULL;
	f = fopen(path, "re");
	if (!f)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	return cert_wrap(x);
}

struct cert *cert_from_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x;

	if (!der || len == 0 || len > LONG_MAX)
		return NULL;
	x = cert_x509_cached(der, len);
	if (x)
		return cert_wrap(x);
	x = d2i_X509(NULL, &p, (long)len);
	/* Trailing bytes after the certificate are not a certificate. */
	if (x && p != der + len) {
		X509_free(x);
		return NULL;
	}
	if (x)
		cert_x509_remember(der, len, x);
	return cert_wrap(x);
}

void cert_free(struct cert *c)
{
	if (!c)
		return;
	X509_free(c->x509);
	OPENSSL_free(c->der);
	free(c);
}

const uint8_t *cert_der(const struct cert *c, size_t *len)
{
	if (!c || !len)
		return NULL;
	*len = c->der_len;
	return c->der;
}

/* RFC 7296 §3.7: SHA-1 over the whole DER SubjectPublicKeyInfo. */
int cert_spki_sha1(const struct cert *c, uint8_t out[20])
{
	unsigned char *spki = NULL;
	unsigned int md_len = 0;
	int len, ok;

	if (!c || !out)
		return -1;
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(c->x509), &spki);
	if (len <= 0)
		return -1;
	ok = EVP_Digest(spki, (size_t)len, out, &md_len, EVP_sha1(), NULL);
	OPENSSL_free(spki);
	return ok && md_len == 20 ? 0 : -1;
}

int cert_subject_der(const struct cert *c, struct chunk *out)
{
	unsigned char *der = NULL;
	int len;
	bool ok;

	if (!c || !out)
		return -1;
	len = i2d_X509_NAME(X509_get_subject_name(c->x509), &der);
	if (len <= 0)
		return -1;
	ok = chunk_dup(out, der, (size_t)len);
	OPENSSL_free(der);
	return ok ? 0 : -1;
}

/* "C=US, O=Example, CN=host": RFC 2253 escaping, forward order, ", " separators. */
int cert_subject_text(const struct cert *c, char *out, size_t out_len)
{
	const unsigned long flags =
	    (XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | ASN1_STRFLGS_RFC2253) & ~ASN1_STRFLGS_ESC_MSB;
	BIO *bio;
	char *text;
	long n;
	int rc = -1;

	if (!c || !out || out_len == 0)
		return -1;
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		return -1;
	if (X509_NAME_print_ex(bio, X509_get_subject_name(c->x509), 0, flags) >= 0) {
		n = BIO_get_mem_data(bio, &text);
		if (n >= 0 && (size_t)n < out_len) {
			memcpy(out, text, (size_t)n);
			out[n] = '\0';
			rc = 0;
		}
	}
	BIO_free(bio);
	return rc;
}

bool cert_has_ip(const struct cert *c, uint32_t ipv4_be)
{
	/* ipv4_be is already in network order: its bytes are the address bytes. */
	unsigned char addr[4];

	if (!c)
		return false;
	memcpy(addr, &ipv4_be, sizeof(addr));
	return X509_check_ip(c->x509, addr, sizeof(addr), 0) == 1;
}

bool cert_has_dns(const struct cert *c, const char *name)
{
	const unsigned int flags =
	    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_WILDCARDS;

	if (!c || !name || !*name)
		return false;
	return X509_check_host(c->x509, name, 0, flags, NULL) == 1;
}

static void cert_why(char *why, size_t why_len, const char *reason)
{
	if (why && why_len)
		snprintf(why, why_len, "%s", reason);
}

X509_STORE *cert_store_build(const char *ca_file, const char *crl_file, char *why, size_t why_len)
{
	X509_STORE *store = X509_STORE_new();

	if (!store)
		return NULL;
	if (!ca_file || X509_STORE_load_file(store, ca_file) != 1) {
		cert_why(why, why_len, "cannot load CA file");
		goto fail;
	}
	if (crl_file) {
		X509_LOOKUP *lu = X509_STORE_add_lookup(store, X509_LOOKUP_file());
		if (!lu || X509_load_crl_file(lu, crl_file, X509_FILETYPE_PEM) <= 0) {
			cert_why(why, why_len, "cannot load CRL file");
			goto fail;
		}
		/* Only the end entity's issuer CRL is required: CAs without a CRL stay usable. */
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	}
	return store;
fail:
	ERR_clear_error();
	X509_STORE_free(store);
	return NULL;
}

/* A leaf that states key usage must allow signatures (IKE AUTH is a signature). */
static bool cert_leaf_usage_ok(X509 *x)
{
	if (!(X509_get_extension_flags(x) & EXFLAG_KUSAGE))
		return true;
	return (X509_get_key_usage(x) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
}

static STACK_OF(X509) * cert_untrusted(struct cert *const *chain, size_t n_chain)
{
	STACK_OF(X509) *sk = sk_X509_new_null();

	for (size_t i = 0; sk && i < n_chain; i++) {
		if (chain[i] && !sk_X509_push(sk, chain[i]->x509)) {
			sk_X509_free(sk);
			return NULL;
		}
	}
	return sk;
}

int cert_verify(const struct cert *c, struct cert *const *chain, size_t n_chain,
                const char *ca_file, const char *crl_file, char *why, size_t why_len)
{
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL;
	int rc = -1;

	if (!c || (n_chain && !chain)) {
		cert_why(why, why_len, "no certificate");
		return -1;
	}
	store = cert_store_get(ca_file, crl_file, why, why_len);
	if (!store)
		return -1;
	untrusted = cert_untrusted(chain, n_chain);
	ctx = X509_STORE_CTX_new();
	if (!untrusted || !ctx || !X509_STORE_CTX_init(ctx, store, c->x509, untrusted)) {
		cert_why(why, why_len, "out of memory");
		goto done;
	}
	if (X509_verify_cert(ctx) != 1) {
		cert_why(why, why_len,
		         X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		goto done;
	}
	if (!cert_leaf_usage_ok(c->x509)) {
		cert_why(why, why_len, "key usage does not allow digital signatures");
		goto done;
	}
	rc = 0;
done:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted); /* the certificates stay owned by their struct cert */
	X509_STORE_free(store);  /* our reference; the cache keeps its own */
	return rc;
}

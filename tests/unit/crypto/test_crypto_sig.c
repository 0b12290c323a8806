/*
 * RSA signatures and X.509 certificates: every scheme signs and verifies, tampered data or
 * signatures and the wrong key or scheme fail; RFC 7427 AlgorithmIdentifiers round-trip and
 * equal what OpenSSL itself encodes for the same parameters; certificates load from PEM and
 * DER, expose SPKI hash, subject and subjectAltName; cert_verify accepts a leaf of the CA
 * (directly or through an intermediate) and refuses another CA's leaf, expired and not yet
 * valid leaves, a revoked leaf (with the CRL) and a leaf whose key usage forbids signing.
 * The stores and decoded certificates reused across calls (cert_cache.c) follow a CA or CRL
 * file that is replaced, rewritten or removed, and a certificate decoded twice from the same
 * DER outlives the other copy and the cache. The PKI is generated at test time (certgen.c).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "certgen.h"
#include "crypto/crypto.h"

static struct pki pki;

static const enum sig_scheme schemes[] = {
    SIG_RSA_PKCS1_SHA1, SIG_RSA_PKCS1_SHA256, SIG_RSA_PKCS1_SHA384, SIG_RSA_PKCS1_SHA512,
    SIG_RSA_PSS_SHA256, SIG_RSA_PSS_SHA384,   SIG_RSA_PSS_SHA512,
};
#define N_SCHEMES (sizeof(schemes) / sizeof(schemes[0]))

static int setup(void **state)
{
	return pki_create(&pki);
}

static int teardown(void **state)
{
	pki_destroy(&pki);
	return 0;
}

static void test_sign_verify(void **state)
{
	struct privkey *k = privkey_load_pem(pki.leaf_key);
	struct cert *c = cert_load_pem(pki.leaf), *other = cert_load_pem(pki.other_leaf);
	uint8_t data[] = "IKE_SA_INIT message | Nr | prf(SK_pi, IDi')";

	assert_non_null(k);
	assert_non_null(c);
	assert_non_null(other);
	for (size_t i = 0; i < N_SCHEMES; i++) {
		struct chunk sig = CHUNK_EMPTY;
		enum sig_scheme wrong = schemes[(i + 1) % N_SCHEMES];

		assert_int_equal(sig_sign(k, schemes[i], data, sizeof(data), &sig), 0);
		assert_int_equal(sig.len, 256); /* RSA-2048 */
		assert_int_equal(sig_verify(c, schemes[i], data, sizeof(data), sig.ptr, sig.len),
		                 0);
		data[3] ^= 1;
		assert_int_equal(sig_verify(c, schemes[i], data, sizeof(data), sig.ptr, sig.len),
		                 -1);
		data[3] ^= 1;
		assert_int_equal(
		    sig_verify(c, schemes[i], data, sizeof(data) - 1, sig.ptr, sig.len), -1);
		assert_int_equal(
		    sig_verify(other, schemes[i], data, sizeof(data), sig.ptr, sig.len), -1);
		assert_int_equal(sig_verify(c, wrong, data, sizeof(data), sig.ptr, sig.len), -1);
		sig.ptr[100] ^= 0x20;
		assert_int_equal(sig_verify(c, schemes[i], data, sizeof(data), sig.ptr, sig.len),
		                 -1);
		sig.ptr[100] ^= 0x20;
		assert_int_equal(
		    sig_verify(c, schemes[i], data, sizeof(data), sig.ptr, sig.len - 1), -1);
		chunk_clear(&sig);
	}
	assert_null(privkey_load_pem("/nonexistent/key.pem"));
	privkey_free(k);
	cert_free(c);
	cert_free(other);
}

/* The AlgorithmIdentifier OpenSSL itself writes for the same scheme. */
static size_t openssl_algid(EVP_PKEY *pkey, const char *md, bool pss, uint8_t *out, size_t cap)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *p = NULL;
	OSSL_PARAM params[2];
	size_t len = 0;

	assert_non_null(m);
	assert_int_equal(EVP_DigestSignInit_ex(m, &p, md, NULL, NULL, pkey, NULL), 1);
	if (pss) {
		assert_true(EVP_PKEY_CTX_set_rsa_padding(p, RSA_PKCS1_PSS_PADDING) > 0);
		assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(p, RSA_PSS_SALTLEN_DIGEST) > 0);
	}
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, out, cap);
	params[1] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_PKEY_CTX_get_params(p, params), 1);
	len = params[0].return_size;
	EVP_MD_CTX_free(m);
	return len;
}

static void test_algid(void **state)
{
	static const char *mds[] = {"SHA1",   "SHA256", "SHA384", "SHA512",
	                            "SHA256", "SHA384", "SHA512"};
	FILE *f = fopen(pki.leaf_key, "r");
	EVP_PKEY *pkey = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	uint8_t ref[128];

	if (f)
		fclose(f);
	assert_non_null(pkey);
	for (size_t i = 0; i < N_SCHEMES; i++) {
		size_t len = 0, ref_len;
		const uint8_t *der = sig_algid_der(schemes[i], &len);
		enum sig_scheme back = 0;

		assert_non_null(der);
		assert_int_equal(sig_scheme_from_algid(der, len, &back), 0);
		assert_int_equal(back, schemes[i]);
		assert_int_equal(sig_scheme_from_algid(der, len - 1, &back), -1);
		ref_len = openssl_algid(pkey, mds[i], i >= 4, ref, sizeof(ref));
		assert_int_equal(len, ref_len);
		assert_memory_equal(der, ref, len);
	}
	/* RFC 7427 A.1.2 and A.4.3 sizes. */
	{
		size_t len = 0;
		assert_non_null(sig_algid_der(SIG_RSA_PKCS1_SHA256, &len));
		assert_int_equal(len, 15);
		assert_non_null(sig_algid_der(SIG_RSA_PSS_SHA256, &len));
		assert_int_equal(len, 67);
	}
	assert_null(sig_algid_der((enum sig_scheme)99, NULL));
	EVP_PKEY_free(pkey);
}

static void test_cert_der(void **state)
{
	struct cert *c = cert_load_pem(pki.leaf), *d;
	size_t len = 0, len2 = 0;
	const uint8_t *der;
	uint8_t *buf;

	assert_non_null(c);
	der = cert_der(c, &len);
	assert_non_null(der);
	assert_true(len > 500);
	d = cert_from_der(der, len);
	assert_non_null(d);
	assert_memory_equal(cert_der(d, &len2), der, len);
	assert_int_equal(len2, len);
	cert_free(d);
	buf = malloc(len + 1);
	assert_non_null(buf);
	memcpy(buf, der, len);
	buf[len] = 0;
	assert_null(cert_from_der(buf, len + 1)); /* trailing byte */
	assert_null(cert_from_der(buf, len - 1)); /* truncated */
	assert_null(cert_from_der(buf, 10));
	buf[0] = 0x31;
	assert_null(cert_from_der(buf, len)); /* not a SEQUENCE */
	assert_null(cert_from_der(NULL, 0));
	assert_null(cert_load_pem("/nonexistent/cert.pem"));
	assert_null(cert_load_pem(pki.leaf_key)); /* a key is not a certificate */
	free(buf);
	cert_free(c);
}

static void test_cert_fields(void **state)
{
	struct cert *c = cert_load_pem(pki.leaf);
	uint8_t spki[20], ref[20];
	unsigned char *pub = NULL;
	unsigned int ref_len = 0;
	int pub_len;
	char text[256];
	struct chunk subj = CHUNK_EMPTY;
	X509 *x;
	FILE *f = fopen(pki.leaf, "r");

	assert_non_null(c);
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	/* Independent SPKI hash: the public key re-encoded as SubjectPublicKeyInfo. */
	pub_len = i2d_PUBKEY(X509_get0_pubkey(x), &pub);
	assert_true(pub_len > 0);
	assert_int_equal(EVP_Digest(pub, (size_t)pub_len, ref, &ref_len, EVP_sha1(), NULL), 1);
	assert_int_equal(cert_spki_sha1(c, spki), 0);
	assert_memory_equal(spki, ref, 20);
	OPENSSL_free(pub);

	assert_int_equal(cert_subject_text(c, text, sizeof(text)), 0);
	assert_string_equal(text, "C=US, O=mgmtsec test, CN=leaf.example");
	assert_int_equal(cert_subject_text(c, text, 10), -1); /* does not fit */
	assert_int_equal(cert_subject_der(c, &subj), 0);
	{
		unsigned char *der = NULL;
		int len = i2d_X509_NAME(X509_get_subject_name(x), &der);
		assert_int_equal(subj.len, (size_t)len);
		assert_memory_equal(subj.ptr, der, subj.len);
		OPENSSL_free(der);
	}
	chunk_clear(&subj);

	assert_true(cert_has_ip(c, inet_addr("198.51.100.1")));
	assert_false(cert_has_ip(c, inet_addr("198.51.100.2")));
	assert_false(cert_has_ip(c, inet_addr("1.100.51.198"))); /* byte order matters */
	assert_true(cert_has_dns(c, "host.example"));
	assert_true(cert_has_dns(c, "HOST.example"));
	assert_false(cert_has_dns(c, "other.example"));
	assert_false(cert_has_dns(c, "leaf.example")); /* CN only: not a SAN */
	assert_false(cert_has_dns(c, ""));
	X509_free(x);
	cert_free(c);
}

static int verify_file(const char *leaf, struct cert *const *chain, size_t n, const char *ca,
                       const char *crl, char *why, size_t why_len)
{
	struct cert *c = cert_load_pem(leaf);
	int rc;

	assert_non_null(c);
	why[0] = '\0';
	rc = cert_verify(c, chain, n, ca, crl, why, why_len);
	cert_free(c);
	return rc;
}

static void test_cert_verify(void **state)
{
	char why[200];
	struct cert *inter = cert_load_pem(pki.inter);

	assert_non_null(inter);
	assert_int_equal(verify_file(pki.leaf, NULL, 0, pki.ca, NULL, why, sizeof(why)), 0);
	assert_int_equal(verify_file(pki.leaf, NULL, 0, pki.ca, pki.crl, why, sizeof(why)), 0);

	assert_int_equal(verify_file(pki.other_leaf, NULL, 0, pki.ca, NULL, why, sizeof(why)), -1);
	assert_true(strlen(why) > 0);
	assert_int_equal(verify_file(pki.leaf, NULL, 0, pki.other_ca, NULL, why, sizeof(why)), -1);
	assert_int_equal(verify_file(pki.expired, NULL, 0, pki.ca, NULL, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "expired"));
	assert_int_equal(verify_file(pki.future, NULL, 0, pki.ca, NULL, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not yet valid"));
	assert_int_equal(verify_file(pki.revoked, NULL, 0, pki.ca, NULL, why, sizeof(why)), 0);
	assert_int_equal(verify_file(pki.revoked, NULL, 0, pki.ca, pki.crl, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "revoked"));
	assert_int_equal(verify_file(pki.bad_usage, NULL, 0, pki.ca, NULL, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "key usage"));

	/* Through the intermediate: only with the chain certificate supplied. */
	assert_int_equal(verify_file(pki.via_inter, &inter, 1, pki.ca, NULL, why, sizeof(why)), 0);
	assert_int_equal(verify_file(pki.via_inter, NULL, 0, pki.ca, NULL, why, sizeof(why)), -1);

	assert_int_equal(
	    verify_file(pki.leaf, NULL, 0, "/nonexistent/ca.pem", NULL, why, sizeof(why)), -1);
	assert_int_equal(
	    verify_file(pki.leaf, NULL, 0, pki.ca, "/nonexistent/crl.pem", why, sizeof(why)), -1);
	cert_free(inter);
}

/* Copies file `from` to `to`, through a new file renamed over it (new inode) or in place,
 * with `extra` bytes of comment appended (PEM readers skip text outside the markers). */
static void copy_file(const char *from, const char *to, bool in_place, size_t extra)
{
	char tmp[PATH_MAX + 32], buf[8192];
	FILE *in = fopen(from, "r"), *out;
	size_t n;

	assert_non_null(in);
	snprintf(tmp, sizeof(tmp), "%s.new", to);
	out = fopen(in_place ? to : tmp, "w");
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	for (size_t i = 0; i < extra; i++)
		fputc(i + 1 == extra ? '\n' : '#', out);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	if (!in_place)
		assert_int_equal(rename(tmp, to), 0);
}

static void test_cert_cache(void **state)
{
	char why[200], ca[sizeof(pki.dir) + 16], crl[sizeof(pki.dir) + 16];
	struct cert *c = cert_load_pem(pki.leaf), *a, *b;
	const uint8_t *der;
	size_t len = 0;

	snprintf(ca, sizeof(ca), "%s/ca-swap.pem", pki.dir);
	snprintf(crl, sizeof(crl), "%s/crl-swap.pem", pki.dir);
	copy_file(pki.ca, ca, false, 0);
	copy_file(pki.crl, crl, false, 0);

	/* The CA file replaced by another CA's (a new file renamed over it), then rewritten in
	 * place with the first CA again: each verification follows the file as it is now. */
	assert_int_equal(verify_file(pki.leaf, NULL, 0, ca, NULL, why, sizeof(why)), 0);
	assert_int_equal(verify_file(pki.leaf, NULL, 0, ca, NULL, why, sizeof(why)), 0);
	copy_file(pki.other_ca, ca, false, 0);
	assert_int_equal(verify_file(pki.leaf, NULL, 0, ca, NULL, why, sizeof(why)), -1);
	assert_int_equal(verify_file(pki.other_leaf, NULL, 0, ca, NULL, why, sizeof(why)), 0);
	copy_file(pki.ca, ca, true, 3);
	assert_int_equal(verify_file(pki.other_leaf, NULL, 0, ca, NULL, why, sizeof(why)), -1);
	assert_int_equal(verify_file(pki.leaf, NULL, 0, ca, NULL, why, sizeof(why)), 0);

	/* With a CRL: revoked while the file is there, unusable once it is gone. */
	assert_int_equal(verify_file(pki.revoked, NULL, 0, ca, crl, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "revoked"));
	assert_int_equal(verify_file(pki.leaf, NULL, 0, ca, crl, why, sizeof(why)), 0);
	assert_int_equal(unlink(crl), 0);
	assert_int_equal(verify_file(pki.leaf, NULL, 0, ca, crl, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "CRL"));
	assert_int_equal(unlink(ca), 0);
	assert_int_equal(verify_file(pki.leaf, NULL, 0, ca, NULL, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "CA file"));

	/* One DER decoded twice: each copy lives on its own, also past the cache. */
	assert_non_null(c);
	der = cert_der(c, &len);
	a = cert_from_der(der, len);
	b = cert_from_der(der, len);
	assert_non_null(a);
	assert_non_null(b);
	cert_free(a);
	assert_int_equal(cert_verify(b, NULL, 0, pki.ca, NULL, why, sizeof(why)), 0);
	cert_cache_clear();
	assert_true(cert_has_dns(b, "host.example"));
	assert_int_equal(cert_verify(b, NULL, 0, pki.ca, NULL, why, sizeof(why)), 0);
	cert_free(b);
	cert_free(c);
	cert_cache_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sign_verify), cmocka_unit_test(test_algid),
	    cmocka_unit_test(test_cert_der),    cmocka_unit_test(test_cert_fields),
	    cmocka_unit_test(test_cert_verify), cmocka_unit_test(test_cert_cache),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Test PKI for the engine's certificate tests: see pki.h. (After tests/unit/crypto/certgen.c.) */
#include "pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAY (24L * 3600L)

static long serial_next = 100;

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static int set_name(X509 *x, const char *cn)
{
	X509_NAME *n = X509_get_subject_name(x);
	return X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"US", -1, -1,
	                                  0) &&
	       X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	                                  (const unsigned char *)"mgmtsec test", -1, -1, 0) &&
	       X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
	                                  0);
}

struct spec {
	const char *cn;
	long from_days, to_days;
	bool ca;
	const char *san;
};

static X509 *make(const struct spec *s, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey)
{
	X509 *x = X509_new();
	X509 *is = issuer ? issuer : x;
	bool ok = x && X509_set_version(x, 2) &&
	          ASN1_INTEGER_set(X509_get_serialNumber(x), serial_next++) &&
	          X509_gmtime_adj(X509_getm_notBefore(x), s->from_days * DAY) &&
	          X509_gmtime_adj(X509_getm_notAfter(x), s->to_days * DAY) && set_name(x, s->cn) &&
	          X509_set_issuer_name(x, X509_get_subject_name(is)) && X509_set_pubkey(x, key) &&
	          add_ext(x, is, NID_subject_key_identifier, "hash") &&
	          add_ext(x, is, NID_authority_key_identifier, "keyid:always");
	if (ok && s->ca)
		ok = add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") &&
		     add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	if (ok && s->san)
		ok = add_ext(x, x, NID_subject_alt_name, s->san) &&
		     add_ext(x, x, NID_key_usage, "critical,digitalSignature");
	if (!ok || X509_sign(x, ikey ? ikey : key, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static X509_CRL *make_crl(X509 *ca, EVP_PKEY *key, X509 *revoked)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_TIME *t = X509_gmtime_adj(NULL, -DAY), *next = X509_gmtime_adj(NULL, 30 * DAY);
	bool ok = crl && r && t && next && X509_CRL_set_version(crl, 1) &&
	          X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) &&
	          X509_CRL_set1_lastUpdate(crl, t) && X509_CRL_set1_nextUpdate(crl, next) &&
	          X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked)) &&
	          X509_REVOKED_set_revocationDate(r, t) && X509_CRL_add0_revoked(crl, r);
	if (ok)
		r = NULL;
	ok = ok && X509_CRL_sort(crl) && X509_CRL_sign(crl, key, EVP_sha256()) > 0;
	X509_REVOKED_free(r);
	ASN1_TIME_free(t);
	ASN1_TIME_free(next);
	if (!ok) {
		X509_CRL_free(crl);
		return NULL;
	}
	return crl;
}

static FILE *open_out(char *path, const char *dir, const char *name)
{
	snprintf(path, PKI_PATH, "%s/%s", dir, name);
	return fopen(path, "w");
}

/* One or two certificates into one PEM file. */
static int write_certs(char *path, const char *dir, const char *name, X509 *x, X509 *x2)
{
	FILE *f = open_out(path, dir, name);
	int ok;
	if (!f)
		return -1;
	ok = x && PEM_write_X509(f, x) && (!x2 || PEM_write_X509(f, x2));
	fclose(f);
	return ok ? 0 : -1;
}

static int write_key(char *path, const char *dir, const char *name, EVP_PKEY *k)
{
	FILE *f = open_out(path, dir, name);
	int ok;
	if (!f)
		return -1;
	ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	return ok && chmod(path, 0600) == 0 ? 0 : -1;
}

static int write_crl(char *path, const char *dir, X509_CRL *crl)
{
	FILE *f = open_out(path, dir, "crl.pem");
	int ok;
	if (!f)
		return -1;
	ok = crl && PEM_write_X509_CRL(f, crl);
	fclose(f);
	return ok ? 0 : -1;
}

#define SAN_A "IP:198.51.100.1,DNS:router1.example"
#define SAN_B "IP:198.51.100.2,DNS:router2.example"

int tpki_create(struct tpki *p)
{
	const struct spec root_s = {"mgmtsec test root", -1, 3650, true, NULL};
	const struct spec other_s = {"mgmtsec other root", -1, 3650, true, NULL};
	const struct spec inter_s = {"mgmtsec test intermediate", -1, 3650, true, NULL};
	const struct spec a_s = {"router1.example", -1, 365, false, SAN_A};
	const struct spec b_s = {"router2.example", -1, 365, false, SAN_B};
	const struct spec a_exp = {"router1.example", -30, -1, false, SAN_A};
	const struct spec b_exp = {"router2.example", -30, -1, false, SAN_B};
	const struct spec a_rev = {"router1.example", -1, 365, false, SAN_A};
	const struct spec a_wid = {"router1.example", -1, 365, false, "IP:198.51.100.9"};
	EVP_PKEY *root_k = EVP_RSA_gen(2048), *other_k = EVP_RSA_gen(2048),
	         *inter_k = EVP_RSA_gen(3072), *a_k = EVP_RSA_gen(2048), *b_k = EVP_RSA_gen(2048),
	         *big_k = EVP_RSA_gen(3072);
	X509 *x[12] = {0};
	X509_CRL *crl = NULL;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "/tmp/mgmtsec-ike-pki-XXXXXX");
	if (!mkdtemp(p->dir) || !root_k || !other_k || !inter_k || !a_k || !b_k || !big_k)
		goto done;
	x[0] = make(&root_s, root_k, NULL, NULL);
	x[1] = make(&other_s, other_k, NULL, NULL);
	x[2] = make(&inter_s, inter_k, x[0], root_k);
	x[3] = make(&a_s, a_k, x[0], root_k);
	x[4] = make(&b_s, b_k, x[0], root_k);
	x[5] = make(&a_exp, a_k, x[0], root_k);
	x[6] = make(&a_s, a_k, x[1], other_k);
	x[7] = make(&a_rev, a_k, x[0], root_k);
	x[8] = make(&a_wid, a_k, x[0], root_k);
	x[9] = make(&a_s, big_k, x[2], inter_k);
	x[10] = make(&b_s, big_k, x[2], inter_k);
	x[11] = make(&b_exp, b_k, x[0], root_k);
	crl = x[7] ? make_crl(x[0], root_k, x[7]) : NULL;
	rc = write_certs(p->ca, p->dir, "ca.pem", x[0], NULL) |
	     write_certs(p->other_ca, p->dir, "other_ca.pem", x[1], NULL) |
	     write_certs(p->a, p->dir, "a.pem", x[3], NULL) |
	     write_certs(p->b, p->dir, "b.pem", x[4], NULL) |
	     write_certs(p->a_expired, p->dir, "a_expired.pem", x[5], NULL) |
	     write_certs(p->a_other, p->dir, "a_other.pem", x[6], NULL) |
	     write_certs(p->a_revoked, p->dir, "a_revoked.pem", x[7], NULL) |
	     write_certs(p->a_wrong_id, p->dir, "a_wrong_id.pem", x[8], NULL) |
	     write_certs(p->a_chain, p->dir, "a_chain.pem", x[9], x[2]) |
	     write_certs(p->b_chain, p->dir, "b_chain.pem", x[10], x[2]) |
	     write_certs(p->b_expired, p->dir, "b_expired.pem", x[11], NULL) |
	     write_key(p->a_key, p->dir, "a.key", a_k) | write_key(p->b_key, p->dir, "b.key", b_k) |
	     write_key(p->big_key, p->dir, "big.key", big_k) | write_crl(p->crl, p->dir, crl);
done:
	for (size_t i = 0; i < 12; i++)
		X509_free(x[i]);
	X509_CRL_free(crl);
	EVP_PKEY_free(root_k);
	EVP_PKEY_free(other_k);
	EVP_PKEY_free(inter_k);
	EVP_PKEY_free(a_k);
	EVP_PKEY_free(b_k);
	EVP_PKEY_free(big_k);
	return rc ? -1 : 0;
}

void tpki_destroy(const struct tpki *p)
{
	const char *files[] = {p->ca,         p->other_ca,  p->crl,       p->a,       p->a_key,
	                       p->b,          p->b_key,     p->a_expired, p->a_other, p->a_revoked,
	                       p->a_wrong_id, p->b_expired, p->a_chain,   p->b_chain, p->big_key};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (files[i][0])
			unlink(files[i]);
	if (p->dir[0])
		rmdir(p->dir);
}

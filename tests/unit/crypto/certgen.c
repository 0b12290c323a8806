/* certgen: see certgen.h. */
#include "certgen.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY (24L * 3600L)

static long serial_next = 1;

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

struct certspec {
	const char *cn;
	long from_days, to_days; /* validity relative to now */
	bool ca;
	const char *san;
	const char *usage;
};

/* issuer NULL: self-signed with key. */
static X509 *make_cert(const struct certspec *s, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey)
{
	X509 *x = X509_new();
	bool ok;

	if (!x)
		return NULL;
	ok = X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), serial_next++) &&
	     X509_gmtime_adj(X509_getm_notBefore(x), s->from_days * DAY) &&
	     X509_gmtime_adj(X509_getm_notAfter(x), s->to_days * DAY) && set_name(x, s->cn) &&
	     X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x)) &&
	     X509_set_pubkey(x, key);
	ok = ok && add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash");
	ok = ok && add_ext(x, issuer ? issuer : x, NID_authority_key_identifier, "keyid:always");
	if (ok && s->ca)
		ok = add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") &&
		     add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	if (ok && s->san)
		ok = add_ext(x, x, NID_subject_alt_name, s->san);
	if (ok && s->usage)
		ok = add_ext(x, x, NID_key_usage, s->usage);
	ok = ok && X509_sign(x, ikey ? ikey : key, EVP_sha256()) > 0;
	if (!ok) {
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
		r = NULL; /* owned by the CRL now */
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

static int write_cert(char *path, const char *dir, const char *name, X509 *x)
{
	FILE *f;
	int ok;

	snprintf(path, PATH_MAX, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || !x) {
		if (f)
			fclose(f);
		return -1;
	}
	ok = PEM_write_X509(f, x);
	fclose(f);
	return ok ? 0 : -1;
}

static int write_key(char *path, const char *dir, const char *name, EVP_PKEY *k)
{
	FILE *f;
	int ok;

	snprintf(path, PATH_MAX, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	return ok ? 0 : -1;
}

static int write_crl(char *path, const char *dir, X509_CRL *crl)
{
	FILE *f;
	int ok;

	snprintf(path, PATH_MAX, "%s/%s", dir, "crl.pem");
	f = fopen(path, "w");
	if (!f || !crl) {
		if (f)
			fclose(f);
		return -1;
	}
	ok = PEM_write_X509_CRL(f, crl);
	fclose(f);
	return ok ? 0 : -1;
}

struct keys {
	EVP_PKEY *root, *inter, *other, *leaf, *other_leaf;
};

static int gen_keys(struct keys *k)
{
	k->root = EVP_RSA_gen(2048);
	k->inter = EVP_RSA_gen(2048);
	k->other = EVP_RSA_gen(2048);
	k->leaf = EVP_RSA_gen(2048);
	k->other_leaf = EVP_RSA_gen(2048);
	return k->root && k->inter && k->other && k->leaf && k->other_leaf ? 0 : -1;
}

static void free_keys(struct keys *k)
{
	EVP_PKEY_free(k->root);
	EVP_PKEY_free(k->inter);
	EVP_PKEY_free(k->other);
	EVP_PKEY_free(k->leaf);
	EVP_PKEY_free(k->other_leaf);
}

static const char leaf_san[] = "IP:198.51.100.1,DNS:host.example";
static const char leaf_usage[] = "critical,digitalSignature";

static int write_leaves(struct pki *p, struct keys *k, X509 *root, X509 *inter, X509 *other)
{
	const struct certspec leaf = {"leaf.example", -1, 365, false, leaf_san, leaf_usage};
	const struct certspec expired = {"expired.example", -30, -1, false, leaf_san, NULL};
	const struct certspec future = {"future.example", 10, 365, false, leaf_san, NULL};
	const struct certspec bad = {"bad.example", -1,       365,
	                             false,         leaf_san, "critical,keyEncipherment"};
	const struct certspec rev = {"revoked.example", -1, 365, false, leaf_san, NULL};
	const struct certspec via = {"via.example", -1, 365, false, leaf_san, NULL};
	const struct certspec oth = {"other.example", -1, 365, false, leaf_san, NULL};
	X509 *revoked = make_cert(&rev, k->leaf, root, k->root);
	X509 *xs[6] = {
	    make_cert(&leaf, k->leaf, root, k->root),
	    make_cert(&expired, k->leaf, root, k->root),
	    make_cert(&future, k->leaf, root, k->root),
	    make_cert(&bad, k->leaf, root, k->root),
	    make_cert(&via, k->leaf, inter, k->inter),
	    make_cert(&oth, k->other_leaf, other, k->other),
	};
	X509_CRL *crl = revoked ? make_crl(root, k->root, revoked) : NULL;
	int rc = write_cert(p->leaf, p->dir, "leaf.pem", xs[0]) |
	         write_cert(p->expired, p->dir, "expired.pem", xs[1]) |
	         write_cert(p->future, p->dir, "future.pem", xs[2]) |
	         write_cert(p->bad_usage, p->dir, "bad_usage.pem", xs[3]) |
	         write_cert(p->via_inter, p->dir, "via_inter.pem", xs[4]) |
	         write_cert(p->other_leaf, p->dir, "other_leaf.pem", xs[5]) |
	         write_cert(p->revoked, p->dir, "revoked.pem", revoked) |
	         write_crl(p->crl, p->dir, crl);

	for (size_t i = 0; i < 6; i++)
		X509_free(xs[i]);
	X509_free(revoked);
	X509_CRL_free(crl);
	return rc;
}

int pki_create(struct pki *p)
{
	const struct certspec root_s = {"mgmtsec test root", -1, 3650, true, NULL, NULL};
	const struct certspec inter_s = {"mgmtsec test intermediate", -1, 3650, true, NULL, NULL};
	const struct certspec other_s = {"mgmtsec other root", -1, 3650, true, NULL, NULL};
	struct keys k = {0};
	X509 *root = NULL, *inter = NULL, *other = NULL;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "/tmp/mgmtsec-crypto-test-XXXXXX");
	if (!mkdtemp(p->dir) || gen_keys(&k) < 0)
		goto done;
	root = make_cert(&root_s, k.root, NULL, NULL);
	inter = make_cert(&inter_s, k.inter, root, k.root);
	other = make_cert(&other_s, k.other, NULL, NULL);
	if (write_cert(p->ca, p->dir, "ca.pem", root) |
	    write_cert(p->inter, p->dir, "inter.pem", inter) |
	    write_cert(p->other_ca, p->dir, "other_ca.pem", other) |
	    write_key(p->leaf_key, p->dir, "leaf.key", k.leaf) |
	    write_key(p->other_key, p->dir, "other.key", k.other_leaf))
		goto done;
	rc = write_leaves(p, &k, root, inter, other);
done:
	X509_free(root);
	X509_free(inter);
	X509_free(other);
	free_keys(&k);
	return rc;
}

void pki_destroy(const struct pki *p)
{
	const char *files[] = {p->ca,        p->inter,      p->other_ca, p->leaf,   p->leaf_key,
	                       p->other_key, p->other_leaf, p->expired,  p->future, p->bad_usage,
	                       p->revoked,   p->via_inter,  p->crl};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i][0])
			unlink(files[i]);
	}
	if (p->dir[0])
		rmdir(p->dir);
}

/*
 * certgen: builds a throw-away PKI for the signature and certificate tests with the OpenSSL
 * API (tests may use OpenSSL directly): RSA-2048 keys, a root CA, an intermediate CA, a second
 * unrelated CA, leaf certificates (valid, expired, not yet valid, wrong key usage, revoked,
 * issued by the intermediate, issued by the other CA) and a CRL, written as PEM files into a
 * fresh temporary directory.
 */
#ifndef MGMTSEC_TEST_CERTGEN_H
#define MGMTSEC_TEST_CERTGEN_H

#include <limits.h>

struct pki {
	char dir[128];             /* short, so every path below fits */
	char ca[PATH_MAX];         /* root CA */
	char inter[PATH_MAX];      /* intermediate CA, issued by root */
	char other_ca[PATH_MAX];   /* unrelated CA */
	char leaf[PATH_MAX];       /* CN=leaf.example, SAN IP:198.51.100.1, DNS:host.example */
	char leaf_key[PATH_MAX];   /* key of every leaf */
	char other_key[PATH_MAX];  /* key of other_leaf */
	char other_leaf[PATH_MAX]; /* issued by other_ca, own key */
	char expired[PATH_MAX];
	char future[PATH_MAX];
	char bad_usage[PATH_MAX]; /* keyUsage keyEncipherment only */
	char revoked[PATH_MAX];
	char via_inter[PATH_MAX]; /* issued by the intermediate */
	char crl[PATH_MAX];       /* root's CRL, revokes "revoked" */
};

/* Returns 0 on success. */
int pki_create(struct pki *p);
void pki_destroy(const struct pki *p);

#endif

/*
 * A throw-away PKI for the engine's certificate tests, built with the OpenSSL API in a fresh
 * temporary directory (tests may use OpenSSL directly): a root CA, an unrelated CA, a 3072-bit
 * intermediate, router certificates for 198.51.100.1 (A) and 198.51.100.2 (B), the failure
 * cases (expired, other CA, revoked + CRL, wrong identity), and chain files (3072-bit leaf +
 * intermediate) big enough to need IKE fragmentation. Keys are written with mode 0600.
 */
#ifndef IKE_TEST_PKI_H
#define IKE_TEST_PKI_H

#define PKI_PATH 160

struct tpki {
	char dir[64];
	char ca[PKI_PATH], other_ca[PKI_PATH], crl[PKI_PATH];
	char a[PKI_PATH], a_key[PKI_PATH]; /* CN=router1.example, IP:198.51.100.1 */
	char b[PKI_PATH], b_key[PKI_PATH]; /* CN=router2.example, IP:198.51.100.2 */
	char a_expired[PKI_PATH], a_other[PKI_PATH], a_revoked[PKI_PATH], a_wrong_id[PKI_PATH];
	char b_expired[PKI_PATH];
	/* leaf (3072-bit big_key, issued by the intermediate) followed by the intermediate */
	char a_chain[PKI_PATH], b_chain[PKI_PATH], big_key[PKI_PATH];
};

int tpki_create(struct tpki *p);
void tpki_destroy(const struct tpki *p);

#endif

/* key: private keys loaded from PEM files (RSA for IKEv2 AUTH). */
#include "crypto/crypto_int.h"

#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>

struct privkey *privkey_load_pem(const char *path)
{
	struct privkey *k;
	EVP_PKEY *pkey;
	FILE *f;

	if (!path)
		return NULL;
	f = fopen(path, "re");
	if (!f)
		return NULL;
	pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!pkey)
		return NULL;
	k = calloc(1, sizeof(*k));
	if (!k) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	k->pkey = pkey;
	return k;
}

struct privkey *privkey_ref(const struct privkey *k)
{
	struct privkey *r = k ? calloc(1, sizeof(*r)) : NULL;
	if (!r)
		return NULL;
	if (!EVP_PKEY_up_ref(k->pkey)) {
		free(r);
		return NULL;
	}
	r->pkey = k->pkey;
	return r;
}

void privkey_free(struct privkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey); /* clears the private key material */
	free(k);
}

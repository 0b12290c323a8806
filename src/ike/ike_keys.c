#include "ike/ike_keys.h"

#include <string.h>

#include "ike/ike_sa.h"
#include "util/log.h"

#define KEY_PAD "Key Pad for IKEv2"

void ike_keymat_clear(struct ike_keymat *k)
{
	chunk_clear(&k->d);
	chunk_clear(&k->ai);
	chunk_clear(&k->ar);
	chunk_clear(&k->ei);
	chunk_clear(&k->er);
	chunk_clear(&k->pi);
	chunk_clear(&k->pr);
}

/* Takes the next len bytes of a prf+ stream into a new chunk. */
static bool take(struct chunk *dst, const uint8_t *stream, size_t *off, size_t len)
{
	bool ok = len == 0 || chunk_dup(dst, stream + *off, len);
	*off += len;
	return ok;
}

static bool seed_cat(struct chunk *seed, const struct chunk *a, const struct chunk *b,
                     const uint8_t *tail, size_t tail_len)
{
	if (!chunk_alloc(seed, a->len + b->len + tail_len))
		return false;
	if (a->len)
		memcpy(seed->ptr, a->ptr, a->len);
	if (b->len)
		memcpy(seed->ptr + a->len, b->ptr, b->len);
	if (tail_len)
		memcpy(seed->ptr + a->len + b->len, tail, tail_len);
	return true;
}

int ike_keys_ike(const struct prf_alg *p, size_t encr_len, size_t integ_len, const struct chunk *ni,
                 const struct chunk *nr, const uint8_t spi_i[8], const uint8_t spi_r[8],
                 const struct chunk *shared, struct ike_keymat *out)
{
	uint8_t skeyseed[64];
	struct chunk nonces = CHUNK_EMPTY;
	int rc = -1;

	/* All our PRFs are HMAC: the PRF key is the whole Ni | Nr (§2.14). */
	if (seed_cat(&nonces, ni, nr, NULL, 0) &&
	    prf(p, nonces.ptr, nonces.len, shared->ptr, shared->len, skeyseed) == 0)
		rc = ike_keys_expand(p, skeyseed, p->out_len, encr_len, integ_len, ni, nr, spi_i,
		                     spi_r, out);
	memwipe(skeyseed, sizeof(skeyseed));
	chunk_clear(&nonces);
	return rc;
}

int ike_keys_ike_rekey(const struct prf_alg *old, const struct chunk *sk_d_old,
                       const struct prf_alg *p, size_t encr_len, size_t integ_len,
                       const struct chunk *ni, const struct chunk *nr, const uint8_t spi_i[8],
                       const uint8_t spi_r[8], const struct chunk *shared, struct ike_keymat *out)
{
	uint8_t skeyseed[64];
	struct chunk gn = CHUNK_EMPTY, data = CHUNK_EMPTY;
	int rc = -1;

	/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the old IKE SA's PRF (§2.18) */
	if (seed_cat(&gn, shared, ni, NULL, 0) && seed_cat(&data, &gn, nr, NULL, 0) &&
	    prf(old, sk_d_old->ptr, sk_d_old->len, data.ptr, data.len, skeyseed) == 0)
		rc = ike_keys_expand(p, skeyseed, old->out_len, encr_len, integ_len, ni, nr, spi_i,
		                     spi_r, out);
	memwipe(skeyseed, sizeof(skeyseed));
	chunk_clear(&gn);
	chunk_clear(&data);
	return rc;
}

int ike_keys_expand(const struct prf_alg *p, const uint8_t *skeyseed, size_t seed_len,
                    size_t encr_len, size_t integ_len, const struct chunk *ni,
                    const struct chunk *nr, const uint8_t spi_i[8], const uint8_t spi_r[8],
                    struct ike_keymat *out)
{
	uint8_t spis[16];
	struct chunk seed = CHUNK_EMPTY, stream = CHUNK_EMPTY;
	size_t total = p->out_len * 3 + 2 * (encr_len + integ_len), off = 0;
	int rc = -1;

	memcpy(spis, spi_i, 8);
	memcpy(spis + 8, spi_r, 8);
	if (!seed_cat(&seed, ni, nr, spis, 16) || !chunk_alloc(&stream, total))
		goto done;
	if (prf_plus(p, skeyseed, seed_len, seed.ptr, seed.len, stream.ptr, total) < 0)
		goto done;
	if (take(&out->d, stream.ptr, &off, p->out_len) &&
	    take(&out->ai, stream.ptr, &off, integ_len) &&
	    take(&out->ar, stream.ptr, &off, integ_len) &&
	    take(&out->ei, stream.ptr, &off, encr_len) &&
	    take(&out->er, stream.ptr, &off, encr_len) &&
	    take(&out->pi, stream.ptr, &off, p->out_len) &&
	    take(&out->pr, stream.ptr, &off, p->out_len))
		rc = 0;
done:
	if (rc < 0)
		ike_keymat_clear(out);
	chunk_clear(&seed);
	chunk_clear(&stream);
	return rc;
}

int ike_keys_child(const struct prf_alg *p, const struct chunk *sk_d,
                   const struct chunk *pfs_shared, const struct chunk *ni, const struct chunk *nr,
                   size_t encr_len, size_t integ_len, uint8_t *encr_ir, uint8_t *integ_ir,
                   uint8_t *encr_ri, uint8_t *integ_ri)
{
	static const struct chunk none = {NULL, 0};
	const struct chunk *g = pfs_shared ? pfs_shared : &none;
	struct chunk gn = CHUNK_EMPTY, seed = CHUNK_EMPTY, km = CHUNK_EMPTY;
	size_t total = 2 * (encr_len + integ_len);
	int rc = -1;

	if (!seed_cat(&gn, g, ni, NULL, 0) || !seed_cat(&seed, &gn, nr, NULL, 0) ||
	    !chunk_alloc(&km, total))
		goto done;
	if (prf_plus(p, sk_d->ptr, sk_d->len, seed.ptr, seed.len, km.ptr, total) < 0)
		goto done;
	memcpy(encr_ir, km.ptr, encr_len);
	memcpy(integ_ir, km.ptr + encr_len, integ_len);
	memcpy(encr_ri, km.ptr + encr_len + integ_len, encr_len);
	memcpy(integ_ri, km.ptr + 2 * encr_len + integ_len, integ_len);
	rc = 0;
done:
	chunk_clear(&gn);
	chunk_clear(&seed);
	chunk_clear(&km);
	return rc;
}

int ike_keys_psk_auth(const struct prf_alg *p, const struct chunk *psk, const struct chunk *msg,
                      const struct chunk *nonce, const struct chunk *sk_p, const uint8_t *id_body,
                      size_t id_len, uint8_t *out)
{
	uint8_t maced[64], pad_key[64];
	struct chunk octets = CHUNK_EMPTY;
	int rc = -1;

	if (prf(p, sk_p->ptr, sk_p->len, id_body, id_len, maced) < 0 ||
	    !chunk_alloc(&octets, msg->len + nonce->len + p->out_len))
		goto done;
	memcpy(octets.ptr, msg->ptr, msg->len);
	memcpy(octets.ptr + msg->len, nonce->ptr, nonce->len);
	memcpy(octets.ptr + msg->len + nonce->len, maced, p->out_len);
	if (prf(p, psk->ptr, psk->len, (const uint8_t *)KEY_PAD, strlen(KEY_PAD), pad_key) < 0 ||
	    prf(p, pad_key, p->out_len, octets.ptr, octets.len, out) < 0)
		goto done;
	rc = 0;
done:
	memwipe(maced, sizeof(maced));
	memwipe(pad_key, sizeof(pad_key));
	chunk_clear(&octets);
	return rc;
}

static int sk_dir(struct ike_sk_keys *k, const struct ike_sa *sa, const struct chunk *e,
                  const struct chunk *a, bool encrypt)
{
	k->encr = sa->encr;
	k->integ = sa->integ;
	k->cipher = cipher_new(sa->encr, e->ptr, e->len, encrypt);
	k->mac = sa->integ ? mac_new(sa->integ, a->ptr, a->len) : NULL;
	return k->cipher && (!sa->integ || k->mac) ? 0 : -1;
}

int ike_keys_install(struct ike_sa *sa, const struct chunk *shared)
{
	struct ike_keymat km = {0};
	size_t integ_len = sa->integ ? sa->integ->key_len : 0;

	if (ike_keys_ike(sa->prf, sa->encr->key_len, integ_len, &sa->ni, &sa->nr, sa->spi_i,
	                 sa->spi_r, shared, &km) < 0)
		return -1;
	return ike_keys_install_km(sa, &km);
}

int ike_keys_install_km(struct ike_sa *sa, struct ike_keymat *km_in)
{
	struct ike_keymat km = *km_in;
	*km_in = (struct ike_keymat){0};
	/* Initiator sends with SK_ei/SK_ai; responder with SK_er/SK_ar. */
	const struct chunk *oe = sa->initiator ? &km.ei : &km.er,
	                   *oa = sa->initiator ? &km.ai : &km.ar;
	const struct chunk *ie = sa->initiator ? &km.er : &km.ei,
	                   *ia = sa->initiator ? &km.ar : &km.ai;
	int rc = sk_dir(&sa->k_out, sa, oe, oa, true) | sk_dir(&sa->k_in, sa, ie, ia, false);
	sa->sk_d = km.d;
	sa->sk_pi = km.pi;
	sa->sk_pr = km.pr;
	km.d = km.pi = km.pr = CHUNK_EMPTY;
	ike_keymat_clear(&km);
	return rc ? -1 : 0;
}

void ike_keys_free(struct ike_sa *sa)
{
	cipher_free(sa->k_out.cipher);
	cipher_free(sa->k_in.cipher);
	mac_free(sa->k_out.mac);
	mac_free(sa->k_in.mac);
	sa->k_out = (struct ike_sk_keys){0};
	sa->k_in = (struct ike_sk_keys){0};
	chunk_clear(&sa->sk_d);
	chunk_clear(&sa->sk_pi);
	chunk_clear(&sa->sk_pr);
}

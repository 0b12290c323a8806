/*
 * Key derivation (RFC 7296 §2.14, §2.17) and PSK authentication (§2.15).
 *
 * Pure functions over byte strings (testable against an independent step-by-step prf+), plus
 * ike_keys_install() which puts an IKE SA's SK_* in place. Every intermediate secret is wiped.
 * Ownership: struct ike_keymat chunks are owned by the caller; ike_keymat_clear() wipes them.
 */
#ifndef MGMTSEC_IKE_KEYS_H
#define MGMTSEC_IKE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "util/chunk.h"

struct ike_sa;

struct ike_keymat {
	struct chunk d, ai, ar, ei, er, pi, pr;
};
void ike_keymat_clear(struct ike_keymat *k);

/* SKEYSEED = prf(Ni | Nr, g^ir); {SK_d|SK_ai|SK_ar|SK_ei|SK_er|SK_pi|SK_pr} =
 * prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). integ_len is 0 for AEAD. */
int ike_keys_ike(const struct prf_alg *p, size_t encr_len, size_t integ_len, const struct chunk *ni,
                 const struct chunk *nr, const uint8_t spi_i[8], const uint8_t spi_r[8],
                 const struct chunk *shared, struct ike_keymat *out);

/* IKE SA rekey (§2.18): SKEYSEED = prf_old(SK_d (old), g^ir (new) | Ni | Nr), then the SK_* as
 * above with the new SA's PRF p, nonces and SPIs. */
int ike_keys_ike_rekey(const struct prf_alg *old, const struct chunk *sk_d_old,
                       const struct prf_alg *p, size_t encr_len, size_t integ_len,
                       const struct chunk *ni, const struct chunk *nr, const uint8_t spi_i[8],
                       const uint8_t spi_r[8], const struct chunk *shared, struct ike_keymat *out);
/* {SK_d|SK_ai|...|SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). */
int ike_keys_expand(const struct prf_alg *p, const uint8_t *skeyseed, size_t seed_len,
                    size_t encr_len, size_t integ_len, const struct chunk *ni,
                    const struct chunk *nr, const uint8_t spi_i[8], const uint8_t spi_r[8],
                    struct ike_keymat *out);

/* KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), split as encr(i->r) | integ(i->r) | encr(r->i) |
 * integ(r->i) into the four buffers (each at most ESP_MAX_KEY). pfs_shared may be NULL. */
int ike_keys_child(const struct prf_alg *p, const struct chunk *sk_d,
                   const struct chunk *pfs_shared, const struct chunk *ni, const struct chunk *nr,
                   size_t encr_len, size_t integ_len, uint8_t *encr_ir, uint8_t *integ_ir,
                   uint8_t *encr_ri, uint8_t *integ_ri);

/* AUTH = prf(prf(psk, "Key Pad for IKEv2"), msg | nonce | prf(sk_p, id_body)); out receives
 * p->out_len bytes. */
int ike_keys_psk_auth(const struct prf_alg *p, const struct chunk *psk, const struct chunk *msg,
                      const struct chunk *nonce, const struct chunk *sk_p, const uint8_t *id_body,
                      size_t id_len, uint8_t *out);

/* Derives the SA's keys from the DH shared secret and creates its SK cipher/MAC contexts. */
int ike_keys_install(struct ike_sa *sa, const struct chunk *shared);
/* Puts derived keys in place (SK contexts; SK_d/pi/pr taken over, *km emptied). */
int ike_keys_install_km(struct ike_sa *sa, struct ike_keymat *km);
/* Frees the SK contexts and wipes SK_d/pi/pr. */
void ike_keys_free(struct ike_sa *sa);

#endif

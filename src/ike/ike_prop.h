/*
 * Proposals: building our SA payloads from the configuration, and selecting (responder) or
 * checking (initiator) a proposal. Pure functions over codec structs; table-driven tests.
 *
 * Selection rule (RFC 7296 §2.7, §3.3.6): the first offered proposal (the initiator's
 * preference) that one of our proposals accepts wins; within it, for every transform type our
 * proposal has, the first offered transform of that type that we also offer (same ID, same key
 * length, no unknown attribute). A type we have but the peer lacks fails, except ESN (absent =
 * no ESN). A type the peer has but we lack fails unless the peer also offers NONE for it.
 */
#ifndef MGMTSEC_IKE_PROP_H
#define MGMTSEC_IKE_PROP_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "ike/ike_cfg.h"
#include "ike/msg.h"

#define IKE_PROP_NTYPES 6 /* transform types 1..5 */

struct ike_prop_sel {
	uint8_t num;
	uint8_t protocol;
	uint8_t spi_len;
	uint8_t spi[IKE_MAX_SPI_LEN];
	bool has[IKE_PROP_NTYPES];
	uint16_t id[IKE_PROP_NTYPES];
	uint16_t bits[IKE_PROP_NTYPES];
};

struct ike_prop_algs {
	const struct encr_alg *encr;
	const struct integ_alg *integ; /* NULL for AEAD */
	const struct prf_alg *prf;     /* IKE only */
	const struct dh_alg *dh;       /* NULL when none */
};

/* Our IKE proposals: AEAD and non-AEAD encryption of one configured proposal go into separate
 * proposals. Returns the number built (0 = nothing usable). */
int ike_prop_build_ike(const struct ike_cfg_tunnel *t, struct ike_sa_pl *out);
/* Our ESP proposals, one per transform set, SPI = spi_in, ESN none; DH when dh_group != 0. */
int ike_prop_build_esp(const struct ike_cfg_tunnel *t, uint32_t spi_in, uint16_t dh_group,
                       struct ike_sa_pl *out);
/* The DH group of our first IKE proposal (what the KE payload carries first), or 0. */
uint16_t ike_prop_first_dh(const struct ike_sa_pl *ours);
/* True when any of our proposals offers this DH group. */
bool ike_prop_has_dh(const struct ike_sa_pl *ours, uint16_t group);

/* Responder: returns 0 and fills sel, or -1 when nothing is acceptable. */
int ike_prop_select(const struct ike_sa_pl *ours, const struct ike_sa_pl *offered, uint8_t protocol,
                    struct ike_prop_sel *sel);
/* Initiator: the responder's answer must be one proposal that is a valid choice from ours. */
int ike_prop_check_reply(const struct ike_sa_pl *ours, const struct ike_sa_pl *reply,
                         uint8_t protocol, struct ike_prop_sel *sel);
/* The single-proposal SA payload answering with sel. */
void ike_prop_to_pl(const struct ike_prop_sel *sel, struct ike_sa_pl *out);
/* Algorithm descriptors for sel; -1 if crypto does not know one of them. */
int ike_prop_algs(const struct ike_prop_sel *sel, struct ike_prop_algs *a);

#endif

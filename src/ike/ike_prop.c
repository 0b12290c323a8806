#include "ike/ike_prop.h"

#include <string.h>

static void add_xf(struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t bits)
{
	if (p->n_xf >= IKE_MAX_XFORMS)
		return;
	p->xf[p->n_xf++] = (struct ike_transform){.type = type, .id = id, .key_bits = bits};
}

static void add_list(struct ike_proposal *p, uint8_t type, const uint16_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_xf(p, type, ids[i], 0);
}

/* One proposal from cfg proposal c with only its AEAD (or only its non-AEAD) ciphers. */
static bool build_one(const struct ike_cfg_proposal *c, bool aead, struct ike_proposal *p)
{
	*p = (struct ike_proposal){.protocol = PROTO_IKE};
	for (size_t i = 0; i < c->n_encr; i++)
		if ((c->encr[i] == ENCR_AES_GCM_16) == aead)
			add_xf(p, XFORM_ENCR, c->encr[i], c->encr_bits[i]);
	if (!p->n_xf)
		return false;
	add_list(p, XFORM_PRF, c->prf, c->n_prf);
	if (!aead)
		add_list(p, XFORM_INTEG, c->integ, c->n_integ);
	add_list(p, XFORM_DH, c->dh, c->n_dh);
	return true;
}

int ike_prop_build_ike(const struct ike_cfg_tunnel *t, struct ike_sa_pl *out)
{
	out->n_prop = 0;
	for (size_t i = 0; i < t->n_proposals; i++) {
		for (int aead = 1; aead >= 0; aead--) {
			if (out->n_prop >= IKE_MAX_PROPOSALS)
				return out->n_prop;
			struct ike_proposal *p = &out->prop[out->n_prop];
			if (build_one(&t->proposals[i], aead, p))
				p->num = ++out->n_prop;
		}
	}
	return out->n_prop;
}

int ike_prop_build_esp(const struct ike_cfg_tunnel *t, uint32_t spi_in, uint16_t dh_group,
                       struct ike_sa_pl *out)
{
	out->n_prop = 0;
	for (size_t i = 0; i < t->n_esp && out->n_prop < IKE_MAX_PROPOSALS; i++) {
		const struct ike_cfg_esp *e = &t->esp[i];
		struct ike_proposal *p = &out->prop[out->n_prop];
		*p = (struct ike_proposal){
		    .num = out->n_prop + 1, .protocol = PROTO_ESP, .spi_len = 4};
		p->spi[0] = spi_in >> 24;
		p->spi[1] = spi_in >> 16;
		p->spi[2] = spi_in >> 8;
		p->spi[3] = spi_in;
		add_xf(p, XFORM_ENCR, e->encr, e->encr_bits);
		if (e->encr != ENCR_AES_GCM_16 && e->integ != AUTH_NONE)
			add_xf(p, XFORM_INTEG, e->integ, 0);
		if (dh_group)
			add_xf(p, XFORM_DH, dh_group, 0);
		add_xf(p, XFORM_ESN, 0, 0);
		out->n_prop++;
	}
	return out->n_prop;
}

uint16_t ike_prop_first_dh(const struct ike_sa_pl *ours)
{
	for (size_t i = 0; i < ours->n_prop; i++)
		for (size_t j = 0; j < ours->prop[i].n_xf; j++)
			if (ours->prop[i].xf[j].type == XFORM_DH)
				return ours->prop[i].xf[j].id;
	return 0;
}

bool ike_prop_has_dh(const struct ike_sa_pl *ours, uint16_t group)
{
	for (size_t i = 0; i < ours->n_prop; i++)
		for (size_t j = 0; j < ours->prop[i].n_xf; j++)
			if (ours->prop[i].xf[j].type == XFORM_DH && ours->prop[i].xf[j].id == group)
				return true;
	return false;
}

static bool has_type(const struct ike_proposal *p, uint8_t type)
{
	for (size_t i = 0; i < p->n_xf; i++)
		if (p->xf[i].type == type)
			return true;
	return false;
}

static bool offers(const struct ike_proposal *p, const struct ike_transform *x)
{
	for (size_t i = 0; i < p->n_xf; i++)
		if (p->xf[i].type == x->type && p->xf[i].id == x->id &&
		    p->xf[i].key_bits == x->key_bits)
			return true;
	return false;
}

/* A type the peer offers that we do not have is acceptable only with a NONE choice in it. */
static bool peer_extra_ok(const struct ike_proposal *peer, uint8_t type)
{
	for (size_t i = 0; i < peer->n_xf; i++)
		if (peer->xf[i].type == type && peer->xf[i].id == 0 && !peer->xf[i].unknown_attr)
			return true;
	return false;
}

/* Matches one offered proposal against one of ours; fills sel on success. */
static bool match(const struct ike_proposal *ours, const struct ike_proposal *peer,
                  struct ike_prop_sel *sel)
{
	*sel = (struct ike_prop_sel){
	    .num = peer->num, .protocol = peer->protocol, .spi_len = peer->spi_len};
	memcpy(sel->spi, peer->spi, sizeof(sel->spi));
	for (uint8_t t = 1; t < IKE_PROP_NTYPES; t++) {
		bool we = has_type(ours, t), they = has_type(peer, t);
		if (!we) {
			if (they && !peer_extra_ok(peer, t))
				return false;
			continue;
		}
		if (!they) {
			/* absent ESN means none; absent INTEG/DH is fine when we offer NONE */
			if (t == XFORM_ESN || peer_extra_ok(ours, t))
				continue;
			return false;
		}
		for (size_t i = 0; i < peer->n_xf && !sel->has[t]; i++) {
			const struct ike_transform *x = &peer->xf[i];
			if (x->type == t && !x->unknown_attr && offers(ours, x)) {
				sel->has[t] = true;
				sel->id[t] = x->id;
				sel->bits[t] = x->key_bits;
			}
		}
		if (!sel->has[t])
			return false;
	}
	return true;
}

int ike_prop_select(const struct ike_sa_pl *ours, const struct ike_sa_pl *offered, uint8_t protocol,
                    struct ike_prop_sel *sel)
{
	for (size_t i = 0; i < offered->n_prop; i++) {
		if (offered->prop[i].protocol != protocol)
			continue;
		for (size_t j = 0; j < ours->n_prop; j++) {
			if (ours->prop[j].protocol == protocol &&
			    match(&ours->prop[j], &offered->prop[i], sel))
				return 0;
		}
	}
	return -1;
}

int ike_prop_check_reply(const struct ike_sa_pl *ours, const struct ike_sa_pl *reply,
                         uint8_t protocol, struct ike_prop_sel *sel)
{
	if (reply->n_prop != 1 || reply->prop[0].protocol != protocol)
		return -1;
	const struct ike_proposal *r = &reply->prop[0];
	int seen[IKE_PROP_NTYPES] = {0};
	for (size_t i = 0; i < r->n_xf; i++) {
		if (r->xf[i].type >= IKE_PROP_NTYPES || ++seen[r->xf[i].type] > 1)
			return -1; /* a reply carries exactly one transform per type */
	}
	for (size_t j = 0; j < ours->n_prop; j++) {
		if (ours->prop[j].num == r->num && ours->prop[j].protocol == protocol)
			return match(&ours->prop[j], r, sel) ? 0 : -1;
	}
	return -1;
}

void ike_prop_to_pl(const struct ike_prop_sel *sel, struct ike_sa_pl *out)
{
	struct ike_proposal *p = &out->prop[0];
	out->n_prop = 1;
	*p = (struct ike_proposal){
	    .num = sel->num, .protocol = sel->protocol, .spi_len = sel->spi_len};
	memcpy(p->spi, sel->spi, sizeof(p->spi));
	for (uint8_t t = 1; t < IKE_PROP_NTYPES; t++)
		if (sel->has[t])
			add_xf(p, t, sel->id[t], sel->bits[t]);
}

int ike_prop_algs(const struct ike_prop_sel *sel, struct ike_prop_algs *a)
{
	*a = (struct ike_prop_algs){0};
	a->encr = crypto_encr(sel->id[XFORM_ENCR], sel->bits[XFORM_ENCR]);
	if (!a->encr)
		return -1;
	if (!a->encr->aead) {
		a->integ = sel->has[XFORM_INTEG] ? crypto_integ(sel->id[XFORM_INTEG]) : NULL;
		if (!a->integ)
			return -1;
	} else if (sel->has[XFORM_INTEG] && sel->id[XFORM_INTEG] != AUTH_NONE) {
		return -1; /* RFC 5282 §8: AEAD with an integrity algorithm is invalid */
	}
	if (sel->protocol == PROTO_IKE) {
		a->prf = sel->has[XFORM_PRF] ? crypto_prf(sel->id[XFORM_PRF]) : NULL;
		if (!a->prf)
			return -1;
	}
	if (sel->has[XFORM_DH] && sel->id[XFORM_DH] != DH_NONE) {
		a->dh = crypto_dh(sel->id[XFORM_DH]);
		if (!a->dh)
			return -1;
	}
	if (sel->has[XFORM_ESN] && sel->id[XFORM_ESN] != 0)
		return -1;
	return 0;
}

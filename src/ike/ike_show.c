/*
 * The operator view: struct ike_sa_info for `show ikev2 session [detail]` and summaries.
 */
#include <stdio.h>
#include <string.h>

#include "ike/ike_int.h"
#include "ike/ike_ts.h"
#include "util/loop.h"

static const char *status_text(const struct ike_sa *sa)
{
	switch (sa->state) {
	case IKE_S_ESTABLISHED:
	case IKE_S_REKEYING:
		for (const struct ike_child *c = sa->children; c; c = c->next)
			if (c->installed)
				return "UP-ACTIVE";
		return "UP-IDLE";
	case IKE_S_DELETING:
		return "DELETING";
	case IKE_S_DEAD:
		return "DELETED";
	default:
		return "IN-NEG";
	}
}

static const char *description(const struct ike_sa *sa)
{
	switch (sa->state) {
	case IKE_S_ESTABLISHED:
		return "Negotiation done";
	case IKE_S_INIT_SENT:
		return "Initial exchange sent";
	case IKE_S_INIT_DONE:
		return "Waiting for IKE_AUTH";
	case IKE_S_AUTH_SENT:
		return "Authentication sent";
	case IKE_S_REKEYING:
		return "Rekeying";
	case IKE_S_DELETING:
		return "Deleting";
	default:
		return sa->why;
	}
}

static void child_info(const struct ike_child *c, struct ike_child_info *ci)
{
	memset(ci, 0, sizeof(*ci)); /* rekey_in_s: from the soft lifetime (issue 6) */
	ike_ts_format(&c->ts_local, ci->local_sel, sizeof(ci->local_sel));
	ike_ts_format(&c->ts_remote, ci->remote_sel, sizeof(ci->remote_sel));
	ci->spi_in = c->spi_in;
	ci->spi_out = c->spi_out;
	snprintf(ci->encr, sizeof(ci->encr), "%s", c->encr ? c->encr->name : "-");
	snprintf(ci->esp_encr, sizeof(ci->esp_encr), "%s", c->encr ? c->encr->esp_name : "-");
	ci->keysize = c->encr ? c->encr->key_bits : 0;
	snprintf(ci->hmac, sizeof(ci->hmac), "%s", c->integ ? c->integ->esp_name : "None");
	ci->rekey_in_s = ike_life_child_rekey_in_s(c);
	ci->sa_id = c->id;
	ci->natt = c->sa->natt;
}

void ike_sa_fill_info(const struct ike_sa *sa, struct ike_sa_info *in)
{
	const struct ike_tunnel *t = sa->tun;
	memset(in, 0, sizeof(*in));
	in->session_id = sa->session_id;
	in->ike_sa_id = sa->id;
	if (t) {
		in->tunnel_id = t->cfg.tunnel_id;
		snprintf(in->ifname, sizeof(in->ifname), "%s", t->cfg.ifname);
		in->lifetime_s = ike_life_ike_s(sa);
		/* what was used once IKE_AUTH ran, else what the profile says */
		bool sign_rsa = sa->auth_sent ? sa->auth_sent != AUTH_SHARED_KEY_MIC
		                              : t->cfg.auth_local == IKE_AUTH_RSA;
		bool verify_rsa = sa->auth_rcvd ? sa->auth_rcvd != AUTH_SHARED_KEY_MIC
		                                : !t->cfg.auth_remote_psk && t->cfg.auth_remote_rsa;
		snprintf(in->auth_sign, sizeof(in->auth_sign), "%s", sign_rsa ? "RSA" : "PSK");
		snprintf(in->auth_verify, sizeof(in->auth_verify), "%s",
		         verify_rsa ? "RSA" : "PSK");
	}
	snprintf(in->status, sizeof(in->status), "%s", status_text(sa));
	snprintf(in->state, sizeof(in->state), "%s", ike_sa_state_name(sa->state));
	snprintf(in->description, sizeof(in->description), "%s", description(sa));
	in->initiator = sa->initiator;
	in->local_addr = sa->local;
	in->remote_addr = sa->remote;
	in->local_port = sa->lport;
	in->remote_port = sa->rport;
	if (sa->encr) {
		snprintf(in->encr, sizeof(in->encr), "%s", sa->encr->name);
		in->keysize = sa->encr->key_bits;
		snprintf(in->prf, sizeof(in->prf), "%s", sa->prf->name);
		snprintf(in->integ, sizeof(in->integ), "%s", sa->integ ? sa->integ->name : "None");
		in->dh_group = sa->dh ? sa->dh->id : 0;
	}
	if (sa->established_ms)
		in->active_s = (loop_now_ms() - sa->established_ms) / 1000;
	memcpy(in->spi_local, ike_sa_spi_local(sa), 8);
	memcpy(in->spi_remote, ike_sa_spi_remote(sa), 8);
	snprintf(in->local_id, sizeof(in->local_id), "%s", sa->local_id);
	snprintf(in->remote_id, sizeof(in->remote_id), "%s", sa->remote_id);
	in->nat_local = sa->nat_local;
	in->nat_remote = sa->nat_remote;
	for (const struct ike_child *c = sa->children; c && in->n_child < IKE_INFO_MAX_CHILD;
	     c = c->next)
		if (c->state != CHILD_S_CREATING)
			child_info(c, &in->child[in->n_child++]);
}

size_t ike_get_sas(struct ike *ike, struct ike_sa_info *out, size_t max)
{
	size_t n = 0;
	for (const struct ike_sa *sa = ike->sas; sa && n < max; sa = sa->next)
		if (!sa->keep.rekeyed) /* replaced by its rekey: no longer a session of its own */
			ike_sa_fill_info(sa, &out[n++]);
	for (const struct ike_tunnel *t = ike->tunnels; t && n < max; t = t->next)
		if (!t->removed && t->last && !t->sas)
			out[n++] = *t->last;
	return n;
}

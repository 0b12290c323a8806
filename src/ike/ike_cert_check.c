/*
 * Checks on the peer in IKE_AUTH with certificates: chain validation against the trustpoint's
 * CA (and CRL), binding of IDi/IDr to the certificate, the profile's `match identity remote`
 * lists, and the AUTH signature. Also: the diagnosis of our own credentials when the peer
 * refuses them. See ike_cert.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ike/ike_cert.h"
#include "ike/ike_int.h"
#include "util/log.h"

static void addr_text(const uint8_t *a, char *out, size_t len)
{
	snprintf(out, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

/* The ID data as printable text (FQDN and IPv4 only; others by type). */
static void id_printable(const struct ike_id_pl *id, char *out, size_t len)
{
	if (id->type == ID_IPV4_ADDR && id->len == 4)
		addr_text(id->data, out, len);
	else if (id->type == ID_FQDN)
		snprintf(out, len, "%.*s", (int)(id->len < 64 ? id->len : 64),
		         (const char *)id->data);
	else
		snprintf(out, len, "of type %u", id->type);
}

/* OpenSSL's wording, mapped to what an operator looks for. */
static const char *cert_reason(const char *why)
{
	static const struct {
		const char *ssl, *ours;
	} map[] = {
	    {"certificate has expired", "certificate expired"},
	    {"certificate is not yet valid", "certificate not yet valid"},
	    {"certificate revoked", "certificate revoked"},
	    {"unable to get local issuer certificate", "issuer not trusted"},
	    {"unable to get issuer certificate", "issuer not trusted"},
	    {"self-signed certificate", "issuer not trusted (self-signed)"},
	    {"self signed certificate", "issuer not trusted (self-signed)"},
	    {"self-signed certificate in certificate chain", "issuer not trusted"},
	    {"self signed certificate in certificate chain", "issuer not trusted"},
	    {"unable to verify the first certificate", "issuer not trusted"},
	    {"certificate signature failure", "certificate signature invalid"},
	    {"unable to get certificate CRL", "no CRL for the certificate's issuer"},
	    {"CRL has expired", "CRL expired"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(why, map[i].ssl))
			return map[i].ours;
	return NULL;
}

static void cert_why(const char *ssl, const char *prefix, char *why, size_t len)
{
	const char *r = cert_reason(ssl);
	if (r)
		snprintf(why, len, "%s%s", prefix, r);
	else
		snprintf(why, len, "%scertificate: %s", prefix, ssl);
}

/* Is the identity in the certificate (§3.5: the ID must be bound to the certificate)? */
static bool id_in_cert(const struct ike_id_pl *id, const struct cert *c)
{
	if (id->type == ID_IPV4_ADDR && id->len == 4) {
		uint32_t a;
		memcpy(&a, id->data, 4);
		return cert_has_ip(c, a);
	}
	if (id->type == ID_FQDN && id->len > 0 && id->len < 256 && !memchr(id->data, 0, id->len)) {
		char name[256];
		memcpy(name, id->data, id->len);
		name[id->len] = 0;
		return cert_has_dns(c, name);
	}
	if (id->type == ID_DER_ASN1_DN) {
		struct chunk dn = CHUNK_EMPTY;
		bool ok = cert_subject_der(c, &dn) == 0 && dn.len == id->len &&
		          memcmp(dn.ptr, id->data, dn.len) == 0;
		chunk_clear(&dn);
		return ok;
	}
	return false;
}

static bool fqdn_listed(const struct ike_cfg_tunnel *c, const struct ike_id_pl *id)
{
	for (size_t i = 0; i < c->n_match_remote_fqdn && i < IKE_CFG_MAX_IDS; i++) {
		const char *f = ike_cfg_s(c->match_remote_fqdn[i]);
		if (strlen(f) == id->len && !strncasecmp(f, (const char *)id->data, id->len))
			return true;
	}
	return false;
}

static bool dn_listed(const struct ike_cfg_tunnel *c, const struct cert *cert)
{
	char subj[512];

	if (!cert || !c->n_match_remote_dn || cert_subject_text(cert, subj, sizeof(subj)) < 0)
		return false;
	for (size_t i = 0; i < c->n_match_remote_dn && i < IKE_CFG_MAX_IDS; i++)
		if (c->match_remote_dn[i] && c->match_remote_dn[i][0] &&
		    strcasestr(subj, c->match_remote_dn[i]))
			return true;
	return false;
}

bool ike_cert_id_allowed(const struct ike_sa *sa, const struct ike_id_pl *id,
                         const struct cert *cert)
{
	const struct ike_cfg_tunnel *c = &sa->tun->cfg;
	uint32_t a;

	if (id->type == ID_IPV4_ADDR && id->len == 4) {
		memcpy(&a, id->data, 4);
		if (!c->n_match_remote && !c->n_match_remote_fqdn && !c->n_match_remote_dn)
			return a == sa->remote; /* no match statement: the tunnel's peer itself */
		for (size_t i = 0; i < c->n_match_remote && i < 8; i++)
			if ((a & c->match_remote_mask[i]) ==
			    (c->match_remote_addr[i] & c->match_remote_mask[i]))
				return true;
	}
	if (id->type == ID_FQDN && fqdn_listed(c, id))
		return true;
	return dn_listed(c, cert);
}

/* The peer's CERT payloads: end entity first, then intermediates. Returns the count or -1. */
static int peer_certs(const struct ike_msg *m, struct cert **out, size_t max, const char **why)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n_pl; i++) {
		struct ike_cert_pl cp;
		if (m->pl[i].type != PL_CERT)
			continue;
		if (ike_parse_cert(&m->pl[i], &cp) < 0 || cp.encoding != CERT_X509_SIGNATURE) {
			*why = "peer sent a certificate encoding we do not support";
			goto fail;
		}
		if (n == max) {
			*why = "peer sent too many certificates";
			goto fail;
		}
		if (!(out[n] = cert_from_der(cp.data, cp.len))) {
			*why = "peer's certificate is malformed";
			goto fail;
		}
		n++;
	}
	if (!n) {
		*why = "peer sent no certificate";
		return -1;
	}
	return (int)n;
fail:
	while (n)
		cert_free(out[--n]);
	return -1;
}

const char *ike_cert_check_peer(struct ike_sa *sa, const struct ike_msg *m,
                                const struct ike_id_pl *id, const struct ike_auth_pl *auth,
                                char *why, size_t len)
{
	const struct ike_cfg_tunnel *c = &sa->tun->cfg;
	struct cert *certs[1 + IKE_CERT_MAX_CHAIN];
	const char *r = NULL;
	char ssl[128], idt[80];
	int n;

	if (!c->auth_remote_rsa)
		return "peer uses rsa-signature, the profile does not accept it";
	if (!sa->tun->creds || sa->tun->creds->err[0])
		return "trustpoint unusable";
	if ((n = peer_certs(m, certs, 1 + IKE_CERT_MAX_CHAIN, &r)) < 0)
		return r;
	if (cert_verify(certs[0], certs + 1, (size_t)n - 1, c->ca_file, c->crl_file, ssl,
	                sizeof(ssl)) < 0) {
		cert_why(ssl, "", why, len);
		r = why;
	} else if (!id_in_cert(id, certs[0])) {
		id_printable(id, idt, sizeof(idt));
		snprintf(why, len, "identity %s not in certificate", idt);
		r = why;
	} else if (!ike_cert_id_allowed(sa, id, certs[0])) {
		r = "peer identity not matched by the ikev2 profile";
	} else {
		r = ike_sig_verify(sa, certs[0], id, auth);
	}
	if (!r && id->type == ID_DER_ASN1_DN &&
	    cert_subject_text(certs[0], sa->remote_id, sizeof(sa->remote_id)) < 0)
		snprintf(sa->remote_id, sizeof(sa->remote_id), "<DN>");
	while (n)
		cert_free(certs[--n]);
	return r;
}

void ike_cert_self_diag(const struct ike_sa *sa, char *why, size_t len)
{
	char ssl[128], idt[80];
	uint8_t idb[300];
	size_t idl;

	if (!sa->tun) {
		snprintf(why, len, "Peer refused our AUTH (AUTHENTICATION_FAILED)");
		return;
	}
	const struct ike_cfg_tunnel *c = &sa->tun->cfg;
	const struct ike_creds *cr = sa->tun->creds;
	if (c->auth_local != IKE_AUTH_RSA || !cr || !cr->cert) {
		snprintf(why, len, "Peer refused our AUTH (AUTHENTICATION_FAILED): check the PSK");
		return;
	}
	if (c->ca_file && cert_verify(cr->cert, cr->chain, cr->n_chain, c->ca_file, c->crl_file,
	                              ssl, sizeof(ssl)) < 0) {
		cert_why(ssl, "Peer refused our AUTH: ", why, len);
		return;
	}
	if (ike_cert_local_id(sa, idb, sizeof(idb), &idl, idt, sizeof(idt)) == 0) {
		struct ike_id_pl id = {.type = idb[0], .data = idb + 4, .len = idl - 4};
		if (!id_in_cert(&id, cr->cert)) {
			snprintf(why, len,
			         "Peer refused our AUTH: identity %s not in our certificate", idt);
			return;
		}
	}
	snprintf(why, len,
	         "Peer refused our AUTH (AUTHENTICATION_FAILED): certificate or "
	         "identity not accepted");
}

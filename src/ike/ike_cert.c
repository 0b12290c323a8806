/*
 * Trustpoint material per tunnel (CA hash for CERTREQ, our certificate chain and key), the key
 * file permission rule, and the certificate-related payloads we add to IKE_SA_INIT and
 * IKE_AUTH. See ike_cert.h.
 */
#include "ike/ike_cert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ike/ike_int.h"
#include "util/buf.h"
#include "util/log.h"

#define PEM_MAX ((size_t)256 * 1024) /* a certificate file larger than this is not one */

int ike_check_key_file(const char *path, char *why, size_t len)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(why, len, "key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "key file %s is not a regular file", path);
		return -1;
	}
	if (st.st_uid != 0) {
		snprintf(why, len, "key file %s is not owned by root", path);
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(why, len, "key file %s is accessible to group/others (mode %04o)", path,
		         (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

static int b64_val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Base64 (whitespace ignored, '=' ends it) from r into w. */
static bool b64_decode(struct rbuf *r, struct wbuf *w)
{
	uint32_t acc = 0;
	int bits = 0;

	while (rbuf_left(r)) {
		uint8_t c = rbuf_u8(r);
		if (c == '=')
			break;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		int v = b64_val(c);
		if (v < 0)
			return false;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			wbuf_u8(w, (uint8_t)(acc >> bits));
		}
	}
	return rbuf_ok(r) && wbuf_ok(w);
}

static const char pem_begin[] = "-----BEGIN CERTIFICATE-----";
static const char pem_end[] = "-----END CERTIFICATE-----";

/* Every CERTIFICATE block of a PEM text, in order, into out (at most max). Returns the count or
 * -1 when a block does not decode into a certificate. */
static int pem_certs(const uint8_t *txt, size_t len, struct cert **out, size_t max)
{
	size_t n = 0, off = 0;
	uint8_t *der = malloc(len);

	if (!der)
		return -1;
	while (n < max) {
		const uint8_t *b = memmem(txt + off, len - off, pem_begin, strlen(pem_begin));
		if (!b)
			break;
		size_t body = (size_t)(b - txt) + strlen(pem_begin);
		const uint8_t *e = memmem(txt + body, len - body, pem_end, strlen(pem_end));
		if (!e)
			goto fail;
		struct rbuf r;
		struct wbuf w;
		rbuf_init(&r, txt + body, (size_t)(e - txt) - body);
		wbuf_init(&w, der, len);
		if (!b64_decode(&r, &w) || !(out[n] = cert_from_der(der, w.len)))
			goto fail;
		n++;
		off = (size_t)(e - txt) + strlen(pem_end);
	}
	free(der);
	return (int)n;
fail:
	free(der);
	while (n)
		cert_free(out[--n]);
	return -1;
}

/* Reads a whole (small) file. Returns the length or -1. */
static long read_file(const char *path, uint8_t **out)
{
	FILE *f = fopen(path, "re");
	uint8_t *buf = f ? malloc(PEM_MAX) : NULL;
	size_t n = 0;

	if (!buf) {
		if (f)
			fclose(f);
		return -1;
	}
	n = fread(buf, 1, PEM_MAX, f);
	bool bad = ferror(f) || n == PEM_MAX;
	fclose(f);
	if (bad) {
		free(buf);
		return -1;
	}
	*out = buf;
	return (long)n;
}

static int load_cert_chain(struct ike_creds *cr, const char *path)
{
	struct cert *all[1 + IKE_CERT_MAX_CHAIN];
	uint8_t *txt = NULL;
	long len = read_file(path, &txt);
	int n = len < 0 ? -1 : pem_certs(txt, (size_t)len, all, 1 + IKE_CERT_MAX_CHAIN);

	free(txt);
	if (n <= 0)
		return -1;
	cr->cert = all[0];
	for (int i = 1; i < n; i++)
		cr->chain[cr->n_chain++] = all[i];
	return 0;
}

bool ike_cert_used(const struct ike_cfg_tunnel *c)
{
	return c->auth_local == IKE_AUTH_RSA || c->auth_remote_rsa;
}

/* Does the private key belong to the certificate? One signature tells. */
static bool key_matches(const struct ike_creds *cr)
{
	static const uint8_t probe[] = "mgmtsec key/certificate match";
	struct chunk sig = CHUNK_EMPTY;
	bool ok =
	    sig_sign(cr->key, SIG_RSA_PKCS1_SHA256, probe, sizeof(probe), &sig) == 0 &&
	    sig_verify(cr->cert, SIG_RSA_PKCS1_SHA256, probe, sizeof(probe), sig.ptr, sig.len) == 0;
	chunk_clear(&sig);
	return ok;
}

/* prefix + arg (a path or a reason) */
static void creds_fail(struct ike_creds *cr, const char *prefix, const char *arg)
{
	if (snprintf(cr->err, sizeof(cr->err), "%s%s", prefix, arg) >= (int)sizeof(cr->err))
		cr->err[sizeof(cr->err) - 2] = '~'; /* a long path: mark the cut */
}

static void load_local(struct ike_creds *cr, const struct ike_cfg_tunnel *c)
{
	char why[96];

	if (!c->cert_file || !c->key_file)
		return creds_fail(cr, "", "Trustpoint has no certificate or key file");
	if (load_cert_chain(cr, c->cert_file) < 0)
		return creds_fail(cr, "Cannot load certificate file ", c->cert_file);
	if (ike_check_key_file(c->key_file, why, sizeof(why)) < 0)
		return creds_fail(cr, "", why);
	if (!(cr->key = privkey_load_pem(c->key_file)))
		return creds_fail(cr, "Cannot load key file ", c->key_file);
	if (!key_matches(cr))
		return creds_fail(cr, "", "Private key does not match the certificate");
}

static void load_ca(struct ike_creds *cr, const struct ike_cfg_tunnel *c)
{
	struct cert *ca;

	if (!c->ca_file)
		return creds_fail(cr, "", "Trustpoint has no CA certificate file");
	if (!(ca = cert_load_pem(c->ca_file)))
		return creds_fail(cr, "Cannot load CA file ", c->ca_file);
	cr->have_ca = cert_spki_sha1(ca, cr->ca_hash) == 0;
	cert_free(ca);
	if (c->crl_file) {
		FILE *f = fopen(c->crl_file, "re");
		if (!f)
			return creds_fail(cr, "Cannot read CRL file ", c->crl_file);
		fclose(f);
	}
}

/* The tunnel cannot come up: say so in the log and in show. */
static void record_failure(struct ike_tunnel *t)
{
	struct ike_sa_info *i = ike_tunnel_last(t);
	const struct ike_cfg_tunnel *c = &t->cfg;

	log_err("%s: trustpoint unusable: %s", c->ifname, t->creds->err);
	if (!i)
		return;
	i->tunnel_id = c->tunnel_id;
	snprintf(i->ifname, sizeof(i->ifname), "%s", c->ifname);
	snprintf(i->status, sizeof(i->status), "DELETED");
	snprintf(i->state, sizeof(i->state), "DELETED");
	snprintf(i->description, sizeof(i->description), "%s", t->creds->err);
	i->local_addr = c->local_addr;
	i->remote_addr = c->remote_addr;
	snprintf(i->auth_sign, sizeof(i->auth_sign), c->auth_local == IKE_AUTH_RSA ? "RSA" : "PSK");
	snprintf(i->auth_verify, sizeof(i->auth_verify), c->auth_remote_rsa ? "RSA" : "PSK");
}

/* Our own certificate should pass the checks the peer will make: warn early if not (the
 * chain once per load, our address per tunnel). */
static void self_check(const struct ike_tunnel *t, bool chain)
{
	const struct ike_cfg_tunnel *c = &t->cfg;
	const struct ike_creds *cr = t->creds;
	char why[96];

	if (!c->ca_file || !cr->cert)
		return;
	if (chain && cert_verify(cr->cert, cr->chain, cr->n_chain, c->ca_file, c->crl_file, why,
	                         sizeof(why)) < 0)
		log_err("%s: warning: our certificate does not verify against our CA: %s",
		        c->ifname, why);
	if ((!c->local_id_type || c->local_id_type == ID_IPV4_ADDR) &&
	    !cert_has_ip(cr->cert, c->local_addr))
		log_err("%s: warning: our certificate does not name our address (identity local "
		        "address); peers will refuse it",
		        c->ifname);
}

static bool creds_from(const struct ike_creds *cr, const struct ike_cfg_tunnel *c)
{
	return cr->local_rsa == (c->auth_local == IKE_AUTH_RSA) &&
	       cr->remote_rsa == c->auth_remote_rsa && ike_cfg_str_eq(cr->ca_file, c->ca_file) &&
	       ike_cfg_str_eq(cr->crl_file, c->crl_file) &&
	       ike_cfg_str_eq(cr->cert_file, c->cert_file) &&
	       ike_cfg_str_eq(cr->key_file, c->key_file);
}

static void creds_unref(struct ike_creds *cr)
{
	if (!cr || --cr->refs > 0)
		return;
	cert_free(cr->cert);
	for (size_t i = 0; i < cr->n_chain; i++)
		cert_free(cr->chain[i]);
	privkey_free(cr->key);
	free(cr);
}

static struct ike_creds *creds_load(const struct ike_cfg_tunnel *c)
{
	struct ike_creds *cr = calloc(1, sizeof(*cr));
	if (!cr)
		return NULL;
	cr->refs = 1;
	cr->local_rsa = c->auth_local == IKE_AUTH_RSA;
	cr->remote_rsa = c->auth_remote_rsa;
	snprintf(cr->ca_file, sizeof(cr->ca_file), "%s", ike_cfg_s(c->ca_file));
	snprintf(cr->cert_file, sizeof(cr->cert_file), "%s", ike_cfg_s(c->cert_file));
	snprintf(cr->key_file, sizeof(cr->key_file), "%s", ike_cfg_s(c->key_file));
	snprintf(cr->crl_file, sizeof(cr->crl_file), "%s", ike_cfg_s(c->crl_file));
	if (c->auth_remote_rsa)
		load_ca(cr, c);
	if (!cr->err[0] && c->auth_local == IKE_AUTH_RSA)
		load_local(cr, c);
	return cr;
}

void ike_cert_tunnel_load(struct ike_tunnel *t)
{
	const struct ike_cfg_tunnel *c = &t->cfg;
	struct ike *ike = t->ike;
	bool fresh = false;

	if (!ike_cert_used(c))
		return;
	if (ike->creds_cache && creds_from(ike->creds_cache, c)) {
		t->creds = ike->creds_cache;
		t->creds->refs++;
	} else {
		if (!(t->creds = creds_load(c)))
			return;
		fresh = true;
		creds_unref(ike->creds_cache);
		ike->creds_cache = t->creds;
		t->creds->refs++;
	}
	if (t->creds->err[0])
		record_failure(t);
	else if (c->auth_local == IKE_AUTH_RSA)
		self_check(t, fresh);
}

void ike_cert_tunnel_free(struct ike_tunnel *t)
{
	creds_unref(t->creds);
	t->creds = NULL;
}

void ike_cert_cache_drop(struct ike *ike)
{
	creds_unref(ike->creds_cache);
	ike->creds_cache = NULL;
}

bool ike_cert_tunnel_failed(const struct ike_tunnel *t)
{
	return ike_cert_used(&t->cfg) && (!t->creds || t->creds->err[0]);
}

bool ike_cert_cfg_eq(const struct ike_cfg_tunnel *a, const struct ike_cfg_tunnel *b)
{
	if (a->local_id_type != b->local_id_type || a->rsa_pss != b->rsa_pss ||
	    a->no_sig_hash_notify != b->no_sig_hash_notify ||
	    a->no_fragmentation != b->no_fragmentation ||
	    !ike_cfg_str_eq(a->local_id_fqdn, b->local_id_fqdn) ||
	    a->n_match_remote_fqdn != b->n_match_remote_fqdn ||
	    a->n_match_remote_dn != b->n_match_remote_dn)
		return false;
	for (size_t i = 0; i < a->n_match_remote_fqdn && i < IKE_CFG_MAX_IDS; i++)
		if (!ike_cfg_str_eq(a->match_remote_fqdn[i], b->match_remote_fqdn[i]))
			return false;
	for (size_t i = 0; i < a->n_match_remote_dn && i < IKE_CFG_MAX_IDS; i++)
		if (!ike_cfg_str_eq(a->match_remote_dn[i], b->match_remote_dn[i]))
			return false;
	return true;
}

/* ---------------------------------------------------------------- payloads */

static int add_certreq(struct ike_builder *b, const struct ike_sa *sa)
{
	const struct ike_creds *cr = sa->tun->creds;
	if (!sa->tun->cfg.auth_remote_rsa || !cr || !cr->have_ca)
		return 0;
	return ike_add_cert(b, PL_CERTREQ, CERT_X509_SIGNATURE, cr->ca_hash, sizeof(cr->ca_hash));
}

int ike_cert_init_add(struct ike_builder *b, struct ike_sa *sa, bool response)
{
	const struct ike_cfg_tunnel *c = &sa->tun->cfg;
	int rc = 0;

	if (response)
		rc |= add_certreq(b, sa); /* RFC 7296 §1.2: after Nr */
	if (!c->no_fragmentation && (!response || sa->frag_ok))
		rc |= ike_add_notify(b, 0, NULL, 0, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	if (ike_cert_used(c) && !c->no_sig_hash_notify)
		rc |= ike_sig_add_notify(b);
	return rc < 0 ? -1 : 0;
}

void ike_cert_init_peer(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_notify_pl n;

	sa->frag_ok = !sa->tun->cfg.no_fragmentation &&
	              ike_find_notify(m, N_IKEV2_FRAGMENTATION_SUPPORTED, &n);
	sa->peer_hashes =
	    ike_find_notify(m, N_SIGNATURE_HASH_ALGORITHMS, &n) ? ike_sig_parse_notify(&n) : 0;
}

int ike_cert_local_id(const struct ike_sa *sa, uint8_t *body, size_t cap, size_t *len, char *text,
                      size_t tlen)
{
	const struct ike_cfg_tunnel *c = &sa->tun->cfg;
	const struct ike_creds *cr = sa->tun->creds;
	struct chunk dn = CHUNK_EMPTY;
	const uint8_t *data;
	size_t dl;
	uint8_t type = c->local_id_type ? c->local_id_type : ID_IPV4_ADDR;

	if (type == ID_FQDN) {
		const char *fqdn = ike_cfg_s(c->local_id_fqdn);
		data = (const uint8_t *)fqdn;
		dl = strlen(fqdn);
		snprintf(text, tlen, "%s", fqdn);
	} else if (type == ID_DER_ASN1_DN) {
		if (!cr || !cr->cert || cert_subject_der(cr->cert, &dn) < 0)
			return -1;
		data = dn.ptr;
		dl = dn.len;
		if (cert_subject_text(cr->cert, text, tlen) < 0)
			snprintf(text, tlen, "<DN>");
	} else {
		const uint8_t *a = (const uint8_t *)&sa->local;
		data = a;
		dl = 4;
		snprintf(text, tlen, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	}
	bool ok = dl > 0 && 4 + dl <= cap;
	if (ok) {
		body[0] = type;
		body[1] = body[2] = body[3] = 0;
		memcpy(body + 4, data, dl);
		*len = 4 + dl;
	}
	chunk_clear(&dn);
	return ok ? 0 : -1;
}

int ike_cert_auth_add(struct ike_builder *b, struct ike_sa *sa)
{
	const struct ike_creds *cr = sa->tun->creds;
	int rc = 0;

	if (sa->tun->cfg.auth_local == IKE_AUTH_RSA && cr && cr->cert) {
		size_t len;
		const uint8_t *der = cert_der(cr->cert, &len);
		rc |= ike_add_cert(b, PL_CERT, CERT_X509_SIGNATURE, der, len);
		for (size_t i = 0; i < cr->n_chain; i++) {
			der = cert_der(cr->chain[i], &len);
			rc |= ike_add_cert(b, PL_CERT, CERT_X509_SIGNATURE, der, len);
		}
	}
	if (sa->initiator)
		rc |= add_certreq(b, sa);
	return rc < 0 ? -1 : 0;
}

/*
 * Applying a committed configuration: resolve every protected tunnel interface through its
 * profiles (ipsec profile → ikev2 profile → keyring peer, policy → proposals, transform sets),
 * reconcile the tunnel-ipN devices, then hand the IKE engine its new configuration.
 *
 * Refusal leaves everything as it was: all resolution happens before the first side effect.
 * Certificate authentication is refused at commit when the trustpoint's files are missing,
 * unreadable or not what they claim, or the private key is not root-only; while the file is
 * loaded at start the same problems are logged and leave that tunnel down instead.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "daemon/daemon_int.h"
#include "ike/wire.h"
#include "util/log.h"
#include "vti/vti.h"

static uint16_t integ_id(unsigned h)
{
	switch (h) {
	case CFG_HASH_SHA1:
		return AUTH_HMAC_SHA1_96;
	case CFG_HASH_SHA256:
		return AUTH_HMAC_SHA2_256_128;
	case CFG_HASH_SHA384:
		return AUTH_HMAC_SHA2_384_192;
	case CFG_HASH_SHA512:
		return AUTH_HMAC_SHA2_512_256;
	}
	return AUTH_NONE;
}

static uint16_t prf_id(unsigned h)
{
	switch (h) {
	case CFG_HASH_SHA1:
		return PRF_HMAC_SHA1;
	case CFG_HASH_SHA256:
		return PRF_HMAC_SHA2_256;
	case CFG_HASH_SHA384:
		return PRF_HMAC_SHA2_384;
	case CFG_HASH_SHA512:
		return PRF_HMAC_SHA2_512;
	}
	return 0;
}

static uint16_t esp_integ_id(unsigned h)
{
	switch (h) {
	case CFG_HMAC_SHA1:
		return AUTH_HMAC_SHA1_96;
	case CFG_HMAC_SHA256:
		return AUTH_HMAC_SHA2_256_128;
	case CFG_HMAC_SHA384:
		return AUTH_HMAC_SHA2_384_192;
	case CFG_HMAC_SHA512:
		return AUTH_HMAC_SHA2_512_256;
	}
	return AUTH_NONE;
}

static void copy_proposal(struct ike_cfg_proposal *o, const struct cfg_proposal *p)
{
	snprintf(o->name, sizeof(o->name), "%s", p->name);
	for (size_t i = 0; i < p->n_encr && o->n_encr < IKE_CFG_MAX_ALGS; i++) {
		o->encr[o->n_encr] = cfg_encr_is_gcm(p->encr[i]) ? ENCR_AES_GCM_16 : ENCR_AES_CBC;
		o->encr_bits[o->n_encr++] = (uint16_t)cfg_encr_key_bits(p->encr[i]);
	}
	for (size_t i = 0; i < p->n_integ && o->n_integ < IKE_CFG_MAX_ALGS; i++)
		o->integ[o->n_integ++] = integ_id(p->integ[i]);
	uint8_t prf[CFG_MAX_PRF];
	size_t n = cfg_eff_prf(p, prf);
	for (size_t i = 0; i < n && o->n_prf < IKE_CFG_MAX_ALGS; i++)
		o->prf[o->n_prf++] = prf_id(prf[i]);
	for (size_t i = 0; i < p->n_dh && o->n_dh < IKE_CFG_MAX_ALGS; i++)
		o->dh[o->n_dh++] = p->dh[i];
}

static const struct cfg_peer *peer_for(const struct cfg_keyring *k, uint32_t remote)
{
	for (size_t i = 0; k && i < k->n_peers; i++) {
		const struct cfg_peer *p = &k->peers[i];
		if (p->has_address && (p->address & p->mask) == (remote & p->mask))
			return p;
	}
	return NULL;
}

static int set_psk(struct ike_cfg_tunnel *t, const struct cfg_peer *p)
{
	const struct chunk *l = p->psk.len ? &p->psk : &p->psk_local;
	const struct chunk *r = p->psk.len ? &p->psk : &p->psk_remote;
	if (!l->len || !r->len)
		return -1;
	if (!chunk_dup(&t->psk_local, l->ptr, l->len) || !chunk_dup(&t->psk_remote, r->ptr, r->len))
		return -1;
	return 0;
}

static int copy_trustpoint(struct ike_cfg_tunnel *t, const struct cfg_trustpoint *tp)
{
	if (!tp)
		return 0;
	if (ike_cfg_set_str(&t->ca_file, tp->ca_file) < 0 ||
	    ike_cfg_set_str(&t->cert_file, tp->cert_file) < 0 ||
	    ike_cfg_set_str(&t->key_file, tp->key_file) < 0 ||
	    ike_cfg_set_str(&t->crl_file, tp->crl_file) < 0)
		return -1;
	return 0;
}

/* Our identity and the peer identities the profile accepts besides addresses. */
static int copy_identities(struct ike_cfg_tunnel *t, const struct cfg_ike_profile *pr)
{
	switch (pr->id_local) {
	case CFG_IDL_ADDRESS:
		t->local_id_type = ID_IPV4_ADDR;
		break;
	case CFG_IDL_FQDN:
		t->local_id_type = ID_FQDN;
		if (ike_cfg_set_str(&t->local_id_fqdn, pr->id_local_fqdn) < 0)
			return -1;
		break;
	case CFG_IDL_DN:
		t->local_id_type = ID_DER_ASN1_DN;
		break;
	default:
		t->local_id_type = 0; /* the engine's default: our outer address */
	}
	for (size_t i = 0; i < pr->n_id_fqdn; i++)
		if (ike_cfg_add_id(t->match_remote_fqdn, &t->n_match_remote_fqdn, pr->id_fqdn[i]) <
		    0)
			return -1;
	for (size_t i = 0; i < pr->n_id_dn; i++)
		if (ike_cfg_add_id(t->match_remote_dn, &t->n_match_remote_dn, pr->id_dn[i]) < 0)
			return -1;
	t->rsa_pss = pr->rsa_pss;
	return 0;
}

/* A certificate file of the trustpoint: present, readable and a PEM certificate. */
static int check_cert_file(const char *tp, const char *what, const char *path, char *why,
                           size_t wlen)
{
	struct cert *c;
	if (!path) {
		snprintf(why, wlen, "trustpoint %s has no %s file", tp, what);
		return -1;
	}
	if (access(path, R_OK) < 0) {
		snprintf(why, wlen, "trustpoint %s: %s file %s: %s", tp, what, path,
		         strerror(errno));
		return -1;
	}
	if (!(c = cert_load_pem(path))) {
		snprintf(why, wlen, "trustpoint %s: %s file %s holds no PEM certificate", tp, what,
		         path);
		return -1;
	}
	cert_free(c);
	return 0;
}

/* The trustpoint files that passed check_trustpoint last in this commit: the next tunnels
 * with the same files and methods are not checked again (1000 tunnels, one trustpoint). */
struct tp_memo {
	bool ok;
	enum ike_cfg_auth auth_local;
	bool auth_remote_rsa;
	char ca_file[256], cert_file[256], key_file[256], crl_file[256]; /* as ike_cfg_tunnel */
};

static bool memo_match(const struct tp_memo *m, const struct ike_cfg_tunnel *t)
{
	return m->ok && m->auth_local == t->auth_local &&
	       m->auth_remote_rsa == t->auth_remote_rsa && ike_cfg_str_eq(m->ca_file, t->ca_file) &&
	       ike_cfg_str_eq(m->crl_file, t->crl_file) &&
	       ike_cfg_str_eq(m->cert_file, t->cert_file) &&
	       ike_cfg_str_eq(m->key_file, t->key_file);
}

static int memo_set(struct tp_memo *m, const struct ike_cfg_tunnel *t)
{
	m->ok = true;
	m->auth_local = t->auth_local;
	m->auth_remote_rsa = t->auth_remote_rsa;
	snprintf(m->ca_file, sizeof(m->ca_file), "%s", ike_cfg_s(t->ca_file));
	snprintf(m->cert_file, sizeof(m->cert_file), "%s", ike_cfg_s(t->cert_file));
	snprintf(m->key_file, sizeof(m->key_file), "%s", ike_cfg_s(t->key_file));
	snprintf(m->crl_file, sizeof(m->crl_file), "%s", ike_cfg_s(t->crl_file));
	return 0;
}

/* Refuses, at commit, certificate authentication that cannot work: missing or unreadable
 * files, or a private key that others may read (ike_check_key_file). The engine loads the
 * files again when the tunnel is set up; this only makes the commit say so first. */
static int check_trustpoint(const struct cfg_ike_profile *pr, const struct ike_cfg_tunnel *t,
                            struct tp_memo *memo, char *why, size_t wlen)
{
	const char *tp = pr->trustpoint;
	char kwhy[320];
	struct privkey *k;

	if (t->auth_local != IKE_AUTH_RSA && !t->auth_remote_rsa)
		return 0;
	if (pr->trustpoint[0] && memo_match(memo, t))
		return 0;
	memo->ok = false;
	if (!tp[0]) {
		snprintf(why, wlen, "ikev2 profile %s: rsa-signature needs pki trustpoint",
		         pr->name);
		return -1;
	}
	if (t->auth_remote_rsa && check_cert_file(tp, "ca-certificate", t->ca_file, why, wlen) < 0)
		return -1;
	if (t->auth_remote_rsa && t->crl_file && access(t->crl_file, R_OK) < 0) {
		snprintf(why, wlen, "trustpoint %s: crl file %s: %s", tp, t->crl_file,
		         strerror(errno));
		return -1;
	}
	if (t->auth_local != IKE_AUTH_RSA)
		return memo_set(memo, t);
	if (check_cert_file(tp, "certificate", t->cert_file, why, wlen) < 0)
		return -1;
	if (!t->key_file) {
		snprintf(why, wlen, "trustpoint %s has no private-key file", tp);
		return -1;
	}
	if (ike_check_key_file(t->key_file, kwhy, sizeof(kwhy)) < 0) {
		snprintf(why, wlen, "trustpoint %s: %s", tp, kwhy);
		return -1;
	}
	if (!(k = privkey_load_pem(t->key_file))) {
		snprintf(why, wlen, "trustpoint %s: key file %s holds no PEM private key", tp,
		         t->key_file);
		return -1;
	}
	privkey_free(k);
	return memo_set(memo, t);
}

static void copy_child(struct ike_cfg_tunnel *t, const struct cfg *c,
                       const struct cfg_ipsec_profile *ip)
{
	snprintf(t->ipsec_profile, sizeof(t->ipsec_profile), "%s", ip->name);
	for (size_t i = 0; i < ip->n_tsets && t->n_esp < 5; i++) {
		const struct cfg_transform_set *ts = cfg_find_tset(c, ip->tsets[i]);
		if (!ts)
			continue;
		struct ike_cfg_esp *e = &t->esp[t->n_esp++];
		snprintf(e->name, sizeof(e->name), "%s", ts->name);
		e->encr = cfg_esp_cipher_is_gcm(ts->cipher) ? ENCR_AES_GCM_16 : ENCR_AES_CBC;
		e->encr_bits = (uint16_t)cfg_esp_cipher_key_bits(ts->cipher);
		e->integ = esp_integ_id(ts->hmac);
	}
	t->pfs_group = ip->pfs;
	t->child_lifetime_s = cfg_eff_ipsec_lifetime(ip);
	t->replay_window = cfg_eff_replay_window(ip);
}

/* Everything one protected tunnel needs, or a reason why it cannot be built. */
static int build_tunnel(const struct cfg *c, const struct cfg_interface *itf, uint32_t local,
                        bool d_passive, struct ike_cfg_tunnel *t, struct tp_memo *memo, char *why,
                        size_t wlen)
{
	const struct cfg_ipsec_profile *ip = cfg_find_ipsec_profile(c, itf->protection);
	const struct cfg_ike_profile *pr = ip ? cfg_find_ike_profile(c, ip->ike_profile) : NULL;
	if (!ip || !pr) {
		snprintf(why, wlen, "ipsec profile %s or its ikev2 profile is missing",
		         itf->protection);
		return -1;
	}
	t->tunnel_id = itf->num;
	snprintf(t->ifname, sizeof(t->ifname), "%s", itf->name);
	t->local_addr = local;
	t->remote_addr = itf->destination;
	t->shutdown = itf->shutdown;
	t->passive = d_passive;
	const struct cfg_policy *pol = cfg_policy_for_local(c, local);
	for (size_t i = 0; pol && i < pol->n_proposals && t->n_proposals < IKE_CFG_MAX_PROPOSALS;
	     i++) {
		const struct cfg_proposal *p = cfg_find_proposal(c, pol->proposals[i]);
		struct ike_cfg_proposal *o = p ? ike_cfg_add_proposal(t) : NULL;
		if (p && !o) {
			snprintf(why, wlen, "out of memory");
			return -1;
		}
		if (o)
			copy_proposal(o, p);
	}
	if (!t->n_proposals) {
		snprintf(why, wlen, "no ikev2 policy with proposals matches local address %s",
		         inet_ntoa((struct in_addr){local}));
		return -1;
	}
	snprintf(t->ike_profile, sizeof(t->ike_profile), "%s", pr->name);
	t->ike_lifetime_s = cfg_eff_ike_lifetime(pr);
	t->auth_local = cfg_eff_auth_local(pr) == CFG_AUTH_RSA ? IKE_AUTH_RSA : IKE_AUTH_PSK;
	cfg_eff_auth_remote(pr, &t->auth_remote_psk, &t->auth_remote_rsa);
	for (size_t i = 0; i < pr->n_id_addr && t->n_match_remote < 8; i++) {
		t->match_remote_addr[t->n_match_remote] = pr->id_addr[i];
		t->match_remote_mask[t->n_match_remote++] = pr->id_mask[i];
	}
	t->dpd_interval_s = pr->dpd_interval;
	t->force_encap = pr->nat_force_encap;
	t->dpd_retry_s = pr->dpd_retry;
	if (copy_trustpoint(t, cfg_find_trustpoint(c, pr->trustpoint)) < 0 ||
	    copy_identities(t, pr) < 0) {
		snprintf(why, wlen, "out of memory");
		return -1;
	}
	if (check_trustpoint(pr, t, memo, why, wlen) < 0)
		return -1;
	const struct cfg_peer *peer = peer_for(cfg_find_keyring(c, pr->keyring), itf->destination);
	bool need_psk = t->auth_local == IKE_AUTH_PSK || t->auth_remote_psk;
	if (need_psk && (!peer || set_psk(t, peer) < 0)) {
		snprintf(why, wlen, "keyring %s has no peer with a pre-shared key for %s",
		         pr->keyring, inet_ntoa((struct in_addr){itf->destination}));
		return -1;
	}
	copy_child(t, c, ip);
	return 0;
}

/* The worst-case (largest) ESP overhead among the profile's transform sets, and the MTU. */
static unsigned tunnel_mtu(const struct ike_cfg_tunnel *t, unsigned outer)
{
	unsigned best = outer;
	for (size_t i = 0; i < t->n_esp; i++) {
		const struct encr_alg *e = crypto_encr(t->esp[i].encr, t->esp[i].encr_bits);
		const struct integ_alg *a = crypto_integ(t->esp[i].integ);
		if (!e)
			continue;
		unsigned icv = (unsigned)(e->aead ? e->icv_len : a ? a->icv_len : 0);
		/* NAT-T may be detected later: size for the UDP header too. */
		unsigned m =
		    vti_tunnel_mtu(outer, (unsigned)e->iv_len, (unsigned)e->block_len, icv, true);
		if (m < best)
			best = m;
	}
	return best;
}

/* Per interface of the configuration (same index): its source address, the MTU of its
 * device and why it cannot come up ("" when it can). */
struct plan_if {
	uint32_t local;
	unsigned mtu;
	char reason[400]; /* room for a trustpoint file path */
};

struct plan {
	struct ike_cfg ike;
	struct plan_if *itf;
};

static int resolve_source(const struct cfg *c, struct vti_addr_snap *snap,
                          const struct cfg_interface *itf, uint32_t *addr, unsigned *outer_mtu,
                          char *why, size_t wlen)
{
	struct vti_name_map map[64];
	size_t n = 0;
	for (size_t i = 0; i < c->n_ifmaps && n < 64; i++, n++) {
		map[n].iosxr = c->ifmaps[i].xr_name;
		map[n].linux_ifname = c->ifmaps[i].linux_name;
	}
	char ifn[IFNAMSIZ] = "";
	char err[VTI_ERRLEN];
	if (!itf->source[0]) {
		snprintf(why, wlen, "no tunnel source");
		return -1;
	}
	if (vti_resolve_source_snap(snap, itf->source, map, n, addr, ifn, sizeof(ifn), err,
	                            sizeof(err)) < 0) {
		snprintf(why, wlen, "%.*s", (int)(wlen - 1), err);
		return -1;
	}
	struct vti_link l;
	*outer_mtu = vti_snap_link(snap, ifn, &l, NULL, 0) == 0 ? l.mtu : 1500;
	return 0;
}

/* Builds the plan for every interface; failures are collected per interface. */
static int plan_build(struct daemon *d, const struct cfg *c, struct plan *p, struct strbuf *err)
{
	int bad = 0;
	size_t n = c->n_interfaces ? c->n_interfaces : 1;
	p->ike.tunnels = calloc(n, sizeof(*p->ike.tunnels));
	p->itf = calloc(n, sizeof(*p->itf));
	if (!p->ike.tunnels || !p->itf) {
		sb_printf(err, "%% out of memory\n");
		return -1;
	}
	/* one address dump for the whole commit; without it each source does its own */
	struct vti_addr_snap *snap = c->n_interfaces > 1 ? vti_addr_snap_take(NULL, 0) : NULL;
	struct tp_memo memo = {0};
	for (size_t i = 0; i < c->n_interfaces; i++) {
		const struct cfg_interface *itf = &c->interfaces[i];
		struct plan_if *pi = &p->itf[i];
		unsigned outer = 1500;
		pi->mtu = 1400;
		if (!itf->protection[0] || !itf->has_destination) {
			snprintf(pi->reason, sizeof(pi->reason), "no tunnel protection");
			continue;
		}
		if (resolve_source(c, snap, itf, &pi->local, &outer, pi->reason,
		                   sizeof(pi->reason)) < 0 ||
		    build_tunnel(c, itf, pi->local, d->o.passive, &p->ike.tunnels[p->ike.n_tunnels],
		                 &memo, pi->reason, sizeof(pi->reason)) < 0) {
			struct ike_cfg_tunnel *t = &p->ike.tunnels[p->ike.n_tunnels];
			ike_cfg_tunnel_clear(t);
			memset(t, 0, sizeof(*t));
			if (!d->loading) {
				sb_printf(err, "%% interface %s: %s\n", itf->name, pi->reason);
				bad++;
			} else {
				/* at start the file is taken as it is: the tunnel stays down */
				log_err("interface %s stays down: %s", itf->name, pi->reason);
			}
			continue;
		}
		pi->mtu = tunnel_mtu(&p->ike.tunnels[p->ike.n_tunnels], outer);
		p->ike.n_tunnels++;
	}
	vti_addr_snap_free(snap);
	return bad ? -1 : 0;
}

/* The tunnel carries IPv4 only (the seed's restriction): without this the kernel would send
 * IPv6 router solicitations into it, to be dropped and counted as bad inner packets. */
static void disable_ipv6(const char *ifname)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	FILE *f = fopen(path, "w");
	if (!f)
		return; /* no IPv6 in this kernel or namespace: nothing to disable */
	fputs("1\n", f);
	fclose(f);
}

/* Creates or updates the device of one interface. */
static int tunnel_up_device(struct daemon *d, const struct cfg_interface *itf, uint32_t local,
                            unsigned mtu, struct strbuf *err)
{
	struct tunnel_rt *t = tunnel_find(d, itf->num);
	char e[VTI_ERRLEN];
	if (!t) {
		int fd = vti_tun_create(itf->name, e, sizeof(e));
		if (fd < 0) {
			sb_printf(err, "%% %s\n", e);
			return -1;
		}
		if (!(t = tunnel_new(d, itf->num))) {
			vti_tun_destroy(fd, itf->name, NULL, 0);
			sb_printf(err, "%% out of memory for interface %s\n", itf->name);
			return -1;
		}
		t->tun_fd = fd;
		disable_ipv6(itf->name);
		tunnel_set_ifindex(d, t, vti_ifindex(itf->name, NULL, 0));
		snprintf(t->ifname, sizeof(t->ifname), "%s", itf->name);
	}
	if (t->registered && (t->local != local || t->remote != itf->destination)) {
		dp_tunnel_remove(d->dp, t->num);
		t->registered = false;
	}
	t->local = local;
	t->remote = itf->destination;
	if (!t->registered && d->dp &&
	    dp_tunnel_add(d->dp, t->num, t->tun_fd, local, t->remote) == 0)
		t->registered = true;
	if (mtu != t->mtu && vti_mtu_set(t->ifname, mtu, e, sizeof(e)) == 0)
		t->mtu = mtu;
	if (itf->has_address && (t->addr != itf->address || t->mask != itf->mask)) {
		if (vti_addr_set(t->ifname, itf->address, vti_mask_to_prefix(itf->mask), e,
		                 sizeof(e)) < 0)
			log_err("%s", e);
		t->addr = itf->address;
		t->mask = itf->mask;
	} else if (!itf->has_address && t->addr) {
		vti_addr_flush(t->ifname, NULL, 0);
		t->addr = t->mask = 0;
	}
	return 0;
}

static void tunnel_remove_device(struct daemon *d, struct tunnel_rt *t)
{
	if (t->registered && d->dp)
		dp_tunnel_remove(d->dp, t->num);
	vti_tun_destroy(t->tun_fd, t->ifname, NULL, 0);
	log_info("%s removed", t->ifname);
	tunnel_delete(d, t);
}

/* Removes the devices of interfaces no longer in next. Interface numbers are 0-65535
 * (grammar.c): one bit each marks those kept, so this is linear in the tunnels. */
static void remove_stale(struct daemon *d, const struct cfg *next)
{
	uint64_t *kept = calloc(65536 / 64, sizeof(*kept));
	struct tunnel_rt *t, *nt;
	for (size_t i = 0; kept && i < next->n_interfaces; i++) {
		uint32_t num = next->interfaces[i].num;
		if (num < 65536)
			kept[num / 64] |= 1ull << (num % 64);
	}
	for (t = d->tun_head; t; t = nt) {
		nt = t->next;
		bool keep = kept ? t->num < 65536 && (kept[t->num / 64] >> (t->num % 64) & 1)
		                 : cfg_find_interface(next, t->num) != NULL;
		if (!keep)
			tunnel_remove_device(d, t);
	}
	free(kept);
}

int apply_config(void *arg, const struct cfg *next, const struct cfg *prev, struct strbuf *err)
{
	struct daemon *d = arg;
	struct plan *p = calloc(1, sizeof(*p));
	if (!p)
		return -1;
	int rc = plan_build(d, next, p, err);
	for (size_t i = 0; rc == 0 && i < next->n_interfaces; i++) {
		rc = tunnel_up_device(d, &next->interfaces[i], p->itf[i].local, p->itf[i].mtu, err);
		if (i % 256 == 255)
			monitor_drain(d);
	}
	if (rc == 0 && d->ike && ike_set_config(d->ike, &p->ike) < 0) {
		sb_printf(err, "%% out of memory applying the IKE configuration\n");
		rc = -1;
	}
	if (rc == 0)
		remove_stale(d, next);
	ike_cfg_free(&p->ike);
	free(p->itf);
	free(p);
	return rc;
}

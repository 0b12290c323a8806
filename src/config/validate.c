/*
 * Whole-configuration validation at commit (and at load): every reference resolves and every
 * combination makes sense. Each problem is one "% OBJECT: problem" line; all are listed.
 * Decisions (GCM with integrity, prf defaults, ...) are in docs/config-deviations.md.
 */
#include "config/session_int.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vctx {
	const struct cfg *c;
	struct strbuf *err;
	size_t n;
};

static void problem(struct vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct vctx *v, const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sb_printf(v->err, "%% %s\n", buf);
	v->n++;
}

static void check_proposal(struct vctx *v, const struct cfg_proposal *p)
{
	bool cbc = false;
	for (size_t i = 0; i < p->n_encr; i++)
		cbc |= !cfg_encr_is_gcm(p->encr[i]);
	if (!p->n_encr)
		problem(v, "ikev2 proposal %s: needs encryption", p->name);
	if (cbc && !p->n_integ)
		problem(v, "ikev2 proposal %s: AES-CBC encryption needs integrity", p->name);
	if (!p->n_prf && !p->n_integ)
		problem(v, "ikev2 proposal %s: needs prf (there is no integrity to take it from)",
		        p->name);
	if (!p->n_dh)
		problem(v, "ikev2 proposal %s: needs dh-group", p->name);
}

static void check_policy(struct vctx *v, const struct cfg_policy *p)
{
	if (!p->n_proposals)
		problem(v, "ikev2 policy %s: needs at least one proposal", p->name);
	for (size_t i = 0; i < p->n_proposals; i++)
		if (!cfg_find_proposal(v->c, p->proposals[i]))
			problem(v, "ikev2 policy %s: proposal %s does not exist", p->name,
			        p->proposals[i]);
}

static void check_peer(struct vctx *v, const struct cfg_keyring *k, const struct cfg_peer *p)
{
	if (!p->has_address)
		problem(v, "keyring %s peer %s: needs address A.B.C.D MASK", k->name, p->name);
	bool sym = p->psk.len, loc = p->psk_local.len, rem = p->psk_remote.len;
	if (!sym && !loc && !rem)
		problem(v, "keyring %s peer %s: needs a pre-shared-key", k->name, p->name);
	if (loc != rem)
		problem(v, "keyring %s peer %s: pre-shared-key %s needs pre-shared-key %s", k->name,
		        p->name, loc ? "local" : "remote", loc ? "remote" : "local");
}

static void check_keyring(struct vctx *v, const struct cfg_keyring *k)
{
	if (!k->n_peers)
		problem(v, "keyring %s: needs at least one peer", k->name);
	for (size_t i = 0; i < k->n_peers; i++)
		check_peer(v, k, &k->peers[i]);
}

static void check_profile_rsa(struct vctx *v, const struct cfg_ike_profile *p, bool local_rsa)
{
	const struct cfg_trustpoint *t = cfg_find_trustpoint(v->c, p->trustpoint);
	if (!p->trustpoint[0]) {
		problem(v, "ikev2 profile %s: rsa-signature authentication needs pki trustpoint",
		        p->name);
		return;
	}
	if (!t) {
		problem(v, "ikev2 profile %s: crypto ca trustpoint %s does not exist", p->name,
		        p->trustpoint);
		return;
	}
	if (!t->ca_file[0])
		problem(v, "crypto ca trustpoint %s: needs ca-certificate", t->name);
	if (local_rsa && (!t->cert_file[0] || !t->key_file[0]))
		problem(v,
		        "crypto ca trustpoint %s: authentication local rsa-signature needs "
		        "certificate and private-key",
		        t->name);
}

static void check_profile(struct vctx *v, const struct cfg_ike_profile *p)
{
	bool rpsk, rrsa;
	cfg_eff_auth_remote(p, &rpsk, &rrsa);
	bool lpsk = cfg_eff_auth_local(p) == CFG_AUTH_PSK;
	if (p->keyring[0] && !cfg_find_keyring(v->c, p->keyring))
		problem(v, "ikev2 profile %s: keyring %s does not exist", p->name, p->keyring);
	else if (!p->keyring[0] && (lpsk || rpsk))
		problem(v, "ikev2 profile %s: pre-shared authentication needs a keyring", p->name);
	if (!lpsk || rrsa)
		check_profile_rsa(v, p, !lpsk);
	else if (p->trustpoint[0] && !cfg_find_trustpoint(v->c, p->trustpoint))
		problem(v, "ikev2 profile %s: crypto ca trustpoint %s does not exist", p->name,
		        p->trustpoint);
	if (p->id_local == CFG_IDL_DN && lpsk)
		problem(v,
		        "ikev2 profile %s: identity local dn needs authentication local "
		        "rsa-signature (the DN is our certificate's subject)",
		        p->name);
	if (p->n_id_dn && !rrsa)
		problem(v,
		        "ikev2 profile %s: match identity remote dn needs authentication remote "
		        "rsa-signature",
		        p->name);
	if (p->lifetime && (p->lifetime < 120 || p->lifetime > 86400))
		problem(v, "ikev2 profile %s: lifetime must be 120-86400", p->name);
}

static void check_tset(struct vctx *v, const struct cfg_transform_set *t)
{
	if (!t->cipher && !t->hmac)
		problem(v, "ipsec transform-set %s: needs transform CIPHER HMAC", t->name);
	else if (!t->cipher)
		problem(v,
		        "ipsec transform-set %s: needs a cipher (esp-aes, esp-192-aes, "
		        "esp-256-aes, esp-gcm-128, esp-gcm-256)",
		        t->name);
	else if (cfg_esp_cipher_is_gcm(t->cipher) && t->hmac)
		problem(v, "ipsec transform-set %s: %s takes no HMAC (GCM authenticates itself)",
		        t->name, cfg_esp_cipher_name(t->cipher));
	else if (!cfg_esp_cipher_is_gcm(t->cipher) && !t->hmac)
		problem(v,
		        "ipsec transform-set %s: %s needs an HMAC (esp-hmac-sha1, "
		        "esp-hmac-sha-256, esp-hmac-sha-384, esp-hmac-sha-512)",
		        t->name, cfg_esp_cipher_name(t->cipher));
}

static void check_ipsec_profile(struct vctx *v, const struct cfg_ipsec_profile *p)
{
	if (!p->ike_profile[0])
		problem(v, "ipsec profile %s: needs set ikev2-profile", p->name);
	else if (!cfg_find_ike_profile(v->c, p->ike_profile))
		problem(v, "ipsec profile %s: ikev2 profile %s does not exist", p->name,
		        p->ike_profile);
	if (!p->n_tsets)
		problem(v, "ipsec profile %s: needs set transform-set", p->name);
	for (size_t i = 0; i < p->n_tsets; i++)
		if (!cfg_find_tset(v->c, p->tsets[i]))
			problem(v, "ipsec profile %s: ipsec transform-set %s does not exist",
			        p->name, p->tsets[i]);
	if (p->lifetime && (p->lifetime < 120 || p->lifetime > 2592000))
		problem(v, "ipsec profile %s: security-association lifetime must be 120-2592000",
		        p->name);
}

/* Protected tunnels ordered by (destination, source), then by position: a tunnel that shares
 * the pair with an earlier one sorts right after the first of them. Pairwise comparison made
 * each commit of 10,000 tunnels cost 50 million comparisons. */
static int pair_cmp(const void *a, const void *b, void *arg)
{
	const struct cfg_interface *f = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	if (f[i].destination != f[j].destination)
		return f[i].destination < f[j].destination ? -1 : 1;
	int c = strcmp(f[i].source, f[j].source);
	return c ? c : (i > j) - (i < j);
}

/* first[i]: the earliest protected interface with interface i's source and destination, or i
 * itself (and for unprotected ones). NULL when out of memory: the check is then pairwise. */
static size_t *pair_firsts(const struct cfg *c)
{
	size_t n = c->n_interfaces, k = 0;
	size_t *first = malloc((n ? n : 1) * sizeof(*first));
	size_t *ord = malloc((n ? n : 1) * sizeof(*ord));
	if (!first || !ord) {
		free(first);
		free(ord);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		first[i] = i;
		if (c->interfaces[i].protection[0] && c->interfaces[i].has_destination)
			ord[k++] = i;
	}
	qsort_r(ord, k, sizeof(*ord), pair_cmp, c->interfaces);
	for (size_t i = 1; i < k; i++) {
		const struct cfg_interface *f = &c->interfaces[ord[i]];
		const struct cfg_interface *g = &c->interfaces[first[ord[i - 1]]];
		if (f->destination == g->destination && !strcmp(f->source, g->source))
			first[ord[i]] = first[ord[i - 1]];
	}
	free(ord);
	return first;
}

static void check_interface(struct vctx *v, const struct cfg_interface *f, const size_t *first)
{
	if (!f->protection[0])
		return; /* not an IPsec tunnel yet: nothing to check */
	if (!cfg_find_ipsec_profile(v->c, f->protection))
		problem(v, "interface %s: ipsec profile %s does not exist", f->name, f->protection);
	if (!f->mode_ipsec_ipv4)
		problem(v, "interface %s: tunnel protection needs tunnel mode ipsec ipv4", f->name);
	if (!f->source[0])
		problem(v, "interface %s: tunnel protection needs tunnel source", f->name);
	if (!f->has_destination)
		problem(v, "interface %s: tunnel protection needs tunnel destination", f->name);
	if (!f->has_address)
		problem(v, "interface %s: tunnel protection needs ipv4 address", f->name);
	if (!v->c->n_policies)
		problem(v, "interface %s: tunnel protection needs an ikev2 policy (proposals)",
		        f->name);
	size_t i = (size_t)(f - v->c->interfaces);
	if (first && first[i] != i)
		problem(v, "interface %s: same tunnel source and destination as %s", f->name,
		        v->c->interfaces[first[i]].name);
	for (const struct cfg_interface *g = v->c->interfaces; !first && g < f; g++)
		if (g->protection[0] && g->has_destination && f->has_destination &&
		    g->destination == f->destination && !strcmp(g->source, f->source))
			problem(v, "interface %s: same tunnel source and destination as %s",
			        f->name, g->name);
}

size_t cfg_validate(const struct cfg *c, struct strbuf *err)
{
	struct vctx v = {c, err, 0};
	for (size_t i = 0; i < c->n_proposals; i++)
		check_proposal(&v, &c->proposals[i]);
	for (size_t i = 0; i < c->n_policies; i++)
		check_policy(&v, &c->policies[i]);
	for (size_t i = 0; i < c->n_keyrings; i++)
		check_keyring(&v, &c->keyrings[i]);
	for (size_t i = 0; i < c->n_ike_profiles; i++)
		check_profile(&v, &c->ike_profiles[i]);
	for (size_t i = 0; i < c->n_tsets; i++)
		check_tset(&v, &c->tsets[i]);
	if (c->n_ipsec_profiles > CFG_MAX_IPSEC_PROFS)
		problem(&v, "at most %d ipsec profiles are supported (%zu configured)",
		        CFG_MAX_IPSEC_PROFS, c->n_ipsec_profiles);
	for (size_t i = 0; i < c->n_ipsec_profiles; i++)
		check_ipsec_profile(&v, &c->ipsec_profiles[i]);
	size_t *first = pair_firsts(c);
	for (size_t i = 0; i < c->n_interfaces; i++)
		check_interface(&v, &c->interfaces[i], first);
	free(first);
	return v.n;
}

/* Rendering of each object kind in the seed's sub-line order (see render.h). */
#include "config/render.h"
#include "config/model_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static const char *ip(uint32_t a, char buf[INET_ADDRSTRLEN])
{
	struct in_addr in = {.s_addr = a};
	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static void put_addr_mask(struct strbuf *o, const char *pfx, uint32_t a, uint32_t m)
{
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];
	sb_printf(o, "%s %s %s\n", pfx, ip(a, b1), ip(m, b2));
}

static void put_hash_list(struct strbuf *o, const char *kw, const uint8_t *v, size_t n)
{
	if (!n)
		return;
	sb_printf(o, " %s", kw);
	for (size_t i = 0; i < n; i++)
		sb_printf(o, " %s", cfg_hash_name(v[i]));
	sb_puts(o, "\n");
}

static void r_hostname(const struct cfg *c, size_t i, unsigned fl, struct strbuf *o)
{
	sb_printf(o, "hostname %s\n", c->hostname);
}

static void r_ifmap(const struct cfg *c, size_t i, unsigned fl, struct strbuf *o)
{
	sb_printf(o, "interface-name-map %s %s\n", c->ifmaps[i].xr_name, c->ifmaps[i].linux_name);
}

static void r_proposal(const struct cfg *c, size_t i, unsigned fl, struct strbuf *o)
{
	const struct cfg_proposal *p = &c->proposals[i];
	sb_printf(o, "ikev2 proposal %s\n", p->name);
	put_hash_list(o, "prf", p->prf, p->n_prf);
	if (p->n_dh) {
		sb_puts(o, " dh-group");
		for (size_t j = 0; j < p->n_dh; j++)
			sb_printf(o, " %u", p->dh[j]);
		sb_puts(o, "\n");
	}
	put_hash_list(o, "integrity", p->integ, p->n_integ);
	if (p->n_encr) {
		sb_puts(o, " encryption");
		for (size_t j = 0; j < p->n_encr; j++)
			sb_printf(o, " %s", cfg_encr_name(p->encr[j]));
		sb_puts(o, "\n");
	}
}

static void put_fvrf(struct strbuf *o, bool any, const char *vrf)
{
	if (any)
		sb_puts(o, " match fvrf any\n");
	else if (vrf[0])
		sb_printf(o, " match fvrf %s\n", vrf);
}

static void r_policy(const struct cfg *c, size_t i, unsigned fl, struct strbuf *o)
{
	const struct cfg_policy *p = &c->policies[i];
	char b[INET_ADDRSTRLEN];
	sb_printf(o, "ikev2 policy %s\n", p->name);
	for (size_t j = 0; j < p->n_local_addr; j++)
		sb_printf(o, " match address local %s\n", ip(p->local_addr[j], b));
	put_fvrf(o, p->fvrf_any, p->fvrf);
	for (size_t j = 0; j < p->n_proposals; j++)
		sb_printf(o, " proposal %s\n", p->proposals[j]);
}

static void put_key(struct strbuf *o, const char *kw, const struct chunk *k, unsigned fl)
{
	if (!k->len)
		return;
	sb_printf(o, "  pre-shared-key %s ", kw);
	if (fl & CFG_RENDER_FILE)
		sb_append(o, (const char *)k->ptr, k->len);
	else
		sb_puts(o, CFG_PSK_MASK);
	sb_puts(o, "\n");
}

static void r_keyring(const struct cfg *c, size_t i, unsigned fl, struct strbuf *o)
{
	const struct cfg_keyring *k = &c->keyrings[i];
	sb_printf(o, "keyring %s\n", k->name);
	for (size_t j = 0; j < k->n_peers; j++) {
		const struct cfg_peer *p = &k->peers[j];
		sb_printf(o, " peer %s\n", p->name);
		put_key(o, "password", &p->psk, fl);
		put_key(o, "local", &p->psk_local, fl);
		put_key(o, "remote", &p->psk_remote, fl);
		if (p->has_address)
			put_addr_mask(o, "  address", p->address, p->mask);
		sb_puts(o, " !\n");
	}
}

static void r_trustpoint(const struct cfg *c, size_t i, unsigned fl, struct strbuf *o)
{
	const struct cfg_trustpoint *t = &c->trustpoints[i];
	sb_printf(o, "crypto ca trustpoint %s\n", t->name);
	if (t->ca_file[0])
		sb_printf(o, " ca-certificate %s\n", t->ca_file);
	if (t->cert_file[0])
		sb_printf(o, " certificate %s\n", t->cert_file);
	if (t->key_file[0])
		sb_printf(o, " private-key %s\n", t->key_file);
	if (t->crl_file[0])
		sb_printf(o, " crl %s\n", t->crl_file);
}

static const char *auth_kw(unsigned a)
{
	return a == CFG_AUTH_RSA ? "rsa-signature" : "pre-shared";
}

static const char *id_local_kw(unsigned t)
{
	return t == CFG_IDL_FQDN ? "fqdn" : t == CFG_IDL_DN ? "dn" : "address";
}

static void r_profile(const struct cfg *c, size_t i, unsigned fl, struct strbuf *o)
{
	const struct cfg_ike_profile *p = &c->ike_profiles[i];
	sb_printf(o, "ikev2 profile %s\n", p->name);
	if (p->auth_local)
		sb_printf(o, " authentication local %s%s\n", auth_kw(p->auth_local),
		          p->rsa_pss ? " pss" : "");
	if (p->auth_remote_psk)
		sb_puts(o, " authentication remote pre-shared\n");
	if (p->auth_remote_rsa)
		sb_puts(o, " authentication remote rsa-signature\n");
	if (p->id_local)
		sb_printf(o, " identity local %s%s%s\n", id_local_kw(p->id_local),
		          p->id_local_fqdn[0] ? " " : "", p->id_local_fqdn);
	if (p->keyring[0])
		sb_printf(o, " keyring %s\n", p->keyring);
	if (p->lifetime)
		sb_printf(o, " lifetime %u\n", p->lifetime);
	for (size_t j = 0; j < p->n_id_addr; j++)
		put_addr_mask(o, " match identity remote address", p->id_addr[j], p->id_mask[j]);
	for (size_t j = 0; j < p->n_id_fqdn; j++)
		sb_printf(o, " match identity remote fqdn %s\n", p->id_fqdn[j]);
	for (size_t j = 0; j < p->n_id_dn; j++)
		sb_printf(o, " match identity remote dn %s\n", p->id_dn[j]);
	put_fvrf(o, p->fvrf_any, p->fvrf);
	if (p->trustpoint[0])
		sb_printf(o, " pki trustpoint %s\n", p->trustpoint);
	if (p->dpd_interval)
		sb_printf(o, " dpd %u %u\n", p->dpd_interval, p->dpd_retry);
	if (p->nat_force_encap)
		sb_puts(o, " nat force-encap\n");
}

static void r_tset(const struct cfg *c, size_t i, unsigned fl, struct strbuf *o)
{
	const struct cfg_transform_set *t = &c->tsets[i];
	sb_printf(o, "ipsec transform-set %s\n", t->name);
	if (t->mode_tunnel)
		sb_puts(o, " mode tunnel\n");
	if (t->cipher || t->hmac) {
		sb_puts(o, " transform");
		if (t->cipher)
			sb_printf(o, " %s", cfg_esp_cipher_name(t->cipher));
		if (t->hmac)
			sb_printf(o, " %s", cfg_esp_hmac_name(t->hmac));
		sb_puts(o, "\n");
	}
}

static void r_ipsec_profile(const struct cfg *c, size_t i, unsigned fl, struct strbuf *o)
{
	const struct cfg_ipsec_profile *p = &c->ipsec_profiles[i];
	sb_printf(o, "ipsec profile %s\n", p->name);
	if (p->ike_profile[0])
		sb_printf(o, " set ikev2-profile %s\n", p->ike_profile);
	if (p->pfs)
		sb_printf(o, " set pfs group%u\n", p->pfs);
	if (p->lifetime)
		sb_printf(o, " set security-association lifetime seconds %u\n", p->lifetime);
	if (p->replay_window)
		sb_printf(o, " set security-association replay window-size %u\n", p->replay_window);
	if (p->n_tsets) {
		sb_puts(o, " set transform-set");
		for (size_t j = 0; j < p->n_tsets; j++)
			sb_printf(o, " %s", p->tsets[j]);
		sb_puts(o, "\n");
	}
}

static void r_interface(const struct cfg *c, size_t i, unsigned fl, struct strbuf *o)
{
	const struct cfg_interface *f = &c->interfaces[i];
	char b[INET_ADDRSTRLEN];
	sb_printf(o, "interface %s\n", f->name);
	if (f->description[0])
		sb_printf(o, " description %s\n", f->description);
	if (f->has_address)
		put_addr_mask(o, " ipv4 address", f->address, f->mask);
	if (f->mode_ipsec_ipv4)
		sb_puts(o, " tunnel mode ipsec ipv4\n");
	if (f->source[0])
		sb_printf(o, " tunnel source %s\n", f->source);
	if (f->has_destination)
		sb_printf(o, " tunnel destination %s\n", ip(f->destination, b));
	if (f->protection[0])
		sb_printf(o, " tunnel protection ipsec profile %s\n", f->protection);
	if (f->shutdown)
		sb_puts(o, " shutdown\n");
}

/* ---- the kinds table: count, name, put ---- */

static size_t n_hostname(const struct cfg *c)
{
	return c->hostname[0] != '\0';
}

static const char *nm_hostname(const struct cfg *c, size_t i)
{
	return "";
}

static int put_hostname(struct cfg *d, const struct cfg *s, const char *name)
{
	cfg_strset(d->hostname, sizeof(d->hostname), s->hostname);
	return 0;
}

static int put_keyrings(struct cfg *d, const struct cfg *s, const char *name)
{
	const struct cfg_keyring *src = cfg_find_keyring(s, name);
	CFG_DEL(d, keyrings, struct cfg_keyring, name, cfg_keyring_fini);
	if (!src)
		return 0;
	struct cfg_keyring *dst = CFG_GET(d, keyrings, struct cfg_keyring, name);
	if (!dst || !cfg_keyring_copy(dst, src))
		return -1;
	return 0;
}

/* Generic functions for the flat object kinds (no pointers inside). */
#define FLAT_KIND(field, type, what_, render_fn)                                                   \
	static size_t n_##field(const struct cfg *c)                                               \
	{                                                                                          \
		return c->n_##field;                                                               \
	}                                                                                          \
	static const char *nm_##field(const struct cfg *c, size_t i)                               \
	{                                                                                          \
		return (const char *)&c->field[i];                                                 \
	}                                                                                          \
	static int put_##field(struct cfg *d, const struct cfg *s, const char *name)               \
	{                                                                                          \
		const type *src = cfg_vec_find(s->field, s->n_##field, sizeof(type), name);        \
		if (!src) {                                                                        \
			CFG_DEL(d, field, type, name, NULL);                                       \
			return 0;                                                                  \
		}                                                                                  \
		/* NOLINTNEXTLINE(bugprone-macro-parentheses): type names a type */                \
		type *dst = CFG_GET(d, field, type, name);                                         \
		if (!dst)                                                                          \
			return -1;                                                                 \
		*dst = *src;                                                                       \
		return 0;                                                                          \
	}

FLAT_KIND(proposals, struct cfg_proposal, "ikev2 proposal", r_proposal)
FLAT_KIND(policies, struct cfg_policy, "ikev2 policy", r_policy)
FLAT_KIND(trustpoints, struct cfg_trustpoint, "crypto ca trustpoint", r_trustpoint)
FLAT_KIND(ike_profiles, struct cfg_ike_profile, "ikev2 profile", r_profile)
FLAT_KIND(tsets, struct cfg_transform_set, "ipsec transform-set", r_tset)
FLAT_KIND(ipsec_profiles, struct cfg_ipsec_profile, "ipsec profile", r_ipsec_profile)
FLAT_KIND(interfaces, struct cfg_interface, "interface", r_interface)

static size_t n_ifmaps(const struct cfg *c)
{
	return c->n_ifmaps;
}

static const char *nm_ifmaps(const struct cfg *c, size_t i)
{
	return c->ifmaps[i].xr_name;
}

static int put_ifmaps(struct cfg *d, const struct cfg *s, const char *name)
{
	const struct cfg_ifmap *src = cfg_vec_find(s->ifmaps, s->n_ifmaps, sizeof(*src), name);
	if (!src) {
		cfg_vec_del(d->ifmaps, &d->n_ifmaps, sizeof(*src), name, NULL);
		return 0;
	}
	struct cfg_ifmap *dst = cfg_vec_get((void **)&d->ifmaps, &d->n_ifmaps, sizeof(*dst), name,
	                                    sizeof(dst->xr_name));
	if (!dst)
		return -1;
	*dst = *src;
	return 0;
}

static size_t n_keyrings(const struct cfg *c)
{
	return c->n_keyrings;
}

static const char *nm_keyrings(const struct cfg *c, size_t i)
{
	return c->keyrings[i].name;
}

#define KIND(field, what_, render_fn, blk, flat)                                                   \
	{                                                                                          \
		.what = (what_), .count = n_##field, .name = nm_##field, .render = (render_fn),    \
		.put = put_##field, .block = (blk), .flat_size = (flat)                            \
	}
#define FLAT(field) sizeof(*((struct cfg *)0)->field)

const struct cfg_kind cfg_kinds[] = {
    KIND(hostname, "hostname", r_hostname, false, 0),
    KIND(ifmaps, "interface-name-map", r_ifmap, false, FLAT(ifmaps)),
    KIND(proposals, "ikev2 proposal", r_proposal, true, FLAT(proposals)),
    KIND(policies, "ikev2 policy", r_policy, true, FLAT(policies)),
    KIND(keyrings, "keyring", r_keyring, true, 0), /* peers: pointers */
    KIND(trustpoints, "crypto ca trustpoint", r_trustpoint, true, FLAT(trustpoints)),
    KIND(ike_profiles, "ikev2 profile", r_profile, true, FLAT(ike_profiles)),
    KIND(tsets, "ipsec transform-set", r_tset, true, FLAT(tsets)),
    KIND(ipsec_profiles, "ipsec profile", r_ipsec_profile, true, FLAT(ipsec_profiles)),
    KIND(interfaces, "interface", r_interface, true, FLAT(interfaces)),
};
const size_t cfg_n_kinds = sizeof(cfg_kinds) / sizeof(cfg_kinds[0]);

bool cfg_kind_text(const struct cfg_kind *k, const struct cfg *c, const char *name, unsigned flags,
                   struct strbuf *out)
{
	for (size_t i = 0; i < k->count(c); i++) {
		if (strcmp(k->name(c, i), name) == 0) {
			k->render(c, i, flags, out);
			return true;
		}
	}
	return false;
}

void cfg_render(const struct cfg *c, unsigned flags, struct strbuf *out)
{
	for (size_t k = 0; k < cfg_n_kinds; k++) {
		for (size_t i = 0; i < cfg_kinds[k].count(c); i++) {
			cfg_kinds[k].render(c, i, flags, out);
			if (cfg_kinds[k].block)
				sb_puts(out, "!\n");
		}
	}
}

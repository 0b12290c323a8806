/*
 * Handlers of the IKEv2 configuration commands: hostname, name map, proposals, policies,
 * keyrings and peers, profiles, trustpoints. Positive forms create the objects on their path;
 * `no` forms of a missing object do nothing (as removing it again would).
 */
#include "config/cmds.h"
#include "config/model_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cmd_fail(struct cmd_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int cmd_fail_at(struct cmd_ctx *c, size_t i, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	c->err_pos = i < c->nval ? c->val[i].pos : SIZE_MAX;
	return -1;
}

const struct cmd_val *cmd_find_kw(const struct cmd_ctx *c, long ival)
{
	for (size_t i = 0; i < c->nval; i++)
		if (c->val[i].node->kind == GK_KW && c->val[i].num == ival)
			return &c->val[i];
	return NULL;
}

/* The object named by key k of the path: created for positive forms, NULL when absent. */
#define OBJ(c, field, type, k)                                                                     \
	((c)->negate ? (type *)cfg_vec_find((c)->cfg->field, (c)->cfg->n_##field, sizeof(type),    \
	                                    (c)->key[k].text)                                      \
	             : CFG_GET((c)->cfg, field, type, (c)->key[k].text))

#define OBJ_OR_RETURN(var, c, field, type)                                                         \
	type *var = OBJ(c, field, type, 0);                                                        \
	if (!(var))                                                                                \
		return (c)->negate ? 0 : cmd_fail(c, "out of memory");

static int object_cmd(struct cmd_ctx *c, void **arr, size_t *n, size_t size, size_t name_size,
                      void (*fini)(void *))
{
	if (c->negate) {
		cfg_vec_del(*arr, n, size, c->key[0].text, fini);
		return 0;
	}
	return cfg_vec_get(arr, n, size, c->key[0].text, name_size) ? 0
	                                                            : cmd_fail(c, "out of memory");
}

#define OBJECT_CMD(c, field, type, fini)                                                           \
	object_cmd(c, (void **)&(c)->cfg->field, &(c)->cfg->n_##field, sizeof(type),               \
	           sizeof(((type *)0)->name), fini)

int cmd_hostname(struct cmd_ctx *c)
{
	cfg_strset(c->cfg->hostname, sizeof(c->cfg->hostname), c->negate ? "" : c->val[0].text);
	return 0;
}

int cmd_ifmap(struct cmd_ctx *c)
{
	if (!c->nval)
		return cmd_fail(c, "name the IOS XR interface: no interface-name-map IFNAME");
	const char *xr = c->val[0].text;
	if (c->negate) {
		CFG_DEL(c->cfg, ifmaps, struct cfg_ifmap, xr, NULL);
		return 0;
	}
	struct cfg_ifmap *m = (struct cfg_ifmap *)cfg_vec_get(
	    (void **)&c->cfg->ifmaps, &c->cfg->n_ifmaps, sizeof(*m), xr, CFG_IFNAME_SIZE);
	if (!m)
		return cmd_fail(c, "out of memory");
	cfg_strset(m->linux_name, sizeof(m->linux_name), c->val[1].text);
	return 0;
}

int cmd_proposal(struct cmd_ctx *c)
{
	return OBJECT_CMD(c, proposals, struct cfg_proposal, NULL);
}

/* Copies the listed keyword values into out, refusing duplicates. */
static int take_list(struct cmd_ctx *c, void *out, size_t elem, size_t *n)
{
	for (size_t i = 0; i < c->nval; i++) {
		for (size_t j = 0; j < i; j++)
			if (c->val[j].num == c->val[i].num)
				return cmd_fail_at(c, i, "%s is listed twice", c->val[i].text);
		if (elem == 1)
			((uint8_t *)out)[i] = (uint8_t)c->val[i].num;
		else
			((uint16_t *)out)[i] = (uint16_t)c->val[i].num;
	}
	*n = c->nval;
	return 0;
}

int cmd_prop_list(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, proposals, struct cfg_proposal);
	uint8_t tmp8[CFG_MAX_DH];
	uint16_t tmp16[CFG_MAX_DH];
	size_t n = 0;
	int which = (int)c->cmd_node->ival;
	if (!c->negate && (which == 'd' ? take_list(c, tmp16, 2, &n) : take_list(c, tmp8, 1, &n)))
		return -1;
	switch (which) {
	case 'e':
		memcpy(p->encr, tmp8, n);
		p->n_encr = n;
		break;
	case 'i':
		memcpy(p->integ, tmp8, n);
		p->n_integ = n;
		break;
	case 'p':
		memcpy(p->prf, tmp8, n);
		p->n_prf = n;
		break;
	default:
		memcpy(p->dh, tmp16, n * sizeof(uint16_t));
		p->n_dh = n;
	}
	return 0;
}

int cmd_policy(struct cmd_ctx *c)
{
	return OBJECT_CMD(c, policies, struct cfg_policy, NULL);
}

/* Adds or removes one name in a fixed list of names; `no` without a value clears it. */
static int name_list(struct cmd_ctx *c, char (*list)[CFG_NAME_SIZE], size_t *n, size_t max)
{
	if (c->negate && !c->nval) {
		*n = 0;
		return 0;
	}
	const char *name = c->val[0].text;
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(list[i], name))
			continue;
		if (c->negate) {
			memmove(list[i], list[i + 1], (*n - i - 1) * CFG_NAME_SIZE);
			memset(list[--*n], 0, CFG_NAME_SIZE);
		}
		return 0;
	}
	if (c->negate)
		return 0;
	if (*n == max)
		return cmd_fail_at(c, 0, "at most %zu entries", max);
	cfg_strset(list[(*n)++], CFG_NAME_SIZE, name);
	return 0;
}

int cmd_pol_proposal(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, policies, struct cfg_policy);
	return name_list(c, p->proposals, &p->n_proposals, CFG_MAX_LIST);
}

/* Adds or removes an (address, mask) pair; masks may be NULL for plain address lists. */
static int addr_list(struct cmd_ctx *c, uint32_t *addr, uint32_t *mask, size_t *n)
{
	if (c->negate && !c->nval) {
		*n = 0;
		return 0;
	}
	uint32_t a = c->val[0].addr, m = c->nval > 1 ? c->val[1].addr : 0;
	for (size_t i = 0; i < *n; i++) {
		if (addr[i] != a || (mask && c->nval > 1 && mask[i] != m))
			continue;
		if (c->negate) {
			memmove(&addr[i], &addr[i + 1], (*n - i - 1) * sizeof(*addr));
			if (mask)
				memmove(&mask[i], &mask[i + 1], (*n - i - 1) * sizeof(*mask));
			--*n;
		}
		return 0;
	}
	if (c->negate)
		return 0;
	if (*n == CFG_MAX_LIST)
		return cmd_fail_at(c, 0, "at most %d entries", CFG_MAX_LIST);
	addr[*n] = a;
	if (mask)
		mask[*n] = m;
	++*n;
	return 0;
}

int cmd_pol_local(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, policies, struct cfg_policy);
	return addr_list(c, p->local_addr, NULL, &p->n_local_addr);
}

static void set_fvrf(struct cmd_ctx *c, bool *any, char *vrf)
{
	*any = !c->negate && c->nval && c->val[0].node->kind == GK_KW;
	cfg_strset(vrf, CFG_NAME_SIZE, !c->negate && c->nval && !*any ? c->val[0].text : "");
}

int cmd_pol_fvrf(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, policies, struct cfg_policy);
	set_fvrf(c, &p->fvrf_any, p->fvrf);
	return 0;
}

int cmd_keyring(struct cmd_ctx *c)
{
	return OBJECT_CMD(c, keyrings, struct cfg_keyring, cfg_keyring_fini);
}

/* The peer of the path (keys: keyring, peer); created for positive forms. */
static struct cfg_peer *peer_of(struct cmd_ctx *c)
{
	struct cfg_keyring *k = OBJ(c, keyrings, struct cfg_keyring, 0);
	if (!k)
		return NULL;
	if (c->negate)
		return (struct cfg_peer *)cfg_find_peer(k, c->key[1].text);
	return cfg_get_peer(k, c->key[1].text);
}

int cmd_peer(struct cmd_ctx *c)
{
	if (!c->negate)
		return peer_of(c) ? 0 : cmd_fail(c, "out of memory");
	struct cfg_keyring *k = OBJ(c, keyrings, struct cfg_keyring, 0);
	if (k)
		CFG_DEL(k, peers, struct cfg_peer, c->key[1].text, cfg_peer_fini);
	return 0;
}

int cmd_peer_address(struct cmd_ctx *c)
{
	struct cfg_peer *p = peer_of(c);
	if (!p)
		return c->negate ? 0 : cmd_fail(c, "out of memory");
	p->has_address = !c->negate;
	p->address = c->negate ? 0 : c->val[0].addr;
	p->mask = c->negate ? 0 : c->val[1].addr;
	return 0;
}

int cmd_peer_psk(struct cmd_ctx *c)
{
	struct cfg_peer *p = peer_of(c);
	if (!p)
		return c->negate ? 0 : cmd_fail(c, "out of memory");
	long which = c->nval && c->val[0].node->kind == GK_KW ? c->val[0].num : 's';
	if (c->negate) {
		if (!c->nval)
			cfg_peer_clear_keys(p);
		else
			chunk_clear(which == 'l'   ? &p->psk_local
			            : which == 'r' ? &p->psk_remote
			                           : &p->psk);
		return 0;
	}
	if (!c->nval) /* the grammar always supplies the key; guard for the optimiser's sake */
		return cmd_fail(c, "missing key");
	const char *key = c->val[c->nval - 1].text;
	struct chunk *dst = which == 'l' ? &p->psk_local : which == 'r' ? &p->psk_remote : &p->psk;
	if (which == 's') {
		chunk_clear(&p->psk_local);
		chunk_clear(&p->psk_remote);
	} else {
		chunk_clear(&p->psk);
	}
	chunk_clear(dst);
	return chunk_dup(dst, key, strlen(key)) ? 0 : cmd_fail(c, "out of memory");
}

int cmd_profile(struct cmd_ctx *c)
{
	return OBJECT_CMD(c, ike_profiles, struct cfg_ike_profile, NULL);
}

static void set_name(struct cmd_ctx *c, char *dst)
{
	cfg_strset(dst, CFG_NAME_SIZE, c->negate || !c->nval ? "" : c->val[0].text);
}

int cmd_prof_keyring(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ike_profiles, struct cfg_ike_profile);
	set_name(c, p->keyring);
	return 0;
}

int cmd_prof_lifetime(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ike_profiles, struct cfg_ike_profile);
	p->lifetime = c->negate ? 0 : (uint32_t)c->val[0].num;
	return 0;
}

int cmd_prof_auth(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ike_profiles, struct cfg_ike_profile);
	long method = c->nval ? c->val[0].num : 0;
	if (c->cmd_node->ival == 'l') {
		p->auth_local = c->negate ? CFG_AUTH_NONE : (uint8_t)method;
		p->rsa_pss = !c->negate && method == CFG_AUTH_RSA && cmd_find_kw(c, 'P');
		return 0;
	}
	bool on = !c->negate;
	if (method == 0 || method == CFG_AUTH_PSK)
		p->auth_remote_psk = on && method;
	if (method == 0 || method == CFG_AUTH_RSA)
		p->auth_remote_rsa = on && method;
	return 0;
}

int cmd_prof_id_addr(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ike_profiles, struct cfg_ike_profile);
	return addr_list(c, p->id_addr, p->id_mask, &p->n_id_addr);
}

/* A list of up to CFG_MAX_LIST strings of size sz each: add (once), remove one, or clear. */
static int str_list(struct cmd_ctx *c, char *list, size_t sz, size_t *n, const char *v)
{
	if (!v) { /* only `no ...` may leave the value out (the grammar requires it otherwise) */
		if (!c->negate)
			return cmd_fail(c, "a value is required");
		memset(list, 0, sz * CFG_MAX_LIST);
		*n = 0;
		return 0;
	}
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(list + i * sz, v))
			continue;
		if (c->negate) {
			memmove(list + i * sz, list + (i + 1) * sz, (*n - i - 1) * sz);
			memset(list + --*n * sz, 0, sz);
		}
		return 0;
	}
	if (c->negate)
		return 0;
	if (*n == CFG_MAX_LIST)
		return cmd_fail_at(c, 0, "at most %d entries", CFG_MAX_LIST);
	cfg_strset(list + (*n)++ * sz, sz, v);
	return 0;
}

int cmd_prof_id_fqdn(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ike_profiles, struct cfg_ike_profile);
	return str_list(c, p->id_fqdn[0], CFG_FQDN_SIZE, &p->n_id_fqdn,
	                c->nval ? c->val[0].text : NULL);
}

int cmd_prof_id_dn(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ike_profiles, struct cfg_ike_profile);
	return str_list(c, p->id_dn[0], CFG_DN_SIZE, &p->n_id_dn, c->nval ? c->val[0].text : NULL);
}

int cmd_prof_id_local(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ike_profiles, struct cfg_ike_profile);
	p->id_local = c->negate || !c->nval ? CFG_IDL_DEFAULT : (uint8_t)c->val[0].num;
	cfg_strset(p->id_local_fqdn, sizeof(p->id_local_fqdn),
	           p->id_local == CFG_IDL_FQDN && c->nval > 1 ? c->val[1].text : "");
	return 0;
}

int cmd_prof_fvrf(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ike_profiles, struct cfg_ike_profile);
	set_fvrf(c, &p->fvrf_any, p->fvrf);
	return 0;
}

int cmd_prof_pki(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ike_profiles, struct cfg_ike_profile);
	set_name(c, p->trustpoint);
	return 0;
}

int cmd_prof_dpd(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ike_profiles, struct cfg_ike_profile);
	p->dpd_interval = c->negate ? 0 : (uint16_t)c->val[0].num;
	p->dpd_retry = c->negate ? 0 : (uint16_t)c->val[1].num;
	return 0;
}

int cmd_prof_nat_force(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ike_profiles, struct cfg_ike_profile);
	p->nat_force_encap = !c->negate;
	return 0;
}

int cmd_trustpoint(struct cmd_ctx *c)
{
	return OBJECT_CMD(c, trustpoints, struct cfg_trustpoint, NULL);
}

int cmd_tp_file(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(t, c, trustpoints, struct cfg_trustpoint);
	char *dst[] = {t->ca_file, t->cert_file, t->key_file, t->crl_file};
	cfg_strset(dst[c->cmd_node->ival - 1], CFG_PATH_SIZE,
	           c->negate || !c->nval ? "" : c->val[0].text);
	return 0;
}

/* Handlers of the IPsec configuration commands: transform sets, IPsec profiles, interfaces. */
#include "config/cmds.h"
#include "config/model_int.h"

#include <stdio.h>
#include <string.h>

#define OBJ(c, field, type)                                                                        \
	((c)->negate ? (type *)cfg_vec_find((c)->cfg->field, (c)->cfg->n_##field, sizeof(type),    \
	                                    (c)->key[0].text)                                      \
	             : CFG_GET((c)->cfg, field, type, (c)->key[0].text))

#define OBJ_OR_RETURN(var, c, field, type)                                                         \
	type *var = OBJ(c, field, type);                                                           \
	if (!(var))                                                                                \
		return (c)->negate ? 0 : cmd_fail(c, "out of memory");

int cmd_tset(struct cmd_ctx *c)
{
	if (c->negate) {
		CFG_DEL(c->cfg, tsets, struct cfg_transform_set, c->key[0].text, NULL);
		return 0;
	}
	return OBJ(c, tsets, struct cfg_transform_set) ? 0 : cmd_fail(c, "out of memory");
}

int cmd_ts_mode(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(t, c, tsets, struct cfg_transform_set);
	t->mode_tunnel = !c->negate;
	return 0;
}

int cmd_ts_transform(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(t, c, tsets, struct cfg_transform_set);
	t->cipher = CFG_ESP_NONE;
	t->hmac = CFG_HMAC_NONE;
	for (size_t i = 0; !c->negate && i < c->nval; i++) {
		if (!strcmp(c->val[i].node->what, "cipher"))
			t->cipher = (uint8_t)c->val[i].num;
		else
			t->hmac = (uint8_t)c->val[i].num;
	}
	return 0;
}

int cmd_ipsec_profile(struct cmd_ctx *c)
{
	if (c->negate) {
		CFG_DEL(c->cfg, ipsec_profiles, struct cfg_ipsec_profile, c->key[0].text, NULL);
		return 0;
	}
	return OBJ(c, ipsec_profiles, struct cfg_ipsec_profile) ? 0 : cmd_fail(c, "out of memory");
}

int cmd_ip_ikev2(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ipsec_profiles, struct cfg_ipsec_profile);
	cfg_strset(p->ike_profile, CFG_NAME_SIZE, c->negate || !c->nval ? "" : c->val[0].text);
	return 0;
}

int cmd_ip_tsets(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ipsec_profiles, struct cfg_ipsec_profile);
	if (!c->negate) {
		for (size_t i = 0; i < c->nval; i++)
			for (size_t j = 0; j < i; j++)
				if (!strcmp(c->val[i].text, c->val[j].text))
					return cmd_fail_at(c, i, "%s is listed twice",
					                   c->val[i].text);
	}
	memset(p->tsets, 0, sizeof(p->tsets));
	p->n_tsets = c->negate ? 0 : c->nval;
	for (size_t i = 0; i < p->n_tsets; i++)
		cfg_strset(p->tsets[i], CFG_NAME_SIZE, c->val[i].text);
	return 0;
}

int cmd_ip_pfs(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ipsec_profiles, struct cfg_ipsec_profile);
	p->pfs = c->negate ? 0 : (uint16_t)c->val[0].num;
	return 0;
}

int cmd_ip_lifetime(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ipsec_profiles, struct cfg_ipsec_profile);
	p->lifetime = c->negate ? 0 : (uint32_t)c->val[0].num;
	return 0;
}

int cmd_ip_replay(struct cmd_ctx *c)
{
	OBJ_OR_RETURN(p, c, ipsec_profiles, struct cfg_ipsec_profile);
	p->replay_window = c->negate ? 0 : (uint16_t)c->val[0].num;
	return 0;
}

/* The interface of the path; its name is made canonical (tunnel-ip01 is tunnel-ip1). */
static struct cfg_interface *iface(struct cmd_ctx *c)
{
	char name[CFG_LINUX_IFSIZE];
	snprintf(name, sizeof(name), "tunnel-ip%ld", c->key[0].num);
	if (c->negate)
		return cfg_vec_find(c->cfg->interfaces, c->cfg->n_interfaces,
		                    sizeof(struct cfg_interface), name);
	struct cfg_interface *f = CFG_GET(c->cfg, interfaces, struct cfg_interface, name);
	if (f)
		f->num = (uint32_t)c->key[0].num;
	return f;
}

#define IFACE_OR_RETURN(f, c)                                                                      \
	struct cfg_interface *f = iface(c);                                                        \
	if (!(f))                                                                                  \
		return (c)->negate ? 0 : cmd_fail(c, "out of memory");

int cmd_interface(struct cmd_ctx *c)
{
	if (!c->negate)
		return iface(c) ? 0 : cmd_fail(c, "out of memory");
	char name[CFG_LINUX_IFSIZE];
	snprintf(name, sizeof(name), "tunnel-ip%ld", c->key[0].num);
	CFG_DEL(c->cfg, interfaces, struct cfg_interface, name, NULL);
	return 0;
}

int cmd_if_address(struct cmd_ctx *c)
{
	IFACE_OR_RETURN(f, c);
	f->has_address = !c->negate;
	f->address = c->negate ? 0 : c->val[0].addr;
	f->mask = c->negate ? 0 : c->val[1].addr;
	return 0;
}

int cmd_if_mode(struct cmd_ctx *c)
{
	IFACE_OR_RETURN(f, c);
	f->mode_ipsec_ipv4 = !c->negate;
	return 0;
}

int cmd_if_source(struct cmd_ctx *c)
{
	IFACE_OR_RETURN(f, c);
	cfg_strset(f->source, sizeof(f->source), c->negate ? "" : c->val[0].text);
	return 0;
}

int cmd_if_dest(struct cmd_ctx *c)
{
	IFACE_OR_RETURN(f, c);
	f->has_destination = !c->negate;
	f->destination = c->negate ? 0 : c->val[0].addr;
	return 0;
}

int cmd_if_protection(struct cmd_ctx *c)
{
	IFACE_OR_RETURN(f, c);
	cfg_strset(f->protection, sizeof(f->protection),
	           c->negate || !c->nval ? "" : c->val[0].text);
	return 0;
}

int cmd_if_shutdown(struct cmd_ctx *c)
{
	IFACE_OR_RETURN(f, c);
	f->shutdown = !c->negate;
	return 0;
}

int cmd_if_desc(struct cmd_ctx *c)
{
	IFACE_OR_RETURN(f, c);
	cfg_strset(f->description, sizeof(f->description), c->negate ? "" : c->val[0].text);
	return 0;
}

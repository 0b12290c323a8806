/*
 * ike_cfg: copying and freeing the engine's plain-data configuration (ike_cfg.h).
 */
#include <stdlib.h>
#include <string.h>

#include "ike/ike_cfg.h"

static void str_free(const char **s)
{
	free((char *)*s); /* owned: the const is for the readers */
	*s = NULL;
}

int ike_cfg_set_str(const char **dst, const char *s)
{
	str_free(dst);
	if (!s || !*s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : -1;
}

struct ike_cfg_proposal *ike_cfg_add_proposal(struct ike_cfg_tunnel *t)
{
	if (t->n_proposals >= IKE_CFG_MAX_PROPOSALS)
		return NULL;
	struct ike_cfg_proposal *p = realloc(t->proposals, (t->n_proposals + 1) * sizeof(*p));
	if (!p)
		return NULL;
	t->proposals = p;
	p += t->n_proposals++;
	memset(p, 0, sizeof(*p));
	return p;
}

void ike_cfg_tunnel_clear(struct ike_cfg_tunnel *t)
{
	free(t->proposals);
	t->proposals = NULL;
	t->n_proposals = 0;
	chunk_clear(&t->psk_local);
	chunk_clear(&t->psk_remote);
	str_free(&t->ca_file);
	str_free(&t->cert_file);
	str_free(&t->key_file);
	str_free(&t->crl_file);
	str_free(&t->local_id_fqdn);
	for (size_t i = 0; i < IKE_CFG_MAX_IDS; i++) {
		str_free(&t->match_remote_fqdn[i]);
		str_free(&t->match_remote_dn[i]);
	}
	t->n_match_remote_fqdn = t->n_match_remote_dn = 0;
}

/* An entry is added even when empty, so that n stays the count of set entries. */
int ike_cfg_add_id(const char **list, size_t *n, const char *s)
{
	if (*n >= IKE_CFG_MAX_IDS)
		return 0;
	if (!(list[*n] = strdup(ike_cfg_s(s))))
		return -1;
	(*n)++;
	return 0;
}

static int copy_list(const char **dst, size_t *n_dst, const char *const *src, size_t n)
{
	*n_dst = 0;
	for (size_t i = 0; i < n; i++)
		if (ike_cfg_add_id(dst, n_dst, src[i]) < 0)
			return -1;
	return 0;
}

int ike_cfg_tunnel_copy(struct ike_cfg_tunnel *dst, const struct ike_cfg_tunnel *src)
{
	*dst = *src;
	dst->proposals = NULL;
	dst->n_proposals = 0;
	dst->psk_local = dst->psk_remote = CHUNK_EMPTY;
	dst->ca_file = dst->cert_file = dst->key_file = dst->crl_file = dst->local_id_fqdn = NULL;
	memset(dst->match_remote_fqdn, 0, sizeof(dst->match_remote_fqdn));
	memset(dst->match_remote_dn, 0, sizeof(dst->match_remote_dn));
	size_t np =
	    src->n_proposals < IKE_CFG_MAX_PROPOSALS ? src->n_proposals : IKE_CFG_MAX_PROPOSALS;
	if (np && (dst->proposals = malloc(np * sizeof(*dst->proposals)))) {
		memcpy(dst->proposals, src->proposals, np * sizeof(*dst->proposals));
		dst->n_proposals = np;
	}
	if (dst->n_proposals != np ||
	    (src->psk_local.len &&
	     !chunk_dup(&dst->psk_local, src->psk_local.ptr, src->psk_local.len)) ||
	    (src->psk_remote.len &&
	     !chunk_dup(&dst->psk_remote, src->psk_remote.ptr, src->psk_remote.len)) ||
	    ike_cfg_set_str(&dst->ca_file, src->ca_file) < 0 ||
	    ike_cfg_set_str(&dst->cert_file, src->cert_file) < 0 ||
	    ike_cfg_set_str(&dst->key_file, src->key_file) < 0 ||
	    ike_cfg_set_str(&dst->crl_file, src->crl_file) < 0 ||
	    ike_cfg_set_str(&dst->local_id_fqdn, src->local_id_fqdn) < 0 ||
	    copy_list(dst->match_remote_fqdn, &dst->n_match_remote_fqdn, src->match_remote_fqdn,
	              src->n_match_remote_fqdn) < 0 ||
	    copy_list(dst->match_remote_dn, &dst->n_match_remote_dn, src->match_remote_dn,
	              src->n_match_remote_dn) < 0) {
		ike_cfg_tunnel_clear(dst);
		return -1;
	}
	return 0;
}

void ike_cfg_free(struct ike_cfg *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_tunnels; i++)
		ike_cfg_tunnel_clear(&c->tunnels[i]);
	free(c->tunnels);
	c->tunnels = NULL;
	c->n_tunnels = 0;
}

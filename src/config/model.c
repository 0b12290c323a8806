/* The configuration model: allocation, deep copy, lookups, keyword names and defaults. */
#include "config/model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cfg_strset(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);
	memset(dst, 0, size);
	memcpy(dst, src, n);
}

/* The index of the first element not before name, by bisection: cfg_vec_get, the only way
 * into these arrays, keeps them in strverscmp order (tunnel-ip9 before tunnel-ip10), which
 * is total. A scan made a commit of 10,000 tunnels quadratic (50,000 lines, each looking
 * its interface up among up to 10,000). */
static size_t vec_lower(const char *a, size_t n, size_t elem_size, const char *name)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strverscmp(a + mid * elem_size, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void *cfg_vec_find(const void *arr, size_t n, size_t elem_size, const char *name)
{
	size_t i = n ? vec_lower(arr, n, elem_size, name) : 0;
	if (i == n)
		return NULL; /* before any arithmetic: arr is NULL when empty */
	const char *p = (const char *)arr + i * elem_size;
	return strcmp(p, name) == 0 ? (void *)p : NULL;
}

void *cfg_vec_get(void **arr, size_t *n, size_t elem_size, const char *name, size_t name_size)
{
	size_t pos = *n ? vec_lower(*arr, *n, elem_size, name) : 0;
	if (pos < *n && strcmp((char *)*arr + pos * elem_size, name) == 0)
		return (char *)*arr + pos * elem_size;
	char *a = realloc(*arr, (*n + 1) * elem_size);
	if (!a)
		return NULL;
	*arr = a;
	memmove(a + (pos + 1) * elem_size, a + pos * elem_size, (*n - pos) * elem_size);
	memset(a + pos * elem_size, 0, elem_size);
	cfg_strset(a + pos * elem_size, name_size, name);
	(*n)++;
	return a + pos * elem_size;
}

bool cfg_vec_del(void *arr, size_t *n, size_t elem_size, const char *name, void (*fini)(void *))
{
	char *p = cfg_vec_find(arr, *n, elem_size, name);
	if (!p)
		return false;
	if (fini)
		fini(p);
	size_t pos = (size_t)(p - (char *)arr) / elem_size;
	memmove(p, p + elem_size, (*n - pos - 1) * elem_size);
	(*n)--;
	return true;
}

struct cfg *cfg_new(void)
{
	return calloc(1, sizeof(struct cfg));
}

void cfg_peer_clear_keys(struct cfg_peer *p)
{
	chunk_clear(&p->psk);
	chunk_clear(&p->psk_local);
	chunk_clear(&p->psk_remote);
}

void cfg_peer_fini(void *peer)
{
	cfg_peer_clear_keys(peer);
}

void cfg_keyring_fini(void *kr)
{
	struct cfg_keyring *k = kr;
	for (size_t i = 0; i < k->n_peers; i++)
		cfg_peer_fini(&k->peers[i]);
	free(k->peers);
	k->peers = NULL;
	k->n_peers = 0;
}

struct cfg_peer *cfg_get_peer(struct cfg_keyring *k, const char *name)
{
	return CFG_GET(k, peers, struct cfg_peer, name);
}

static bool dup_key(struct chunk *dst, const struct chunk *src)
{
	if (!src->len)
		return true;
	return chunk_dup(dst, src->ptr, src->len);
}

bool cfg_peer_copy_keys(struct cfg_peer *dst, const struct cfg_peer *src)
{
	dst->psk = dst->psk_local = dst->psk_remote = CHUNK_EMPTY;
	return dup_key(&dst->psk, &src->psk) && dup_key(&dst->psk_local, &src->psk_local) &&
	       dup_key(&dst->psk_remote, &src->psk_remote);
}

bool cfg_keyring_copy(struct cfg_keyring *dst, const struct cfg_keyring *src)
{
	*dst = *src;
	dst->peers = NULL;
	dst->n_peers = 0;
	if (!src->n_peers)
		return true;
	dst->peers = calloc(src->n_peers, sizeof(*dst->peers));
	if (!dst->peers)
		return false;
	for (size_t i = 0; i < src->n_peers; i++) {
		dst->peers[i] = src->peers[i];
		dst->n_peers = i + 1;
		if (!cfg_peer_copy_keys(&dst->peers[i], &src->peers[i]))
			return false;
	}
	return true;
}

static void *dup_array(const void *src, size_t n, size_t size, bool *ok)
{
	if (!n)
		return NULL;
	void *p = malloc(n * size);
	if (!p)
		*ok = false;
	else
		memcpy(p, src, n * size);
	return p;
}

#define DUP_FIELD(d, s, f, ok)                                                                     \
	do {                                                                                       \
		(d)->f = dup_array((s)->f, (s)->n_##f, sizeof(*(s)->f), ok);                       \
		if (!(d)->f)                                                                       \
			(d)->n_##f = 0;                                                            \
	} while (0)

struct cfg *cfg_dup(const struct cfg *c)
{
	struct cfg *d = cfg_new();
	if (!d)
		return NULL;
	bool ok = true;
	*d = *c;
	DUP_FIELD(d, c, ifmaps, &ok);
	DUP_FIELD(d, c, proposals, &ok);
	DUP_FIELD(d, c, policies, &ok);
	DUP_FIELD(d, c, trustpoints, &ok);
	DUP_FIELD(d, c, ike_profiles, &ok);
	DUP_FIELD(d, c, tsets, &ok);
	DUP_FIELD(d, c, ipsec_profiles, &ok);
	DUP_FIELD(d, c, interfaces, &ok);
	d->keyrings = c->n_keyrings ? calloc(c->n_keyrings, sizeof(*d->keyrings)) : NULL;
	d->n_keyrings = 0;
	if (c->n_keyrings && !d->keyrings)
		ok = false;
	for (size_t i = 0; ok && i < c->n_keyrings; i++) {
		ok = cfg_keyring_copy(&d->keyrings[i], &c->keyrings[i]);
		d->n_keyrings = i + 1;
	}
	if (!ok) {
		cfg_free(d);
		return NULL;
	}
	return d;
}

void cfg_free(struct cfg *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_keyrings; i++)
		cfg_keyring_fini(&c->keyrings[i]);
	free(c->keyrings);
	free(c->ifmaps);
	free(c->proposals);
	free(c->policies);
	free(c->trustpoints);
	free(c->ike_profiles);
	free(c->tsets);
	free(c->ipsec_profiles);
	free(c->interfaces);
	free(c);
}

#define FIND(c, field, name) cfg_vec_find((c)->field, (c)->n_##field, sizeof(*(c)->field), name)

const struct cfg_proposal *cfg_find_proposal(const struct cfg *c, const char *name)
{
	return FIND(c, proposals, name);
}

const struct cfg_policy *cfg_find_policy(const struct cfg *c, const char *name)
{
	return FIND(c, policies, name);
}

const struct cfg_keyring *cfg_find_keyring(const struct cfg *c, const char *name)
{
	return FIND(c, keyrings, name);
}

const struct cfg_peer *cfg_find_peer(const struct cfg_keyring *k, const char *name)
{
	return FIND(k, peers, name);
}

const struct cfg_trustpoint *cfg_find_trustpoint(const struct cfg *c, const char *name)
{
	return FIND(c, trustpoints, name);
}

const struct cfg_ike_profile *cfg_find_ike_profile(const struct cfg *c, const char *name)
{
	return FIND(c, ike_profiles, name);
}

const struct cfg_transform_set *cfg_find_tset(const struct cfg *c, const char *name)
{
	return FIND(c, tsets, name);
}

const struct cfg_ipsec_profile *cfg_find_ipsec_profile(const struct cfg *c, const char *name)
{
	return FIND(c, ipsec_profiles, name);
}

const struct cfg_interface *cfg_find_interface(const struct cfg *c, uint32_t num)
{
	char name[CFG_LINUX_IFSIZE];
	snprintf(name, sizeof(name), "tunnel-ip%u", (unsigned)num);
	return FIND(c, interfaces, name);
}

const char *cfg_linux_ifname(const struct cfg *c, const char *xr_name)
{
	const struct cfg_ifmap *m = FIND(c, ifmaps, xr_name);
	return m ? m->linux_name : xr_name;
}

const struct cfg_policy *cfg_policy_for_local(const struct cfg *c, uint32_t addr)
{
	const struct cfg_policy *any = NULL;
	for (size_t i = 0; i < c->n_policies; i++) {
		const struct cfg_policy *p = &c->policies[i];
		if (!p->n_local_addr && !any)
			any = p;
		for (size_t j = 0; j < p->n_local_addr; j++)
			if (p->local_addr[j] == addr)
				return p;
	}
	return any;
}

#define NAME_ENTRY(e, kw, help) [e] = kw, /* NOLINT(bugprone-macro-parentheses): initializer */
static const char *const encr_names[] = {CFG_ENCR_LIST(NAME_ENTRY)};
static const char *const hash_names[] = {CFG_HASH_LIST(NAME_ENTRY)};
static const char *const cipher_names[] = {CFG_ESP_CIPHER_LIST(NAME_ENTRY)};
static const char *const hmac_names[] = {CFG_ESP_HMAC_LIST(NAME_ENTRY)};

static const char *name_of(const char *const *tab, size_t n, unsigned v)
{
	return v < n && tab[v] ? tab[v] : "?";
}

#define NAME_OF(tab, v) name_of(tab, sizeof(tab) / sizeof((tab)[0]), v)

const char *cfg_encr_name(unsigned e)
{
	return NAME_OF(encr_names, e);
}

const char *cfg_hash_name(unsigned h)
{
	return NAME_OF(hash_names, h);
}

const char *cfg_esp_cipher_name(unsigned c)
{
	return NAME_OF(cipher_names, c);
}

const char *cfg_esp_hmac_name(unsigned h)
{
	return NAME_OF(hmac_names, h);
}

bool cfg_encr_is_gcm(unsigned e)
{
	return e == CFG_ENCR_AES_GCM_128 || e == CFG_ENCR_AES_GCM_256;
}

unsigned cfg_encr_key_bits(unsigned e)
{
	switch (e) {
	case CFG_ENCR_AES_CBC_128:
	case CFG_ENCR_AES_GCM_128:
		return 128;
	case CFG_ENCR_AES_CBC_192:
		return 192;
	case CFG_ENCR_AES_CBC_256:
	case CFG_ENCR_AES_GCM_256:
		return 256;
	}
	return 0;
}

bool cfg_esp_cipher_is_gcm(unsigned c)
{
	return c == CFG_ESP_GCM_128 || c == CFG_ESP_GCM_256;
}

unsigned cfg_esp_cipher_key_bits(unsigned c)
{
	switch (c) {
	case CFG_ESP_AES_128:
	case CFG_ESP_GCM_128:
		return 128;
	case CFG_ESP_AES_192:
		return 192;
	case CFG_ESP_AES_256:
	case CFG_ESP_GCM_256:
		return 256;
	}
	return 0;
}

size_t cfg_eff_prf(const struct cfg_proposal *p, uint8_t out[CFG_MAX_PRF])
{
	const uint8_t *src = p->n_prf ? p->prf : p->integ;
	size_t n = p->n_prf ? p->n_prf : p->n_integ;
	memcpy(out, src, n);
	return n;
}

uint32_t cfg_eff_ike_lifetime(const struct cfg_ike_profile *p)
{
	return p->lifetime ? p->lifetime : CFG_DEFAULT_IKE_LIFETIME;
}

enum cfg_auth cfg_eff_auth_local(const struct cfg_ike_profile *p)
{
	return p->auth_local ? (enum cfg_auth)p->auth_local : CFG_AUTH_PSK;
}

void cfg_eff_auth_remote(const struct cfg_ike_profile *p, bool *psk, bool *rsa)
{
	*psk = p->auth_remote_psk;
	*rsa = p->auth_remote_rsa;
	if (!*psk && !*rsa) {
		*psk = cfg_eff_auth_local(p) == CFG_AUTH_PSK;
		*rsa = !*psk;
	}
}

uint32_t cfg_eff_ipsec_lifetime(const struct cfg_ipsec_profile *p)
{
	return p->lifetime ? p->lifetime : CFG_DEFAULT_IPSEC_LIFETIME;
}

uint32_t cfg_eff_replay_window(const struct cfg_ipsec_profile *p)
{
	return p->replay_window ? p->replay_window : CFG_DEFAULT_REPLAY_WINDOW;
}

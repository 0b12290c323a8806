/*
 * Internal helpers of the config library for changing a model: sorted arrays of objects whose
 * first member is their NUL-terminated name. Not for use outside src/config.
 */
#ifndef MGMTSEC_CONFIG_MODEL_INT_H
#define MGMTSEC_CONFIG_MODEL_INT_H

#include "config/model.h"

/* Sets a fixed-size string field, zero-filling the rest (so objects compare bytewise). */
void cfg_strset(char *dst, size_t size, const char *src);

/* Finds the element named name in arr[n] (each elem_size bytes, name at offset 0). */
void *cfg_vec_find(const void *arr, size_t n, size_t elem_size, const char *name);
/* Finds or inserts (zeroed, name set, sorted by strverscmp); NULL on allocation failure. */
void *cfg_vec_get(void **arr, size_t *n, size_t elem_size, const char *name, size_t name_size);
/* Removes the named element after calling fini on it (fini may be NULL). */
bool cfg_vec_del(void *arr, size_t *n, size_t elem_size, const char *name, void (*fini)(void *));

#define CFG_GET(c, field, type, nm)                                                                \
	((type *)cfg_vec_get((void **)&(c)->field, &(c)->n_##field, sizeof(type), (nm),            \
	                     sizeof(((type *)0)->name)))
#define CFG_DEL(c, field, type, nm, fini)                                                          \
	cfg_vec_del((c)->field, &(c)->n_##field, sizeof(type), (nm), (fini))

struct cfg_peer *cfg_get_peer(struct cfg_keyring *k, const char *name);
void cfg_peer_fini(void *peer);  /* wipes and frees the keys */
void cfg_keyring_fini(void *kr); /* frees the peers */
void cfg_peer_clear_keys(struct cfg_peer *p);
/* Copies one peer's keys into dst (dst's old keys are wiped). */
bool cfg_peer_copy_keys(struct cfg_peer *dst, const struct cfg_peer *src);
/* Deep copy of one keyring into the zeroed dst. */
bool cfg_keyring_copy(struct cfg_keyring *dst, const struct cfg_keyring *src);

#endif

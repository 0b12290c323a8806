/*
 * Rendering a configuration as text in the block form of `show running-config`: one-space
 * indent per level, each block closed by `!`, blocks in the seed's order (hostname, name
 * map, ikev2 proposal, ikev2 policy, keyring, crypto ca trustpoint, ikev2 profile, ipsec
 * transform-set, ipsec profile, interface). The same text loads back (round trip).
 *
 * CFG_RENDER_FILE writes the real pre-shared keys (for the persistence file only);
 * CFG_RENDER_SHOW masks them. Every show output uses CFG_RENDER_SHOW.
 */
#ifndef MGMTSEC_CONFIG_RENDER_H
#define MGMTSEC_CONFIG_RENDER_H

#include "config/model.h"
#include "util/strbuf.h"

#define MGMTSEC_CFG_VERSION "mgmtsec 0.1"
#define CFG_PSK_MASK        "******"

enum cfg_render_flags {
	CFG_RENDER_SHOW = 0,
	CFG_RENDER_FILE = 1
};

/* The body: one-line commands, then blocks; no header and no final `end`. */
void cfg_render(const struct cfg *c, unsigned flags, struct strbuf *out);

/* One kind of object (a top-level block or one-line command), for diff and merge. */
struct cfg_kind {
	const char *what; /* "ikev2 proposal" */
	size_t (*count)(const struct cfg *c);
	const char *(*name)(const struct cfg *c, size_t i);
	void (*render)(const struct cfg *c, size_t i, unsigned flags, struct strbuf *out);
	/* Makes dst's object `name` equal to src's (deleting it when src has none). */
	int (*put)(struct cfg *dst, const struct cfg *src, const char *name);
	bool block; /* rendered as a block closed by `!` */
	/* A flat kind's object size: the object starts at its name and holds no pointers, so
	 * equal bytes render alike. 0 for the others. */
	size_t flat_size;
};

extern const struct cfg_kind cfg_kinds[];
extern const size_t cfg_n_kinds;

/* Renders the object `name` of kind k in file form into out; false when absent. */
bool cfg_kind_text(const struct cfg_kind *k, const struct cfg *c, const char *name, unsigned flags,
                   struct strbuf *out);

#endif

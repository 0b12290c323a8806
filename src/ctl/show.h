/*
 * Operator views rendered from live state, in the layouts of the IOS XR feature's
 * documentation (seed "Verification"): `show ikev2 session [detail]`, `show ikev2 summary`,
 * `show ipsec sa [interface tunnel-ipN]`, plus `clear ipsec sa`. Labels and their order follow
 * the seed; colons are aligned consistently where the seed's own spacing varies.
 * No key material is ever rendered. Functions return 0, or -1 with a message in err.
 */
#ifndef MGMTSEC_CTL_SHOW_H
#define MGMTSEC_CTL_SHOW_H

#include <stdbool.h>
#include <stdint.h>

#include "esp/dp.h"
#include "ike/ike.h"
#include "util/strbuf.h"

struct show_src {
	struct ike *ike; /* borrowed */
	struct dp *dp;   /* borrowed; may be NULL (counters then omitted) */
};

int show_ikev2_session(const struct show_src *s, bool detail, struct strbuf *out,
                       struct strbuf *err);
int show_ikev2_summary(const struct show_src *s, struct strbuf *out, struct strbuf *err);
int show_ipsec_sa(const struct show_src *s, bool one, uint32_t tunnel, struct strbuf *out,
                  struct strbuf *err);
/* Counters (mgmtsec additions): IKE messages and drops by reason; data-plane drops. */
int show_ikev2_statistics(const struct show_src *s, struct strbuf *out, struct strbuf *err);
int show_ipsec_statistics(const struct show_src *s, struct strbuf *out, struct strbuf *err);
int show_clear_ipsec_sa(const struct show_src *s, bool one, uint32_t tunnel, struct strbuf *out,
                        struct strbuf *err);

/* Snapshot of the IKE SAs (heap array, caller frees); n set. NULL when there are none. */
struct ike_sa_info *show_snapshot(struct ike *ike, size_t *n);

#endif

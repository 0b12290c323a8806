/*
 * Traffic selectors (RFC 7296 §2.9). A tunnel interface's policy is 0.0.0.0/0, all protocols
 * and ports, both ways; a peer's narrower selectors are accepted when they fit.
 */
#ifndef MGMTSEC_IKE_TS_H
#define MGMTSEC_IKE_TS_H

#include <stdbool.h>
#include <stddef.h>

#include "ike/msg.h"

void ike_ts_all(struct ike_ts *ts);
/* Intersection of a and b into out; false when empty. */
bool ike_ts_intersect(const struct ike_ts *a, const struct ike_ts *b, struct ike_ts *out);
/* Responder: the first proposed selector (the peer's preference) narrowed to policy.
 * Returns 0, or -1 when none fits (TS_UNACCEPTABLE). */
int ike_ts_narrow(const struct ike_ts *policy, const struct ike_ts_pl *proposed,
                  struct ike_ts *out);
/* Initiator: true when ts lies inside policy. */
bool ike_ts_fits(const struct ike_ts *policy, const struct ike_ts *ts);
/* "192.0.2.0/0 - 192.0.2.255/65535" (start addr/port - end addr/port, as the seed shows). */
void ike_ts_format(const struct ike_ts *ts, char *out, size_t len);

#endif

#include "ike/ike_ts.h"

#include <stdio.h>

void ike_ts_all(struct ike_ts *ts)
{
	*ts = (struct ike_ts){.type = TS_IPV4_ADDR_RANGE,
	                      .ip_proto = 0,
	                      .start_port = 0,
	                      .end_port = 65535,
	                      .start_addr = 0,
	                      .end_addr = 0xffffffffu};
}

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

bool ike_ts_intersect(const struct ike_ts *a, const struct ike_ts *b, struct ike_ts *out)
{
	if (a->type != TS_IPV4_ADDR_RANGE || b->type != TS_IPV4_ADDR_RANGE)
		return false;
	if (a->ip_proto && b->ip_proto && a->ip_proto != b->ip_proto)
		return false;
	*out = (struct ike_ts){.type = TS_IPV4_ADDR_RANGE,
	                       .ip_proto = a->ip_proto ? a->ip_proto : b->ip_proto,
	                       .start_port = MAX(a->start_port, b->start_port),
	                       .end_port = MIN(a->end_port, b->end_port),
	                       .start_addr = MAX(a->start_addr, b->start_addr),
	                       .end_addr = MIN(a->end_addr, b->end_addr)};
	return out->start_port <= out->end_port && out->start_addr <= out->end_addr;
}

int ike_ts_narrow(const struct ike_ts *policy, const struct ike_ts_pl *proposed, struct ike_ts *out)
{
	for (size_t i = 0; i < proposed->n_ts; i++)
		if (ike_ts_intersect(policy, &proposed->ts[i], out))
			return 0;
	return -1;
}

bool ike_ts_fits(const struct ike_ts *policy, const struct ike_ts *ts)
{
	struct ike_ts x;
	return ike_ts_intersect(policy, ts, &x) && x.start_addr == ts->start_addr &&
	       x.end_addr == ts->end_addr && x.start_port == ts->start_port &&
	       x.end_port == ts->end_port && x.ip_proto == ts->ip_proto;
}

static void addr_str(uint32_t a, char *out, size_t len)
{
	snprintf(out, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

void ike_ts_format(const struct ike_ts *ts, char *out, size_t len)
{
	char s[16], e[16];
	addr_str(ts->start_addr, s, sizeof(s));
	addr_str(ts->end_addr, e, sizeof(e));
	snprintf(out, len, "%s/%u - %s/%u", s, ts->start_port, e, ts->end_port);
}

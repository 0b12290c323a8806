#include "esp/ipv4.h"

#include "util/buf.h"

bool esp_ipv4_parse(const uint8_t *p, size_t len, struct esp_ipv4_info *out)
{
	struct rbuf r;
	rbuf_init(&r, p, len);
	uint8_t vihl = rbuf_u8(&r);
	rbuf_skip(&r, 1); /* TOS */
	out->total_len = rbuf_u16(&r);
	rbuf_skip(&r, 8); /* id, fragment, TTL, protocol, checksum */
	out->src = rbuf_u32(&r);
	out->dst = rbuf_u32(&r);
	if (!rbuf_ok(&r))
		return false;
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	return (vihl >> 4) == 4 && ihl >= 20 && ihl <= out->total_len && out->total_len <= len;
}

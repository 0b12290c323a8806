#include "esp/natt.h"

#include "util/buf.h"

enum natt_kind natt_classify(const uint8_t *p, size_t len)
{
	struct rbuf r;
	rbuf_init(&r, p, len);
	if (len == 1)
		return rbuf_u8(&r) == 0xff ? NATT_KEEPALIVE : NATT_INVALID;
	uint32_t first = rbuf_u32(&r);
	if (!rbuf_ok(&r))
		return NATT_INVALID;
	if (first == 0)
		return NATT_IKE;
	return len >= 8 ? NATT_ESP : NATT_INVALID;
}

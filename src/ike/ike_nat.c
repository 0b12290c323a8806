#include "ike/ike_nat.h"

#include <string.h>

#include "crypto/crypto.h"
#include "util/chunk.h"

int ike_nat_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], uint32_t addr, uint16_t port,
                 uint8_t out[IKE_NAT_HASH_LEN])
{
	uint8_t in[22];
	memcpy(in, spi_i, 8);
	memcpy(in + 8, spi_r, 8);
	memcpy(in + 16, &addr, 4); /* already network order */
	in[20] = port >> 8;
	in[21] = port & 0xff;
	return crypto_sha1(in, sizeof(in), out);
}

/* True when any notify of this type carries hash h (several SOURCE notifies are allowed). */
static bool any_matches(const struct ike_msg *m, uint16_t type, const uint8_t *h, bool *present)
{
	bool hit = false;
	for (size_t i = 0; i < m->n_pl; i++) {
		struct ike_notify_pl n;
		if (m->pl[i].type != PL_NOTIFY || ike_parse_notify(&m->pl[i], &n) < 0 ||
		    n.type != type)
			continue;
		*present = true;
		if (n.len == IKE_NAT_HASH_LEN && chunk_eq_ct(n.data, h, IKE_NAT_HASH_LEN))
			hit = true;
	}
	return hit;
}

void ike_nat_check(const struct ike_msg *m, const uint8_t spi_i[8], const uint8_t spi_r[8],
                   uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport,
                   struct ike_nat_result *r)
{
	uint8_t src[IKE_NAT_HASH_LEN], dst[IKE_NAT_HASH_LEN];
	bool have_src = false, have_dst = false;

	*r = (struct ike_nat_result){0};
	if (ike_nat_hash(spi_i, spi_r, remote, rport, src) < 0 ||
	    ike_nat_hash(spi_i, spi_r, local, lport, dst) < 0)
		return;
	bool src_ok = any_matches(m, N_NAT_DETECTION_SOURCE_IP, src, &have_src);
	bool dst_ok = any_matches(m, N_NAT_DETECTION_DESTINATION_IP, dst, &have_dst);
	if (!have_src || !have_dst)
		return; /* peer does not do NAT-T (both must be present, §2.23) */
	r->present = true;
	r->nat_remote = !src_ok;
	r->nat_local = !dst_ok;
}

int ike_nat_add(struct ike_builder *b, const uint8_t spi_i[8], const uint8_t spi_r[8],
                uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport, bool fake_source)
{
	uint8_t src[IKE_NAT_HASH_LEN], dst[IKE_NAT_HASH_LEN];
	if (fake_source)
		local = 0, lport = 0; /* 0.0.0.0:0 is never where our packets come from */
	if (ike_nat_hash(spi_i, spi_r, local, lport, src) < 0 ||
	    ike_nat_hash(spi_i, spi_r, remote, rport, dst) < 0)
		return -1;
	if (ike_add_notify(b, 0, NULL, 0, N_NAT_DETECTION_SOURCE_IP, src, sizeof(src)) < 0 ||
	    ike_add_notify(b, 0, NULL, 0, N_NAT_DETECTION_DESTINATION_IP, dst, sizeof(dst)) < 0)
		return -1;
	return 0;
}

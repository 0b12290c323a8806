/* The pure parts of src/vti: name rules, netmask arithmetic and the tunnel MTU. */
#include "vti/vti.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

bool vti_ifname_valid(const char *name)
{
	size_t n = name ? strnlen(name, IFNAMSIZ) : 0;
	if (n == 0 || n >= IFNAMSIZ)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	/* The kernel refuses '/', ':' and whitespace (dev_valid_name); '%' would be taken as
	 * a "%d" template by TUNSETIFF and give us a different name. */
	return strcspn(name, "/:% \t\n\r\v\f") == n;
}

int vti_tunnel_name(uint32_t n, char *out, size_t len)
{
	int r = snprintf(out, len, "tunnel-ip%u", n);
	return (r < 0 || (size_t)r >= len) ? -1 : 0;
}

int vti_mask_to_prefix(uint32_t mask_be)
{
	uint32_t m = ntohl(mask_be);
	uint32_t inv = ~m;
	/* Contiguous ones then zeros <=> the inverted mask is 2^k - 1. */
	if (inv & (inv + 1))
		return -1;
	return __builtin_popcount(m);
}

int vti_parse_mask(const char *dotted)
{
	struct in_addr a;
	if (!dotted || inet_pton(AF_INET, dotted, &a) != 1)
		return -1;
	return vti_mask_to_prefix(a.s_addr);
}

uint32_t vti_prefix_to_mask(int prefix)
{
	if (prefix <= 0)
		return 0;
	if (prefix >= 32)
		return 0xffffffffu;
	return htonl(~((1u << (32 - prefix)) - 1));
}

enum {
	VTI_OUTER_IPV4 = 20,
	VTI_UDP = 8,
	VTI_ESP_HDR = 8,     /* SPI + sequence number */
	VTI_ESP_TRAILER = 2, /* pad length + next header */
	VTI_ESP_ALIGN = 4,   /* RFC 4303 §2.4: the ciphertext ends on a 4-byte boundary */
};

unsigned vti_tunnel_mtu(unsigned outer_mtu, unsigned iv_len, unsigned block_len, unsigned icv_len,
                        bool natt)
{
	unsigned align = block_len > VTI_ESP_ALIGN ? block_len : VTI_ESP_ALIGN;
	if (align % VTI_ESP_ALIGN) /* no cipher we know; keep the result a multiple of both */
		align *= VTI_ESP_ALIGN;
	unsigned fixed = VTI_OUTER_IPV4 + (natt ? VTI_UDP : 0) + VTI_ESP_HDR + iv_len + icv_len;
	if (outer_mtu < fixed)
		return 0;
	/* The padded payload (inner + padding + 2) is a multiple of align and must fit. */
	unsigned room = (outer_mtu - fixed) / align * align;
	if (room < VTI_ESP_TRAILER)
		return 0;
	return room - VTI_ESP_TRAILER;
}

/* offload: TSO super-packet segmentation, checksum completion and GRO-style coalescing, checked
 * against an independent (big-endian, word-at-a-time) checksum and the original payload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "esp/offload.h"

#define IHL  20
#define THL  32 /* with 12 bytes of options (NOP NOP timestamp) */
#define HLEN (IHL + THL)
#define PAY  5000
#define MSS  1400

static uint8_t super[HLEN + PAY];

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static void set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Reference one's complement sum over big-endian 16-bit words. */
static uint32_t ref_sum(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += get16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t ref_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint32_t ref_pseudo(const uint8_t *ip, size_t tcp_len)
{
	return ref_sum(0, ip + 12, 8) + 6 + (uint32_t)tcp_len;
}

static bool ip_ok(const uint8_t *ip)
{
	return ref_fold(ref_sum(0, ip, IHL)) == 0xffff;
}

static bool tcp_ok(const uint8_t *ip, size_t len)
{
	return ref_fold(ref_sum(ref_pseudo(ip, len - IHL), ip + IHL, len - IHL)) == 0xffff;
}

/* TCP/IPv4 198.51.100.1:40000 -> 198.51.100.2:5201, seq 1000, PSH|ACK|CWR, payload i*7. */
static void build(uint8_t *p, size_t pay, uint32_t seq, uint8_t flags)
{
	memset(p, 0, HLEN);
	p[0] = 0x45;
	set16(p + 2, (uint16_t)(HLEN + pay));
	set16(p + 4, 0x1234);
	set16(p + 6, 0x4000);
	p[8] = 64;
	p[9] = 6;
	memcpy(p + 12, (uint8_t[]){198, 51, 100, 1, 198, 51, 100, 2}, 8);
	uint8_t *t = p + IHL;
	set16(t, 40000);
	set16(t + 2, 5201);
	t[4] = (uint8_t)(seq >> 24), t[5] = (uint8_t)(seq >> 16), t[6] = (uint8_t)(seq >> 8);
	t[7] = (uint8_t)seq;
	set16(t + 8, 0x0102);
	t[12] = (THL / 4) << 4;
	t[13] = flags;
	set16(t + 14, 512);
	memcpy(t + 20, (uint8_t[]){1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9}, 12);
	for (size_t i = 0; i < pay; i++)
		p[HLEN + i] = (uint8_t)(i * 7 + seq);
}

static void test_segment(void **state)
{
	(void)state;
	build(super, PAY, 1000, 0x80 | 0x18 | 0x01); /* CWR, PSH, ACK, FIN */
	struct offload_seg s;
	assert_true(offload_seg_begin(&s, super, sizeof(super), MSS));
	uint8_t out[2048];
	size_t n, off = 0;
	unsigned k = 0;
	while ((n = offload_seg_next(&s, out, sizeof(out))) > 0) {
		size_t pay = n - HLEN;
		bool last = off + pay == PAY;
		assert_true(pay == MSS || last);
		assert_int_equal(get16(out + 2), n);
		assert_int_equal(get16(out + 4), 0x1234 + k);
		assert_int_equal(get32(out + IHL + 4), 1000 + off);
		uint8_t f = out[IHL + 13];
		assert_int_equal(f & 0x80, k == 0 ? 0x80 : 0);
		assert_int_equal(f & 0x09, last ? 0x09 : 0);
		assert_true(f & 0x10);
		assert_memory_equal(out + IHL + 20, super + IHL + 20, 12); /* options kept */
		assert_true(ip_ok(out));
		assert_true(tcp_ok(out, n));
		assert_memory_equal(out + HLEN, super + HLEN + off, pay);
		off += pay;
		k++;
	}
	assert_int_equal(off, PAY);
	assert_int_equal(k, 4);
	/* no room: nothing written */
	assert_true(offload_seg_begin(&s, super, sizeof(super), MSS));
	assert_int_equal(offload_seg_next(&s, out, 100), 0);
}

static void test_segment_rejects(void **state)
{
	(void)state;
	struct offload_seg s;
	build(super, PAY, 1, 0x10);
	super[9] = 17; /* UDP */
	assert_false(offload_seg_begin(&s, super, sizeof(super), MSS));
	build(super, PAY, 1, 0x10);
	set16(super + 6, 0x2000); /* more fragments */
	assert_false(offload_seg_begin(&s, super, sizeof(super), MSS));
	build(super, PAY, 1, 0x10);
	assert_false(offload_seg_begin(&s, super, sizeof(super) - 1, MSS)); /* truncated */
	assert_false(offload_seg_begin(&s, super, sizeof(super), 0));
	super[IHL + 12] = 4 << 4; /* TCP header shorter than 20 */
	assert_false(offload_seg_begin(&s, super, sizeof(super), MSS));
}

static void test_csum_complete(void **state)
{
	(void)state;
	uint8_t p[HLEN + 333];
	build(p, 333, 77, 0x18);
	/* the kernel's partial checksum: the pseudo-header sum, not inverted */
	set16(p + IHL + 16, ref_fold(ref_pseudo(p, sizeof(p) - IHL)));
	struct offload_vnet v = {.flags = 1, .csum_start = IHL, .csum_offset = 16};
	assert_true(offload_csum_complete(p, sizeof(p), &v));
	assert_true(tcp_ok(p, sizeof(p)));
	v.csum_offset = 400;
	assert_false(offload_csum_complete(p, sizeof(p), &v));
}

static void test_vnet_roundtrip(void **state)
{
	(void)state;
	struct offload_vnet a = {1, 1, 52, 1400, 20, 16}, b;
	uint8_t h[OFFLOAD_VNET_LEN];
	offload_vnet_put(h, &a);
	assert_true(offload_vnet_parse(h, sizeof(h), &b));
	assert_memory_equal(&a, &b, sizeof(a));
	assert_false(offload_vnet_parse(h, 9, &b));
}

static uint8_t grobuf[OFFLOAD_VNET_LEN + OFFLOAD_MAX_PKT];
static uint8_t joined[OFFLOAD_VNET_LEN + OFFLOAD_MAX_PKT];

/* The coalesced write as the kernel would read it from the pieces (writev). */
static bool finish(struct offload_gro *g, const uint8_t **out, size_t *olen)
{
	const struct iovec *iov;
	unsigned n;
	size_t total, at = 0;
	if (!offload_gro_finish(g, &iov, &n, &total))
		return false;
	for (unsigned i = 0; i < n; i++) {
		assert_true(at + iov[i].iov_len <= sizeof(joined));
		memcpy(joined + at, iov[i].iov_base, iov[i].iov_len);
		at += iov[i].iov_len;
	}
	assert_int_equal(at, total);
	*out = joined;
	*olen = total;
	return true;
}

static void test_gro(void **state)
{
	(void)state;
	struct offload_gro g = {.buf = grobuf, .fd = -1};
	uint8_t seg[4][HLEN + MSS];
	size_t len[4];
	for (int i = 0; i < 4; i++) {
		size_t pay = i == 3 ? 800 : MSS;
		build(seg[i], pay, 1000 + (uint32_t)i * MSS, i == 3 ? 0x18 : 0x10);
		/* payload continuous with build()'s pattern from seq 1000 */
		for (size_t j = 0; j < pay; j++)
			seg[i][HLEN + j] = (uint8_t)((j + (size_t)i * MSS) * 7 + 1000);
		len[i] = HLEN + pay;
	}
	int tag;
	assert_true(offload_gro_start(&g, 5, &tag, seg[0], len[0]));
	assert_false(offload_gro_append(&g, 6, seg[1], len[1])); /* other fd */
	assert_false(offload_gro_append(&g, 5, seg[2], len[2])); /* gap */
	for (int i = 1; i < 4; i++)
		assert_true(offload_gro_append(&g, 5, seg[i], len[i]));
	/* PSH closed it */
	assert_false(offload_gro_append(&g, 5, seg[3], len[3]));
	const uint8_t *out;
	size_t olen;
	assert_ptr_equal(g.owner, &tag);
	assert_true(finish(&g, &out, &olen));
	assert_int_equal(g.fd, -1);
	assert_false(finish(&g, &out, &olen));
	struct offload_vnet v;
	assert_true(offload_vnet_parse(out, olen, &v));
	assert_int_equal(v.flags, 1);
	assert_int_equal(v.gso_type, 1);
	assert_int_equal(v.gso_size, MSS);
	assert_int_equal(v.hdr_len, HLEN);
	assert_int_equal(v.csum_start, IHL);
	assert_int_equal(v.csum_offset, 16);
	const uint8_t *ip = out + OFFLOAD_VNET_LEN;
	assert_int_equal(olen - OFFLOAD_VNET_LEN, HLEN + 3 * MSS + 800);
	assert_int_equal(get16(ip + 2), HLEN + 3 * MSS + 800);
	assert_true(ip_ok(ip));
	assert_int_equal(ip[IHL + 13], 0x18);
	assert_int_equal(get16(ip + IHL + 16), ref_fold(ref_pseudo(ip, 3 * MSS + 800 + THL)));
	for (size_t j = 0; j < 3 * MSS + 800; j++)
		assert_int_equal(ip[HLEN + j], (uint8_t)(j * 7 + 1000));
}

static void test_gro_single_and_refusals(void **state)
{
	(void)state;
	struct offload_gro g = {.buf = grobuf, .fd = -1};
	uint8_t a[HLEN + 100], b[HLEN + 100];
	build(a, 100, 1, 0x10);
	assert_true(offload_gro_start(&g, 3, NULL, a, sizeof(a)));
	build(b, 100, 101, 0x10);
	b[IHL + 15] ^= 1; /* other window */
	assert_false(offload_gro_append(&g, 3, b, sizeof(b)));
	build(b, 100, 101, 0x10);
	b[IHL + 31] ^= 1; /* other timestamp */
	assert_false(offload_gro_append(&g, 3, b, sizeof(b)));
	build(b, 100, 101, 0x11); /* FIN */
	assert_false(offload_gro_append(&g, 3, b, sizeof(b)));
	const uint8_t *out;
	size_t olen;
	assert_true(finish(&g, &out, &olen));
	/* one segment: written as it came, zero virtio header */
	struct offload_vnet v;
	assert_true(offload_vnet_parse(out, olen, &v));
	assert_int_equal(v.flags | v.gso_type | v.gso_size, 0);
	assert_memory_equal(out + OFFLOAD_VNET_LEN, a, sizeof(a));
	/* not candidates: SYN, no payload */
	build(a, 100, 1, 0x02);
	assert_false(offload_gro_start(&g, 3, NULL, a, sizeof(a)));
	build(a, 0, 1, 0x10);
	assert_false(offload_gro_start(&g, 3, NULL, a, HLEN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_segment),       cmocka_unit_test(test_segment_rejects),
	    cmocka_unit_test(test_csum_complete), cmocka_unit_test(test_vnet_roundtrip),
	    cmocka_unit_test(test_gro),           cmocka_unit_test(test_gro_single_and_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

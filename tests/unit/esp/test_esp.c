/* ESP encap/decap: round trips for every transform and size, and every way a packet is dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/crypto.h"
#include "esp/esp.h"
#include "esp/esp_sa.h"
#include "esp_test_util.h"

struct pair {
	struct esp_sa *out, *in;
};

static void pair_new(struct pair *p, const struct xform *x, uint32_t window)
{
	struct esp_sa_params po, pi;
	assert_int_equal(test_params(&po, x, 0x1000, 0, 5), 0);
	assert_int_equal(test_params(&pi, x, 0x1000, 1, 5), 0);
	pi.replay_window = window;
	p->out = esp_sa_new(&po);
	p->in = esp_sa_new(&pi);
	assert_non_null(p->out);
	assert_non_null(p->in);
}

static void pair_free(struct pair *p)
{
	esp_sa_free(p->out);
	esp_sa_free(p->in);
}

static uint64_t drops(struct esp_sa *sa, enum esp_drop d)
{
	struct esp_sa_stats st;
	esp_sa_stats(sa, &st);
	return st.drops[d];
}

/* An inner packet of len bytes at the headroom of buf. */
static struct esp_pkt inner(uint8_t *buf, size_t len, uint32_t src, uint32_t dst)
{
	memset(buf, 0xee, T_BUFSZ);
	if (len >= 20)
		test_ipv4(buf + T_HEADROOM, len, src, dst, (uint8_t)len);
	return (struct esp_pkt){buf, T_BUFSZ, T_HEADROOM, len};
}

static void round_trip(const struct xform *x, size_t len)
{
	static uint8_t buf[T_BUFSZ], ref[T_BUFSZ];
	struct pair s;
	pair_new(&s, x, 0);
	struct esp_pkt p = inner(buf, len, A_IN, B_IN);
	memcpy(ref, buf + T_HEADROOM, len);
	assert_int_equal(esp_encap(s.out, &p), ESP_DROP_NONE);
	size_t hdr = ESP_HDR_LEN + s.out->iv_len, ct = p.len - hdr - s.out->icv_len;
	assert_int_equal(p.off, T_HEADROOM - hdr);
	assert_int_equal(ct % s.out->block_len, 0);
	assert_true(ct >= len + 2 && ct < len + 2 + s.out->block_len);
	assert_int_equal(
	    buf[p.off] << 24 | buf[p.off + 1] << 16 | buf[p.off + 2] << 8 | buf[p.off + 3], 0x1000);
	assert_int_equal(buf[p.off + 7], 1); /* first sequence number */
	assert_memory_not_equal(buf + p.off + hdr, ref, len < 16 ? len : 16);

	assert_int_equal(esp_decap(s.in, &p), ESP_DROP_NONE);
	assert_int_equal(p.len, len);
	assert_memory_equal(buf + p.off, ref, len);
	struct esp_sa_stats st;
	esp_sa_stats(s.in, &st);
	assert_int_equal(st.packets, 1);
	assert_int_equal(st.bytes, len);
	assert_int_equal(st.seq, 1);
	esp_sa_stats(s.out, &st);
	assert_int_equal(st.packets, 1);
	assert_int_equal(st.seq, 1);
	pair_free(&s);
}

static void test_round_trip_all(void **state)
{
	static const size_t sizes[] = {20, 21, 63, 64, 65, 1400, 1500, 3000};
	for (size_t i = 0; i < test_n_xforms; i++)
		for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++)
			round_trip(&test_xforms[i], sizes[j]);
}

/* An inner "packet" of 0 or 1 byte (or any non-IPv4) is not encapsulated. */
static void test_encap_rejects_non_ipv4(void **state)
{
	static uint8_t buf[T_BUFSZ];
	struct pair s;
	pair_new(&s, &test_xforms[0], 0);
	struct esp_pkt p = inner(buf, 0, 0, 0);
	assert_int_equal(esp_encap(s.out, &p), ESP_DROP_INNER);
	p = inner(buf, 1, 0, 0);
	assert_int_equal(esp_encap(s.out, &p), ESP_DROP_INNER);
	p = inner(buf, 40, A_IN, B_IN);
	buf[T_HEADROOM] = 0x60; /* IPv6 */
	assert_int_equal(esp_encap(s.out, &p), ESP_DROP_INNER);
	p = inner(buf, 40, A_IN, C_IN); /* outside the outbound selectors */
	assert_int_equal(esp_encap(s.out, &p), ESP_DROP_SELECTOR);
	assert_int_equal(drops(s.out, ESP_DROP_INNER), 3);
	assert_int_equal(drops(s.out, ESP_DROP_SELECTOR), 1);
	assert_int_equal(atomic_load(&s.out->seq), 0); /* no sequence number consumed */
	pair_free(&s);
}

static void test_cbc_iv_differs(void **state)
{
	static uint8_t b1[T_BUFSZ], b2[T_BUFSZ];
	struct pair s;
	pair_new(&s, &test_xforms[9], 0);
	struct esp_pkt p1 = inner(b1, 100, A_IN, B_IN), p2 = inner(b2, 100, A_IN, B_IN);
	assert_int_equal(esp_encap(s.out, &p1), ESP_DROP_NONE);
	assert_int_equal(esp_encap(s.out, &p2), ESP_DROP_NONE);
	assert_memory_not_equal(b1 + p1.off + 8, b2 + p2.off + 8, 16);
	/* the pool refills: 200 more IVs, all decapsulate */
	for (int i = 0; i < 200; i++) {
		struct esp_pkt p = inner(b1, 100, A_IN, B_IN);
		assert_int_equal(esp_encap(s.out, &p), ESP_DROP_NONE);
		assert_int_equal(esp_decap(s.in, &p), ESP_DROP_NONE);
	}
	pair_free(&s);
}

/* Every bit of every byte flipped once: dropped, counted; the original still passes after. */
static void tamper(const struct xform *x)
{
	static uint8_t buf[T_BUFSZ], pkt[256], work[T_BUFSZ];
	struct pair s;
	pair_new(&s, x, 0);
	struct esp_pkt p = inner(buf, 24, A_IN, B_IN);
	assert_int_equal(esp_encap(s.out, &p), ESP_DROP_NONE);
	size_t n = p.len;
	memcpy(pkt, buf + p.off, n);
	uint64_t expect_icv = 0, expect_nosa = 0, expect_replay = 0;
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(work + T_HEADROOM, pkt, n);
			work[T_HEADROOM + i] ^= (uint8_t)(1 << bit);
			struct esp_pkt t = {work, T_BUFSZ, T_HEADROOM, n};
			enum esp_drop want = ESP_DROP_ICV;
			if (i < 4)
				want = ESP_DROP_NO_SA;
			else if (i == 7 && bit == 0) /* seq 1 -> 0: never valid */
				want = ESP_DROP_REPLAY;
			assert_int_equal(esp_decap(s.in, &t), want);
			expect_icv += want == ESP_DROP_ICV;
			expect_nosa += want == ESP_DROP_NO_SA;
			expect_replay += want == ESP_DROP_REPLAY;
		}
	}
	assert_int_equal(drops(s.in, ESP_DROP_ICV), expect_icv);
	assert_int_equal(drops(s.in, ESP_DROP_NO_SA), expect_nosa);
	assert_int_equal(drops(s.in, ESP_DROP_REPLAY), expect_replay);
	memcpy(work + T_HEADROOM, pkt, n);
	struct esp_pkt t = {work, T_BUFSZ, T_HEADROOM, n};
	assert_int_equal(esp_decap(s.in, &t), ESP_DROP_NONE);
	/* and now it is a replay, rejected before the ICV is computed */
	memcpy(work + T_HEADROOM, pkt, n);
	work[T_HEADROOM + n - 1] ^= 1;
	t = (struct esp_pkt){work, T_BUFSZ, T_HEADROOM, n};
	assert_int_equal(esp_decap(s.in, &t), ESP_DROP_REPLAY);
	pair_free(&s);
}

static void test_tamper(void **state)
{
	for (size_t i = 0; i < test_n_xforms; i++)
		tamper(&test_xforms[i]);
}

static void test_truncated(void **state)
{
	static uint8_t buf[T_BUFSZ], pkt[256], work[T_BUFSZ];
	for (size_t k = 0; k < test_n_xforms; k++) {
		struct pair s;
		pair_new(&s, &test_xforms[k], 0);
		struct esp_pkt p = inner(buf, 40, A_IN, B_IN);
		assert_int_equal(esp_encap(s.out, &p), ESP_DROP_NONE);
		size_t n = p.len;
		memcpy(pkt, buf + p.off, n);
		uint64_t dropped = 0;
		for (size_t len = 0; len < n; len++) {
			memcpy(work + T_HEADROOM, pkt, len);
			struct esp_pkt t = {work, T_BUFSZ, T_HEADROOM, len};
			enum esp_drop d = esp_decap(s.in, &t);
			assert_true(d == ESP_DROP_SHORT || d == ESP_DROP_ICV);
			dropped++;
		}
		assert_int_equal(drops(s.in, ESP_DROP_SHORT) + drops(s.in, ESP_DROP_ICV), dropped);
		assert_true(drops(s.in, ESP_DROP_SHORT) > 0);
		pair_free(&s);
	}
}

static void test_wrong_sa(void **state)
{
	static uint8_t buf[T_BUFSZ];
	struct pair s;
	pair_new(&s, &test_xforms[12], 0);
	struct esp_sa_params po;
	test_params(&po, &test_xforms[12], 0x2000, 0, 5);
	struct esp_sa *other = esp_sa_new(&po);
	struct esp_pkt p = inner(buf, 40, A_IN, B_IN);
	assert_int_equal(esp_encap(other, &p), ESP_DROP_NONE);
	uint32_t spi, seq;
	assert_true(esp_peek_hdr(&p, &spi, &seq));
	assert_int_equal(spi, 0x2000);
	assert_int_equal(seq, 1);
	assert_int_equal(esp_decap(s.in, &p), ESP_DROP_NO_SA);
	struct esp_pkt tiny = {buf, T_BUFSZ, 0, 7};
	assert_false(esp_peek_hdr(&tiny, &spi, &seq));
	esp_sa_free(other);
	pair_free(&s);
}

static enum esp_drop send_one(struct pair *s, size_t len, uint32_t src, uint32_t dst)
{
	static uint8_t buf[T_BUFSZ];
	struct esp_pkt p = inner(buf, len, src, dst);
	assert_int_equal(esp_encap(s->out, &p), ESP_DROP_NONE);
	return esp_decap(s->in, &p);
}

static void test_bad_padding(void **state)
{
	for (size_t k = 0; k < test_n_xforms; k++) {
		struct pair s;
		pair_new(&s, &test_xforms[k], 0);
		s.out->test_bad_pad = true;
		assert_int_equal(send_one(&s, 21, A_IN, B_IN), ESP_DROP_PAD);
		assert_int_equal(drops(s.in, ESP_DROP_PAD), 1);
		s.out->test_bad_pad = false;
		assert_int_equal(send_one(&s, 21, A_IN, B_IN), ESP_DROP_NONE);
		pair_free(&s);
	}
}

static void test_next_header(void **state)
{
	struct pair s;
	pair_new(&s, &test_xforms[1], 0);
	s.out->test_next_header = 41; /* IPv6 */
	assert_int_equal(send_one(&s, 40, A_IN, B_IN), ESP_DROP_INNER);
	s.out->test_next_header = ESP_NH_DUMMY;
	assert_int_equal(send_one(&s, 40, A_IN, B_IN), ESP_DROP_DUMMY);
	assert_int_equal(drops(s.in, ESP_DROP_INNER), 1);
	assert_int_equal(drops(s.in, ESP_DROP_DUMMY), 1);
	/* authentic packets move the window even when dropped */
	assert_int_equal(s.in->replay.top, 2);
	pair_free(&s);
}

static enum esp_drop send_raw(struct pair *s, uint8_t *buf, size_t len)
{
	struct esp_pkt p = {buf, T_BUFSZ, T_HEADROOM, len};
	assert_int_equal(esp_encap(s->out, &p), ESP_DROP_NONE);
	enum esp_drop d = esp_decap(s->in, &p);
	if (d == ESP_DROP_NONE)
		assert_int_equal(p.len, buf[p.off + 2] << 8 | buf[p.off + 3]);
	return d;
}

static void test_bad_inner(void **state)
{
	static uint8_t buf[T_BUFSZ];
	for (size_t k = 0; k < test_n_xforms; k++) {
		struct pair s;
		pair_new(&s, &test_xforms[k], 0);
		s.out->test_raw = true;
		test_ipv4(buf + T_HEADROOM, 60, A_IN, B_IN, 1);
		buf[T_HEADROOM] = 0x65; /* version 6 */
		assert_int_equal(send_raw(&s, buf, 60), ESP_DROP_INNER);
		test_ipv4(buf + T_HEADROOM, 60, A_IN, B_IN, 1);
		buf[T_HEADROOM] = 0x44; /* IHL 4 */
		assert_int_equal(send_raw(&s, buf, 60), ESP_DROP_INNER);
		test_ipv4(buf + T_HEADROOM, 60, A_IN, B_IN, 1);
		buf[T_HEADROOM + 3] = 61; /* total length beyond the data */
		assert_int_equal(send_raw(&s, buf, 60), ESP_DROP_INNER);
		test_ipv4(buf + T_HEADROOM, 19, A_IN, B_IN, 1);
		assert_int_equal(send_raw(&s, buf, 19), ESP_DROP_INNER);
		assert_int_equal(drops(s.in, ESP_DROP_INNER), 4);
		/* shorter total length: the rest is TFC padding and is cut off */
		test_ipv4(buf + T_HEADROOM, 60, A_IN, B_IN, 1);
		buf[T_HEADROOM + 3] = 50;
		assert_int_equal(send_raw(&s, buf, 60), ESP_DROP_NONE);
		pair_free(&s);
	}
}

static void test_selectors(void **state)
{
	struct pair s;
	pair_new(&s, &test_xforms[13], 0);
	s.out->test_raw = true;
	assert_int_equal(send_one(&s, 40, C_IN, B_IN), ESP_DROP_SELECTOR); /* source */
	assert_int_equal(send_one(&s, 40, A_IN, C_IN), ESP_DROP_SELECTOR); /* destination */
	assert_int_equal(send_one(&s, 40, A_IN, B_IN), ESP_DROP_NONE);
	assert_int_equal(drops(s.in, ESP_DROP_SELECTOR), 2);
	/* a range: 192.0.2.0/24 */
	s.in->ts_remote_start = 0xC0000200;
	s.in->ts_remote_end = 0xC00002ff;
	assert_int_equal(send_one(&s, 40, 0xC00002fe, B_IN), ESP_DROP_NONE);
	assert_int_equal(send_one(&s, 40, 0xC0000300, B_IN), ESP_DROP_SELECTOR);
	pair_free(&s);
}

static void test_replay_through_decap(void **state)
{
	static uint8_t buf[T_BUFSZ], copy[T_BUFSZ];
	struct pair s;
	pair_new(&s, &test_xforms[12], 64);
	struct esp_pkt p = inner(buf, 100, A_IN, B_IN);
	assert_int_equal(esp_encap(s.out, &p), ESP_DROP_NONE);
	memcpy(copy, buf, T_BUFSZ);
	struct esp_pkt q = p;
	q.buf = copy;
	assert_int_equal(esp_decap(s.in, &p), ESP_DROP_NONE);
	assert_int_equal(esp_decap(s.in, &q), ESP_DROP_REPLAY);
	/* 64 later packets push seq 1's successors out; an old packet is rejected */
	for (int i = 0; i < 70; i++)
		assert_int_equal(send_one(&s, 40, A_IN, B_IN), ESP_DROP_NONE);
	assert_int_equal(drops(s.in, ESP_DROP_REPLAY), 1);
	struct esp_sa_stats st;
	esp_sa_stats(s.in, &st);
	assert_int_equal(st.window, 64);
	assert_int_equal(st.seq, 71);
	pair_free(&s);
}

static void test_seq_exhaustion(void **state)
{
	static uint8_t buf[T_BUFSZ];
	struct pair s;
	pair_new(&s, &test_xforms[0], 0);
	esp_sa_test_set_seq(s.out, ESP_SEQ_SOFT_DEFAULT - 2);
	struct esp_pkt p = inner(buf, 40, A_IN, B_IN);
	assert_int_equal(esp_encap(s.out, &p), ESP_DROP_NONE);
	assert_false(esp_sa_take_rekey_due(s.out));
	p = inner(buf, 40, A_IN, B_IN);
	assert_int_equal(esp_encap(s.out, &p), ESP_DROP_NONE); /* seq == soft limit */
	assert_true(esp_sa_take_rekey_due(s.out));
	assert_false(esp_sa_take_rekey_due(s.out)); /* once */

	esp_sa_test_set_seq(s.out, 0xfffffffeu);
	p = inner(buf, 40, A_IN, B_IN);
	assert_int_equal(esp_encap(s.out, &p), ESP_DROP_NONE);
	assert_int_equal(buf[p.off + 4] & buf[p.off + 5] & buf[p.off + 6] & buf[p.off + 7], 0xff);
	assert_int_equal(esp_decap(s.in, &p), ESP_DROP_NONE);
	for (int i = 0; i < 3; i++) {
		p = inner(buf, 40, A_IN, B_IN);
		assert_int_equal(esp_encap(s.out, &p), ESP_DROP_SEQ_EXHAUSTED);
		assert_int_equal(p.off, T_HEADROOM); /* untouched */
	}
	assert_int_equal(atomic_load(&s.out->seq), 0xffffffffu);
	assert_int_equal(drops(s.out, ESP_DROP_SEQ_EXHAUSTED), 3);
	pair_free(&s);
}

static void test_no_room(void **state)
{
	static uint8_t buf[T_BUFSZ];
	struct pair s;
	pair_new(&s, &test_xforms[3], 0);
	test_ipv4(buf + 8, 100, A_IN, B_IN, 0);
	struct esp_pkt p = {buf, T_BUFSZ, 8, 100}; /* 8 < header + IV */
	assert_int_equal(esp_encap(s.out, &p), ESP_DROP_NO_ROOM);
	test_ipv4(buf + 64, 100, A_IN, B_IN, 0);
	p = (struct esp_pkt){buf, 64 + 100 + 20, 64, 100}; /* tailroom < pad + ICV */
	assert_int_equal(esp_encap(s.out, &p), ESP_DROP_NO_ROOM);
	assert_int_equal(drops(s.out, ESP_DROP_NO_ROOM), 2);
	pair_free(&s);
}

static void test_invalid_params(void **state)
{
	struct esp_sa_params p;
	assert_int_equal(test_params(&p, &test_xforms[0], 1, 0, 1), 0);
	p.integ = NULL; /* CBC without integrity */
	assert_null(esp_sa_new(&p));
	assert_int_equal(test_params(&p, &test_xforms[12], 1, 0, 1), 0);
	p.integ = crypto_integ(AUTH_HMAC_SHA1_96); /* GCM with integrity */
	assert_null(esp_sa_new(&p));
	p.encr = NULL;
	assert_null(esp_sa_new(&p));
	assert_string_equal(esp_drop_name(ESP_DROP_ICV), "icv");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_all),
	    cmocka_unit_test(test_encap_rejects_non_ipv4),
	    cmocka_unit_test(test_cbc_iv_differs),
	    cmocka_unit_test(test_tamper),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_wrong_sa),
	    cmocka_unit_test(test_bad_padding),
	    cmocka_unit_test(test_next_header),
	    cmocka_unit_test(test_bad_inner),
	    cmocka_unit_test(test_selectors),
	    cmocka_unit_test(test_replay_through_decap),
	    cmocka_unit_test(test_seq_exhaustion),
	    cmocka_unit_test(test_no_room),
	    cmocka_unit_test(test_invalid_params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * libFuzzer harness: ESP decapsulation (esp_decap) with fixed SAs and a model of the
 * anti-replay window.
 *
 * Input: byte 0 picks the transform (low 3 bits: CBC+HMAC-SHA1/256/384/512, GCM-128/256) and
 * the replay window (high bits: default, 64, 128, 1024, 4096 ...). Then records, one after the
 * other, each starting with an op byte (low 2 bits: op, high bits: flags):
 *   0 RAW      u16 len, len bytes: an ESP packet as received, decapsulated as it is
 *   1 ENCAP    u32 seq, u16 len, len bytes: the bytes are sealed (as an arbitrary inner
 *              packet, test_raw) with sequence number seq+1 by the matching outbound SA, then
 *              decapsulated. Flags: bit 0 bad padding, bit 1 next header = first inner byte,
 *              bit 2 flip one bit of the sealed packet (position from seq) before decap
 *   2 REPLAY   the last sealed packet again
 *   3 CUT      u8 n: the last sealed packet shortened by n+1 bytes, or (flag bit 0) with n+1
 *              junk bytes appended
 * Every packet is decapsulated from an exact-size heap copy, so ASan sees any read past it.
 * Oracle (abort on violation): a success leaves an IPv4 packet inside the input; tampered, cut
 * or extended packets never pass; an authentic sealed packet is refused as a replay exactly
 * when the model of the window (RFC 4303 §3.4.3) says so, and otherwise passes unless its
 * trailer or inner header is bad.
 *
 * Built with -DFUZZ_ESP_GEN it is instead a seed generator: `fuzz_gen_esp DIR` writes inputs
 * (including RAW records holding packets sealed by esp_encap) into DIR.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp/esp.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SPI       0x0badcafeu
#define IN_LOCAL  0xC0000202u /* 192.0.2.2: our inner address */
#define IN_REMOTE 0xC0000201u /* 192.0.2.1: the peer's */
#define HEADROOM  64
#define MAX_SEEN  256

static const struct {
	uint16_t encr, bits, integ;
} algs[] = {
    {ENCR_AES_CBC, 128, AUTH_HMAC_SHA1_96},      {ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128},
    {ENCR_AES_CBC, 192, AUTH_HMAC_SHA2_384_192}, {ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_512_256},
    {ENCR_AES_GCM_16, 128, AUTH_NONE},           {ENCR_AES_GCM_16, 256, AUTH_NONE},
};
#define N_ALGS (sizeof(algs) / sizeof(algs[0]))
static const uint32_t windows[] = {0, 64, 128, 1024, 4096, 32768, 64, 64};

static void check(bool ok)
{
	if (!ok)
		abort();
}

static int fill(struct esp_sa_params *p, size_t a, uint32_t window, bool inbound)
{
	memset(p, 0, sizeof(*p));
	p->spi = SPI;
	p->inbound = inbound;
	p->tunnel_id = 1;
	p->encr = crypto_encr(algs[a].encr, algs[a].bits);
	p->integ = algs[a].integ ? crypto_integ(algs[a].integ) : NULL;
	if (!p->encr || (algs[a].integ && !p->integ))
		return -1;
	for (size_t i = 0; i < ESP_MAX_KEY; i++) {
		p->encr_key[i] = (uint8_t)(0x11 * a + i);
		p->integ_key[i] = (uint8_t)(0x5a + a + 3 * i);
	}
	p->replay_window = window;
	p->ts_local_start = p->ts_local_end = inbound ? IN_LOCAL : IN_REMOTE;
	p->ts_remote_start = p->ts_remote_end = inbound ? IN_REMOTE : IN_LOCAL;
	return 0;
}

/* One run: the SA pair, the last sealed packet and the model of the replay window. */
struct run {
	struct esp_sa *out, *in;
	uint8_t last[2048 + 128];
	size_t last_len;
	bool last_authentic;
	uint64_t top;
	uint64_t seen[MAX_SEEN];
	size_t n_seen;
	bool lost; /* more accepted packets than the model holds: stop judging replays */
};

static bool model_is_replay(const struct run *r, uint64_t seq)
{
	if (seq == 0)
		return true;
	if (seq > r->top)
		return false;
	if (r->top - seq >= r->in->replay.window)
		return true;
	for (size_t i = 0; i < r->n_seen; i++)
		if (r->seen[i] == seq)
			return true;
	return false;
}

static void model_accept(struct run *r, uint64_t seq)
{
	if (seq > r->top)
		r->top = seq;
	if (r->n_seen < MAX_SEEN)
		r->seen[r->n_seen++] = seq;
	else
		r->lost = true;
}

static uint64_t seq_of(const uint8_t *pkt)
{
	return (uint64_t)pkt[4] << 24 | (uint64_t)pkt[5] << 16 | (uint64_t)pkt[6] << 8 | pkt[7];
}

/* Results that only an authentic packet (ICV verified, window checked) can have. */
static bool authentic(enum esp_drop why)
{
	return why == ESP_DROP_NONE || why == ESP_DROP_PAD || why == ESP_DROP_INNER ||
	       why == ESP_DROP_SELECTOR || why == ESP_DROP_DUMMY;
}

/* Decapsulates len bytes from an exact-size copy; checks the result's bounds and keeps the
 * window model up to date (authentic packets move the window even when dropped). */
static enum esp_drop decap(struct run *r, const uint8_t *pkt, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);
	check(b != NULL);
	if (len)
		memcpy(b, pkt, len);
	struct esp_pkt p = {b, len, 0, len};
	enum esp_drop why = esp_decap(r->in, &p);
	if (why == ESP_DROP_NONE) {
		check(p.off >= ESP_HDR_LEN && p.off + p.len <= len && p.len >= 20);
		check((b[p.off] >> 4) == 4);
	} else {
		check(why < ESP_DROP_MAX);
	}
	if (authentic(why))
		model_accept(r, seq_of(b));
	free(b);
	return why;
}

/* Decapsulates the last sealed packet and checks the result against the window model. */
static void decap_last(struct run *r)
{
	uint64_t seq = seq_of(r->last);
	bool replay = model_is_replay(r, seq);
	enum esp_drop why = decap(r, r->last, r->last_len);
	if (!r->last_authentic) {
		check(why != ESP_DROP_NONE);
		return;
	}
	if (r->lost)
		return;
	if (replay) {
		check(why == ESP_DROP_REPLAY);
		return;
	}
	check(authentic(why));
}

static void op_encap(struct run *r, struct rbuf *in, uint8_t flags)
{
	uint32_t seq = rbuf_u32(in);
	size_t len = rbuf_u16(in);
	const uint8_t *inner = rbuf_ptr(in, len);
	if (!rbuf_ok(in) || len > 2048)
		return;
	static uint8_t buf[HEADROOM + 2048 + 128];
	memcpy(buf + HEADROOM, inner, len);
	struct esp_pkt p = {buf, sizeof(buf), HEADROOM, len};
	r->out->test_raw = true;
	r->out->test_bad_pad = flags & 1;
	r->out->test_next_header = (flags & 2) && len ? inner[0] : 0;
	esp_sa_test_set_seq(r->out, seq);
	if (esp_encap(r->out, &p) != ESP_DROP_NONE)
		return;
	check(p.off + p.len <= sizeof(buf) && p.len <= sizeof(r->last));
	memcpy(r->last, buf + p.off, p.len);
	r->last_len = p.len;
	r->last_authentic = !(flags & 4);
	if (flags & 4) {
		size_t bit = seq % (p.len * 8);
		r->last[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	decap_last(r);
}

static void op_cut(struct run *r, struct rbuf *in, uint8_t flags)
{
	size_t n = (size_t)rbuf_u8(in) + 1;
	if (!rbuf_ok(in) || !r->last_len)
		return;
	if (flags & 1) {
		uint8_t b[sizeof(r->last) + 256];
		memcpy(b, r->last, r->last_len);
		memset(b + r->last_len, (int)n, n);
		check(decap(r, b, r->last_len + n) != ESP_DROP_NONE);
	} else if (n < r->last_len) {
		check(decap(r, r->last, r->last_len - n) != ESP_DROP_NONE);
	}
}

static void run_records(struct run *r, struct rbuf *in)
{
	while (rbuf_left(in) > 0) {
		uint8_t op = rbuf_u8(in);
		switch (op & 3) {
		case 0: {
			size_t len = rbuf_u16(in);
			const uint8_t *pkt = rbuf_ptr(in, len);
			if (rbuf_ok(in))
				decap(r, pkt, len);
			break;
		}
		case 1:
			op_encap(r, in, op >> 2);
			break;
		case 2:
			if (r->last_len)
				decap_last(r);
			break;
		default:
			op_cut(r, in, op >> 2);
			break;
		}
		if (!rbuf_ok(in))
			return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r;
	struct esp_sa_params po, pi;

	if (size < 1)
		return 0;
	size_t a = (data[0] & 7) % N_ALGS;
	uint32_t window = windows[data[0] >> 5];
	memset(&r, 0, sizeof(r));
	check(fill(&po, a, window, false) == 0 && fill(&pi, a, window, true) == 0);
	r.out = esp_sa_new(&po);
	r.in = esp_sa_new(&pi);
	check(r.out && r.in);
	struct rbuf in;
	rbuf_init(&in, data + 1, size - 1);
	run_records(&r, &in);
	esp_sa_free(r.out);
	esp_sa_free(r.in);
	return 0;
}

#ifdef FUZZ_ESP_GEN
/* ---- seed generator ---- */
static const char *gen_dir;

static void emit(const char *name, const uint8_t *p, size_t len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", gen_dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* An inner IPv4 packet of len bytes from the peer to us (or the given addresses). */
static size_t ipv4(uint8_t *p, size_t len, uint32_t src, uint32_t dst)
{
	struct wbuf w;
	wbuf_init(&w, p, len);
	wbuf_u8(&w, 0x45);
	wbuf_u8(&w, 0);
	wbuf_u16(&w, (uint16_t)len);
	wbuf_u32(&w, 0x12344000);
	wbuf_u8(&w, 64);
	wbuf_u8(&w, 1);
	wbuf_u16(&w, 0);
	wbuf_u32(&w, src);
	wbuf_u32(&w, dst);
	for (size_t i = 20; i < len; i++)
		wbuf_u8(&w, (uint8_t)i);
	return len;
}

/* Seals inner with sequence number seq + 1 by a fresh outbound SA; returns the ESP length. */
static size_t seal(struct esp_sa *out, uint32_t seq, const uint8_t *inner, size_t len, uint8_t *esp)
{
	static uint8_t buf[HEADROOM + 2048 + 128];
	memcpy(buf + HEADROOM, inner, len);
	struct esp_pkt p = {buf, sizeof(buf), HEADROOM, len};
	esp_sa_test_set_seq(out, seq);
	if (esp_encap(out, &p) != ESP_DROP_NONE) {
		fprintf(stderr, "gen: encap failed\n");
		exit(1);
	}
	memcpy(esp, buf + p.off, p.len);
	return p.len;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_gen_esp DIR\n");
		return 2;
	}
	gen_dir = argv[1];
	for (size_t a = 0; a < N_ALGS; a++) {
		struct esp_sa_params po;
		check(fill(&po, a, 0, false) == 0);
		struct esp_sa *out = esp_sa_new(&po);
		check(out != NULL);
		uint8_t in[1500], f[8192], esp[2048];
		struct wbuf w;
		char name[64];

		/* RAW: packets sealed in order 1, 3, 2, then 2 again (a replay), then one far ahead
		 */
		wbuf_init(&w, f, sizeof(f));
		wbuf_u8(&w, (uint8_t)a);
		static const uint32_t seqs[] = {0, 2, 1, 1, 5000};
		for (size_t i = 0; i < 5; i++) {
			size_t n = ipv4(in, 40 + 37 * i, IN_REMOTE, IN_LOCAL);
			size_t e = seal(out, seqs[i], in, n, esp);
			wbuf_u8(&w, 0);
			wbuf_u16(&w, (uint16_t)e);
			wbuf_bytes(&w, esp, e);
		}
		check(wbuf_ok(&w));
		snprintf(name, sizeof(name), "raw_alg%zu", a);
		emit(name, f, w.len);

		/* ENCAP: a valid packet, a replay of it, a cut one, one outside the selectors, a
		 * dummy (next header 59), bad padding, a tampered one, one far ahead, an old one */
		wbuf_init(&w, f, sizeof(f));
		wbuf_u8(&w, (uint8_t)(a | 0x20));
		size_t n = ipv4(in, 84, IN_REMOTE, IN_LOCAL);
		wbuf_u8(&w, 1);
		wbuf_u32(&w, 9);
		wbuf_u16(&w, (uint16_t)n);
		wbuf_bytes(&w, in, n);
		wbuf_u8(&w, 2);
		wbuf_u8(&w, 3);
		wbuf_u8(&w, 4);
		wbuf_u8(&w, 3 | 4);
		wbuf_u8(&w, 16);
		n = ipv4(in, 60, 0xCB007101u, IN_LOCAL);
		wbuf_u8(&w, 1);
		wbuf_u32(&w, 10);
		wbuf_u16(&w, (uint16_t)n);
		wbuf_bytes(&w, in, n);
		in[0] = 59;
		wbuf_u8(&w, 1 | (2 << 2));
		wbuf_u32(&w, 11);
		wbuf_u16(&w, (uint16_t)n);
		wbuf_bytes(&w, in, n);
		n = ipv4(in, 61, IN_REMOTE, IN_LOCAL);
		wbuf_u8(&w, 1 | (1 << 2));
		wbuf_u32(&w, 12);
		wbuf_u16(&w, (uint16_t)n);
		wbuf_bytes(&w, in, n);
		wbuf_u8(&w, 1 | (4 << 2));
		wbuf_u32(&w, 13);
		wbuf_u16(&w, (uint16_t)n);
		wbuf_bytes(&w, in, n);
		wbuf_u8(&w, 1);
		wbuf_u32(&w, 100000);
		wbuf_u16(&w, (uint16_t)n);
		wbuf_bytes(&w, in, n);
		wbuf_u8(&w, 1);
		wbuf_u32(&w, 14);
		wbuf_u16(&w, (uint16_t)n);
		wbuf_bytes(&w, in, n);
		check(wbuf_ok(&w));
		snprintf(name, sizeof(name), "encap_alg%zu", a);
		emit(name, f, w.len);
		esp_sa_free(out);
	}
	static const uint8_t junk[] = {0, 0, 8, 0x0b, 0xad, 0xca, 0xfe, 0, 0, 0, 1, 0, 0, 3, 0};
	emit("short", junk, sizeof(junk));
	return 0;
}
#endif

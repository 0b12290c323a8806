/*
 * bench_esp: in-process ESP encap + decap per transform and packet size, against raw OpenSSL
 * EVP doing the same cipher and MAC work on the same buffers in the same run.
 *
 * Per iteration both sides copy the same inner packet into a buffer with headroom, then:
 *   mgmtsec: esp_encap() (header, IV, padding, encrypt, ICV) + esp_decap() (replay check, ICV,
 *            decrypt, padding/next header, inner IPv4 and selector checks, window update);
 *   EVP:     CBC: EVP_CipherInit_ex(IV) + Update + Final and EVP_MAC init/update/final over
 *            header|IV|ciphertext, then the MAC again + CRYPTO_memcmp and the decryption;
 *            GCM: seal (nonce, AAD, data, tag) and open (nonce, tag, AAD, data, final).
 * Output: Mpps and Gbit/s (inner bytes) and ns per packet (encap + decap), and the ratio
 * mgmtsec / EVP throughput. Each case runs 5 alternating rounds of each side; the best round of
 * each side is reported (robust against other load on the machine).
 *
 * Usage: bench_esp [seconds per case and side (default 1)]
 *        bench_esp --idle [samples (default 41)]
 *
 * --idle: the cost of one packet after the thread slept, as the data plane's threads sleep
 * between the packets of an occasional ping: one 84-byte packet (an echo request's size),
 * encap + decap, timed after 0 (back to back), 1, 10 and 50 ms asleep, median of the samples,
 * mgmtsec and EVP alternating. On a virtual machine whose host runs other work on the core
 * while the guest sleeps, the caches and TLBs are cold when it wakes, and this, not the
 * arithmetic, is most of an idle ping's time in the data plane.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "esp/esp.h"
#include "util/buf.h"

#define HEAD   64
#define BUF    4096
#define ROUNDS 5

struct xf {
	const char *name;
	uint16_t encr, bits, integ;
};

static const struct xf xfs[] = {
    {"AES-CBC-128/HMAC-SHA1-96", ENCR_AES_CBC, 128, AUTH_HMAC_SHA1_96},
    {"AES-CBC-128/HMAC-SHA256-128", ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_256_128},
    {"AES-CBC-128/HMAC-SHA384-192", ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_384_192},
    {"AES-CBC-128/HMAC-SHA512-256", ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_512_256},
    {"AES-CBC-256/HMAC-SHA1-96", ENCR_AES_CBC, 256, AUTH_HMAC_SHA1_96},
    {"AES-CBC-256/HMAC-SHA256-128", ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128},
    {"AES-CBC-256/HMAC-SHA384-192", ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_384_192},
    {"AES-CBC-256/HMAC-SHA512-256", ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_512_256},
    {"AES-GCM-128", ENCR_AES_GCM_16, 128, 0},
    {"AES-GCM-256", ENCR_AES_GCM_16, 256, 0},
};

static uint8_t key[64], ikey[64];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void make_inner(uint8_t *p, size_t len)
{
	struct wbuf w;
	wbuf_init(&w, p, len);
	wbuf_u32(&w, 0x45000000u | (uint32_t)len);
	wbuf_u32(&w, 0);
	wbuf_u32(&w, 0x40110000u);
	wbuf_u32(&w, 0xC0000201u);
	wbuf_u32(&w, 0xC0000202u);
	for (size_t i = 20; i < len; i++)
		wbuf_u8(&w, (uint8_t)i);
}

static void params(struct esp_sa_params *p, const struct xf *x, bool inbound)
{
	memset(p, 0, sizeof(*p));
	p->spi = 0x1234;
	p->inbound = inbound;
	p->encr = crypto_encr(x->encr, x->bits);
	p->integ = x->integ ? crypto_integ(x->integ) : NULL;
	memcpy(p->encr_key, key, p->encr->key_len);
	if (p->integ)
		memcpy(p->integ_key, ikey, p->integ->key_len);
	p->ts_local_end = p->ts_remote_end = 0xffffffff;
}

/* ---- mgmtsec ---- */
static void esp_roundtrip(struct esp_sa *out, struct esp_sa *in, uint8_t *buf, const uint8_t *inner,
                          size_t len)
{
	memcpy(buf + HEAD, inner, len);
	struct esp_pkt p = {buf, BUF, HEAD, len};
	if (esp_encap(out, &p) != ESP_DROP_NONE || esp_decap(in, &p) != ESP_DROP_NONE)
		abort();
}

static double run_esp(const struct xf *x, size_t len, double secs, uint64_t *iters)
{
	static uint8_t buf[BUF], inner[BUF];
	struct esp_sa_params po, pi;
	params(&po, x, false);
	params(&pi, x, true);
	struct esp_sa *out = esp_sa_new(&po), *in = esp_sa_new(&pi);
	if (!out || !in)
		abort();
	make_inner(inner, len);
	uint64_t n = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 1000; i++)
			esp_roundtrip(out, in, buf, inner, len);
		n += 1000;
		t = now() - t0;
	} while (t < secs);
	esp_sa_free(out);
	esp_sa_free(in);
	*iters = n;
	return t;
}

/* ---- raw EVP doing the same work ---- */
struct evp {
	EVP_CIPHER_CTX *enc, *dec;
	EVP_MAC_CTX *mac;
	size_t icv, ivl, block;
	bool gcm;
	uint8_t salt[4];
};

static void evp_init(struct evp *e, const struct xf *x)
{
	char name[32];
	snprintf(name, sizeof(name), "AES-%u-%s", x->bits,
	         x->encr == ENCR_AES_GCM_16 ? "GCM" : "CBC");
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);
	e->gcm = x->encr == ENCR_AES_GCM_16;
	e->enc = EVP_CIPHER_CTX_new();
	e->dec = EVP_CIPHER_CTX_new();
	EVP_CipherInit_ex(e->enc, c, NULL, key, NULL, 1);
	EVP_CipherInit_ex(e->dec, c, NULL, key, NULL, 0);
	EVP_CIPHER_CTX_set_padding(e->enc, 0);
	EVP_CIPHER_CTX_set_padding(e->dec, 0);
	EVP_CIPHER_free(c);
	e->mac = NULL;
	if (e->gcm) {
		memcpy(e->salt, key + x->bits / 8, 4);
		e->icv = 16, e->ivl = 8, e->block = 4;
		return;
	}
	const struct integ_alg *ia = crypto_integ(x->integ);
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	e->mac = EVP_MAC_CTX_new(m);
	EVP_MAC_free(m);
	OSSL_PARAM prm[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)ia->md, 0),
	    OSSL_PARAM_construct_end()};
	EVP_MAC_init(e->mac, ikey, ia->key_len, prm);
	e->icv = ia->icv_len, e->ivl = 16, e->block = 16;
}

static void evp_free(struct evp *e)
{
	EVP_CIPHER_CTX_free(e->enc);
	EVP_CIPHER_CTX_free(e->dec);
	EVP_MAC_CTX_free(e->mac);
}

static void hmac(struct evp *e, const uint8_t *d, size_t n, uint8_t *out)
{
	size_t ol;
	EVP_MAC_init(e->mac, NULL, 0, NULL);
	EVP_MAC_update(e->mac, d, n);
	EVP_MAC_final(e->mac, out, &ol, 64);
}

static void evp_crypt(EVP_CIPHER_CTX *c, const uint8_t *iv, uint8_t *d, size_t n)
{
	int ol, fl;
	EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, -1);
	EVP_CipherUpdate(c, d, &ol, d, (int)n);
	EVP_CipherFinal_ex(c, d + ol, &fl);
}

static void evp_cbc(struct evp *e, uint8_t *hdr, size_t ct_len)
{
	uint8_t full[64], *iv = hdr + 8, *ct = hdr + 8 + 16;
	evp_crypt(e->enc, iv, ct, ct_len);
	hmac(e, hdr, 24 + ct_len, full);
	memcpy(ct + ct_len, full, e->icv);
	hmac(e, hdr, 24 + ct_len, full);
	if (CRYPTO_memcmp(full, ct + ct_len, e->icv))
		abort();
	evp_crypt(e->dec, iv, ct, ct_len);
}

static void gcm(EVP_CIPHER_CTX *c, const uint8_t *salt, uint8_t *hdr, size_t ct_len, bool seal)
{
	uint8_t nonce[12], *ct = hdr + 16;
	int ol, fl;
	memcpy(nonce, salt, 4);
	memcpy(nonce + 4, hdr + 8, 8);
	EVP_CipherInit_ex(c, NULL, NULL, NULL, nonce, -1);
	if (!seal)
		EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, ct + ct_len);
	EVP_CipherUpdate(c, NULL, &ol, hdr, 8);
	EVP_CipherUpdate(c, ct, &ol, ct, (int)ct_len);
	if (EVP_CipherFinal_ex(c, ct + ol, &fl) != 1)
		abort();
	if (seal)
		EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, ct + ct_len);
}

static void evp_roundtrip(struct evp *e, uint8_t *buf, const uint8_t *inner, size_t len,
                          uint8_t *hdr, size_t ct_len)
{
	memcpy(buf + HEAD, inner, len);
	if (e->gcm) {
		gcm(e->enc, e->salt, hdr, ct_len, true);
		gcm(e->dec, e->salt, hdr, ct_len, false);
	} else {
		evp_cbc(e, hdr, ct_len);
	}
}

static double run_evp(const struct xf *x, size_t len, double secs, uint64_t *iters)
{
	static uint8_t buf[BUF], inner[BUF];
	struct evp e;
	evp_init(&e, x);
	make_inner(inner, len);
	size_t ct_len = (len + 2 + e.block - 1) / e.block * e.block;
	uint8_t *hdr = buf + HEAD - 8 - e.ivl;
	memset(hdr, 0x11, 8 + e.ivl);
	uint64_t n = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 1000; i++)
			evp_roundtrip(&e, buf, inner, len, hdr, ct_len);
		n += 1000;
		t = now() - t0;
	} while (t < secs);
	evp_free(&e);
	*iters = n;
	return t;
}

/* One packet each of mgmtsec and EVP after `gap_us` asleep, `n` times: median ns of each. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void idle_case(const struct xf *x, unsigned gap_us, int n, double *esp_ns, double *evp_ns)
{
	static uint8_t buf[BUF], inner[BUF];
	enum {
		LEN = 84
	};
	double te[256], tv[256];
	struct esp_sa_params po, pi;
	params(&po, x, false);
	params(&pi, x, true);
	struct esp_sa *out = esp_sa_new(&po), *in = esp_sa_new(&pi);
	struct evp e;
	if (!out || !in || n > 256)
		abort();
	evp_init(&e, x);
	make_inner(inner, LEN);
	size_t ct_len = (LEN + 2 + e.block - 1) / e.block * e.block;
	uint8_t *hdr = buf + HEAD - 8 - e.ivl;
	for (int i = 0; i < n; i++) {
		if (gap_us)
			usleep(gap_us);
		double t0 = now();
		esp_roundtrip(out, in, buf, inner, LEN);
		te[i] = (now() - t0) * 1e9;
		if (gap_us)
			usleep(gap_us);
		memset(hdr, 0x11, 8 + e.ivl);
		t0 = now();
		evp_roundtrip(&e, buf, inner, LEN, hdr, ct_len);
		tv[i] = (now() - t0) * 1e9;
	}
	qsort(te, (size_t)n, sizeof(te[0]), cmp_double);
	qsort(tv, (size_t)n, sizeof(tv[0]), cmp_double);
	*esp_ns = te[n / 2];
	*evp_ns = tv[n / 2];
	evp_free(&e);
	esp_sa_free(out);
	esp_sa_free(in);
}

static int run_idle(int n)
{
	static const unsigned gaps[] = {0, 1000, 10000, 50000};
	static const size_t pick[] = {5, 9}; /* AES-CBC-256/HMAC-SHA256-128, AES-GCM-256 */
	printf("One 84-byte packet, encap + decap, after the thread slept: median ns of %d "
	       "(mgmtsec / EVP)\n",
	       n);
	printf("%-28s", "transform");
	for (size_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++)
		printf(" | %6u ms asleep", gaps[g] / 1000);
	printf("\n");
	for (size_t k = 0; k < sizeof(pick) / sizeof(pick[0]); k++) {
		printf("%-28s", xfs[pick[k]].name);
		for (size_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
			double a, b;
			idle_case(&xfs[pick[k]], gaps[g], n, &a, &b);
			printf(" | %7.0f / %6.0f", a, b);
			fflush(stdout);
		}
		printf("\n");
	}
	return 0;
}

int main(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 13 + 1), ikey[i] = (uint8_t)(i * 7 + 3);
	if (argc > 1 && !strcmp(argv[1], "--idle"))
		return run_idle(argc > 2 ? atoi(argv[2]) : 41);
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	static const size_t sizes[] = {64, 512, 1400};
	printf(
	    "ESP encap+decap per packet, one core, %.1f s per case (inner packet size; Gbit/s of "
	    "inner bytes)\n",
	    secs);
	printf("%-28s %5s | %7s %8s %8s | %7s %8s %8s | %6s\n", "transform", "size", "Mpps",
	       "Gbit/s", "ns/pkt", "EVP Mpps", "Gbit/s", "ns/pkt", "ratio");
	for (size_t k = 0; k < sizeof(xfs) / sizeof(xfs[0]); k++) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			/* Alternating short rounds, best of each: other load on the machine hits
			 * both sides alike instead of skewing one. */
			double pps1 = 0, pps2 = 0;
			for (int r = 0; r < ROUNDS; r++) {
				uint64_t n1, n2;
				double t1 = run_esp(&xfs[k], sizes[s], secs / ROUNDS, &n1);
				double t2 = run_evp(&xfs[k], sizes[s], secs / ROUNDS, &n2);
				if ((double)n1 / t1 > pps1)
					pps1 = (double)n1 / t1;
				if ((double)n2 / t2 > pps2)
					pps2 = (double)n2 / t2;
			}
			printf("%-28s %5zu | %7.3f %8.3f %8.0f | %7.3f %8.3f %8.0f | %5.1f%%\n",
			       xfs[k].name, sizes[s], pps1 / 1e6, pps1 * (double)sizes[s] * 8 / 1e9,
			       1e9 / pps1, pps2 / 1e6, pps2 * (double)sizes[s] * 8 / 1e9,
			       1e9 / pps2, 100.0 * pps1 / pps2);
			fflush(stdout);
		}
	}
	return 0;
}

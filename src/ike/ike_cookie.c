/*
 * Cookies and half-open limits (RFC 7296 §2.6), the responder's defence against IKE_SA_INIT
 * floods.
 *
 * Below cookie_threshold half-open responder SAs every acceptable IKE_SA_INIT creates state.
 * At or above it, one without a valid COOKIE is answered with N(COOKIE) and nothing is kept:
 *   COOKIE = VersionIDofSecret (4 bytes) | HMAC-SHA-256(secret, Ni | IPi | SPIi)
 * The secret is random, rotated every cookie_rotate_ms; the previous version stays valid, so a
 * cookie handed out just before a rotation still works. Comparison in constant time.
 * Independently, at max_half_open in total or max_per_peer from one address nothing more is
 * created (dropped, counted); half-open SAs time out after timing.half_open_ms (ike_init.c).
 */
#include <string.h>

#include "ike/ike_int.h"
#include "util/log.h"
#include "util/loop.h"

#define COOKIE_VER_LEN 4
#define COOKIE_LEN     (COOKIE_VER_LEN + 32)

void ike_dos_init(struct ike *ike)
{
	ike_set_dos_limits(ike, &(struct ike_dos_limits){0});
}

void ike_set_dos_limits(struct ike *ike, const struct ike_dos_limits *l)
{
	struct ike_keep *k = &ike->keep;
	k->cookie_threshold = l->cookie_threshold ? l->cookie_threshold : 16;
	k->max_half_open = l->max_half_open ? l->max_half_open : 1024;
	k->max_per_peer = l->max_half_open_per_peer ? l->max_half_open_per_peer : 32;
	k->cookie_rotate_ms = (l->cookie_rotate_s ? l->cookie_rotate_s : 300) * 1000u;
}

void ike_cookie_rotate(struct ike *ike)
{
	struct ike_keep *k = &ike->keep;
	memcpy(k->prev_secret, k->secret, sizeof(k->secret));
	k->have_prev = k->have_secret;
	if (crypto_random(k->secret, sizeof(k->secret)) < 0)
		return; /* keep the old one: cookies still work */
	k->have_secret = true;
	k->secret_ver++;
	k->secret_at_ms = loop_now_ms();
	log_debug("IKE: cookie secret rotated (version %u)", k->secret_ver);
}

static int cookie_make(const uint8_t *secret, uint32_t ver, const struct ike_msg *m,
                       const uint8_t *ni, size_t ni_len, uint32_t ipi, uint8_t out[COOKIE_LEN])
{
	uint8_t data[IKE_MAX_NONCE + 12];
	const struct prf_alg *p = crypto_prf(PRF_HMAC_SHA2_256);
	if (!p || ni_len > IKE_MAX_NONCE)
		return -1;
	memcpy(data, ni, ni_len);
	memcpy(data + ni_len, &ipi, 4);
	memcpy(data + ni_len + 4, m->hdr.spi_i, 8);
	ike_put32(ver, out);
	return prf(p, secret, 32, data, ni_len + 12, out + COOKIE_VER_LEN);
}

static bool cookie_ok(struct ike *ike, const struct ike_msg *m, const uint8_t *ni, size_t ni_len,
                      uint32_t ipi, const struct ike_notify_pl *n)
{
	struct ike_keep *k = &ike->keep;
	uint8_t want[COOKIE_LEN];
	const uint8_t *secret = NULL;

	if (n->len != COOKIE_LEN)
		return false;
	uint32_t ver = ike_spi32(n->data);
	if (ver == k->secret_ver && k->have_secret)
		secret = k->secret;
	else if (ver == k->secret_ver - 1 && k->have_prev)
		secret = k->prev_secret;
	if (!secret || cookie_make(secret, ver, m, ni, ni_len, ipi, want) < 0)
		return false;
	bool ok = chunk_eq_ct(want, n->data, COOKIE_LEN);
	memwipe(want, sizeof(want));
	return ok;
}

bool ike_cookie_valid(struct ike *ike, const struct ike_msg *m, uint32_t remote, const uint8_t **ni,
                      size_t *ni_len)
{
	const struct ike_payload *np = ike_msg_find(m, PL_NONCE);
	struct ike_notify_pl n;
	if (!np || ike_parse_nonce(np, ni, ni_len) < 0 || *ni_len > IKE_MAX_NONCE ||
	    !ike_find_notify(m, N_COOKIE, &n))
		return false;
	return cookie_ok(ike, m, *ni, *ni_len, remote, &n);
}

static void send_cookie(struct ike *ike, const struct ike_msg *m, const uint8_t *cookie,
                        uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport)
{
	struct ike_hdr h = {
	    .version = IKE_VERSION, .exchange = IKE_SA_INIT, .flags = IKE_FLAG_RESPONSE};
	struct ike_builder b;
	uint8_t buf[128];

	memcpy(h.spi_i, m->hdr.spi_i, 8);
	ike_build_begin(&b, buf, sizeof(buf), &h);
	ike_add_notify(&b, 0, NULL, 0, N_COOKIE, cookie, COOKIE_LEN);
	int len = ike_build_end(&b);
	if (len > 0)
		ike_io_send(ike, buf, (size_t)len, local, lport, remote, rport);
}

/* false: answered with a COOKIE. */
static bool cookie_check(struct ike *ike, const struct ike_msg *m, uint32_t local, uint16_t lport,
                         uint32_t remote, uint16_t rport)
{
	struct ike_keep *k = &ike->keep;
	const struct ike_payload *np = ike_msg_find(m, PL_NONCE);
	struct ike_notify_pl n;
	const uint8_t *ni;
	size_t ni_len;
	uint8_t cookie[COOKIE_LEN];

	if (!np || ike_parse_nonce(np, &ni, &ni_len) < 0 || ni_len > IKE_MAX_NONCE)
		return true; /* malformed: refused later without state */
	if (!k->have_secret || loop_now_ms() - k->secret_at_ms >= k->cookie_rotate_ms)
		ike_cookie_rotate(ike);
	if (ike_find_notify(m, N_COOKIE, &n)) {
		if (cookie_ok(ike, m, ni, ni_len, remote, &n))
			return true;
		ike->stats.cookies_rejected++;
	}
	if (cookie_make(k->secret, k->secret_ver, m, ni, ni_len, remote, cookie) < 0)
		return false;
	ike->stats.cookies_sent++;
	send_cookie(ike, m, cookie, local, lport, remote, rport);
	return false;
}

bool ike_dos_admit(struct ike *ike, const struct ike_msg *m, uint32_t local, uint16_t lport,
                   uint32_t remote, uint16_t rport)
{
	struct ike_keep *k = &ike->keep;
	size_t half = ike->sa_half.n;

	if (half >= k->cookie_threshold && !cookie_check(ike, m, local, lport, remote, rport))
		return false;
	if (half >= k->max_half_open || ike_sa_half_from(ike, remote) >= k->max_per_peer) {
		ike->stats.half_open_refused++;
		log_debug("IKE_SA_INIT dropped: half-open limit (%zu in total)", half);
		return false;
	}
	return true;
}

/*
 * Seed corpus generator for the IKE fuzz harnesses: writes real-shaped IKEv2 messages built
 * with the codec's own builder into <dir>/ike_msg/ and <dir>/ike_sk/. Run by hand after codec
 * changes (`fuzz_gen_corpus tests/fuzz/corpus`) and commit the result; the captured strongSwan
 * IKE_SA_INIT (ike_msg/strongswan_sa_init) and crash-* regression inputs are kept apart.
 * SK messages are sealed with the fixed keys of fuzz_keys.h, so the harnesses can open them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_keys.h"
#include "ike/msg.h"

static const char *root;
static uint8_t buf[IKE_MAX_MSG];

static void emit(const char *sub, const char *name, const uint8_t *p, int len)
{
	char path[1024];

	if (len < 0) {
		fprintf(stderr, "gen_corpus: building %s failed\n", name);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", root, sub, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, (size_t)len, f) != (size_t)len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static struct ike_hdr hdr(uint8_t exchange, uint8_t flags, uint32_t msg_id)
{
	struct ike_hdr h = {.spi_i = {0x71, 0xbe, 0xac, 0x32, 0x2f, 0x2d, 0x8f, 0xf5},
	                    .exchange = exchange,
	                    .flags = flags,
	                    .msg_id = msg_id};
	if (exchange != IKE_SA_INIT || (flags & IKE_FLAG_RESPONSE))
		memcpy(h.spi_r, "\x5a\x13\x9e\x02\x44\xc1\x77\x0b", 8);
	return h;
}

static struct ike_transform xf(uint8_t type, uint16_t id, uint16_t bits)
{
	return (struct ike_transform){.type = type, .id = id, .key_bits = bits};
}

/* IKE proposals: variant 0 = CBC/SHA2 with several groups, 1 = GCM, 2 = both, 3 = 64 xforms. */
static void ike_sa(struct ike_sa_pl *sa, int variant)
{
	memset(sa, 0, sizeof(*sa));
	struct ike_proposal *p = &sa->prop[0];
	p->protocol = PROTO_IKE;
	sa->n_prop = 1;
	if (variant == 0 || variant == 2) {
		p->num = 1;
		p->xf[p->n_xf++] = xf(XFORM_ENCR, ENCR_AES_CBC, 256);
		p->xf[p->n_xf++] = xf(XFORM_ENCR, ENCR_AES_CBC, 128);
		p->xf[p->n_xf++] = xf(XFORM_PRF, PRF_HMAC_SHA2_256, 0);
		p->xf[p->n_xf++] = xf(XFORM_PRF, PRF_HMAC_SHA1, 0);
		p->xf[p->n_xf++] = xf(XFORM_INTEG, AUTH_HMAC_SHA2_256_128, 0);
		p->xf[p->n_xf++] = xf(XFORM_INTEG, AUTH_HMAC_SHA1_96, 0);
		p->xf[p->n_xf++] = xf(XFORM_DH, DH_ECP_256, 0);
		p->xf[p->n_xf++] = xf(XFORM_DH, DH_ECP_384, 0);
	}
	if (variant == 1 || variant == 2) {
		if (variant == 2)
			p = &sa->prop[sa->n_prop++];
		p->protocol = PROTO_IKE;
		p->num = (uint8_t)sa->n_prop;
		p->xf[p->n_xf++] = xf(XFORM_ENCR, ENCR_AES_GCM_16, 256);
		p->xf[p->n_xf++] = xf(XFORM_PRF, PRF_HMAC_SHA2_512, 0);
		p->xf[p->n_xf++] = xf(XFORM_DH, DH_ECP_521, 0);
	}
	if (variant == 3) {
		p->num = 1;
		for (int i = 0; i < IKE_MAX_XFORMS; i++)
			p->xf[p->n_xf++] =
			    xf((uint8_t)(1 + i % 4), (uint16_t)(i + 1), i % 4 == 0 ? 128 : 0);
	}
}

static void esp_sa(struct ike_sa_pl *sa, bool gcm)
{
	memset(sa, 0, sizeof(*sa));
	struct ike_proposal *p = &sa->prop[0];
	sa->n_prop = 1;
	*p = (struct ike_proposal){
	    .num = 1, .protocol = PROTO_ESP, .spi_len = 4, .spi = {0xc4, 0x11, 0x22, 0x33}};
	if (gcm) {
		p->xf[p->n_xf++] = xf(XFORM_ENCR, ENCR_AES_GCM_16, 128);
	} else {
		p->xf[p->n_xf++] = xf(XFORM_ENCR, ENCR_AES_CBC, 256);
		p->xf[p->n_xf++] = xf(XFORM_INTEG, AUTH_HMAC_SHA2_256_128, 0);
	}
	p->xf[p->n_xf++] = xf(XFORM_ESN, 0, 0);
}

static const uint8_t nonce32[32] = {0x4e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static uint8_t ke[132], natd[20], auth[256], cert[600];

static struct ike_ts_pl ts_v4(void)
{
	struct ike_ts_pl ts = {.n_ts = 2};
	ts.ts[0] = (struct ike_ts){TS_IPV4_ADDR_RANGE, 0, 0, 65535, 0xc0000200, 0xc00002ff};
	ts.ts[1] = (struct ike_ts){TS_IPV4_ADDR_RANGE, 6, 443, 443, 0xcb007100, 0xcb0071ff};
	return ts;
}

static void sa_init(const char *name, int variant, uint16_t group, size_t nlen, bool cookie,
                    bool response)
{
	struct ike_builder b;
	struct ike_sa_pl sa;
	struct ike_hdr h = hdr(IKE_SA_INIT, response ? IKE_FLAG_RESPONSE : IKE_FLAG_INITIATOR, 0);
	const struct dh_alg *d = crypto_dh(group);

	ike_sa(&sa, variant);
	ike_build_begin(&b, buf, sizeof(buf), &h);
	if (cookie)
		ike_add_notify(&b, 0, NULL, 0, N_COOKIE, natd, 20);
	ike_add_sa(&b, &sa);
	ike_add_ke(&b, group, ke, d ? d->pub_len : 32);
	ike_add_nonce(&b, nonce32, nlen);
	ike_add_notify(&b, 0, NULL, 0, N_NAT_DETECTION_SOURCE_IP, natd, 20);
	ike_add_notify(&b, 0, NULL, 0, N_NAT_DETECTION_DESTINATION_IP, natd, 20);
	ike_add_notify(&b, 0, NULL, 0, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	ike_add_notify(&b, 0, NULL, 0, N_SIGNATURE_HASH_ALGORITHMS,
	               (const uint8_t *)"\x00\x02\x00\x03\x00\x04", 6);
	if (response)
		ike_add_cert(&b, PL_CERTREQ, CERT_X509_SIGNATURE, natd, 20);
	ike_add_vendor(&b, (const uint8_t *)"mgmtsec-seed", 12);
	emit("ike_msg", name, buf, ike_build_end(&b));
}

/* The IKE_AUTH inner chain (written into b, inside or outside an SK). */
static void auth_chain(struct ike_builder *b, bool initiator, bool with_cert)
{
	struct ike_sa_pl sa;
	struct ike_ts_pl ts = ts_v4();
	const uint8_t ip[4] = {198, 51, 100, initiator ? 1 : 2};

	ike_add_id(b, initiator ? PL_IDI : PL_IDR, ID_IPV4_ADDR, ip, 4);
	if (with_cert) {
		ike_add_cert(b, PL_CERT, CERT_X509_SIGNATURE, cert, sizeof(cert));
		ike_add_cert(b, PL_CERTREQ, CERT_X509_SIGNATURE, natd, 20);
	}
	if (initiator)
		ike_add_notify(b, 0, NULL, 0, N_INITIAL_CONTACT, NULL, 0);
	ike_add_auth(b, with_cert ? AUTH_DIGITAL_SIGNATURE : AUTH_SHARED_KEY_MIC, auth,
	             with_cert ? 256 : 32);
	esp_sa(&sa, !with_cert);
	ike_add_sa(b, &sa);
	ike_add_ts(b, PL_TSI, &ts);
	ike_add_ts(b, PL_TSR, &ts);
}

static void plain_msgs(void)
{
	struct ike_builder b;
	struct ike_hdr h = hdr(IKE_AUTH, IKE_FLAG_INITIATOR, 1);
	const uint8_t spis[8] = {0xc4, 0x11, 0x22, 0x33, 0xc5, 0x44, 0x55, 0x66};

	/* IKE_AUTH payloads in clear, so the fuzzer reaches every parser without crypto */
	ike_build_begin(&b, buf, sizeof(buf), &h);
	auth_chain(&b, true, false);
	emit("ike_msg", "auth_psk_plain", buf, ike_build_end(&b));
	ike_build_begin(&b, buf, sizeof(buf), &h);
	auth_chain(&b, false, true);
	emit("ike_msg", "auth_cert_plain", buf, ike_build_end(&b));

	/* CREATE_CHILD_SA rekey of a Child SA with PFS */
	struct ike_sa_pl sa;
	struct ike_ts_pl ts = ts_v4();
	esp_sa(&sa, false);
	h = hdr(CREATE_CHILD_SA, IKE_FLAG_INITIATOR, 2);
	ike_build_begin(&b, buf, sizeof(buf), &h);
	ike_add_notify(&b, PROTO_ESP, spis, 4, N_REKEY_SA, NULL, 0);
	ike_add_sa(&b, &sa);
	ike_add_nonce(&b, nonce32, 32);
	ike_add_ke(&b, DH_ECP_256, ke, 64);
	ike_add_ts(&b, PL_TSI, &ts);
	ike_add_ts(&b, PL_TSR, &ts);
	emit("ike_msg", "ccsa_rekey_child_plain", buf, ike_build_end(&b));

	/* IKE SA rekey: IKE proposal with an 8-byte SPI */
	ike_sa(&sa, 0);
	sa.prop[0].spi_len = 8;
	memcpy(sa.prop[0].spi, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	ike_build_begin(&b, buf, sizeof(buf), &h);
	ike_add_sa(&b, &sa);
	ike_add_nonce(&b, nonce32, 32);
	ike_add_ke(&b, DH_ECP_256, ke, 64);
	emit("ike_msg", "ccsa_rekey_ike_plain", buf, ike_build_end(&b));

	/* INFORMATIONAL deletes, and an error notify */
	h = hdr(INFORMATIONAL, IKE_FLAG_INITIATOR, 3);
	ike_build_begin(&b, buf, sizeof(buf), &h);
	ike_add_delete(&b, PROTO_ESP, 4, spis, 2);
	ike_add_delete(&b, PROTO_IKE, 0, NULL, 0);
	emit("ike_msg", "info_delete_plain", buf, ike_build_end(&b));
	h = hdr(IKE_SA_INIT, IKE_FLAG_RESPONSE, 0);
	ike_build_begin(&b, buf, sizeof(buf), &h);
	ike_add_notify(&b, 0, NULL, 0, N_INVALID_KE_PAYLOAD, (const uint8_t *)"\x00\x13", 2);
	emit("ike_msg", "init_invalid_ke", buf, ike_build_end(&b));
	ike_build_begin(&b, buf, sizeof(buf), &h);
	ike_add_notify(&b, 0, NULL, 0, N_NO_PROPOSAL_CHOSEN, NULL, 0);
	emit("ike_msg", "init_no_proposal", buf, ike_build_end(&b));

	/* IPv6 selector next to an IPv4 one (raw body: the builder writes IPv4 only) */
	static const uint8_t ts6[] = {
	    2,    0,    0,    0,    8,    0,    0,    40,   0,    0,    0xff, 0xff, 0x20,
	    0x01, 0x0d, 0xb8, 0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
	    0,    0,    0,    0,    0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 7,    0,    0,    16,   0,    0,
	    0xff, 0xff, 192,  0,    2,    0,    192,  0,    2,    255};
	h = hdr(IKE_AUTH, IKE_FLAG_RESPONSE, 1);
	ike_build_begin(&b, buf, sizeof(buf), &h);
	ike_add_raw(&b, PL_TSI, false, ts6, sizeof(ts6));
	ike_add_raw(&b, PL_TSR, false, ts6, sizeof(ts6));
	emit("ike_msg", "ts_v6_v4", buf, ike_build_end(&b));

	/* Transform attributes: an unknown TLV attribute before the key length */
	static const uint8_t sa_attr[] = {0, 0, 0,    0x1b, 1,    1,    0,    1, 0,
	                                  0, 0, 0x13, 1,    0,    0,    12,   0, 0x63,
	                                  0, 3, 0xaa, 0xbb, 0xcc, 0x80, 0x0e, 0, 128};
	h = hdr(IKE_SA_INIT, IKE_FLAG_INITIATOR, 0);
	ike_build_begin(&b, buf, sizeof(buf), &h);
	ike_add_raw(&b, PL_SA, false, sa_attr, sizeof(sa_attr));
	emit("ike_msg", "sa_tlv_attr", buf, ike_build_end(&b));

	/* unknown payloads: non-critical (kept) and critical (refused) */
	ike_build_begin(&b, buf, sizeof(buf), &h);
	ike_add_raw(&b, 200, false, natd, 7);
	ike_add_nonce(&b, nonce32, 16);
	emit("ike_msg", "unknown_noncritical", buf, ike_build_end(&b));
	ike_build_begin(&b, buf, sizeof(buf), &h);
	ike_add_raw(&b, 201, true, natd, 7);
	emit("ike_msg", "unknown_critical", buf, ike_build_end(&b));
	/* configuration payload and EAP bodies, kept as-is */
	h = hdr(IKE_AUTH, IKE_FLAG_INITIATOR, 1);
	ike_build_begin(&b, buf, sizeof(buf), &h);
	ike_add_raw(&b, PL_CP, false, (const uint8_t *)"\x01\x00\x00\x00\x00\x01\x00\x00", 8);
	ike_add_raw(&b, PL_EAP, false, (const uint8_t *)"\x02\x01\x00\x05\x01", 5);
	emit("ike_msg", "cp_eap", buf, ike_build_end(&b));
	/* an empty message and a v3 header */
	ike_build_begin(&b, buf, sizeof(buf), &h);
	emit("ike_msg", "empty", buf, ike_build_end(&b));
	h.version = 0x30;
	ike_build_begin(&b, buf, sizeof(buf), &h);
	emit("ike_msg", "version3", buf, ike_build_end(&b));
}

static void sk_msgs(void)
{
	static uint8_t inner_buf[8192];
	char name[64];

	for (size_t a = 0; a < FUZZ_N_ALGS; a++) {
		struct ike_sk_keys out, in;
		struct ike_builder b;
		if (fuzz_keys(a, &out, &in)) {
			fprintf(stderr, "gen_corpus: keys for algorithm %zu\n", a);
			exit(1);
		}
		struct ike_hdr h = hdr(IKE_AUTH, IKE_FLAG_INITIATOR, 1);
		ike_build_begin(&b, buf, sizeof(buf), &h);
		ike_build_sk_begin(&b);
		auth_chain(&b, true, a % 2 == 0);
		ike_build_sk_end(&b, &out);
		int len = ike_build_end(&b);
		snprintf(name, sizeof(name), "sk_auth_alg%zu", a);
		emit("ike_msg", name, buf, len);
		emit("ike_sk", name, buf, len);

		/* INFORMATIONAL liveness check: empty SK */
		h = hdr(INFORMATIONAL, IKE_FLAG_RESPONSE, 5);
		ike_build_begin(&b, buf, sizeof(buf), &h);
		ike_build_sk_begin(&b);
		ike_build_sk_end(&b, &out);
		snprintf(name, sizeof(name), "sk_empty_alg%zu", a);
		emit("ike_sk", name, buf, ike_build_end(&b));

		/* the certificate IKE_AUTH in 3 SKF fragments */
		h = hdr(IKE_AUTH, IKE_FLAG_INITIATOR, 1);
		ike_build_begin(&b, inner_buf, sizeof(inner_buf), &h);
		ike_build_sk_begin(&b);
		auth_chain(&b, true, true);
		const uint8_t *pl;
		size_t pl_len;
		uint8_t first;
		ike_build_sk_plain(&b, &pl, &pl_len, &first);
		size_t per = (pl_len + 2) / 3;
		for (uint16_t n = 1; n <= 3; n++) {
			size_t off = (n - 1) * per;
			size_t cnt = pl_len - off < per ? pl_len - off : per;
			len = ike_build_skf(buf, sizeof(buf), &h, first, n, 3, pl + off, cnt, &out);
			snprintf(name, sizeof(name), "skf_%u_alg%zu", n, a);
			emit("ike_sk", name, buf, len);
			if (a == 0)
				emit("ike_msg", name, buf, len);
		}
		/* seal-mode seeds for fuzz_ike_sk: algorithm byte + an inner chain */
		uint8_t seed[256];
		seed[0] = (uint8_t)a;
		ike_build_begin(&b, inner_buf, sizeof(inner_buf), &h);
		auth_chain(&b, false, false);
		size_t n = (size_t)ike_build_end(&b) - IKE_HDR_LEN;
		if (n > sizeof(seed) - 1)
			n = sizeof(seed) - 1;
		memcpy(seed + 1, inner_buf + IKE_HDR_LEN, n);
		snprintf(name, sizeof(name), "seal_alg%zu", a);
		emit("ike_sk", name, seed, (int)(n + 1));
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <corpus root, e.g. tests/fuzz/corpus>\n", argv[0]);
		return 2;
	}
	root = argv[1];
	for (size_t i = 0; i < sizeof(ke); i++)
		ke[i] = (uint8_t)(i * 13 + 1);
	for (size_t i = 0; i < sizeof(cert); i++)
		cert[i] = (uint8_t)(i * 7);
	memset(natd, 0xd7, sizeof(natd));
	memset(auth, 0xa5, sizeof(auth));

	sa_init("init_req_cbc", 0, DH_ECP_256, 32, false, false);
	sa_init("init_req_gcm", 1, DH_ECP_384, 48, false, false);
	sa_init("init_req_two_props", 2, DH_ECP_521, 16, false, false);
	sa_init("init_req_64_xforms", 3, DH_ECP_256, 256, false, false);
	sa_init("init_req_cookie", 0, DH_ECP_256, 32, true, false);
	sa_init("init_resp", 1, DH_ECP_384, 32, false, true);
	plain_msgs();
	sk_msgs();
	return 0;
}

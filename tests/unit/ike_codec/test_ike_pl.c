/*
 * Payload body parsers on byte arrays hand-assembled from the RFC 7296 §3 diagrams: the fields
 * they yield, and every malformed variant each parser must refuse.
 */
#include "codec_test.h"

static uint8_t b[2048];

/* One IKE proposal: AES-CBC-256, PRF-HMAC-SHA256, HMAC-SHA256-128, ECP-256. */
#define SA_ONE_PROP                                                                                \
	"0000002c 01010004"                                                                        \
	"0300000c 0100000c 800e0100"                                                               \
	"03000008 02000005"                                                                        \
	"03000008 0300000c"                                                                        \
	"00000008 04000013"

static int sa(const char *hex, struct ike_sa_pl *out)
{
	size_t n = ct_hex(hex, b, sizeof(b));
	struct ike_payload p = ct_pl(PL_SA, b, n);
	return ike_parse_sa(&p, out);
}

static struct ike_sa_pl sa_out;

static void test_sa_ok(void **state)
{
	struct ike_sa_pl *s = &sa_out;
	assert_int_equal(sa(SA_ONE_PROP, s), IKE_OK);
	assert_int_equal(s->n_prop, 1);
	assert_int_equal(s->prop[0].num, 1);
	assert_int_equal(s->prop[0].protocol, PROTO_IKE);
	assert_int_equal(s->prop[0].spi_len, 0);
	assert_int_equal(s->prop[0].n_xf, 4);
	assert_int_equal(s->prop[0].xf[0].type, XFORM_ENCR);
	assert_int_equal(s->prop[0].xf[0].id, ENCR_AES_CBC);
	assert_int_equal(s->prop[0].xf[0].key_bits, 256);
	assert_false(s->prop[0].xf[0].unknown_attr);
	assert_int_equal(s->prop[0].xf[1].type, XFORM_PRF);
	assert_int_equal(s->prop[0].xf[1].id, PRF_HMAC_SHA2_256);
	assert_int_equal(s->prop[0].xf[1].key_bits, 0);
	assert_int_equal(s->prop[0].xf[2].id, AUTH_HMAC_SHA2_256_128);
	assert_int_equal(s->prop[0].xf[3].type, XFORM_DH);
	assert_int_equal(s->prop[0].xf[3].id, DH_ECP_256);

	/* Two proposals: ESP with SPI, GCM-128 + ESN; then ESP CBC-128 + SHA1 */
	assert_int_equal(sa("02000028 01030403 c0ffee01"
	                    "0300000c 01000014 800e0080"
	                    "03000008 05000000"
	                    "00000008 05000001"
	                    "00000028 02030403 c0ffee01"
	                    "0300000c 0100000c 800e0080"
	                    "03000008 03000002"
	                    "00000008 05000000",
	                    s),
	                 IKE_OK);
	assert_int_equal(s->n_prop, 2);
	assert_int_equal(s->prop[0].spi_len, 4);
	assert_int_equal(s->prop[0].spi[0], 0xc0);
	assert_int_equal(s->prop[0].spi[3], 0x01);
	assert_int_equal(s->prop[0].n_xf, 3);
	assert_int_equal(s->prop[0].xf[0].id, ENCR_AES_GCM_16);
	assert_int_equal(s->prop[0].xf[0].key_bits, 128);
	assert_int_equal(s->prop[0].xf[2].type, XFORM_ESN);
	assert_int_equal(s->prop[0].xf[2].id, 1);
	assert_int_equal(s->prop[1].num, 2);
	assert_int_equal(s->prop[1].xf[1].id, AUTH_HMAC_SHA1_96);

	/* A response: the single accepted proposal keeps its number (3) */
	assert_int_equal(sa("0000002c 03010004"
	                    "0300000c 0100000c 800e0100 03000008 02000005"
	                    "03000008 0300000c 00000008 04000013",
	                    s),
	                 IKE_OK);
	assert_int_equal(s->prop[0].num, 3);
	/* IKE rekey: 8-byte SPI */
	assert_int_equal(sa("00000018 01010801 0102030405060708 00000008 04000013", s), IKE_OK);
	assert_int_equal(s->prop[0].spi_len, 8);
	assert_int_equal(s->prop[0].spi[7], 8);
}

static void test_sa_attrs(void **state)
{
	struct ike_sa_pl *s = &sa_out;
	/* an unknown TLV attribute (type 99, 3 bytes) before the key length: skipped, flagged */
	assert_int_equal(sa("0000001b 01010001 00000013 0100000c 0063 0003 aabbcc 800e0080", s),
	                 IKE_OK);
	assert_true(s->prop[0].xf[0].unknown_attr);
	assert_int_equal(s->prop[0].xf[0].key_bits, 128);
	/* unknown TV attribute */
	assert_int_equal(sa("00000014 01010001 0000000c 0100000c 80070005", s), IKE_OK);
	assert_true(s->prop[0].xf[0].unknown_attr);
	assert_int_equal(s->prop[0].xf[0].key_bits, 0);
	/* Key Length in TLV form: forbidden */
	assert_int_equal(sa("00000016 01010001 0000000e 0100000c 000e 0002 0080", s), IKE_E_SYNTAX);
	/* Key Length twice */
	assert_int_equal(sa("00000018 01010001 00000010 0100000c 800e0080 800e0100", s),
	                 IKE_E_SYNTAX);
	/* TLV attribute whose length overruns the transform */
	assert_int_equal(sa("00000014 01010001 0000000c 0100000c 00630009", s), IKE_E_SHORT);
	/* half an attribute */
	assert_int_equal(sa("00000012 01010001 0000000a 0100000c 800e", s), IKE_E_SHORT);
}

static void test_sa_malformed(void **state)
{
	struct ike_sa_pl *s = &sa_out;
	/* empty SA */
	assert_int_equal(sa("", s), IKE_E_SYNTAX);
	/* last-substruc says "more" (2) but nothing follows */
	assert_int_equal(sa("02000010 01010001 00000008 04000013", s), IKE_E_SYNTAX);
	/* last-substruc 0 but another proposal follows */
	assert_int_equal(sa("00000010 01010001 00000008 04000013"
	                    "00000010 02010001 00000008 04000013",
	                    s),
	                 IKE_E_SYNTAX);
	/* bad last-substruc value (3 is for transforms) */
	assert_int_equal(sa("03000010 01010001 00000008 04000013", s), IKE_E_SYNTAX);
	/* transform last-substruc 0 with a transform after it */
	assert_int_equal(sa("00000018 01010002 00000008 04000013 00000008 04000014", s),
	                 IKE_E_SYNTAX);
	/* last transform with 3 */
	assert_int_equal(sa("00000010 01010001 03000008 04000013", s), IKE_E_SYNTAX);
	/* transform count 1 but two present */
	assert_int_equal(sa("00000018 01010001 00000008 04000013 00000008 04000014", s),
	                 IKE_E_SYNTAX);
	/* transform count 3 but two present */
	assert_int_equal(sa("00000018 01010003 03000008 04000013 03000008 04000014", s),
	                 IKE_E_SHORT);
	/* proposal length overruns the payload */
	assert_int_equal(sa("00000011 01010001 00000008 04000013", s), IKE_E_SHORT);
	/* proposal length below its header */
	assert_int_equal(sa("00000007 01010000", s), IKE_E_SHORT);
	/* transform length below 8 */
	assert_int_equal(sa("00000010 01010001 00000007 04000013", s), IKE_E_SHORT);
	/* transform length overruns the proposal */
	assert_int_equal(sa("00000010 01010001 00000009 04000013", s), IKE_E_SHORT);
	/* proposal number 0; numbers not consecutive */
	assert_int_equal(sa("00000010 00010001 00000008 04000013", s), IKE_E_SYNTAX);
	assert_int_equal(sa("02000010 01010001 00000008 04000013"
	                    "00000010 03010001 00000008 04000013",
	                    s),
	                 IKE_E_SYNTAX);
	/* SPI sizes: ESP with 8, IKE with 4, unknown protocol 9 */
	assert_int_equal(sa("00000018 01030801 0102030405060708 00000008 05000000", s),
	                 IKE_E_SYNTAX);
	assert_int_equal(sa("00000014 01010401 01020304 00000008 04000013", s), IKE_E_SYNTAX);
	assert_int_equal(sa("00000010 01090001 00000008 04000013", s), IKE_E_SYNTAX);
	/* SPI truncated */
	assert_int_equal(sa("0000000a 01030401 0102", s), IKE_E_SHORT);
}

static void test_sa_limits(void **state)
{
	struct ike_sa_pl *s = &sa_out;
	char hex[8192];
	size_t o = 0;

	/* IKE_MAX_PROPOSALS + 1 proposals */
	for (int i = 1; i <= IKE_MAX_PROPOSALS + 1; i++)
		o += (size_t)sprintf(hex + o, "%02x000010 %02x010001 00000008 04000013 ",
		                     i <= IKE_MAX_PROPOSALS ? 2 : 0, i);
	assert_int_equal(sa(hex, s), IKE_E_LIMIT);
	/* exactly IKE_MAX_PROPOSALS is fine */
	o = 0;
	for (int i = 1; i <= IKE_MAX_PROPOSALS; i++)
		o += (size_t)sprintf(hex + o, "%02x000010 %02x010001 00000008 04000013 ",
		                     i < IKE_MAX_PROPOSALS ? 2 : 0, i);
	assert_int_equal(sa(hex, s), IKE_OK);
	assert_int_equal(s->n_prop, IKE_MAX_PROPOSALS);
	/* IKE_MAX_XFORMS + 1 transforms */
	int nx = IKE_MAX_XFORMS + 1;
	o = (size_t)sprintf(hex, "0000%04x 010100%02x ", 8 + 8 * nx, nx);
	for (int i = 0; i < nx; i++)
		o += (size_t)sprintf(hex + o, "%02x000008 0400%04x ", i + 1 < nx ? 3 : 0, i);
	assert_int_equal(sa(hex, s), IKE_E_LIMIT);
	nx = IKE_MAX_XFORMS;
	o = (size_t)sprintf(hex, "0000%04x 010100%02x ", 8 + 8 * nx, nx);
	for (int i = 0; i < nx; i++)
		o += (size_t)sprintf(hex + o, "%02x000008 0400%04x ", i + 1 < nx ? 3 : 0, i);
	assert_int_equal(sa(hex, s), IKE_OK);
	assert_int_equal(s->prop[0].n_xf, IKE_MAX_XFORMS);
	assert_int_equal(s->prop[0].xf[IKE_MAX_XFORMS - 1].id, IKE_MAX_XFORMS - 1);
}

static void test_ke(void **state)
{
	struct ike_ke_pl ke;
	size_t n = ct_hex("0013 0000", b, sizeof(b));
	memset(b + n, 0x42, 64);
	struct ike_payload p = ct_pl(PL_KE, b, n + 64);
	assert_int_equal(ike_parse_ke(&p, &ke), IKE_OK);
	assert_int_equal(ke.group, 19);
	assert_int_equal(ke.len, 64);
	assert_ptr_equal(ke.data, b + 4);
	p.len = 4; /* no data */
	assert_int_equal(ike_parse_ke(&p, &ke), IKE_E_SYNTAX);
	p.len = 3;
	assert_int_equal(ike_parse_ke(&p, &ke), IKE_E_SHORT);
}

static void test_nonce(void **state)
{
	const uint8_t *d;
	size_t len;
	memset(b, 0x11, 300);
	struct ike_payload p = ct_pl(PL_NONCE, b, 32);
	assert_int_equal(ike_parse_nonce(&p, &d, &len), IKE_OK);
	assert_int_equal(len, 32);
	assert_ptr_equal(d, b);
	p.len = 16;
	assert_int_equal(ike_parse_nonce(&p, &d, &len), IKE_OK);
	p.len = 256;
	assert_int_equal(ike_parse_nonce(&p, &d, &len), IKE_OK);
	p.len = 15;
	assert_int_equal(ike_parse_nonce(&p, &d, &len), IKE_E_SYNTAX);
	p.len = 257;
	assert_int_equal(ike_parse_nonce(&p, &d, &len), IKE_E_SYNTAX);
	p.len = 0;
	assert_int_equal(ike_parse_nonce(&p, &d, &len), IKE_E_SYNTAX);
}

static void test_id(void **state)
{
	struct ike_id_pl id;
	size_t n = ct_hex("01 000000 c6336401", b, sizeof(b));
	struct ike_payload p = ct_pl(PL_IDI, b, n);
	assert_int_equal(ike_parse_id(&p, &id), IKE_OK);
	assert_int_equal(id.type, ID_IPV4_ADDR);
	assert_int_equal(id.len, 4);
	assert_int_equal(id.data[0], 198);
	assert_int_equal(id.data[3], 1);
	assert_ptr_equal(id.raw, b);
	assert_int_equal(id.raw_len, 8);
	p.len = 9; /* IPv4 with 5 bytes */
	assert_int_equal(ike_parse_id(&p, &id), IKE_E_SYNTAX);
	n = ct_hex("02 000000 76706e2e6578616d706c65", b, sizeof(b)); /* FQDN vpn.example */
	p = ct_pl(PL_IDR, b, n);
	assert_int_equal(ike_parse_id(&p, &id), IKE_OK);
	assert_int_equal(id.type, ID_FQDN);
	assert_memory_equal(id.data, "vpn.example", 11);
	p.len = 4; /* empty */
	assert_int_equal(ike_parse_id(&p, &id), IKE_E_SYNTAX);
	p.len = 2;
	assert_int_equal(ike_parse_id(&p, &id), IKE_E_SHORT);
	n = ct_hex("05 000000 20010db8000000000000000000000001", b, sizeof(b));
	p = ct_pl(PL_IDI, b, n);
	assert_int_equal(ike_parse_id(&p, &id), IKE_OK);
	p.len--;
	assert_int_equal(ike_parse_id(&p, &id), IKE_E_SYNTAX);
}

static void test_auth(void **state)
{
	struct ike_auth_pl a;
	size_t n = ct_hex("02 000000", b, sizeof(b));
	memset(b + n, 0x99, 32);
	struct ike_payload p = ct_pl(PL_AUTH, b, n + 32);
	assert_int_equal(ike_parse_auth(&p, &a), IKE_OK);
	assert_int_equal(a.method, AUTH_SHARED_KEY_MIC);
	assert_int_equal(a.len, 32);
	assert_int_equal(a.data[31], 0x99);
	p.len = 4;
	assert_int_equal(ike_parse_auth(&p, &a), IKE_E_SYNTAX);
	p.len = 1;
	assert_int_equal(ike_parse_auth(&p, &a), IKE_E_SHORT);
}

static void test_notify(void **state)
{
	struct ike_notify_pl nt;
	size_t n = ct_hex("00 00 4004 0102030405060708090a0b0c0d0e0f1011121314", b, sizeof(b));
	struct ike_payload p = ct_pl(PL_NOTIFY, b, n);
	assert_int_equal(ike_parse_notify(&p, &nt), IKE_OK);
	assert_int_equal(nt.type, N_NAT_DETECTION_SOURCE_IP);
	assert_int_equal(nt.spi_len, 0);
	assert_int_equal(nt.len, 20);
	assert_int_equal(nt.data[19], 0x14);
	n = ct_hex("03 04 4009 aabbccdd", b, sizeof(b)); /* REKEY_SA for an ESP SPI */
	p = ct_pl(PL_NOTIFY, b, n);
	assert_int_equal(ike_parse_notify(&p, &nt), IKE_OK);
	assert_int_equal(nt.protocol, PROTO_ESP);
	assert_int_equal(nt.type, N_REKEY_SA);
	assert_int_equal(nt.spi_len, 4);
	assert_int_equal(nt.spi[0], 0xaa);
	assert_int_equal(nt.spi[3], 0xdd);
	assert_int_equal(nt.len, 0);
	p.len = 7; /* SPI truncated */
	assert_int_equal(ike_parse_notify(&p, &nt), IKE_E_SHORT);
	n = ct_hex("03 09 4009 aabbccddeeff00112233", b, sizeof(b)); /* SPI size 9 */
	p = ct_pl(PL_NOTIFY, b, n);
	assert_int_equal(ike_parse_notify(&p, &nt), IKE_E_SYNTAX);
	p.len = 3;
	assert_int_equal(ike_parse_notify(&p, &nt), IKE_E_SHORT);
}

static void test_delete(void **state)
{
	struct ike_delete_pl d;
	size_t n = ct_hex("01 00 0000", b, sizeof(b));
	struct ike_payload p = ct_pl(PL_DELETE, b, n);
	assert_int_equal(ike_parse_delete(&p, &d), IKE_OK);
	assert_int_equal(d.protocol, PROTO_IKE);
	assert_int_equal(d.n_spi, 0);
	n = ct_hex("03 04 0002 11223344 55667788", b, sizeof(b));
	p = ct_pl(PL_DELETE, b, n);
	assert_int_equal(ike_parse_delete(&p, &d), IKE_OK);
	assert_int_equal(d.protocol, PROTO_ESP);
	assert_int_equal(d.n_spi, 2);
	assert_int_equal(d.spis[4], 0x55);
	p.len = 8; /* 2 SPIs announced, 1 present */
	assert_int_equal(ike_parse_delete(&p, &d), IKE_E_SHORT);
	n = ct_hex("03 04 0001 11223344 55667788", b, sizeof(b)); /* extra bytes */
	p = ct_pl(PL_DELETE, b, n);
	assert_int_equal(ike_parse_delete(&p, &d), IKE_E_SYNTAX);
	n = ct_hex("01 08 0001 1122334455667788", b, sizeof(b)); /* IKE with an SPI size */
	p = ct_pl(PL_DELETE, b, n);
	assert_int_equal(ike_parse_delete(&p, &d), IKE_E_SYNTAX);
	n = ct_hex("03 08 0001 1122334455667788", b, sizeof(b)); /* ESP with 8 */
	p = ct_pl(PL_DELETE, b, n);
	assert_int_equal(ike_parse_delete(&p, &d), IKE_E_SYNTAX);
	n = ct_hex("07 04 0001 11223344", b, sizeof(b)); /* unknown protocol */
	p = ct_pl(PL_DELETE, b, n);
	assert_int_equal(ike_parse_delete(&p, &d), IKE_E_SYNTAX);
	p.len = 2;
	assert_int_equal(ike_parse_delete(&p, &d), IKE_E_SHORT);
}

static void test_ts(void **state)
{
	struct ike_ts_pl ts;
	size_t n = ct_hex("02 000000"
	                  "07 00 0010 0000 ffff c0000200 c00002ff"
	                  "07 06 0010 0016 0016 c0000280 c00002ff",
	                  b, sizeof(b));
	struct ike_payload p = ct_pl(PL_TSI, b, n);
	assert_int_equal(ike_parse_ts(&p, &ts), IKE_OK);
	assert_int_equal(ts.n_ts, 2);
	assert_int_equal(ts.n_skipped, 0);
	assert_int_equal(ts.ts[0].type, TS_IPV4_ADDR_RANGE);
	assert_int_equal(ts.ts[0].ip_proto, 0);
	assert_int_equal(ts.ts[0].start_port, 0);
	assert_int_equal(ts.ts[0].end_port, 65535);
	assert_int_equal(ts.ts[0].start_addr, 0xc0000200);
	assert_int_equal(ts.ts[0].end_addr, 0xc00002ff);
	assert_int_equal(ts.ts[1].ip_proto, 6);
	assert_int_equal(ts.ts[1].start_port, 22);
	assert_int_equal(ts.ts[1].start_addr, 0xc0000280);

	/* IPv4 + IPv6 range: the v6 one is skipped and counted */
	n = ct_hex("02 000000"
	           "08 00 0028 0000 ffff 20010db8000000000000000000000000"
	           "20010db8ffffffffffffffffffffffff"
	           "07 00 0010 0000 ffff c0000200 c00002ff",
	           b, sizeof(b));
	p = ct_pl(PL_TSR, b, n);
	assert_int_equal(ike_parse_ts(&p, &ts), IKE_OK);
	assert_int_equal(ts.n_ts, 1);
	assert_int_equal(ts.n_skipped, 1);
	assert_int_equal(ts.ts[0].end_addr, 0xc00002ff);

	/* selector length 15 and 17 for IPv4; 16 for IPv6 */
	n = ct_hex("01 000000 07 00 000f 0000 ffff c0000200 c00002", b, sizeof(b));
	p = ct_pl(PL_TSI, b, n);
	assert_int_equal(ike_parse_ts(&p, &ts), IKE_E_SYNTAX);
	n = ct_hex("01 000000 07 00 0011 0000 ffff c0000200 c00002ff 00", b, sizeof(b));
	p = ct_pl(PL_TSI, b, n);
	assert_int_equal(ike_parse_ts(&p, &ts), IKE_E_SYNTAX);
	n = ct_hex("01 000000 08 00 0010 0000 ffff c0000200 c00002ff", b, sizeof(b));
	p = ct_pl(PL_TSI, b, n);
	assert_int_equal(ike_parse_ts(&p, &ts), IKE_E_SYNTAX);
	/* selector length overruns the payload */
	n = ct_hex("01 000000 07 00 0010 0000 ffff c0000200 c000", b, sizeof(b));
	p = ct_pl(PL_TSI, b, n);
	assert_int_equal(ike_parse_ts(&p, &ts), IKE_E_SHORT);
	/* count 2, one present; count 1, two present; count 0 */
	n = ct_hex("02 000000 07 00 0010 0000 ffff c0000200 c00002ff", b, sizeof(b));
	p = ct_pl(PL_TSI, b, n);
	assert_int_equal(ike_parse_ts(&p, &ts), IKE_E_SHORT);
	b[0] = 0;
	assert_int_equal(ike_parse_ts(&p, &ts), IKE_E_SYNTAX);
	n = ct_hex("01 000000 07 00 0010 0000 ffff c0000200 c00002ff"
	           "07 00 0010 0000 ffff c0000200 c00002ff",
	           b, sizeof(b));
	p = ct_pl(PL_TSI, b, n);
	assert_int_equal(ike_parse_ts(&p, &ts), IKE_E_SYNTAX);
	p.len = 3;
	assert_int_equal(ike_parse_ts(&p, &ts), IKE_E_SHORT);

	/* more IPv4 selectors than IKE_MAX_TS */
	int k = IKE_MAX_TS + 1;
	b[0] = (uint8_t)k;
	memset(b + 1, 0, 3);
	for (int i = 0; i < k; i++)
		ct_hex("07 00 0010 0000 ffff c0000200 c00002ff", b + 4 + 16 * i, 16);
	p = ct_pl(PL_TSI, b, 4 + 16 * (size_t)k);
	assert_int_equal(ike_parse_ts(&p, &ts), IKE_E_LIMIT);
	b[0] = IKE_MAX_TS;
	p.len -= 16;
	assert_int_equal(ike_parse_ts(&p, &ts), IKE_OK);
	assert_int_equal(ts.n_ts, IKE_MAX_TS);
}

static void test_cert(void **state)
{
	struct ike_cert_pl c;
	size_t n = ct_hex("04 308201", b, sizeof(b));
	struct ike_payload p = ct_pl(PL_CERT, b, n);
	assert_int_equal(ike_parse_cert(&p, &c), IKE_OK);
	assert_int_equal(c.encoding, CERT_X509_SIGNATURE);
	assert_int_equal(c.len, 3);
	assert_int_equal(c.data[0], 0x30);
	p.len = 1; /* empty CERT */
	assert_int_equal(ike_parse_cert(&p, &c), IKE_E_SYNTAX);
	p.type = PL_CERTREQ; /* empty CERTREQ is fine */
	assert_int_equal(ike_parse_cert(&p, &c), IKE_OK);
	assert_int_equal(c.len, 0);
	p.len = 0;
	assert_int_equal(ike_parse_cert(&p, &c), IKE_E_SHORT);
}

static void test_vendor(void **state)
{
	const uint8_t *d;
	size_t len;
	size_t n = ct_hex("882fe56d6fd20dbc2251613b2ebe5beb", b, sizeof(b));
	struct ike_payload p = ct_pl(PL_VENDOR, b, n);
	assert_int_equal(ike_parse_vendor(&p, &d, &len), IKE_OK);
	assert_int_equal(len, 16);
	assert_int_equal(d[0], 0x88);
	p.len = 0;
	assert_int_equal(ike_parse_vendor(&p, &d, &len), IKE_E_SYNTAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sa_ok),        cmocka_unit_test(test_sa_attrs),
	    cmocka_unit_test(test_sa_malformed), cmocka_unit_test(test_sa_limits),
	    cmocka_unit_test(test_ke),           cmocka_unit_test(test_nonce),
	    cmocka_unit_test(test_id),           cmocka_unit_test(test_auth),
	    cmocka_unit_test(test_notify),       cmocka_unit_test(test_delete),
	    cmocka_unit_test(test_ts),           cmocka_unit_test(test_cert),
	    cmocka_unit_test(test_vendor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

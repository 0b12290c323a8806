/*
 * Builder round trips (build every payload, parse the message back, compare fields), builder
 * failure modes, and a real IKE_SA_INIT request captured from strongSwan 5.9.8 (2 proposals,
 * 70 transforms, curve25519 KE, five notifies).
 */
#include "codec_test.h"

static uint8_t buf[8192];

static const struct ike_hdr hdr = {
    .spi_i = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8},
    .spi_r = {0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8},
    .version = IKE_VERSION,
    .exchange = CREATE_CHILD_SA,
    .flags = IKE_FLAG_INITIATOR,
    .msg_id = 7,
};

static struct ike_sa_pl sa_in, sa_out;

static void fill_sa(struct ike_sa_pl *s)
{
	memset(s, 0, sizeof(*s));
	s->n_prop = 2;
	s->prop[0] = (struct ike_proposal){
	    .num = 1, .protocol = PROTO_ESP, .spi_len = 4, .spi = {1, 2, 3, 4}, .n_xf = 2};
	s->prop[0].xf[0] =
	    (struct ike_transform){.type = XFORM_ENCR, .id = ENCR_AES_GCM_16, .key_bits = 256};
	s->prop[0].xf[1] = (struct ike_transform){.type = XFORM_ESN, .id = 0};
	s->prop[1] = (struct ike_proposal){
	    .num = 2, .protocol = PROTO_ESP, .spi_len = 4, .spi = {1, 2, 3, 4}, .n_xf = 4};
	s->prop[1].xf[0] =
	    (struct ike_transform){.type = XFORM_ENCR, .id = ENCR_AES_CBC, .key_bits = 128};
	s->prop[1].xf[1] = (struct ike_transform){.type = XFORM_INTEG, .id = AUTH_HMAC_SHA1_96};
	s->prop[1].xf[2] = (struct ike_transform){.type = XFORM_DH, .id = DH_ECP_384};
	s->prop[1].xf[3] = (struct ike_transform){.type = XFORM_ESN, .id = 1};
}

static void test_roundtrip_all(void **state)
{
	uint8_t ke[97], nonce[48], auth[48], cert[300], vid[16], natd[20];
	const uint8_t ip[4] = {198, 51, 100, 1}, spis[8] = {9, 8, 7, 6, 5, 4, 3, 2};
	struct ike_ts_pl ts = {.n_ts = 2};
	struct ike_builder bl;

	for (size_t i = 0; i < sizeof(ke); i++)
		ke[i] = (uint8_t)i;
	memset(nonce, 0x4e, sizeof(nonce));
	memset(auth, 0x41, sizeof(auth));
	memset(cert, 0x30, sizeof(cert));
	memset(vid, 0x56, sizeof(vid));
	memset(natd, 0xd0, sizeof(natd));
	ts.ts[0] = (struct ike_ts){TS_IPV4_ADDR_RANGE, 0, 0, 65535, 0xc0000200, 0xc00002ff};
	ts.ts[1] = (struct ike_ts){TS_IPV4_ADDR_RANGE, 17, 500, 500, 0xcb007100, 0xcb0071ff};
	fill_sa(&sa_in);

	ike_build_begin(&bl, buf, sizeof(buf), &hdr);
	assert_int_equal(ike_add_notify(&bl, PROTO_ESP, spis, 4, N_REKEY_SA, NULL, 0), 0);
	assert_int_equal(ike_add_sa(&bl, &sa_in), 0);
	assert_int_equal(ike_add_ke(&bl, DH_ECP_384, ke, 96), 0);
	assert_int_equal(ike_add_nonce(&bl, nonce, sizeof(nonce)), 0);
	assert_int_equal(ike_add_id(&bl, PL_IDI, ID_IPV4_ADDR, ip, 4), 0);
	assert_int_equal(ike_add_id(&bl, PL_IDR, ID_FQDN, (const uint8_t *)"vpn.example", 11), 0);
	assert_int_equal(ike_add_cert(&bl, PL_CERT, CERT_X509_SIGNATURE, cert, sizeof(cert)), 0);
	assert_int_equal(ike_add_cert(&bl, PL_CERTREQ, CERT_X509_SIGNATURE, vid, 16), 0);
	assert_int_equal(ike_add_auth(&bl, AUTH_DIGITAL_SIGNATURE, auth, sizeof(auth)), 0);
	assert_int_equal(ike_add_ts(&bl, PL_TSI, &ts), 0);
	assert_int_equal(ike_add_ts(&bl, PL_TSR, &ts), 0);
	assert_int_equal(ike_add_notify(&bl, 0, NULL, 0, N_NAT_DETECTION_SOURCE_IP, natd, 20), 0);
	assert_int_equal(ike_add_delete(&bl, PROTO_ESP, 4, spis, 2), 0);
	assert_int_equal(ike_add_delete(&bl, PROTO_IKE, 0, NULL, 0), 0);
	assert_int_equal(ike_add_vendor(&bl, vid, sizeof(vid)), 0);
	assert_int_equal(ike_add_raw(&bl, 211, false, vid, 3), 0);
	int len = ike_build_end(&bl);
	assert_true(len > IKE_HDR_LEN);

	struct ike_msg m;
	assert_int_equal(ike_msg_parse(buf, (size_t)len, &m), IKE_OK);
	assert_memory_equal(m.hdr.spi_i, hdr.spi_i, 8);
	assert_memory_equal(m.hdr.spi_r, hdr.spi_r, 8);
	assert_int_equal(m.hdr.exchange, CREATE_CHILD_SA);
	assert_int_equal(m.hdr.flags, IKE_FLAG_INITIATOR);
	assert_int_equal(m.hdr.msg_id, 7);
	assert_int_equal(m.hdr.length, (uint32_t)len);
	assert_int_equal(m.hdr.version, IKE_VERSION);
	assert_int_equal(m.n_pl, 16);
	static const uint8_t order[] = {
	    PL_NOTIFY, PL_SA,  PL_KE,  PL_NONCE,  PL_IDI,    PL_IDR,    PL_CERT,   PL_CERTREQ,
	    PL_AUTH,   PL_TSI, PL_TSR, PL_NOTIFY, PL_DELETE, PL_DELETE, PL_VENDOR, 211};
	for (size_t i = 0; i < m.n_pl; i++) {
		assert_int_equal(m.pl[i].type, order[i]);
		assert_false(m.pl[i].critical);
	}

	struct ike_notify_pl nt;
	assert_int_equal(ike_parse_notify(&m.pl[0], &nt), IKE_OK);
	assert_int_equal(nt.type, N_REKEY_SA);
	assert_int_equal(nt.protocol, PROTO_ESP);
	assert_int_equal(nt.spi_len, 4);
	assert_memory_equal(nt.spi, spis, 4);
	assert_int_equal(nt.len, 0);

	assert_int_equal(ike_parse_sa(&m.pl[1], &sa_out), IKE_OK);
	assert_int_equal(sa_out.n_prop, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct ike_proposal *a = &sa_in.prop[i], *o = &sa_out.prop[i];
		assert_int_equal(o->num, a->num);
		assert_int_equal(o->protocol, a->protocol);
		assert_int_equal(o->spi_len, a->spi_len);
		assert_memory_equal(o->spi, a->spi, 4);
		assert_int_equal(o->n_xf, a->n_xf);
		for (size_t j = 0; j < a->n_xf; j++) {
			assert_int_equal(o->xf[j].type, a->xf[j].type);
			assert_int_equal(o->xf[j].id, a->xf[j].id);
			assert_int_equal(o->xf[j].key_bits, a->xf[j].key_bits);
			assert_false(o->xf[j].unknown_attr);
		}
	}

	struct ike_ke_pl kp;
	assert_int_equal(ike_parse_ke(&m.pl[2], &kp), IKE_OK);
	assert_int_equal(kp.group, DH_ECP_384);
	assert_int_equal(kp.len, 96);
	assert_memory_equal(kp.data, ke, 96);

	const uint8_t *nd;
	size_t nl;
	assert_int_equal(ike_parse_nonce(&m.pl[3], &nd, &nl), IKE_OK);
	assert_int_equal(nl, sizeof(nonce));
	assert_memory_equal(nd, nonce, nl);

	struct ike_id_pl id;
	assert_int_equal(ike_parse_id(&m.pl[4], &id), IKE_OK);
	assert_int_equal(id.type, ID_IPV4_ADDR);
	assert_memory_equal(id.data, ip, 4);
	assert_int_equal(id.raw_len, 8);
	assert_int_equal(ike_parse_id(&m.pl[5], &id), IKE_OK);
	assert_int_equal(id.type, ID_FQDN);
	assert_int_equal(id.len, 11);
	assert_memory_equal(id.data, "vpn.example", 11);

	struct ike_cert_pl c;
	assert_int_equal(ike_parse_cert(&m.pl[6], &c), IKE_OK);
	assert_int_equal(c.encoding, CERT_X509_SIGNATURE);
	assert_int_equal(c.len, sizeof(cert));
	assert_memory_equal(c.data, cert, sizeof(cert));
	assert_int_equal(ike_parse_cert(&m.pl[7], &c), IKE_OK);
	assert_int_equal(c.len, 16);

	struct ike_auth_pl a;
	assert_int_equal(ike_parse_auth(&m.pl[8], &a), IKE_OK);
	assert_int_equal(a.method, AUTH_DIGITAL_SIGNATURE);
	assert_memory_equal(a.data, auth, sizeof(auth));

	struct ike_ts_pl to;
	for (size_t k = 9; k <= 10; k++) {
		assert_int_equal(ike_parse_ts(&m.pl[k], &to), IKE_OK);
		assert_int_equal(to.n_ts, 2);
		for (size_t i = 0; i < 2; i++) {
			assert_int_equal(to.ts[i].type, ts.ts[i].type);
			assert_int_equal(to.ts[i].ip_proto, ts.ts[i].ip_proto);
			assert_int_equal(to.ts[i].start_port, ts.ts[i].start_port);
			assert_int_equal(to.ts[i].end_port, ts.ts[i].end_port);
			assert_int_equal(to.ts[i].start_addr, ts.ts[i].start_addr);
			assert_int_equal(to.ts[i].end_addr, ts.ts[i].end_addr);
		}
	}

	assert_int_equal(ike_parse_notify(&m.pl[11], &nt), IKE_OK);
	assert_int_equal(nt.type, N_NAT_DETECTION_SOURCE_IP);
	assert_int_equal(nt.len, 20);
	assert_memory_equal(nt.data, natd, 20);

	struct ike_delete_pl d;
	assert_int_equal(ike_parse_delete(&m.pl[12], &d), IKE_OK);
	assert_int_equal(d.n_spi, 2);
	assert_memory_equal(d.spis, spis, 8);
	assert_int_equal(ike_parse_delete(&m.pl[13], &d), IKE_OK);
	assert_int_equal(d.protocol, PROTO_IKE);

	assert_int_equal(ike_parse_vendor(&m.pl[14], &nd, &nl), IKE_OK);
	assert_int_equal(nl, 16);
	assert_int_equal(m.pl[15].len, 3);
}

static void test_build_failures(void **state)
{
	struct ike_builder bl;
	uint8_t n16[16] = {0};

	/* no room for the header */
	ike_build_begin(&bl, buf, 27, &hdr);
	assert_int_equal(ike_build_end(&bl), -1);
	/* a payload that does not fit: sticky failure */
	ike_build_begin(&bl, buf, 40, &hdr);
	assert_int_equal(ike_add_nonce(&bl, n16, 16), -1);
	assert_int_equal(ike_add_raw(&bl, PL_VENDOR, false, n16, 1), -1);
	assert_int_equal(ike_build_end(&bl), -1);
	/* exactly fits */
	ike_build_begin(&bl, buf, IKE_HDR_LEN + 20, &hdr);
	assert_int_equal(ike_add_nonce(&bl, n16, 16), 0);
	assert_int_equal(ike_build_end(&bl), IKE_HDR_LEN + 20);
	/* invalid arguments */
	ike_build_begin(&bl, buf, sizeof(buf), &hdr);
	assert_int_equal(ike_add_nonce(&bl, n16, 15), -1);
	assert_int_equal(ike_build_end(&bl), -1);
	ike_build_begin(&bl, buf, sizeof(buf), &hdr);
	assert_int_equal(ike_add_id(&bl, PL_AUTH, ID_FQDN, n16, 3), -1);
	assert_int_equal(ike_build_end(&bl), -1);
	ike_build_begin(&bl, buf, sizeof(buf), &hdr);
	assert_int_equal(ike_add_notify(&bl, 0, n16, 9, N_COOKIE, NULL, 0), -1);
	assert_int_equal(ike_build_end(&bl), -1);
	struct ike_ts_pl ts = {.n_ts = 1};
	ts.ts[0].type = TS_IPV6_ADDR_RANGE;
	ike_build_begin(&bl, buf, sizeof(buf), &hdr);
	assert_int_equal(ike_add_ts(&bl, PL_TSI, &ts), -1);
	assert_int_equal(ike_build_end(&bl), -1);
	memset(&sa_in, 0, sizeof(sa_in));
	ike_build_begin(&bl, buf, sizeof(buf), &hdr);
	assert_int_equal(ike_add_sa(&bl, &sa_in), -1); /* no proposal */
	assert_int_equal(ike_build_end(&bl), -1);
	/* a payload body over 65535 bytes */
	static uint8_t big[70000];
	static uint8_t bigbuf[80000];
	ike_build_begin(&bl, bigbuf, sizeof(bigbuf), &hdr);
	assert_int_equal(ike_add_raw(&bl, PL_VENDOR, false, big, 65532), -1);
	assert_int_equal(ike_build_end(&bl), -1);
	/* an empty message */
	ike_build_begin(&bl, buf, sizeof(buf), &hdr);
	assert_int_equal(ike_build_end(&bl), IKE_HDR_LEN);
	struct ike_msg m;
	assert_int_equal(ike_msg_parse(buf, IKE_HDR_LEN, &m), IKE_OK);
	assert_int_equal(m.n_pl, 0);
	assert_int_equal(m.hdr.next_payload, PL_NONE);
}

static void test_critical_roundtrip(void **state)
{
	struct ike_builder bl;
	uint8_t body[4] = {1, 2, 3, 4};
	struct ike_msg m;

	ike_build_begin(&bl, buf, sizeof(buf), &hdr);
	ike_add_raw(&bl, 250, true, body, 4);
	int len = ike_build_end(&bl);
	assert_true(len > 0);
	assert_int_equal(ike_msg_parse(buf, (size_t)len, &m), IKE_E_CRITICAL);
	assert_int_equal(m.crit_type, 250);
}

/* strongSwan 5.9.8 IKE_SA_INIT request, captured on UDP 500 (892 bytes). */
static const char sswan_sa_init[] = "71beac322f2d8ff5000000000000000021202208000000000000037c220002"
                                    "bc02000148010100220300000c0100000c"
                                    "800e00800300000c0100000c800e00c00300000c0100000c800e0100030000"
                                    "0c0100000d800e00800300000c0100000d"
                                    "800e00c00300000c0100000d800e01000300000c01000017800e0080030000"
                                    "0c01000017800e00c00300000c01000017"
                                    "800e01000300000c01000018800e00800300000c01000018800e00c0030000"
                                    "0c01000018800e01000300000801000003"
                                    "030000080300000c030000080300000d030000080300000e03000008030000"
                                    "0203000008020000050300000802000006"
                                    "03000008020000070300000802000002030000080400001f03000008040000"
                                    "2003000008040000130300000804000014"
                                    "0300000804000015030000080400001c030000080400001d03000008040000"
                                    "1e030000080400000f0300000804000010"
                                    "03000008040000110300000804000012000000080400000e00000170020100"
                                    "240300000c01000014800e00800300000c"
                                    "01000014800e00c00300000c01000014800e01000300000c01000010800e00"
                                    "800300000c01000010800e00c00300000c"
                                    "01000010800e0100030000080100001c0300000c01000013800e0080030000"
                                    "0c01000013800e00c00300000c01000013"
                                    "800e01000300000c01000012800e00800300000c01000012800e00c0030000"
                                    "0c01000012800e01000300000c0100000f"
                                    "800e00800300000c0100000f800e00c00300000c0100000f800e0100030000"
                                    "0c0100000e800e00800300000c0100000e"
                                    "800e00c00300000c0100000e800e0100030000080200000503000008020000"
                                    "0603000008020000070300000802000002"
                                    "030000080400001f0300000804000020030000080400001303000008040000"
                                    "140300000804000015030000080400001c"
                                    "030000080400001d030000080400001e030000080400000f03000008040000"
                                    "1003000008040000110300000804000012"
                                    "000000080400000e28000028001f00008d03a2648282498f83c1e5dd5eff75"
                                    "1e280fe6151afd089998377424a58dc559"
                                    "290000247a9aa923c04826a26fb3c6293aceafc94e49a409541b0ae86dd30f"
                                    "c4349820a12900001c000040041eef658c"
                                    "3d8f920c455631a237b1d6599f6a7b202900001c00004005980128a09f34d5"
                                    "78b851189707f9459c3ae8dfc229000008"
                                    "0000402e290000100000402f00020003000400050000000800004016";

static void test_strongswan_sa_init(void **state)
{
	struct ike_msg m;
	size_t n = ct_hex(sswan_sa_init, buf, sizeof(buf));

	assert_int_equal(n, 892);
	assert_int_equal(ike_msg_parse(buf, n, &m), IKE_OK);
	assert_int_equal(m.hdr.exchange, IKE_SA_INIT);
	assert_int_equal(m.hdr.flags, IKE_FLAG_INITIATOR);
	assert_int_equal(m.hdr.msg_id, 0);
	assert_false(m.has_sk);
	static const uint8_t order[] = {PL_SA,     PL_KE,     PL_NONCE,  PL_NOTIFY,
	                                PL_NOTIFY, PL_NOTIFY, PL_NOTIFY, PL_NOTIFY};
	assert_int_equal(m.n_pl, sizeof(order));
	for (size_t i = 0; i < m.n_pl; i++)
		assert_int_equal(m.pl[i].type, order[i]);

	assert_int_equal(ike_parse_sa(&m.pl[0], &sa_out), IKE_OK);
	assert_int_equal(sa_out.n_prop, 2);
	assert_int_equal(sa_out.prop[0].num, 1);
	assert_int_equal(sa_out.prop[1].num, 2);
	size_t total = 0, keyed = 0;
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(sa_out.prop[i].protocol, PROTO_IKE);
		assert_int_equal(sa_out.prop[i].spi_len, 0);
		total += sa_out.prop[i].n_xf;
		for (size_t j = 0; j < sa_out.prop[i].n_xf; j++)
			keyed += sa_out.prop[i].xf[j].key_bits != 0;
	}
	assert_int_equal(total, 70);
	assert_int_equal(keyed, 30);
	/* the first transform is AES-CBC-128 */
	assert_int_equal(sa_out.prop[0].xf[0].type, XFORM_ENCR);
	assert_int_equal(sa_out.prop[0].xf[0].id, ENCR_AES_CBC);
	assert_int_equal(sa_out.prop[0].xf[0].key_bits, 128);

	struct ike_ke_pl ke;
	assert_int_equal(ike_parse_ke(&m.pl[1], &ke), IKE_OK);
	assert_int_equal(ke.group, 31); /* curve25519 */
	assert_int_equal(ke.len, 32);
	const uint8_t *nd;
	size_t nl;
	assert_int_equal(ike_parse_nonce(&m.pl[2], &nd, &nl), IKE_OK);
	assert_int_equal(nl, 32);
	static const uint16_t nts[] = {N_NAT_DETECTION_SOURCE_IP, N_NAT_DETECTION_DESTINATION_IP,
	                               N_IKEV2_FRAGMENTATION_SUPPORTED, N_SIGNATURE_HASH_ALGORITHMS,
	                               N_REDIRECT_SUPPORTED};
	for (size_t i = 0; i < 5; i++) {
		struct ike_notify_pl nt;
		assert_int_equal(ike_parse_notify(&m.pl[3 + i], &nt), IKE_OK);
		assert_int_equal(nt.type, nts[i]);
		if (i < 2)
			assert_int_equal(nt.len, 20);
	}

	/* Rebuild it from the parsed pieces: the bytes must be identical. */
	static uint8_t out[2048];
	struct ike_builder bl;
	ike_build_begin(&bl, out, sizeof(out), &m.hdr);
	assert_int_equal(ike_add_sa(&bl, &sa_out), 0);
	assert_int_equal(ike_add_ke(&bl, ke.group, ke.data, ke.len), 0);
	assert_int_equal(ike_add_nonce(&bl, nd, nl), 0);
	for (size_t i = 0; i < 5; i++) {
		struct ike_notify_pl nt;
		ike_parse_notify(&m.pl[3 + i], &nt);
		assert_int_equal(
		    ike_add_notify(&bl, nt.protocol, nt.spi, nt.spi_len, nt.type, nt.data, nt.len),
		    0);
	}
	assert_int_equal(ike_build_end(&bl), 892);
	assert_memory_equal(out, buf, 892);

	/* Every truncation of the real message is refused, none crashes. */
	for (size_t cut = 0; cut < n; cut++) {
		buf[24] = 0;
		buf[25] = 0;
		buf[26] = (uint8_t)(cut >> 8);
		buf[27] = (uint8_t)cut;
		int err = ike_msg_parse(buf, cut, &m);
		assert_true(err == IKE_E_SHORT || err == IKE_E_SYNTAX);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip_all),
	    cmocka_unit_test(test_build_failures),
	    cmocka_unit_test(test_critical_roundtrip),
	    cmocka_unit_test(test_strongswan_sa_init),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

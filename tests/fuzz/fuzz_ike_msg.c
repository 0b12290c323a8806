/*
 * libFuzzer harness: IKEv2 message parsing. The input is one UDP payload. It goes through
 * ike_hdr_parse and ike_msg_parse; every payload found (also when the message as a whole was
 * refused) goes through every payload parser; the SK body and the bytes after the header go
 * through ike_chain_parse. Payloads that parse are rebuilt and parsed again: the result must
 * be identical (abort otherwise), so builder and parser are checked against each other.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ike_msg m, m2, m_in;
static struct ike_sa_pl sa, sa2;
static uint8_t out[IKE_MAX_MSG];

static const struct ike_hdr hdr0 = {.exchange = IKE_SA_INIT, .flags = IKE_FLAG_INITIATOR};

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* Rebuilds a parsed SA and checks that it parses back to the same struct. */
static void sa_roundtrip(void)
{
	struct ike_builder b;

	ike_build_begin(&b, out, sizeof(out), &hdr0);
	check(ike_add_sa(&b, &sa) == 0);
	int len = ike_build_end(&b);
	check(len > 0);
	check(ike_msg_parse(out, (size_t)len, &m2) == IKE_OK);
	check(m2.n_pl == 1 && ike_parse_sa(&m2.pl[0], &sa2) == IKE_OK);
	check(sa2.n_prop == sa.n_prop);
	for (size_t i = 0; i < sa.n_prop; i++) {
		const struct ike_proposal *a = &sa.prop[i], *c = &sa2.prop[i];
		check(a->num == c->num && a->protocol == c->protocol && a->spi_len == c->spi_len);
		check(memcmp(a->spi, c->spi, a->spi_len) == 0 && a->n_xf == c->n_xf);
		for (size_t j = 0; j < a->n_xf; j++)
			check(a->xf[j].type == c->xf[j].type && a->xf[j].id == c->xf[j].id &&
			      a->xf[j].key_bits == c->xf[j].key_bits);
	}
}

static void ts_roundtrip(uint8_t type, const struct ike_ts_pl *ts)
{
	struct ike_builder b;
	struct ike_ts_pl t2;

	if (ts->n_ts == 0)
		return; /* only skipped (IPv6) selectors: nothing to rebuild */
	ike_build_begin(&b, out, sizeof(out), &hdr0);
	check(ike_add_ts(&b, type, ts) == 0);
	int len = ike_build_end(&b);
	check(len > 0 && ike_msg_parse(out, (size_t)len, &m2) == IKE_OK);
	check(ike_parse_ts(&m2.pl[0], &t2) == IKE_OK);
	check(t2.n_ts == ts->n_ts);
	for (size_t i = 0; i < ts->n_ts; i++) {
		const struct ike_ts *a = &ts->ts[i], *c = &t2.ts[i];
		check(a->type == c->type && a->ip_proto == c->ip_proto);
		check(a->start_port == c->start_port && a->end_port == c->end_port);
		check(a->start_addr == c->start_addr && a->end_addr == c->end_addr);
	}
}

static void notify_roundtrip(const struct ike_notify_pl *n)
{
	struct ike_builder b;
	struct ike_notify_pl n2;

	ike_build_begin(&b, out, sizeof(out), &hdr0);
	if (ike_add_notify(&b, n->protocol, n->spi, n->spi_len, n->type, n->data, n->len) != 0)
		return; /* too big to rebuild inside our own limits */
	int len = ike_build_end(&b);
	if (len < 0)
		return;
	check(ike_msg_parse(out, (size_t)len, &m2) == IKE_OK);
	check(ike_parse_notify(&m2.pl[0], &n2) == IKE_OK);
	check(n2.type == n->type && n2.protocol == n->protocol && n2.spi_len == n->spi_len &&
	      n2.len == n->len && memcmp(n2.data, n->data, n->len) == 0);
}

/* Every parser on one payload, whatever its type; round trips for the matching type. */
static void all_parsers(const struct ike_payload *p)
{
	struct ike_ke_pl ke;
	struct ike_id_pl id;
	struct ike_auth_pl au;
	struct ike_notify_pl nt;
	struct ike_delete_pl d;
	struct ike_ts_pl ts;
	struct ike_cert_pl c;
	const uint8_t *x;
	size_t xl;

	if (ike_parse_sa(p, &sa) == IKE_OK && p->type == PL_SA)
		sa_roundtrip();
	ike_parse_ke(p, &ke);
	ike_parse_nonce(p, &x, &xl);
	if (ike_parse_id(p, &id) == IKE_OK)
		check(id.raw == p->body && id.raw_len == p->len && id.len + 4 == p->len);
	ike_parse_auth(p, &au);
	if (ike_parse_notify(p, &nt) == IKE_OK) {
		ike_notify_name(nt.type);
		if (p->type == PL_NOTIFY)
			notify_roundtrip(&nt);
	}
	if (ike_parse_delete(p, &d) == IKE_OK)
		check((size_t)d.spi_len * d.n_spi + 4 == p->len);
	if (ike_parse_ts(p, &ts) == IKE_OK) {
		check(ts.n_ts <= IKE_MAX_TS);
		ts_roundtrip(p->type == PL_TSR ? PL_TSR : PL_TSI, &ts);
	}
	ike_parse_cert(p, &c);
	ike_parse_vendor(p, &x, &xl);
	ike_payload_name(p->type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_hdr h;

	if (ike_hdr_parse(data, size, &h) == IKE_OK) {
		check(h.length >= IKE_HDR_LEN && h.length <= size);
		ike_exchange_name(h.exchange);
	}
	int err = ike_msg_parse(data, size, &m);
	ike_parse_err_name(err);
	check(m.n_pl <= IKE_MAX_PAYLOADS);
	for (size_t i = 0; i < m.n_pl; i++) {
		const struct ike_payload *p = &m.pl[i];
		check(p->body >= data && p->body + p->len <= data + size);
		all_parsers(p);
	}
	if (err == IKE_OK && m.has_sk) {
		const struct ike_payload *sk = &m.pl[m.n_pl - 1];
		check(sk->type == m.sk_type && m.sk_off + 4 + sk->len == size);
		/* As if the SK body were the decrypted inner chain. */
		struct ike_payload body = *sk;
		if (ike_chain_parse(body.body, body.len, m.sk_first, &m_in) == IKE_OK) {
			for (size_t i = 0; i < m_in.n_pl; i++)
				all_parsers(&m_in.pl[i]);
		}
	}
	/* The rest of the datagram after the header as a bare chain, first type from byte 0. */
	if (size > IKE_HDR_LEN + 1) {
		static struct ike_msg m3;
		if (ike_chain_parse(data + IKE_HDR_LEN + 1, size - IKE_HDR_LEN - 1,
		                    data[IKE_HDR_LEN], &m3) == IKE_OK) {
			for (size_t i = 0; i < m3.n_pl; i++)
				all_parsers(&m3.pl[i]);
		}
	}
	return 0;
}

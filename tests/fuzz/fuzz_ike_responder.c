/*
 * libFuzzer harness: a whole IKEv2 responder. Each input gets a fresh engine (ike_new with a
 * mocked io, a fixed passive configuration: one tunnel to peer 198.51.100.1 with a CBC and a
 * GCM proposal, PSK) and is a sequence of datagrams fed to ike_input as if from the network:
 *
 *   record = u16 hdr | hdr & 0x3fff bytes
 *     hdr bit 15: arrived on UDP 4500 (non-ESP marker already stripped), else 500
 *     hdr bit 14: from 203.0.113.9 (an address no tunnel expects), else from the peer
 *
 * SPI fix-up, so that recorded exchanges reach the SA the engine made: when a datagram is not
 * an IKE_SA_INIT and its responder SPI is all zero, the responder SPI of the engine's last
 * response is put there. Keys come from a real DH and random nonces, so mutations get deep
 * into IKE_SA_INIT parsing and proposal selection; later exchanges stop at the integrity check
 * (which is the point: nothing before it may misbehave).
 *
 * Inputs of odd length run with a P-256 key pair made ahead (ike_set_keypool): the responder
 * then answers IKE_SA_INIT before it derives the shared secret.
 *
 * Checked: no crash, leak or UB (sanitizers); every datagram the engine sends is a parsable IKE
 * message no longer than IKE_MAX_MSG; no Child SA is ever installed (nobody can authenticate).
 *
 * Built with -DFUZZ_RESP_GEN it is instead the seed generator `fuzz_gen_responder DIR`: two
 * engines joined by the unit tests' mock network (tests/unit/ike_engine/harness.c) run
 * IKE_SA_INIT and IKE_AUTH, and what the responder received is written as one input per
 * proposal.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ike/ike.h"
#include "ike/msg.h"
#include "util/chunk.h"
#include "util/log.h"
#include "util/loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PSK        "fuzz-psk-0123456789"
#define ADDR_OTHER 0xcb007109u /* 203.0.113.9 */
#define SPI_OFF    8           /* responder SPI in the IKE header */
#define XCHG_OFF   18

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* The responder's tunnel (also the generator's node B). */
static void resp_tunnel(struct ike_cfg_tunnel *t)
{
	h_tunnel(t, 1, H_ADDR_B, H_ADDR_A, H_ADDR_A, PSK);
	h_prop(&t->proposals[1], ENCR_AES_GCM_16, 256, 0, PRF_HMAC_SHA2_256, DH_ECP_256);
	t->n_proposals = 2;
	t->esp[1] = (struct ike_cfg_esp){"gcm", ENCR_AES_GCM_16, 256, AUTH_NONE};
	t->n_esp = 2;
	t->passive = true;
}

#ifndef FUZZ_RESP_GEN
struct mock {
	uint8_t spi_r[8];
	bool have_spi;
	size_t installs;
};

static struct ike_msg sent_msg;

static int m_send(void *arg, const uint8_t *pkt, size_t len, uint32_t local, uint16_t lport,
                  uint32_t remote, uint16_t rport)
{
	struct mock *m = arg;
	struct ike_hdr h;
	check(len <= IKE_MAX_MSG);
	check(ike_hdr_parse(pkt, len, &h) == IKE_OK && h.length == len);
	check(ike_msg_parse(pkt, len, &sent_msg) == IKE_OK);
	if (h.flags & IKE_FLAG_RESPONSE) {
		memcpy(m->spi_r, h.spi_r, 8);
		m->have_spi = true;
	}
	return 0;
}

static int m_install(void *arg, const struct esp_sa_params *in, const struct esp_sa_params *out)
{
	struct mock *m = arg;
	m->installs++;
	return 0;
}

static void m_remove(void *arg, uint32_t tunnel_id, uint32_t spi_in, uint32_t spi_out)
{
}

static void m_state(void *arg, uint32_t tunnel_id, bool up)
{
}

static struct ike_cfg cfg;

static void init_cfg(void)
{
	static bool done;
	struct ike_cfg_tunnel t;

	if (done)
		return;
	resp_tunnel(&t);
	h_cfgn(&cfg, &t, 1);
	/* FUZZ_LOG=debug: packet-level logging (formats attacker bytes too; slow, noisy). */
	const char *lv = getenv("FUZZ_LOG");
	log_set_level(lv && strcmp(lv, "debug") == 0 ? LOG_LVL_DEBUG : LOG_LVL_ERR);
	done = true;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t dgram[0x4000];
	struct mock m = {0};

	init_cfg();
	struct loop *loop = loop_new();
	check(loop != NULL);
	struct ike_io io = {.arg = &m,
	                    .send = m_send,
	                    .child_install = m_install,
	                    .child_remove = m_remove,
	                    .tunnel_state = m_state};
	struct ike *ike = ike_new(loop, &io);
	check(ike != NULL);
	check(ike_set_config(ike, &cfg) == 0);
	/* every other input: a P-256 key pair made ahead, so the early answer (IKE_SA_INIT
	 * answered before the shared secret is derived) meets the same inputs */
	if (size & 1)
		check(ike_set_keypool(ike, 1, IKE_KEYPOOL_G19) == 0);

	size_t off = 0;
	while (size - off >= 2) {
		uint16_t hdr = (uint16_t)(data[off] << 8 | data[off + 1]);
		size_t len = hdr & 0x3fff;
		off += 2;
		if (len > size - off)
			len = size - off;
		memcpy(dgram, data + off, len);
		off += len;
		if (len >= IKE_HDR_LEN && dgram[XCHG_OFF] != IKE_SA_INIT && m.have_spi &&
		    all_zero(dgram + SPI_OFF, 8))
			memcpy(dgram + SPI_OFF, m.spi_r, 8);
		uint16_t port = (hdr & 0x8000) ? 4500 : 500;
		uint32_t from = htonl((hdr & 0x4000) ? ADDR_OTHER : H_ADDR_A);
		ike_input(ike, dgram, len, htonl(H_ADDR_B), port, from, port);
	}
	struct ike_stats st;
	ike_get_stats(ike, &st);
	check(st.established == 0 && m.installs == 0);
	if (getenv("FUZZ_STATS"))
		fprintf(
		    stderr, "rx %llu malformed %llu unknown_spi %llu integrity %llu msgid %llu\n",
		    (unsigned long long)st.rx_packets, (unsigned long long)st.rx_dropped_malformed,
		    (unsigned long long)st.rx_dropped_unknown_spi,
		    (unsigned long long)st.rx_dropped_integrity,
		    (unsigned long long)st.rx_dropped_msgid);
	ike_free(ike);
	loop_free(loop);
	return 0;
}

#else
/* ---- seed generator ---- */
static void write_seed(const char *dir, const char *name, const uint8_t *p, size_t len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Runs one exchange with the initiator's proposal (encr, bits, integ); returns the input. */
static size_t record(uint16_t encr, uint16_t bits, uint16_t integ, uint8_t *out, size_t cap)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_cfg ca = {0}, cb = {0};
	size_t n = 0;

	h_init(&net);
	h_tunnel(&ta, 1, H_ADDR_A, H_ADDR_B, H_ADDR_B, PSK);
	h_prop(&ta.proposals[0], encr, bits, integ, PRF_HMAC_SHA2_256, DH_ECP_256);
	ta.esp[0] = (struct ike_cfg_esp){"ts", encr, bits, integ};
	resp_tunnel(&tb);
	h_cfgn(&ca, &ta, 1);
	h_cfgn(&cb, &tb, 1);
	check(ike_set_config(net.n[1].ike, &cb) == 0);
	check(ike_set_config(net.n[0].ike, &ca) == 0);
	for (size_t steps = 0; steps < 16; steps++) {
		struct h_pkt *p = h_peek(&net);
		if (!p)
			break;
		if (p->to == 1) {
			check(n + 2 + p->len <= cap && p->len < 0x4000);
			out[n++] = (uint8_t)(p->len >> 8 | (p->dport == 4500 ? 0x80 : 0));
			out[n++] = (uint8_t)p->len;
			memcpy(out + n, p->data, p->len);
			if (p->data[XCHG_OFF] != IKE_SA_INIT)
				memset(out + n + SPI_OFF, 0, 8); /* the fuzzer's fix-up fills it */
			n += p->len;
		}
		h_step(&net);
	}
	check(h_live(&net.n[1]) == 1); /* the exchange really completed */
	ike_cfg_free(&ca);
	ike_cfg_free(&cb);
	h_fini(&net);
	return n;
}

int main(int argc, char **argv)
{
	static uint8_t buf[65536];

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_gen_responder DIR\n");
		return 2;
	}
	size_t n = record(ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128, buf, sizeof(buf));
	write_seed(argv[1], "init_auth_cbc", buf, n);
	n = record(ENCR_AES_GCM_16, 256, AUTH_NONE, buf, sizeof(buf));
	write_seed(argv[1], "init_auth_gcm", buf, n);
	/* The IKE_SA_INIT alone, and twice (a retransmission). */
	n = record(ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128, buf, sizeof(buf));
	size_t first = 2 + (size_t)((buf[0] & 0x3f) << 8 | buf[1]);
	write_seed(argv[1], "init_only", buf, first);
	memcpy(buf + first, buf, first);
	write_seed(argv[1], "init_twice", buf, 2 * first);
	return 0;
}
#endif

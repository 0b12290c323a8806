/*
 * libFuzzer harness: SK/SKF protection with fixed test keys (fuzz_keys.h).
 *  1. The input as a received message: if it parses and ends in SK/SKF, ike_sk_open() with
 *     every algorithm's keys (on a copy: opening works in place). A success must yield a
 *     plaintext inside the ciphertext, and its chain is parsed.
 *  2. The input as plaintext: byte 0 picks the algorithm, the rest is sealed as one SKF
 *     fragment (arbitrary bytes), parsed and opened again; the result must equal the input
 *     (abort otherwise), and one flipped bit must make it fail the integrity check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_keys.h"
#include "ike/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ike_sk_keys k_out[FUZZ_N_ALGS], k_in[FUZZ_N_ALGS];
static uint8_t buf[IKE_MAX_MSG + 1];
static struct ike_msg m, inner;

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void init_keys(void)
{
	static bool done;

	if (done)
		return;
	for (size_t a = 0; a < FUZZ_N_ALGS; a++)
		check(fuzz_keys(a, &k_out[a], &k_in[a]) == 0);
	done = true;
}

static void open_received(const uint8_t *data, size_t size)
{
	if (size > IKE_MAX_MSG || ike_msg_parse(data, size, &m) != IKE_OK || !m.has_sk)
		return;
	for (size_t a = 0; a < FUZZ_N_ALGS; a++) {
		uint8_t *plain;
		size_t pl;
		memcpy(buf, data, size);
		if (ike_sk_open(buf, size, &m, &k_in[a], &plain, &pl) != IKE_OK) {
			check(plain == NULL);
			continue;
		}
		check(plain > buf + m.sk_off && plain + pl <= buf + size);
		ike_chain_parse(plain, pl, m.sk_first, &inner);
	}
}

static void seal_and_open(const uint8_t *data, size_t size)
{
	static const struct ike_hdr h = {.spi_i = {1, 2, 3, 4, 5, 6, 7, 8},
	                                 .exchange = IKE_AUTH,
	                                 .flags = IKE_FLAG_INITIATOR,
	                                 .msg_id = 1};
	uint8_t *plain;
	size_t pl;

	if (size < 1)
		return;
	size_t a = data[0] % FUZZ_N_ALGS;
	const uint8_t *in = data + 1;
	size_t in_len = size - 1;
	if (in_len > ike_skf_max_data(&k_out[a], IKE_MAX_MSG))
		return;
	int len =
	    ike_build_skf(buf, sizeof(buf), &h, in_len ? in[0] : 0, 1, 1, in, in_len, &k_out[a]);
	check(len > 0);
	check(ike_msg_parse(buf, (size_t)len, &m) == IKE_OK);
	check(m.has_sk && m.sk_type == PL_SKF && m.frag_num == 1 && m.frag_total == 1);
	size_t flip = in_len % (size_t)len; /* a position that depends on the input */
	check(ike_sk_open(buf, (size_t)len, &m, &k_in[a], &plain, &pl) == IKE_OK);
	check(pl == in_len && memcmp(plain, in, in_len) == 0);

	len = ike_build_skf(buf, sizeof(buf), &h, in_len ? in[0] : 0, 1, 1, in, in_len, &k_out[a]);
	check(len > 0);
	buf[flip] ^= 0x80;
	if (ike_msg_parse(buf, (size_t)len, &m) == IKE_OK && m.has_sk)
		check(ike_sk_open(buf, (size_t)len, &m, &k_in[a], &plain, &pl) != IKE_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init_keys();
	open_received(data, size);
	seal_and_open(data, size);
	return 0;
}

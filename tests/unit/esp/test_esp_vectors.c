/* Known-answer ESP packets: draft-mcgrew-gcm-test-01 §4 (tests/vectors/esp_gcm_draft_mcgrew.txt).
 * Decap must authenticate and decrypt each packet to the published plaintext; encap, with the IV
 * and sequence number forced to the published ones, must produce the published packet bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/crypto.h"
#include "esp/esp.h"
#include "esp_test_util.h"

struct vec {
	int id;
	uint8_t key[40], plain[256], esp[300];
	int key_len, plain_len, esp_len;
};

static int load(struct vec *v, int max)
{
	char path[512], line[1024];
	const char *dir = getenv("MGMTSEC_VECTORS");
	snprintf(path, sizeof(path), "%s/esp_gcm_draft_mcgrew.txt", dir ? dir : "tests/vectors");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	int n = -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		char *eq = strstr(line, " = ");
		if (line[0] == '#' || !eq)
			continue;
		*eq = 0;
		const char *val = eq + 3;
		if (!strcmp(line, "case")) {
			assert_true(++n < max);
			v[n].id = atoi(val);
		} else if (!strcmp(line, "key")) {
			v[n].key_len = test_unhex(val, v[n].key, sizeof(v[n].key));
		} else if (!strcmp(line, "plain")) {
			v[n].plain_len = test_unhex(val, v[n].plain, sizeof(v[n].plain));
		} else if (!strcmp(line, "esp")) {
			v[n].esp_len = test_unhex(val, v[n].esp, sizeof(v[n].esp));
		}
	}
	fclose(f);
	return n + 1;
}

static struct esp_sa *sa_for(const struct vec *v, bool inbound)
{
	struct esp_sa_params p;
	memset(&p, 0, sizeof(p));
	p.encr = crypto_encr(ENCR_AES_GCM_16, (uint16_t)((v->key_len - 4) * 8));
	assert_non_null(p.encr);
	memcpy(p.encr_key, v->key, (size_t)v->key_len);
	p.spi = (uint32_t)v->esp[0] << 24 | v->esp[1] << 16 | v->esp[2] << 8 | v->esp[3];
	p.inbound = inbound;
	p.ts_local_end = p.ts_remote_end = 0xffffffff;
	struct esp_sa *sa = esp_sa_new(&p);
	assert_non_null(sa);
	return sa;
}

static uint32_t seq_of(const struct vec *v)
{
	return (uint32_t)v->esp[4] << 24 | v->esp[5] << 16 | v->esp[6] << 8 | v->esp[7];
}

static void check_decap(const struct vec *v)
{
	static uint8_t buf[T_BUFSZ];
	struct esp_sa *sa = sa_for(v, true);
	memcpy(buf + T_HEADROOM, v->esp, (size_t)v->esp_len);
	struct esp_pkt p = {buf, T_BUFSZ, T_HEADROOM, (size_t)v->esp_len};
	/* The draft's packets carry next header 1, which a tunnel-mode SA refuses after decrypting.
	 */
	assert_int_equal(esp_decap(sa, &p), ESP_DROP_INNER);
	assert_memory_equal(buf + T_HEADROOM + 16, v->plain, (size_t)v->plain_len);
	struct esp_sa_stats st;
	esp_sa_stats(sa, &st);
	assert_int_equal(st.drops[ESP_DROP_ICV], 0);
	assert_int_equal(st.seq, seq_of(v));

	/* one flipped tag bit: rejected as ICV */
	esp_sa_free(sa);
	sa = sa_for(v, true);
	memcpy(buf + T_HEADROOM, v->esp, (size_t)v->esp_len);
	buf[T_HEADROOM + v->esp_len - 1] ^= 1;
	p = (struct esp_pkt){buf, T_BUFSZ, T_HEADROOM, (size_t)v->esp_len};
	assert_int_equal(esp_decap(sa, &p), ESP_DROP_ICV);
	esp_sa_free(sa);
}

static void check_encap(const struct vec *v)
{
	static uint8_t buf[T_BUFSZ];
	size_t inner = (size_t)(v->plain[2] << 8 | v->plain[3]);
	struct esp_sa *sa = sa_for(v, false);
	sa->test_force_iv = true;
	memcpy(sa->test_iv, v->esp + 8, 8);
	sa->test_next_header = v->plain[v->plain_len - 1];
	esp_sa_test_set_seq(sa, seq_of(v) - 1);
	memcpy(buf + T_HEADROOM, v->plain, inner);
	struct esp_pkt p = {buf, T_BUFSZ, T_HEADROOM, inner};
	assert_int_equal(esp_encap(sa, &p), ESP_DROP_NONE);
	assert_int_equal(p.len, v->esp_len);
	assert_memory_equal(buf + p.off, v->esp, (size_t)v->esp_len);
	esp_sa_free(sa);
}

static void test_draft_mcgrew(void **state)
{
	static struct vec v[16];
	int n = load(v, 16);
	assert_int_equal(n, 4);
	int encaps = 0;
	for (int i = 0; i < n; i++) {
		check_decap(&v[i]);
		if ((v[i].plain[0] >> 4) == 4) { /* an IPv4 packet (not the empty-payload case) */
			check_encap(&v[i]);
			encaps++;
		}
	}
	assert_int_equal(encaps, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_draft_mcgrew),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

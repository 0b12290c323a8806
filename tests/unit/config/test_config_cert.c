/* Certificate configuration (issue 7): `identity local address|fqdn NAME|dn`, `match identity
 * remote dn TEXT`, `authentication local rsa-signature pss` — both entry forms, rendering,
 * `no` forms, list limits, help, validation at commit, and a save/load round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg_test_util.h"
#include "config/model.h"
#include "config/render.h"

/* The shared fixture, with the clock at a date inside the test certificates' validity. */
static int setup(void **state)
{
	t_clock_set(1700000000);
	return cfg_fx_setup(state);
}

static void must(struct cfg_fx *f, const char *line)
{
	if (cfg_fx_ex(f, line))
		fail_msg("%s: %s", line, sb_str(&f->err));
}

/* The candidate's changes in file form; caller frees. */
static char *cand(struct cfg_fx *f)
{
	must(f, "show configuration");
	return strdup(sb_str(&f->out));
}

static void assert_has(const char *text, const char *line)
{
	if (!strstr(text, line))
		fail_msg("'%s' missing from:\n%s", line, text);
}

static void assert_lacks(const char *text, const char *line)
{
	if (strstr(text, line))
		fail_msg("'%s' should not be in:\n%s", line, text);
}

/* A committable certificate configuration (files need not exist: the daemon checks them). */
static const char *const cert_cfg[] = {
    "ikev2 proposal P encryption aes-cbc-256",
    "ikev2 proposal P integrity sha-256",
    "ikev2 proposal P dh-group 19",
    "ikev2 policy POL proposal P",
    "crypto ca trustpoint TP ca-certificate /etc/mgmtsec/ca.pem",
    "crypto ca trustpoint TP certificate /etc/mgmtsec/r1.pem",
    "crypto ca trustpoint TP private-key /etc/mgmtsec/r1.key",
    "crypto ca trustpoint TP crl /etc/mgmtsec/ca.crl",
    "ikev2 profile R authentication local rsa-signature pss",
    "ikev2 profile R authentication remote rsa-signature",
    "ikev2 profile R identity local fqdn r1.example.net",
    "ikev2 profile R match identity remote fqdn r2.example.net",
    "ikev2 profile R match identity remote dn O=mgmtsec test, CN=r2",
    "ikev2 profile R match identity remote dn CN=r3",
    "ikev2 profile R pki trustpoint TP",
    "ipsec transform-set T transform esp-256-aes esp-hmac-sha-256",
    "ipsec profile I set ikev2-profile R",
    "ipsec profile I set transform-set T",
    "interface tunnel-ip1 ipv4 address 192.0.2.1 255.255.255.0",
    "interface tunnel-ip1 tunnel mode ipsec ipv4",
    "interface tunnel-ip1 tunnel source 198.51.100.1",
    "interface tunnel-ip1 tunnel destination 198.51.100.2",
    "interface tunnel-ip1 tunnel protection ipsec profile I",
};

static void load_cert_cfg(struct cfg_fx *f)
{
	for (size_t i = 0; i < sizeof(cert_cfg) / sizeof(cert_cfg[0]); i++)
		must(f, cert_cfg[i]);
}

static const struct cfg_ike_profile *running_profile(struct cfg_fx *f, const char *name)
{
	const struct cfg_ike_profile *p = cfg_find_ike_profile(cfg_db_running(f->db), name);
	assert_non_null(p);
	return p;
}

static void test_one_line_form_model_and_render(void **state)
{
	struct cfg_fx *f = *state;
	load_cert_cfg(f);
	char *c = cand(f);
	assert_has(c, " authentication local rsa-signature pss\n");
	assert_has(c, " authentication remote rsa-signature\n");
	assert_has(c, " identity local fqdn r1.example.net\n");
	assert_has(c, " match identity remote dn O=mgmtsec test, CN=r2\n");
	assert_has(c, " match identity remote dn CN=r3\n");
	free(c);
	must(f, "commit");
	const struct cfg_ike_profile *p = running_profile(f, "R");
	assert_int_equal(p->auth_local, CFG_AUTH_RSA);
	assert_true(p->rsa_pss);
	assert_int_equal(p->id_local, CFG_IDL_FQDN);
	assert_string_equal(p->id_local_fqdn, "r1.example.net");
	assert_int_equal(p->n_id_dn, 2);
	assert_string_equal(p->id_dn[0], "O=mgmtsec test, CN=r2"); /* spaces kept */
	assert_string_equal(p->id_dn[1], "CN=r3");
	assert_int_equal(p->n_id_fqdn, 1);
}

static void test_block_form(void **state)
{
	struct cfg_fx *f = *state;
	load_cert_cfg(f);
	must(f, "ikev2 profile R");
	must(f, " identity local dn");
	must(f, " match identity remote dn OU=ops");
	must(f, " authentication local rsa-signature");
	must(f, "exit");
	must(f, "commit");
	const struct cfg_ike_profile *p = running_profile(f, "R");
	assert_int_equal(p->id_local, CFG_IDL_DN);
	assert_string_equal(p->id_local_fqdn, ""); /* fqdn dropped with the type change */
	assert_false(p->rsa_pss);                  /* re-entered without pss */
	assert_int_equal(p->n_id_dn, 3);
	assert_string_equal(p->id_dn[2], "OU=ops");
	struct strbuf o = STRBUF_INIT;
	cfg_db_show_running(f->db, NULL, &o);
	assert_has(sb_str(&o), " identity local dn\n");
	assert_has(sb_str(&o), " authentication local rsa-signature\n");
	assert_lacks(sb_str(&o), "rsa-signature pss");
	sb_free(&o);
}

static void test_no_forms(void **state)
{
	struct cfg_fx *f = *state;
	load_cert_cfg(f);
	must(f, "commit");
	must(f, "no ikev2 profile R match identity remote dn CN=r3");
	must(f, "no ikev2 profile R identity local");
	must(f, "commit");
	const struct cfg_ike_profile *p = running_profile(f, "R");
	assert_int_equal(p->n_id_dn, 1);
	assert_string_equal(p->id_dn[0], "O=mgmtsec test, CN=r2");
	assert_int_equal(p->id_local, CFG_IDL_DEFAULT);
	assert_string_equal(p->id_local_fqdn, "");
	must(f, "no ikev2 profile R match identity remote dn");
	must(f, "no ikev2 profile R authentication local");
	must(f, "ikev2 profile R identity local address");
	must(f, "ikev2 profile R keyring K");
	must(f, "keyring K peer A address 198.51.100.2 255.255.255.255");
	must(f, "keyring K peer A pre-shared-key Secret123");
	must(f, "commit");
	p = running_profile(f, "R");
	assert_int_equal(p->n_id_dn, 0);
	assert_int_equal(p->auth_local, CFG_AUTH_NONE);
	assert_false(p->rsa_pss);
	assert_int_equal(p->id_local, CFG_IDL_ADDRESS);
	struct strbuf o = STRBUF_INIT;
	cfg_db_show_running(f->db, NULL, &o);
	assert_has(sb_str(&o), " identity local address\n");
	assert_lacks(sb_str(&o), "remote dn");
	sb_free(&o);
}

static void test_dn_list_limits(void **state)
{
	struct cfg_fx *f = *state;
	char line[120];
	for (int i = 0; i < CFG_MAX_LIST; i++) {
		snprintf(line, sizeof(line), "ikev2 profile R match identity remote dn CN=r%d", i);
		must(f, line);
	}
	must(f, "ikev2 profile R match identity remote dn CN=r0"); /* already there: no-op */
	assert_int_not_equal(cfg_fx_ex(f, "ikev2 profile R match identity remote dn CN=r99"), 0);
	assert_non_null(strstr(sb_str(&f->err), "at most 8"));
	/* `dn` needs a value; 255 characters is the longest */
	assert_int_not_equal(cfg_fx_ex(f, "ikev2 profile R match identity remote dn"), 0);
	char longdn[300] = "ikev2 profile R2 match identity remote dn ";
	size_t l = strlen(longdn);
	memset(longdn + l, 'x', 256);
	longdn[l + 256] = '\0';
	assert_int_not_equal(cfg_fx_ex(f, longdn), 0);
	longdn[l + 255] = '\0';
	must(f, longdn);
	/* `identity local fqdn` needs its name */
	assert_int_not_equal(cfg_fx_ex(f, "ikev2 profile R identity local fqdn"), 0);
	assert_int_not_equal(cfg_fx_ex(f, "ikev2 profile R identity local email a@b"), 0);
}

static void test_help(void **state)
{
	struct cfg_fx *f = *state;
	struct strbuf h = STRBUF_INIT;
	assert_int_equal(cfg_help(f->s, "ikev2 profile R identity local ", &h), 3);
	assert_has(sb_str(&h), "address");
	assert_has(sb_str(&h), "fqdn");
	assert_has(sb_str(&h), "dn");
	sb_reset(&h);
	assert_int_equal(cfg_help(f->s, "ikev2 profile R match identity remote ", &h), 3);
	assert_has(sb_str(&h), "dn");
	sb_reset(&h);
	/* `pss` is offered after rsa-signature for the local method only */
	assert_int_equal(cfg_help(f->s, "ikev2 profile R authentication local rsa-signature ", &h),
	                 2);
	assert_has(sb_str(&h), "pss");
	sb_reset(&h);
	assert_int_equal(cfg_help(f->s, "ikev2 profile R authentication remote rsa-signature ", &h),
	                 1);
	assert_lacks(sb_str(&h), "pss");
	sb_free(&h);
}

struct verr {
	const char *lines[2];
	const char *msg;
};

static const struct verr verrs[] = {
    {{"ikev2 profile R authentication local pre-shared"},
     "ikev2 profile R: identity local dn needs authentication local rsa-signature"},
    {{"no ikev2 profile R authentication remote rsa-signature",
      "ikev2 profile R authentication remote pre-shared"},
     "ikev2 profile R: match identity remote dn needs authentication remote rsa-signature"},
};

static void test_validation(void **state)
{
	struct cfg_fx *f = *state;
	load_cert_cfg(f);
	must(f, "ikev2 profile R identity local dn");
	must(f, "commit");
	for (size_t i = 0; i < sizeof(verrs) / sizeof(verrs[0]); i++) {
		must(f, "configure");
		must(f, "keyring K peer A address 198.51.100.2 255.255.255.255");
		must(f, "keyring K peer A pre-shared-key Secret123");
		must(f, "ikev2 profile R keyring K");
		for (size_t j = 0; j < 2 && verrs[i].lines[j]; j++)
			must(f, verrs[i].lines[j]);
		if (!cfg_fx_ex(f, "commit"))
			fail_msg("commit accepted after '%s'", verrs[i].lines[0]);
		assert_has(sb_str(&f->err), verrs[i].msg);
		must(f, "abort");
	}
}

/* What is saved loads back to the same configuration. */
static void test_save_load_round_trip(void **state)
{
	struct cfg_fx *f = *state;
	load_cert_cfg(f);
	must(f, "commit");
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	cfg_render(cfg_db_running(f->db), CFG_RENDER_FILE, &a);
	char path[] = "/tmp/mgmtsec-cfgcert-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, sb_str(&a), a.len), (ssize_t)a.len);
	close(fd);
	struct cfg_db *db2 = cfg_db_new(NULL);
	struct strbuf errs = STRBUF_INIT;
	if (cfg_db_load(db2, path, &errs))
		fail_msg("reload failed: %s", sb_str(&errs));
	cfg_render(cfg_db_running(db2), CFG_RENDER_FILE, &b);
	assert_string_equal(sb_str(&a), sb_str(&b));
	assert_has(sb_str(&b), " match identity remote dn O=mgmtsec test, CN=r2\n");
	unlink(path);
	cfg_db_free(db2);
	sb_free(&a);
	sb_free(&b);
	sb_free(&errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_one_line_form_model_and_render, setup,
	                                    cfg_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_block_form, setup, cfg_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_no_forms, setup, cfg_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_dn_list_limits, setup, cfg_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_help, setup, cfg_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_validation, setup, cfg_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_save_load_round_trip, setup, cfg_fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

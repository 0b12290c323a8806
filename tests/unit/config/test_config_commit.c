/* Commit: validation, apply hook, confirmed commits, rollback, history, concurrency, end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_test_util.h"

struct fx {
	struct cfg_fx c; /* first: cfg_fx_teardown frees the whole fx */
	int applied;     /* apply hook calls */
	bool refuse;     /* the hook refuses */
	char last_host[40];
};

static int hook(void *arg, const struct cfg *next, const struct cfg *prev, struct strbuf *err)
{
	struct fx *f = arg;
	if (f->refuse) {
		sb_puts(err, "tunnel source interface mgmt9 does not exist");
		return -1;
	}
	f->applied++;
	snprintf(f->last_host, sizeof(f->last_host), "%s", next->hostname);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	t_clock_set(1700000000);
	f->c.db = cfg_db_new(NULL);
	cfg_db_set_clock(f->c.db, t_clock);
	cfg_db_set_apply(f->c.db, hook, f);
	f->c.s = cfg_session_new(f->c.db, "alice", false);
	*state = f;
	return 0;
}

static int ex(struct fx *f, struct cfg_session *s, const char *line)
{
	return t_exec(s, line, &f->c.out, &f->c.err);
}

static void must(struct fx *f, struct cfg_session *s, const char *line)
{
	if (ex(f, s, line))
		fail_msg("%s: %s", line, sb_str(&f->c.err));
}

static const char *const valid_cfg[] = {
    "ikev2 proposal P prf sha-256",
    "ikev2 proposal P dh-group 20",
    "ikev2 proposal P integrity sha-256",
    "ikev2 proposal P encryption aes-cbc-256",
    "ikev2 policy POL proposal P",
    "keyring K peer A address 198.51.100.2 255.255.255.255",
    "keyring K peer A pre-shared-key TopSecretKey42",
    "ikev2 profile R keyring K",
    "ipsec transform-set T transform esp-256-aes esp-hmac-sha-256",
    "ipsec profile I set ikev2-profile R",
    "ipsec profile I set transform-set T",
    "interface tunnel-ip1 ipv4 address 192.0.2.1 255.255.255.0",
    "interface tunnel-ip1 tunnel mode ipsec ipv4",
    "interface tunnel-ip1 tunnel source 198.51.100.1",
    "interface tunnel-ip1 tunnel destination 198.51.100.2",
    "interface tunnel-ip1 tunnel protection ipsec profile I",
};

static void load_valid(struct fx *f, struct cfg_session *s)
{
	must(f, s, "configure");
	for (size_t i = 0; i < sizeof(valid_cfg) / sizeof(valid_cfg[0]); i++)
		must(f, s, valid_cfg[i]);
	must(f, s, "commit");
}

struct verr {
	const char *lines[4];
	const char *msg;
};

static const struct verr verrs[] = {
    {{"ikev2 proposal X dh-group 19", "ikev2 proposal X integrity sha-1"},
     "ikev2 proposal X: needs encryption"},
    {{"ikev2 proposal X encryption aes-cbc-128", "ikev2 proposal X prf sha-1",
      "ikev2 proposal X dh-group 19"},
     "ikev2 proposal X: AES-CBC encryption needs integrity"},
    {{"ikev2 proposal X encryption aes-gcm-128", "ikev2 proposal X dh-group 19"},
     "ikev2 proposal X: needs prf"},
    {{"ikev2 proposal X encryption aes-gcm-128", "ikev2 proposal X prf sha-1"},
     "ikev2 proposal X: needs dh-group"},
    {{"ikev2 policy Q proposal NOPE"}, "ikev2 policy Q: proposal NOPE does not exist"},
    {{"ikev2 policy Q match fvrf any"}, "ikev2 policy Q: needs at least one proposal"},
    {{"keyring K2 peer B pre-shared-key x"}, "keyring K2 peer B: needs address"},
    {{"keyring K2 peer B address 1.1.1.1 255.255.255.255"}, "keyring K2 peer B: needs a pre"},
    {{"keyring K2 peer B address 1.1.1.1 255.255.255.255",
      "keyring K2 peer B pre-shared-key local x"},
     "pre-shared-key local needs pre-shared-key remote"},
    {{"keyring K2"}, "keyring K2: needs at least one peer"},
    {{"ikev2 profile R keyring NOPE"}, "ikev2 profile R: keyring NOPE does not exist"},
    {{"ikev2 profile R2 lifetime 600"},
     "ikev2 profile R2: pre-shared authentication needs a keyring"},
    {{"ikev2 profile R authentication local rsa-signature"},
     "ikev2 profile R: rsa-signature authentication needs pki trustpoint"},
    {{"ikev2 profile R authentication remote rsa-signature", "ikev2 profile R pki trustpoint TP"},
     "ikev2 profile R: crypto ca trustpoint TP does not exist"},
    {{"ikev2 profile R authentication local rsa-signature", "ikev2 profile R pki trustpoint TP",
      "crypto ca trustpoint TP ca-certificate /ca.pem"},
     "authentication local rsa-signature needs certificate and private-key"},
    {{"ipsec transform-set T2 mode tunnel"}, "ipsec transform-set T2: needs transform"},
    {{"ipsec transform-set T2 transform esp-aes"}, "esp-aes needs an HMAC"},
    {{"ipsec transform-set T2 transform esp-gcm-256 esp-hmac-sha1"}, "esp-gcm-256 takes no HMAC"},
    {{"ipsec transform-set T2 transform esp-hmac-sha1"}, "T2: needs a cipher"},
    {{"ipsec profile I set ikev2-profile NOPE"},
     "ipsec profile I: ikev2 profile NOPE does not exist"},
    {{"ipsec profile I set transform-set T NOPE"},
     "ipsec profile I: ipsec transform-set NOPE does not exist"},
    {{"no ipsec profile I set ikev2-profile"}, "ipsec profile I: needs set ikev2-profile"},
    {{"ipsec profile I2 set ikev2-profile R", "ipsec profile I2 set transform-set T"}, NULL},
    {{"interface tunnel-ip1 tunnel protection ipsec profile NOPE"},
     "interface tunnel-ip1: ipsec profile NOPE does not exist"},
    {{"no interface tunnel-ip1 tunnel mode"}, "needs tunnel mode ipsec ipv4"},
    {{"no interface tunnel-ip1 tunnel source"}, "needs tunnel source"},
    {{"no interface tunnel-ip1 tunnel destination"}, "needs tunnel destination"},
    {{"no interface tunnel-ip1 ipv4 address"}, "needs ipv4 address"},
    {{"no ikev2 policy POL"}, "needs an ikev2 policy"},
    {{"interface tunnel-ip2 tunnel protection ipsec profile I",
      "interface tunnel-ip2 tunnel mode ipsec ipv4",
      "interface tunnel-ip2 tunnel source 198.51.100.1",
      "interface tunnel-ip2 tunnel destination 198.51.100.2"},
     "same tunnel source and destination"},
};

static void test_each_validation_error(void **state)
{
	struct fx *f = *state;
	load_valid(f, f->c.s);
	uint64_t v = cfg_db_version(f->c.db);
	for (size_t i = 0; i < sizeof(verrs) / sizeof(verrs[0]); i++) {
		must(f, f->c.s, "abort");
		must(f, f->c.s, "configure");
		for (size_t j = 0; j < 4 && verrs[i].lines[j]; j++)
			must(f, f->c.s, verrs[i].lines[j]);
		int rc = ex(f, f->c.s, "commit");
		if (!verrs[i].msg) {
			assert_int_equal(rc, 0); /* a valid change: keep going from it */
			v = cfg_db_version(f->c.db);
			continue;
		}
		if (rc == 0 || !strstr(sb_str(&f->c.err), verrs[i].msg))
			fail_msg("case %zu: want '%s', got rc %d:\n%s", i, verrs[i].msg, rc,
			         sb_str(&f->c.err));
		assert_int_equal(cfg_db_version(f->c.db), v); /* nothing changed */
	}
}

static void test_all_problems_listed(void **state)
{
	struct fx *f = *state;
	load_valid(f, f->c.s);
	int applied = f->applied;
	must(f, f->c.s, "ipsec profile I set ikev2-profile NOPE");
	must(f, f->c.s, "ipsec transform-set T transform esp-aes");
	must(f, f->c.s, "ipsec profile I2 set ikev2-profile R");
	must(f, f->c.s, "ipsec profile I3 set ikev2-profile R");
	must(f, f->c.s, "ipsec profile I4 set ikev2-profile R");
	assert_int_not_equal(ex(f, f->c.s, "commit"), 0);
	const char *e = sb_str(&f->c.err);
	assert_non_null(strstr(e, "% Failed to commit one or more configuration items"));
	assert_non_null(strstr(e, "ikev2 profile NOPE does not exist"));
	assert_non_null(strstr(e, "esp-aes needs an HMAC"));
	assert_non_null(strstr(e, "at most 3 ipsec profiles are supported (4 configured)"));
	assert_non_null(strstr(e, "ipsec profile I2: needs set transform-set"));
	assert_int_equal(f->applied, applied); /* the hook was not called */
	assert_null(cfg_find_ipsec_profile(cfg_db_running(f->c.db), "I2"));
}

static void test_apply_hook_refuses(void **state)
{
	struct fx *f = *state;
	load_valid(f, f->c.s);
	assert_int_equal(f->applied, 1);
	must(f, f->c.s, "hostname r1");
	f->refuse = true;
	assert_int_not_equal(ex(f, f->c.s, "commit"), 0);
	assert_non_null(
	    strstr(sb_str(&f->c.err), "% Commit failed: tunnel source interface mgmt9"));
	assert_string_equal(cfg_db_running(f->c.db)->hostname, "");
	f->refuse = false;
	must(f, f->c.s, "commit");
	assert_string_equal(cfg_db_running(f->c.db)->hostname, "r1");
	assert_string_equal(f->last_host, "r1");
}

static void test_confirmed_commit_expires(void **state)
{
	struct fx *f = *state;
	load_valid(f, f->c.s);
	must(f, f->c.s, "hostname trial");
	must(f, f->c.s, "commit confirmed 60");
	assert_string_equal(cfg_db_running(f->c.db)->hostname, "trial");
	assert_int_equal(cfg_db_confirm_deadline(f->c.db), 1700000000 + 60);
	/* another session cannot commit during the trial */
	struct cfg_session *b = cfg_session_new(f->c.db, "bob", false);
	must(f, b, "configure");
	must(f, b, "hostname other");
	assert_int_not_equal(ex(f, b, "commit"), 0);
	assert_non_null(strstr(sb_str(&f->c.err), "on trial"));
	cfg_session_free(b);
	t_clock_set(1700000000 + 59);
	assert_int_equal(cfg_db_trial_expire(f->c.db), 0);
	t_clock_set(1700000000 + 60);
	assert_int_equal(cfg_db_trial_expire(f->c.db), 1);
	assert_string_equal(cfg_db_running(f->c.db)->hostname, "");
	assert_string_equal(f->last_host, ""); /* rolled back through the hook */
	assert_int_equal(cfg_db_confirm_deadline(f->c.db), 0);
	must(f, f->c.s, "show configuration commit list");
	assert_non_null(strstr(sb_str(&f->c.out), "Rollback"));
	assert_non_null(strstr(sb_str(&f->c.out), "commit confirmed timed out"));
}

static void test_confirmed_commit_confirmed(void **state)
{
	struct fx *f = *state;
	load_valid(f, f->c.s);
	must(f, f->c.s, "hostname kept");
	must(f, f->c.s, "commit confirmed minutes 2");
	assert_int_equal(cfg_db_confirm_deadline(f->c.db), 1700000000 + 120);
	must(f, f->c.s, "commit");
	assert_non_null(strstr(sb_str(&f->c.out), "% Confirming commit for trial session."));
	assert_int_equal(cfg_db_confirm_deadline(f->c.db), 0);
	t_clock_set(1700000000 + 1000);
	assert_int_equal(cfg_db_trial_expire(f->c.db), 0);
	assert_string_equal(cfg_db_running(f->c.db)->hostname, "kept");
	assert_int_not_equal(ex(f, f->c.s, "commit confirmed 29"), 0);
	assert_non_null(strstr(sb_str(&f->c.err), "must be 30-65535"));
}

static void test_rollback_and_history(void **state)
{
	struct fx *f = *state;
	must(f, f->c.s, "configure");
	must(f, f->c.s, "hostname h1");
	must(f, f->c.s, "commit comment first change");
	must(f, f->c.s, "hostname h2");
	must(f, f->c.s, "commit");
	must(f, f->c.s, "hostname h3");
	must(f, f->c.s, "commit");
	must(f, f->c.s, "end");
	must(f, f->c.s, "rollback configuration last 2");
	assert_string_equal(cfg_db_running(f->c.db)->hostname, "h1");
	must(f, f->c.s, "rollback configuration last 1");
	assert_string_equal(cfg_db_running(f->c.db)->hostname, "h3");
	must(f, f->c.s, "rollback configuration last 5");
	assert_string_equal(cfg_db_running(f->c.db)->hostname, ""); /* before the first commit */
	assert_int_not_equal(ex(f, f->c.s, "rollback configuration last 7"), 0);
	assert_non_null(strstr(sb_str(&f->c.err), "Only 6 commits recorded"));
	must(f, f->c.s, "show configuration commit list");
	const char *o = sb_str(&f->c.out);
	assert_non_null(strstr(o, "1     1000000006   alice        Rollback"));
	assert_non_null(strstr(o, "rollback configuration last 5"));
	assert_non_null(strstr(
	    o, "6     1000000001   alice        CLI       Tue Nov 14 22:13:20 2023  first change"));
}

static void test_concurrent_sessions(void **state)
{
	struct fx *f = *state;
	struct cfg_session *b = cfg_session_new(f->c.db, "bob", false);
	must(f, f->c.s, "configure");
	must(f, b, "configure");
	must(f, f->c.s, "ikev2 proposal P encryption aes-cbc-128");
	must(f, f->c.s, "ikev2 proposal P integrity sha-1");
	must(f, f->c.s, "ikev2 proposal P dh-group 19");
	must(f, b, "ikev2 proposal P dh-group 20");
	must(f, b, "ikev2 proposal Q encryption aes-gcm-256");
	must(f, b, "ikev2 proposal Q prf sha-384");
	must(f, b, "ikev2 proposal Q dh-group 21");
	must(f, f->c.s, "commit");
	/* bob touched P too: refused, nothing changes */
	assert_int_not_equal(ex(f, b, "commit"), 0);
	assert_non_null(strstr(sb_str(&f->c.err), "% Commit failed: the running configuration "
	                                          "changed since this session began (commit "
	                                          "1000000001 by alice): both changed ikev2 "
	                                          "proposal P; re-enter configuration"));
	assert_null(cfg_find_proposal(cfg_db_running(f->c.db), "Q"));
	/* a session whose changes do not overlap is merged */
	must(f, b, "abort");
	must(f, b, "configure");
	must(f, f->c.s, "hostname h");
	must(f, b, "ikev2 proposal Q encryption aes-gcm-256");
	must(f, b, "ikev2 proposal Q prf sha-384");
	must(f, b, "ikev2 proposal Q dh-group 21");
	must(f, f->c.s, "commit");
	must(f, b, "commit");
	const struct cfg *r = cfg_db_running(f->c.db);
	assert_non_null(cfg_find_proposal(r, "Q"));
	assert_non_null(cfg_find_proposal(r, "P"));
	assert_string_equal(r->hostname, "h");
	cfg_session_free(b);
}

static void test_abort_and_end(void **state)
{
	struct fx *f = *state;
	must(f, f->c.s, "configure");
	must(f, f->c.s, "hostname gone");
	must(f, f->c.s, "abort");
	assert_false(cfg_session_in_config(f->c.s));
	must(f, f->c.s, "configure");
	assert_false(cfg_session_has_changes(f->c.s));
	must(f, f->c.s, "hostname gone2");
	must(f, f->c.s, "end");
	assert_non_null(strstr(sb_str(&f->c.err), "% WARNING: uncommitted changes discarded"));
	assert_false(cfg_session_in_config(f->c.s));
	assert_string_equal(cfg_db_running(f->c.db)->hostname, "");
	/* interactive: asked; `cancel` stays, `yes` commits and leaves */
	cfg_session_set_interactive(f->c.s, true);
	must(f, f->c.s, "configure");
	must(f, f->c.s, "hostname asked");
	must(f, f->c.s, "end");
	struct strbuf p = STRBUF_INIT;
	cfg_session_prompt(f->c.s, &p);
	assert_non_null(strstr(sb_str(&p), "Uncommitted changes found, commit them"));
	must(f, f->c.s, "cancel");
	assert_true(cfg_session_in_config(f->c.s));
	must(f, f->c.s, "exit");
	must(f, f->c.s, "no");
	assert_false(cfg_session_in_config(f->c.s));
	assert_string_equal(cfg_db_running(f->c.db)->hostname, "");
	must(f, f->c.s, "configure");
	must(f, f->c.s, "hostname asked");
	must(f, f->c.s, "end");
	must(f, f->c.s, "yes");
	assert_false(cfg_session_in_config(f->c.s));
	assert_string_equal(cfg_db_running(f->c.db)->hostname, "asked");
	must(f, f->c.s, "exit");
	assert_true(cfg_session_closed(f->c.s));
	sb_free(&p);
}

static void test_psk_never_shown(void **state)
{
	struct fx *f = *state;
	load_valid(f, f->c.s);
	must(f, f->c.s, "keyring K peer A pre-shared-key NewSecretKey77");
	must(f, f->c.s, "keyring K peer B pre-shared-key local LocalSecret1");
	must(f, f->c.s, "keyring K peer B pre-shared-key remote RemoteSecret2");
	must(f, f->c.s, "keyring K peer B address 198.51.100.3 255.255.255.255");
	must(f, f->c.s, "show configuration");
	const char *shows[] = {"show configuration",          "show running-config",
	                       "show running-config keyring", "commit",
	                       "show running-config",         "show configuration commit list"};
	for (size_t i = 0; i < sizeof(shows) / sizeof(shows[0]); i++) {
		must(f, f->c.s, shows[i]);
		const char *o = sb_str(&f->c.out);
		assert_null(strstr(o, "Secret"));
		if (i < 3)
			assert_non_null(strstr(o, "pre-shared-key"));
	}
	must(f, f->c.s, "show running-config keyring");
	assert_non_null(strstr(sb_str(&f->c.out), "  pre-shared-key local ******\n"));
	/* the model keeps the real key for the daemon */
	const struct cfg_keyring *k = cfg_find_keyring(cfg_db_running(f->c.db), "K");
	const struct cfg_peer *a = cfg_find_peer(k, "A");
	assert_int_equal(a->psk.len, strlen("NewSecretKey77"));
	assert_memory_equal(a->psk.ptr, "NewSecretKey77", a->psk.len);
}

static void test_show_sections_and_ops(void **state)
{
	struct fx *f = *state;
	load_valid(f, f->c.s);
	must(f, f->c.s, "show running-config interface tunnel-ip1");
	assert_true(strncmp(sb_str(&f->c.out), "interface tunnel-ip1\n", 21) == 0);
	assert_null(strstr(sb_str(&f->c.out), "keyring"));
	must(f, f->c.s, "show running-config ikev2");
	assert_non_null(strstr(sb_str(&f->c.out), "ikev2 proposal P\n"));
	assert_non_null(strstr(sb_str(&f->c.out), "ikev2 profile R\n"));
	assert_null(strstr(sb_str(&f->c.out), "ipsec"));
	must(f, f->c.s, "show running-config ipsec bogus");
	assert_string_equal(sb_str(&f->c.out), "% No such configuration item(s)\n");
	must(f, f->c.s, "end");
	assert_int_not_equal(ex(f, f->c.s, "show ikev2 session detail"), 0);
	assert_non_null(strstr(sb_str(&f->c.err), "needs the running daemon"));
}

struct op_seen {
	enum cfg_op op;
	struct cfg_op_args a;
};

static int op_hook(void *arg, enum cfg_op op, const struct cfg_op_args *a, struct strbuf *out,
                   struct strbuf *err)
{
	struct op_seen *s = arg;
	s->op = op;
	s->a = *a;
	sb_puts(out, "op output\n");
	return 0;
}

static void test_ops_callback(void **state)
{
	struct fx *f = *state;
	struct op_seen seen = {0};
	cfg_db_set_ops(f->c.db, op_hook, &seen);
	must(f, f->c.s, "show ikev2 session detail");
	assert_int_equal(seen.op, CFG_OP_SHOW_IKEV2_SESSION_DETAIL);
	must(f, f->c.s, "sh ikev2 sess");
	assert_int_equal(seen.op, CFG_OP_SHOW_IKEV2_SESSION);
	must(f, f->c.s, "show ikev2 summary");
	assert_int_equal(seen.op, CFG_OP_SHOW_IKEV2_SUMMARY);
	must(f, f->c.s, "show ipsec sa interface tunnel-ip7");
	assert_int_equal(seen.op, CFG_OP_SHOW_IPSEC_SA);
	assert_true(seen.a.has_tunnel);
	assert_int_equal(seen.a.tunnel, 7);
	must(f, f->c.s, "clear ikev2 session 12");
	assert_int_equal(seen.op, CFG_OP_CLEAR_IKEV2_SESSION);
	assert_true(seen.a.has_id);
	assert_int_equal(seen.a.id, 12);
	must(f, f->c.s, "clear ipsec sa");
	assert_int_equal(seen.op, CFG_OP_CLEAR_IPSEC_SA);
	assert_false(seen.a.has_tunnel);
	assert_string_equal(sb_str(&f->c.out), "op output\n");
}

int main(void)
{
	setenv("TZ", "UTC", 1);
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, cfg_fx_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_each_validation_error),
	    T(test_all_problems_listed),
	    T(test_apply_hook_refuses),
	    T(test_confirmed_commit_expires),
	    T(test_confirmed_commit_confirmed),
	    T(test_rollback_and_history),
	    T(test_concurrent_sessions),
	    T(test_abort_and_end),
	    T(test_psk_never_shown),
	    T(test_show_sections_and_ops),
	    T(test_ops_callback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

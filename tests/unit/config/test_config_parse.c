/* Grammar, parser, `no` forms, both entry forms, abbreviations, prompts, help, completion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_test_util.h"
#include "config/render.h"

/* The candidate in file form (what `show configuration` would be built from). */
static char *cand_text(struct cfg_fx *f)
{
	struct strbuf b = STRBUF_INIT;
	assert_int_equal(cfg_fx_ex(f, "show configuration"), 0);
	sb_puts(&b, sb_str(&f->out));
	return b.s;
}

static const char *const good_lines[] = {
    "hostname R1",
    "interface-name-map MgmtEth0/RP0/CPU0/0 mgmt0",
    "ikev2 proposal P1 encryption aes-cbc-128 aes-cbc-192 aes-cbc-256 aes-gcm-128 aes-gcm-256",
    "ikev2 proposal P1 integrity sha-1 sha-256 sha-384 sha-512",
    "ikev2 proposal P1 prf sha-1 sha-256 sha-384 sha-512",
    "ikev2 proposal P1 dh-group 19 20 21",
    "ikev2 policy POL proposal P1",
    "ikev2 policy POL match address local 198.51.100.1",
    "ikev2 policy POL match fvrf any",
    "ikev2 policy POL2 match fvrf blue",
    "keyring K peer A address 198.51.100.2 255.255.255.255",
    "keyring K peer A pre-shared-key cisco123",
    "keyring K peer A pre-shared-key password cisco123",
    "keyring K peer B pre-shared-key local k-local!",
    "keyring K peer B pre-shared-key remote k-remote?x",
    "ikev2 profile PR keyring K",
    "ikev2 profile PR lifetime 120",
    "ikev2 profile PR lifetime 86400",
    "ikev2 profile PR authentication local pre-shared",
    "ikev2 profile PR authentication local rsa-signature",
    "ikev2 profile PR authentication remote pre-shared",
    "ikev2 profile PR authentication remote rsa-signature",
    "ikev2 profile PR match identity remote address 198.51.100.2 255.255.255.255",
    "ikev2 profile PR match identity remote fqdn r2.example.net",
    "ikev2 profile PR match fvrf any",
    "ikev2 profile PR pki trustpoint TP",
    "ikev2 profile PR dpd 10 2",
    "ikev2 profile PR dpd 3600 60",
    "ikev2 profile PR nat force-encap",
    "crypto ca trustpoint TP ca-certificate /etc/mgmtsec/ca.pem",
    "crypto ca trustpoint TP certificate /etc/mgmtsec/r1.pem",
    "crypto ca trustpoint TP private-key /etc/mgmtsec/r1.key",
    "crypto ca trustpoint TP crl /etc/mgmtsec/ca.crl",
    "ipsec transform-set T mode tunnel",
    "ipsec transform-set T transform esp-aes esp-hmac-sha1",
    "ipsec transform-set T transform esp-hmac-sha-256 esp-192-aes",
    "ipsec transform-set T transform esp-256-aes esp-hmac-sha-384",
    "ipsec transform-set T transform esp-256-aes esp-hmac-sha-512",
    "ipsec transform-set T transform esp-gcm-128",
    "ipsec transform-set T transform esp-gcm-256",
    "ipsec profile IP set ikev2-profile PR",
    "ipsec profile IP set transform-set T",
    "ipsec profile IP set transform-set T1 T2 T3 T4 T5",
    "ipsec profile IP set pfs group19",
    "ipsec profile IP set pfs group20",
    "ipsec profile IP set pfs group21",
    "ipsec profile IP set security-association lifetime seconds 120",
    "ipsec profile IP set security-association lifetime seconds 2592000",
    "ipsec profile IP set security-association replay window-size 64",
    "ipsec profile IP set security-association replay window-size 1024",
    "interface tunnel-ip0 shutdown",
    "interface tunnel-ip65535 description link to the other router",
    "interface tunnel-ip1 ipv4 address 192.0.2.1 255.255.255.0",
    "interface tunnel-ip1 tunnel mode ipsec ipv4",
    "interface tunnel-ip1 tunnel source MgmtEth0/RP0/CPU0/0",
    "interface tunnel-ip1 tunnel source 198.51.100.1",
    "interface tunnel-ip1 tunnel destination 198.51.100.2",
    "interface tunnel-ip1 tunnel protection ipsec profile IP",
};

static void test_every_command_accepted(void **state)
{
	struct cfg_fx *f = *state;
	for (size_t i = 0; i < sizeof(good_lines) / sizeof(good_lines[0]); i++) {
		int rc = cfg_fx_ex(f, good_lines[i]);
		if (rc)
			fail_msg("refused: %s\n%s", good_lines[i], sb_str(&f->err));
		assert_string_equal(sb_str(&f->err), "");
	}
}

struct bad {
	const char *line;
	int caret;       /* column of the caret, -1 = incomplete (no caret) */
	const char *why; /* substring of the message */
};

static const struct bad bad_lines[] = {
    {"ikev2 policy P match fvrfl any", 21, "expected: address, fvrf"},
    {"ikev2 proposal P encryption aes-cbc-512", 28, "expected: aes-cbc-128"},
    {"ikev2 proposal P integrity sha256", 27, "expected: sha-1"},
    {"ikev2 proposal P prf md5", 21, "Invalid input"},
    {"ikev2 proposal P dh-group 14", 26, "expected: 19, 20, 21"},
    {"ikev2 proposal P encryption aes-cbc-128 aes-cbc-192 aes-cbc-256 aes-gcm-128 aes-gcm-256 "
     "aes-cbc-128",
     88, "at most 5 values"},
    {"ikev2 proposal P dh-group 19 19", 29, "listed twice"},
    {"ikev2 proposal P$ prf sha-1", 15, "names use letters"},
    {"ikev2 proposal 123456789012345678901234567890123 prf sha-1", 15, "1-32 characters"},
    {"ikev2 profile PR lifetime 119", 26, "lifetime must be 120-86400"},
    {"ikev2 profile PR lifetime 86401", 26, "lifetime must be 120-86400"},
    {"ikev2 profile PR dpd 9 2", 21, "dpd interval must be 10-3600"},
    {"ikev2 profile PR dpd 10 61", 24, "dpd retry must be 2-60"},
    {"ikev2 profile PR authentication local eap", 38, "expected: pre-shared"},
    {"ikev2 profile PR match identity remote address 1.2.3.4 255.0.255.0", 55, "contiguous"},
    {"ikev2 profile PR match identity remote address 1.2.3", 47, "not an IPv4"},
    {"keyring K peer A address 198.51.100.300 255.255.255.255", 25, "not an IPv4"},
    {"keyring K peer A pre-shared-key ***", 32, "masked form"},
    {"ipsec transform-set T transform esp-128-aes esp-hmac-sha1", 32, "expected: esp-aes"},
    {"ipsec transform-set T transform esp-aes esp-aes", 40, "expected: esp-hmac-sha1"},
    {"ipsec transform-set T mode transport", 27, "expected: tunnel"},
    {"ipsec profile IP set pfs group14", 25, "expected: group19"},
    {"ipsec profile IP set security-association lifetime seconds 2592001", 59,
     "must be 120-2592000"},
    {"ipsec profile IP set security-association replay window-size 100", 61, "expected: 64"},
    {"ipsec profile IP set transform-set A A", 37, "listed twice"},
    {"ipsec profile set ikev2 profile X", 18, "IPsec profile name is missing"},
    {"ipsec profile X set ikev2 profile Y", 34, "set ikev2-profile NAME"},
    {"interface tunnel-ip65536 shutdown", 10, "must be 0-65535"},
    {"interface tunnel-ip1 tunnel mode gre ipv4", 33, "expected: ipsec"},
    {"interface tunnel-ip1 tunnel mode ipsec ipv6", 39, "expected: ipv4"},
    {"interface tunnel-ip1 tunnel destination 2001:db8::1", 40, "Invalid input"},
    {"interface tunnel-ip1 tunnel source 1.2.3.999", 35, "not an IPv4"},
    {"interface GigabitEthernet0/0/0/0 shutdown", 10, "expected: tunnel-ip"},
    {"interface-name-map Mgmt0 name/with/slash", 25, "Linux interface names"},
    {"hostname R1 extra", 12, "Invalid input"},
    {"ikev2 proposal P prf", -1, "expected: sha-1"},
    {"keyring K peer A address 1.2.3.4", -1, "expected: A.B.C.D"},
    {"c", 0, "may be commit, configure, crypto"},
    {"no commit", 3, "Invalid input"},
    {"no", -1, "Incomplete"},
};

static void test_bad_values_rejected(void **state)
{
	struct cfg_fx *f = *state;
	for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		const struct bad *b = &bad_lines[i];
		if (cfg_fx_ex(f, b->line) == 0)
			fail_msg("accepted: %s", b->line);
		const char *e = sb_str(&f->err);
		if (!strstr(e, b->why))
			fail_msg("%s: message lacks '%s':\n%s", b->line, b->why, e);
		if (b->caret < 0) {
			assert_non_null(strstr(e, "% Incomplete command."));
			continue;
		}
		char want[256];
		snprintf(want, sizeof(want), "%s\n%*s^\n", b->line, b->caret, "");
		if (strncmp(e, want, strlen(want)))
			fail_msg("caret for '%s' wrong:\n%s", b->line, e);
	}
	/* nothing reached the candidate */
	char *c = cand_text(f);
	assert_null(strstr(c, "ikev2 proposal P\n"));
	assert_null(strstr(c, "keyring"));
	free(c);
}

struct neg {
	const char *set, *no, *gone; /* `gone` must be absent from the candidate after `no` */
	const char *kept;            /* and this must still be there (NULL: none) */
};

static const struct neg neg_cases[] = {
    {"hostname R9", "no hostname", "hostname", NULL},
    {"interface-name-map A0 eth9", "no interface-name-map A0", "interface-name-map", NULL},
    {"ikev2 proposal P encryption aes-cbc-128", "no ikev2 proposal P encryption", "encryption",
     "ikev2 proposal P"},
    {"ikev2 proposal P integrity sha-1", "no ikev2 proposal P integrity sha-1", "integrity",
     "ikev2 proposal P"},
    {"ikev2 proposal P prf sha-1", "no ikev2 proposal P prf", " prf", NULL},
    {"ikev2 proposal P dh-group 19", "no ikev2 proposal P dh-group", "dh-group", NULL},
    {"ikev2 proposal P dh-group 19", "no ikev2 proposal P", "ikev2 proposal P", NULL},
    {"ikev2 policy Q proposal P", "no ikev2 policy Q proposal P", "proposal P\n", "ikev2 policy Q"},
    {"ikev2 policy Q proposal P", "no ikev2 policy Q proposal", "proposal P\n", NULL},
    {"ikev2 policy Q match address local 1.1.1.1", "no ikev2 policy Q match address local",
     "match address", NULL},
    {"ikev2 policy Q match fvrf any", "no ikev2 policy Q match fvrf", "fvrf", NULL},
    {"ikev2 policy Q match fvrf any", "no ikev2 policy Q", "ikev2 policy Q", NULL},
    {"keyring K peer A address 1.1.1.1 255.255.255.255", "no keyring K peer A address", "address",
     " peer A"},
    {"keyring K peer A pre-shared-key secret1", "no keyring K peer A pre-shared-key",
     "pre-shared-key", " peer A"},
    {"keyring K peer A pre-shared-key local secret1", "no keyring K peer A pre-shared-key local",
     "pre-shared-key local", NULL},
    {"keyring K peer A pre-shared-key remote secret1", "no keyring K peer A pre-shared-key remote",
     "pre-shared-key remote", NULL},
    {"keyring K peer A pre-shared-key secret1", "no keyring K peer A", " peer A", "keyring K"},
    {"keyring K peer A pre-shared-key secret1", "no keyring K", "keyring K", NULL},
    {"ikev2 profile R keyring K", "no ikev2 profile R keyring", " keyring", "ikev2 profile R"},
    {"ikev2 profile R lifetime 600", "no ikev2 profile R lifetime", "lifetime", NULL},
    {"ikev2 profile R authentication local rsa-signature",
     "no ikev2 profile R authentication local", "authentication", NULL},
    {"ikev2 profile R authentication remote rsa-signature",
     "no ikev2 profile R authentication remote rsa-signature", "authentication", NULL},
    {"ikev2 profile R match identity remote address 1.1.1.1 255.255.255.255",
     "no ikev2 profile R match identity remote address 1.1.1.1 255.255.255.255", "match identity",
     NULL},
    {"ikev2 profile R match identity remote fqdn a.example",
     "no ikev2 profile R match identity remote fqdn", "fqdn", NULL},
    {"ikev2 profile R match fvrf any", "no ikev2 profile R match fvrf", "fvrf", NULL},
    {"ikev2 profile R pki trustpoint TP", "no ikev2 profile R pki trustpoint", "pki", NULL},
    {"ikev2 profile R dpd 10 3", "no ikev2 profile R dpd", "dpd", NULL},
    {"ikev2 profile R nat force-encap", "no ikev2 profile R nat force-encap", "nat force-encap",
     NULL},
    {"ikev2 profile R dpd 10 3", "no ikev2 profile R", "ikev2 profile R", NULL},
    {"crypto ca trustpoint TP crl /x.crl", "no crypto ca trustpoint TP crl", "crl", "trustpoint"},
    {"crypto ca trustpoint TP ca-certificate /ca", "no crypto ca trustpoint TP", "trustpoint",
     NULL},
    {"ipsec transform-set T mode tunnel", "no ipsec transform-set T mode", "mode",
     "transform-set T"},
    {"ipsec transform-set T transform esp-aes esp-hmac-sha1", "no ipsec transform-set T transform",
     "transform esp", NULL},
    {"ipsec transform-set T mode tunnel", "no ipsec transform-set T", "transform-set", NULL},
    {"ipsec profile I set ikev2-profile R", "no ipsec profile I set ikev2-profile", "ikev2-profile",
     "ipsec profile I"},
    {"ipsec profile I set transform-set T", "no ipsec profile I set transform-set",
     "set transform-set", NULL},
    {"ipsec profile I set pfs group20", "no ipsec profile I set pfs", "pfs", NULL},
    {"ipsec profile I set security-association lifetime seconds 999",
     "no ipsec profile I set security-association lifetime seconds", "lifetime", NULL},
    {"ipsec profile I set security-association replay window-size 128",
     "no ipsec profile I set security-association replay window-size", "replay", NULL},
    {"ipsec profile I set pfs group20", "no ipsec profile I", "ipsec profile", NULL},
    {"interface tunnel-ip3 ipv4 address 192.0.2.1 255.255.255.0",
     "no interface tunnel-ip3 ipv4 address", "ipv4", "interface tunnel-ip3"},
    {"interface tunnel-ip3 tunnel mode ipsec ipv4", "no interface tunnel-ip3 tunnel mode",
     "tunnel mode", NULL},
    {"interface tunnel-ip3 tunnel source eth0", "no interface tunnel-ip3 tunnel source", "source",
     NULL},
    {"interface tunnel-ip3 tunnel destination 1.1.1.1",
     "no interface tunnel-ip3 tunnel destination", "destination", NULL},
    {"interface tunnel-ip3 tunnel protection ipsec profile I",
     "no interface tunnel-ip3 tunnel protection ipsec profile", "protection", NULL},
    {"interface tunnel-ip3 shutdown", "no interface tunnel-ip3 shutdown", "shutdown", NULL},
    {"interface tunnel-ip3 description hello world", "no interface tunnel-ip3 description",
     "description", NULL},
    {"interface tunnel-ip3 shutdown", "no interface tunnel-ip3", "tunnel-ip3", NULL},
};

static void test_no_forms(void **state)
{
	struct cfg_fx *f = *state;
	for (size_t i = 0; i < sizeof(neg_cases) / sizeof(neg_cases[0]); i++) {
		const struct neg *n = &neg_cases[i];
		assert_int_equal(cfg_fx_ex(f, "abort"), 0);
		assert_int_equal(cfg_fx_ex(f, "configure"), 0);
		if (cfg_fx_ex(f, n->set) || cfg_fx_ex(f, n->no))
			fail_msg("%s / %s: %s", n->set, n->no, sb_str(&f->err));
		char *c = cand_text(f);
		if (strstr(c, n->gone))
			fail_msg("'%s' still there after '%s':\n%s", n->gone, n->no, c);
		if (n->kept && !strstr(c, n->kept))
			fail_msg("'%s' vanished after '%s':\n%s", n->kept, n->no, c);
		free(c);
	}
}

static const char one_line[] =
    "ikev2 proposal P1 prf sha-256\n"
    "ikev2 proposal P1 dh-group 20\n"
    "keyring K peer A pre-shared-key s3cret\n"
    "keyring K peer A address 198.51.100.2 255.255.255.255\n"
    "ikev2 profile R keyring K\n"
    "ikev2 profile R match identity remote address 198.51.100.2 255.255.255.255\n"
    "interface tunnel-ip1 tunnel destination 198.51.100.2\n";

static const char block[] = "ikev2 proposal P1\n"
                            " prf sha-256\n"
                            " dh-group 20\n"
                            "keyring K\n"
                            " peer A\n"
                            "  pre-shared-key s3cret\n"
                            "  address 198.51.100.2 255.255.255.255\n"
                            " !\n"
                            "!\n"
                            "ikev2 profile R\n"
                            " keyring K\n" /* the profile's keyring, not a new top-level keyring */
                            " match identity remote address 198.51.100.2 255.255.255.255\n"
                            "interface tunnel-ip1\n"
                            " tunnel destination 198.51.100.2\n"
                            " exit\n";

static char *model_after(const char *script)
{
	struct cfg_db *db = cfg_db_new(NULL);
	struct cfg_session *s = cfg_session_new(db, "t", false);
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, text = STRBUF_INIT;
	assert_int_equal(t_exec(s, "configure", &out, &err), 0);
	char *copy = strdup(script), *save = NULL;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (t_exec(s, l, &out, &err))
			fail_msg("%s: %s", l, sb_str(&err));
	assert_int_equal(t_exec(s, "show configuration", &out, &err), 0);
	sb_puts(&text, sb_str(&out));
	free(copy);
	sb_free(&out);
	sb_free(&err);
	cfg_session_free(s);
	cfg_db_free(db);
	return text.s;
}

static void test_both_forms_same_model(void **state)
{
	char *a = model_after(one_line), *b = model_after(block);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "ikev2 profile R\n keyring K\n"));
	free(a);
	free(b);
}

static void test_prompts_and_modes(void **state)
{
	struct cfg_fx *f = *state;
	struct strbuf p = STRBUF_INIT;
	const struct {
		const char *line, *prompt;
	} steps[] = {
	    {"ikev2 proposal P1", "Router(config-ikev2-proposal)#"},
	    {"prf sha-1", "Router(config-ikev2-proposal)#"},
	    {"keyring K", "Router(config-ikev2-keyring)#"},
	    {"peer A", "Router(config-ikev2-keyring-peer)#"},
	    {"pre-shared-key abc", "Router(config-ikev2-keyring-peer)#"},
	    {"exit", "Router(config-ikev2-keyring)#"},
	    {"peer B", "Router(config-ikev2-keyring-peer)#"},
	    {"ikev2 profile R", "Router(config-ikev2-profile)#"},    /* falls back to global */
	    {"show configuration", "Router(config-ikev2-profile)#"}, /* keeps the sub-mode */
	    {"ipsec transform-set T", "Router(config-ipsec-transform-set)#"},
	    {"ipsec profile I", "Router(config-ipsec-profile)#"},
	    {"crypto ca trustpoint TP", "Router(config-ca-trustpoint)#"},
	    {"interface tunnel-ip4", "Router(config-if)#"},
	    {"exit", "Router(config)#"},
	    {"abort", "Router#"},
	    {"configure", "Router(config)#"},
	    {"hostname edge1", "Router(config)#"}, /* the prompt shows the committed name */
	    {"commit", "edge1(config)#"},
	    {"end", "edge1#"},
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (cfg_fx_ex(f, steps[i].line))
			fail_msg("%s: %s", steps[i].line, sb_str(&f->err));
		sb_reset(&p);
		cfg_session_prompt(f->s, &p);
		if (strcmp(sb_str(&p), steps[i].prompt))
			fail_msg("after '%s': prompt %s, want %s", steps[i].line, sb_str(&p),
			         steps[i].prompt);
	}
	sb_free(&p);
}

static void test_abbreviations(void **state)
{
	struct cfg_fx *f = *state;
	assert_int_equal(cfg_fx_ex(f, "ikev prop P1 enc aes-cbc-128"), 0);
	assert_int_equal(cfg_fx_ex(f, "ikev2 proposal P1 int sha-1"), 0);
	assert_int_equal(cfg_fx_ex(f, "int tunnel-ip2 tun dest 198.51.100.9"),
	                 0); /* int = interface */
	assert_int_equal(cfg_fx_ex(f, "sh conf"), 0);
	assert_non_null(strstr(sb_str(&f->out), "encryption aes-cbc-128"));
	assert_non_null(strstr(sb_str(&f->out), "tunnel destination 198.51.100.9"));
	assert_int_equal(cfg_fx_ex(f, "end"), 0);
	assert_int_equal(cfg_fx_ex(f, "sh run"), 0);
	assert_non_null(strstr(sb_str(&f->out), "!! Building configuration..."));
	assert_int_equal(cfg_fx_ex(f, "conf t"), 0);
	assert_true(cfg_session_in_config(f->s));
	assert_int_equal(cfg_fx_ex(f, "end"), 0);
	assert_int_equal(cfg_fx_ex(f, "config"), 0);
	assert_true(cfg_session_in_config(f->s));
	assert_int_equal(cfg_fx_ex(f, "end"), 0);
	assert_int_not_equal(cfg_fx_ex(f, "c"), 0); /* clear / configure */
	assert_non_null(strstr(sb_str(&f->err), "Ambiguous"));
}

static void test_help(void **state)
{
	struct cfg_fx *f = *state;
	struct strbuf h = STRBUF_INIT;
	assert_int_equal(cfg_help(f->s, "ikev2 proposal P1 ", &h), 5); /* 4 keywords + <cr> */
	assert_non_null(strstr(sb_str(&h), "  dh-group    Diffie-Hellman groups"));
	assert_non_null(strstr(sb_str(&h), "  <cr>"));
	sb_reset(&h);
	assert_int_equal(cfg_help(f->s, "ikev2 proposal P1 encryption aes-cbc-128 ", &h), 6);
	assert_non_null(strstr(sb_str(&h), "aes-gcm-256"));
	sb_reset(&h);
	assert_int_equal(cfg_help(f->s, "ikev2 profile X lifetime ", &h), 1);
	assert_string_equal(sb_str(&h), "  <120-86400>  Seconds\n");
	sb_reset(&h);
	assert_int_equal(cfg_help(f->s, "ikev2 p", &h), 3);
	assert_non_null(strstr(sb_str(&h), "policy"));
	assert_non_null(strstr(sb_str(&h), "profile"));
	assert_non_null(strstr(sb_str(&h), "proposal"));
	sb_reset(&h);
	assert_true(cfg_help(f->s, "", &h) > 10);
	assert_non_null(strstr(sb_str(&h), "  no "));
	assert_non_null(strstr(sb_str(&h), "  commit "));
	sb_reset(&h);
	assert_int_equal(cfg_help(f->s, "ikev2 policy P match fvrfl ", &h), -1);
	assert_non_null(strstr(sb_str(&h), "^"));
	/* in a sub-mode: the mode's commands plus the session commands */
	assert_int_equal(cfg_fx_ex(f, "ipsec transform-set T"), 0);
	sb_reset(&h);
	cfg_help(f->s, "", &h);
	assert_non_null(strstr(sb_str(&h), "  transform "));
	assert_non_null(strstr(sb_str(&h), "  exit "));
	assert_null(strstr(sb_str(&h), "  hostname "));
	/* a trailing ? in an executed line gives help */
	assert_int_equal(cfg_fx_ex(f, "transform esp-aes ?"), 0);
	assert_non_null(strstr(sb_str(&f->out), "esp-hmac-sha-512"));
	sb_free(&h);
}

static void test_completion(void **state)
{
	struct cfg_fx *f = *state;
	struct strbuf c = STRBUF_INIT;
	assert_int_equal(cfg_complete(f->s, "ikev2 prop", &c), 1);
	assert_string_equal(sb_str(&c), "ikev2 proposal ");
	sb_reset(&c);
	assert_int_equal(cfg_complete(f->s, "ikev2 p", &c), 3);
	assert_string_equal(sb_str(&c), "ikev2 p");
	sb_reset(&c);
	assert_int_equal(cfg_complete(f->s, "ikev2 proposal P1 encryption aes-c", &c), 3);
	assert_string_equal(sb_str(&c), "ikev2 proposal P1 encryption aes-cbc-");
	sb_reset(&c);
	assert_int_equal(cfg_complete(f->s, "interface-", &c), 1);
	assert_string_equal(sb_str(&c), "interface-name-map ");
	sb_reset(&c);
	assert_int_equal(cfg_complete(f->s, "ikev2 zzz", &c), 0);
	assert_int_equal(cfg_complete(f->s, "ikev2 ", &c), 0);
	assert_int_equal(c.len, 0);
	assert_int_equal(cfg_fx_ex(f, "end"), 0);
	assert_int_equal(cfg_complete(f->s, "sh", &c), 1);
	assert_string_equal(sb_str(&c), "show ");
	sb_free(&c);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_every_command_accepted, cfg_fx_setup,
	                                    cfg_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_values_rejected, cfg_fx_setup,
	                                    cfg_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_no_forms, cfg_fx_setup, cfg_fx_teardown),
	    cmocka_unit_test(test_both_forms_same_model),
	    cmocka_unit_test_setup_teardown(test_prompts_and_modes, cfg_fx_setup, cfg_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_abbreviations, cfg_fx_setup, cfg_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_help, cfg_fx_setup, cfg_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_completion, cfg_fx_setup, cfg_fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

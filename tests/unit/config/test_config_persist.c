/* Persistence: atomic save (mode 0600), load with line-numbered errors, round trip, examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg_test_util.h"
#include "config/fuzz.h"
#include "config/render.h"

static char dir[256];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/cfgtest.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int run_script_file(struct cfg_session *s, const char *rel)
{
	char p[4096];
	char *text = t_read_file(t_src_path(rel, p, sizeof(p)));
	assert_non_null(text);
	struct strbuf tr = STRBUF_INIT;
	int failed = t_run_script(s, text, &tr);
	if (failed)
		fprintf(stderr, "%s", sb_str(&tr));
	sb_free(&tr);
	free(text);
	return failed;
}

static char *render(const struct cfg *c, unsigned flags)
{
	struct strbuf b = STRBUF_INIT;
	cfg_render(c, flags, &b);
	sb_puts(&b, "");
	return b.s;
}

static void test_save_load_round_trip(void **state)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/mgmtsec.conf", dir);
	struct cfg_db *db = cfg_db_new(path);
	cfg_db_set_clock(db, t_clock);
	struct cfg_session *s = cfg_session_new(db, "admin", false);
	assert_int_equal(run_script_file(s, "examples/router1.conf"), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *file = t_read_file(path);
	assert_non_null(strstr(file, "!! Building configuration...\n"));
	assert_non_null(strstr(file, "  pre-shared-key password cisco123\n")); /* real key */
	assert_non_null(strstr(file, "\nend\n"));
	/* load into a new db: same model, same text */
	struct cfg_db *db2 = cfg_db_new(NULL);
	struct strbuf err = STRBUF_INIT;
	if (cfg_db_load(db2, path, &err))
		fail_msg("%s", sb_str(&err));
	char *a = render(cfg_db_running(db), CFG_RENDER_FILE);
	char *b = render(cfg_db_running(db2), CFG_RENDER_FILE);
	assert_string_equal(a, b);
	/* and saving the loaded configuration gives the same body again */
	char path2[320];
	snprintf(path2, sizeof(path2), "%s/again.conf", dir);
	write_file(path2, file);
	struct cfg_db *db3 = cfg_db_new(NULL);
	cfg_db_set_clock(db3, t_clock);
	assert_int_equal(cfg_db_load(db3, path2, &err), 0);
	struct cfg_session *s3 = cfg_session_new(db3, "admin", false);
	struct strbuf out = STRBUF_INIT;
	t_exec(s3, "configure", &out, &err);
	t_exec(s3, "hostname x", &out, &err);
	assert_int_equal(t_exec(s3, "commit", &out, &err), 0);
	t_exec(s3, "no hostname", &out, &err);
	assert_int_equal(t_exec(s3, "commit", &out, &err), 0);
	char *file3 = t_read_file(path2);
	assert_non_null(file3);
	assert_string_equal(strstr(file3, "\n!\n"), strstr(file, "\n!\n"));
	free(file3);
	cfg_session_free(s3);
	cfg_db_free(db3);
	free(a);
	free(b);
	free(file);
	sb_free(&err);
	sb_free(&out);
	cfg_session_free(s);
	cfg_db_free(db);
	cfg_db_free(db2);
}

static void test_crash_mid_save_keeps_old_file(void **state)
{
	char path[300], tmp[320];
	snprintf(path, sizeof(path), "%s/mgmtsec.conf", dir);
	write_file(path, "hostname oldname\nend\n");
	/* a save that died before rename(): the temp file holds a partial new configuration */
	snprintf(tmp, sizeof(tmp), "%s/.mgmtsec.conf.tmpA1b2C3", dir);
	write_file(tmp, "hostname newname\nikev2 proposal P\n prf sha-");
	struct cfg_db *db = cfg_db_new(NULL);
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(cfg_db_load(db, path, &err), 0);
	assert_string_equal(cfg_db_running(db)->hostname, "oldname");
	/* the next save replaces the file atomically and leaves no temp file of its own */
	struct cfg_session *s = cfg_session_new(db, "a", false);
	struct strbuf out = STRBUF_INIT;
	t_exec(s, "configure", &out, &err);
	t_exec(s, "hostname third", &out, &err);
	assert_int_equal(t_exec(s, "commit", &out, &err), 0);
	char *text = t_read_file(path);
	assert_non_null(strstr(text, "hostname third\n"));
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 2", dir); /* file + old tmp */
	assert_int_equal(system(cmd), 0);
	free(text);
	sb_free(&err);
	sb_free(&out);
	cfg_session_free(s);
	cfg_db_free(db);
}

static int refusals;

static int count_hook(void *arg, const struct cfg *n, const struct cfg *p, struct strbuf *e)
{
	refusals++;
	return 0;
}

static void test_save_failure_changes_nothing(void **state)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/no/such/dir/mgmtsec.conf", dir);
	struct cfg_db *db = cfg_db_new(path);
	refusals = 0;
	cfg_db_set_apply(db, count_hook, NULL);
	struct cfg_session *s = cfg_session_new(db, "a", false);
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	t_exec(s, "configure", &out, &err);
	t_exec(s, "hostname h", &out, &err);
	assert_int_not_equal(t_exec(s, "commit", &out, &err), 0);
	assert_non_null(strstr(sb_str(&err), "% Could not save the configuration"));
	assert_string_equal(cfg_db_running(db)->hostname, "");
	assert_int_equal(cfg_db_version(db), 0);
	assert_int_equal(refusals, 2); /* applied, then the old configuration re-applied */
	sb_free(&out);
	sb_free(&err);
	cfg_session_free(s);
	cfg_db_free(db);
}

static void test_malformed_file_refused(void **state)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/bad.conf", dir);
	write_file(path, "hostname ok\n"
	                 "ikev2 policy P\n"
	                 " match fvrfl any\n"
	                 "ikev2 proposal Q\n"
	                 " prf sha-256\n"
	                 " lifetime 5\n"
	                 "commit\n");
	struct cfg_db *db = cfg_db_new(NULL);
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(cfg_db_load(db, path, &err), -1);
	char want[1400];
	snprintf(want, sizeof(want),
	         "%s:3: invalid input at 'fvrfl' (column 8): expected: address, fvrf\n"
	         "%s:6: invalid input at 'lifetime' (column 2): expected: encryption, integrity, "
	         "prf, dh-group\n"
	         "%s:7: this command is not allowed in a configuration file\n",
	         path, path, path);
	if (strcmp(sb_str(&err), want))
		fail_msg("got:\n%s\nwant:\n%s", sb_str(&err), want);
	assert_string_equal(cfg_db_running(db)->hostname, ""); /* nothing loaded */
	/* semantic problems are refused too */
	write_file(path, "ikev2 profile R\n keyring NOPE\n!\n");
	sb_reset(&err);
	assert_int_equal(cfg_db_load(db, path, &err), -1);
	snprintf(want, sizeof(want), "%s: ikev2 profile R: keyring NOPE does not exist\n", path);
	assert_string_equal(sb_str(&err), want);
	/* a missing file is an empty configuration */
	snprintf(path, sizeof(path), "%s/absent.conf", dir);
	sb_reset(&err);
	assert_int_equal(cfg_db_load(db, path, &err), 0);
	assert_int_equal(cfg_db_running(db)->n_proposals, 0);
	sb_free(&err);
	cfg_db_free(db);
}

static void test_seed_block_form_and_bang_reset(void **state)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/seed.conf", dir);
	/* the seed's running-config layout (exit lines, uneven indentation), made consistent */
	write_file(path, "ikev2 proposal ikev2_proposal_mgmt_P1\nprf sha-256\ndh-group 20\n"
	                 "integrity sha-256\nencryption aes-cbc-256\nexit\n!\n"
	                 "ikev2 policy ikev2_policy_mgmt_P1\nmatch address local 198.51.100.1\n"
	                 "proposal ikev2_proposal_mgmt_P1\nexit\n"
	                 "keyring key_mgmt_P1\npeer Acadia2\n    pre-shared-key cisco123\n"
	                 "    address 198.51.100.2 255.255.255.255\n    exit\n!\nexit\n!\n"
	                 "ikev2 profile ikev2_prof_mgmt_P1\nauthentication local pre-shared\n"
	                 "keyring key_mgmt_P1\nlifetime 600\n"
	                 "match identity remote address 198.51.100.2 255.255.255.255\nexit\n!\n"
	                 "keyring late\n peer X\n  pre-shared-key k\n"
	                 "  address 198.51.100.9 255.255.255.255\n !\n!\nend\n");
	struct cfg_db *db = cfg_db_new(NULL);
	struct strbuf err = STRBUF_INIT;
	if (cfg_db_load(db, path, &err))
		fail_msg("%s", sb_str(&err));
	const struct cfg *c = cfg_db_running(db);
	assert_non_null(cfg_find_keyring(c, "late")); /* `!` in column 0 closed the profile */
	assert_string_equal(cfg_find_ike_profile(c, "ikev2_prof_mgmt_P1")->keyring, "key_mgmt_P1");
	assert_int_equal(cfg_find_ike_profile(c, "ikev2_prof_mgmt_P1")->lifetime, 600);
	assert_int_equal(cfg_find_proposal(c, "ikev2_proposal_mgmt_P1")->n_encr, 1);
	sb_free(&err);
	cfg_db_free(db);
}

static void check_example(const char *conf, const char *golden)
{
	struct cfg_db *db = cfg_db_new(NULL);
	cfg_db_set_clock(db, t_clock);
	struct cfg_session *s = cfg_session_new(db, "admin", false);
	assert_int_equal(run_script_file(s, conf), 0);
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	assert_int_equal(t_exec(s, "show running-config", &out, &err), 0);
	char p[4096];
	t_src_path(golden, p, sizeof(p));
	if (getenv("MGMTSEC_GOLDEN_UPDATE"))
		write_file(p, sb_str(&out));
	char *want = t_read_file(p);
	assert_non_null(want);
	assert_string_equal(sb_str(&out), want);
	free(want);
	sb_free(&out);
	sb_free(&err);
	cfg_session_free(s);
	cfg_db_free(db);
}

static void test_examples(void **state)
{
	check_example("examples/router1.conf", "tests/golden/config/router1.running");
	check_example("examples/router2.conf", "tests/golden/config/router2.running");
}

static void test_fuzz_entry_smoke(void **state)
{
	static const char *const inputs[] = {
	    "",
	    "\n\n",
	    "ikev2 proposal P\n prf sha-1\n dh-group 19\n encryption aes-gcm-128\n",
	    "keyring K\n peer A\n  pre-shared-key x\n  address 1.2.3.4 255.255.255.255\n",
	    "interface tunnel-ip1\n description a  b\n shutdown\n",
	    "no\n?\nexit\nexit\nend\n",
	    "ikev2 proposal\xff\x01 x\n",
	    "commit confirmed 30\ncommit\n",
	};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		assert_int_equal(cfg_fuzz_one((const uint8_t *)inputs[i], strlen(inputs[i])), 0);
	char p[4096];
	char *text = t_read_file(t_src_path("examples/router1.conf", p, sizeof(p)));
	assert_int_equal(cfg_fuzz_one((const uint8_t *)text, strlen(text)), 0);
	free(text);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_save_load_round_trip),
	    T(test_crash_mid_save_keeps_old_file),
	    T(test_save_failure_changes_nothing),
	    T(test_malformed_file_refused),
	    T(test_seed_block_form_and_bang_reset),
	    cmocka_unit_test(test_examples),
	    cmocka_unit_test(test_fuzz_entry_smoke),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

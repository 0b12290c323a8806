/* Commits whose file is written on a thread (cfg_db_async_save): the commit becomes running and
 * answers only once the file is on disk; a failed save undoes it; another change waits for the
 * save in flight; a session closed meanwhile does not stop its commit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg_test_util.h"

static char dir[256], path[300];
static int applied;

static int count_apply(void *arg, const struct cfg *next, const struct cfg *prev,
                       struct strbuf *err)
{
	applied++;
	return 0;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/cfgasync.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mgmtsec.conf", dir);
	applied = 0;
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static struct cfg_db *new_db(const char *p)
{
	struct cfg_db *db = cfg_db_new(p);
	assert_non_null(db);
	cfg_db_set_clock(db, t_clock);
	cfg_db_set_apply(db, count_apply, NULL);
	assert_int_equal(cfg_db_async_save(db), 0);
	assert_true(cfg_db_save_fd(db) >= 0);
	return db;
}

/* What the daemon's loop does: wait for the eventfd, then finish the save; until the save in
 * of s is finished (or, with s NULL, a commit was recorded); the eventfd may still hold the
 * wake-up of an earlier save. */
static void loop_until_saved(struct cfg_db *db, struct cfg_session *s)
{
	for (int i = 0; i < 100; i++) {
		struct pollfd p = {.fd = cfg_db_save_fd(db), .events = POLLIN};
		assert_int_equal(poll(&p, 1, 10000), 1);
		uint64_t v0 = cfg_db_version(db);
		cfg_db_save_done(db);
		if (s ? !cfg_session_waiting(s) : cfg_db_version(db) != v0)
			return;
	}
	fail_msg("the save never finished");
}

static struct cfg_session *configured(struct cfg_db *db, const char *user)
{
	struct cfg_session *s = cfg_session_new(db, user, false);
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	assert_int_equal(t_exec(s, "configure", &out, &err), 0);
	sb_free(&out);
	sb_free(&err);
	return s;
}

static void ex(struct cfg_session *s, const char *line)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int rc = t_exec(s, line, &out, &err);
	if (rc)
		fail_msg("%s: %s", line, sb_str(&err));
	sb_free(&out);
	sb_free(&err);
}

static void test_commit_waits_for_file(void **state)
{
	struct cfg_db *db = new_db(path);
	struct cfg_session *s = configured(db, "alice");
	ex(s, "hostname h1");
	ex(s, "commit");
	/* Applied at once, but not running, recorded or answered before the file is written. */
	assert_int_equal(applied, 1);
	assert_true(cfg_session_waiting(s));
	assert_string_equal(cfg_db_running(db)->hostname, "");
	assert_string_equal(cfg_db_applied(db)->hostname, "h1");
	assert_int_equal(cfg_db_version(db), 0);
	loop_until_saved(db, s);
	assert_false(cfg_session_waiting(s));
	assert_ptr_equal(cfg_db_applied(db), cfg_db_running(db));
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(cfg_session_save_result(s, &err), 0);
	assert_int_equal(err.len, 0);
	assert_string_equal(cfg_db_running(db)->hostname, "h1");
	assert_int_equal(cfg_db_version(db), 1);
	assert_false(cfg_session_has_changes(s)); /* rebased on the new running */
	char *text = t_read_file(path);
	assert_non_null(text);
	assert_non_null(strstr(text, "hostname h1\n"));
	assert_non_null(strstr(text, "by alice"));
	free(text);
	sb_free(&err);
	cfg_session_free(s);
	cfg_db_free(db);
}

static void test_failed_save_undone(void **state)
{
	char bad[400];
	snprintf(bad, sizeof(bad), "%s/no/such/dir/mgmtsec.conf", dir);
	struct cfg_db *db = new_db(bad);
	struct cfg_session *s = configured(db, "alice");
	ex(s, "hostname h1");
	ex(s, "commit");
	assert_true(cfg_session_waiting(s));
	loop_until_saved(db, s);
	assert_false(cfg_session_waiting(s));
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(cfg_session_save_result(s, &err), -1);
	assert_non_null(strstr(sb_str(&err), "% Could not save the configuration"));
	assert_string_equal(cfg_db_running(db)->hostname, "");
	assert_string_equal(cfg_db_applied(db)->hostname, "");
	assert_int_equal(cfg_db_version(db), 0);
	assert_int_equal(applied, 2);            /* applied, then the old one again */
	assert_true(cfg_session_has_changes(s)); /* the candidate is kept for another try */
	sb_reset(&err);
	assert_int_equal(cfg_session_save_result(s, &err), 0); /* said once */
	assert_int_equal(err.len, 0);
	sb_free(&err);
	cfg_session_free(s);
	cfg_db_free(db);
}

static void test_second_commit_waits(void **state)
{
	struct cfg_db *db = new_db(path);
	struct cfg_session *a = configured(db, "alice"), *b = configured(db, "bob");
	ex(a, "hostname h1");
	ex(b, "keyring K2 peer B address 192.0.2.9 255.255.255.255");
	ex(b, "keyring K2 peer B pre-shared-key s3cret");
	ex(a, "commit");
	assert_true(cfg_session_waiting(a));
	ex(b, "commit"); /* finishes a's save first, then merges onto it */
	assert_false(cfg_session_waiting(a));
	assert_true(cfg_session_waiting(b));
	assert_int_equal(cfg_db_version(db), 1);
	loop_until_saved(db, b);
	assert_false(cfg_session_waiting(b));
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(cfg_session_save_result(a, &err), 0);
	assert_int_equal(cfg_session_save_result(b, &err), 0);
	assert_int_equal(cfg_db_version(db), 2);
	char *text = t_read_file(path);
	assert_non_null(text);
	assert_non_null(strstr(text, "hostname h1\n"));
	assert_non_null(strstr(text, "s3cret"));
	free(text);
	sb_free(&err);
	cfg_session_free(a);
	cfg_session_free(b);
	cfg_db_free(db);
}

static void test_closed_session_commit_completes(void **state)
{
	struct cfg_db *db = new_db(path);
	struct cfg_session *s = configured(db, "alice");
	ex(s, "hostname h1");
	ex(s, "commit");
	cfg_session_free(s); /* the client went away while the file was written */
	loop_until_saved(db, NULL);
	assert_string_equal(cfg_db_running(db)->hostname, "h1");
	assert_int_equal(cfg_db_version(db), 1);
	cfg_db_free(db);
}

/* A trial (`commit confirmed`) does not write the file: it stays synchronous. */
static void test_trial_is_synchronous(void **state)
{
	struct cfg_db *db = new_db(path);
	struct cfg_session *s = configured(db, "alice");
	ex(s, "hostname h1");
	ex(s, "commit confirmed 60");
	assert_false(cfg_session_waiting(s));
	assert_string_equal(cfg_db_running(db)->hostname, "h1");
	cfg_session_free(s);
	cfg_db_free(db);
}

/* `end` with changes in an interactive session, answered `yes`: the commit finishes before
 * the session leaves configuration mode, and a failed save keeps it there with its changes. */
static void test_end_yes_finishes_here(void **state)
{
	char bad[400];
	snprintf(bad, sizeof(bad), "%s/no/such/dir/mgmtsec.conf", dir);
	for (int fails = 0; fails < 2; fails++) {
		struct cfg_db *db = new_db(fails ? bad : path);
		struct cfg_session *s = configured(db, "alice");
		cfg_session_set_interactive(s, true);
		ex(s, "hostname h1");
		ex(s, "end");
		struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
		assert_int_equal(t_exec(s, "yes", &out, &err), fails ? -1 : 0);
		assert_false(cfg_session_waiting(s));
		assert_int_equal(cfg_session_in_config(s), fails);
		assert_int_equal(cfg_session_has_changes(s), fails);
		assert_string_equal(cfg_db_running(db)->hostname, fails ? "" : "h1");
		if (fails)
			assert_non_null(strstr(sb_str(&err), "% Could not save the configuration"));
		sb_free(&out);
		sb_free(&err);
		cfg_session_free(s);
		cfg_db_free(db);
	}
}

int main(void)
{
	setenv("TZ", "UTC", 1);
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_commit_waits_for_file), T(test_failed_save_undone),
	    T(test_second_commit_waits),   T(test_closed_session_commit_completes),
	    T(test_trial_is_synchronous),  T(test_end_yes_finishes_here),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Golden transcripts: tests/golden/config/NAME.in is a script of command lines (as typed
 * after the prompt, into a non-interactive session); NAME.out is the exact transcript
 * (prompt + line, then output, then errors). MGMTSEC_GOLDEN_UPDATE=1 rewrites the .out
 * files instead (review the diff before committing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_test_util.h"

static int run_one(const char *dir, const char *name)
{
	char *in = NULL, *outp = NULL;
	assert_true(asprintf(&in, "%s/%s.in", dir, name) > 0);
	assert_true(asprintf(&outp, "%s/%s.out", dir, name) > 0);
	char *script = t_read_file(in);
	assert_non_null(script);
	struct cfg_db *db = cfg_db_new(NULL);
	cfg_db_set_clock(db, t_clock);
	struct cfg_session *s = cfg_session_new(db, "admin", false);
	struct strbuf tr = STRBUF_INIT;
	t_run_script(s, script, &tr);
	int bad = 0;
	if (getenv("MGMTSEC_GOLDEN_UPDATE")) {
		FILE *f = fopen(outp, "w");
		assert_non_null(f);
		fputs(sb_str(&tr), f);
		fclose(f);
	} else {
		char *want = t_read_file(outp);
		if (!want || strcmp(want, sb_str(&tr))) {
			fprintf(stderr, "golden %s differs; got:\n%s\n", name, sb_str(&tr));
			bad = 1;
		}
		free(want);
	}
	sb_free(&tr);
	cfg_session_free(s);
	cfg_db_free(db);
	free(script);
	free(in);
	free(outp);
	return bad;
}

static void test_golden(void **state)
{
	char dir[4096];
	t_src_path("tests/golden/config", dir, sizeof(dir));
	DIR *d = opendir(dir);
	assert_non_null(d);
	int bad = 0, n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 4 || strcmp(e->d_name + l - 3, ".in"))
			continue;
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(l - 3), e->d_name);
		bad += run_one(dir, name);
		n++;
	}
	closedir(d);
	assert_true(n >= 4);
	assert_int_equal(bad, 0);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_golden)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

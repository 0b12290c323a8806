/* Logging to stderr: one whole line per message (short or longer than the stack buffer), the
 * level filter, and nothing from a level above the one set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

/* Runs fn with stderr redirected to a temp file; returns what it wrote (malloc'd). */
static char *capture(void (*fn)(void))
{
	char path[] = "/tmp/test_log.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	int saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	fn();
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	off_t n = lseek(fd, 0, SEEK_END);
	char *s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(pread(fd, s, (size_t)n, 0), n);
	close(fd);
	return s;
}

static void two_lines(void)
{
	log_open("test", 1, LOG_LVL_INFO);
	log_msg(LOG_LVL_INFO, "tunnel-ip%u: link %s", 7u, "up");
	log_msg(LOG_LVL_DEBUG, "not shown");
	log_msg(LOG_LVL_ERR, "bad %d", 42);
}

static void test_lines(void **state)
{
	char *s = capture(two_lines);
	/* "HH:MM:SS.mmm info: ..." */
	char *nl = strchr(s, '\n');
	assert_non_null(nl);
	assert_int_equal(s[8], '.');
	assert_non_null(strstr(s, " info: tunnel-ip7: link up\n"));
	assert_non_null(strstr(nl + 1, " error: bad 42\n"));
	assert_null(strstr(s, "not shown"));
	assert_null(strchr(strchr(nl + 1, '\n') + 1, '\n')); /* exactly two lines */
	free(s);
}

static char g_long[5000];

static void long_line(void)
{
	log_open("test", 1, LOG_LVL_INFO);
	log_msg(LOG_LVL_INFO, "start %s end", g_long);
}

static void test_long_line(void **state)
{
	memset(g_long, 'x', sizeof(g_long) - 1);
	char *s = capture(long_line);
	char *p = strstr(s, " info: start ");
	assert_non_null(p);
	p += strlen(" info: start ");
	assert_int_equal(strspn(p, "x"), sizeof(g_long) - 1);
	assert_string_equal(p + sizeof(g_long) - 1, " end\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_long_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * mgmtsecd's privilege reduction (privdrop) and configuration file checks (fileperm).
 * privdrop runs in a forked child (it cannot be undone), which reports through its exit code
 * what /proc/self/status and real system calls say afterwards. Needs root for most cases;
 * without it those cases are skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/fileperm.h"
#include "daemon/privdrop.h"

#define NOBODY 65534

/* Reads the hex value of a "Cap...:" line of /proc/self/status. */
static int status_hex(const char *key, uint64_t *v)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	int rc = -1;
	size_t kl = strlen(key);
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			*v = strtoull(line + kl + 1, NULL, 16);
			rc = 0;
		}
	}
	if (f)
		fclose(f);
	return rc;
}

/* In the child: 0 when everything is as it must be, else the number of the failed check. */
static int child_checks(const char *secret)
{
	char err[256];
	uint64_t keep = privdrop_kept_mask(), v;
	if (privdrop_apply(err, sizeof(err)) != 0) {
		fprintf(stderr, "privdrop_apply: %s\n", err);
		return 1;
	}
	if (status_hex("CapEff", &v) || v != keep)
		return 2;
	if (status_hex("CapPrm", &v) || v != keep)
		return 3;
	if (status_hex("CapBnd", &v) || v != keep)
		return 4;
	if (status_hex("CapInh", &v) || v != 0)
		return 5;
	if (status_hex("CapAmb", &v) || v != 0)
		return 6;
	if (status_hex("NoNewPrivs", &v) || v != 1)
		return 7;
	/* CAP_DAC_OVERRIDE is gone: root cannot read a file of nobody's with mode 0000. */
	int fd = open(secret, O_RDONLY);
	if (fd >= 0 || errno != EACCES)
		return 8;
	/* CAP_NET_RAW is kept: the raw ESP socket can still be opened. */
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ESP);
	if (fd < 0)
		return 9;
	close(fd);
	/* A second call is harmless (already reduced, no CAP_SETPCAP left). */
	if (privdrop_apply(err, sizeof(err)) != 0)
		return 10;
	return 0;
}

static void test_privdrop_caps(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	char dir[] = "/tmp/privdrop-XXXXXX", secret[64];
	assert_non_null(mkdtemp(dir));
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	int fd = open(secret, O_CREAT | O_WRONLY, 0000);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chown(secret, NOBODY, NOBODY), 0);
	/* Before the drop, root reads it (the check in the child is meaningful). */
	fd = open(secret, O_RDONLY);
	assert_true(fd >= 0);
	close(fd);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_checks(secret));
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	unlink(secret);
	rmdir(dir);
}

static void test_privdrop_mask(void **state)
{
	(void)state;
	/* CAP_NET_BIND_SERVICE 10, CAP_NET_ADMIN 12, CAP_NET_RAW 13 */
	assert_int_equal(privdrop_kept_mask(), (1ull << 10) | (1ull << 12) | (1ull << 13));
}

/* ---- fileperm ---- */
struct tmp {
	char dir[64];
	char path[128];
};

static void mk(struct tmp *t, mode_t mode)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/fileperm-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/mgmtsec.conf", t->dir);
	if (mode) {
		int fd = open(t->path, O_CREAT | O_WRONLY, 0600);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "hostname r1\n", 12), 12);
		close(fd);
		assert_int_equal(chmod(t->path, mode), 0);
	}
}

static void rm(struct tmp *t)
{
	unlink(t->path);
	rmdir(t->dir);
}

static mode_t mode_of(const char *p)
{
	struct stat st;
	assert_int_equal(lstat(p, &st), 0);
	return st.st_mode & 07777;
}

static void test_fileperm_ok(void **state)
{
	(void)state;
	struct tmp t;
	char err[256] = "";
	mk(&t, 0600);
	assert_int_equal(fileperm_check_config(t.path, err, sizeof(err)), 0);
	assert_int_equal(chmod(t.path, 0400), 0);
	assert_int_equal(fileperm_check_config(t.path, err, sizeof(err)), 0);
	rm(&t);
	mk(&t, 0); /* missing: fine, created on commit */
	assert_int_equal(fileperm_check_config(t.path, err, sizeof(err)), 0);
	rm(&t);
}

static void test_fileperm_readable_fixed(void **state)
{
	(void)state;
	struct tmp t;
	char err[256] = "";
	mk(&t, 0644);
	assert_int_equal(fileperm_check_config(t.path, err, sizeof(err)), 1);
	assert_int_equal(mode_of(t.path), 0600);
	assert_int_equal(fileperm_check_config(t.path, err, sizeof(err)), 0);
	rm(&t);
}

static void test_fileperm_writable_refused(void **state)
{
	(void)state;
	static const mode_t bad[] = {0620, 0602, 0666, 0660};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tmp t;
		char err[256] = "";
		mk(&t, bad[i]);
		assert_int_equal(fileperm_check_config(t.path, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "writable by group or others"));
		assert_int_equal(mode_of(t.path),
		                 bad[i]); /* not "fixed" behind the operator's back */
		rm(&t);
	}
}

static void test_fileperm_owner_refused(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct tmp t;
	char err[256] = "";
	mk(&t, 0600);
	assert_int_equal(chown(t.path, NOBODY, NOBODY), 0);
	assert_int_equal(fileperm_check_config(t.path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "owned by uid 65534"));
	rm(&t);
}

static void test_fileperm_not_regular(void **state)
{
	(void)state;
	struct tmp t;
	char err[256] = "", target[160];
	mk(&t, 0600);
	snprintf(target, sizeof(target), "%s/real", t.dir);
	assert_int_equal(rename(t.path, target), 0);
	assert_int_equal(symlink(target, t.path), 0);
	assert_int_equal(fileperm_check_config(t.path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symbolic link"));
	unlink(target);
	unlink(t.path);
	assert_int_equal(mkdir(t.path, 0700), 0);
	assert_int_equal(fileperm_check_config(t.path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	rmdir(t.path);
	rmdir(t.dir);
}

static void test_fileperm_directory(void **state)
{
	(void)state;
	struct tmp t;
	char err[256] = "";
	mk(&t, 0600);
	assert_int_equal(chmod(t.dir, 0777), 0);
	assert_int_equal(fileperm_check_config(t.path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "directory"));
	unlink(t.path);
	assert_int_equal(fileperm_check_config(t.path, err, sizeof(err)), -1); /* missing too */
	assert_int_equal(chmod(t.dir, 01777), 0); /* sticky, like /tmp: fine */
	assert_int_equal(fileperm_check_config(t.path, err, sizeof(err)), 0);
	rm(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_privdrop_mask),
	    cmocka_unit_test(test_privdrop_caps),
	    cmocka_unit_test(test_fileperm_ok),
	    cmocka_unit_test(test_fileperm_readable_fixed),
	    cmocka_unit_test(test_fileperm_writable_refused),
	    cmocka_unit_test(test_fileperm_owner_refused),
	    cmocka_unit_test(test_fileperm_not_regular),
	    cmocka_unit_test(test_fileperm_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

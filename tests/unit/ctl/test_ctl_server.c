/* The control server holds the reply of a request whose work goes on off the loop (a commit's
 * file being written): nothing is answered, and the client's next request waits, until
 * ctl_server_wake finds the session done; then the final status and both replies go out in
 * order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl/proto.h"
#include "ctl/server.h"
#include "util/loop.h"

struct fake {
	bool waiting;
	int execs;
	struct loop *l;
	struct ctl_server *srv;
	int cfd;
	bool early_reply; /* something arrived while the reply was held */
};

static void *f_open(void *arg, bool interactive, const char *user)
{
	return arg;
}
static void f_close(void *arg, void *sess)
{
}
static int f_exec(void *arg, void *sess, const char *line, struct strbuf *out, struct strbuf *err)
{
	struct fake *f = arg;
	f->execs++;
	if (strcmp(line, "slow") == 0)
		f->waiting = true;
	sb_printf(out, "ran %s\n", line);
	return 0;
}
static void f_help(void *arg, void *sess, const char *partial, struct strbuf *out)
{
}
static void f_prompt(void *arg, void *sess, struct strbuf *out)
{
	sb_puts(out, "R#");
}
static bool f_waiting(void *arg, void *sess)
{
	return ((struct fake *)arg)->waiting;
}
static int f_finish(void *arg, void *sess, int status, struct strbuf *err)
{
	sb_puts(err, "% it failed after all\n");
	return 1;
}

/* 50 ms in: nothing answered, the second request not run; then the work ends. */
static void t_release(void *arg)
{
	struct fake *f = arg;
	char b[64];
	f->early_reply = recv(f->cfd, b, sizeof(b), MSG_DONTWAIT) >= 0 || errno != EAGAIN;
	assert_int_equal(f->execs, 1);
	f->waiting = false;
	ctl_server_wake(f->srv);
}

static void t_stop(void *arg)
{
	loop_stop(((struct fake *)arg)->l);
}

static void test_held_reply(void **state)
{
	char path[] = "/tmp/test_ctl.XXXXXX";
	assert_non_null(mkdtemp(path));
	char sock[64];
	snprintf(sock, sizeof(sock), "%s/s", path);
	struct fake f = {0};
	struct ctl_backend be = {.arg = &f,
	                         .open = f_open,
	                         .close = f_close,
	                         .exec = f_exec,
	                         .help = f_help,
	                         .complete = f_help,
	                         .prompt = f_prompt,
	                         .waiting = f_waiting,
	                         .finish = f_finish};
	f.l = loop_new();
	assert_non_null(f.l);
	f.srv = ctl_server_new(f.l, sock, &be, (gid_t)-1);
	assert_non_null(f.srv);
	f.cfd = ctl_connect(sock);
	assert_true(f.cfd >= 0);
	struct strbuf req = STRBUF_INIT;
	ctl_encode_request(&req, CTL_EXEC, "slow", 4);
	ctl_encode_request(&req, CTL_EXEC, "fast", 4); /* sent at once, behind the slow one */
	assert_int_equal(send(f.cfd, req.s, req.len, 0), (ssize_t)req.len);
	loop_timer_add(f.l, 50, t_release, &f);
	loop_timer_add(f.l, 150, t_stop, &f);
	assert_int_equal(loop_run(f.l), 0);
	assert_false(f.early_reply);
	assert_int_equal(f.execs, 2);

	char buf[512];
	ssize_t n = recv(f.cfd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	/* First the slow request's reply with the status finish gave, then the fast one's. */
	const char *want = "R 1 9 22 2\nran slow\n% it failed after all\nR#"
	                   "R 0 9 0 2\nran fast\nR#";
	assert_string_equal(buf, want);

	close(f.cfd);
	ctl_server_free(f.srv);
	loop_free(f.l);
	sb_free(&req);
	rmdir(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_held_reply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

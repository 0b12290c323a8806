/*
 * Control-socket sessions are configuration sessions: every line goes through the grammar in
 * config/; operational commands (show/clear) come back through daemon_op.
 */
#include <time.h>

#include "ctl/show.h"
#include "daemon/daemon_int.h"
#include "util/log.h"

static void trial_fire(void *arg);

/* Keeps one timer armed for a pending `commit confirmed` trial. */
static void trial_arm(struct daemon *d)
{
	time_t dl = cfg_db_confirm_deadline(d->db);
	if (d->trial_timer) {
		loop_timer_cancel(d->loop, d->trial_timer);
		d->trial_timer = 0;
	}
	if (!dl)
		return;
	time_t now = time(NULL);
	uint64_t ms = dl > now ? (uint64_t)(dl - now) * 1000 : 0;
	d->trial_timer = loop_timer_add(d->loop, ms, trial_fire, d);
}

static void trial_fire(void *arg)
{
	struct daemon *d = arg;
	d->trial_timer = 0;
	int rc = cfg_db_trial_expire(d->db);
	if (rc == 1)
		log_info("commit confirmed: not confirmed in time, rolled back");
	else if (rc < 0)
		log_err("commit confirmed: rollback could not be applied fully");
	trial_arm(d);
}

static void *be_open(void *arg, bool interactive, const char *user)
{
	struct daemon *d = arg;
	return cfg_session_new(d->db, user, interactive);
}

static void be_close(void *arg, void *sess)
{
	cfg_session_free(sess);
}

static int be_exec(void *arg, void *sess, const char *line, struct strbuf *out, struct strbuf *err)
{
	struct daemon *d = arg;
	int rc = cfg_session_exec(sess, line, out, err);
	trial_arm(d);
	return rc;
}

static bool be_waiting(void *arg, void *sess)
{
	return cfg_session_waiting(sess);
}

static int be_finish(void *arg, void *sess, int status, struct strbuf *err)
{
	return cfg_session_save_result(sess, err) ? 1 : status;
}

static void be_help(void *arg, void *sess, const char *partial, struct strbuf *out)
{
	cfg_help(sess, partial, out);
}

/* First line: the completed line; then, when ambiguous, the candidates (as `?` lists them). */
static void be_complete(void *arg, void *sess, const char *partial, struct strbuf *out)
{
	struct strbuf line = STRBUF_INIT;
	int n = cfg_complete(sess, partial, &line);
	sb_printf(out, "%s\n", n > 0 ? sb_str(&line) : partial);
	if (n > 1)
		cfg_help(sess, sb_str(&line), out);
	sb_free(&line);
}

static void be_prompt(void *arg, void *sess, struct strbuf *out)
{
	cfg_session_prompt(sess, out);
}

const struct ctl_backend daemon_ctl_backend = {
    .open = be_open,
    .close = be_close,
    .exec = be_exec,
    .help = be_help,
    .complete = be_complete,
    .prompt = be_prompt,
    .waiting = be_waiting,
    .finish = be_finish,
};

/* A commit's file was written (or failed): finish it and send the replies that waited. */
void daemon_saved(int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	cfg_db_save_done(d->db);
	ctl_server_wake(d->ctl);
}

int daemon_op(void *arg, enum cfg_op op, const struct cfg_op_args *a, struct strbuf *out,
              struct strbuf *err)
{
	struct daemon *d = arg;
	struct show_src src = {.ike = d->ike, .dp = d->dp};
	switch (op) {
	case CFG_OP_SHOW_IKEV2_SESSION:
		return show_ikev2_session(&src, false, out, err);
	case CFG_OP_SHOW_IKEV2_SESSION_DETAIL:
		return show_ikev2_session(&src, true, out, err);
	case CFG_OP_SHOW_IKEV2_SUMMARY:
		return show_ikev2_summary(&src, out, err);
	case CFG_OP_SHOW_IPSEC_SA:
		return show_ipsec_sa(&src, a->has_tunnel, a->tunnel, out, err);
	case CFG_OP_CLEAR_IKEV2_SESSION: {
		int n = ike_clear(d->ike, a->has_id ? a->id : 0);
		if (a->has_id && n == 0) {
			sb_printf(err, "%% No IKEv2 session with ID %u\n", a->id);
			return -1;
		}
		log_info("clear ikev2 session by %s: %d session(s) cleared", a->user, n);
		return 0;
	}
	case CFG_OP_CLEAR_IPSEC_SA:
		return show_clear_ipsec_sa(&src, a->has_tunnel, a->tunnel, out, err);
	case CFG_OP_SHOW_IKEV2_STATISTICS:
		return show_ikev2_statistics(&src, out, err);
	case CFG_OP_SHOW_IPSEC_STATISTICS:
		return show_ipsec_statistics(&src, out, err);
	}
	sb_puts(err, "% not supported\n");
	return -1;
}

/* Session commands: configure, exit, end, abort, commit, rollback, show, clear. */
#include "config/cmds.h"
#include "config/render.h"
#include "config/session_int.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_CONFIRM_SECS 600

int cmd_configure(struct cmd_ctx *c)
{
	if (c->s->config)
		return 0; /* the seed types `config` before every step, even in config mode */
	session_enter_config(c->s);
	return c->s->cand && c->s->base ? 0 : cmd_fail(c, "out of memory");
}

int cmd_end(struct cmd_ctx *c)
{
	struct cfg_session *s = c->s;
	if (cfg_session_has_changes(s)) {
		if (s->interactive) {
			s->ask = ASK_END;
			return 0;
		}
		sb_puts(c->err, "% WARNING: uncommitted changes discarded\n");
	}
	session_leave_config(s);
	return 0;
}

int cmd_exit(struct cmd_ctx *c)
{
	struct cfg_session *s = c->s;
	if (!s->config) {
		s->closed = true;
		return 0;
	}
	if (s->depth) {
		session_pop(s);
		return 0;
	}
	return cmd_end(c);
}

int cmd_abort(struct cmd_ctx *c)
{
	session_leave_config(c->s);
	return 0;
}

static int conflict(struct cfg_session *s, const char *what, struct strbuf *err)
{
	const struct db_commit *k = db_commit_by_version(s->db, s->base_version + 1);
	sb_printf(err,
	          "%% Commit failed: the running configuration changed since this session began "
	          "(commit %u by %s)%s%s; re-enter configuration (abort, then configure)\n",
	          k ? k->id : 0, k ? k->user : "?", what[0] ? ": both changed " : "", what);
	return -1;
}

/* Confirms this session's trial; returns 1 when there was one. */
static int confirm_own_trial(struct cfg_session *s, struct strbuf *out, struct strbuf *err)
{
	struct cfg_db *db = s->db;
	if (!db->trial.active || db->trial.owner != s->id)
		return 0;
	sb_puts(out, "% Confirming commit for trial session.\n");
	return db_trial_confirm(db, err) ? -1 : 1;
}

int session_commit(struct cfg_session *s, unsigned confirm_secs, const char *comment, bool wait,
                   struct strbuf *out, struct strbuf *err)
{
	struct cfg_db *db = s->db;
	db_save_wait(db); /* another session's commit: merge onto what it left */
	if (db->trial.active && db->trial.owner != s->id) {
		sb_printf(err,
		          "%% Commit failed: a confirmed commit by %s is on trial; it must be "
		          "confirmed or rolled back first\n",
		          db->trial.user);
		return -1;
	}
	bool changes = cfg_session_has_changes(s);
	if (!confirm_secs && confirm_own_trial(s, out, err) < 0)
		return -1;
	if (!changes) {
		if (!db->trial.active || confirm_secs)
			sb_puts(out, "% No configuration changes to commit.\n");
		session_rebase(s);
		return 0;
	}
	char what[120] = "";
	struct cfg *next = s->base_version == db->version
	                       ? cfg_dup(s->cand)
	                       : cfg_merge(s->base, s->cand, db->running, what, sizeof(what));
	if (!next)
		return what[0] ? conflict(s, what, err) : (sb_puts(err, "% out of memory\n"), -1);
	struct db_commit_opts o = {.user = s->user,
	                           .client = "CLI",
	                           .comment = comment,
	                           .confirm_secs = confirm_secs,
	                           .session = s->id};
	if (!confirm_secs && !db->trial.active && db_save_usable(db)) {
		if (db_commit_async(db, next, &o, s, err))
			return -1;
		if (!wait)
			return 0;
		db_save_wait(db);
		return cfg_session_save_result(s, err);
	}
	if (db_commit(db, next, &o, err)) {
		cfg_free(next);
		return -1;
	}
	session_rebase(s);
	return 0;
}

int cmd_commit(struct cmd_ctx *c)
{
	unsigned secs = 0;
	const char *comment = NULL;
	if (cmd_find_kw(c, 'c'))
		secs = DEFAULT_CONFIRM_SECS;
	for (size_t i = 0; i < c->nval; i++) {
		const struct gnode *n = c->val[i].node;
		if (n->kind == GK_INT)
			secs = (unsigned)c->val[i].num * (n->max == 1024 ? 60 : 1);
		else if (n->kind == GK_LINE)
			comment = c->val[i].text;
	}
	return session_commit(c->s, secs, comment, false, c->out, c->err) ? -1 : 0;
}

int cmd_rollback(struct cmd_ctx *c)
{
	if (db_rollback(c->s->db, (unsigned)c->val[0].num, c->s->user, c->err))
		return -1;
	if (c->s->config)
		session_rebase(c->s);
	return 0;
}

int cmd_show_run(struct cmd_ctx *c)
{
	cfg_db_show_running(c->s->db, c->nval ? c->val[0].text : NULL, c->out);
	return 0;
}

int cmd_show_config(struct cmd_ctx *c)
{
	struct cfg_session *s = c->s;
	if (!s->config) {
		sb_puts(c->out, "% No configuration session: 'show configuration' lists the "
		                "uncommitted changes in configuration mode\n");
		return 0;
	}
	sb_printf(c->out, "!! Building configuration...\n!! IOS XR Configuration %s\n",
	          MGMTSEC_CFG_VERSION);
	cfg_diff(s->base, s->cand, c->out);
	sb_puts(c->out, "end\n");
	return 0;
}

int cmd_show_commits(struct cmd_ctx *c)
{
	db_show_commits(c->s->db, c->out);
	return 0;
}

int cmd_op(struct cmd_ctx *c)
{
	struct cfg_db *db = c->s->db;
	enum cfg_op op = (enum cfg_op)c->cmd_node->ival;
	struct cfg_op_args a = {.user = c->s->user};
	for (size_t i = 0; i < c->nval; i++) {
		const struct cmd_val *v = &c->val[i];
		if (v->node->kind == GK_KW && op == CFG_OP_SHOW_IKEV2_SESSION)
			op = CFG_OP_SHOW_IKEV2_SESSION_DETAIL;
		else if (v->node->kind == GK_TUNIF)
			a.has_tunnel = true, a.tunnel = (uint32_t)v->num;
		else if (v->node->kind == GK_INT)
			a.has_id = true, a.id = (uint32_t)v->num;
	}
	if (!db->op) {
		sb_puts(c->err, "% This command needs the running daemon\n");
		return -1;
	}
	return db->op(db->op_arg, op, &a, c->out, c->err) ? -1 : 0;
}

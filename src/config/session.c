/*
 * CLI sessions: modes, the block-form sub-mode stack, line dispatch and error reports.
 *
 * A line is parsed in the innermost sub-mode first, then in each parent down to global
 * configuration (IOS XR falls back the same way); the first level where it parses wins and
 * the sub-modes above it are left. When no level parses it, the error of the level that got
 * furthest is reported (the innermost on ties).
 */
#include "config/session_int.h"
#include "config/cmds.h"
#include "config/model_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct cfg_session *cfg_session_new(struct cfg_db *db, const char *user, bool interactive)
{
	struct cfg_session *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->db = db;
	s->id = ++db->next_session;
	cfg_strset(s->user, sizeof(s->user), user ? user : "unknown");
	s->interactive = interactive;
	return s;
}

void cfg_session_free(struct cfg_session *s)
{
	if (!s)
		return;
	if (s->db->save.sess == s)
		s->db->save.sess = NULL; /* the commit still completes */
	session_leave_config(s);
	sb_free(&s->save_err);
	free(s);
}

void cfg_session_set_interactive(struct cfg_session *s, bool interactive)
{
	s->interactive = interactive;
}

bool cfg_session_in_config(const struct cfg_session *s)
{
	return s->config;
}

bool cfg_session_closed(const struct cfg_session *s)
{
	return s->closed;
}

bool cfg_session_has_changes(const struct cfg_session *s)
{
	return s->config && !cfg_equal(s->base, s->cand);
}

static void smode_free(struct smode *m)
{
	for (size_t i = 0; i < m->path.n; i++)
		free((char *)m->path.m[i].text);
	m->path.n = 0;
}

static int smode_save(struct smode *m, const struct ppath *p, size_t n)
{
	m->path.n = 0;
	for (size_t i = 0; i < n; i++) {
		m->path.m[i] = p->m[i];
		m->path.m[i].pos = SIZE_MAX;
		m->path.m[i].text = strdup(p->m[i].text);
		if (!m->path.m[i].text)
			return -1;
		m->path.n = i + 1;
	}
	return 0;
}

void session_pop(struct cfg_session *s)
{
	if (s->depth)
		smode_free(&s->stack[--s->depth]);
}

static void truncate_stack(struct cfg_session *s, size_t depth)
{
	while (s->depth > depth)
		session_pop(s);
}

void session_enter_config(struct cfg_session *s)
{
	s->config = true;
	s->depth = 0;
	s->ask = ASK_NONE;
	session_rebase(s);
}

void session_leave_config(struct cfg_session *s)
{
	truncate_stack(s, 0);
	cfg_free(s->cand);
	cfg_free(s->base);
	s->cand = s->base = NULL;
	s->config = false;
	s->ask = ASK_NONE;
}

void session_rebase(struct cfg_session *s)
{
	cfg_free(s->cand);
	cfg_free(s->base);
	s->cand = cfg_dup(s->db->running);
	s->base = cfg_dup(s->db->running);
	s->base_version = s->db->version;
}

int session_parse(struct cfg_session *s, const struct ptoks *t, size_t first, bool negate,
                  struct ppath *path, struct pwalk *w, size_t *level, struct perr *e)
{
	const struct gnode *root = s->config ? g_config_root : g_exec_root;
	size_t top = s->config ? s->depth : 0;
	for (size_t lv = top + 1; lv-- > 0;) {
		struct perr pe = {0};
		path->n = 0;
		if (lv)
			*path = s->stack[lv - 1].path;
		size_t prefix = path->n;
		pwalk_init(w, path, root);
		w->negate = negate;
		if (!pwalk_run(w, path, t, first, first, &pe) &&
		    !pwalk_check_end(w, path, prefix, t, &pe)) {
			*level = lv;
			return 0;
		}
		if (lv == top || pe.tok > e->tok)
			*e = pe;
	}
	return -1;
}

/* ---- error reports ---- */

static void caret(struct strbuf *err, const struct ptoks *t, size_t pos)
{
	sb_printf(err, "%s\n%*s^\n", t->line, (int)pos, "");
}

static void hints(const struct ptoks *t, size_t first, struct strbuf *err)
{
	const struct ptok *k = &t->t[first];
	size_t n = t->n - first;
	if (n >= 3 && !strcmp(k[0].s, "ipsec") && !strcmp(k[1].s, "profile") &&
	    !strcmp(k[2].s, "set"))
		sb_puts(err, "% The IPsec profile name is missing: write 'ipsec profile NAME set "
		             "ikev2-profile PROFILE' (the name is required, as in IOS XR)\n");
	for (size_t i = first; i + 2 < t->n; i++)
		if (!strcmp(t->t[i].s, "set") && !strcmp(t->t[i + 1].s, "ikev2") &&
		    !strcmp(t->t[i + 2].s, "profile"))
			sb_puts(err, "% The keyword is 'set ikev2-profile NAME' (one word)\n");
}

static void report(const struct cfg_session *s, const struct ptoks *t, size_t first,
                   const struct perr *e, struct strbuf *err)
{
	const char *tok = e->tok < t->n ? t->t[e->tok].s : "";
	if (s->loading) {
		if (e->kind == PE_INCOMPLETE)
			sb_printf(err, "incomplete command (%s)", e->msg);
		else
			sb_printf(err, "invalid input at '%s' (column %zu)%s%s", tok, e->pos + 1,
			          e->msg[0] ? ": " : "", e->msg);
		return;
	}
	switch (e->kind) {
	case PE_INCOMPLETE:
		sb_printf(err, "%s\n%% Incomplete command.\n%% %s\n", t->line, e->msg);
		break;
	case PE_AMBIGUOUS:
		caret(err, t, e->pos);
		sb_printf(err, "%% Ambiguous command at '^' marker: %s\n", e->msg);
		break;
	default:
		caret(err, t, e->pos);
		sb_puts(err, "% Invalid input detected at '^' marker.\n");
		if (e->msg[0])
			sb_printf(err, "%% %s\n", e->msg);
		hints(t, first, err);
	}
}

static void report_cmd(const struct cfg_session *s, const struct ptoks *t, const struct cmd_ctx *c,
                       struct strbuf *err)
{
	if (s->loading) {
		sb_printf(err, "%s", c->msg);
		return;
	}
	if (c->err_pos != SIZE_MAX)
		caret(err, t, c->err_pos);
	if (c->msg[0])
		sb_printf(err, "%% %s\n", c->msg);
}

/* ---- running a parsed line ---- */

static void fill_ctx(struct cmd_ctx *c, const struct ppath *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct pmatch *m = &p->m[i];
		struct cmd_val v = {m->node, m->text, m->num, m->addr, m->pos};
		if ((m->node->flags & G_KEY) && c->nkey < 4)
			c->key[c->nkey++] = v;
		else if ((m->node->flags & G_VAL) && c->nval < CMD_MAX_VALS)
			c->val[c->nval++] = v;
	}
}

static int push_modes(struct cfg_session *s, const struct ppath *p, size_t from)
{
	for (size_t i = from; i < p->n; i++) {
		if (!(p->m[i].node->flags & G_MODE) || s->depth == S_MAX_DEPTH)
			continue;
		if (smode_save(&s->stack[s->depth++], p, i + 1))
			return -1;
	}
	return 0;
}

static int run_loading_session_cmd(struct cfg_session *s, const struct pwalk *w, struct strbuf *err)
{
	if (w->cmd_node && w->cmd_node->cmd == cmd_exit) {
		session_pop(s);
		return 0;
	}
	if (w->cmd_node && w->cmd_node->cmd == cmd_end)
		return 0;
	sb_puts(err, "this command is not allowed in a configuration file");
	return -1;
}

static int run(struct cfg_session *s, const struct ptoks *t, size_t first, bool negate,
               struct ppath *p, struct pwalk *w, size_t level, struct strbuf *out,
               struct strbuf *err)
{
	size_t prefix = level ? s->stack[level - 1].path.n : 0;
	bool session_cmd = p->m[prefix].node->flags & G_SESSION;
	if (session_cmd && s->loading)
		return run_loading_session_cmd(s, w, err);
	struct cmd_ctx c = {.s = s,
	                    .cfg = s->cand,
	                    .negate = negate,
	                    .cmd_node = w->cmd_node,
	                    .out = out,
	                    .err = err,
	                    .err_pos = SIZE_MAX};
	fill_ctx(&c, p);
	if (!session_cmd)
		truncate_stack(s, level);
	/* A failing command must leave the candidate as it was: a copy to go back to, except for
	 * handlers that fail only before they change anything (G_ATOMIC). Copying the whole
	 * candidate for each of 50,000 interface lines made a 10,000-tunnel commit quadratic. */
	bool need_undo = !session_cmd && !(c.cmd_node->flags & G_ATOMIC);
	struct cfg *undo = need_undo ? cfg_dup(s->cand) : NULL;
	if (need_undo && !undo) {
		sb_puts(err, "% out of memory\n");
		return -1;
	}
	if (c.cmd_node->cmd(&c)) {
		if (undo) {
			cfg_free(s->cand);
			s->cand = undo;
		}
		report_cmd(s, t, &c, err);
		return -1;
	}
	cfg_free(undo);
	if (!negate && !session_cmd && (w->last->flags & G_MODE) && push_modes(s, p, prefix)) {
		sb_puts(err, "% out of memory\n");
		return -1;
	}
	return 0;
}

static bool wants_help(const struct cfg_session *s, const struct ptoks *t)
{
	if (s->loading || !t->n)
		return false;
	const char *last = t->t[t->n - 1].s;
	return last[strlen(last) - 1] == '?';
}

static int answer(struct cfg_session *s, const char *line, struct strbuf *out, struct strbuf *err);

int cfg_session_exec(struct cfg_session *s, const char *line, struct strbuf *out,
                     struct strbuf *err)
{
	if (s->ask)
		return answer(s, line, out, err);
	struct ptoks t;
	if (ptok_split(&t, line)) {
		sb_puts(err, s->loading ? "line too long" : "% Line too long\n");
		return -1;
	}
	int rc = 0;
	if (!t.n || t.t[0].s[0] == '!')
		goto done;
	if (wants_help(s, &t)) {
		t.line[strlen(t.line) - 1] = '\0';
		rc = cfg_help(s, t.line, out) < 0 ? -1 : 0;
		goto done;
	}
	bool negate = s->config && !strcmp(t.t[0].s, "no");
	size_t first = negate ? 1 : 0, level = 0;
	struct ppath path;
	struct pwalk w;
	struct perr e = {0};
	if (session_parse(s, &t, first, negate, &path, &w, &level, &e)) {
		report(s, &t, first, &e, err);
		rc = -1;
		goto done;
	}
	rc = run(s, &t, first, negate, &path, &w, level, out, err);
done:
	ptok_free(&t);
	return rc;
}

/* ---- the `end` question of interactive sessions ---- */

static int answer(struct cfg_session *s, const char *line, struct strbuf *out, struct strbuf *err)
{
	char a[16] = "";
	size_t n = 0;
	for (const char *p = line; *p && n + 1 < sizeof(a); p++)
		if (!isspace((unsigned char)*p))
			a[n++] = (char)tolower((unsigned char)*p);
	s->ask = ASK_NONE;
	if (!strcmp(a, "yes") || !strcmp(a, "y")) {
		if (session_commit(s, 0, NULL, true, out,
		                   err)) /* leaves config mode only if saved */
			return -1;
		session_leave_config(s);
		return 0;
	}
	if (!strcmp(a, "no") || !strcmp(a, "n")) {
		session_leave_config(s);
		return 0;
	}
	if (a[0] && strcmp(a, "cancel") && strcmp(a, "c")) {
		sb_puts(err, "% Please answer 'yes', 'no' or 'cancel'.\n");
		s->ask = ASK_END;
		return -1;
	}
	return 0;
}

void cfg_session_prompt(const struct cfg_session *s, struct strbuf *out)
{
	if (s->ask == ASK_END) {
		sb_puts(out,
		        "Uncommitted changes found, commit them before exiting(yes/no/cancel)? "
		        "[cancel]:");
		return;
	}
	const char *host = s->db->running->hostname[0] ? s->db->running->hostname : "Router";
	sb_puts(out, host);
	if (s->config && s->depth)
		sb_printf(
		    out, "(config-%s)",
		    s->stack[s->depth - 1].path.m[s->stack[s->depth - 1].path.n - 1].node->mode);
	else if (s->config)
		sb_puts(out, "(config)");
	sb_puts(out, "#");
}

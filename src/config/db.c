/*
 * The configuration database: running configuration, commit (validate, apply, save, record),
 * commit history, rollback and confirmed-commit trials.
 *
 * During a `commit confirmed` trial the file keeps the pre-trial configuration: a daemon that
 * dies during the trial restarts with the configuration the trial would have rolled back to.
 * The trial's configuration is saved when it is confirmed.
 */
#include "config/session_int.h"
#include "config/model_int.h"
#include "config/render.h"
#include "util/log.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static time_t default_now(void)
{
	return time(NULL);
}

struct cfg_db *cfg_db_new(const char *path)
{
	struct cfg_db *db = calloc(1, sizeof(*db));
	if (!db)
		return NULL;
	db->running = cfg_new();
	db->initial = cfg_new();
	db->path = path ? strdup(path) : NULL;
	db->next_id = DB_FIRST_ID;
	db->now = default_now;
	db->save.efd = -1;
	if (!db->running || !db->initial || (path && !db->path)) {
		cfg_db_free(db);
		return NULL;
	}
	return db;
}

void cfg_db_free(struct cfg_db *db)
{
	if (!db)
		return;
	db_save_free(db);
	for (size_t i = 0; i < db->n_hist; i++)
		cfg_free(db->hist[i].snap);
	cfg_free(db->running);
	cfg_free(db->initial);
	cfg_free(db->trial.pre);
	free(db->path);
	free(db);
}

void cfg_db_set_apply(struct cfg_db *db, cfg_apply_fn fn, void *arg)
{
	db->apply = fn;
	db->apply_arg = arg;
}

void cfg_db_set_ops(struct cfg_db *db, cfg_op_fn fn, void *arg)
{
	db->op = fn;
	db->op_arg = arg;
}

void cfg_db_set_clock(struct cfg_db *db, time_t (*now)(void))
{
	db->now = now ? now : default_now;
}

time_t db_now(const struct cfg_db *db)
{
	return db->now();
}

const struct cfg *cfg_db_running(const struct cfg_db *db)
{
	return db->running;
}

uint64_t cfg_db_version(const struct cfg_db *db)
{
	return db->version;
}

time_t cfg_db_confirm_deadline(const struct cfg_db *db)
{
	return db->trial.active ? db->trial.deadline : 0;
}

const struct db_commit *db_commit_by_version(const struct cfg_db *db, uint64_t version)
{
	for (size_t i = 0; i < db->n_hist; i++)
		if (db->hist[i].version == version)
			return &db->hist[i];
	return NULL;
}

/* Makes next running (taking it), bumps the version and records the commit. */
void db_install(struct cfg_db *db, struct cfg *next, const struct db_commit_opts *o, time_t now)
{
	if (db->n_hist == DB_MAX_HIST) {
		cfg_free(db->initial);
		db->initial = db->hist[0].snap;
		memmove(&db->hist[0], &db->hist[1], (DB_MAX_HIST - 1) * sizeof(db->hist[0]));
		db->n_hist--;
	}
	db->running = next;
	db->version++;
	struct db_commit *k = &db->hist[db->n_hist++];
	memset(k, 0, sizeof(*k));
	k->id = db->next_id++;
	k->version = db->version;
	k->when = now;
	cfg_strset(k->user, sizeof(k->user), o->user ? o->user : "unknown");
	cfg_strset(k->client, sizeof(k->client), o->client ? o->client : "CLI");
	cfg_strset(k->comment, sizeof(k->comment), o->comment ? o->comment : "");
	k->snap = cfg_dup(next);
	db->last_change = now;
	cfg_strset(db->last_user, sizeof(db->last_user), k->user);
	log_info("config: commit %u by %s (%s)", k->id, k->user, k->client);
}

int db_check_and_apply(struct cfg_db *db, const struct cfg *next, struct strbuf *err)
{
	struct strbuf v = STRBUF_INIT;
	size_t problems = cfg_validate(next, &v);
	if (problems) {
		sb_printf(
		    err, "%% Failed to commit one or more configuration items (%zu problem%s):\n%s",
		    problems, problems == 1 ? "" : "s", sb_str(&v));
		sb_free(&v);
		return -1;
	}
	if (db->apply && db->apply(db->apply_arg, next, db->running, &v)) {
		if (v.len && v.s[0] == '%') /* whole "% ..." lines already: one per problem */
			sb_printf(err, "%% Commit failed:\n%s", sb_str(&v));
		else
			sb_printf(err, "%% Commit failed: %s\n",
			          v.len ? sb_str(&v) : "the system refused it");
		sb_free(&v);
		return -1;
	}
	sb_free(&v);
	return 0;
}

/* Applies `prev` again after a failure; the hook is expected to accept what it ran before. */
void db_revert(struct cfg_db *db, const struct cfg *prev, const struct cfg *failed)
{
	struct strbuf e = STRBUF_INIT;
	if (db->apply && db->apply(db->apply_arg, prev, failed, &e))
		log_err("config: could not re-apply the previous configuration: %s", sb_str(&e));
	sb_free(&e);
}

int db_commit(struct cfg_db *db, struct cfg *next, const struct db_commit_opts *o,
              struct strbuf *err)
{
	db_save_wait(db);
	if (db_check_and_apply(db, next, err))
		return -1;
	time_t now = db_now(db);
	bool trial = o->confirm_secs || db->trial.active;
	if (!trial && db->path && cfg_save_file(db->path, next, now, o->user, err)) {
		db_revert(db, db->running, next);
		return -1;
	}
	if (o->confirm_secs && !db->trial.active) {
		db->trial.pre = db->running;
		db->trial.active = true;
		db->trial.owner = o->session;
		cfg_strset(db->trial.user, sizeof(db->trial.user), o->user ? o->user : "");
	} else {
		cfg_free(db->running);
	}
	if (o->confirm_secs)
		db->trial.deadline = now + o->confirm_secs;
	db_install(db, next, o, now);
	return 0;
}

int db_trial_confirm(struct cfg_db *db, struct strbuf *err)
{
	db_save_wait(db);
	if (!db->trial.active)
		return 0;
	db->trial.active = false;
	cfg_free(db->trial.pre);
	db->trial.pre = NULL;
	if (db->path && cfg_save_file(db->path, db->running, db->last_change, db->last_user, err))
		return -1;
	return 0;
}

int cfg_db_trial_expire(struct cfg_db *db)
{
	db_save_wait(db);
	if (!db->trial.active || db_now(db) < db->trial.deadline)
		return 0;
	struct cfg *pre = db->trial.pre;
	db->trial.pre = NULL;
	db->trial.active = false;
	struct strbuf e = STRBUF_INIT;
	int rc = 1;
	if (db->apply && db->apply(db->apply_arg, pre, db->running, &e)) {
		log_err("config: rollback of the unconfirmed commit was refused: %s", sb_str(&e));
		rc = -1;
	}
	sb_free(&e);
	cfg_free(db->running);
	struct db_commit_opts o = {
	    .user = db->trial.user, .client = "Rollback", .comment = "commit confirmed timed out"};
	db_install(db, pre, &o, db_now(db));
	return rc;
}

int db_rollback(struct cfg_db *db, unsigned n, const char *user, struct strbuf *err)
{
	db_save_wait(db);
	if (db->trial.active) {
		sb_puts(err, "% A confirmed commit is on trial: confirm it or let it roll back "
		             "first\n");
		return -1;
	}
	if (n > db->n_hist) {
		sb_printf(err, "%% Only %zu commit%s recorded: cannot roll back %u\n", db->n_hist,
		          db->n_hist == 1 ? "" : "s", n);
		return -1;
	}
	const struct cfg *target =
	    n == db->n_hist ? db->initial : db->hist[db->n_hist - 1 - n].snap;
	struct cfg *next = target ? cfg_dup(target) : NULL;
	if (!next) {
		sb_puts(err, "% That configuration is not available (out of memory)\n");
		return -1;
	}
	char comment[64];
	snprintf(comment, sizeof(comment), "rollback configuration last %u", n);
	struct db_commit_opts o = {.user = user, .client = "Rollback", .comment = comment};
	if (db_commit(db, next, &o, err)) {
		cfg_free(next);
		return -1;
	}
	return 0;
}

static void fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%a %b %e %H:%M:%S %Y", &tm))
		snprintf(buf, len, "%lld", (long long)t);
}

void db_show_commits(const struct cfg_db *db, struct strbuf *out)
{
	if (!db->n_hist) {
		sb_puts(out, "The commit database is empty.\n");
		return;
	}
	sb_printf(out, "%-5s %-12s %-12s %-9s %-25s %s\n", "SNo.", "Label/ID", "User", "Client",
	          "Time Stamp", "Comment");
	sb_printf(out, "%-5s %-12s %-12s %-9s %-25s %s\n", "~~~~", "~~~~~~~~", "~~~~", "~~~~~~",
	          "~~~~~~~~~~", "~~~~~~~");
	for (size_t i = 0; i < db->n_hist; i++) {
		const struct db_commit *k = &db->hist[db->n_hist - 1 - i];
		char when[40];
		fmt_time(k->when, when, sizeof(when));
		size_t start = out->len;
		sb_printf(out, "%-5zu %-12u %-12s %-9s %-25s %s", i + 1, k->id, k->user, k->client,
		          when, k->comment);
		while (out->len > start && out->s[out->len - 1] == ' ')
			out->s[--out->len] = '\0';
		sb_puts(out, "\n");
	}
}

void cfg_render_header(struct strbuf *out, time_t when, const char *user)
{
	sb_printf(out, "!! Building configuration...\n!! IOS XR Configuration %s\n",
	          MGMTSEC_CFG_VERSION);
	if (when) {
		char buf[40];
		fmt_time(when, buf, sizeof(buf));
		sb_printf(out, "!! Last configuration change at %s by %s\n", buf, user);
	} else {
		sb_puts(out, "!! No configuration change since last restart\n");
	}
}

/* Does the object's first line start with the section's words? */
static bool in_section(const char *block, const char *section)
{
	char sec[256];
	snprintf(sec, sizeof(sec), "%s", section);
	const char *p = block;
	for (char *save = NULL, *w = strtok_r(sec, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		size_t n = strlen(w);
		if (strncmp(p, w, n) || (p[n] != ' ' && p[n] != '\n'))
			return false;
		p += n + (p[n] == ' ');
	}
	return true;
}

void cfg_db_show_running(struct cfg_db *db, const char *section, struct strbuf *out)
{
	if (!section || !*section) {
		cfg_render_header(out, db->last_change, db->last_user);
		sb_puts(out, "!\n");
		cfg_render(db->running, CFG_RENDER_SHOW, out);
		sb_puts(out, "end\n");
		return;
	}
	size_t shown = 0;
	for (size_t k = 0; k < cfg_n_kinds; k++) {
		const struct cfg_kind *kd = &cfg_kinds[k];
		for (size_t i = 0; i < kd->count(db->running); i++) {
			struct strbuf b = STRBUF_INIT;
			kd->render(db->running, i, CFG_RENDER_SHOW, &b);
			if (in_section(sb_str(&b), section)) {
				sb_puts(out, sb_str(&b));
				if (kd->block)
					sb_puts(out, "!\n");
				shown++;
			}
			sb_free(&b);
		}
	}
	if (!shown)
		sb_puts(out, "% No such configuration item(s)\n");
}

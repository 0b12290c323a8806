/*
 * Configuration database and CLI sessions: the API the daemon (ctl/) calls. No sockets here.
 *
 * struct cfg_db holds the running configuration, the commit history, the persistence file and
 * a version counter. struct cfg_session is one CLI client: exec or config mode, the sub-mode
 * stack of the block form and, in config mode, a private candidate copied from running at
 * `configure`. Every session must be freed before its db.
 *
 * Commit: the candidate is validated whole (every problem listed, nothing changed on any
 * error), merged onto running (see cfg_session.c for the concurrency rule), handed to the
 * apply hook (which may refuse), is saved to the file (temp file, fsync, rename, fsync dir;
 * mode 0600; on a thread with cfg_db_async_save), then becomes running and is recorded in the
 * history.
 *
 * Output conventions: normal output goes to `out`, errors to `err`. Functions returning int
 * return 0 on success and -1 on failure (the message is in err).
 */
#ifndef MGMTSEC_CONFIG_SESSION_H
#define MGMTSEC_CONFIG_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config/model.h"
#include "util/strbuf.h"

struct cfg_db;
struct cfg_session;

/* Operational commands whose output comes from the daemon's live state. */
enum cfg_op {
	CFG_OP_SHOW_IKEV2_SESSION = 1,    /* show ikev2 session */
	CFG_OP_SHOW_IKEV2_SESSION_DETAIL, /* show ikev2 session detail */
	CFG_OP_SHOW_IKEV2_SUMMARY,        /* show ikev2 summary */
	CFG_OP_SHOW_IPSEC_SA,             /* show ipsec sa [interface tunnel-ipN] */
	CFG_OP_CLEAR_IKEV2_SESSION,       /* clear ikev2 session [ID] */
	CFG_OP_CLEAR_IPSEC_SA,            /* clear ipsec sa [interface tunnel-ipN] */
	CFG_OP_SHOW_IKEV2_STATISTICS,     /* show ikev2 statistics */
	CFG_OP_SHOW_IPSEC_STATISTICS,     /* show ipsec statistics */
};

struct cfg_op_args {
	bool has_id; /* clear ikev2 session ID */
	uint32_t id;
	bool has_tunnel; /* ... interface tunnel-ipN */
	uint32_t tunnel;
	const char *user; /* the session's user */
};

/* Runs an operational command; returns 0, or -1 with a message in err. */
typedef int (*cfg_op_fn)(void *arg, enum cfg_op op, const struct cfg_op_args *a, struct strbuf *out,
                         struct strbuf *err);

/*
 * Applies a configuration to the system (IKE engine, tunnel interfaces). Called with the new
 * and the current configuration (both borrowed, read-only for the call). Returns 0, or -1
 * with the reason in err: the commit then fails and nothing changes (the hook must leave the
 * system as it was when it refuses).
 */
typedef int (*cfg_apply_fn)(void *arg, const struct cfg *next, const struct cfg *prev,
                            struct strbuf *err);

/* path: the persistence file (NULL = none, for tests). NULL on allocation failure. */
struct cfg_db *cfg_db_new(const char *path);
void cfg_db_free(struct cfg_db *db);
void cfg_db_set_apply(struct cfg_db *db, cfg_apply_fn fn, void *arg);
void cfg_db_set_ops(struct cfg_db *db, cfg_op_fn fn, void *arg);
/* Clock for history and trials (default time(NULL)); tests inject a fixed clock. */
void cfg_db_set_clock(struct cfg_db *db, time_t (*now)(void));

/*
 * Writes the file of a plain commit on a thread, so that the caller's event loop is not held
 * up by the fsyncs: the commit is applied at once, but becomes running (recorded in the history)
 * and should be acknowledged only when its file is on disk. cfg_session_exec then returns with
 * the session waiting (cfg_session_waiting). When cfg_db_save_fd becomes readable, call
 * cfg_db_save_done; a session no longer waiting has its outcome in cfg_session_save_result.
 * A commit whose file cannot be written is undone (the previous configuration applied again)
 * and fails. Commits with a trial (`commit confirmed`), rollbacks and confirmations stay
 * synchronous; each change to the db first waits for a save in flight. Returns 0, or -1 when
 * no eventfd could be made (saves then stay synchronous).
 */
int cfg_db_async_save(struct cfg_db *db);
int cfg_db_save_fd(const struct cfg_db *db); /* -1 when saving is synchronous */
void cfg_db_save_done(struct cfg_db *db);
/* true from a commit's return until cfg_db_save_done (or any later change to the db) found its
 * file written or failed. */
bool cfg_session_waiting(const struct cfg_session *s);
/* The outcome of the commit that waited: 0, or -1 with the reason appended to err. */
int cfg_session_save_result(struct cfg_session *s, struct strbuf *err);

/*
 * Loads the file (block or one-line form) through the grammar. A missing file is an empty
 * configuration. On any syntax or validation error nothing is loaded and errors holds
 * "FILE:LINE: message" lines. On success the configuration becomes running (applied through
 * the apply hook when one is set) and the db's path becomes path. Returns 0 or -1.
 */
int cfg_db_load(struct cfg_db *db, const char *path, struct strbuf *errors);

const struct cfg *cfg_db_running(const struct cfg_db *db); /* borrowed; changes on commit */
/* What the system has applied: running, or a commit whose file is still being written. */
const struct cfg *cfg_db_applied(const struct cfg_db *db);
uint64_t cfg_db_version(const struct cfg_db *db); /* +1 per commit/rollback */
/* Renders `show running-config [section]` (keys masked) with the IOS XR header. */
void cfg_db_show_running(struct cfg_db *db, const char *section, struct strbuf *out);

/* The deadline of a pending `commit confirmed` trial; 0 when none. */
time_t cfg_db_confirm_deadline(const struct cfg_db *db);
/*
 * Call at (or after) the deadline: when the trial is due, rolls back to the pre-trial
 * configuration through the apply hook and records a "Rollback" commit. Returns 1 when it
 * rolled back, 0 when no trial was due, -1 when the hook refused (running is still reverted).
 */
int cfg_db_trial_expire(struct cfg_db *db);

/* user: recorded in the history (copied). interactive: see cfg_session_set_interactive. */
struct cfg_session *cfg_session_new(struct cfg_db *db, const char *user, bool interactive);
void cfg_session_free(struct cfg_session *s); /* NULL-safe; a pending trial keeps running */
/*
 * Interactive sessions are asked before `end`/`exit` drops uncommitted changes; the next
 * line is the answer (yes/no/cancel) and cfg_session_prompt() returns the question. A
 * non-interactive session discards them with "% WARNING: uncommitted changes discarded".
 */
void cfg_session_set_interactive(struct cfg_session *s, bool interactive);

/*
 * Runs one command line as typed after the prompt. A line ending in '?' gives help instead.
 * Syntax errors are reported at once: the line, a caret under the offending token, and
 * "% Invalid input detected at '^' marker." plus the reason. Returns 0 or -1.
 */
int cfg_session_exec(struct cfg_session *s, const char *line, struct strbuf *out,
                     struct strbuf *err);
/* "HOSTNAME#", "HOSTNAME(config)#", "HOSTNAME(config-ikev2-proposal)#", or a question. */
void cfg_session_prompt(const struct cfg_session *s, struct strbuf *out);
bool cfg_session_in_config(const struct cfg_session *s);
bool cfg_session_closed(const struct cfg_session *s);      /* `exit` in exec mode */
bool cfg_session_has_changes(const struct cfg_session *s); /* uncommitted changes */

/*
 * `?` help for a partial line: one "  WORD  help" line per possible next token (or per
 * keyword matching the partial last token), "<cr>" when the line may end. Returns the number
 * of entries, or -1 (with an error message in out) when the line is already invalid.
 */
int cfg_help(struct cfg_session *s, const char *partial, struct strbuf *out);
/*
 * TAB completion of the last (partial) token. Returns the number of matching keywords; when
 * it is >= 1, out holds the whole line extended by their longest common prefix, with a
 * trailing space when exactly one matched. Returns 0 (out untouched) when nothing matches.
 */
int cfg_complete(struct cfg_session *s, const char *partial, struct strbuf *out);

#endif

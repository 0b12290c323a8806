/* Internal state of the config db and sessions, shared by the files of src/config. */
#ifndef MGMTSEC_CONFIG_SESSION_INT_H
#define MGMTSEC_CONFIG_SESSION_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "config/parse.h"
#include "config/session.h"

#define S_MAX_DEPTH   4
#define DB_MAX_HIST   100
#define DB_FIRST_ID   1000000001u
#define DB_CLIENT_LEN 16

/* One level of the block-form sub-mode stack: the path up to the mode's node. */
struct smode {
	struct ppath path; /* texts owned (strdup) */
};

enum s_ask {
	ASK_NONE = 0,
	ASK_END
};

struct cfg_session {
	struct cfg_db *db;
	unsigned id;
	char user[CFG_NAME_SIZE];
	bool interactive;
	bool loading; /* parsing a file: session commands refused, `exit`/`end` lenient */
	bool closed;
	bool config; /* in configuration mode */
	struct smode stack[S_MAX_DEPTH];
	size_t depth;
	struct cfg *cand, *base; /* candidate and the running config it started from */
	uint64_t base_version;
	enum s_ask ask;
	/* A commit of this session whose file is being written (db_save.c): the reply waits. */
	bool save_wait;
	int save_rc;            /* its outcome once save_wait is false: 0 or -1 */
	struct strbuf save_err; /* why it failed */
};

struct db_commit {
	uint32_t id;
	uint64_t version; /* db version after this commit */
	time_t when;
	char user[CFG_NAME_SIZE];
	char client[DB_CLIENT_LEN]; /* "CLI", "Rollback", "Load" */
	char comment[CFG_DESC_SIZE];
	struct cfg *snap; /* the configuration after this commit (owned) */
};

struct db_trial {
	bool active;
	unsigned owner; /* session id */
	char user[CFG_NAME_SIZE];
	time_t deadline;
	struct cfg *pre; /* configuration to go back to (owned) */
};

/* A commit whose file is written by a thread (db_save.c); it becomes running when done. */
struct db_save {
	bool on;     /* cfg_db_async_save was called */
	int efd;     /* eventfd, written when a save is done; -1 when off */
	bool thread; /* the saving thread runs (else saves are synchronous) */
	bool busy;   /* a save was handed over and not yet finished on the caller's side */
	/* Under mu: go (a save to do), done (it is done), stop (the thread is to end). */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool go, stop;
	atomic_bool done;
	pthread_t th;
	/* The thread's input and output (read once done); it renders text from next, when and
	 * user below, which the loop leaves alone meanwhile. */
	char *path;
	struct strbuf text;
	int error; /* errno value; 0 = saved */
	/* The commit: recorded on success, undone on failure. */
	struct cfg *next;
	time_t when;
	char user[CFG_NAME_SIZE];
	char comment[CFG_DESC_SIZE];
	struct cfg_session *sess; /* NULL when it was closed meanwhile */
};

struct cfg_db {
	char *path;
	struct cfg *running;
	struct cfg *initial; /* the configuration before the oldest recorded commit */
	uint64_t version;
	struct db_commit hist[DB_MAX_HIST]; /* oldest first */
	size_t n_hist;
	uint32_t next_id;
	time_t last_change;
	char last_user[CFG_NAME_SIZE];
	unsigned next_session;
	struct db_trial trial;
	cfg_apply_fn apply;
	void *apply_arg;
	cfg_op_fn op;
	void *op_arg;
	time_t (*now)(void);
	struct db_save save;
};

/* Options of one commit. */
struct db_commit_opts {
	const char *user;
	const char *client;
	const char *comment;
	unsigned confirm_secs; /* 0 = plain commit */
	unsigned session;      /* owner of a trial */
};

/* db.c: validates, applies, saves and records `next` (taken on success). */
int db_commit(struct cfg_db *db, struct cfg *next, const struct db_commit_opts *o,
              struct strbuf *err);
/* db.c: the steps of a commit, shared with db_save.c. */
int db_check_and_apply(struct cfg_db *db, const struct cfg *next, struct strbuf *err);
void db_revert(struct cfg_db *db, const struct cfg *prev, const struct cfg *failed);
void db_install(struct cfg_db *db, struct cfg *next, const struct db_commit_opts *o, time_t now);
/* db_save.c: like db_commit for a plain commit of session s, but the file is written by a
 * thread: s waits (save_wait) until cfg_db_save_done or db_save_wait finishes it, which also
 * rebases s on success. Takes next in every case. */
int db_commit_async(struct cfg_db *db, struct cfg *next, const struct db_commit_opts *o,
                    struct cfg_session *s, struct strbuf *err);
bool db_save_usable(const struct cfg_db *db);
/* Finishes a save in flight, waiting for its thread; every change to the db calls it first. */
void db_save_wait(struct cfg_db *db);
void db_save_free(struct cfg_db *db);
/* db.c: confirms the pending trial (saves the file). */
int db_trial_confirm(struct cfg_db *db, struct strbuf *err);
time_t db_now(const struct cfg_db *db);
const struct db_commit *db_commit_by_version(const struct cfg_db *db, uint64_t version);
void db_show_commits(const struct cfg_db *db, struct strbuf *out);
int db_rollback(struct cfg_db *db, unsigned n, const char *user, struct strbuf *err);

/* validate.c: appends one "% ..." line per problem; returns the number of problems. */
size_t cfg_validate(const struct cfg *c, struct strbuf *err);

/* persist.c */
int cfg_save_file(const char *path, const struct cfg *c, time_t when, const char *user,
                  struct strbuf *err);
/* The pieces of cfg_save_file. cfg_write_file touches nothing but path and text, so it may run
 * on another thread; it returns 0 or an errno value. */
void cfg_render_file(const struct cfg *c, time_t when, const char *user, struct strbuf *text);
int cfg_write_file(const char *path, const struct strbuf *text);
void cfg_save_error(struct strbuf *err, const char *path, int e);
void cfg_text_wipe(struct strbuf *text); /* the text holds the keys */
void cfg_render_header(struct strbuf *out, time_t when, const char *user);

/* diff.c */
bool cfg_equal(const struct cfg *a, const struct cfg *b);
void cfg_diff(const struct cfg *from, const struct cfg *to, struct strbuf *out);
/* Three-way merge of the session's changes (base → cand) onto running. NULL on conflict
 * (err says which object) or allocation failure. */
struct cfg *cfg_merge(const struct cfg *base, const struct cfg *cand, const struct cfg *running,
                      char *conflict, size_t clen);

/* session.c */
void session_enter_config(struct cfg_session *s);
void session_leave_config(struct cfg_session *s);
void session_rebase(struct cfg_session *s);
void session_pop(struct cfg_session *s);
/* Commits the session's candidate (cmds_session.c). confirm_secs 0 = plain commit. wait:
 * finish here even when the file is written on a thread (the session does not wait). */
int session_commit(struct cfg_session *s, unsigned confirm_secs, const char *comment, bool wait,
                   struct strbuf *out, struct strbuf *err);
/* Parses a line against the session's modes; fills path/walk/level. */
int session_parse(struct cfg_session *s, const struct ptoks *t, size_t first, bool negate,
                  struct ppath *path, struct pwalk *w, size_t *level, struct perr *e);

#endif

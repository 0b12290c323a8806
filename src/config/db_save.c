/*
 * Saving a commit's file off the event loop.
 *
 * A plain commit is validated and applied at once, as before, but writing the file (temp
 * file, fsync, rename, fsync of the directory: a few milliseconds) runs on a thread while the
 * daemon's loop goes on, so IKE exchanges the commit started are not held up. The commit
 * becomes running, enters the history and is acknowledged only when the file is on disk; if
 * it cannot be written, the previous configuration is applied again and the commit fails, as
 * a synchronous save failure did. Nothing is acknowledged before it is durable.
 *
 * One save at a time: every other change to the db (another commit, rollback, trial, load,
 * free) first waits for the save in flight (db_save_wait), so each starts from a settled
 * running configuration.
 */
#include "config/session_int.h"
#include "config/model_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void *save_thread(void *arg);

/* One thread for the daemon's life: creating one per commit cost the loop 0.4-0.6 ms (mmap,
 * clone) right after the commit's first IKE_SA_INIT was sent. */
int cfg_db_async_save(struct cfg_db *db)
{
	struct db_save *v = &db->save;
	if (v->on)
		return 0;
	v->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (v->efd < 0)
		return -1;
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->cv, NULL);
	v->go = v->stop = false;
	v->thread = pthread_create(&v->th, NULL, save_thread, db) == 0;
	v->on = true;
	return 0;
}

int cfg_db_save_fd(const struct cfg_db *db)
{
	return db->save.efd;
}

const struct cfg *cfg_db_applied(const struct cfg_db *db)
{
	return db->save.busy ? db->save.next : db->running;
}

bool db_save_usable(const struct cfg_db *db)
{
	return db->save.on && db->path;
}

/* The commit's file: rendered from v->next and written to v->path; an errno value or 0. On
 * the saving thread the loop does not touch v->next until finish() (and reads it only), and
 * with 10,000 tunnels rendering took the loop milliseconds of printf. */
static int save_file(struct db_save *v)
{
	cfg_render_file(v->next, v->when, v->user, &v->text);
	return cfg_write_file(v->path, &v->text);
}

static void *save_thread(void *arg)
{
	struct cfg_db *db = arg;
	struct db_save *v = &db->save;
	pthread_mutex_lock(&v->mu);
	for (;;) {
		while (!v->go && !v->stop)
			pthread_cond_wait(&v->cv, &v->mu);
		if (v->stop)
			break;
		v->go = false;
		pthread_mutex_unlock(&v->mu);
		int error = save_file(v);
		pthread_mutex_lock(&v->mu);
		v->error = error;
		atomic_store(&v->done, true);
		pthread_cond_broadcast(&v->cv);
		uint64_t one = 1;
		while (write(v->efd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
	}
	pthread_mutex_unlock(&v->mu);
	return NULL;
}

/* The save is done: record the commit or undo it. */
static void finish(struct cfg_db *db)
{
	struct db_save *v = &db->save;
	struct cfg_session *s = v->sess;
	v->busy = false;
	v->sess = NULL;
	cfg_text_wipe(&v->text);
	free(v->path);
	v->path = NULL;
	if (!v->error) {
		struct db_commit_opts o = {.user = v->user, .client = "CLI", .comment = v->comment};
		cfg_free(db->running);
		db_install(db, v->next, &o, v->when);
	} else {
		db_revert(db, db->running, v->next);
		cfg_free(v->next);
	}
	v->next = NULL;
	if (!s)
		return;
	s->save_wait = false;
	s->save_rc = v->error ? -1 : 0;
	if (v->error)
		cfg_save_error(&s->save_err, db->path, v->error);
	else
		session_rebase(s);
}

int db_commit_async(struct cfg_db *db, struct cfg *next, const struct db_commit_opts *o,
                    struct cfg_session *s, struct strbuf *err)
{
	struct db_save *v = &db->save;
	db_save_wait(db);
	if (db_check_and_apply(db, next, err)) {
		cfg_free(next);
		return -1;
	}
	v->when = db_now(db);
	cfg_strset(v->user, sizeof(v->user), o->user ? o->user : "unknown");
	cfg_strset(v->comment, sizeof(v->comment), o->comment ? o->comment : "");
	v->path = strdup(db->path);
	v->next = next;
	v->sess = s;
	v->busy = true;
	s->save_wait = true;
	atomic_store(&v->done, false);
	if (!v->path) {
		v->error = ENOMEM;
	} else if (v->thread) {
		pthread_mutex_lock(&v->mu);
		v->go = true;
		pthread_cond_signal(&v->cv);
		pthread_mutex_unlock(&v->mu);
		return 0;
	} else { /* no thread: save here, as the synchronous path does */
		v->error = save_file(v);
	}
	finish(db);
	return cfg_session_save_result(s, err); /* said here, once */
}

void db_save_wait(struct cfg_db *db)
{
	struct db_save *v = &db->save;
	if (!v->busy)
		return;
	if (v->thread) {
		pthread_mutex_lock(&v->mu);
		while (!atomic_load(&v->done))
			pthread_cond_wait(&v->cv, &v->mu);
		pthread_mutex_unlock(&v->mu);
	}
	finish(db);
}

void cfg_db_save_done(struct cfg_db *db)
{
	uint64_t n;
	if (db->save.efd >= 0)
		while (read(db->save.efd, &n, sizeof(n)) == (ssize_t)sizeof(n))
			;
	if (db->save.busy && atomic_load(&db->save.done))
		db_save_wait(db);
}

void db_save_free(struct cfg_db *db)
{
	struct db_save *v = &db->save;
	if (!v->on)
		return;
	if (v->busy) {
		db->apply = NULL; /* going away: a failed save has nothing to re-apply to */
		db_save_wait(db);
	}
	if (v->thread) {
		pthread_mutex_lock(&v->mu);
		v->stop = true;
		pthread_cond_signal(&v->cv);
		pthread_mutex_unlock(&v->mu);
		pthread_join(v->th, NULL);
		v->thread = false;
	}
	pthread_cond_destroy(&v->cv);
	pthread_mutex_destroy(&v->mu);
	close(v->efd);
	v->efd = -1;
	v->on = false;
}

bool cfg_session_waiting(const struct cfg_session *s)
{
	return s->save_wait;
}

int cfg_session_save_result(struct cfg_session *s, struct strbuf *err)
{
	int rc = s->save_rc;
	if (s->save_err.len)
		sb_puts(err, sb_str(&s->save_err));
	sb_reset(&s->save_err);
	s->save_rc = 0;
	return rc;
}

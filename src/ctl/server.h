/*
 * The daemon's control socket: accepts CLI connections on a unix stream socket (mode 0600),
 * one session per connection, and hands each framed request (ctl/proto.h) to a backend.
 *
 * Every socket is non-blocking and driven by the event loop: a slow or vanished client never
 * blocks the daemon; replies are queued and written as the client reads them. Only root
 * (uid 0) or members of an optional group may talk to it (SO_PEERCRED).
 */
#ifndef MGMTSEC_CTL_SERVER_H
#define MGMTSEC_CTL_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/loop.h"
#include "util/strbuf.h"

struct ctl_backend {
	void *arg;
	/* Returns an opaque session (owned by the backend) or NULL to refuse. */
	void *(*open)(void *arg, bool interactive, const char *user);
	void (*close)(void *arg, void *sess);
	/* status: 0 ok, 1 failed. */
	int (*exec)(void *arg, void *sess, const char *line, struct strbuf *out,
	            struct strbuf *err);
	void (*help)(void *arg, void *sess, const char *partial, struct strbuf *out);
	void (*complete)(void *arg, void *sess, const char *partial, struct strbuf *out);
	void (*prompt)(void *arg, void *sess, struct strbuf *out);
	/* Optional. True while the session's last EXEC waits for work off the loop (a commit's
	 * file being written): its reply is held, and the client's next requests wait, until
	 * ctl_server_wake finds it no longer waiting and asks `finish` for the final status. */
	bool (*waiting)(void *arg, void *sess);
	int (*finish)(void *arg, void *sess, int status, struct strbuf *err);
};

struct ctl_server;

/* allow_gid: a group whose members may connect besides root; (gid_t)-1 for none.
 * The backend struct is copied. Returns NULL (with a logged reason) on failure. */
struct ctl_server *ctl_server_new(struct loop *l, const char *path, const struct ctl_backend *b,
                                  gid_t allow_gid);
/* Closes every connection (sessions closed through the backend) and unlinks the socket. */
void ctl_server_free(struct ctl_server *s);
unsigned ctl_server_clients(const struct ctl_server *s);
/* Sends the held replies of sessions that stopped waiting (see ctl_backend.waiting). */
void ctl_server_wake(struct ctl_server *s);

#endif

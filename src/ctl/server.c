#include "ctl/server.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/proto.h"
#include "util/log.h"

#define CTL_MAX_CLIENTS 64
#define CTL_RBUF        (CTL_MAX_REQUEST + 64)

struct client {
	struct ctl_server *srv;
	int fd;
	void *sess;
	bool hello_done;
	char user[64];
	char rbuf[CTL_RBUF];
	size_t rlen;
	struct strbuf wbuf;
	size_t woff;
	/* A reply held while the backend waits (ctl_backend.waiting). */
	bool held;
	int h_status;
	struct strbuf h_out, h_err;
	struct client *next;
};

struct ctl_server {
	struct loop *loop;
	int fd;
	char path[108];
	struct ctl_backend be;
	gid_t allow_gid;
	struct client *clients;
	unsigned n_clients;
};

static void client_close(struct client *c)
{
	struct ctl_server *s = c->srv;
	for (struct client **pp = &s->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	s->n_clients--;
	loop_del_fd(s->loop, c->fd);
	close(c->fd);
	if (c->sess)
		s->be.close(s->be.arg, c->sess);
	sb_free(&c->wbuf);
	sb_free(&c->h_out);
	sb_free(&c->h_err);
	free(c);
}

/* Writes what the socket takes now; the rest waits for EPOLLOUT. Returns -1 if the client is gone.
 */
static int client_flush(struct client *c)
{
	while (c->woff < c->wbuf.len) {
		ssize_t w = send(c->fd, c->wbuf.s + c->woff, c->wbuf.len - c->woff, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		c->woff += (size_t)w;
	}
	if (c->woff == c->wbuf.len) {
		sb_reset(&c->wbuf);
		c->woff = 0;
		loop_mod_fd(c->srv->loop, c->fd, EPOLLIN);
	} else {
		loop_mod_fd(c->srv->loop, c->fd, EPOLLOUT);
	}
	return 0;
}

static bool parse_hello(const char *p, size_t n, bool *interactive, char *user, size_t ulen)
{
	char tmp[256];
	if (n >= sizeof(tmp))
		return false;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	char *save = NULL;
	for (char *tok = strtok_r(tmp, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (strcmp(tok, "interactive=1") == 0)
			*interactive = true;
		else if (strncmp(tok, "user=", 5) == 0 && strlen(tok + 5) < ulen)
			snprintf(user, ulen, "%s", tok + 5);
	}
	return true;
}

/* The session's user is the authenticated peer; HELLO may only add a display name after it. */
static int client_session(struct client *c, bool interactive, const char *claimed)
{
	struct ctl_server *s = c->srv;
	char who[160];
	if (claimed && *claimed && strcmp(claimed, c->user) != 0)
		snprintf(who, sizeof(who), "%s(%s)", c->user, claimed);
	else
		snprintf(who, sizeof(who), "%s", c->user);
	c->sess = s->be.open(s->be.arg, interactive, who);
	return c->sess ? 0 : -1;
}

/* Queues the reply (taking out and err). Returns -1 when the client must be dropped. */
static int respond(struct client *c, int status, struct strbuf *out, struct strbuf *err)
{
	struct ctl_server *s = c->srv;
	struct strbuf prompt = STRBUF_INIT;
	if (c->sess)
		s->be.prompt(s->be.arg, c->sess, &prompt);
	ctl_encode_response(&c->wbuf, status, out, err, sb_str(&prompt));
	sb_free(out);
	sb_free(err);
	sb_free(&prompt);
	if (c->wbuf.oom || c->wbuf.len > 2 * (size_t)CTL_MAX_RESPONSE)
		return -1;
	return status == 2 ? -1 : 0;
}

static int handle(struct client *c, enum ctl_verb v, const char *payload, size_t plen)
{
	struct ctl_server *s = c->srv;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *line = strndup(payload, plen);
	int status = 0;
	if (!line)
		return -1;
	if (memchr(payload, '\0', plen)) {
		sb_puts(&err, "% NUL byte in request\n");
		status = 2;
	} else if (v == CTL_HELLO) {
		bool inter = false;
		char user[64] = "";
		if (c->hello_done || !parse_hello(payload, plen, &inter, user, sizeof(user))) {
			sb_puts(&err, "% unexpected HELLO\n");
			status = 2;
		} else if (client_session(c, inter, user) < 0) {
			sb_puts(&err, "% session refused\n");
			status = 1;
		}
		c->hello_done = true;
	} else {
		if (!c->sess && client_session(c, false, NULL) < 0) {
			free(line);
			return -1;
		}
		c->hello_done = true;
		switch (v) {
		case CTL_EXEC:
			status = s->be.exec(s->be.arg, c->sess, line, &out, &err) ? 1 : 0;
			break;
		case CTL_HELP:
			s->be.help(s->be.arg, c->sess, line, &out);
			break;
		case CTL_COMPLETE:
			s->be.complete(s->be.arg, c->sess, line, &out);
			break;
		default:
			break;
		}
	}
	free(line);
	if (v == CTL_EXEC && status != 2 && s->be.waiting && s->be.waiting(s->be.arg, c->sess)) {
		c->held = true;
		c->h_status = status;
		c->h_out = out;
		c->h_err = err;
		loop_mod_fd(s->loop, c->fd, 0); /* read nothing more until the reply is out */
		return 0;
	}
	return respond(c, status, &out, &err);
}

/* Handles every whole request buffered, one at a time: while a reply is still queued we stop
 * (back-pressure). Returns -1 when the client must be dropped. */
static int client_process(struct client *c)
{
	while (c->wbuf.len == 0 && !c->held) {
		enum ctl_verb v;
		const char *p;
		size_t plen, used;
		int rc = ctl_decode_request(c->rbuf, c->rlen, &v, &p, &plen, &used);
		if (rc == 0)
			break;
		if (rc < 0) {
			/* Say why before closing: the client may be a program that needs to know.
			 */
			struct strbuf none = STRBUF_INIT, e = STRBUF_INIT;
			sb_puts(&e, "% malformed or oversized request: connection closed\n");
			ctl_encode_response(&c->wbuf, 2, &none, &e, "");
			sb_free(&e);
		}
		if (rc < 0 || handle(c, v, p, plen) < 0) {
			log_info("ctl: closing client %s: malformed or refused request", c->user);
			client_flush(c);
			return -1;
		}
		memmove(c->rbuf, c->rbuf + used, c->rlen - used);
		c->rlen -= used;
		if (c->held)
			break;
		if (client_flush(c) < 0)
			return -1;
	}
	/* A full buffer with no whole request in it can only be an oversized request. */
	return !c->held && c->rlen == sizeof(c->rbuf) ? -1 : 0;
}

static void client_io(int fd, uint32_t events, void *arg)
{
	struct client *c = arg;
	if (events & (EPOLLERR | EPOLLHUP) && !(events & (EPOLLIN | EPOLLOUT))) {
		client_close(c);
		return;
	}
	if (events & EPOLLOUT) {
		if (client_flush(c) < 0 || client_process(c) < 0)
			client_close(c);
		return;
	}
	ssize_t r = recv(fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		client_close(c);
		return;
	}
	c->rlen += (size_t)r;
	if (client_process(c) < 0)
		client_close(c);
}

static bool peer_allowed(struct ctl_server *s, int fd, char *user, size_t ulen)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return false;
	struct passwd pw, *res = NULL;
	char buf[1024];
	if (getpwuid_r(cr.uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		snprintf(user, ulen, "%s", pw.pw_name);
	else
		snprintf(user, ulen, "uid%u", (unsigned)cr.uid);
	return cr.uid == 0 || (s->allow_gid != (gid_t)-1 && cr.gid == s->allow_gid);
}

static void on_accept(int fd, uint32_t events, void *arg)
{
	struct ctl_server *s = arg;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	char user[64];
	if (s->n_clients >= CTL_MAX_CLIENTS || !peer_allowed(s, cfd, user, sizeof(user))) {
		log_info("ctl: connection refused (%s)",
		         s->n_clients >= CTL_MAX_CLIENTS ? "too many clients" : "not authorised");
		close(cfd);
		return;
	}
	struct client *c = calloc(1, sizeof(*c));
	if (!c || loop_add_fd(s->loop, cfd, EPOLLIN, client_io, c) < 0) {
		free(c);
		close(cfd);
		return;
	}
	c->srv = s;
	c->fd = cfd;
	snprintf(c->user, sizeof(c->user), "%s", user);
	c->next = s->clients;
	s->clients = c;
	s->n_clients++;
}

struct ctl_server *ctl_server_new(struct loop *l, const char *path, const struct ctl_backend *b,
                                  gid_t allow_gid)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	if (len >= sizeof(sa.sun_path)) {
		log_err("control socket path too long: %s", path);
		return NULL;
	}
	struct ctl_server *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->loop = l;
	s->be = *b;
	s->allow_gid = allow_gid;
	snprintf(s->path, sizeof(s->path), "%s", path);
	memcpy(sa.sun_path, path, len + 1);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto fail;
	unlink(path); /* a stale socket from a killed daemon */
	mode_t old = umask(0177);
	int rc = bind(s->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || chmod(path, allow_gid != (gid_t)-1 ? 0660 : 0600) < 0 ||
	    (allow_gid != (gid_t)-1 && chown(path, 0, allow_gid) < 0) || listen(s->fd, 16) < 0 ||
	    loop_add_fd(l, s->fd, EPOLLIN, on_accept, s) < 0)
		goto fail;
	return s;
fail:
	log_err("control socket %s: %s", path, strerror(errno));
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return NULL;
}

void ctl_server_free(struct ctl_server *s)
{
	if (!s)
		return;
	for (struct client *c = s->clients, *next; c; c = next) {
		next = c->next;
		client_close(c);
	}
	loop_del_fd(s->loop, s->fd);
	close(s->fd);
	unlink(s->path);
	free(s);
}

void ctl_server_wake(struct ctl_server *s)
{
	struct client *next;
	for (struct client *c = s->clients; c; c = next) {
		next = c->next;
		if (!c->held || s->be.waiting(s->be.arg, c->sess))
			continue;
		c->held = false;
		int status = s->be.finish(s->be.arg, c->sess, c->h_status, &c->h_err);
		if (respond(c, status, &c->h_out, &c->h_err) < 0 || client_flush(c) < 0 ||
		    client_process(c) < 0)
			client_close(c);
	}
}

unsigned ctl_server_clients(const struct ctl_server *s)
{
	return s->n_clients;
}

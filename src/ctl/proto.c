#include "ctl/proto.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *const verbs[CTL_VERB_COUNT] = {"HELLO", "EXEC", "HELP", "COMPLETE", "PROMPT"};

const char *ctl_verb_name(enum ctl_verb v)
{
	return (unsigned)v < CTL_VERB_COUNT ? verbs[v] : "?";
}

void ctl_encode_request(struct strbuf *out, enum ctl_verb v, const char *payload, size_t len)
{
	sb_printf(out, "%s %zu\n", ctl_verb_name(v), len);
	sb_append(out, payload, len);
}

void ctl_encode_response(struct strbuf *out, int status, const struct strbuf *o,
                         const struct strbuf *e, const char *prompt)
{
	size_t pl = prompt ? strlen(prompt) : 0;
	sb_printf(out, "R %d %zu %zu %zu\n", status, o->len, e->len, pl);
	sb_append(out, sb_str(o), o->len);
	sb_append(out, sb_str(e), e->len);
	if (pl)
		sb_append(out, prompt, pl);
}

/* Parses a decimal size with no sign, no leading junk, and an upper bound. */
static int parse_size(const char *s, const char *end, size_t max, size_t *out)
{
	size_t v = 0;
	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (size_t)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

int ctl_decode_request(const char *buf, size_t len, enum ctl_verb *v, const char **payload,
                       size_t *plen, size_t *consumed)
{
	const char *nl = memchr(buf, '\n', len < 32 ? len : 32);
	if (!nl)
		return len >= 32 ? -1 : 0;
	const char *sp = memchr(buf, ' ', (size_t)(nl - buf));
	if (!sp)
		return -1;
	int verb = -1;
	for (int i = 0; i < CTL_VERB_COUNT; i++) {
		size_t n = strlen(verbs[i]);
		if ((size_t)(sp - buf) == n && memcmp(buf, verbs[i], n) == 0)
			verb = i;
	}
	size_t n;
	if (verb < 0 || parse_size(sp + 1, nl, CTL_MAX_REQUEST, &n) < 0)
		return -1;
	size_t hdr = (size_t)(nl - buf) + 1;
	if (len - hdr < n)
		return 0;
	*v = (enum ctl_verb)verb;
	*payload = nl + 1;
	*plen = n;
	*consumed = hdr + n;
	return 1;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, struct strbuf *sb, size_t n)
{
	char tmp[4096];
	while (n) {
		ssize_t r = read(fd, tmp, n < sizeof(tmp) ? n : sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		sb_append(sb, tmp, (size_t)r);
		n -= (size_t)r;
	}
	return sb->oom ? -1 : 0;
}

static int read_line(int fd, char *line, size_t cap)
{
	size_t n = 0;
	while (n + 1 < cap) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (c == '\n') {
			line[n] = '\0';
			return 0;
		}
		line[n++] = c;
	}
	return -1;
}

/* Parses "R <status> <out_len> <err_len> <prompt_len>" exactly as ctl_encode_response writes it,
 * into h[0..3] in that order, each within its bound. Returns 0 or -1. */
static int parse_response_header(const char *line, size_t h[4])
{
	static const size_t max[4] = {INT_MAX, CTL_MAX_RESPONSE, CTL_MAX_RESPONSE, 4096};
	const char *p = line;
	if (*p++ != 'R')
		return -1;
	for (int i = 0; i < 4; i++) {
		if (*p++ != ' ')
			return -1;
		const char *end = p + strcspn(p, " ");
		if (parse_size(p, end, max[i], &h[i]) < 0)
			return -1;
		p = end;
	}
	return *p ? -1 : 0;
}

int ctl_call(int fd, enum ctl_verb v, const char *payload, struct ctl_response *r)
{
	struct strbuf req = STRBUF_INIT;
	ctl_encode_request(&req, v, payload, strlen(payload));
	int rc = req.oom ? -1 : write_all(fd, sb_str(&req), req.len);
	sb_free(&req);
	if (rc < 0)
		return -1;
	char line[128];
	size_t h[4];
	if (read_line(fd, line, sizeof(line)) < 0 || parse_response_header(line, h) < 0)
		return -1;
	r->status = (int)h[0];
	r->out = r->err = r->prompt = STRBUF_INIT;
	if (read_all(fd, &r->out, h[1]) < 0 || read_all(fd, &r->err, h[2]) < 0 ||
	    read_all(fd, &r->prompt, h[3]) < 0) {
		ctl_response_free(r);
		return -1;
	}
	return 0;
}

void ctl_response_free(struct ctl_response *r)
{
	sb_free(&r->out);
	sb_free(&r->err);
	sb_free(&r->prompt);
}

int ctl_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	if (len >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, len + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * Persistence: the running configuration saved as rendered text (with the real keys) and
 * loaded back through the grammar.
 *
 * Save: temp file in the same directory (mode 0600), write, fsync, rename over the file,
 * fsync the directory. A crash leaves either the old or the new file (and maybe a stray
 * temp file, never read). Load: all or nothing; errors are "FILE:LINE: message".
 */
#include "config/persist.h"
#include "config/render.h"
#include "config/session_int.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cfg_text_wipe(struct strbuf *text)
{
	if (text->s)
		memwipe(text->s, text->cap);
	sb_free(text);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* Writes text to a new temp file next to path; returns its fd (tmp holds the name) or -1. */
static int write_temp(const char *dir, const char *base, const struct strbuf *text, char *tmp,
                      size_t tlen)
{
	snprintf(tmp, tlen, "%s/.%s.tmpXXXXXX", dir, base);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0600) || write_all(fd, sb_str(text), text->len) || fsync(fd)) {
		int e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	return fd;
}

void cfg_render_file(const struct cfg *c, time_t when, const char *user, struct strbuf *text)
{
	cfg_render_header(text, when, user);
	sb_puts(text, "!\n");
	cfg_render(c, CFG_RENDER_FILE, text);
	sb_puts(text, "end\n");
}

int cfg_write_file(const char *path, const struct strbuf *text)
{
	char *d = strdup(path), *b = strdup(path);
	const char *dir = d ? dirname(d) : NULL;
	char tmp[4096];
	int rc = -1, fd = -1;
	if (!d || !b || text->oom)
		errno = ENOMEM;
	else if ((fd = write_temp(dir, basename(b), text, tmp, sizeof(tmp))) >= 0) {
		if (close(fd) == 0 && rename(tmp, path) == 0)
			rc = fsync_dir(dir);
		else
			unlink(tmp);
	}
	int e = rc ? (errno ? errno : EIO) : 0;
	free(d);
	free(b);
	return e;
}

void cfg_save_error(struct strbuf *err, const char *path, int e)
{
	sb_printf(err, "%% Could not save the configuration to %s: %s\n", path, strerror(e));
}

int cfg_save_file(const char *path, const struct cfg *c, time_t when, const char *user,
                  struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	cfg_render_file(c, when, user, &text);
	int e = cfg_write_file(path, &text);
	if (e)
		cfg_save_error(err, path, e);
	cfg_text_wipe(&text);
	return e ? -1 : 0;
}

/* A session in file mode: config mode, starting from an empty configuration. */
static struct cfg_session *load_session(struct cfg_db *db)
{
	struct cfg_session *s = cfg_session_new(db, "load", false);
	if (!s)
		return NULL;
	s->loading = true;
	s->config = true;
	s->cand = cfg_new();
	s->base = cfg_new();
	if (!s->cand || !s->base) {
		cfg_session_free(s);
		return NULL;
	}
	return s;
}

/* Parses every line; returns the number of errors (appended to errors). */
static size_t parse_lines(struct cfg_session *s, const char *name, FILE *f, struct strbuf *errors)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0, nerr = 0;
	ssize_t len;
	struct strbuf out = STRBUF_INIT, e = STRBUF_INIT;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (line[0] == '!')
			while (s->depth)
				session_pop(s); /* `!` in column 0 closes every block */
		sb_reset(&e);
		if (strlen(line) != (size_t)len) {
			sb_puts(&e, "NUL character in line");
		} else if (!cfg_session_exec(s, line, &out, &e)) {
			continue;
		}
		sb_printf(errors, "%s:%zu: %s\n", name, lineno, sb_str(&e));
		nerr++;
	}
	if (line)
		memwipe(line, cap);
	free(line);
	sb_free(&out);
	sb_free(&e);
	return nerr;
}

static size_t validate_loaded(const struct cfg *c, const char *name, struct strbuf *errors)
{
	struct strbuf v = STRBUF_INIT;
	size_t n = cfg_validate(c, &v);
	for (const char *p = sb_str(&v); *p;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		size_t skip = l >= 2 && p[0] == '%' ? 2 : 0;
		sb_printf(errors, "%s: %.*s\n", name, (int)(l - skip), p + skip);
		p += l + (nl != NULL);
	}
	sb_free(&v);
	return n;
}

struct cfg *cfg_parse_stream(struct cfg_db *db, const char *name, FILE *f, struct strbuf *errors)
{
	struct cfg_session *s = load_session(db);
	if (!s) {
		sb_printf(errors, "%s: out of memory\n", name);
		return NULL;
	}
	size_t nerr = parse_lines(s, name, f, errors);
	if (!nerr)
		nerr = validate_loaded(s->cand, name, errors);
	struct cfg *c = NULL;
	if (!nerr) {
		c = s->cand;
		s->cand = NULL;
	}
	cfg_session_free(s);
	return c;
}

static int install_loaded(struct cfg_db *db, struct cfg *c, const char *path, struct strbuf *errors)
{
	struct strbuf e = STRBUF_INIT;
	char *p = strdup(path);
	struct cfg *init = cfg_dup(c);
	if (!p || !init || (db->apply && db->apply(db->apply_arg, c, db->running, &e))) {
		sb_printf(errors, "%s: the configuration could not be applied: %s\n", path,
		          e.len ? sb_str(&e) : "out of memory");
		sb_free(&e);
		free(p);
		cfg_free(init);
		cfg_free(c);
		return -1;
	}
	sb_free(&e);
	cfg_free(db->running);
	cfg_free(db->initial);
	db->running = c;
	db->initial = init;
	free(db->path);
	db->path = p;
	return 0;
}

int cfg_db_load(struct cfg_db *db, const char *path, struct strbuf *errors)
{
	FILE *f = fopen(path, "re");
	if (!f && errno != ENOENT) {
		sb_printf(errors, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	struct cfg *c = f ? cfg_parse_stream(db, path, f, errors) : cfg_new();
	if (f)
		fclose(f);
	if (!c)
		return -1;
	return install_loaded(db, c, path, errors);
}

/*
 * strbuf: a growable text buffer for command output and rendering. Allocation failure is
 * sticky (sb->oom) and later appends do nothing, so renderers need not check every call.
 */
#ifndef MGMTSEC_UTIL_STRBUF_H
#define MGMTSEC_UTIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s; /* owned; always NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
	bool oom;
};

#define STRBUF_INIT ((struct strbuf){NULL, 0, 0, false})

void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_append(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
/* The text so far ("" when empty); valid until the next append or sb_free. */
const char *sb_str(const struct strbuf *sb);
void sb_reset(struct strbuf *sb); /* keeps the allocation */
void sb_free(struct strbuf *sb);

#endif

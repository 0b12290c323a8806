/*
 * Bounds-checked byte cursors: every packet field is read and written through these.
 *
 * A reader never reads past its end. The first failed read sets a sticky error flag; every
 * later read on that reader fails too and returns zero/NULL, so a parser may read a whole
 * header and check rbuf_ok() once. Writers behave the same way towards their capacity.
 * All integers are big-endian (network order).
 */
#ifndef MGMTSEC_UTIL_BUF_H
#define MGMTSEC_UTIL_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rbuf {
	const uint8_t *p; /* borrowed: the caller keeps the memory alive */
	size_t len;
	size_t off;
	bool err;
};

void rbuf_init(struct rbuf *r, const void *p, size_t len);
uint8_t rbuf_u8(struct rbuf *r);
uint16_t rbuf_u16(struct rbuf *r);
uint32_t rbuf_u32(struct rbuf *r);
uint64_t rbuf_u64(struct rbuf *r);
/* Copies n bytes to out; on failure out is zeroed and false returned. */
bool rbuf_copy(struct rbuf *r, void *out, size_t n);
/* Returns a pointer to the next n bytes and advances, or NULL (and sets the error). */
const uint8_t *rbuf_ptr(struct rbuf *r, size_t n);
bool rbuf_skip(struct rbuf *r, size_t n);
/* Carves the next n bytes out as an independent reader and advances past them. */
bool rbuf_sub(struct rbuf *r, size_t n, struct rbuf *sub);
/* Everything not yet read, as a sub-reader (advances to the end). */
void rbuf_rest(struct rbuf *r, struct rbuf *sub);
size_t rbuf_left(const struct rbuf *r);
static inline bool rbuf_ok(const struct rbuf *r)
{
	return !r->err;
}
/* Marks the reader failed (for semantic errors found by the parser). */
static inline void rbuf_fail(struct rbuf *r)
{
	r->err = true;
}

struct wbuf {
	uint8_t *p; /* borrowed */
	size_t cap;
	size_t len;
	bool err;
};

void wbuf_init(struct wbuf *w, void *p, size_t cap);
bool wbuf_u8(struct wbuf *w, uint8_t v);
bool wbuf_u16(struct wbuf *w, uint16_t v);
bool wbuf_u32(struct wbuf *w, uint32_t v);
bool wbuf_u64(struct wbuf *w, uint64_t v);
bool wbuf_bytes(struct wbuf *w, const void *src, size_t n);
bool wbuf_zero(struct wbuf *w, size_t n);
/* Reserves n bytes and returns where they start (to be filled later), or NULL. */
uint8_t *wbuf_reserve(struct wbuf *w, size_t n);
/* Back-patches a 16-bit value at an offset already written (lengths known only at the end). */
bool wbuf_put_u16_at(struct wbuf *w, size_t off, uint16_t v);
bool wbuf_put_u32_at(struct wbuf *w, size_t off, uint32_t v);
static inline bool wbuf_ok(const struct wbuf *w)
{
	return !w->err;
}
static inline size_t wbuf_left(const struct wbuf *w)
{
	return w->err ? 0 : w->cap - w->len;
}

#endif

#include "util/buf.h"

#include <string.h>

void rbuf_init(struct rbuf *r, const void *p, size_t len)
{
	r->p = p;
	r->len = p ? len : 0;
	r->off = 0;
	r->err = false;
}

size_t rbuf_left(const struct rbuf *r)
{
	return r->err ? 0 : r->len - r->off;
}

const uint8_t *rbuf_ptr(struct rbuf *r, size_t n)
{
	if (r->err || n > r->len - r->off) {
		r->err = true;
		return NULL;
	}
	const uint8_t *at = r->p + r->off;
	r->off += n;
	return at;
}

uint8_t rbuf_u8(struct rbuf *r)
{
	const uint8_t *b = rbuf_ptr(r, 1);
	return b ? b[0] : 0;
}

uint16_t rbuf_u16(struct rbuf *r)
{
	const uint8_t *b = rbuf_ptr(r, 2);
	return b ? (uint16_t)(b[0] << 8 | b[1]) : 0;
}

uint32_t rbuf_u32(struct rbuf *r)
{
	const uint8_t *b = rbuf_ptr(r, 4);
	return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : 0;
}

uint64_t rbuf_u64(struct rbuf *r)
{
	uint64_t hi = rbuf_u32(r);
	uint64_t lo = rbuf_u32(r);
	return r->err ? 0 : hi << 32 | lo;
}

bool rbuf_copy(struct rbuf *r, void *out, size_t n)
{
	const uint8_t *b = rbuf_ptr(r, n);
	if (!b) {
		if (n)
			memset(out, 0, n);
		return false;
	}
	if (n)
		memcpy(out, b, n);
	return true;
}

bool rbuf_skip(struct rbuf *r, size_t n)
{
	return rbuf_ptr(r, n) != NULL;
}

bool rbuf_sub(struct rbuf *r, size_t n, struct rbuf *sub)
{
	const uint8_t *b = rbuf_ptr(r, n);
	rbuf_init(sub, b, b ? n : 0);
	if (!b)
		sub->err = true;
	return b != NULL;
}

void rbuf_rest(struct rbuf *r, struct rbuf *sub)
{
	rbuf_sub(r, rbuf_left(r), sub);
}

void wbuf_init(struct wbuf *w, void *p, size_t cap)
{
	w->p = p;
	w->cap = p ? cap : 0;
	w->len = 0;
	w->err = false;
}

uint8_t *wbuf_reserve(struct wbuf *w, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return NULL;
	}
	uint8_t *at = w->p + w->len;
	w->len += n;
	return at;
}

bool wbuf_u8(struct wbuf *w, uint8_t v)
{
	uint8_t *b = wbuf_reserve(w, 1);
	if (b)
		b[0] = v;
	return b != NULL;
}

bool wbuf_u16(struct wbuf *w, uint16_t v)
{
	uint8_t *b = wbuf_reserve(w, 2);
	if (b) {
		b[0] = v >> 8;
		b[1] = v & 0xff;
	}
	return b != NULL;
}

bool wbuf_u32(struct wbuf *w, uint32_t v)
{
	uint8_t *b = wbuf_reserve(w, 4);
	if (b) {
		b[0] = v >> 24;
		b[1] = (v >> 16) & 0xff;
		b[2] = (v >> 8) & 0xff;
		b[3] = v & 0xff;
	}
	return b != NULL;
}

bool wbuf_u64(struct wbuf *w, uint64_t v)
{
	/* Check room first so a failed write leaves nothing half-written. */
	if (wbuf_left(w) < 8) {
		w->err = true;
		return false;
	}
	return wbuf_u32(w, (uint32_t)(v >> 32)) && wbuf_u32(w, (uint32_t)v);
}

bool wbuf_bytes(struct wbuf *w, const void *src, size_t n)
{
	uint8_t *b = wbuf_reserve(w, n);
	if (b && n)
		memcpy(b, src, n);
	return b != NULL;
}

bool wbuf_zero(struct wbuf *w, size_t n)
{
	uint8_t *b = wbuf_reserve(w, n);
	if (b && n)
		memset(b, 0, n);
	return b != NULL;
}

static bool put_at(struct wbuf *w, size_t off, uint32_t v, size_t n)
{
	if (w->err || off > w->len || n > w->len - off) {
		w->err = true;
		return false;
	}
	for (size_t i = 0; i < n; i++)
		w->p[off + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return true;
}

bool wbuf_put_u16_at(struct wbuf *w, size_t off, uint16_t v)
{
	return put_at(w, off, v, 2);
}

bool wbuf_put_u32_at(struct wbuf *w, size_t off, uint32_t v)
{
	return put_at(w, off, v, 4);
}

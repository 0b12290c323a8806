/*
 * libFuzzer harness: the control socket's request reader (ctl_decode_request). The input is a
 * byte stream as a client might send it; it is decoded request after request, the way the
 * server does (drop `consumed` bytes, decode again). Checked (abort otherwise):
 *  - a decoded request lies inside the stream, its payload is at most CTL_MAX_REQUEST bytes
 *    and ends exactly at `consumed`;
 *  - every proper prefix of a decoded request is "need more bytes" (0), never a different
 *    request or an error, so a request split across reads decodes the same;
 *  - re-encoding the request with ctl_encode_request decodes to the same request.
 * The stream is also fed one byte at a time through a growing buffer, like a slow client.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* A few prefixes (all when short) of a decoded request must say "need more". */
static void check_prefixes(const char *buf, size_t consumed)
{
	size_t step = consumed > 64 ? consumed / 16 : 1;
	for (size_t k = 0; k < consumed; k += step) {
		enum ctl_verb v;
		const char *pl;
		size_t plen, used;
		check(ctl_decode_request(buf, k, &v, &pl, &plen, &used) == 0);
	}
}

/* Encoding the decoded request and decoding that gives the same request (the encoding may
 * differ in form: a length with leading zeros is accepted). */
static void check_roundtrip(enum ctl_verb v, const char *pl, size_t plen)
{
	struct strbuf sb = STRBUF_INIT;
	enum ctl_verb v2;
	const char *pl2;
	size_t plen2, used;
	ctl_encode_request(&sb, v, pl, plen);
	check(!sb.oom);
	check(ctl_decode_request(sb_str(&sb), sb.len, &v2, &pl2, &plen2, &used) == 1);
	check(used == sb.len && v2 == v && plen2 == plen && memcmp(pl2, pl, plen) == 0);
	sb_free(&sb);
}

/* Decodes the stream request by request; returns the number of requests. */
static size_t decode_all(const char *buf, size_t len)
{
	size_t off = 0, n = 0;
	for (;;) {
		enum ctl_verb v;
		const char *pl;
		size_t plen, used;
		int rc = ctl_decode_request(buf + off, len - off, &v, &pl, &plen, &used);
		check(rc >= -1 && rc <= 1);
		if (rc != 1)
			return n;
		check((unsigned)v < CTL_VERB_COUNT && plen <= CTL_MAX_REQUEST);
		check(used > plen && used <= len - off && pl + plen == buf + off + used);
		check(pl > buf + off);
		check_prefixes(buf + off, used);
		check_roundtrip(v, pl, plen);
		off += used;
		n++;
	}
}

/* The server's way with a slow client: bytes arrive one by one into a buffer that is decoded
 * after each; must find the same requests as decoding the whole stream. */
static size_t decode_trickle(const char *buf, size_t len)
{
	size_t start = 0, n = 0;
	for (size_t end = 1; end <= len; end++) {
		enum ctl_verb v;
		const char *pl;
		size_t plen, used;
		int rc = ctl_decode_request(buf + start, end - start, &v, &pl, &plen, &used);
		if (rc < 0)
			return n;
		if (rc == 1) {
			check(used == end - start); /* decoded as soon as complete, not later */
			start = end;
			n++;
		}
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan sees any read past the stream. */
	char *buf = malloc(size ? size : 1);
	check(buf != NULL);
	if (size)
		memcpy(buf, data, size);
	size_t whole = decode_all(buf, size);
	if (size <= 4096)
		check(decode_trickle(buf, size) == whole);
	free(buf);
	return 0;
}

/*
 * The control protocol between `mgmtsec` (or any program) and `mgmtsecd`, over a unix stream
 * socket. Text verbs, explicit lengths, so payloads may hold any byte and a reader always
 * knows how much to expect.
 *
 * Request:  "<VERB> <len>\n" <len bytes>
 *   HELLO    payload "interactive=0|1 user=NAME"  → starts the session (optional; defaults
 *            non-interactive, user "unknown")
 *   EXEC     one command line (no newline)
 *   HELP     a partial line: what may come next (the `?` key)
 *   COMPLETE a partial line: the TAB completion
 *   PROMPT   empty payload: just the current prompt
 * Response: "R <status> <out_len> <err_len> <prompt_len>\n" <out> <err> <prompt>
 *   status 0 = success, 1 = the command failed (err says why), 2 = protocol error.
 *
 * Limits: a request payload is at most CTL_MAX_REQUEST bytes; more is a protocol error and
 * the daemon closes the connection.
 */
#ifndef MGMTSEC_CTL_PROTO_H
#define MGMTSEC_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

#define CTL_MAX_REQUEST    8192
#define CTL_MAX_RESPONSE   (16u << 20)
#define CTL_DEFAULT_SOCKET "/run/mgmtsec/mgmtsecd.sock"

enum ctl_verb {
	CTL_HELLO,
	CTL_EXEC,
	CTL_HELP,
	CTL_COMPLETE,
	CTL_PROMPT,
	CTL_VERB_COUNT
};

const char *ctl_verb_name(enum ctl_verb v);

/* Appends a framed request to out. */
void ctl_encode_request(struct strbuf *out, enum ctl_verb v, const char *payload, size_t len);
void ctl_encode_response(struct strbuf *out, int status, const struct strbuf *o,
                         const struct strbuf *e, const char *prompt);

/*
 * Incremental request parsing from a byte stream. Returns 1 when a whole request is in buf
 * (verb, payload pointer into buf, payload length, and consumed = bytes to drop), 0 when more
 * bytes are needed, -1 on a malformed or oversized request.
 */
int ctl_decode_request(const char *buf, size_t len, enum ctl_verb *v, const char **payload,
                       size_t *plen, size_t *consumed);

struct ctl_response {
	int status;
	struct strbuf out, err, prompt;
};

/* Client side: sends one request and reads one response (blocking). Returns 0 or -1 (I/O). */
int ctl_call(int fd, enum ctl_verb v, const char *payload, struct ctl_response *r);
void ctl_response_free(struct ctl_response *r);
/* Connects to the daemon's socket; -1 with errno on failure. */
int ctl_connect(const char *path);

#endif

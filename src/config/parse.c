/* Tokenizer and grammar walker (see parse.h). */
#include "config/parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P_MAX_LINE 8192

void ptok_free(struct ptoks *t)
{
	free(t->line);
	free(t->buf);
	t->line = t->buf = NULL;
	t->n = 0;
}

int ptok_split(struct ptoks *t, const char *line)
{
	memset(t, 0, sizeof(*t));
	size_t len = strnlen(line, P_MAX_LINE + 1);
	if (len > P_MAX_LINE)
		return -1;
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	t->trailing_space = len && isblank((unsigned char)line[len - 1]);
	while (len && isblank((unsigned char)line[len - 1]))
		len--;
	t->line = strndup(line, len);
	t->buf = strndup(line, len);
	if (!t->line || !t->buf) {
		ptok_free(t);
		return -1;
	}
	for (size_t i = 0; i < len;) {
		if (isblank((unsigned char)t->buf[i]) || t->buf[i] == '\0') {
			t->buf[i++] = '\0';
			continue;
		}
		if (t->n == P_MAX_TOK) {
			ptok_free(t);
			return -1;
		}
		t->t[t->n].s = &t->buf[i];
		t->t[t->n++].pos = i;
		while (i < len && !isblank((unsigned char)t->buf[i]) && t->buf[i] != '\0')
			i++;
	}
	return 0;
}

static bool is_graph_str(const char *s)
{
	for (; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f)
			return false;
	return true;
}

static int check_name(const struct gnode *n, const char *tok, char *why, size_t wlen)
{
	for (const char *p = tok; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("_-.:/@", *p)) {
			snprintf(why, wlen, "names use letters, digits and _ - . : / @");
			return -1;
		}
	}
	if ((long)strlen(tok) > n->max) {
		snprintf(why, wlen, "names are 1-%ld characters", n->max);
		return -1;
	}
	return 1;
}

static bool looks_numeric(const char *tok)
{
	return strspn(tok, "0123456789.") == strlen(tok);
}

static int check_ipv4(const char *tok, struct pmatch *m, char *why, size_t wlen)
{
	struct in_addr a;
	if (inet_pton(AF_INET, tok, &a) == 1) {
		m->addr = a.s_addr;
		return 1;
	}
	if (!looks_numeric(tok))
		return 0;
	snprintf(why, wlen, "'%s' is not an IPv4 address (A.B.C.D)", tok);
	return -1;
}

static int check_mask(const char *tok, struct pmatch *m, char *why, size_t wlen)
{
	int r = check_ipv4(tok, m, why, wlen);
	if (r <= 0)
		return r;
	uint32_t h = ntohl(m->addr);
	if (h & (~h >> 1)) {
		snprintf(why, wlen, "'%s' is not a contiguous network mask", tok);
		return -1;
	}
	return 1;
}

static int check_range(const struct gnode *n, const char *digits, struct pmatch *m, char *why,
                       size_t wlen)
{
	if (!*digits || strspn(digits, "0123456789") != strlen(digits))
		return 0;
	errno = 0;
	unsigned long long v = strlen(digits) > 12 ? ~0ULL : strtoull(digits, NULL, 10);
	if (v < (unsigned long long)n->min || v > (unsigned long long)n->max) {
		snprintf(why, wlen, "%s must be %ld-%ld", n->what ? n->what : "value", n->min,
		         n->max);
		return -1;
	}
	m->num = (long)v;
	return 1;
}

static int check_text(const struct gnode *n, const char *tok, char *why, size_t wlen)
{
	size_t len = strlen(tok);
	if (!is_graph_str(tok)) {
		snprintf(why, wlen, "%s must be printable characters", n->what);
		return -1;
	}
	if ((long)len < n->min || (long)len > n->max) {
		snprintf(why, wlen, "%s must be %ld-%ld characters", n->what, n->min, n->max);
		return -1;
	}
	return 1;
}

static int check_line(const struct gnode *n, const char *text, char *why, size_t wlen)
{
	size_t len = strlen(text);
	for (const char *p = text; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f) {
			snprintf(why, wlen, "%s must be printable characters", n->what);
			return -1;
		}
	}
	if ((long)len < n->min || (long)len > n->max) {
		snprintf(why, wlen, "%s must be %ld-%ld characters", n->what, n->min, n->max);
		return -1;
	}
	return 1;
}

static int check_key(const struct gnode *n, const char *tok, char *why, size_t wlen)
{
	int r = check_text(n, tok, why, wlen);
	if (r <= 0)
		return r;
	if (strspn(tok, "*") == strlen(tok)) {
		snprintf(why, wlen,
		         "a key of only '*' is the masked form shown by show commands; "
		         "type the real key");
		return -1;
	}
	return 1;
}

static int check_ifname(const struct gnode *n, const char *tok, char *why, size_t wlen)
{
	if (n->ival != 'i' || isalpha((unsigned char)tok[0]))
		return check_text(n, tok, why, wlen);
	if (looks_numeric(tok))
		return 0; /* a mistyped address: let the IPv4 alternative explain */
	snprintf(why, wlen, "interface names start with a letter");
	return -1;
}

static int check_linuxif(const char *tok, char *why, size_t wlen)
{
	size_t len = strlen(tok);
	if (len < 1 || len > 15 || strpbrk(tok, "/:") || !is_graph_str(tok) || !strcmp(tok, ".") ||
	    !strcmp(tok, "..")) {
		snprintf(why, wlen, "Linux interface names are 1-15 characters without '/' or ':'");
		return -1;
	}
	return 1;
}

static int check_tunif(const struct gnode *n, const char *tok, struct pmatch *m, char *why,
                       size_t wlen)
{
	if (strncmp(tok, "tunnel-ip", 9) != 0)
		return 0;
	int r = check_range(n, tok + 9, m, why, wlen);
	if (r == 0) {
		snprintf(why, wlen, "expected tunnel-ip<0-65535>");
		return -1;
	}
	return r;
}

int pval_check(const struct gnode *n, const char *tok, struct pmatch *m, char *why, size_t wlen)
{
	switch (n->kind) {
	case GK_KW:
		return strcmp(n->word, tok) == 0;
	case GK_NAME:
		return check_name(n, tok, why, wlen);
	case GK_IPV4:
		return check_ipv4(tok, m, why, wlen);
	case GK_MASK:
		return check_mask(tok, m, why, wlen);
	case GK_INT:
		return check_range(n, tok, m, why, wlen);
	case GK_KEY:
		return check_key(n, tok, why, wlen);
	case GK_WORD:
		return check_ifname(n, tok, why, wlen);
	case GK_LINE:
		return check_line(n, tok, why, wlen);
	case GK_TUNIF:
		return check_tunif(n, tok, m, why, wlen);
	case GK_LINUXIF:
		return check_linuxif(tok, why, wlen);
	}
	return 0;
}

const char *pnode_word(const struct gnode *n)
{
	return n->word;
}

void pwalk_advance(struct pwalk *w, const struct gnode *n)
{
	w->last = n;
	w->full = 0;
	if (n->kids) {
		w->kids = n->kids;
		w->listp = (n->flags & G_LIST) ? n : NULL;
		w->lcount = 0;
	} else if (w->listp && ++w->lcount < w->listp->max) {
		w->kids = w->listp->kids;
	} else if (w->listp) {
		w->full = w->listp->max;
		w->kids = NULL;
		w->listp = NULL;
	} else {
		w->kids = NULL;
		w->listp = NULL;
	}
}

void pwalk_init(struct pwalk *w, const struct ppath *path, const struct gnode *root)
{
	memset(w, 0, sizeof(*w));
	w->kids = root;
	for (size_t i = 0; path && i < path->n; i++) {
		const struct gnode *n = path->m[i].node;
		if (n->cmd) {
			w->cmd_node = n;
			w->cmd_at = i;
		}
		pwalk_advance(w, n);
	}
}

static void set_err(struct perr *e, enum perr_kind k, size_t tok, size_t pos, const char *msg)
{
	e->kind = k;
	e->tok = tok;
	e->pos = pos;
	snprintf(e->msg, sizeof(e->msg), "%s", msg ? msg : "");
}

static bool skip_node(const struct pwalk *w, const struct gnode *n, bool first)
{
	return w->negate && first && (n->flags & G_NONEG);
}

/* Prefix match of keywords; the shortest wins when it is a prefix of all the others. */
static const struct gnode *choose_prefix(const struct pwalk *w, const char *tok, bool first,
                                         struct perr *e, size_t ti, size_t pos)
{
	const struct gnode *best = NULL;
	size_t count = 0;
	char names[200] = "";
	for (const struct gnode *k = w->kids; k->kind; k++) {
		if (k->kind != GK_KW || skip_node(w, k, first) ||
		    strncmp(k->word, tok, strlen(tok)))
			continue;
		count++;
		if (strlen(names) + strlen(k->word) + 3 < sizeof(names))
			sprintf(names + strlen(names), "%s%s", *names ? ", " : "", k->word);
		if (!best || strlen(k->word) < strlen(best->word))
			best = k;
	}
	for (const struct gnode *k = w->kids; best && count > 1 && k->kind; k++) {
		if (k->kind == GK_KW && !skip_node(w, k, first) &&
		    !strncmp(k->word, tok, strlen(tok)) &&
		    strncmp(k->word, best->word, strlen(best->word))) {
			char msg[240];
			snprintf(msg, sizeof(msg), "'%s' may be %s", tok, names);
			set_err(e, PE_AMBIGUOUS, ti, pos, msg);
			return NULL;
		}
	}
	return best;
}

static const struct gnode *choose(const struct pwalk *w, const struct ptoks *t, size_t ti,
                                  bool first, struct pmatch *m, struct perr *e)
{
	const char *tok = t->t[ti].s;
	size_t pos = t->t[ti].pos;
	char why[200] = "", w1[200];
	for (const struct gnode *k = w->kids; k->kind; k++)
		if (k->kind == GK_KW && !skip_node(w, k, first) && !strcmp(k->word, tok))
			return k;
	for (const struct gnode *k = w->kids; k->kind; k++) {
		if (k->kind == GK_KW)
			continue;
		const char *v = k->kind == GK_LINE ? t->line + pos : tok;
		w1[0] = '\0';
		int r = pval_check(k, v, m, w1, sizeof(w1));
		if (r > 0)
			return k;
		if (r < 0 && !why[0])
			snprintf(why, sizeof(why), "%s", w1);
	}
	const struct gnode *p = choose_prefix(w, tok, first, e, ti, pos);
	if (p || e->kind == PE_AMBIGUOUS)
		return p;
	set_err(e, why[0] ? PE_BAD : PE_INVALID, ti, pos, why);
	return NULL;
}

static void expected_list(const struct pwalk *w, char *out, size_t len)
{
	out[0] = '\0';
	for (const struct gnode *k = w->kids; k && k->kind; k++) {
		size_t l = strlen(out);
		if (l + strlen(k->word) + 3 >= len)
			break;
		snprintf(out + l, len - l, "%s%s", l ? ", " : "", k->word);
	}
}

int pwalk_run(struct pwalk *w, struct ppath *path, const struct ptoks *t, size_t from, size_t first,
              struct perr *e)
{
	for (size_t i = from; i < t->n; i++) {
		if (!w->kids || path->n == P_MAX_PATH) {
			set_err(e, PE_INVALID, i, t->t[i].pos, "");
			if (w->full)
				snprintf(e->msg, sizeof(e->msg), "at most %ld values", w->full);
			return -1;
		}
		struct pmatch m = {.pos = t->t[i].pos, .text = t->t[i].s};
		const struct gnode *n = choose(w, t, i, i == first, &m, e);
		if (!n) {
			if (e->kind == PE_INVALID && !e->msg[0]) {
				char exp[200];
				expected_list(w, exp, sizeof(exp));
				snprintf(e->msg, sizeof(e->msg), "expected: %s", exp);
			}
			return -1;
		}
		m.node = n;
		if (n->kind == GK_KW)
			m.num = n->ival;
		if (n->kind == GK_LINE) {
			m.text = t->line + t->t[i].pos;
			i = t->n;
		}
		path->m[path->n] = m;
		if (n->cmd) {
			w->cmd_node = n;
			w->cmd_at = path->n;
		}
		path->n++;
		pwalk_advance(w, n);
	}
	return 0;
}

int pwalk_check_end(const struct pwalk *w, const struct ppath *path, size_t prefix_len,
                    const struct ptoks *t, struct perr *e)
{
	char exp[200], msg[240];
	bool ok;
	if (w->negate)
		ok = w->cmd_node && w->cmd_at >= prefix_len;
	else
		ok = path->n > prefix_len && w->last && (w->last->flags & G_END);
	if (ok)
		return 0;
	expected_list(w, exp, sizeof(exp));
	snprintf(msg, sizeof(msg), "expected: %s", exp[0] ? exp : "more input");
	set_err(e, PE_INCOMPLETE, t->n, strlen(t->line), msg);
	return -1;
}

/*
 * Comparing configurations object by object, through their canonical rendering: equality,
 * `show configuration` (the candidate's changes) and the three-way merge of a session's
 * changes onto a running configuration that moved on since the session began.
 */
#include "config/render.h"
#include "config/session_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sb_wipe_free(struct strbuf *b)
{
	if (b->s)
		memwipe(b->s, b->cap);
	sb_free(b);
}

/* Equal when they render alike, decided object by object: every object's text starts with
 * its name, and both are in name order, so different counts or names differ; a flat object
 * with the same bytes renders the same; the rest are rendered and compared. Rendering both
 * whole made every commit and `end` with 10,000 tunnels cost milliseconds of printf. */
bool cfg_equal(const struct cfg *a, const struct cfg *b)
{
	if (!a || !b)
		return a == b;
	for (size_t k = 0; k < cfg_n_kinds; k++) {
		const struct cfg_kind *kd = &cfg_kinds[k];
		size_t n = kd->count(a);
		if (n != kd->count(b))
			return false;
		for (size_t i = 0; i < n; i++) {
			const char *x = kd->name(a, i), *y = kd->name(b, i);
			if (kd->flat_size && !memcmp(x, y, kd->flat_size))
				continue;
			if (strcmp(x, y) != 0)
				return false;
			struct strbuf tx = STRBUF_INIT, ty = STRBUF_INIT;
			kd->render(a, i, CFG_RENDER_FILE, &tx);
			kd->render(b, i, CFG_RENDER_FILE, &ty);
			bool eq = !tx.oom && !ty.oom && tx.len == ty.len &&
			          !memcmp(sb_str(&tx), sb_str(&ty), tx.len);
			sb_wipe_free(&tx);
			sb_wipe_free(&ty);
			if (!eq)
				return false;
		}
	}
	return true;
}

/* The object's file-form text, "" when absent. */
static bool obj_text(const struct cfg_kind *k, const struct cfg *c, const char *name,
                     struct strbuf *out)
{
	return cfg_kind_text(k, c, name, CFG_RENDER_FILE, out);
}

static bool obj_same(const struct cfg_kind *k, const struct cfg *a, const struct cfg *b,
                     const char *name)
{
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	bool ha = obj_text(k, a, name, &x), hb = obj_text(k, b, name, &y);
	bool same = ha == hb && !strcmp(sb_str(&x), sb_str(&y));
	sb_wipe_free(&x);
	sb_wipe_free(&y);
	return same;
}

/* Calls fn for every object name of kind k present in a or b (duplicates possible). */
typedef int (*name_fn)(const struct cfg_kind *k, const char *name, void *arg);

static int each_name(const struct cfg_kind *k, const struct cfg *a, const struct cfg *b, name_fn fn,
                     void *arg)
{
	for (size_t i = 0; i < k->count(a); i++)
		if (fn(k, k->name(a, i), arg))
			return -1;
	for (size_t i = 0; i < k->count(b); i++)
		if (fn(k, k->name(b, i), arg))
			return -1;
	return 0;
}

/* ---- show configuration ---- */

struct diff_ctx {
	const struct cfg *from, *to;
	struct strbuf *out;
	struct strbuf seen; /* "\n"-separated names already shown for this kind */
};

static bool line_in(const char *line, size_t len, const char *text)
{
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == len && !strncmp(p, line, len))
			return true;
		p += l + (e != NULL);
	}
	return false;
}

static size_t indent_of(const char *line)
{
	return strspn(line, " ");
}

/* Lines of `shown` (show form) whose file-form twin in `now` is missing from `other`. */
static void put_lines(struct strbuf *out, const char *now, const char *shown, const char *other,
                      bool negate)
{
	const char *p = now, *q = shown;
	bool skipping = false;
	size_t skip_indent = 0;
	while (*p && *q) {
		const char *pe = strchr(p, '\n'), *qe = strchr(q, '\n');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p),
		       ql = qe ? (size_t)(qe - q) : strlen(q);
		size_t ind = indent_of(p);
		bool sub =
		    pe && pe[1] && indent_of(pe + 1) > ind && pe[1 + indent_of(pe + 1)] != '!';
		if (skipping && ind > skip_indent)
			goto next;
		skipping = false;
		if (ind > 0 && p[ind] != '!' && (!line_in(p, pl, other) || (sub && !negate))) {
			sb_printf(out, "%.*s%s%.*s\n", (int)ind, q, negate ? "no " : "",
			          (int)(ql - ind), q + ind);
			if (negate && sub) {
				skipping = true;
				skip_indent = ind;
			}
		}
	next:
		p += pl + (pe != NULL);
		q += ql + (qe != NULL);
	}
}

static void diff_changed(const struct cfg_kind *k, const char *name, struct diff_ctx *d)
{
	struct strbuf of = STRBUF_INIT, nf = STRBUF_INIT, ns = STRBUF_INIT;
	obj_text(k, d->from, name, &of);
	obj_text(k, d->to, name, &nf);
	cfg_kind_text(k, d->to, name, CFG_RENDER_SHOW, &ns);
	const char *nl = strchr(sb_str(&ns), '\n');
	sb_append(d->out, sb_str(&ns), nl ? (size_t)(nl - sb_str(&ns)) + 1 : ns.len);
	put_lines(d->out, sb_str(&nf), sb_str(&ns), sb_str(&of), false);
	/* removed lines: the old text against the new, shown with keys masked */
	struct strbuf os = STRBUF_INIT;
	cfg_kind_text(k, d->from, name, CFG_RENDER_SHOW, &os);
	put_lines(d->out, sb_str(&of), sb_str(&os), sb_str(&nf), true);
	sb_puts(d->out, "!\n");
	sb_wipe_free(&of);
	sb_wipe_free(&nf);
	sb_free(&ns);
	sb_free(&os);
}

static int diff_one(const struct cfg_kind *k, const char *name, void *arg)
{
	struct diff_ctx *d = arg;
	char key[CFG_FQDN_SIZE + 2];
	snprintf(key, sizeof(key), "\n%s\n", name);
	if (strstr(sb_str(&d->seen), key) || obj_same(k, d->from, d->to, name))
		return 0;
	sb_printf(&d->seen, "%s\n", key);
	struct strbuf now = STRBUF_INIT;
	bool present = cfg_kind_text(k, d->to, name, CFG_RENDER_SHOW, &now);
	struct strbuf old = STRBUF_INIT;
	cfg_kind_text(k, d->from, name, CFG_RENDER_SHOW, &old);
	if (!present) {
		const char *nl = strchr(sb_str(&old), '\n');
		sb_printf(d->out, "no %.*s\n", nl ? (int)(nl - sb_str(&old)) : (int)old.len,
		          sb_str(&old));
	} else if (!old.len || !k->block) {
		sb_puts(d->out, sb_str(&now));
		if (k->block)
			sb_puts(d->out, "!\n");
	} else {
		diff_changed(k, name, d);
	}
	sb_free(&now);
	sb_free(&old);
	return 0;
}

void cfg_diff(const struct cfg *from, const struct cfg *to, struct strbuf *out)
{
	for (size_t k = 0; k < cfg_n_kinds; k++) {
		struct diff_ctx d = {.from = from, .to = to, .out = out, .seen = STRBUF_INIT};
		sb_puts(&d.seen, "\n");
		each_name(&cfg_kinds[k], from, to, diff_one, &d);
		sb_free(&d.seen);
	}
}

/* ---- three-way merge ---- */

struct merge_ctx {
	const struct cfg *base, *cand, *running;
	struct cfg *result;
	char *conflict;
	size_t clen;
};

static int merge_one(const struct cfg_kind *k, const char *name, void *arg)
{
	struct merge_ctx *m = arg;
	if (obj_same(k, m->base, m->cand, name))
		return 0; /* not touched by this session */
	if (!obj_same(k, m->base, m->running, name)) {
		snprintf(m->conflict, m->clen, "%s%s%s", k->what, name[0] ? " " : "", name);
		return -1;
	}
	return k->put(m->result, m->cand, name);
}

struct cfg *cfg_merge(const struct cfg *base, const struct cfg *cand, const struct cfg *running,
                      char *conflict, size_t clen)
{
	struct merge_ctx m = {base, cand, running, cfg_dup(running), conflict, clen};
	conflict[0] = '\0';
	if (!m.result)
		return NULL;
	for (size_t k = 0; k < cfg_n_kinds; k++) {
		if (each_name(&cfg_kinds[k], base, cand, merge_one, &m)) {
			cfg_free(m.result);
			if (!conflict[0])
				snprintf(conflict, clen, "%s", "");
			return NULL;
		}
	}
	return m.result;
}

/*
 * `?` help and TAB completion, driven by the same grammar table and the same sub-mode
 * fallback as command execution.
 */
#include "config/session_int.h"

#include <stdlib.h>
#include <string.h>

#define H_MAX 64

struct hentry {
	const char *word;
	const char *help;
};

struct hstate {
	struct ptoks t;
	const char *word; /* the partial last token ("" after a blank) */
	size_t word_pos;
	bool negate;
	size_t first, ncomplete, prefix;
	struct ppath path;
	struct pwalk w;
	size_t level;
	struct perr e;
};

/* Walks the complete tokens, innermost sub-mode first. Returns 0 or -1 (e set). */
static int h_walk(struct cfg_session *s, const char *partial, struct hstate *h)
{
	memset(h, 0, sizeof(*h));
	if (ptok_split(&h->t, partial))
		return -1;
	bool open_word = h->t.n && !h->t.trailing_space;
	h->ncomplete = open_word ? h->t.n - 1 : h->t.n;
	h->word = open_word ? h->t.t[h->t.n - 1].s : "";
	h->word_pos = open_word ? h->t.t[h->t.n - 1].pos : strlen(h->t.line) + 1;
	h->negate = s->config && h->ncomplete && !strcmp(h->t.t[0].s, "no");
	h->first = h->negate ? 1 : 0;
	size_t n = h->t.n;
	h->t.n = h->ncomplete;
	const struct gnode *root = s->config ? g_config_root : g_exec_root;
	size_t top = s->config ? s->depth : 0;
	int rc = -1;
	for (size_t lv = top + 1; lv-- > 0;) {
		struct perr pe = {0};
		h->path.n = 0;
		if (lv)
			h->path = s->stack[lv - 1].path;
		h->prefix = h->path.n;
		pwalk_init(&h->w, &h->path, root);
		h->w.negate = h->negate;
		if (!pwalk_run(&h->w, &h->path, &h->t, h->first, h->first, &pe)) {
			h->level = lv;
			rc = 0;
			break;
		}
		if (lv == top || pe.tok > h->e.tok)
			h->e = pe;
	}
	h->t.n = n;
	return rc;
}

static bool h_at_start(const struct hstate *h)
{
	return h->ncomplete == h->first;
}

static bool h_offer(const struct hstate *h, const struct gnode *k, bool first)
{
	if (h->negate && first && (k->flags & G_NONEG))
		return false;
	if (k->kind == GK_KW)
		return !strncmp(k->word, h->word, strlen(h->word));
	if (!h->word[0])
		return true;
	struct pmatch m;
	char why[200];
	return pval_check(k, h->word, &m, why, sizeof(why)) != 0;
}

static size_t h_add(struct hentry *e, size_t n, const char *word, const char *help)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(e[i].word, word))
			return n;
	if (n < H_MAX)
		e[n++] = (struct hentry){word, help};
	return n;
}

/* Collects the candidates for the next token. */
static size_t h_collect(const struct cfg_session *s, const struct hstate *h, struct hentry *e,
                        bool keywords_only)
{
	size_t n = 0;
	bool start = h_at_start(h);
	for (const struct gnode *k = h->w.kids; k && k->kind; k++)
		if (h_offer(h, k, start) && (!keywords_only || k->kind == GK_KW))
			n = h_add(e, n, k->word, k->help);
	if (start && s->config && h->level && !h->negate)
		for (const struct gnode *k = g_config_root; k->kind; k++)
			if ((k->flags & G_SESSION) && h_offer(h, k, true))
				n = h_add(e, n, k->word, k->help);
	if (start && s->config && !h->negate && !strncmp("no", h->word, strlen(h->word)))
		n = h_add(e, n, "no", "Negate a command or set its defaults");
	return n;
}

static bool h_can_end(const struct hstate *h)
{
	if (h->word[0])
		return false;
	if (h->negate)
		return h->w.cmd_node && h->w.cmd_at >= h->prefix;
	return h->path.n > h->prefix && h->w.last && (h->w.last->flags & G_END);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct hentry *)a)->word, ((const struct hentry *)b)->word);
}

int cfg_help(struct cfg_session *s, const char *partial, struct strbuf *out)
{
	struct hstate h;
	if (h_walk(s, partial, &h)) {
		if (h.t.line)
			sb_printf(out, "%s\n%*s^\n%% Invalid input detected at '^' marker.\n",
			          h.t.line, (int)h.e.pos, "");
		ptok_free(&h.t);
		return -1;
	}
	struct hentry e[H_MAX];
	size_t n = h_collect(s, &h, e, false);
	qsort(e, n, sizeof(e[0]), cmp_entry);
	if (h_can_end(&h))
		n = h_add(e, n, "<cr>", "");
	int width = 0;
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(e[i].word) > width)
			width = (int)strlen(e[i].word);
	for (size_t i = 0; i < n; i++)
		sb_printf(out, "  %-*s  %s\n", width, e[i].word, e[i].help);
	if (!n)
		sb_puts(out, "% Unrecognized command\n");
	ptok_free(&h.t);
	return (int)n;
}

int cfg_complete(struct cfg_session *s, const char *partial, struct strbuf *out)
{
	struct hstate h;
	int rc = h_walk(s, partial, &h);
	if (rc || !h.word[0]) {
		ptok_free(&h.t);
		return 0;
	}
	struct hentry e[H_MAX];
	size_t n = h_collect(s, &h, e, true);
	if (n) {
		size_t lcp = strlen(e[0].word);
		for (size_t i = 1; i < n; i++)
			while (lcp && strncmp(e[0].word, e[i].word, lcp))
				lcp--;
		sb_printf(out, "%.*s%.*s%s", (int)h.word_pos, partial, (int)lcp, e[0].word,
		          n == 1 ? " " : "");
	}
	ptok_free(&h.t);
	return (int)n;
}

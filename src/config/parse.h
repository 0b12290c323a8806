/*
 * Tokenizer and grammar walker, shared by command execution, help and completion.
 * Internal to src/config. Matched texts point into the ptoks (or, for sub-mode prefixes,
 * into the session's saved copies), so a ppath lives no longer than those.
 */
#ifndef MGMTSEC_CONFIG_PARSE_H
#define MGMTSEC_CONFIG_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/grammar.h"

#define P_MAX_TOK  64
#define P_MAX_PATH 80

struct ptok {
	const char *s; /* NUL-terminated copy */
	size_t pos;    /* column in the line */
};

struct ptoks {
	char *line; /* owned: the line, trailing spaces and newline removed */
	char *buf;  /* owned: token copies */
	struct ptok t[P_MAX_TOK];
	size_t n;
	bool trailing_space; /* the raw line ended in blank space (help: a new token starts) */
};

/* Splits line at blanks. Returns 0, or -1 when too long/too many tokens/out of memory. */
int ptok_split(struct ptoks *t, const char *line);
void ptok_free(struct ptoks *t);

struct pmatch {
	const struct gnode *node;
	const char *text;
	size_t pos; /* column; SIZE_MAX when inherited from a sub-mode */
	long num;
	uint32_t addr;
};

struct ppath {
	struct pmatch m[P_MAX_PATH];
	size_t n;
};

enum perr_kind {
	PE_OK = 0,
	PE_INVALID,
	PE_INCOMPLETE,
	PE_AMBIGUOUS,
	PE_BAD
};

struct perr {
	enum perr_kind kind;
	size_t tok; /* token index where it failed (progress) */
	size_t pos; /* column of the caret */
	char msg[240];
};

/* Walk state: where in the tree the next token is looked up. */
struct pwalk {
	const struct gnode *kids;
	const struct gnode *listp; /* list node whose kids repeat */
	long lcount;
	long full;                    /* the list just filled up (its maximum), else 0 */
	const struct gnode *cmd_node; /* last node with a handler */
	size_t cmd_at;                /* its index in the path */
	const struct gnode *last;     /* last matched node (NULL: none) */
	bool negate;
};

/* Starts at root (path empty) or after the path's last node. */
void pwalk_init(struct pwalk *w, const struct ppath *path, const struct gnode *root);
/*
 * Matches tokens [from, n) of t, appending to path. first: index of the line's first command
 * token (session heads are refused there when negating). Returns 0 or -1 with e set.
 */
int pwalk_run(struct pwalk *w, struct ppath *path, const struct ptoks *t, size_t from, size_t first,
              struct perr *e);
/* After pwalk_run: may the line end here? (prefix_len = path length before this line) */
int pwalk_check_end(const struct pwalk *w, const struct ppath *path, size_t prefix_len,
                    const struct ptoks *t, struct perr *e);

/*
 * Does tok fit the value node n? 1 = yes (m filled), 0 = no, -1 = it is meant as this value
 * but is wrong (why filled). For keywords: exact match only.
 */
int pval_check(const struct gnode *n, const char *tok, struct pmatch *m, char *why, size_t wlen);
/* The placeholder of a node for help ("WORD", "<120-86400>", keyword). */
const char *pnode_word(const struct gnode *n);
/* Next candidates after a matched node, given the walk state; updates the state. */
void pwalk_advance(struct pwalk *w, const struct gnode *n);

#endif

/*
 * The command grammar, declared once (grammar.c) as a tree of tokens. The same tree drives
 * parsing of the one-line and block forms, `no` forms, `?` help, TAB completion and
 * abbreviations. Internal to src/config.
 *
 * A line is a path from a root (exec or config) or from a sub-mode node down the tree. A node
 * with a handler (cmd) starts a command: the handler of the last such node on the path runs.
 * Nodes marked G_END may end a (positive) command; a `no` command may end anywhere after its
 * handler is known. A node marked G_MODE opens a sub-mode when a line ends on it.
 */
#ifndef MGMTSEC_CONFIG_GRAMMAR_H
#define MGMTSEC_CONFIG_GRAMMAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gkind {
	GK_NONE = 0, /* terminates a kids array */
	GK_KW,       /* keyword (unique prefixes accepted) */
	GK_NAME,     /* object name: 1..32 of [A-Za-z0-9_.:/@-] */
	GK_IPV4,     /* A.B.C.D */
	GK_MASK,     /* dotted contiguous netmask */
	GK_INT,      /* decimal in [min, max] */
	GK_KEY,      /* pre-shared key: 1..1024 printable, no spaces */
	GK_WORD,     /* free word of min..max printable characters (files, interfaces, fqdn) */
	GK_LINE,     /* the rest of the line (1..max characters) */
	GK_TUNIF,    /* tunnel-ipN, N in [min, max] */
	GK_LINUXIF,  /* Linux interface name: 1..15 characters, no '/', ':' or spaces */
};

enum gflag {
	G_END = 1 << 0,     /* a positive command may end here */
	G_MODE = 1 << 1,    /* ending here opens a sub-mode */
	G_LIST = 1 << 2,    /* the kids may repeat, up to max in total */
	G_SESSION = 1 << 3, /* session command: keeps the sub-mode, not allowed in files */
	G_VAL = 1 << 4,     /* the token is a value passed to the handler */
	G_KEY = 1 << 5,     /* the token is an object key passed to the handler */
	G_NONEG = 1 << 6,   /* no `no` form */
	G_ATOMIC = 1 << 7,  /* the handler fails only before it changes anything: no undo copy */
};

struct cmd_ctx;
typedef int (*cmd_fn)(struct cmd_ctx *ctx);

struct gnode {
	uint8_t kind;     /* enum gkind */
	uint16_t flags;   /* enum gflag */
	const char *word; /* the keyword, or the placeholder shown by help */
	const char *help;
	long min, max;    /* ranges; lengths; max count for G_LIST */
	long ival;        /* value of an enumeration keyword */
	const char *mode; /* prompt name of the sub-mode opened here */
	const char *what; /* what the value is, for error messages ("lifetime") */
	cmd_fn cmd;
	const struct gnode *kids;
};

/* Roots: exec mode and global configuration mode. */
extern const struct gnode g_exec_root[];
extern const struct gnode g_config_root[];

#endif

/*
 * Command handlers named by the grammar table (grammar.c), and the context they receive.
 * Internal to src/config. A handler returns 0, or -1 after writing a message to ctx->msg
 * (and optionally the offending token's column to ctx->err_pos).
 */
#ifndef MGMTSEC_CONFIG_CMDS_H
#define MGMTSEC_CONFIG_CMDS_H

#include "config/grammar.h"
#include "config/model.h"
#include "util/strbuf.h"

#define CMD_MAX_VALS 16

struct cfg_session;

struct cmd_val {
	const struct gnode *node;
	const char *text;
	long num;      /* keyword ival or parsed integer */
	uint32_t addr; /* IPv4 address or mask, network order */
	size_t pos;    /* column in the line (SIZE_MAX when inherited from the sub-mode) */
};

struct cmd_ctx {
	struct cfg_session *s;
	struct cfg *cfg; /* the candidate (NULL in exec mode) */
	bool negate;
	struct cmd_val key[4]; /* object keys along the path, outermost first */
	size_t nkey;
	struct cmd_val val[CMD_MAX_VALS]; /* values after the keys */
	size_t nval;
	const struct gnode *cmd_node; /* the node whose handler runs */
	const char *rest;             /* raw text of a GK_LINE value, or NULL */
	struct strbuf *out, *err;
	char msg[300];
	size_t err_pos; /* SIZE_MAX = no caret */
};

int cmd_fail(struct cmd_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fails with the caret under value i. */
int cmd_fail_at(struct cmd_ctx *c, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The first value whose node is a keyword with the given ival, or NULL. */
const struct cmd_val *cmd_find_kw(const struct cmd_ctx *c, long ival);

/* config objects (cmds_ike.c) */
int cmd_hostname(struct cmd_ctx *c);
int cmd_ifmap(struct cmd_ctx *c);
int cmd_proposal(struct cmd_ctx *c);
int cmd_prop_list(struct cmd_ctx *c);
int cmd_policy(struct cmd_ctx *c);
int cmd_pol_proposal(struct cmd_ctx *c);
int cmd_pol_local(struct cmd_ctx *c);
int cmd_pol_fvrf(struct cmd_ctx *c);
int cmd_prof_fvrf(struct cmd_ctx *c);
int cmd_keyring(struct cmd_ctx *c);
int cmd_peer(struct cmd_ctx *c);
int cmd_peer_address(struct cmd_ctx *c);
int cmd_peer_psk(struct cmd_ctx *c);
int cmd_profile(struct cmd_ctx *c);
int cmd_prof_keyring(struct cmd_ctx *c);
int cmd_prof_lifetime(struct cmd_ctx *c);
int cmd_prof_auth(struct cmd_ctx *c);
int cmd_prof_id_addr(struct cmd_ctx *c);
int cmd_prof_id_fqdn(struct cmd_ctx *c);
int cmd_prof_id_dn(struct cmd_ctx *c);
int cmd_prof_id_local(struct cmd_ctx *c);
int cmd_prof_pki(struct cmd_ctx *c);
int cmd_prof_dpd(struct cmd_ctx *c);
int cmd_prof_nat_force(struct cmd_ctx *c);
int cmd_trustpoint(struct cmd_ctx *c);
int cmd_tp_file(struct cmd_ctx *c);

/* ipsec objects and interfaces (cmds_ipsec.c) */
int cmd_tset(struct cmd_ctx *c);
int cmd_ts_mode(struct cmd_ctx *c);
int cmd_ts_transform(struct cmd_ctx *c);
int cmd_ipsec_profile(struct cmd_ctx *c);
int cmd_ip_ikev2(struct cmd_ctx *c);
int cmd_ip_tsets(struct cmd_ctx *c);
int cmd_ip_pfs(struct cmd_ctx *c);
int cmd_ip_lifetime(struct cmd_ctx *c);
int cmd_ip_replay(struct cmd_ctx *c);
int cmd_interface(struct cmd_ctx *c);
int cmd_if_address(struct cmd_ctx *c);
int cmd_if_mode(struct cmd_ctx *c);
int cmd_if_source(struct cmd_ctx *c);
int cmd_if_dest(struct cmd_ctx *c);
int cmd_if_protection(struct cmd_ctx *c);
int cmd_if_shutdown(struct cmd_ctx *c);
int cmd_if_desc(struct cmd_ctx *c);

/* session commands (cmds_session.c) */
int cmd_configure(struct cmd_ctx *c);
int cmd_exit(struct cmd_ctx *c);
int cmd_end(struct cmd_ctx *c);
int cmd_commit(struct cmd_ctx *c);
int cmd_abort(struct cmd_ctx *c);
int cmd_rollback(struct cmd_ctx *c);
int cmd_show_run(struct cmd_ctx *c);
int cmd_show_config(struct cmd_ctx *c);
int cmd_show_commits(struct cmd_ctx *c);
int cmd_op(struct cmd_ctx *c); /* daemon operations (show/clear), ival = enum cfg_op */

#endif

/* `show ikev2 session [detail]` and `show ikev2 summary`. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/show.h"

#define SHOW_MAX_SAS 4096

struct ike_sa_info *show_snapshot(struct ike *ike, size_t *n)
{
	*n = 0;
	struct ike_sa_info *v = calloc(SHOW_MAX_SAS, sizeof(*v));
	if (!v)
		return NULL;
	*n = ike_get_sas(ike, v, SHOW_MAX_SAS);
	return v;
}

/* "Label            : value" — the seed's 17-column labels; longer labels keep one space. */
static void kv(struct strbuf *o, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void kv(struct strbuf *o, const char *label, const char *fmt, ...)
{
	char val[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (strlen(label) < 17)
		sb_printf(o, "%-17s: %s\n", label, val);
	else
		sb_printf(o, "%s : %s\n", label, val);
}

static const char *ip(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static void hex_spi(const uint8_t spi[8], char *out)
{
	for (size_t i = 0; i < 8; i++)
		sprintf(out + 2 * i, "%02X", spi[i]);
}

static void render_child(struct strbuf *o, const struct ike_child_info *c, bool detail)
{
	sb_puts(o, "Child SA\n-----\n");
	kv(o, "Local Selector", "%s", c->local_sel);
	kv(o, "Remote Selector", "%s", c->remote_sel);
	kv(o, "ESP SPI IN/OUT", "0x%08x / 0x%08x", c->spi_in, c->spi_out);
	if (detail) {
		kv(o, "Encryption", "%s", c->encr);
		kv(o, "Keysize", "%u", c->keysize);
		kv(o, "ESP HMAC", "%s", c->hmac);
	}
}

static void render_ike_detail(struct strbuf *o, const struct ike_sa_info *s)
{
	char spi[17];
	kv(o, "Encryption/Keysize", "%s/%u", s->encr, s->keysize);
	kv(o, "PRF/Hash/DH Group", "%s/%s/%u", s->prf, s->integ, s->dh_group);
	kv(o, "Authentication(Sign/Verify)", "%s/%s", s->auth_sign, s->auth_verify);
	kv(o, "Life/Active Time(sec)", "%u/%llu", s->lifetime_s, (unsigned long long)s->active_s);
	kv(o, "Session ID", "%u", s->session_id);
	hex_spi(s->spi_local, spi);
	kv(o, "Local SPI", "%s", spi);
	hex_spi(s->spi_remote, spi);
	kv(o, "Remote SPI", "%s", spi);
	kv(o, "Local ID", "%s", s->local_id);
	kv(o, "Remote ID", "%s", s->remote_id);
}

static void render_session(struct strbuf *o, const struct ike_sa_info *s, bool detail)
{
	char a[INET_ADDRSTRLEN];
	kv(o, "Session ID", "%u", s->session_id);
	sb_puts(o, "=====\n");
	kv(o, "Status", "%s", s->status);
	kv(o, "IKE Count", "%u", 1u);
	kv(o, "Child Count", "%zu", s->n_child);
	kv(o, "IKE SA ID", "%u", s->ike_sa_id);
	sb_puts(o, "-----\n");
	kv(o, "Local", "%s/%u", ip(s->local_addr, a), s->local_port);
	kv(o, "Remote", "%s/%u", ip(s->remote_addr, a), s->remote_port);
	kv(o, "Status(Description)", "%s (%s)", s->state, s->description);
	kv(o, "Role", "%s", s->initiator ? "Initiator" : "Responder");
	if (detail)
		render_ike_detail(o, s);
	for (size_t i = 0; i < s->n_child && i < IKE_INFO_MAX_CHILD; i++) {
		sb_puts(o, "\n");
		render_child(o, &s->child[i], detail);
	}
}

int show_ikev2_session(const struct show_src *s, bool detail, struct strbuf *out,
                       struct strbuf *err)
{
	size_t n;
	struct ike_sa_info *v = show_snapshot(s->ike, &n);
	if (!v) {
		sb_puts(err, "% out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_puts(out, "\n");
		render_session(out, &v[i], detail);
	}
	if (!n)
		sb_puts(out, "No IKEv2 sessions\n");
	free(v);
	return 0;
}

static bool negotiating(const struct ike_sa_info *s)
{
	return strcmp(s->status, "UP-ACTIVE") != 0 && strcmp(s->status, "DELETED") != 0 &&
	       strcmp(s->status, "DOWN") != 0;
}

int show_ikev2_summary(const struct show_src *s, struct strbuf *out, struct strbuf *err)
{
	size_t n;
	struct ike_sa_info *v = show_snapshot(s->ike, &n);
	if (!v) {
		sb_puts(err, "% out of memory\n");
		return -1;
	}
	unsigned act[2] = {0, 0}, neg[2] = {0, 0}; /* [0] outgoing (initiator), [1] incoming */
	for (size_t i = 0; i < n; i++) {
		int dir = v[i].initiator ? 0 : 1;
		if (strcmp(v[i].status, "UP-ACTIVE") == 0)
			act[dir]++;
		else if (negotiating(&v[i]))
			neg[dir]++;
	}
	free(v);
	unsigned ta = act[0] + act[1], tn = neg[0] + neg[1];
	sb_puts(out, "IKEv2 Session Summary\n-----\n");
	sb_printf(out, "%-40s: %u (%u/%u)\n", "Total Sa (Active/Negotiation)", ta + tn, ta, tn);
	sb_printf(out, "%-40s: %u (%u/%u)\n", "Total Outgoing Sa (Active/Negotiation)",
	          act[0] + neg[0], act[0], neg[0]);
	sb_printf(out, "%-40s: %u (%u/%u)\n", "Total Incoming Sa (Active/Negotiation)",
	          act[1] + neg[1], act[1], neg[1]);
	return 0;
}

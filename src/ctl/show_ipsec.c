/* `show ipsec sa [interface tunnel-ipN]` and `clear ipsec sa [interface tunnel-ipN]`. */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "ctl/show.h"
#include "esp/esp_stats.h"

/* IOS XR prints the time first, e.g. "Tue Oct  5 15:45:55.597 IST". */
static void timestamp(struct strbuf *o)
{
	struct timeval tv;
	struct tm tm;
	char b[64], z[16];
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(b, sizeof(b), "%a %b %e %H:%M:%S", &tm);
	strftime(z, sizeof(z), "%Z", &tm);
	sb_printf(o, "%s.%03ld %s\n", b, (long)(tv.tv_usec / 1000), z);
}

static void kv(struct strbuf *o, const char *label, const char *val)
{
	sb_printf(o, "%-21s: %s\n", label, val);
}

static void kvu(struct strbuf *o, const char *label, unsigned long long v)
{
	sb_printf(o, "%-21s: %llu\n", label, v);
}

static void counters(struct strbuf *o, const struct show_src *s, uint32_t spi, bool in)
{
	struct esp_sa_stats st;
	if (!s->dp || dp_sa_stats(s->dp, spi, in, &st) < 0)
		return;
	kvu(o, "Packets", st.packets);
	kvu(o, "Bytes", st.bytes);
	if (in)
		kvu(o, "Replay Window", st.window);
	sb_printf(o, "%-21s: ", "Drops");
	bool any = false;
	for (int r = ESP_DROP_NONE + 1; r < ESP_DROP_MAX; r++) {
		if (!st.drops[r])
			continue;
		sb_printf(o, "%s%s %llu", any ? ", " : "", esp_drop_name((enum esp_drop)r),
		          (unsigned long long)st.drops[r]);
		any = true;
	}
	sb_puts(o, any ? "\n" : "0\n");
}

static void render_dir(struct strbuf *o, const struct show_src *s, const struct ike_child_info *c,
                       bool in)
{
	char b[32];
	sb_puts(o, "-----\n");
	sb_puts(o, in ? "Inbound SA\n" : "Outbound SA\n");
	snprintf(b, sizeof(b), "0x%08x", in ? c->spi_in : c->spi_out);
	kv(o, "SPI", b);
	kv(o, "Protocol", c->natt ? "ESP (UDP-encapsulated)" : "ESP");
	kv(o, "Encrypt Algorithm", c->esp_encr);
	kv(o, "Auth Algorithm", c->hmac);
	kvu(o, "Rekey (After Seconds)", c->rekey_in_s);
	counters(o, s, in ? c->spi_in : c->spi_out, in);
}

/* Counters of the interface across all its SAs (rekeys included). */
static void interface_counters(struct strbuf *o, const struct show_src *s, uint32_t tunnel)
{
	struct dp_tunnel_stats t;
	if (!s->dp || dp_tunnel_stats(s->dp, tunnel, &t) < 0)
		return;
	sb_puts(o, "-----\nInterface Counters\n");
	kvu(o, "Packets encrypted", t.tx_packets);
	kvu(o, "Bytes encrypted", t.tx_bytes);
	kvu(o, "Packets decrypted", t.rx_packets);
	kvu(o, "Bytes decrypted", t.rx_bytes);
	kvu(o, "Drops outbound", t.tx_drops);
	kvu(o, "Drops inbound", t.rx_drops);
}

static void render_interface(struct strbuf *o, const struct show_src *s,
                             const struct ike_sa_info *v)
{
	char b[32];
	for (size_t i = 0; i < v->n_child && i < IKE_INFO_MAX_CHILD; i++) {
		const struct ike_child_info *c = &v->child[i];
		sb_puts(o, "-----\n");
		kv(o, "Interface Name", v->ifname);
		snprintf(b, sizeof(b), "0x%x", if_nametoindex(v->ifname));
		kv(o, "Interface handle", b);
		kvu(o, "SA id", c->sa_id);
		kv(o, "Mode", "Tunnel");
		render_dir(o, s, c, true);
		render_dir(o, s, c, false);
	}
	interface_counters(o, s, v->tunnel_id);
}

int show_ipsec_sa(const struct show_src *s, bool one, uint32_t tunnel, struct strbuf *out,
                  struct strbuf *err)
{
	size_t n;
	struct ike_sa_info *v = show_snapshot(s->ike, &n);
	if (!v) {
		sb_puts(err, "% out of memory\n");
		return -1;
	}
	timestamp(out);
	if (!one)
		sb_printf(out, "%-16s %-8s %-14s %s\n-----\n", "If/name", "SA-Id", "Inbound SPI",
		          "Outbound SPI");
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		if (one && v[i].tunnel_id != tunnel)
			continue;
		if (one) {
			render_interface(out, s, &v[i]);
			found |= v[i].n_child > 0;
			continue;
		}
		for (size_t c = 0; c < v[i].n_child && c < IKE_INFO_MAX_CHILD; c++) {
			char in[16], ob[16];
			snprintf(in, sizeof(in), "0x%08x", v[i].child[c].spi_in);
			snprintf(ob, sizeof(ob), "0x%08x", v[i].child[c].spi_out);
			sb_printf(out, "%-16s %-8llu %-14s %s\n", v[i].ifname,
			          (unsigned long long)v[i].child[c].sa_id, in, ob);
		}
	}
	if (one && !found)
		sb_printf(out, "No IPsec SA on tunnel-ip%u\n", tunnel);
	free(v);
	return 0;
}

int show_clear_ipsec_sa(const struct show_src *s, bool one, uint32_t tunnel, struct strbuf *out,
                        struct strbuf *err)
{
	if (!one) {
		ike_clear(s->ike, 0);
		return 0;
	}
	size_t n;
	struct ike_sa_info *v = show_snapshot(s->ike, &n);
	if (!v) {
		sb_puts(err, "% out of memory\n");
		return -1;
	}
	int cleared = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].tunnel_id == tunnel && v[i].n_child)
			cleared += ike_clear(s->ike, v[i].session_id);
	free(v);
	if (!cleared) {
		sb_printf(err, "%% No IPsec SA on tunnel-ip%u\n", tunnel);
		return -1;
	}
	return 0;
}

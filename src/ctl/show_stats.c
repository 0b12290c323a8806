/* `show ikev2 statistics` and `show ipsec statistics`: what was received, sent and dropped,
 * by reason, so an operator can see hostile or broken traffic being refused. */
#include "ctl/show.h"

static void row(struct strbuf *o, const char *label, unsigned long long v)
{
	sb_printf(o, "%-40s: %llu\n", label, v);
}

int show_ikev2_statistics(const struct show_src *s, struct strbuf *out, struct strbuf *err)
{
	struct ike_stats st;
	ike_get_stats(s->ike, &st);
	sb_puts(out, "IKEv2 Statistics\n-----\n");
	row(out, "Messages received", st.rx_packets);
	row(out, "Messages sent", st.tx_packets);
	row(out, "Requests retransmitted", st.tx_retransmits);
	row(out, "Retransmitted requests answered", st.rx_retransmits);
	row(out, "Dropped: malformed", st.rx_dropped_malformed);
	row(out, "Dropped: unknown IKE SPI", st.rx_dropped_unknown_spi);
	row(out, "Dropped: integrity check failed", st.rx_dropped_integrity);
	row(out, "Dropped: message ID out of window", st.rx_dropped_msgid);
	row(out, "Dropped: no tunnel for the peer", st.rx_dropped_unknown_peer);
	row(out, "Authentication failures", st.auth_failed);
	row(out, "No proposal chosen", st.no_proposal);
	row(out, "Negotiations failed", st.negotiations_failed);
	row(out, "Child SA rekeys", st.child_rekeys);
	row(out, "IKE SA rekeys", st.ike_rekeys);
	row(out, "Rekeys refused by the peer", st.rekeys_failed);
	row(out, "Simultaneous rekeys resolved", st.rekey_collisions);
	row(out, "SAs expired at hard lifetime", st.expired);
	row(out, "Peers declared dead (DPD)", st.dpd_dead);
	row(out, "Cookies sent", st.cookies_sent);
	row(out, "Cookies rejected", st.cookies_rejected);
	row(out, "Dropped: half-open limit", st.half_open_refused);
	row(out, "Fragments sent", st.tx_fragments);
	row(out, "Fragments received", st.rx_fragments);
	row(out, "Fragments dropped", st.rx_frag_dropped);
	row(out, "IKE SAs established", st.established);
	row(out, "IKE SAs negotiating", st.half_open);
	row(out, "Tunnels waiting to initiate", st.init_waiting);
	row(out, "Initiations that waited", st.init_deferred);
	row(out, "Child SAs installed", st.child_sas);
	row(out, "Key exchanges with a key pair made ahead", st.keypool_used);
	row(out, "Key exchanges that made their key pair", st.keypool_empty);
	return 0;
}

int show_ipsec_statistics(const struct show_src *s, struct strbuf *out, struct strbuf *err)
{
	struct dp_stats st;
	if (!s->dp) {
		sb_puts(err, "% no data plane\n");
		return -1;
	}
	dp_get_stats(s->dp, &st);
	sb_puts(out, "IPsec Data-Plane Statistics\n-----\n");
	row(out, "ESP packets received", st.rx_packets);
	row(out, "Dropped: unknown SPI", st.no_sa);
	row(out, "Dropped: too short", st.too_short);
	row(out, "NAT-T keepalives received", st.keepalives);
	row(out, "IKE messages on UDP 4500", st.ike);
	row(out, "Packets read from tunnel interfaces", st.tun_rx);
	row(out, "Dropped: no outbound SA", st.tun_no_sa);
	row(out, "Send errors", st.send_errors);
	row(out, "ESP-in-UDP batches sent with UDP GSO", st.gso_sends);
	row(out, "Coalesced UDP datagrams received (GRO)", st.gro_reads);
	sb_puts(out,
	        "Per-SA drops (replay, ICV, padding, ...): show ipsec sa interface tunnel-ipN\n");
	return 0;
}

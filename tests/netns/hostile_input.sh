#!/usr/bin/env bash
# Hostile input end to end: two mgmtsec routers with the seed's tunnel up (as in tunnel_e2e.sh),
# then the peer's namespace, and a third address on it (203.0.113.9, which no tunnel expects),
# throw at r1 (tests/netns/hostile_packets.py), on UDP 500 and 4500 and as raw ESP:
#   1 malformed IKE   truncated headers, lengths beyond the datagram, payload chains that never
#                     advance or overrun, unknown critical payloads, huge SA/transform counts,
#                     lying KE/nonce/notify sizes, exchanges without an SA
#   2 junk            random datagrams, random IKE-shaped chains
#   3 live SPIs       INFORMATIONAL/CREATE_CHILD_SA on the established IKE SA's SPIs (from
#                     `show ikev2 session detail`) with bad integrity and odd message IDs
#   4 IKE replay      the captured IKE_SA_INIT/IKE_AUTH of the real negotiation, resent
#   5 ESP             valid inbound SPI with a bad ICV, short packets, unknown SPIs, ESP in UDP
#   6 ESP replay      captured ESP packets of a real ping, resent
# After each batch: both daemons alive, r1's RSS within bounds, the tunnel passes ping with the
# same Child SA, and the counters show the drops by reason (`show ikev2 statistics`,
# `show ipsec statistics`, and per SA in `show ipsec sa interface tunnel-ip1`).
# Environment: HOSTILE_RSS_SLACK_KB (default 16384, or 262144 for an ASan build).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init
SRC=$MGMTSEC_SOURCE
PKTS="$SRC/tests/netns/hostile_packets.py"
R1=198.51.100.1 R2=198.51.100.2 THIRD=203.0.113.9

netns_create r1 r2
netns_link r1 r2 $R1/24 $R2/24 mgmt0 mgmt0
netns_addr r2 mgmt0 $THIRD/32
ip -n "${NETNS[r1]}" route add 203.0.113.0/24 via $R2

conf1=$NETNS_TMP/r1.conf conf2=$NETNS_TMP/r2.conf
capture_start boot r1 mgmt0
mgmtsecd_start r1 "$conf1"
mgmtsecd_start r2 "$conf2"
mgmtsec_apply r1 "$SRC/examples/router1.conf" || fail "router1 configuration refused"
mgmtsec_apply r2 "$SRC/examples/router2.conf" || fail "router2 configuration refused"
up() { mgmtsec_cmd "$1" "show ikev2 session" | grep -q "UP-ACTIVE" &&
	mgmtsec_cmd "$1" "show ikev2 session" | grep -q "ESP SPI IN/OUT"; }
wait_for "IKE and Child SA up on r1" 30 up r1 || fail "tunnel did not come up"
wait_for "IKE and Child SA up on r2" 10 up r2 || fail "tunnel did not come up on r2"
ns_exec r2 ping -c 5 -i 0.2 -W 2 192.0.2.1 >/dev/null || fail "ping across the tunnel failed"
capture_stop boot >/dev/null
boot_pcap=$NETNS_TMP/boot.pcap

field() { sed -n "s/^$2 *: //p" <<<"$1" | head -n1; }
detail=$(mgmtsec_cmd r1 "show ikev2 session detail")
spis=$(field "$detail" "ESP SPI IN\/OUT")
esp_in=${spis%% / *}
ike_l=$(field "$detail" "Local SPI")
ike_r=$(field "$detail" "Remote SPI")
[ -n "$esp_in" ] && [ -n "$ike_l" ] && [ -n "$ike_r" ] || fail "cannot read SPIs from: $detail"
echo "r1: ESP SPI in $esp_in, IKE SPIs $ike_l / $ike_r"

pid1=$(mgmtsecd_pid r1)
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
slack=${HOSTILE_RSS_SLACK_KB:-16384}
if [ -z "${HOSTILE_RSS_SLACK_KB:-}" ] && grep -q __asan_init "$MGMTSEC_BUILD/mgmtsecd" 2>/dev/null; then
	slack=262144 # ASan's quarantine holds freed memory back
fi
rss0=$(rss "$pid1")
echo "r1 RSS at start: $rss0 kB (allowed growth $slack kB)"

# Sums the numbers of every ESP drop on r1's inbound SA for one reason (icv, replay, short ...).
esp_drops()
{
	mgmtsec_cmd r1 "show ipsec sa interface tunnel-ip1" | awk -v r="$1" '
		/^Inbound SA/ { inb = 1 } /^Outbound SA/ { inb = 0 }
		inb && /^Drops/ { n = split($0, a, /[:,] */); for (i = 2; i <= n; i++) {
			split(a[i], kv, " "); if (kv[1] == r) s += kv[2] } }
		END { print s + 0 }'
}

# counter "show ..." "Label": the number on the line "Label   : N" of that show command.
counter()
{
	mgmtsec_cmd r1 "$1" | awk -v l="$2" 'match($0, / *: [0-9]+$/) && substr($0, 1, RSTART - 1) == l {
		v = substr($0, RSTART); gsub(/[^0-9]/, "", v); print v; f = 1 } END { if (!f) print "missing" }'
}
ike() { counter "show ikev2 statistics" "$1"; }
espg() { counter "show ipsec statistics" "$1"; }
ike_dropped() { mgmtsec_cmd r1 "show ikev2 statistics" | awk '/^Dropped: / { s += $NF } END { print s + 0 }'; }
[ "$(ike "Dropped: malformed")" != missing ] || fail "show ikev2 statistics lacks drop counters"

log_lines() { wc -l <"$(mgmtsecd_log r1)"; }

# health BATCH: daemons alive, RSS bounded, tunnel passes traffic on the same Child SA.
health()
{
	local what=$1 r now_spis
	mgmtsecd_alive r1 || fail "$what: r1's daemon died"
	mgmtsecd_alive r2 || fail "$what: r2's daemon died"
	grep -q "AddressSanitizer\|runtime error" "$(mgmtsecd_log r1)" && fail "$what: sanitizer report"
	r=$(rss "$pid1")
	[ "$r" -le $((rss0 + slack)) ] || fail "$what: r1 RSS grew from $rss0 to $r kB"
	ns_exec r1 ping -c 3 -i 0.2 -W 2 192.0.2.2 >/dev/null || fail "$what: tunnel stopped passing traffic"
	now_spis=$(field "$(mgmtsec_cmd r1 'show ikev2 session detail')" "ESP SPI IN\/OUT")
	[ "$now_spis" = "$spis" ] || fail "$what: Child SA changed ($spis -> $now_spis)"
	echo "after $what: alive, RSS $r kB (start $rss0), ping ok, log lines $(log_lines)"
}

# batch NAME CMD...: runs the attack in r2, then checks health.
batch()
{
	local name=$1
	shift
	echo "== $name"
	ns_exec r2 python3 "$PKTS" "$@" || fail "$name: sending failed"
	sleep 1 # let the daemon work through its queue
	health "$name"
}

# grew WHAT BEFORE AFTER [MIN]: the counter moved by at least MIN (default 1).
grew()
{
	echo "  $1: $2 -> $3"
	[ "$3" != missing ] && [ "$3" -ge $(($2 + ${4:-1})) ] || fail "$1 did not count the attack ($2 -> $3)"
}

m0=$(ike "Dropped: malformed")
batch "malformed IKE from the peer" ike-malformed $R1
m1=$(ike "Dropped: malformed")
grew "IKE malformed drops" "$m0" "$m1" 20

p0=$(ike "Dropped: no tunnel for the peer")
batch "malformed IKE from a third address" ike-malformed $R1 --src $THIRD
grew "IKE drops for an unknown peer" "$p0" "$(ike "Dropped: no tunnel for the peer")"
grew "IKE malformed drops" "$m1" "$(ike "Dropped: malformed")" 20

m0=$(ike "Dropped: malformed")
batch "junk" ike-junk $R1
batch "junk from a third address" ike-junk $R1 --src $THIRD
grew "IKE malformed drops" "$m0" "$(ike "Dropped: malformed")" 500

# Half of these carry the SPIs in the wrong order (unknown SPI); of the rest, most have a message
# ID outside the window or an SK payload that cannot be a ciphertext (malformed); those in the
# window reach the integrity check and fail it. Every one of them is dropped and counted.
i0=$(ike "Dropped: integrity check failed")
s0=$(ike "Dropped: unknown IKE SPI")
d0=$(ike_dropped)
batch "bad integrity on the live IKE SA" ike-spi $R1 "$ike_l" "$ike_r"
grew "IKE integrity drops" "$i0" "$(ike "Dropped: integrity check failed")"
grew "IKE unknown-SPI drops (the swapped SPI order)" "$s0" "$(ike "Dropped: unknown IKE SPI")" 400
grew "IKE drops of every reason" "$d0" "$(ike_dropped)" 900

r0=$(ike "Messages received")
batch "IKE replay" replay "$boot_pcap" $R2 $R1 ike
grew "IKE messages received" "$r0" "$(ike "Messages received")"

icv0=$(esp_drops icv)
u0=$(espg "Dropped: unknown SPI")
t0=$(espg "Dropped: too short")
batch "ESP with the live SPI" esp $R1 "$esp_in"
grew "ESP ICV drops on $esp_in" "$icv0" "$(esp_drops icv)" 150
grew "ESP too-short drops on $esp_in" 0 "$(esp_drops too-short)"
grew "ESP unknown-SPI drops" "$u0" "$(espg "Dropped: unknown SPI")" 150
grew "ESP shorter than a header" "$t0" "$(espg "Dropped: too short")" 5

rep0=$(esp_drops replay)
batch "ESP replay" replay "$boot_pcap" $R2 $R1 esp
grew "ESP replay drops" "$rep0" "$(esp_drops replay)" 5

mgmtsec_cmd r1 "show ipsec sa interface tunnel-ip1"
mgmtsec_cmd r1 "show ikev2 statistics"
mgmtsec_cmd r1 "show ipsec statistics"
# Half-open SAs made by the attack must not stay forever: the live session stays the only one
# once they time out; at least nothing but the real session is UP.
n_up=$(mgmtsec_cmd r1 "show ikev2 session" | grep -c "UP-ACTIVE" || true)
[ "$n_up" -eq 1 ] || fail "expected exactly one UP-ACTIVE session, found $n_up"
echo "hostile_input: all checks passed"

#!/usr/bin/env bash
# `ikev2 profile NAME nat force-encap` on one of two mgmtsec routers with no NAT between them:
# both float to UDP 4500 and carry ESP in UDP (RFC 3948) only; a TCP transfer's batches leave
# r1 as UDP GSO sends and reach r2's socket coalesced (UDP_GRO), the data intact; `no nat
# force-encap` brings the tunnel back to raw ESP.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init
SRC=$MGMTSEC_SOURCE

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
mgmtsecd_start r1 "$NETNS_TMP/r1.conf"
mgmtsecd_start r2 "$NETNS_TMP/r2.conf"
mgmtsec_apply r2 "$SRC/examples/router2.conf" || fail "router2 configuration refused"
{
	seed_config 1 | sed '1i configure'
	echo "ikev2 profile ikev2_prof_mgmt_P1 nat force-encap"
	echo commit
} >"$NETNS_TMP/r1.in"
mgmtsec_apply r1 "$NETNS_TMP/r1.in" || fail "router1 configuration with nat force-encap refused"
mgmtsec_cmd r1 "show running-config" | grep -q "^ nat force-encap$" ||
	fail "running-config lacks nat force-encap"

up() { mgmtsec_cmd "$1" "show ikev2 session" | grep -q "UP-ACTIVE" &&
	mgmtsec_cmd "$1" "show ikev2 session" | grep -q "ESP SPI IN/OUT"; }
wait_for "tunnel up on r1" 30 up r1 || fail "tunnel did not come up"
wait_for "tunnel up on r2" 10 up r2 || fail "tunnel did not come up on r2"
for r in r1 r2; do
	mgmtsec_cmd "$r" "show ikev2 session detail" | grep -q "^ *Local *: .*/4500$" ||
		fail "$r: IKE SA not on UDP 4500"
done

stat_of() { mgmtsec_cmd "$1" "show ipsec statistics" | awk -v k="$2" 'index($0, k) {print $NF}'; }
capture_start outer r1 mgmt0
ns_exec r1 ping -c 3 -i 0.2 -W 2 192.0.2.2 || fail "ping across the tunnel failed"
head -c 2000000 /dev/urandom >"$NETNS_TMP/blob"
ns_spawn r2 "$NETNS_TMP/nc.log" sh -c "nc -l -N 192.0.2.2 5001 > $NETNS_TMP/rx"
sleep 0.3
ns_exec r1 sh -c "nc -N -w 10 192.0.2.2 5001 < $NETNS_TMP/blob" || fail "TCP transfer failed"
wait_for "TCP data complete" 10 cmp -s "$NETNS_TMP/blob" "$NETNS_TMP/rx" || fail "TCP data differs"
capture_stop outer >/dev/null
capture_summary outer
[ "$CAP_ESP_UDP" -gt 10 ] || fail "expected ESP in UDP 4500 on the wire"
[ "$CAP_ESP_RAW" -eq 0 ] || fail "raw ESP on the wire with nat force-encap"
[ "$CAP_CLEAR" -eq 0 ] || fail "clear-text packets on the outer link"
gso=$(stat_of r1 "with UDP GSO") gro=$(stat_of r2 "received (GRO)")
echo "r1 GSO sends: $gso, r2 coalesced reads: $gro"
[ "${gso:-0}" -gt 0 ] || fail "r1 sent no UDP GSO batch"
[ "${gro:-0}" -gt 0 ] || fail "r2 received no coalesced datagram"

# --- without it again: raw ESP ----------------------------------------------------------------
printf 'configure\nno ikev2 profile ikev2_prof_mgmt_P1 nat force-encap\ncommit\n' >"$NETNS_TMP/r1.no"
mgmtsec_apply r1 "$NETNS_TMP/r1.no" || fail "no nat force-encap refused"
mgmtsec_cmd r1 "show running-config" | grep -q "nat force-encap" && fail "still in running-config"
raw_up() { up r1 && mgmtsec_cmd r1 "show ikev2 session detail" | grep -q "^ *Local *: .*/500$"; }
wait_for "tunnel up again on UDP 500" 30 raw_up || fail "tunnel did not come back without NAT-T"
capture_start outer2 r1 mgmt0
wait_for "ping on raw ESP" 10 ns_exec r1 ping -c 1 -W 1 192.0.2.2 || fail "ping failed"
capture_stop outer2 >/dev/null
capture_summary outer2
[ "$CAP_ESP_RAW" -gt 0 ] && [ "$CAP_ESP_UDP" -eq 0 ] || fail "expected raw ESP only"
echo "force_encap: ok"

#!/usr/bin/env bash
# Faults on the outer network (issue 8): the outer link going down and up, and the tunnel
# source address disappearing and coming back, are survived without operator action — the
# daemon watches links and addresses over netlink and re-resolves tunnel sources.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
for n in 1 2; do
	seed_config $n >"$NETNS_TMP/r$n.conf"
	echo "ikev2 profile ikev2_prof_mgmt_P$n dpd 10 3" >>"$NETNS_TMP/r$n.conf"
done
chmod 600 "$NETNS_TMP"/r?.conf
mgmtsecd_start r1 "$NETNS_TMP/r1.conf"
mgmtsecd_start r2 "$NETNS_TMP/r2.conf"
up() { mgmtsec_cmd r1 "show ikev2 session" | grep -q "ESP SPI IN/OUT"; }
pings() { ns_exec r1 ping -c 1 -W 1 192.0.2.2 >/dev/null 2>&1; }
wait_for "tunnel up" 30 up || fail "tunnel did not come up"

echo "--- outer link down for 3 s, then up"
ip -n "${NETNS[r1]}" link set mgmt0 down
sleep 3
pings && fail "ping passed with the outer link down"
ip -n "${NETNS[r1]}" link set mgmt0 up
wait_for "traffic flows again after the link came back" 60 pings || fail "no recovery after link flap"

echo "--- tunnel source address removed, then restored"
ip -n "${NETNS[r1]}" addr del 198.51.100.1/24 dev mgmt0
no_sa() { ! up; }
wait_for "r1 notices its source address is gone" 60 no_sa || fail "tunnel kept without a source address"
grep -q "re-resolving tunnel sources" "$(mgmtsecd_log r1)" || fail "the address change was not noticed"
ip -n "${NETNS[r1]}" addr add 198.51.100.1/24 dev mgmt0
wait_for "tunnel back after the address returned" 60 up || fail "no tunnel after the address came back"
wait_for "traffic flows again" 20 pings || fail "no traffic after the address came back"
mgmtsecd_alive r1 || fail "r1 died"
echo "outer_changes: all checks passed"

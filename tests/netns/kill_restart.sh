#!/usr/bin/env bash
# Faults (issue 8): mgmtsecd killed with SIGKILL in the middle of a commit, in the middle of an
# IKE negotiation and under traffic. Every time, the restarted daemon loads a configuration that
# is either the old or the new one (never a mix, never refused) and the tunnel comes back by
# itself.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
for n in 1 2; do
	seed_config $n >"$NETNS_TMP/r$n.conf"
done
chmod 600 "$NETNS_TMP"/r?.conf
mgmtsecd_start r1 "$NETNS_TMP/r1.conf"
mgmtsecd_start r2 "$NETNS_TMP/r2.conf"
up() { mgmtsec_cmd r1 "show ikev2 session" | grep -q "ESP SPI IN/OUT"; }
pings() { ns_exec r1 ping -c 1 -W 1 192.0.2.2 >/dev/null 2>&1; }
wait_for "tunnel up" 30 up || fail "tunnel did not come up"

restart_r1() {
	kill -KILL "$(mgmtsecd_pid r1)"
	unset "_MGMTSECD_PID[r1]"
	sleep 0.2
	# the TUN device dies with its last fd; the new daemon creates it again
	mgmtsecd_start r1 "$NETNS_TMP/r1.conf" || fail "$1: the daemon refused its saved configuration"
	wait_for "$1: tunnel back" 40 up || fail "$1: tunnel did not come back"
	wait_for "$1: traffic back" 10 pings || fail "$1: no traffic after restart"
}

echo "--- SIGKILL during commits (20 rounds, killed at random moments)"
lifetime() { mgmtsec_cmd r1 "show running-config ikev2 profile" | sed -n 's/^ *lifetime //p'; }
prev=$(lifetime)
for i in $(seq 1 20); do
	ns_spawn r1 "$NETNS_TMP/cli.log" "$MGMTSEC_BUILD/mgmtsec" -s "$(mgmtsecd_sock r1)" \
		-c configure -c "ikev2 profile ikev2_prof_mgmt_P1 lifetime $((600 + i))" \
		-c "interface tunnel-ip1 description round $i" -c commit -c end
	sleep "0.0$((RANDOM % 10))"
	kill -KILL "$(mgmtsecd_pid r1)"
	unset "_MGMTSECD_PID[r1]"
	sleep 0.1
	mgmtsecd_start r1 "$NETNS_TMP/r1.conf" >/dev/null ||
		fail "round $i: the daemon refused its saved configuration after SIGKILL"
	lt=$(lifetime)
	[ "$lt" = $((600 + i)) ] || [ "$lt" = "$prev" ] ||
		fail "round $i: lifetime $lt is neither the old ($prev) nor the new value ($((600 + i)))"
	prev=$lt
done
echo "commit/kill rounds: configuration always old or new, always loaded"
wait_for "tunnel up after the commit rounds" 40 up || fail "tunnel did not come back after the commit rounds"

echo "--- SIGKILL during an IKE negotiation"
mgmtsec_cmd r2 "clear ikev2 session" >/dev/null
sleep 0.005
restart_r1 "negotiation"

echo "--- SIGKILL under traffic"
ns_spawn r1 "$NETNS_TMP/ping.log" ping -q -i 0.01 -c 300 -W 1 192.0.2.2
sleep 1
restart_r1 "traffic"
echo "kill_restart: all checks passed"

#!/usr/bin/env bash
# Tunnels that stay up (issue 6): two routers with the seed's configuration (PFS group 19) and
# every SA lifetime cut to 12 s (mgmtsecd --test-lifetime), under a steady ping flood. Child and
# IKE SAs are rekeyed several times (new SPIs on both sides each time) with no packet lost.
# Then the peer is killed with SIGKILL: dead-peer detection takes the tunnel down, and when the
# peer comes back the tunnel is re-established by itself.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init
LIFE=12

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
# DPD every 10 s (IOS XR legacy keyword, see docs/configuration.md)
for n in 1 2; do
	{
		seed_config $n
		echo "ikev2 profile ikev2_prof_mgmt_P$n dpd 10 3"
	} >"$NETNS_TMP/r$n.conf"
done
chmod 600 "$NETNS_TMP"/r?.conf
mgmtsecd_start r1 "$NETNS_TMP/r1.conf" --test-lifetime $LIFE
mgmtsecd_start r2 "$NETNS_TMP/r2.conf" --test-lifetime $LIFE
up() { mgmtsec_cmd "$1" "show ikev2 session" | grep -q "ESP SPI IN/OUT"; }
wait_for "tunnel up" 30 up r1 || fail "tunnel did not come up"
sleep 1

spi_pair() { mgmtsec_cmd "$1" "show ipsec sa" | awk '$1 == "tunnel-ip1" {print $3 "/" $4}' | tail -n1; }
ike_spi() { mgmtsec_cmd "$1" "show ikev2 session detail" | sed -n 's/^Local SPI *: //p' | head -n1; }

echo "--- ping flood across $((LIFE * 3)) s of rekeys"
count=$((LIFE * 3 * 50))
ns_spawn r1 "$NETNS_TMP/ping.log" ping -q -i 0.02 -c $count -W 1 192.0.2.2
ping_pid=$NS_PID
declare -A child_seen=() ike_seen=()
while kill -0 $ping_pid 2>/dev/null; do
	p=$(spi_pair r1) && [ -n "$p" ] && child_seen[$p]=1
	i=$(ike_spi r1) && [ -n "$i" ] && ike_seen[$i]=1
	sleep 0.5
done
wait $ping_pid || true
cat "$NETNS_TMP/ping.log"
tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$NETNS_TMP/ping.log")
rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$NETNS_TMP/ping.log")
echo "rekey: ${#child_seen[@]} Child SA pairs and ${#ike_seen[@]} IKE SAs seen on r1; $tx sent, $rx received, $((tx - rx)) lost"
[ "${#child_seen[@]}" -ge 3 ] || fail "expected at least 3 Child SA generations, saw ${#child_seen[@]}"
[ "${#ike_seen[@]}" -ge 2 ] || fail "expected the IKE SA to be rekeyed, saw ${#ike_seen[@]}"
if [ "$tx" != "$count" ] || [ "$rx" != "$tx" ]; then
	for r in r1 r2; do
		echo "---- $r"
		mgmtsec_cmd $r "show ipsec statistics" "show ipsec sa interface tunnel-ip1" "show ikev2 statistics"
	done
	fail "packets lost during rekeys: $tx sent, $rx received"
fi
mgmtsec_cmd r1 "show ikev2 statistics" | grep -E "rekey|Rekey" || true
# both sides agree on the current pair
# both sides agree on the current pair (read twice a second: a rekey may fall between the reads)
agree() {
	local p1 p2
	p1=$(spi_pair r1) p2=$(spi_pair r2)
	[ -n "$p1" ] && [ "${p1%/*}" = "${p2#*/}" ] && [ "${p1#*/}" = "${p2%/*}" ]
}
wait_for "r1 and r2 agree on the current Child SA" 10 agree ||
	fail "r1 $(spi_pair r1) and r2 $(spi_pair r2) disagree"
mgmtsec_cmd r1 "show ikev2 summary" | grep -q "Total Sa (Active/Negotiation) *: 1 (1/0)" ||
	fail "show ikev2 summary does not count exactly one active SA after the rekeys"

echo "--- PFS groups 20 and 21: the Child SA rekeys keep working, still without loss"
for g in 20 21; do
	for n in 1 2; do
		printf 'configure\nipsec profile ipsec_prof_mgmt_P%s set pfs group%s\ncommit\nend\n' $n $g |
			ns_exec r$n "$MGMTSEC_BUILD/mgmtsec" -s "$(mgmtsecd_sock r$n)" >/dev/null
	done
	wait_for "tunnel up with PFS group $g" 30 up r1 || fail "no tunnel with PFS group $g"
	sleep 1
	declare -A gen=()
	ns_spawn r1 "$NETNS_TMP/ping$g.log" ping -q -i 0.02 -c $((LIFE * 2 * 50)) -W 1 192.0.2.2
	ping_pid=$NS_PID
	while kill -0 $ping_pid 2>/dev/null; do
		p=$(spi_pair r1) && [ -n "$p" ] && gen[$p]=1
		sleep 0.5
	done
	wait $ping_pid || true
	# Zero loss here too. Single packets lost here and in the first phase each showed a race
	# between IKE and ESP, now closed: a collision's redundant pair removed before the peer's
	# last packets on it arrived; a rekey answered before its new inbound SA was installed; a
	# collision's loser moving to the survivor before the peer had installed it. The drop
	# shows as "unknown SPI" in show ipsec statistics, and in the log with its sequence number.
	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$NETNS_TMP/ping$g.log")
	rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$NETNS_TMP/ping$g.log")
	if [ "$tx" != "$rx" ]; then
		for r in r1 r2; do
			mgmtsec_cmd $r "show ipsec statistics" "show ikev2 statistics"
		done
		fail "packets lost during PFS group $g rekeys: $(tail -n2 "$NETNS_TMP/ping$g.log")"
	fi
	[ "${#gen[@]}" -ge 2 ] || fail "no rekey seen with PFS group $g"
	echo "pfs group $g: ${#gen[@]} Child SA generations, $((tx - rx)) lost"
	unset gen
done

echo "--- peer killed: dead-peer detection"
kill -KILL "$(mgmtsecd_pid r2)"
t0=$SECONDS
down() { ! ip -n "${NETNS[r1]}" link show tunnel-ip1 | grep -q "<[^>]*,UP"; }
# `dpd 10 3` retries a liveness check 3 s apart (dead after about 28 s), but with 12 s
# lifetimes a rekey request is often the first to go unanswered, and that one backs off as
# every request does (31.5 s): the RETRY schedule itself is checked in the engine unit tests.
wait_for "r1 declares the peer dead (tunnel-ip1 down)" 60 down || fail "DPD never declared the peer dead"
echo "dpd: peer declared dead after $((SECONDS - t0)) s"
grep -qi "dead\|DPD\|liveness" "$(mgmtsecd_log r1)" || fail "r1's log does not say the peer is dead"
# a fresh r2 (its state is gone): the tunnel comes back without operator action
unset "_MGMTSECD_PID[r2]"
mgmtsecd_start r2 "$NETNS_TMP/r2.conf" --test-lifetime $LIFE
t1=$SECONDS
wait_for "tunnel back after the peer restarted" 40 up r1 || fail "tunnel did not come back"
echo "recovery: tunnel back $((SECONDS - t1)) s after the peer restarted"
ns_exec r1 ping -c 2 -W 2 192.0.2.2 >/dev/null || fail "no traffic after recovery"
echo "rekey: all checks passed"

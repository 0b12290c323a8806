#!/usr/bin/env bash
# Scale (issue 9): more tunnels than the daemon's old fixed table of 1024 held. Two daemons
# commit N tunnels each (SCALE_N, default 1100) in one commit; every tunnel comes up and carries
# an echo at the ends of the table; one commit then removes the first half, whose devices go
# while the rest stay up; stopping a daemon removes all its devices and is quick about it.
# Addresses as bench/ike: one outer pair per tunnel from 198.18.0.0/15 on the link (each side
# reaches the other's /17 through one gateway address), inner /30s from 198.19.0.0/16.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init

N=${SCALE_N:-1100}
outer_a() { echo "198.18.$(($1 / 250)).$(($1 % 250 + 1))"; }
outer_b() { echo "198.18.$((128 + $1 / 250)).$(($1 % 250 + 1))"; }
inner_a() { echo "198.19.$((4 * $1 / 256)).$((4 * $1 % 256 + 1))"; }
inner_b() { echo "198.19.$((4 * $1 / 256)).$((4 * $1 % 256 + 2))"; }

# conf SIDE: configure mode lines for side a (r1) or b (r2), all N tunnels, one commit.
conf()
{
	local side=$1 i peer src dst addr
	[ "$side" = a ] && peer="198.18.128.0 255.255.128.0" || peer="198.18.0.0 255.255.128.0"
	cat <<EOF
configure
ikev2 proposal P encryption aes-cbc-256
ikev2 proposal P integrity sha-256
ikev2 proposal P prf sha-256
ikev2 proposal P dh-group 19
ikev2 policy POL proposal P
keyring K peer PEERS address $peer
keyring K peer PEERS pre-shared-key scale-test-psk
ikev2 profile PR keyring K
ikev2 profile PR authentication local pre-shared
ipsec transform-set TS mode tunnel
ipsec transform-set TS transform esp-gcm-256
ipsec profile IP set ikev2-profile PR
ipsec profile IP set transform-set TS
EOF
	for ((i = 0; i < N; i++)); do
		if [ "$side" = a ]; then
			src=$(outer_a $i) dst=$(outer_b $i) addr=$(inner_a $i)
		else
			src=$(outer_b $i) dst=$(outer_a $i) addr=$(inner_b $i)
		fi
		echo "interface tunnel-ip$((i + 1)) ipv4 address $addr 255.255.255.252"
		echo "interface tunnel-ip$((i + 1)) tunnel mode ipsec ipv4"
		echo "interface tunnel-ip$((i + 1)) tunnel source $src"
		echo "interface tunnel-ip$((i + 1)) tunnel destination $dst"
		echo "interface tunnel-ip$((i + 1)) tunnel protection ipsec profile IP"
	done
	echo commit
	echo end
}

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
{
	for ((i = 0; i < N; i++)); do echo "addr add $(outer_a $i)/32 dev mgmt0"; done
	echo "route add 198.18.128.0/17 via 198.51.100.2 dev mgmt0"
} | ip -n "${NETNS[r1]}" -batch -
{
	for ((i = 0; i < N; i++)); do echo "addr add $(outer_b $i)/32 dev mgmt0"; done
	echo "route add 198.18.0.0/17 via 198.51.100.1 dev mgmt0"
} | ip -n "${NETNS[r2]}" -batch -
conf a >"$NETNS_TMP/r1.in"
conf b >"$NETNS_TMP/r2.in"
: >"$NETNS_TMP/r1.conf"
: >"$NETNS_TMP/r2.conf"
chmod 600 "$NETNS_TMP"/r?.conf
mgmtsecd_start r1 "$NETNS_TMP/r1.conf"
mgmtsecd_start r2 "$NETNS_TMP/r2.conf" --passive
mgmtsec_apply r2 "$NETNS_TMP/r2.in" >/dev/null || fail "r2 rejected $N tunnels"
mgmtsec_apply r1 "$NETNS_TMP/r1.in" >/dev/null || fail "r1 rejected $N tunnels"

# "Total Sa (Active/Negotiation) : T (A/N)" -> A
active() { mgmtsec_cmd "$1" "show ikev2 summary" | sed -n 's/^Total Sa .*: [0-9]* (\([0-9]*\)\/.*/\1/p'; }
devices() { ip -n "${NETNS[$1]}" -o link show | grep -c ' tunnel-ip[0-9]*:' || true; }
all_up() { [ "$(active r1)" = "$N" ] && [ "$(active r2)" = "$N" ]; }
wait_for "$N IKE SAs up on both sides" 120 all_up ||
	fail "not all tunnels came up: r1 $(active r1), r2 $(active r2) of $N active"
[ "$(devices r1)" = "$N" ] || fail "r1 has $(devices r1) tunnel devices, not $N"
for i in 0 $((N - 1)); do
	ns_exec r1 ping -q -c 2 -W 2 "$(inner_b $i)" >/dev/null ||
		fail "no echo through tunnel-ip$((i + 1))"
	ns_exec r1 ip -o link show "tunnel-ip$((i + 1))" | grep -q 'state UNKNOWN\|,UP' ||
		fail "tunnel-ip$((i + 1)) is not up"
done
echo "$N tunnels up, echoes through tunnel-ip1 and tunnel-ip$N"

# One commit removes the first half.
H=$((N / 2))
{
	echo configure
	for ((i = 1; i <= H; i++)); do echo "no interface tunnel-ip$i"; done
	echo commit
	echo end
} >"$NETNS_TMP/r1-half.in"
mgmtsec_apply r1 "$NETNS_TMP/r1-half.in" >/dev/null || fail "r1 rejected removing $H tunnels"
half_left() { [ "$(devices r1)" = "$((N - H))" ] && [ "$(active r1)" = "$((N - H))" ]; }
wait_for "$((N - H)) tunnels left on r1" 60 half_left ||
	fail "after removing $H: $(devices r1) devices, $(active r1) IKE SAs active on r1"
ns_exec r1 ping -q -c 2 -W 2 "$(inner_b $((N - 1)))" >/dev/null ||
	fail "no echo through tunnel-ip$N after the others were removed"
ns_exec r1 ip -o link show tunnel-ip1 >/dev/null 2>&1 && fail "tunnel-ip1 still exists"
echo "removed tunnel-ip1..$H in one commit; $((N - H)) left up"

# Stopping: Deletes sent, every device removed, within the grace period (no SIGKILL).
t0=$(_netns_us)
mgmtsecd_stop r1 20
t1=$(_netns_us)
grep -q "mgmtsecd stopped" "$(mgmtsecd_log r1)" || fail "r1 did not stop cleanly"
[ "$(devices r1)" = 0 ] || fail "r1 left $(devices r1) tunnel devices behind"
echo "r1 stopped with $((N - H)) tunnels in $(((t1 - t0) / 1000)) ms"
echo "scale: all checks passed"

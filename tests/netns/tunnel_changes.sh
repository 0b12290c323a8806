#!/usr/bin/env bash
# A hub (r1) with two tunnels, tunnel-ip1 to r2 and tunnel-ip2 to r3. Changes to tunnel-ip2 —
# shutdown, no shutdown, a new address, a new destination, `no interface` — take effect at
# commit, without a daemon restart, and never disturb tunnel-ip1 (same SPIs, ping keeps
# working). The tunnel interface's link is up exactly while it has a Child SA.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init

netns_create r1 r2 r3
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
netns_link r1 r3 203.0.113.1/24 203.0.113.3/24 side0 side0

common()
{
	cat <<EOF2
ikev2 proposal P encryption aes-gcm-256
ikev2 proposal P prf sha-384
ikev2 proposal P dh-group 19
ikev2 policy pol proposal P
ipsec transform-set ts transform esp-gcm-128
ipsec profile ipp set ikev2-profile prof
ipsec profile ipp set transform-set ts
ikev2 profile prof keyring kr
ikev2 profile prof authentication local pre-shared
EOF2
}
spoke() # N LOCAL IF HUB INNER
{
	common
	cat <<EOF2
ikev2 policy pol match address local $2
keyring kr peer hub address $4 255.255.255.255
keyring kr peer hub pre-shared-key spoke$1-key
ikev2 profile prof match identity remote address $4 255.255.255.255
interface tunnel-ip1 ipv4 address $5 255.255.255.252
interface tunnel-ip1 tunnel mode ipsec ipv4
interface tunnel-ip1 tunnel source $3
interface tunnel-ip1 tunnel destination $4
interface tunnel-ip1 tunnel protection ipsec profile ipp
EOF2
}
{
	common
	cat <<'EOF2'
ikev2 policy pol match address local 198.51.100.1
ikev2 policy pol match address local 203.0.113.1
keyring kr peer r2 address 198.51.100.2 255.255.255.255
keyring kr peer r2 pre-shared-key spoke2-key
keyring kr peer r3 address 203.0.113.3 255.255.255.255
keyring kr peer r3 pre-shared-key spoke3-key
ikev2 profile prof match identity remote address 198.51.100.2 255.255.255.255
ikev2 profile prof match identity remote address 203.0.113.3 255.255.255.255
interface tunnel-ip1 ipv4 address 192.0.2.1 255.255.255.252
interface tunnel-ip1 tunnel mode ipsec ipv4
interface tunnel-ip1 tunnel source mgmt0
interface tunnel-ip1 tunnel destination 198.51.100.2
interface tunnel-ip1 tunnel protection ipsec profile ipp
interface tunnel-ip2 ipv4 address 192.0.2.5 255.255.255.252
interface tunnel-ip2 tunnel mode ipsec ipv4
interface tunnel-ip2 tunnel source side0
interface tunnel-ip2 tunnel destination 203.0.113.3
interface tunnel-ip2 tunnel protection ipsec profile ipp
EOF2
} >"$NETNS_TMP/r1.conf"
spoke 2 198.51.100.2 mgmt0 198.51.100.1 192.0.2.2 >"$NETNS_TMP/r2.conf"
spoke 3 203.0.113.3 side0 203.0.113.1 192.0.2.6 >"$NETNS_TMP/r3.conf"
chmod 600 "$NETNS_TMP"/r?.conf
for r in r1 r2 r3; do mgmtsecd_start $r "$NETNS_TMP/$r.conf"; done

spis() { mgmtsec_cmd r1 "show ipsec sa" | awk -v i="$1" '$1 == i {print $3, $4}'; }
has() { [ -n "$(spis "$1")" ]; }
hasnt() { [ -z "$(spis "$1")" ]; }
link_up() { ip -n "${NETNS[r1]}" link show "$1" | grep -q "<[^>]*,UP"; }
link_down() { ip -n "${NETNS[r1]}" link show "$1" | grep -vq "<[^>]*,UP"; }
commit() { printf 'configure\n%s\ncommit\nend\n' "$1" | ns_exec r1 "$MGMTSEC_BUILD/mgmtsec" -s "$(mgmtsecd_sock r1)"; }

wait_for "tunnel-ip1 up" 30 has tunnel-ip1 || fail "tunnel-ip1 did not come up"
wait_for "tunnel-ip2 up" 30 has tunnel-ip2 || fail "tunnel-ip2 did not come up"
link_up tunnel-ip1 && link_up tunnel-ip2 || fail "links not up with Child SAs installed"
ns_exec r1 ping -c 1 -W 2 192.0.2.2 >/dev/null && ns_exec r1 ping -c 1 -W 2 192.0.2.6 >/dev/null ||
	fail "pings through both tunnels"
sleep 1 # both ends initiated: let the duplicate IKE SA be resolved first
ref=$(spis tunnel-ip1)
echo "tunnel-ip1 SPIs: $ref"
unchanged() {
	[ "$(spis tunnel-ip1)" = "$ref" ] || fail "$1 disturbed tunnel-ip1 ($ref -> $(spis tunnel-ip1))"
	ns_exec r1 ping -c 1 -W 2 192.0.2.2 >/dev/null || fail "$1: tunnel-ip1 stopped passing traffic"
}

echo "--- shutdown"
commit "interface tunnel-ip2 shutdown"
wait_for "tunnel-ip2 SA gone" 10 hasnt tunnel-ip2 || fail "shutdown left the SA"
wait_for "tunnel-ip2 link down" 5 link_down tunnel-ip2 || fail "shutdown left the link up"
r3sa() { mgmtsec_cmd r3 "show ikev2 session" | grep -q "ESP SPI"; }
no_r3sa() { ! r3sa; }
wait_for "r3 told by Delete" 5 no_r3sa || fail "r3 still has its SA"
unchanged shutdown

echo "--- no shutdown"
commit "no interface tunnel-ip2 shutdown"
wait_for "tunnel-ip2 back" 30 has tunnel-ip2 || fail "no shutdown did not bring tunnel-ip2 back"
wait_for "tunnel-ip2 link up" 5 link_up tunnel-ip2 || fail "link not up again"
unchanged "no shutdown"

echo "--- new address"
commit "interface tunnel-ip2 ipv4 address 192.0.2.9 255.255.255.252"
addr_is() { ip -n "${NETNS[r1]}" -4 addr show tunnel-ip2 | grep -q "inet $1/30"; }
wait_for "new address on tunnel-ip2" 5 addr_is 192.0.2.9 || fail "address not changed"
ip -n "${NETNS[r1]}" -4 addr show tunnel-ip2 | grep -q "192.0.2.5" && fail "old address kept"
unchanged "address change"

echo "--- new destination (nobody there)"
old2=$(spis tunnel-ip2)
commit "keyring kr peer r99 address 203.0.113.99 255.255.255.255
keyring kr peer r99 pre-shared-key other-key
interface tunnel-ip2 tunnel destination 203.0.113.99"
gone_old() { [ "$(spis tunnel-ip2)" != "$old2" ]; }
wait_for "old tunnel-ip2 SA replaced" 10 gone_old || fail "destination change kept the old SA"
wait_for "r3 told by Delete" 5 no_r3sa || fail "r3 still has its SA after the destination change"
unchanged "destination change"

echo "--- no interface"
commit "no interface tunnel-ip2"
gone_if() { ! ip -n "${NETNS[r1]}" link show tunnel-ip2 >/dev/null 2>&1; }
wait_for "tunnel-ip2 removed" 5 gone_if || fail "tunnel-ip2 device still exists"
unchanged "no interface"
mgmtsecd_alive r1 || fail "r1 died"
echo "tunnel_changes: all checks passed"

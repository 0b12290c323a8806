#!/usr/bin/env bash
# Rekeying against strongSwan 5.9.8 (issue 6), under a steady ping: first strongSwan rekeys the
# Child and IKE SAs (short rekey_time on its side), then mgmtsec does (mgmtsecd --test-lifetime).
# Each time new SPIs appear on both sides, the two agree, and no packet is lost.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
netns_addr r2 lo 192.0.2.2/32

cat >"$NETNS_TMP/r1.conf" <<'EOF2'
ikev2 proposal P encryption aes-cbc-256
ikev2 proposal P integrity sha-256
ikev2 proposal P prf sha-256
ikev2 proposal P dh-group 19
ikev2 policy pol match address local 198.51.100.1
ikev2 policy pol proposal P
keyring kr peer sw address 198.51.100.2 255.255.255.255
keyring kr peer sw pre-shared-key rekey-interop-9
ikev2 profile prof keyring kr
ikev2 profile prof authentication local pre-shared
ikev2 profile prof match identity remote address 198.51.100.2 255.255.255.255
ipsec transform-set ts transform esp-256-aes esp-hmac-sha-256
ipsec profile ipp set ikev2-profile prof
ipsec profile ipp set transform-set ts
ipsec profile ipp set pfs group19
interface tunnel-ip1 ipv4 address 192.0.2.1 255.255.255.0
interface tunnel-ip1 tunnel mode ipsec ipv4
interface tunnel-ip1 tunnel source mgmt0
interface tunnel-ip1 tunnel destination 198.51.100.2
interface tunnel-ip1 tunnel protection ipsec profile ipp
EOF2
chmod 600 "$NETNS_TMP/r1.conf"

mg_spis() { mgmtsec_cmd r1 "show ipsec sa" | awk '$1 == "tunnel-ip1" {print $3 "/" $4}' | tail -n1; }
mg_up() { [ -n "$(mg_spis)" ]; }

# run NAME SECONDS [mgmtsecd args...] -- [sw_conn args...]
run()
{
	local name=$1 secs=$2
	shift 2
	local margs=() sargs=()
	while [ "$1" != -- ]; do margs+=("$1"); shift; done
	shift
	sargs=("$@")
	echo "=== $name"
	sw_start r2
	sw_conn r2 local=198.51.100.2 remote=198.51.100.1 psk=rekey-interop-9 \
		ike=aes256-sha256-prfsha256-ecp256 esp=aes256-sha256-ecp256 "${sargs[@]}"
	sw_load r2
	mgmtsecd_start r1 "$NETNS_TMP/r1.conf" "${margs[@]}"
	wait_for "$name: tunnel up" 30 mg_up || fail "$name: no tunnel"
	wait_for "$name: strongSwan child" 10 sw_child_installed r2 || fail "$name: no strongSwan child"
	local count=$((secs * 20))
	ns_spawn r1 "$NETNS_TMP/ping-$name.log" ping -q -i 0.05 -c $count -W 1 192.0.2.2
	local pp=$NS_PID
	declare -A seen=()
	while kill -0 $pp 2>/dev/null; do
		local s
		s=$(mg_spis) && [ -n "$s" ] && seen[$s]=1
		sleep 0.5
	done
	wait $pp || true
	cat "$NETNS_TMP/ping-$name.log"
	local rx
	rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$NETNS_TMP/ping-$name.log")
	echo "$name: ${#seen[@]} Child SA generations seen; $count sent, $rx received"
	[ "${#seen[@]}" -ge 3 ] || fail "$name: expected at least 2 rekeys, saw ${#seen[@]} generations"
	[ "$rx" = "$count" ] || fail "$name: packets lost during rekeys ($count sent, $rx received)"
	# mgmtsec's current pair is one of strongSwan's installed Child SAs, crossed (strongSwan
	# may list an older pair first while it lingers)
	local cur sas in out
	cur=$(mg_spis)
	in=${cur%/*} out=${cur#*/}
	sas=$(sw_list_sas r2)
	grep -q "spi-in=${out#0x}" <<<"$sas" && grep -q "spi-out=${in#0x}" <<<"$sas" ||
		fail "$name: mgmtsec's pair $cur is not installed on strongSwan: $sas"
	mgmtsecd_stop r1 || true
	sw_stop r2
}

run sw_rekeys 24 --passive -- start_action=start rekey_time=12s child_rekey=6s child_life=9s life_time=15s
run mg_rekeys 24 --test-lifetime 8 --
echo "rekey_strongswan: all checks passed"

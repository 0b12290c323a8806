#!/usr/bin/env bash
# mgmtsec (router r1) against strongSwan 5.9.8 with its userspace data plane (router r2).
# For each IKE/ESP proposal pair and both directions (mgmtsec initiates; strongSwan initiates,
# mgmtsecd --passive), the IKE and Child SA come up on both sides with the same SPIs and
# algorithms, and ping plus a TCP transfer cross the tunnel. strongSwan's libipsec always
# fakes a NAT, so this exercises NAT detection, IKE on UDP 4500 and ESP in UDP (RFC 3948).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init
SRC=$MGMTSEC_SOURCE

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
netns_addr r2 lo 192.0.2.2/32

# mgmtsec's configuration for one case: $1 ikev2 proposal lines, $2 transform line.
mgmtsec_conf()
{
	cat <<EOF2
configure
interface-name-map MgmtEth0/RP0/CPU0/0 mgmt0
$1
ikev2 policy pol1 match address local 198.51.100.1
ikev2 policy pol1 proposal prop1
keyring kr1 peer sw address 198.51.100.2 255.255.255.255
keyring kr1 peer sw pre-shared-key interop-secret-42
ikev2 profile prof1 keyring kr1
ikev2 profile prof1 authentication local pre-shared
ikev2 profile prof1 match identity remote address 198.51.100.2 255.255.255.255
ipsec transform-set ts1 mode tunnel
ipsec transform-set ts1 $2
ipsec profile ipp1 set ikev2-profile prof1
ipsec profile ipp1 set transform-set ts1
interface tunnel-ip1 ipv4 address 192.0.2.1 255.255.255.0
interface tunnel-ip1 tunnel mode ipsec ipv4
interface tunnel-ip1 tunnel source MgmtEth0/RP0/CPU0/0
interface tunnel-ip1 tunnel destination 198.51.100.2
interface tunnel-ip1 tunnel protection ipsec profile ipp1
commit
end
EOF2
}

mg_up() { mgmtsec_cmd r1 "show ikev2 session" | grep -q "ESP SPI IN/OUT"; }

run_case()
{
	local name=$1 sw_ike=$2 sw_esp=$3 props=$4 transform=$5 who=$6 want_ike=$7 want_esp=$8
	echo "=== $name: IKE $sw_ike, ESP $sw_esp, $who initiates"
	local conf=$NETNS_TMP/r1-$name.conf
	if [ "$who" = strongswan ]; then
		mgmtsecd_start r1 "$conf" --passive
	else
		mgmtsecd_start r1 "$conf" ${MGMTSEC_DEBUG:+-d}
	fi
	sw_start r2
	sw_conn r2 local=198.51.100.2 remote=198.51.100.1 psk=interop-secret-42 \
		ike="$sw_ike" esp="$sw_esp"
	sw_load r2
	mgmtsec_conf "$props" "$transform" >"$NETNS_TMP/in-$name.txt"
	mgmtsec_apply r1 "$NETNS_TMP/in-$name.txt" || fail "$name: mgmtsec configuration refused"
	[ "$who" = strongswan ] && sw_initiate r2
	wait_for "$name: Child SA on mgmtsec" 30 mg_up || fail "$name: no Child SA on mgmtsec"
	wait_for "$name: Child SA on strongSwan" 10 sw_child_installed r2 ||
		fail "$name: no Child SA on strongSwan"
	local d spis sw in out
	d=$(mgmtsec_cmd r1 "show ikev2 session detail")
	echo "$d"
	spis=$(sed -n 's/^ESP SPI IN\/OUT *: //p' <<<"$d" | head -n1)
	in=${spis%% / *} out=${spis##* / }
	read -r swin swout <<<"$(sw_esp_spis r2)"
	[ "${in#0x}" = "$swout" ] && [ "${out#0x}" = "$swin" ] ||
		fail "$name: SPIs not crossed: mgmtsec in/out $spis, strongSwan in/out $swin $swout"
	grep -q "Encryption/Keysize *: $want_ike" <<<"$d" || fail "$name: IKE algorithms not $want_ike"
	grep -q "Role *: $([ "$who" = strongswan ] && echo Responder || echo Initiator)" <<<"$d" ||
		fail "$name: wrong role"
	grep -q "Encryption *: $want_esp" <<<"$d" || fail "$name: ESP algorithm not $want_esp"
	# IKE_SA_INIT sent or answered with a key pair made ahead (the responder's answer before
	# its own ECDH): strongSwan took it
	local ahead
	ahead=$(mgmtsec_cmd r1 "show ikev2 statistics" | awk -F: '/with a key pair made ahead/ {print $2+0}')
	[ "${ahead:-0}" -ge 1 ] || fail "$name: no key exchange with a key pair made ahead"
	capture_start "$name" r1 mgmt0
	ns_exec r1 ping -c 4 -i 0.2 -W 2 192.0.2.2 || fail "$name: ping mgmtsec -> strongSwan failed"
	ns_exec r2 ping -c 2 -i 0.2 -W 2 -I 192.0.2.2 192.0.2.1 || fail "$name: ping back failed"
	head -c 300000 /dev/urandom >"$NETNS_TMP/blob-$name"
	ns_spawn r2 "$NETNS_TMP/nc-$name.log" sh -c "nc -l -N 192.0.2.2 5001 > $NETNS_TMP/rx-$name"
	sleep 0.3
	ns_exec r1 sh -c "nc -N -w 10 192.0.2.2 5001 < $NETNS_TMP/blob-$name" ||
		fail "$name: TCP transfer failed"
	wait_for "$name: TCP data complete" 10 cmp -s "$NETNS_TMP/blob-$name" "$NETNS_TMP/rx-$name" ||
		fail "$name: TCP data differs"
	# the transfer's TSO reads leave as UDP GSO batches, which strongSwan's socket (no UDP_GRO)
	# gets cut up by the kernel: the data compared above proves they arrive whole
	local gso
	gso=$(mgmtsec_cmd r1 "show ipsec statistics" | awk '/with UDP GSO/ {print $NF}')
	[ "${gso:-0}" -gt 0 ] || fail "$name: no ESP-in-UDP batch went out with UDP GSO"
	capture_stop "$name" >/dev/null
	capture_summary "$name"
	[ "$CAP_ESP_UDP" -gt 10 ] || fail "$name: expected ESP in UDP 4500 on the wire"
	[ "$CAP_CLEAR" -eq 0 ] || fail "$name: clear-text packets on the outer link"
	sw_stop r2
	mgmtsecd_stop r1 || true
}

run_case cbc_mg aes256-sha256-prfsha256-ecp256 aes256-sha256 \
	"ikev2 proposal prop1 encryption aes-cbc-256
ikev2 proposal prop1 integrity sha-256
ikev2 proposal prop1 prf sha-256
ikev2 proposal prop1 dh-group 19" "transform esp-256-aes esp-hmac-sha-256" mgmtsec AES-CBC/256 AES-CBC
run_case gcm_sw aes256gcm16-prfsha384-ecp384 aes256gcm16 \
	"ikev2 proposal prop1 encryption aes-gcm-256
ikev2 proposal prop1 prf sha-384
ikev2 proposal prop1 dh-group 20" "transform esp-gcm-256" strongswan AES-GCM/256 AES-GCM
run_case cbc_sw aes256-sha256-prfsha256-ecp256 aes256-sha256 \
	"ikev2 proposal prop1 encryption aes-cbc-256
ikev2 proposal prop1 integrity sha-256
ikev2 proposal prop1 prf sha-256
ikev2 proposal prop1 dh-group 19" "transform esp-256-aes esp-hmac-sha-256" strongswan AES-CBC/256 AES-CBC
run_case gcm_mg aes256gcm16-prfsha384-ecp384 aes256gcm16 \
	"ikev2 proposal prop1 encryption aes-gcm-256
ikev2 proposal prop1 prf sha-384
ikev2 proposal prop1 dh-group 20" "transform esp-gcm-256" mgmtsec AES-GCM/256 AES-GCM
echo "mgmtsec_strongswan: all cases passed"

#!/usr/bin/env bash
# Two mgmtsecd routers over a veth, started at the same moment from saved configurations, so
# that both initiate: for each case exactly one IKE SA survives on both sides, the negotiated
# algorithms are the expected ones, and ping crosses the tunnel. The cases cover every IKE
# encryption, integrity, PRF and DH group at least once, several proposals with preference
# order, and every ESP transform (AES-CBC-128/192/256 x HMAC-SHA1/256/384/512, AES-GCM-128/256).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0

# conf N PEER PROPOSAL-LINES TRANSFORM [PFS]: a router's saved configuration (one-line form).
conf()
{
	local n=$1 peer=$2 props=$3 tf=$4
	cat <<EOF2
interface-name-map MgmtEth0/RP0/CPU0/0 mgmt0
$(sed "s/^/ikev2 proposal /" <<<"$props")
ikev2 policy pol match address local 198.51.100.$n
$(sed -n 's/^\([^ ]*\) .*/ikev2 policy pol proposal \1/p' <<<"$props" | uniq)
keyring kr peer p address 198.51.100.$peer 255.255.255.255
keyring kr peer p pre-shared-key matrix-psk-7
ikev2 profile prof keyring kr
ikev2 profile prof authentication local pre-shared
ikev2 profile prof match identity remote address 198.51.100.$peer 255.255.255.255
ipsec transform-set ts mode tunnel
ipsec transform-set ts transform $tf
ipsec profile ipp set ikev2-profile prof
ipsec profile ipp set transform-set ts
interface tunnel-ip1 ipv4 address 192.0.2.$n 255.255.255.0
interface tunnel-ip1 tunnel mode ipsec ipv4
interface tunnel-ip1 tunnel source MgmtEth0/RP0/CPU0/0
interface tunnel-ip1 tunnel destination 198.51.100.$peer
interface tunnel-ip1 tunnel protection ipsec profile ipp
EOF2
}

up() { mgmtsec_cmd "$1" "show ikev2 session" | grep -q "ESP SPI IN/OUT"; }
field() { sed -n "s/^$2 *: //p" <<<"$1" | head -n1; }

# run NAME "PROPS for r1" "PROPS for r2" TRANSFORM WANT_IKE WANT_PRF_HASH_DH WANT_ESP_ENC WANT_HMAC
run()
{
	local name=$1 p1=$2 p2=$3 tf=$4 want_ike=$5 want_phd=$6 want_esp=$7 want_hmac=$8
	conf 1 2 "$p1" "$tf" >"$NETNS_TMP/r1.conf"
	conf 2 1 "$p2" "$tf" >"$NETNS_TMP/r2.conf"
	chmod 600 "$NETNS_TMP"/r?.conf
	mgmtsecd_start r1 "$NETNS_TMP/r1.conf" &
	local starter=$!
	mgmtsecd_start r2 "$NETNS_TMP/r2.conf" ${R2_ARGS:-}
	wait $starter || fail "$name: r1 did not start"
	# mgmtsecd_start in a subshell cannot record the PID: find it by its socket argument.
	_MGMTSECD_PID[r1]=$(pgrep -f -- "-s $(mgmtsecd_sock r1)" | head -n1)
	netns_register_pid "${_MGMTSECD_PID[r1]}"
	wait_for "$name: tunnel up" 30 up r1 || fail "$name: no tunnel"
	wait_for "$name: tunnel up on r2" 10 up r2 || fail "$name: no tunnel on r2"
	sleep 1 # let a simultaneous initiation settle
	local d1 d2
	d1=$(mgmtsec_cmd r1 "show ikev2 session detail")
	d2=$(mgmtsec_cmd r2 "show ikev2 session detail")
	for r in r1 r2; do
		mgmtsec_cmd $r "show ikev2 summary" | grep -q "Total Sa (Active/Negotiation) *: 1 (1/0)" ||
			fail "$name: $r does not have exactly one active IKE SA: $(mgmtsec_cmd $r 'show ikev2 summary')"
	done
	[ "$(field "$d1" "Local SPI")" = "$(field "$d2" "Remote SPI")" ] ||
		fail "$name: the surviving IKE SAs differ"
	local s1 s2
	s1=$(field "$d1" "ESP SPI IN\/OUT") s2=$(field "$d2" "ESP SPI IN\/OUT")
	[ "${s1%% / *}" = "${s2##* / }" ] || fail "$name: ESP SPIs not crossed ($s1 / $s2)"
	[ "$(field "$d1" "Encryption\/Keysize")" = "$want_ike" ] ||
		fail "$name: IKE encryption $(field "$d1" "Encryption\/Keysize"), want $want_ike"
	[ "$(field "$d1" "PRF\/Hash\/DH Group")" = "$want_phd" ] ||
		fail "$name: PRF/Hash/DH $(field "$d1" "PRF\/Hash\/DH Group"), want $want_phd"
	local sa
	sa=$(mgmtsec_cmd r1 "show ipsec sa interface tunnel-ip1")
	grep -q "Encrypt Algorithm *: $want_esp" <<<"$sa" || fail "$name: ESP cipher not $want_esp"
	grep -q "Auth Algorithm *: $want_hmac" <<<"$sa" || fail "$name: ESP auth not $want_hmac"
	ns_exec r1 ping -c 2 -i 0.2 -W 2 192.0.2.2 >/dev/null || fail "$name: ping failed"
	echo "matrix: $name ok ($want_ike, $want_phd, $want_esp/$want_hmac)"
	mgmtsecd_stop r1 || true
	mgmtsecd_stop r2 || true
}

one() { printf 'P encryption %s\nP integrity %s\nP prf %s\nP dh-group %s\n' "$@"; }
gcm() { printf 'P encryption %s\nP prf %s\nP dh-group %s\n' "$@"; }

# IKE: every encryption, integrity, PRF and group at least once
run cbc128 "$(one aes-cbc-128 sha-1 sha-1 19)" "$(one aes-cbc-128 sha-1 sha-1 19)" \
	"esp-aes esp-hmac-sha1" AES-CBC/128 SHA1/SHA1/19 ESP_128_AES HMAC_SHA1
run cbc192 "$(one aes-cbc-192 sha-256 sha-384 20)" "$(one aes-cbc-192 sha-256 sha-384 20)" \
	"esp-192-aes esp-hmac-sha-256" AES-CBC/192 SHA384/SHA256/20 ESP_192_AES HMAC_SHA_256
run cbc256 "$(one aes-cbc-256 sha-384 sha-512 21)" "$(one aes-cbc-256 sha-384 sha-512 21)" \
	"esp-256-aes esp-hmac-sha-384" AES-CBC/256 SHA512/SHA384/21 ESP_256_AES HMAC_SHA_384
run sha512 "$(one aes-cbc-256 sha-512 sha-256 19)" "$(one aes-cbc-256 sha-512 sha-256 19)" \
	"esp-256-aes esp-hmac-sha-512" AES-CBC/256 SHA256/SHA512/19 ESP_256_AES HMAC_SHA_512
run gcm128 "$(gcm aes-gcm-128 sha-256 19)" "$(gcm aes-gcm-128 sha-256 19)" \
	"esp-gcm-128" AES-GCM/128 SHA256/None/19 ESP_GCM_128 None
run gcm256 "$(gcm aes-gcm-256 sha-384 20)" "$(gcm aes-gcm-256 sha-384 20)" \
	"esp-gcm-256" AES-GCM/256 SHA384/None/20 ESP_GCM_256 None
# Preference order: r1 prefers GCM-256 then CBC-128; r2 offers CBC-128 then GCM-256 and also
# accepts both. The responder picks the initiator's first acceptable proposal; with both
# sides initiating, either order may win, so both lists agree on the first choice here.
run pref "$(one aes-cbc-128 sha-256 sha-256 20; printf 'Q encryption aes-gcm-256\nQ prf sha-384\nQ dh-group 21\n')" \
	"$(one aes-cbc-128 sha-256 sha-256 20; printf 'Q encryption aes-gcm-256\nQ prf sha-384\nQ dh-group 21\n')" \
	"esp-aes esp-hmac-sha-512" AES-CBC/128 SHA256/SHA256/20 ESP_128_AES HMAC_SHA_512
# A proposal with several algorithms of each kind: the responder (r2, passive here so that r1
# is the initiator) picks the first of each in r1's order of preference.
R2_ARGS=--passive run lists "P encryption aes-cbc-256 aes-cbc-128
P integrity sha-512 sha-1
P prf sha-384 sha-1
P dh-group 21 19" "P encryption aes-cbc-128 aes-cbc-256
P integrity sha-1 sha-512
P prf sha-1 sha-384
P dh-group 19 21" "esp-192-aes esp-hmac-sha1" AES-CBC/256 SHA384/SHA512/21 ESP_192_AES HMAC_SHA1
# The remaining ESP transform combinations (with the ones above and tunnel_e2e.sh's
# esp-256-aes/esp-hmac-sha-256, all 14 pass traffic between two routers).
ike=$(one aes-cbc-128 sha-256 sha-256 19)
run esp_128_256 "$ike" "$ike" "esp-aes esp-hmac-sha-256" AES-CBC/128 SHA256/SHA256/19 ESP_128_AES HMAC_SHA_256
run esp_128_384 "$ike" "$ike" "esp-aes esp-hmac-sha-384" AES-CBC/128 SHA256/SHA256/19 ESP_128_AES HMAC_SHA_384
run esp_192_384 "$ike" "$ike" "esp-192-aes esp-hmac-sha-384" AES-CBC/128 SHA256/SHA256/19 ESP_192_AES HMAC_SHA_384
run esp_192_512 "$ike" "$ike" "esp-192-aes esp-hmac-sha-512" AES-CBC/128 SHA256/SHA256/19 ESP_192_AES HMAC_SHA_512
run esp_256_sha1 "$ike" "$ike" "esp-256-aes esp-hmac-sha1" AES-CBC/128 SHA256/SHA256/19 ESP_256_AES HMAC_SHA1
echo "ike_matrix: all cases passed"

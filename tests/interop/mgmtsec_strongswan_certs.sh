#!/usr/bin/env bash
# mgmtsec (router r1) against strongSwan 5.9.8 (router r2) with X.509 certificates and RSA
# signatures, both directions (mgmtsecd --passive when strongSwan initiates):
#   pkcs1  RFC 7427 method 14, RSA PKCS#1 v1.5 with SHA-256; strongSwan is told to use and to
#          require exactly that scheme (ike:rsa-sha256), so a fallback would fail the case
#   pss    RFC 7427 RSASSA-PSS with SHA-256 both ways (mgmtsec `rsa-signature pss`,
#          strongSwan ike:rsa/pss-sha256 required)
#   frag   3072-bit keys and a root -> intermediate -> router chain: both sides send IKE_AUTH as
#          RFC 7383 fragments (strongSwan's fragmentation is on by default, 1280 bytes)
# In each case: IKE and Child SA up on both sides, Authentication(Sign/Verify) RSA/RSA, the
# signature scheme strongSwan logged for mgmtsec's AUTH, and ping both ways.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
netns_addr r2 lo 192.0.2.2/32
PKI=$NETNS_TMP/pki

# ---- PKI (strongSwan's pki tool, lib.sh) ---------------------------------------------------
t0=$(_netns_us)
sw_pki_ca "$PKI" rsa
sw_pki_host "$PKI" r1 198.51.100.1 rsa
sw_pki_host "$PKI" r2 198.51.100.2 rsa
# 3072-bit chain for fragmentation
L=$PKI/long
mkdir -p "$L"
gen3072() { pki --gen --type rsa --size 3072 --outform pem; }
gen3072 >"$L/root.key"
pki --self --ca --lifetime 30 --in "$L/root.key" --type rsa \
	--dn "C=XX, O=mgmtsec test, CN=mgmtsec test root 3072" --outform pem >"$L/root.pem"
gen3072 >"$L/int.key"
pki --pub --in "$L/int.key" --type rsa |
	pki --issue --ca --lifetime 30 --cacert "$L/root.pem" --cakey "$L/root.key" --type pub \
		--dn "C=XX, O=mgmtsec test, CN=mgmtsec test intermediate 3072" --outform pem >"$L/int.pem"
for h in r1:198.51.100.1 r2:198.51.100.2; do
	n=${h%%:*} ip=${h#*:}
	gen3072 >"$L/$n.key"
	pki --pub --in "$L/$n.key" --type rsa |
		pki --issue --lifetime 30 --cacert "$L/int.pem" --cakey "$L/int.key" --type pub \
			--dn "C=XX, O=mgmtsec test, CN=$ip" --san "$ip" --outform pem >"$L/$n.pem"
done
cat "$L/r1.pem" "$L/int.pem" >"$L/r1-chain.pem" # mgmtsec sends its leaf, then the chain
chmod 600 "$PKI"/*.key "$L"/*.key
echo "PKI generated in $(_netns_secs $(($(_netns_us) - t0))) s"

# mgmtsec's configuration: $1 CA file, $2 certificate file, $3 key file, $4 "pss" or ""
mgmtsec_conf()
{
	cat <<EOF
configure
interface-name-map MgmtEth0/RP0/CPU0/0 mgmt0
ikev2 proposal prop1 encryption aes-cbc-256
ikev2 proposal prop1 integrity sha-256
ikev2 proposal prop1 dh-group 19
ikev2 policy pol1 match address local 198.51.100.1
ikev2 policy pol1 proposal prop1
crypto ca trustpoint TP ca-certificate $1
crypto ca trustpoint TP certificate $2
crypto ca trustpoint TP private-key $3
ikev2 profile prof1 authentication local rsa-signature $4
ikev2 profile prof1 authentication remote rsa-signature
ikev2 profile prof1 pki trustpoint TP
ikev2 profile prof1 match identity remote address 198.51.100.2 255.255.255.255
ipsec transform-set ts1 transform esp-256-aes esp-hmac-sha-256
ipsec profile ipp1 set ikev2-profile prof1
ipsec profile ipp1 set transform-set ts1
interface tunnel-ip1 ipv4 address 192.0.2.1 255.255.255.0
interface tunnel-ip1 tunnel mode ipsec ipv4
interface tunnel-ip1 tunnel source MgmtEth0/RP0/CPU0/0
interface tunnel-ip1 tunnel destination 198.51.100.2
interface tunnel-ip1 tunnel protection ipsec profile ipp1
commit
end
EOF
}

# strongSwan's local and remote auth lines (sw_conn writes "auth = pubkey" for both).
sw_auth()
{
	local f
	f=$(sw_dir r2)/swanctl/swanctl.conf
	sed -i "0,/auth = pubkey/s||auth = $1|" "$f"
	sed -i "s|auth = pubkey|auth = $2|" "$f"
}

mg_up() { mgmtsec_cmd r1 "show ikev2 session" | grep -q "ESP SPI IN/OUT"; }

# run_case NAME WHO SW_LOCAL_AUTH SW_REMOTE_AUTH CA CERT KEY PSS SW_CA SW_CERT SW_KEY SCHEME
run_case()
{
	local name=$1 who=$2 la=$3 ra=$4 ca=$5 cert=$6 key=$7 pss=$8 swca=$9 swcert=${10}
	local swkey=${11} scheme=${12}
	echo "=== $name: $who initiates, strongSwan local auth $la, remote auth $ra"
	local conf=$NETNS_TMP/r1-$name.conf
	if [ "$who" = strongswan ]; then
		mgmtsecd_start r1 "$conf" --passive
	else
		mgmtsecd_start r1 "$conf"
	fi
	rm -f "$(sw_log r2)" # charon appends: each case reads only its own log
	sw_start r2
	sw_conn r2 local=198.51.100.2 remote=198.51.100.1 auth=pubkey cert="$swcert" key="$swkey" \
		cacert="$swca"
	sw_auth "$la" "$ra"
	[ "$swca" = "$L/root.pem" ] && cp "$L/int.pem" "$(sw_dir r2)/swanctl/x509ca/int.pem"
	sw_load r2
	capture_start "$name" r1 mgmt0 udp port 500 or udp port 4500
	mgmtsec_conf "$ca" "$cert" "$key" "$pss" >"$NETNS_TMP/in-$name"
	local t0
	t0=$(_netns_us)
	mgmtsec_apply r1 "$NETNS_TMP/in-$name" || fail "$name: mgmtsec configuration refused"
	if [ "$who" = strongswan ]; then
		sw_initiate r2 || fail "$name: strongSwan's initiate failed"
	fi
	wait_for "$name: Child SA on mgmtsec" 30 mg_up || fail "$name: no Child SA on mgmtsec"
	wait_for "$name: Child SA on strongSwan" 10 sw_child_installed r2 ||
		fail "$name: no Child SA on strongSwan"
	echo "SETUP $name: $(_netns_secs $(($(_netns_us) - t0))) s from mgmtsec's commit to both Child SAs"
	local d
	d=$(mgmtsec_cmd r1 "show ikev2 session detail")
	echo "$d"
	grep -q "Authentication(Sign/Verify) *: RSA/RSA" <<<"$d" || fail "$name: not RSA/RSA"
	grep -q "Role *: $([ "$who" = strongswan ] && echo Responder || echo Initiator)" <<<"$d" ||
		fail "$name: wrong role"
	# strongSwan says which scheme mgmtsec's AUTH used and that it verified
	local sw_log
	sw_log=$(sw_log r2)
	grep -E "authentication of '198.51.100.1' with .* successful" "$sw_log" ||
		fail "$name: strongSwan did not log a successful authentication of mgmtsec"
	grep -qE "authentication of '198.51.100.1' with $scheme successful" "$sw_log" ||
		fail "$name: mgmtsec's AUTH was not $scheme"
	grep -E "authentication of '198.51.100.2' \(myself\) with" "$sw_log" | head -n1
	ns_exec r1 ping -c 3 -i 0.2 -W 2 192.0.2.2 >/dev/null || fail "$name: ping mgmtsec -> strongSwan"
	ns_exec r2 ping -c 2 -i 0.2 -W 2 -I 192.0.2.2 192.0.2.1 >/dev/null || fail "$name: ping back"
	capture_stop "$name" >/dev/null
	local rows
	rows=$(tshark -r "$NETNS_TMP/$name.pcap" -Y isakmp -T fields -E separator=' ' -e ip.src \
		-e ip.len -e isakmp.exchangetype -e isakmp.nextpayload 2>/dev/null)
	FRAG_MG=$(awk '{ split($4, np, ",") } $1 == "198.51.100.1" && $3 == 35 && np[1] == 53' \
		<<<"$rows" | wc -l)
	FRAG_SW=$(awk '{ split($4, np, ",") } $1 == "198.51.100.2" && $3 == 35 && np[1] == 53' \
		<<<"$rows" | wc -l)
	MAX_MG=$(awk '$1 == "198.51.100.1" { if ($2 > m) m = $2 } END { print m + 0 }' <<<"$rows")
	MAX_SW=$(awk '$1 == "198.51.100.2" { if ($2 > m) m = $2 } END { print m + 0 }' <<<"$rows")
	echo "$name: IKE_AUTH fragments mgmtsec=$FRAG_MG strongSwan=$FRAG_SW;" \
		"largest IKE datagram mgmtsec=$MAX_MG strongSwan=$MAX_SW bytes"
	[ "$MAX_MG" -le 1280 ] || fail "$name: mgmtsec sent an IKE datagram of $MAX_MG bytes"
	sw_stop r2
	mgmtsecd_stop r1 || fail "$name: mgmtsecd exited with status $?"
}

ca=$PKI/ca.pem
run_case pkcs1_mg mgmtsec ike:rsa-sha256 ike:rsa-sha256 "$ca" "$PKI/r1.pem" "$PKI/r1.key" "" \
	"$ca" "$PKI/r2.pem" "$PKI/r2.key" RSA_EMSA_PKCS1_SHA2_256
run_case pkcs1_sw strongswan ike:rsa-sha256 ike:rsa-sha256 "$ca" "$PKI/r1.pem" "$PKI/r1.key" "" \
	"$ca" "$PKI/r2.pem" "$PKI/r2.key" RSA_EMSA_PKCS1_SHA2_256
run_case pss_mg mgmtsec ike:rsa/pss-sha256 ike:rsa/pss-sha256 "$ca" "$PKI/r1.pem" \
	"$PKI/r1.key" pss "$ca" "$PKI/r2.pem" "$PKI/r2.key" RSA_EMSA_PSS_SHA2_256_SALT_32
run_case pss_sw strongswan ike:rsa/pss-sha256 ike:rsa/pss-sha256 "$ca" "$PKI/r1.pem" \
	"$PKI/r1.key" pss "$ca" "$PKI/r2.pem" "$PKI/r2.key" RSA_EMSA_PSS_SHA2_256_SALT_32
for who in mgmtsec strongswan; do
	run_case "frag_$who" "$who" pubkey pubkey "$L/root.pem" "$L/r1-chain.pem" "$L/r1.key" "" \
		"$L/root.pem" "$L/r2.pem" "$L/r2.key" "RSA_EMSA_PKCS1_SHA2_(256|384|512)"
	[ "$FRAG_MG" -ge 2 ] || fail "frag_$who: mgmtsec sent no IKE_AUTH fragments"
	[ "$FRAG_SW" -ge 2 ] || fail "frag_$who: strongSwan sent no IKE_AUTH fragments"
done
echo "mgmtsec_strongswan_certs: all cases passed"

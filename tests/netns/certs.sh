#!/usr/bin/env bash
# Certificate authentication (X.509v3, RSA signatures) and IKE fragmentation between two
# mgmtsecd routers. The test makes its own PKI with the openssl CLI: a root CA, router
# certificates (2048-bit r1, 3072-bit r2; subjectAltName IP = the router's outer address), keys
# mode 0600. Cases:
#   rsa       RSA both ways: show says RSA/RSA, ping crosses the tunnel
#   mixed     r1 signs with its PSK and verifies RSA; r2 the reverse (PSK/RSA vs RSA/PSK)
#   expired, otherca, revoked (CRL), idmismatch (certificate names another address),
#   dnmismatch (match identity remote dn)  — each refused on both sides with a clear reason
#   dnmatch, fqdn  DN and FQDN identities accepted through `match identity remote dn|fqdn`
#   frag      root -> intermediate -> router chain with 3072-bit keys: IKE_AUTH is sent as
#             RFC 7383 fragments (no IKE datagram over the default 1280 bytes) and comes up
#   commit    an unsafe key file or a missing CA file is refused at commit, naming the file;
#             at start-up the same configuration is logged and the tunnel left down
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init
command -v openssl >/dev/null || {
	echo "SKIP: openssl CLI not installed" >&2
	exit 77
}

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
PKI=$NETNS_TMP/pki
mkdir -p "$PKI"

# ---- PKI (openssl CLI) ---------------------------------------------------------------------

# ca_conf DIR: an `openssl ca` configuration (index, serials, CRL) for the CA in DIR.
ca_conf()
{
	cat >"$1/ca.cnf" <<EOF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $1
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
default_days = 30
default_crl_days = 30
policy = policy_any
unique_subject = no
[ policy_any ]
organizationName = optional
commonName = supplied
[ v3_host ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = \${ENV::SAN}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_ica ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
	mkdir -p "$1/new"
	: >"$1/index.txt"
	echo 1000 >"$1/serial"
	echo 1000 >"$1/crlnumber"
}

# mk_root DIR CN BITS: a self-signed root CA.
mk_root()
{
	mkdir -p "$1"
	openssl req -x509 -newkey "rsa:$3" -nodes -keyout "$1/ca.key" -out "$1/ca.pem" -days 30 \
		-subj "/O=mgmtsec test/CN=$2" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	ca_conf "$1"
}

# mk_sub ISSUER DIR CN BITS: an intermediate CA signed by ISSUER.
mk_sub()
{
	mkdir -p "$2"
	openssl req -new -newkey "rsa:$4" -nodes -keyout "$2/ca.key" -out "$2/ca.csr" \
		-subj "/O=mgmtsec test/CN=$3" 2>/dev/null
	SAN=IP:0.0.0.0 openssl ca -batch -config "$1/ca.cnf" -extensions v3_ica -notext \
		-in "$2/ca.csr" -out "$2/ca.pem" 2>/dev/null
	ca_conf "$2"
}

# mk_host CADIR NAME CN IP|SAN BITS [openssl-ca options...]: NAME.pem / NAME.key in $PKI.
# An address becomes subjectAltName IP:address; a value with ':' is the SAN as written.
mk_host()
{
	local ca=$1 name=$2 cn=$3 ip=$4 bits=$5
	shift 5
	openssl req -new -newkey "rsa:$bits" -nodes -keyout "$PKI/$name.key" -out "$PKI/$name.csr" \
		-subj "/O=mgmtsec test/CN=$cn" 2>/dev/null
	local san=IP:$ip
	[[ $ip == *:* ]] && san=$ip
	SAN=$san openssl ca -batch -config "$ca/ca.cnf" -extensions v3_host -notext \
		-in "$PKI/$name.csr" -out "$PKI/$name.pem" "$@" 2>/dev/null
	chmod 600 "$PKI/$name.key"
}

t0=$(_netns_us)
mk_root "$PKI/ca1" "mgmtsec test CA" 2048
mk_root "$PKI/ca2" "some other CA" 2048
mk_host "$PKI/ca1" r1 r1.example.net 198.51.100.1 2048
mk_host "$PKI/ca1" r2 r2.example.net 198.51.100.2 3072
mk_host "$PKI/ca1" r2-expired r2.example.net 198.51.100.2 2048 \
	-startdate 20200101000000Z -enddate 20200201000000Z
mk_host "$PKI/ca2" r2-otherca r2.example.net 198.51.100.2 2048
mk_host "$PKI/ca1" r2-revoked r2.example.net 198.51.100.2 2048
SAN=IP:0.0.0.0 openssl ca -config "$PKI/ca1/ca.cnf" -revoke "$PKI/r2-revoked.pem" 2>/dev/null
SAN=IP:0.0.0.0 openssl ca -config "$PKI/ca1/ca.cnf" -gencrl -out "$PKI/ca1.crl" 2>/dev/null
mk_host "$PKI/ca1" r2-wrongip r2.example.net 198.51.100.99 2048
mk_host "$PKI/ca1" r2-dns r2.example.net IP:198.51.100.2,DNS:r2.example.net 2048
# a longer chain for fragmentation: root -> intermediate -> routers, 3072-bit keys throughout
mk_root "$PKI/root3" "mgmtsec test root CA 3072" 3072
mk_sub "$PKI/root3" "$PKI/int3" "mgmtsec test intermediate CA 3072" 3072
mk_host "$PKI/int3" r1-long r1.example.net 198.51.100.1 3072
mk_host "$PKI/int3" r2-long r2.example.net 198.51.100.2 3072
for n in r1-long r2-long; do cat "$PKI/int3/ca.pem" >>"$PKI/$n.pem"; done # leaf, then chain
echo "PKI generated in $(_netns_secs $(($(_netns_us) - t0))) s"
openssl verify -CAfile "$PKI/ca1/ca.pem" "$PKI/r1.pem" "$PKI/r2.pem" >/dev/null ||
	fail "test PKI broken: router certificates do not verify"
openssl x509 -in "$PKI/r2.pem" -noout -text | grep -q "Public-Key: (3072 bit)" ||
	fail "r2's key is not 3072-bit"

# ---- configuration -------------------------------------------------------------------------

# conf N PEER LOCAL_AUTH REMOTE_AUTH CA CERT KEY [extra lines...] on stdout
conf()
{
	local n=$1 peer=$2 la=$3 ra=$4 ca=$5 cert=$6 key=$7
	shift 7
	cat <<EOF
configure
ikev2 proposal prop1 encryption aes-cbc-256
ikev2 proposal prop1 integrity sha-256
ikev2 proposal prop1 dh-group 19
ikev2 policy pol1 proposal prop1
keyring kr1 peer p address $peer 255.255.255.255
keyring kr1 peer p pre-shared-key mixed-psk-42
crypto ca trustpoint TP ca-certificate $ca
crypto ca trustpoint TP certificate $cert
crypto ca trustpoint TP private-key $key
ikev2 profile prof1 authentication local $la
ikev2 profile prof1 authentication remote $ra
ikev2 profile prof1 keyring kr1
ikev2 profile prof1 pki trustpoint TP
ipsec transform-set ts1 transform esp-256-aes esp-hmac-sha-256
ipsec profile ipp1 set ikev2-profile prof1
ipsec profile ipp1 set transform-set ts1
interface tunnel-ip1 ipv4 address 192.0.2.$n 255.255.255.0
interface tunnel-ip1 tunnel mode ipsec ipv4
interface tunnel-ip1 tunnel source 198.51.100.$n
interface tunnel-ip1 tunnel destination $peer
interface tunnel-ip1 tunnel protection ipsec profile ipp1
EOF
	local l
	for l in "$@"; do echo "$l"; done
	echo commit
	echo end
}

# start_pair CASE R1-CONF-ARGS... -- R2-CONF-ARGS...: fresh daemons with these configurations.
start_pair()
{
	local name=$1
	shift
	local a1=() a2=() s=1
	for x in "$@"; do
		if [ "$x" = -- ]; then s=2; elif [ $s = 1 ]; then a1+=("$x"); else a2+=("$x"); fi
	done
	conf 1 198.51.100.2 "${a1[@]}" >"$NETNS_TMP/in1-$name"
	conf 2 198.51.100.1 "${a2[@]}" >"$NETNS_TMP/in2-$name"
	mgmtsecd_start r1 "$NETNS_TMP/r1-$name.conf"
	mgmtsecd_start r2 "$NETNS_TMP/r2-$name.conf"
	mgmtsec_apply r1 "$NETNS_TMP/in1-$name" || fail "$name: r1 configuration refused"
	mgmtsec_apply r2 "$NETNS_TMP/in2-$name" || fail "$name: r2 configuration refused"
}

# Both daemons must exit cleanly (a sanitizer build reports leaks through the exit status).
stop_pair()
{
	mgmtsecd_stop r1 || fail "mgmtsecd on r1 exited with status $?"
	mgmtsecd_stop r2 || fail "mgmtsecd on r2 exited with status $?"
}

up() { mgmtsec_cmd "$1" "show ikev2 session" | grep -q "ESP SPI IN/OUT"; }
field() { sed -n "s/^$2 *: //p" <<<"$1" | head -n1; }
ca1=$PKI/ca1/ca.pem

# tunnel_up CASE WANT1 WANT2: both sides up with Authentication(Sign/Verify) WANT1 / WANT2, ping
tunnel_up()
{
	local name=$1 w1=$2 w2=$3 d1 d2
	wait_for "$name: tunnel up on r1" 30 up r1 || fail "$name: tunnel did not come up on r1"
	echo "SETUP $name: $(_netns_secs "$WAIT_FOR_US") s from the second commit to Child SA on r1"
	wait_for "$name: tunnel up on r2" 10 up r2 || fail "$name: tunnel did not come up on r2"
	d1=$(mgmtsec_cmd r1 "show ikev2 session detail")
	d2=$(mgmtsec_cmd r2 "show ikev2 session detail")
	echo "$d1"
	[ "$(field "$d1" "Authentication(Sign\/Verify)")" = "$w1" ] ||
		fail "$name: r1 Authentication(Sign/Verify) is not $w1"
	[ "$(field "$d2" "Authentication(Sign\/Verify)")" = "$w2" ] ||
		fail "$name: r2 Authentication(Sign/Verify) is not $w2"
	ns_exec r1 ping -c 3 -i 0.2 -W 2 192.0.2.2 >/dev/null || fail "$name: ping r1 -> r2 failed"
	ns_exec r2 ping -c 3 -i 0.2 -W 2 192.0.2.1 >/dev/null || fail "$name: ping r2 -> r1 failed"
}

# ---- RSA both ways, 2048 (r1) and 3072 (r2) ------------------------------------------------
start_pair rsa rsa-signature rsa-signature "$ca1" "$PKI/r1.pem" "$PKI/r1.key" -- \
	rsa-signature rsa-signature "$ca1" "$PKI/r2.pem" "$PKI/r2.key"
tunnel_up rsa RSA/RSA RSA/RSA
mgmtsec_cmd r1 "show ikev2 statistics" | grep -E "Auth|Fragments"
stop_pair

# ---- mixed: r1 signs with the PSK, r2 with its certificate --------------------------------
start_pair mixed pre-shared rsa-signature "$ca1" "$PKI/r1.pem" "$PKI/r1.key" -- \
	rsa-signature pre-shared "$ca1" "$PKI/r2.pem" "$PKI/r2.key"
tunnel_up mixed PSK/RSA RSA/PSK
stop_pair

# ---- refusals ------------------------------------------------------------------------------
# refused CASE R1-REASON R2-REASON: both logs hold their reason; no tunnel; show says why.
log_has() { grep -qF -- "$2" "$(mgmtsecd_log "$1")"; }
refused()
{
	local name=$1 why1=$2 why2=$3
	wait_for "$name: r1 refuses ($why1)" 30 log_has r1 "$why1" ||
		fail "$name: r1 log lacks '$why1'"
	wait_for "$name: r2 told ($why2)" 30 log_has r2 "$why2" || fail "$name: r2 log lacks '$why2'"
	grep -F -- "$why1" "$(mgmtsecd_log r1)" | head -n2
	grep -F -- "$why2" "$(mgmtsecd_log r2)" | head -n2
	local s1
	s1=$(mgmtsec_cmd r1 "show ikev2 session")
	grep -qF -- "$why1" <<<"$s1" || grep -qF -- "$why2" <<<"$s1" ||
		grep -qiE "not accepted|refused|expired|trusted|revoked|identity" <<<"$s1" ||
		fail "$name: show ikev2 session on r1 gives no reason: $s1"
	up r1 && fail "$name: tunnel came up on r1 although it must be refused"
	up r2 && fail "$name: tunnel came up on r2 although it must be refused"
	ns_exec r1 ping -c 1 -W 1 192.0.2.2 >/dev/null 2>&1 && fail "$name: ping crossed"
	echo "$name: refused on both sides"
	stop_pair
}

start_pair expired rsa-signature rsa-signature "$ca1" "$PKI/r1.pem" "$PKI/r1.key" -- \
	rsa-signature rsa-signature "$ca1" "$PKI/r2-expired.pem" "$PKI/r2-expired.key"
refused expired "certificate expired" "Peer refused our AUTH: certificate expired"

start_pair otherca rsa-signature rsa-signature "$ca1" "$PKI/r1.pem" "$PKI/r1.key" -- \
	rsa-signature rsa-signature "$ca1" "$PKI/r2-otherca.pem" "$PKI/r2-otherca.key"
refused otherca "issuer not trusted" "Peer refused our AUTH: issuer not trusted"

start_pair revoked rsa-signature rsa-signature "$ca1" "$PKI/r1.pem" "$PKI/r1.key" \
	"crypto ca trustpoint TP crl $PKI/ca1.crl" -- \
	rsa-signature rsa-signature "$ca1" "$PKI/r2-revoked.pem" "$PKI/r2-revoked.key" \
	"crypto ca trustpoint TP crl $PKI/ca1.crl"
refused revoked "certificate revoked" "Peer refused our AUTH: certificate revoked"

start_pair idmismatch rsa-signature rsa-signature "$ca1" "$PKI/r1.pem" "$PKI/r1.key" -- \
	rsa-signature rsa-signature "$ca1" "$PKI/r2-wrongip.pem" "$PKI/r2-wrongip.key"
refused idmismatch "identity 198.51.100.2 not in certificate" \
	"Peer refused our AUTH: identity 198.51.100.2 not in our certificate"

start_pair dnmismatch rsa-signature rsa-signature "$ca1" "$PKI/r1.pem" "$PKI/r1.key" \
	"ikev2 profile prof1 match identity remote dn CN=r9.example.net" -- \
	rsa-signature rsa-signature "$ca1" "$PKI/r2.pem" "$PKI/r2.key"
refused dnmismatch "peer identity not matched by the ikev2 profile" \
	"Peer refused our AUTH (AUTHENTICATION_FAILED): certificate or identity not accepted"

# the matching DN (part of the subject, any case) and a DN identity are accepted
start_pair dnmatch rsa-signature rsa-signature "$ca1" "$PKI/r1.pem" "$PKI/r1.key" \
	"ikev2 profile prof1 match identity remote dn cn=R2.example.net" -- \
	rsa-signature rsa-signature "$ca1" "$PKI/r2.pem" "$PKI/r2.key" \
	"ikev2 profile prof1 identity local dn"
tunnel_up dnmatch RSA/RSA RSA/RSA
mgmtsec_cmd r1 "show ikev2 session detail" | grep -q "CN=r2.example.net" ||
	fail "dnmatch: r1 does not show r2's DN identity"
stop_pair

# FQDN identities: r2 sends ID_FQDN (a DNS subjectAltName of its certificate), r1 lists it
start_pair fqdn rsa-signature rsa-signature "$ca1" "$PKI/r1.pem" "$PKI/r1.key" \
	"ikev2 profile prof1 match identity remote fqdn R2.example.NET" -- \
	rsa-signature rsa-signature "$ca1" "$PKI/r2-dns.pem" "$PKI/r2-dns.key" \
	"ikev2 profile prof1 identity local fqdn r2.example.net"
tunnel_up fqdn RSA/RSA RSA/RSA
mgmtsec_cmd r1 "show ikev2 session detail" | grep -q "Remote ID *: r2.example.net" ||
	fail "fqdn: r1 does not show r2's FQDN identity"
stop_pair

# ---- fragmentation: a longer chain at the default 1280-byte limit --------------------------
root3=$PKI/root3/ca.pem
capture_start frag r1 mgmt0 udp port 500 or udp port 4500
start_pair frag rsa-signature rsa-signature "$root3" "$PKI/r1-long.pem" "$PKI/r1-long.key" -- \
	rsa-signature rsa-signature "$root3" "$PKI/r2-long.pem" "$PKI/r2-long.key"
tunnel_up frag RSA/RSA RSA/RSA
capture_stop frag >/dev/null
pcap=$NETNS_TMP/frag.pcap
# every IKE datagram: IP length, exchange type, first payload (53 = SKF, RFC 7383)
rows=$(tshark -r "$pcap" -Y isakmp -T fields -E separator=' ' -e ip.len -e isakmp.exchangetype \
	-e isakmp.nextpayload 2>/dev/null)
echo "$rows" | sort | uniq -c | sort -rn
maxlen=$(awk '{ if ($1 > m) m = $1 } END { print m + 0 }' <<<"$rows")
nfrag=$(awk '{ split($3, np, ",") } $2 == 35 && np[1] == 53' <<<"$rows" | wc -l)
nauth=$(awk '$2 == 35' <<<"$rows" | wc -l)
# read whole, not piped into grep -q: with pipefail, grep's early exit can kill tshark by
# SIGPIPE mid-output and fail the pipeline although the payload was found
dissected=$(tshark -r "$pcap" -Y isakmp -V 2>/dev/null || true)
grep -q "Encrypted and Authenticated Fragment" <<<"$dissected" ||
	fail "frag: tshark shows no Encrypted and Authenticated Fragment payload"
echo "frag: $nauth IKE_AUTH datagrams, $nfrag of them SKF fragments, largest IKE datagram $maxlen bytes"
[ "$maxlen" -le 1280 ] || fail "frag: an IKE datagram of $maxlen bytes exceeds 1280"
[ "$nfrag" -ge 4 ] || fail "frag: expected IKE_AUTH fragments in both directions, saw $nfrag"
st=$(mgmtsec_cmd r1 "show ikev2 statistics")
[ "$(grep -cE "Fragments (sent|received) *: *[1-9]" <<<"$st")" = 2 ] ||
	fail "frag: r1 statistics count no fragments: $st"
stop_pair

# ---- commit-time refusal and start-up behaviour --------------------------------------------
cp "$PKI/r1.key" "$PKI/r1-open.key"
chmod 644 "$PKI/r1-open.key"
mgmtsecd_start r1 "$NETNS_TMP/r1-commit.conf"
conf 1 198.51.100.2 rsa-signature rsa-signature "$ca1" "$PKI/r1.pem" "$PKI/r1-open.key" \
	>"$NETNS_TMP/in-open"
out=$(mgmtsec_apply r1 "$NETNS_TMP/in-open" 2>&1) && fail "commit with a 0644 key file accepted"
echo "$out" | grep -F "r1-open.key" | grep -q "mode 0644" ||
	fail "commit refusal does not name the key file and its mode: $out"
echo "$out" | grep -F "r1-open.key"
conf 1 198.51.100.2 rsa-signature rsa-signature "$PKI/nope/ca.pem" "$PKI/r1.pem" "$PKI/r1.key" \
	>"$NETNS_TMP/in-noca"
out=$(mgmtsec_apply r1 "$NETNS_TMP/in-noca" 2>&1) && fail "commit with a missing CA file accepted"
echo "$out" | grep -F "$PKI/nope/ca.pem" | grep -q "No such file" ||
	fail "commit refusal does not name the missing CA file: $out"
echo "$out" | grep -F "nope/ca.pem"
conf 1 198.51.100.2 rsa-signature rsa-signature "$ca1" "$PKI/r1.pem" "$PKI/r1.key" \
	>"$NETNS_TMP/in-good"
mgmtsec_apply r1 "$NETNS_TMP/in-good" || fail "the good configuration is refused"
mgmtsecd_stop r1 || fail "mgmtsecd on r1 exited with status $?"
# the saved file with a key that became unsafe: the daemon starts, the tunnel stays down
chmod 640 "$PKI/r1.key"
mgmtsecd_start r1 "$NETNS_TMP/r1-commit.conf"
wait_for "start-up logs the unsafe key" 10 log_has r1 "interface tunnel-ip1 stays down" ||
	fail "no log line about the tunnel left down at start"
grep -F "stays down" "$(mgmtsecd_log r1)"
grep -F "stays down" "$(mgmtsecd_log r1)" | grep -qF "$PKI/r1.key" ||
	fail "the start-up log does not name the key file"
mgmtsecd_alive r1 || fail "mgmtsecd exited over an unsafe key file in its saved configuration"
chmod 600 "$PKI/r1.key"
mgmtsecd_stop r1 || fail "mgmtsecd on r1 exited with status $?"
echo "certs: all checks passed"

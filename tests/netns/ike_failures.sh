#!/usr/bin/env bash
# IKE failure cases between real daemons, each visible to the operator (show output, counters,
# logs) and none of them a crash: wrong pre-shared key, no common proposal, a peer whose address
# no tunnel expects, a peer that never answers (retransmissions, then give-up), garbage on UDP
# 500 and 4500, and a polite Delete when a daemon shuts down.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init

netns_create r1 r2 r3
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
netns_link r3 r1 203.0.113.3/24 203.0.113.1/24 out0 side0

# conf LOCAL PEER PSK ENCRYPTION [IFADDR]
conf()
{
	local l=$1 p=$2 psk=$3 enc=$4 ifa=${5:-192.0.2.1}
	local integ="ikev2 proposal P integrity sha-256"
	case $enc in aes-gcm*) integ= ;; esac
	cat <<EOF2
ikev2 proposal P encryption $enc
$integ
ikev2 proposal P prf sha-256
ikev2 proposal P dh-group 19
ikev2 policy pol match address local $l
ikev2 policy pol proposal P
keyring kr peer p address $p 255.255.255.255
keyring kr peer p pre-shared-key $psk
ikev2 profile prof keyring kr
ikev2 profile prof authentication local pre-shared
ikev2 profile prof match identity remote address $p 255.255.255.255
ipsec transform-set ts transform esp-256-aes esp-hmac-sha-256
ipsec profile ipp set ikev2-profile prof
ipsec profile ipp set transform-set ts
interface tunnel-ip1 ipv4 address $ifa 255.255.255.0
interface tunnel-ip1 tunnel mode ipsec ipv4
interface tunnel-ip1 tunnel source $l
interface tunnel-ip1 tunnel destination $p
interface tunnel-ip1 tunnel protection ipsec profile ipp
EOF2
}

start_pair()
{
	conf 198.51.100.1 198.51.100.2 "$1" "$2" >"$NETNS_TMP/r1.conf"
	conf 198.51.100.2 198.51.100.1 "$3" "$4" 192.0.2.2 >"$NETNS_TMP/r2.conf"
	chmod 600 "$NETNS_TMP"/r?.conf
	mgmtsecd_start r1 "$NETNS_TMP/r1.conf"
	mgmtsecd_start r2 "$NETNS_TMP/r2.conf"
}
stop_pair() {
	mgmtsecd_stop r1 || true
	mgmtsecd_stop r2 || true
}
stat() { mgmtsec_cmd "$1" "show ikev2 statistics" | sed -n "s/^$2 *: //p"; }
counter_ge() { [ "$(stat "$1" "$2")" -ge "$3" ]; }
has_sa() { mgmtsec_cmd "$1" "show ikev2 session" | grep -q "ESP SPI IN/OUT"; }

# r3 talks to an address nobody holds: its requests go unanswered the whole time.
conf 203.0.113.3 203.0.113.9 lonely-psk aes-cbc-256 192.0.2.33 >"$NETNS_TMP/r3.conf"
chmod 600 "$NETNS_TMP/r3.conf"
mgmtsecd_start r3 "$NETNS_TMP/r3.conf"
t_r3=$SECONDS

echo "--- wrong pre-shared key"
start_pair right-key aes-cbc-256 wrong-key aes-cbc-256
wait_for "authentication failure counted on r1" 20 counter_ge r1 "Authentication failures" 1 ||
	fail "no authentication failure counted on r1"
wait_for "authentication failure counted on r2" 20 counter_ge r2 "Authentication failures" 1 ||
	fail "no authentication failure counted on r2"
has_sa r1 && fail "a Child SA exists despite the wrong key"
grep -q "AUTHENTICATION_FAILED\|authentication failed\|AUTH" "$(mgmtsecd_log r1)" ||
	fail "r1's log does not say why"
ip -n "${NETNS[r1]}" link show tunnel-ip1 | grep -q ",UP" && fail "tunnel-ip1 is up without an SA"
stop_pair

echo "--- no common proposal"
start_pair same-key aes-cbc-128 same-key aes-gcm-256
wait_for "no-proposal counted" 20 counter_ge r1 "No proposal chosen" 1 ||
	wait_for "no-proposal counted on r2" 5 counter_ge r2 "No proposal chosen" 1 ||
	fail "no proposal failure not counted"
grep -q "NO_PROPOSAL_CHOSEN" "$(mgmtsecd_log r1)" "$(mgmtsecd_log r2)" || fail "no log line says NO_PROPOSAL_CHOSEN"
has_sa r1 && fail "an SA exists without a common proposal"
stop_pair

echo "--- unknown peer: r2 expects 198.51.100.7, not r1"
conf 198.51.100.1 198.51.100.2 k aes-cbc-256 >"$NETNS_TMP/r1.conf"
conf 198.51.100.2 198.51.100.7 k aes-cbc-256 192.0.2.2 >"$NETNS_TMP/r2.conf"
mgmtsecd_start r1 "$NETNS_TMP/r1.conf"
mgmtsecd_start r2 "$NETNS_TMP/r2.conf"
wait_for "r2 counts the unexpected peer" 20 counter_ge r2 "Dropped: no tunnel for the peer" 1 ||
	fail "unknown peer not counted"
has_sa r1 && fail "an SA exists with an unknown peer"

echo "--- garbage on UDP 500 and 4500 (from r2 to r1)"
before=$(stat r1 "Dropped: malformed")
ns_exec r2 python3 - <<'PY'
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(300):
    n = i % 70
    s.sendto(os.urandom(n), ("198.51.100.1", 500))
    # an IKE header claiming more bytes than sent, and a 28-byte header with a bogus chain
    hdr = os.urandom(16) + bytes([41, 0x20, 34, 0x08]) + b"\0\0\0\0" + (9999).to_bytes(4, "big")
    s.sendto(hdr, ("198.51.100.1", 500))
    s.sendto(b"\0\0\0\0" + os.urandom(n), ("198.51.100.1", 4500))
    s.sendto(os.urandom(n + 8), ("198.51.100.1", 4500))
PY
sleep 1
mgmtsecd_alive r1 || fail "r1 died from garbage"
after=$(stat r1 "Dropped: malformed")
[ "$after" -gt "$before" ] || fail "garbage was not counted as malformed ($before -> $after)"
mgmtsec_cmd r1 "show ipsec statistics" | grep -E "unknown SPI|too short"
stop_pair

echo "--- Delete on shutdown"
start_pair k aes-cbc-256 k aes-cbc-256
wait_for "tunnel up" 20 has_sa r1 || fail "good tunnel did not come up"
wait_for "tunnel up on r2" 10 has_sa r2 || fail "good tunnel did not come up on r2"
mgmtsecd_stop r2
no_sa() { ! has_sa "$1"; }
wait_for "r1 learns of the Delete" 3 no_sa r1 ||
	fail "r1 kept its SA after the peer shut down"
grep -q "Deleted by peer\|Delete" "$(mgmtsecd_log r1)" || fail "r1 did not log the Delete"
mgmtsecd_stop r1 || true

echo "--- a peer that never answers (r3): retransmissions, then give-up"
left=$((45 - (SECONDS - t_r3)))
[ $left -lt 1 ] && left=1
gave_up() { mgmtsec_cmd r3 "show ikev2 session" | grep -q "DELETED\|Retransmission"; }
wait_for "r3 gives up" $left gave_up || fail "r3 never gave up"
mgmtsec_cmd r3 "show ikev2 session"
[ "$(stat r3 "Requests retransmitted")" -ge 3 ] || fail "r3 did not retransmit"
grep -qi "retransmi" "$(mgmtsecd_log r3)" || fail "r3's log does not mention retransmission"
echo "ike_failures: all checks passed"

#!/usr/bin/env bash
# Two mgmtsec routers with the seed's configuration (examples/router{1,2}.conf, made
# consistent): IKE and Child SA come up, both routers' show commands agree (SPIs crossed, same
# algorithms), ping and a TCP transfer (content checked) cross the tunnel, the outer link
# carries only ESP (never the inner payload in clear), and after a daemon restart the saved
# configuration reloads to the same running-config and the tunnel comes back.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init
SRC=$MGMTSEC_SOURCE

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0

conf1=$NETNS_TMP/r1.conf conf2=$NETNS_TMP/r2.conf
mgmtsecd_start r1 "$conf1"
mgmtsecd_start r2 "$conf2"
mgmtsec_apply r1 "$SRC/examples/router1.conf" || fail "router1 configuration refused"
mgmtsec_apply r2 "$SRC/examples/router2.conf" || fail "router2 configuration refused"

up() { mgmtsec_cmd "$1" "show ikev2 session" | grep -q "UP-ACTIVE" &&
	mgmtsec_cmd "$1" "show ikev2 session" | grep -q "ESP SPI IN/OUT"; }
wait_for "IKE and Child SA up on r1" 30 up r1 || fail "tunnel did not come up"
wait_for "IKE and Child SA up on r2" 10 up r2 || fail "tunnel did not come up on r2"

# --- the two views agree -------------------------------------------------------------------
d1=$(mgmtsec_cmd r1 "show ikev2 session detail")
d2=$(mgmtsec_cmd r2 "show ikev2 session detail")
echo "$d1"
field() { sed -n "s/^$2 *: //p" <<<"$1" | head -n1; }
spis1=$(field "$d1" "ESP SPI IN\/OUT")
spis2=$(field "$d2" "ESP SPI IN\/OUT")
in1=${spis1%% / *} out1=${spis1##* / } in2=${spis2%% / *} out2=${spis2##* / }
[ "$in1" = "$out2" ] && [ "$out1" = "$in2" ] || fail "ESP SPIs not crossed: r1 $spis1, r2 $spis2"
for f in "Encryption\/Keysize" "PRF\/Hash\/DH Group" "Authentication(Sign\/Verify)" "ESP HMAC"; do
	[ "$(field "$d1" "$f")" = "$(field "$d2" "$f")" ] || fail "$f differs between routers"
done
[ "$(field "$d1" "Encryption\/Keysize")" = "AES-CBC/256" ] || fail "IKE encryption not AES-CBC/256"
[ "$(field "$d1" "PRF\/Hash\/DH Group")" = "SHA256/SHA256/20" ] || fail "PRF/hash/group wrong"
[ "$(field "$d1" "Authentication(Sign\/Verify)")" = "PSK/PSK" ] || fail "auth not PSK/PSK"
l1=$(field "$d1" "Local SPI") r2spi=$(field "$d2" "Remote SPI")
[ "$l1" = "$r2spi" ] || fail "IKE SPIs not crossed: $l1 vs $r2spi"
sa=$(mgmtsec_cmd r1 "show ipsec sa interface tunnel-ip1")
echo "$sa"
grep -q "Encrypt Algorithm *: ESP_256_AES" <<<"$sa" || fail "show ipsec sa: cipher"
grep -q "Auth Algorithm *: HMAC_SHA_256" <<<"$sa" || fail "show ipsec sa: HMAC"
grep -q "$in1" <<<"$(mgmtsec_cmd r1 'show ipsec sa')" || fail "show ipsec sa lacks $in1"
mgmtsec_cmd r1 "show ikev2 summary" | grep -q "Total Sa (Active/Negotiation) *: 1 (1/0)" ||
	fail "show ikev2 summary does not count one active SA"
mgmtsec_cmd r1 "show running-config" | grep -q "pre-shared-key.*cisco123" &&
	fail "the PSK is shown in clear"
ip -n "${NETNS[r1]}" link show tunnel-ip1 | grep -q "state UNKNOWN\|,UP" || fail "tunnel-ip1 not up"

# --- traffic, with a capture of the outer link ----------------------------------------------
marker="MGMTSEC-CLEAR-TEXT-MARKER-$$"
capture_start outer r1 mgmt0
ns_exec r1 ping -c 5 -i 0.2 -W 2 -p "$(printf '%s' "${marker:0:16}" | od -An -tx1 | tr -d ' \n')" \
	192.0.2.2 || fail "ping across the tunnel failed"
head -c 1000000 /dev/urandom >"$NETNS_TMP/blob"
printf '%s\n' "$marker" >>"$NETNS_TMP/blob"
ns_spawn r2 "$NETNS_TMP/nc.log" sh -c "nc -l -N 192.0.2.2 5001 > $NETNS_TMP/blob.rx"
sleep 0.3
ns_exec r1 sh -c "nc -N -w 10 192.0.2.2 5001 < $NETNS_TMP/blob" || fail "TCP transfer failed"
wait_for "TCP transfer complete" 10 cmp -s "$NETNS_TMP/blob" "$NETNS_TMP/blob.rx" ||
	fail "received data differs from what was sent"
capture_stop outer >/dev/null
capture_summary outer "${marker:0:16}"
[ "$CAP_ESP_RAW" -gt 100 ] || fail "expected raw ESP on the outer link, saw $CAP_ESP_RAW"
[ "$CAP_MARKER" -eq 0 ] || fail "inner payload seen in clear on the outer link"
[ "$CAP_CLEAR" -eq 0 ] || fail "$CAP_CLEAR non-ESP packets on the outer link"
mgmtsec_cmd r2 "show ipsec sa interface tunnel-ip1" | grep -q "Packets *: [1-9]" ||
	fail "r2 counted no packets"

# --- a path MTU below the tunnel's: ESP too big for it leaves as fragments --------------------
# (the sender's header-included socket refuses it; the ESP socket's output fragments it)
ns_exec r1 ip route add 198.51.100.2/32 dev mgmt0 mtu lock 1000
capture_start frag r1 mgmt0 "ip proto 50 and ip[6:2] & 0x3fff != 0"
ns_exec r1 ping -c 3 -i 0.2 -W 2 -s 1300 192.0.2.2 >/dev/null ||
	fail "1300-byte ping over a 1000-byte path failed"
pcap=$(capture_stop frag)
nfrag=$(tcpdump -r "$pcap" -n 2>/dev/null | wc -l)
echo "path MTU 1000: $nfrag outer ESP fragments from r1"
[ "$nfrag" -ge 6 ] || fail "expected the 3 oversized ESP packets in fragments, saw $nfrag fragments"
ns_exec r1 ip route del 198.51.100.2/32 dev mgmt0
ns_exec r1 ping -c 2 -W 2 -s 1300 192.0.2.2 >/dev/null ||
	fail "ping after the path MTU was restored failed"

# --- persistence: restart r1, same running-config, tunnel back --------------------------------
strip() { grep -v '^!! \|^[A-Z][a-z][a-z] [A-Z][a-z][a-z] ' ; }
before=$(mgmtsec_cmd r1 "show running-config" | strip)
[ "$(stat -c %a "$conf1")" = 600 ] || fail "saved configuration is not mode 0600"
mgmtsecd_stop r1
mgmtsecd_start r1 "$conf1"
after=$(mgmtsec_cmd r1 "show running-config" | strip)
[ "$before" = "$after" ] || fail "running-config differs after restart: $(diff <(echo "$before") <(echo "$after"))"
wait_for "tunnel back after restart" 40 up r1 || fail "tunnel did not come back after restart"
ns_exec r1 ping -c 2 -W 2 192.0.2.2 >/dev/null || fail "ping after restart failed"
echo "tunnel_e2e: all checks passed"

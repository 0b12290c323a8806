#!/usr/bin/env bash
# No key material in logs or show output. Two routers with the seed's tunnel, a distinctive PSK,
# both daemons at debug level (-d); a full exchange, traffic, a Child SA reset and a full IKE
# session reset (so every key derivation runs more than once). Then every log line, every show
# command's output and the outer capture are searched for:
#   - the PSK (also hex-encoded),
#   - long hex strings (32+ hex digits, or 16+ colon/space-separated hex bytes): SPIs are 8 or
#     16 digits, so anything that long is keys, nonces or dumps, none of which belong there.
# Also: the saved configuration (which does hold the PSK) is mode 0600, and show running-config
# masks the PSK.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init
SRC=$MGMTSEC_SOURCE
PSK="Zq7-mgmtsec-$RANDOM$RANDOM-psk"

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
for i in 1 2; do
	sed "s/cisco123/$PSK/" "$SRC/examples/router$i.conf" >"$NETNS_TMP/in$i.conf"
	grep -q "$PSK" "$NETNS_TMP/in$i.conf" || fail "could not set the test PSK in router$i.conf"
done
capture_start outer r1 mgmt0
mgmtsecd_start r1 "$NETNS_TMP/r1.conf" -d
mgmtsecd_start r2 "$NETNS_TMP/r2.conf" -d
mgmtsec_apply r1 "$NETNS_TMP/in1.conf" >/dev/null || fail "router1 configuration refused"
mgmtsec_apply r2 "$NETNS_TMP/in2.conf" >/dev/null || fail "router2 configuration refused"

up() { mgmtsec_cmd "$1" "show ikev2 session" | grep -q "UP-ACTIVE" &&
	mgmtsec_cmd "$1" "show ikev2 session" | grep -q "ESP SPI IN/OUT"; }
spis() { mgmtsec_cmd r1 "show ikev2 session detail" | sed -n 's/^ESP SPI IN\/OUT *: //p'; }
wait_for "tunnel up" 30 up r1 || fail "tunnel did not come up"
ns_exec r1 ping -c 3 -i 0.2 -W 2 192.0.2.2 >/dev/null || fail "ping failed"
s0=$(spis)
mgmtsec_cmd r1 "clear ipsec sa" >/dev/null || fail "clear ipsec sa failed"
changed() { local s; s=$(spis); [ -n "$s" ] && [ "$s" != "$1" ] && up r1; }
wait_for "Child SA renegotiated" 30 changed "$s0" || fail "no new Child SA after clear ipsec sa"
s1=$(spis)
mgmtsec_cmd r1 "clear ikev2 session" >/dev/null || fail "clear ikev2 session failed"
wait_for "IKE session re-established" 40 changed "$s1" || fail "no new session after clear ikev2 session"
ns_exec r1 ping -c 3 -i 0.2 -W 2 192.0.2.2 >/dev/null || fail "ping after the resets failed"

# Everything an operator can see.
out=$NETNS_TMP/visible.txt
: >"$out"
for r in r1 r2; do
	for c in "show running-config" "show configuration" "show ikev2 session" \
		"show ikev2 session detail" "show ikev2 summary" "show ikev2 statistics" \
		"show ipsec sa" "show ipsec sa interface tunnel-ip1" "show ipsec statistics"; do
		echo "### $r: $c" >>"$out"
		mgmtsec_cmd "$r" "$c" >>"$out" 2>&1 || true
	done
	cat "$(mgmtsecd_log "$r")" >>"$out"
done
pcap=$(capture_stop outer)

debug_lines=$(grep -c " debug: " "$out" || true)
echo "searched $(wc -l <"$out") lines of logs and show output ($debug_lines debug lines)"
[ "$debug_lines" -ge 20 ] || fail "debug logging produced only $debug_lines lines: nothing was tested"

grep -n -- "$PSK" "$out" && fail "the PSK appears in logs or show output"
psk_hex=$(printf '%s' "$PSK" | od -An -tx1 | tr -d ' \n')
grep -n -i -- "$psk_hex" "$out" && fail "the PSK appears hex-encoded in logs or show output"
grep -n -E -i '[0-9a-f]{32,}' "$out" && fail "a long hex string (key material?) in logs or show output"
grep -n -E -i '([0-9a-f]{2}[: ]){15,}[0-9a-f]{2}' "$out" | grep -v -E '^[0-9]+:### ' &&
	fail "a long run of hex bytes (key material?) in logs or show output"
grep -q -a -- "$PSK" "$pcap" &&
	fail "the PSK crossed the wire"

grep -A3 "keyring" <<<"$(mgmtsec_cmd r1 'show running-config')" | grep -q "pre-shared-key" ||
	fail "show running-config lost the keyring's pre-shared-key line"
for i in 1 2; do
	conf=$NETNS_TMP/r$i.conf
	[ -f "$conf" ] || fail "r$i's configuration was not saved"
	[ "$(stat -c %a "$conf")" = 600 ] || fail "r$i's saved configuration is mode $(stat -c %a "$conf")"
	grep -q -- "$PSK" "$conf" || fail "r$i's saved configuration lacks the PSK (test assumption)"
done
echo "secrets_log: all checks passed"

#!/usr/bin/env bash
# Denial of service (issue 6): a burst of thousands of IKE_SA_INIT requests (copies of a real
# one with fresh SPIs) hits r1 while its tunnel to r2 carries traffic. Cookies engage (RFC 7296
# §2.6), half-open IKE SAs stay bounded, memory stays bounded, and the established tunnel keeps
# passing traffic throughout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
for n in 1 2; do
	seed_config $n >"$NETNS_TMP/r$n.conf"
done
chmod 600 "$NETNS_TMP"/r?.conf
mgmtsecd_start r1 "$NETNS_TMP/r1.conf"
mgmtsecd_start r2 "$NETNS_TMP/r2.conf"
up() { mgmtsec_cmd r1 "show ikev2 session" | grep -q "ESP SPI IN/OUT"; }
wait_for "tunnel up" 30 up || fail "tunnel did not come up"

# A genuine IKE_SA_INIT request from r2, captured on the wire.
capture_start init r1 mgmt0 udp port 500
sleep 0.3
mgmtsec_cmd r2 "clear ikev2 session" >/dev/null
wait_for "tunnel re-established" 30 up || fail "tunnel did not come back after clear"
sleep 0.5
pcap=$(capture_stop init)
init=$(tshark -r "$pcap" -Y "ip.src == 198.51.100.2 && isakmp.exchangetype == 34 && isakmp.flags == 0x08" \
	-T fields -e udp.payload 2>/dev/null | tr -d ':' | head -n1 || true)
[ -n "$init" ] || fail "no IKE_SA_INIT request captured"
echo "captured an IKE_SA_INIT request of $((${#init} / 2)) bytes"

stat() { mgmtsec_cmd r1 "show ikev2 statistics" | sed -n "s/^$1 *: //p"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$(mgmtsecd_pid r1)/status"; }
rss0=$(rss)
ns_spawn r1 "$NETNS_TMP/ping.log" ping -q -i 0.05 -c 200 -W 1 192.0.2.2
ping_pid=$NS_PID
max_half=0
ns_spawn r2 "$NETNS_TMP/flood.log" python3 -c '
import os, socket, sys, time
msg = bytes.fromhex(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.2", 40500))
for i in range(4000):
    s.sendto(os.urandom(8) + msg[8:], ("198.51.100.1", 500))
    if i % 200 == 199:
        time.sleep(0.05)
' "$init"
flood_pid=$NS_PID
while kill -0 "$flood_pid" 2>/dev/null; do
	h=$(stat "IKE SAs negotiating")
	[ "${h:-0}" -gt "$max_half" ] && max_half=$h
	sleep 0.2
done
wait "$ping_pid" || true
cat "$NETNS_TMP/ping.log"
rss1=$(rss)
cookies=$(stat "Cookies sent")
echo "flood: cookies sent $cookies, most half-open SAs seen $max_half, RSS ${rss0} -> ${rss1} kB"
[ "$cookies" -gt 100 ] || fail "cookies did not engage ($cookies sent)"
[ "$max_half" -le 64 ] || fail "half-open SAs not bounded ($max_half)"
# AddressSanitizer keeps freed memory in quarantine (up to 256 MB by default) and so inflates
# RSS by design; the sanitized daemon gets a bound that catches runaway growth beyond it.
limit=16384
grep -q asan "/proc/$(mgmtsecd_pid r1)/maps" && limit=$((300 * 1024))
[ $((rss1 - rss0)) -lt $limit ] || fail "memory grew by $((rss1 - rss0)) kB (limit $limit kB)"
grep -q " 0% packet loss" "$NETNS_TMP/ping.log" || fail "the established tunnel lost traffic during the flood"
mgmtsecd_alive r1 || fail "r1 died"
up || fail "the established tunnel is gone"
echo "cookie_flood: all checks passed"

#!/usr/bin/env bash
# Self-test of tests/netns/lib.sh: hosts, veth, ping, capture summary, wait_for, the mgmtsecd /
# mgmtsec helpers (against stand-in binaries that record how they were called), and cleanup on
# success, on failure and on SIGTERM, including a process that ignores SIGTERM.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
netns_init

# ---- two hosts, ping, capture ---------------------------------------------------------------
netns_create a b
netns_link a b 198.51.100.1/24 198.51.100.2/24
[ "$(ns_exec a cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || fail "forwarding not on in a"
ns_exec a ip -o link show lo | grep -q 'UP' || fail "lo not up in a"
ns_exec b ip -o addr show veth-a | grep -q '198.51.100.2/24' || fail "address missing on b/veth-a"

MARK=MGMTSECMARK # 4d474d5453454... as a ping pattern (ping takes at most 16 pattern bytes)
PAT=$(printf %s "$MARK" | od -An -tx1 | tr -d ' \n')
capture_start icmp b veth-a
ns_exec a ping -c 3 -i 0.2 -W 2 -p "$PAT" 198.51.100.2 >/dev/null || fail "ping a -> b failed"
capture_stop icmp >/dev/null
capture_summary icmp "$MARK"
[ "$CAP_ICMP" -ge 6 ] || fail "capture saw $CAP_ICMP ICMP frames, expected >= 6 (3 echo + 3 reply)"
[ "$CAP_MARKER" -ge 6 ] || fail "capture saw the marker in $CAP_MARKER frames, expected >= 6"
[ "$CAP_ESP" = 0 ] && [ "$CAP_IKE" = 0 ] || fail "capture claims ESP/IKE in plain ping traffic"
[ "$CAP_CLEAR" -ge 6 ] || fail "clear-text count $CAP_CLEAR, expected >= 6"

# A quiet capture counts nothing: the counts come from the file, not from the test.
capture_start quiet a veth-b
capture_stop quiet >/dev/null
capture_summary quiet "$MARK"
[ "$CAP_ICMP" = 0 ] && [ "$CAP_MARKER" = 0 ] || fail "quiet capture counted ICMP/marker"

# UDP to 4500 shaped like ESP-in-UDP (non-zero SPI) is counted as ESP, and carries no marker.
capture_start esp a veth-b udp
ns_exec a python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.1", 4500))
for i in range(4):
    s.sendto(bytes.fromhex("0000abcd") + (i + 1).to_bytes(4, "big") + bytes(64), ("198.51.100.2", 4500))
s.sendto(b"\xff", ("198.51.100.2", 4500))  # NAT keepalive: not clear text, not ESP
'
capture_stop esp >/dev/null
capture_summary esp "$MARK"
[ "$CAP_ESP_UDP" = 4 ] || fail "ESP-in-UDP count $CAP_ESP_UDP, expected 4"
[ "$CAP_CLEAR" = 0 ] || fail "clear count $CAP_CLEAR, expected 0 (ESP + keepalive only)"

# ---- wait_for -------------------------------------------------------------------------------
flag="$NETNS_TMP/flag"
(sleep 0.5 && touch "$flag") &
wait_for "flag file appears" 10 test -e "$flag" || fail "wait_for missed the flag"
[ "$WAIT_FOR_US" -ge 400000 ] || fail "wait_for reported ${WAIT_FOR_US}us for a 0.5 s wait"
t0=$SECONDS
if wait_for "something that never happens" 1 false 2>"$NETNS_TMP/wf.err"; then
	fail "wait_for succeeded on false"
fi
grep -q 'TIMEOUT after 1 s' "$NETNS_TMP/wf.err" || fail "wait_for timeout message missing"
[ $((SECONDS - t0)) -le 3 ] || fail "wait_for 1 s took $((SECONDS - t0)) s"

# ---- mgmtsecd / mgmtsec helpers, against stand-ins ----------------------------------------------
fake="$NETNS_TMP/fakebuild"
mkdir -p "$fake"
cat >"$fake/mgmtsecd" <<'EOF'
#!/usr/bin/env python3
# Stand-in: records argv, serves the socket given with -s, exits 0 on SIGTERM (or ignores it).
import os, signal, socket, sys, time
a = sys.argv[1:]
sock = a[a.index("-s") + 1]
open(sock + ".argv", "w").write(" ".join(a) + "\n")
s = socket.socket(socket.AF_UNIX); s.bind(sock); s.listen()
if os.environ.get("FAKE_IGNORE_TERM"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
else:
    signal.signal(signal.SIGTERM, lambda *x: sys.exit(0))
print("fake mgmtsecd up", flush=True)
while True:
    time.sleep(1)
EOF
cat >"$fake/mgmtsec" <<'EOF'
#!/usr/bin/env bash
# Stand-in CLI: records argv and stdin next to the socket.
[ "$1" = -s ] || exit 2
printf '%s\n' "$@" >"$2.cli-argv"
cat >"$2.cli-stdin"
EOF
chmod +x "$fake/mgmtsecd" "$fake/mgmtsec"
real_build=$MGMTSEC_BUILD
MGMTSEC_BUILD=$fake
printf 'hostname A\ncommit\n' >"$NETNS_TMP/a.conf"
mgmtsecd_start a "$NETNS_TMP/a.conf" -d
sock=$(mgmtsecd_sock a)
[ "$(cat "$sock.argv")" = "-f $NETNS_TMP/a.conf -s $sock -F -d" ] || fail "mgmtsecd argv: $(cat "$sock.argv")"
mgmtsecd_alive a || fail "mgmtsecd_alive says the stand-in is dead"
grep -q 'fake mgmtsecd up' "$(mgmtsecd_log a)" || fail "daemon log not captured"
# The daemon runs inside host a: its network namespace is a's.
inode_a=$(stat -L -c %i "/run/netns/${NETNS[a]}")
dpid=$(mgmtsecd_pid a)
[ -n "$dpid" ] && [ "$(stat -L -c %i "/proc/$dpid/ns/net")" = "$inode_a" ] ||
	fail "stand-in daemon is not in host a's namespace"
mgmtsec_apply a "$NETNS_TMP/a.conf"
cmp -s "$NETNS_TMP/a.conf" "$sock.cli-stdin" || fail "mgmtsec_apply did not pipe the file"
mgmtsec_cmd a "show ikev2 session" "show ipsec sa"
[ "$(tr '\n' '|' <"$sock.cli-argv")" = "-s|$sock|-c|show ikev2 session|-c|show ipsec sa|" ] ||
	fail "mgmtsec_cmd argv: $(tr '\n' '|' <"$sock.cli-argv")"
mgmtsecd_stop a || fail "mgmtsecd_stop: stand-in exited with $?"
mgmtsecd_alive a && fail "daemon alive after mgmtsecd_stop"
FAKE_IGNORE_TERM=1 mgmtsecd_start b "$NETNS_TMP/a.conf"
rc=0
mgmtsecd_stop b 1 || rc=$?
[ "$rc" = 137 ] || fail "SIGTERM-ignoring daemon: stop returned $rc, expected 137 (SIGKILL)"
MGMTSEC_BUILD=$real_build

# ---- cleanup in a child test run ------------------------------------------------------------------
# The child script builds two hosts with a process inside each (one ignores SIGTERM), records
# what it made, then ends per MODE: ok (exit 0), fail (a failing command under set -e, as a failed
# assertion would), term (loops until SIGTERM).
cat >"$NETNS_TMP/child.sh" <<'EOF'
set -euo pipefail
. "$1"
netns_init
netns_create x y
netns_link x y 198.51.100.1/24 198.51.100.2/24
ns_spawn x "$NETNS_TMP/sleep.log" sleep 1000
p1=$NS_PID
ns_spawn y "$NETNS_TMP/stubborn.log" sh -c 'trap "" TERM; while :; do sleep 0.2; done'
printf '%s %s %s %s %s\n' "${NETNS[x]}" "${NETNS[y]}" "$p1" "$NS_PID" "$NETNS_TMP" >"$3.tmp"
mv "$3.tmp" "$3"
case $2 in
ok) exit 0 ;;
fail) false ;;
term) while :; do sleep 0.1; done ;;
esac
echo "not reached" >&2
exit 99
EOF
child() { NETNS_KILL_GRACE=1 bash "$NETNS_TMP/child.sh" "$HERE/lib.sh" "$@"; }

check_clean()
{
	local what=$1 nsx nsy p1 p2 tmp
	read -r nsx nsy p1 p2 tmp <"$2"
	if ip netns list | grep -Eq "^($nsx|$nsy)( |\$)"; then
		fail "$what: namespace left behind"
	fi
	kill -0 "$p1" 2>/dev/null && fail "$what: process $p1 still alive"
	kill -0 "$p2" 2>/dev/null && fail "$what: SIGTERM-ignoring process $p2 still alive"
	[ ! -e "$tmp" ] || fail "$what: temp dir $tmp left behind"
	echo "cleanup after $what: ok ($nsx, $nsy gone, pids $p1 $p2 gone, $tmp gone)" >&2
}

# Leftovers of a run that was SIGKILLed (owner PID gone) are swept by the next run's netns_init.
dead=$(sh -c 'echo $$')
stale_ns="mst${dead}r1-z"
stale_dir=$(mktemp -d "/tmp/mgmtsec-mst${dead}r1.XXXXXX")
ip netns add "$stale_ns"

info="$NETNS_TMP/child.info"
child ok "$info" || fail "child ok exited $?"
check_clean "successful run" "$info"
if ip netns list | grep -q "^$stale_ns"; then
	ip netns del "$stale_ns"
	fail "stale namespace of dead run $dead not swept"
fi
[ ! -e "$stale_dir" ] || fail "stale temp dir $stale_dir not swept"

rm -f "$info"
rc=0
child fail "$info" 2>"$NETNS_TMP/child.err" || rc=$?
[ "$rc" = 1 ] || fail "failing child exited $rc, expected 1"
check_clean "failing run" "$info"

rm -f "$info"
NETNS_KILL_GRACE=1 bash "$NETNS_TMP/child.sh" "$HERE/lib.sh" term "$info" 2>/dev/null &
cpid=$!
wait_for "child test running" 20 test -e "$info" || fail "child never started"
kill -TERM "$cpid"
rc=0
wait "$cpid" || rc=$?
[ "$rc" = 143 ] || fail "SIGTERMed child exited $rc, expected 143"
check_clean "SIGTERM" "$info"

echo "netns selftest: all checks passed"

#!/usr/bin/env bash
# The control socket under abuse (tests/netns/hostile_ctl.py does the talking):
#   - only root may connect: `nobody` is refused by the socket's mode (0600), and still by the
#     daemon's peer-credential check when the mode is opened up;
#   - malformed, oversized and binary requests get an error reply or a closed connection, and
#     a request of exactly the maximum size still gets a normal answer;
#   - clients that send half a request, nothing, or requests they never read the answers to do
#     not stop the daemon from serving others;
#   - clients that vanish before or during a reply are harmless.
# After each part the daemon is alive and `mgmtsec` gets its answer within a few seconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init
CTL="$MGMTSEC_SOURCE/tests/netns/hostile_ctl.py"

netns_create r1
conf=$NETNS_TMP/r1.conf
mgmtsecd_start r1 "$conf"
sock=$(mgmtsecd_sock r1)
printf 'configure\nhostname hostile-ctl\ncommit\nend\n' >"$NETNS_TMP/h.conf"
mgmtsec_apply r1 "$NETNS_TMP/h.conf" >/dev/null || fail "configuration refused"

served()
{
	local what=$1 out
	mgmtsecd_alive r1 || fail "$what: daemon died"
	out=$(timeout 5 "$MGMTSEC_BUILD/mgmtsec" -s "$sock" -c "show running-config" </dev/null) ||
		fail "$what: mgmtsec not served within 5 s"
	grep -q "hostname hostile-ctl" <<<"$out" || fail "$what: wrong answer: $out"
	echo "after $what: daemon alive and serving"
}
served "start"

# --- who may connect -------------------------------------------------------------------------
[ "$(stat -c %a "$sock")" = 600 ] || fail "control socket mode is $(stat -c %a "$sock"), not 600"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if as_nobody "$MGMTSEC_BUILD/mgmtsec" -s "$sock" -c "show running-config" </dev/null \
	>"$NETNS_TMP/nobody.out" 2>&1; then
	fail "nobody could use the control socket: $(cat "$NETNS_TMP/nobody.out")"
fi
echo "nobody, socket mode 600: $(head -n1 "$NETNS_TMP/nobody.out")"
chmod 666 "$sock" # as if an operator got the mode wrong: the daemon must still refuse
if as_nobody "$MGMTSEC_BUILD/mgmtsec" -s "$sock" -c "show running-config" </dev/null \
	>"$NETNS_TMP/nobody.out" 2>&1; then
	fail "nobody was served through a mode-666 socket: $(cat "$NETNS_TMP/nobody.out")"
fi
grep -q "hostname" "$NETNS_TMP/nobody.out" && fail "nobody saw the configuration"
wait_for "daemon logged the refusal" 5 grep -q "connection refused (not authorised)" \
	"$(mgmtsecd_log r1)" || fail "no refusal logged for nobody"
chmod 600 "$sock"
served "a non-root client"

# --- malformed requests ----------------------------------------------------------------------
timeout 120 python3 "$CTL" malformed "$sock" || fail "malformed requests mishandled"
served "malformed requests"

# --- slow clients ----------------------------------------------------------------------------
ns_spawn r1 "$NETNS_TMP/hold.log" python3 "$CTL" hold "$sock" 30
hold_pid=$NS_PID
wait_for "30 slow clients connected" 20 grep -q "holding 30 clients" "$NETNS_TMP/hold.log" ||
	fail "slow clients could not connect"
for i in 1 2 3; do served "slow clients (round $i)"; done
ns_kill "$hold_pid" 2
served "slow clients gone"

# --- vanishing clients -----------------------------------------------------------------------
timeout 60 python3 "$CTL" vanish "$sock" || fail "vanishing clients script failed"
sleep 0.5
served "vanishing clients"
grep -q "AddressSanitizer\|runtime error" "$(mgmtsecd_log r1)" && fail "sanitizer report"
echo "hostile_ctl: all checks passed"

#!/usr/bin/env bash
# A commit's file is written on a thread while the daemon's loop goes on; the CLI's answer waits
# for it. On a full disk (a 256 KiB tmpfs filled up) the save fails: the commit must fail with
# "% Could not save the configuration ... No space left on device", its tunnel must be gone
# again (the previous configuration re-applied), and running-config and the file must be as
# before. With space again the same commit succeeds. Every successful commit is in the file
# when the CLI returns.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init
SRC=$MGMTSEC_SOURCE
CFG=$NETNS_TMP/cfg
mkdir -m 700 "$CFG"
mount -t tmpfs -o size=256k,mode=700 mgmtsec-test "$CFG"
# Unmount before the library's cleanup removes the temp dir; netns_cleanup reads the exit
# status from $?, and errexit must not end this trap early.
_status() { return "$1"; }
on_exit()
{
	local rc=$?
	set +e
	umount -l "$CFG" 2>/dev/null
	_status "$rc"
	netns_cleanup
}
trap on_exit EXIT

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
conf=$CFG/r1.conf
: >"$conf"
chmod 600 "$conf"
mgmtsecd_start r1 "$conf"

mgmtsec_cmd r1 configure "hostname saved-first" commit end >/dev/null ||
	fail "a plain commit failed"
grep -q '^hostname saved-first$' "$conf" || fail "the commit is not in the file when the CLI returns"
echo "commit 1: in the file when the CLI returned"

# Fill the file system; the next commit's save must fail.
dd if=/dev/zero of="$CFG/fill" bs=4k 2>/dev/null || true
rc=0
out=$(mgmtsec_apply r1 "$SRC/examples/router1.conf" 2>&1) || rc=$?
grep -q "% Could not save the configuration to $conf: No space left on device" <<<"$out" ||
	fail "no save error from the commit on a full disk: $out"
[ "$rc" != 0 ] || fail "the CLI exited 0 although its commit failed"
echo "commit 2 on a full disk: failed (CLI status $rc) with the save error"
if ip -n "${NETNS[r1]}" link show tunnel-ip1 >/dev/null 2>&1; then
	fail "tunnel-ip1 still exists after the failed commit"
fi
run=$(mgmtsec_cmd r1 "show running-config")
grep -q 'hostname saved-first' <<<"$run" || fail "running-config lost the first commit"
if grep -q 'tunnel-ip1' <<<"$run"; then fail "running-config has the failed commit"; fi
grep -q '^hostname saved-first$' "$conf" || fail "the file lost the first commit"
if grep -q 'tunnel-ip1' "$conf"; then fail "the file has the failed commit"; fi
echo "after it: no tunnel-ip1 device, running-config and file as after commit 1"

rm -f "$CFG/fill"
mgmtsec_apply r1 "$SRC/examples/router1.conf" >/dev/null || fail "the commit failed with space again"
ip -n "${NETNS[r1]}" link show tunnel-ip1 >/dev/null || fail "tunnel-ip1 missing after commit 3"
grep -q '^interface tunnel-ip1' "$conf" || fail "commit 3 is not in the file"
mgmtsec_cmd r1 "show running-config" | grep -q 'interface tunnel-ip1' ||
	fail "commit 3 is not in running-config"
echo "commit 3 with space again: applied, running, in the file"
mgmtsecd_stop r1 || fail "mgmtsecd did not stop cleanly"
echo "PASS"

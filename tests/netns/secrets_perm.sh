#!/usr/bin/env bash
# Privileges and file permissions of a running mgmtsecd:
#   - every thread holds exactly CAP_NET_ADMIN, CAP_NET_RAW and CAP_NET_BIND_SERVICE (effective,
#     permitted and bounding sets), nothing inheritable or ambient, no_new_privs set, and the
#     daemon can still do its work with them (commit creates tunnel-ip1, saves the file);
#   - the configuration file: refused when writable by group/others, owned by another user, a
#     symbolic link, or in a group/other-writable directory (clear error, non-zero exit); a
#     group/other-readable file is accepted, reduced to owner-only and warned about.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_init
SRC=$MGMTSEC_SOURCE
BIN=$MGMTSEC_BUILD/mgmtsecd
KEEP=0000000000003400 # bits 10 (NET_BIND_SERVICE), 12 (NET_ADMIN), 13 (NET_RAW)

netns_create r1 r2
netns_link r1 r2 198.51.100.1/24 198.51.100.2/24 mgmt0 mgmt0
conf=$NETNS_TMP/r1.conf
mgmtsecd_start r1 "$conf"
pid=$(mgmtsecd_pid r1)
mgmtsec_apply r1 "$SRC/examples/router1.conf" >/dev/null || fail "router1 configuration refused"

capline() { awk -v k="$2:" '$1 == k { print $2 }' "$1"; }
n=0
for st in /proc/"$pid"/task/*/status; do
	for k in CapEff CapPrm CapBnd; do
		[ "$(capline "$st" $k)" = $KEEP ] || fail "$st: $k is $(capline "$st" $k), want $KEEP"
	done
	for k in CapInh CapAmb; do
		[ "$(capline "$st" $k)" = 0000000000000000 ] || fail "$st: $k is $(capline "$st" $k)"
	done
	[ "$(capline "$st" NoNewPrivs)" = 1 ] || fail "$st: no_new_privs not set"
	n=$((n + 1))
done
[ $n -ge 3 ] || fail "expected the main and data-plane threads, found $n"
echo "all $n threads of mgmtsecd: CapEff=CapPrm=CapBnd=$KEEP, CapInh=CapAmb=0, NoNewPrivs=1"
# Work that needs the kept capabilities still happens after the drop: the commit above made the
# TUN device (CAP_NET_ADMIN) and saved the file; the sockets are bound (500: NET_BIND_SERVICE).
ip -n "${NETNS[r1]}" link show tunnel-ip1 >/dev/null || fail "commit could not create tunnel-ip1"
ns_exec r1 ss -uln | grep -q ':500 ' || fail "UDP 500 not bound"
printf 'configure\nhostname perm-test\ncommit\nend\n' >"$NETNS_TMP/h.conf"
mgmtsec_apply r1 "$NETNS_TMP/h.conf" >/dev/null || fail "commit after the drop failed"
grep -q "hostname perm-test" "$conf" || fail "commit after the drop did not save the file"
[ "$(stat -c %a "$conf")" = 600 ] || fail "saved configuration is mode $(stat -c %a "$conf")"
mgmtsecd_stop r1 || fail "daemon did not stop cleanly"

# refused CASE EXPECTED: mgmtsecd must exit non-zero at start with EXPECTED in its log.
refused()
{
	local what=$1 expect=$2 log=$NETNS_TMP/refused.log rc=0
	ns_exec r1 timeout 10 "$BIN" -f "$cfile" -s "$NETNS_TMP/x.sock" -F >"$log" 2>&1 || rc=$?
	[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "$what: daemon started (exit $rc)"
	grep -q -- "$expect" "$log" || fail "$what: log lacks '$expect': $(cat "$log")"
	echo "$what: refused ($(grep -m1 refusing "$log" | sed 's/^[0-9:.]* //'))"
}
cfile=$conf
chmod 666 "$cfile"
refused "world-writable configuration" "writable by group or others"
chmod 620 "$cfile"
refused "group-writable configuration" "writable by group or others"
chmod 600 "$cfile"
chown 65534 "$cfile"
refused "configuration owned by nobody" "owned by uid 65534"
chown 0 "$cfile"
ln -s "$conf" "$NETNS_TMP/link.conf"
cfile=$NETNS_TMP/link.conf
refused "configuration through a symbolic link" "symbolic link"
mkdir "$NETNS_TMP/open"
chmod 777 "$NETNS_TMP/open"
cp "$conf" "$NETNS_TMP/open/r1.conf"
cfile=$NETNS_TMP/open/r1.conf
refused "configuration in a world-writable directory" "directory"

# Readable by others: accepted, fixed, warned about.
chmod 644 "$conf"
mgmtsecd_start r1 "$conf"
[ "$(stat -c %a "$conf")" = 600 ] || fail "group/other-readable configuration not reduced to 0600"
grep -q "readable by group or others" "$(mgmtsecd_log r1)" || fail "no warning about the mode"
mgmtsec_cmd r1 "show running-config" | grep -q "hostname perm-test" ||
	fail "configuration not loaded after the mode fix"
echo "secrets_perm: all checks passed"

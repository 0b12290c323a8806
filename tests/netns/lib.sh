# shellcheck shell=bash
# tests/netns/lib.sh — hosts in network namespaces for mgmtsec's multi-host tests.
#
# Source it from a bash test (`set -euo pipefail` is fine), then call netns_init first:
#
#   . "$(dirname "$0")/../netns/lib.sh"
#   netns_init                      # run id, temp dir, cleanup trap on EXIT/INT/TERM
#   netns_create a b                # two hosts; logical names a, b
#   netns_link a b 198.51.100.1/24 198.51.100.2/24   # veth "veth-b" in a <-> "veth-a" in b
#   ns_exec a ping -c1 198.51.100.2
#
# Everything the test creates (namespaces, processes started through these helpers, captures,
# the temp dir) is removed by netns_cleanup, which the trap runs even when the test fails.
# On a failing exit, the tail of every registered log is printed to stderr first.
#
# Addresses (DESIGN.md "Test hosts"): 198.51.100.0/24 outside, 192.0.2.0/24 inside tunnels,
# 203.0.113.0/24 for a third host, 198.18.0.0/15 for scale tests.
#
# Environment:
#   MGMTSEC_BUILD      build directory holding mgmtsecd and mgmtsec (default <repo>/build)
#   NETNS_KEEP_TMP=1   keep the temp dir (logs, pcaps) after the run; its path is printed
#   NETNS_KILL_GRACE   seconds cleanup waits after SIGTERM before SIGKILL (default 3)
#
# Variables set for the test:
#   NETNS_RUN          unique run id (prefix of every namespace name)
#   NETNS_TMP          this run's temp dir (removed on exit)
#   NETNS[name]        real namespace name of logical host "name"
#   CAP_* (capture_summary) counts of the last summarised capture, see there
#
# Functions:
#   netns_init                         set up run id, temp dir and the cleanup trap
#   netns_create NAME...               create hosts (namespaces) with lo up and forwarding on
#   netns_link A B [ADDR_A ADDR_B] [IF_A IF_B]
#                                      veth pair A<->B (default names veth-B in A, veth-A in B),
#                                      addresses in CIDR form, both ends up
#   netns_addr NAME IFACE CIDR         add an address (e.g. an inner /32 on lo or a dummy)
#   netns_dummy NAME IFACE [CIDR]      add a dummy interface (up) with an optional address
#   ns_exec NAME CMD...                run CMD inside host NAME (foreground)
#   ns_spawn NAME LOG CMD...           run CMD in the background inside NAME, stdout+stderr to LOG;
#                                      the PID is recorded (killed on cleanup) and stored in NS_PID
#   ns_kill PID [GRACE_S]              SIGTERM, wait up to GRACE_S (default 5), then SIGKILL
#   netns_register_pid PID             have cleanup kill PID (e.g. for processes not started here)
#   netns_register_log FILE            print FILE's tail on a failing exit
#   wait_for "DESCRIPTION" TIMEOUT_S CMD...
#                                      poll CMD every 0.1 s; print time taken; return 1 with a
#                                      clear message on timeout (integer seconds); sets
#                                      WAIT_FOR_US (microseconds taken)
#   fail MESSAGE...                    print "FAIL: ..." and exit 1
#   capture_start ID NAME IFACE [BPF]  tcpdump on IFACE in NAME into $NETNS_TMP/ID.pcap
#   capture_stop ID                    stop it (all packets flushed); echoes the pcap path
#   capture_summary ID [MARKER]        print protocols seen and counts; set CAP_TOTAL, CAP_ESP
#                                      (raw + UDP-encapsulated), CAP_ESP_RAW, CAP_ESP_UDP, CAP_IKE,
#                                      CAP_ICMP, CAP_TCP, CAP_UDP, CAP_MARKER (frames containing
#                                      the ASCII MARKER), CAP_CLEAR (frames that are neither ESP,
#                                      IKE, NAT-keepalive nor ARP)
#   mgmtsecd_start NAME CONF [ARGS...] start $MGMTSEC_BUILD/mgmtsecd -f CONF -s SOCK -F [ARGS] in
#                                      NAME, log $NETNS_TMP/mgmtsecd-NAME.log, wait for the socket
#   mgmtsecd_stop NAME [GRACE_S]       SIGTERM then SIGKILL; returns the daemon's exit status
#   mgmtsecd_sock NAME                 echo the control socket path of NAME's daemon
#   mgmtsecd_log NAME                  echo its log path
#   mgmtsecd_pid NAME                  echo its PID
#   mgmtsecd_alive NAME                true while NAME's daemon runs
#   mgmtsec_apply NAME FILE            pipe FILE into `mgmtsec -s SOCK` inside NAME
#   mgmtsec_cmd NAME CMD...            `mgmtsec -s SOCK -c CMD1 -c CMD2 ...` inside NAME
#   seed_config N                      print examples/routerN.conf's configuration lines (without
#                                      `configure`/`commit`): a config file mgmtsecd loads at start

NETNS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MGMTSEC_SOURCE=${MGMTSEC_SOURCE:-$(cd "$NETNS_LIB_DIR/../.." && pwd)}
MGMTSEC_BUILD=${MGMTSEC_BUILD:-$MGMTSEC_SOURCE/build}

declare -gA NETNS=()
declare -ga _NETNS_ORDER=() _NETNS_PIDS=() _NETNS_LOGS=()
declare -gA _NETNS_PID_NSINO=() _CAP_PID=() _CAP_FILE=() _MGMTSECD_PID=()
_NETNS_CLEANED=0

netns_log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }

fail()
{
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# Leftovers of runs that died without cleaning up (SIGKILL, e.g. a ctest timeout): names carry
# the owner's PID (mst<PID>r<RANDOM>); when that PID is gone, its namespaces and temp dir go too.
# Processes are never killed here.
_netns_sweep_stale()
{
	local n pid d
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^mst[0-9]+r[0-9]+-'); do
		pid=${n#mst}
		pid=${pid%%r*}
		[ -d "/proc/$pid" ] || ip netns del "$n" 2>/dev/null || true
	done
	for d in /tmp/mgmtsec-mst[0-9]*r[0-9]*.*; do
		[ -d "$d" ] || continue
		pid=${d#/tmp/mgmtsec-mst}
		pid=${pid%%r*}
		[ -d "/proc/$pid" ] || [ -e "$d/.keep" ] || rm -rf "$d"
	done
}

netns_init()
{
	[ "$(id -u)" = 0 ] || {
		echo "SKIP: netns tests need root" >&2
		exit 77
	}
	_netns_sweep_stale
	NETNS_RUN="mst$$r$RANDOM"
	NETNS_TMP=$(mktemp -d "/tmp/mgmtsec-$NETNS_RUN.XXXXXX")
	chmod 755 "$NETNS_TMP" # tcpdump/charon may look at it from another mount namespace
	trap 'netns_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	netns_log "run $NETNS_RUN, temp dir $NETNS_TMP"
}

_netns_need()
{
	[ -n "${NETNS[$1]:-}" ] || {
		echo "netns: unknown host '$1' (netns_create it first)" >&2
		return 1
	}
}

netns_create()
{
	local n real
	for n in "$@"; do
		real="$NETNS_RUN-$n"
		ip netns add "$real"
		NETNS[$n]=$real
		_NETNS_ORDER+=("$n")
		ip -n "$real" link set lo up
		ip netns exec "$real" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
}

netns_link()
{
	local a=$1 b=$2 addr_a=${3:-} addr_b=${4:-}
	local if_a=${5:-veth-$b} if_b=${6:-veth-$a}
	_netns_need "$a" && _netns_need "$b" || return 1
	if_a=${if_a:0:15}
	if_b=${if_b:0:15}
	# Created directly inside both namespaces: no name ever appears in the root namespace.
	ip link add "$if_a" netns "${NETNS[$a]}" type veth peer name "$if_b" netns "${NETNS[$b]}"
	[ -z "$addr_a" ] || ip -n "${NETNS[$a]}" addr add "$addr_a" dev "$if_a"
	[ -z "$addr_b" ] || ip -n "${NETNS[$b]}" addr add "$addr_b" dev "$if_b"
	ip -n "${NETNS[$a]}" link set "$if_a" up
	ip -n "${NETNS[$b]}" link set "$if_b" up
}

netns_addr()
{
	_netns_need "$1" || return 1
	ip -n "${NETNS[$1]}" addr add "$3" dev "$2"
}

netns_dummy()
{
	_netns_need "$1" || return 1
	ip -n "${NETNS[$1]}" link add "$2" type dummy
	ip -n "${NETNS[$1]}" link set "$2" up
	[ -z "${3:-}" ] || ip -n "${NETNS[$1]}" addr add "$3" dev "$2"
}

ns_exec()
{
	local n=$1
	shift
	_netns_need "$n" || return 1
	ip netns exec "${NETNS[$n]}" "$@"
}

_netns_nsino() { stat -L -c %i "/proc/$1/ns/net" 2>/dev/null; }

netns_register_pid()
{
	_NETNS_PIDS+=("$1")
	_NETNS_PID_NSINO[$1]=$(_netns_nsino "$1" || echo gone)
}

netns_register_log() { _NETNS_LOGS+=("$1"); }

# `ip netns exec` and `unshare` exec without forking, so $! is the command's own PID.
ns_spawn()
{
	local n=$1 log=$2
	shift 2
	_netns_need "$n" || return 1
	ip netns exec "${NETNS[$n]}" "$@" </dev/null >"$log" 2>&1 &
	NS_PID=$!
	_NETNS_PIDS+=("$NS_PID")
	netns_register_log "$log"
	# The inode is read once the exec has happened (the namespace switch is immediate).
	local _
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(readlink "/proc/$NS_PID/ns/net" 2>/dev/null)" != "$(readlink /proc/$$/ns/net)" ] && break
		sleep 0.01
	done
	_NETNS_PID_NSINO[$NS_PID]=$(_netns_nsino "$NS_PID" || echo gone)
}

_netns_pid_ours()
{
	local ino
	ino=$(_netns_nsino "$1") || return 1
	[ "$ino" = "${_NETNS_PID_NSINO[$1]:-}" ]
}

ns_kill()
{
	local pid=$1 grace=${2:-5} t=0
	_netns_pid_ours "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
		if [ "$t" -ge $((grace * 20)) ]; then
			netns_log "pid $pid ignored SIGTERM for ${grace}s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.05
		t=$((t + 1))
	done
	wait "$pid" 2>/dev/null || true
}

# Microseconds since the epoch, from bash's own clock (no fork).
_netns_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$((10#$t))"; }

_netns_secs() { printf '%d.%03d' $(($1 / 1000000)) $(($1 % 1000000 / 1000)); }

wait_for()
{
	local what=$1 timeout=$2
	shift 2
	local start limit now
	start=$(_netns_us)
	limit=$((start + ${timeout%.*} * 1000000))
	while :; do
		if "$@" >/dev/null 2>&1; then
			now=$(_netns_us)
			printf 'wait_for: %s: ok after %s s\n' "$what" "$(_netns_secs $((now - start)))" >&2
			WAIT_FOR_US=$((now - start))
			return 0
		fi
		now=$(_netns_us)
		if [ "$now" -ge "$limit" ]; then
			printf 'wait_for: %s: TIMEOUT after %s s (condition: %s)\n' "$what" "$timeout" "$*" >&2
			return 1
		fi
		sleep 0.1
	done
}

# ---- captures --------------------------------------------------------------------------------

capture_start()
{
	local id=$1 n=$2 ifc=$3
	shift 3
	local f="$NETNS_TMP/$id.pcap" log="$NETNS_TMP/$id.tcpdump.log"
	# -Z root: write the file without dropping to the tcpdump user; -U and --immediate-mode:
	# every packet reaches the file at once (without them, SIGINT loses what is still buffered).
	ns_spawn "$n" "$log" tcpdump -i "$ifc" -n -U --immediate-mode -B 32768 -s 0 -Z root -w "$f" "$@"
	_CAP_PID[$id]=$NS_PID
	_CAP_FILE[$id]=$f
	wait_for "capture $id on $n/$ifc listening" 10 grep -q 'listening on' "$log"
}

capture_stop()
{
	local id=$1 pid=${_CAP_PID[$1]:-}
	[ -n "$pid" ] || {
		echo "capture_stop: no capture '$id'" >&2
		return 1
	}
	# Let the last packets through the capture path, then SIGINT: tcpdump flushes and closes.
	sleep 0.2
	kill -INT "$pid" 2>/dev/null || true
	local t=0
	while kill -0 "$pid" 2>/dev/null && [ $t -lt 100 ]; do
		sleep 0.05
		t=$((t + 1))
	done
	ns_kill "$pid" 1
	unset "_CAP_PID[$id]"
	echo "${_CAP_FILE[$id]}"
}

capture_summary()
{
	local id=$1 marker=${2:-} f=${_CAP_FILE[$1]:-}
	[ -n "$f" ] && [ -f "$f" ] || {
		echo "capture_summary: no pcap for '$id'" >&2
		return 1
	}
	# One dissection pass: the protocol chain, IP protocol and UDP length of every frame.
	local rows protos counts
	rows=$(tshark -r "$f" -T fields -E separator=' ' -e frame.protocols -e ip.proto \
		-e udp.length 2>/dev/null || true) # a capture cut short still has its frames
	protos=$(printf '%s\n' "$rows" | awk 'NF {print $1}' | sort | uniq -c | sort -rn)
	counts=$(printf '%s\n' "$rows" | awk '
		NF == 0 { next }
		{
			tot++; p = $1 ":"; esp = index(p, ":esp:") > 0; ike = index(p, ":isakmp:") > 0
			ka = index(p, ":udp:") > 0 && $3 == 9
			if ($2 == 50) raw++
			else if (esp) udp++
			if (ike) nike++
			if (index(p, ":icmp:")) icmp++
			if (index(p, ":tcp:")) tcp++
			if (index(p, ":udp:")) nudp++
			if (!(esp || $2 == 50 || ike || ka || index(p, ":arp:"))) clear++
		}
		END { printf "%d %d %d %d %d %d %d %d\n", tot, raw, udp, nike, icmp, tcp, nudp, clear }')
	read -r CAP_TOTAL CAP_ESP_RAW CAP_ESP_UDP CAP_IKE CAP_ICMP CAP_TCP CAP_UDP CAP_CLEAR <<<"$counts"
	CAP_ESP=$((CAP_ESP_RAW + CAP_ESP_UDP))
	CAP_MARKER=0
	[ -z "$marker" ] || CAP_MARKER=$( (tshark -r "$f" -Y "frame contains \"$marker\"" \
		-T fields -e frame.number 2>/dev/null || true) | wc -l)
	{
		echo "capture $id ($f): $CAP_TOTAL frames"
		echo "  protocols seen (frames, dissector chain):"
		printf '%s\n' "$protos" | sed 's/^/    /'
		echo "  ESP=$CAP_ESP (raw=$CAP_ESP_RAW udp4500=$CAP_ESP_UDP) IKE=$CAP_IKE ICMP=$CAP_ICMP" \
			"TCP=$CAP_TCP UDP=$CAP_UDP clear(other than ESP/IKE/keepalive/ARP)=$CAP_CLEAR" \
			${marker:+"marker('$marker')=$CAP_MARKER"}
	} >&2
}

# ---- mgmtsecd / mgmtsec ----------------------------------------------------------------------

mgmtsecd_sock() { echo "$NETNS_TMP/$1.mgmtsecd.sock"; }
mgmtsecd_log() { echo "$NETNS_TMP/mgmtsecd-$1.log"; }
mgmtsecd_pid() { echo "${_MGMTSECD_PID[$1]:-}"; }

mgmtsecd_alive()
{
	local pid=${_MGMTSECD_PID[$1]:-}
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

_mgmtsecd_ready() { [ -S "$2" ] && mgmtsecd_alive "$1"; }

mgmtsecd_start()
{
	local n=$1 conf=$2
	shift 2
	local bin="$MGMTSEC_BUILD/mgmtsecd" sock log
	sock=$(mgmtsecd_sock "$n")
	log=$(mgmtsecd_log "$n")
	[ -x "$bin" ] || {
		echo "mgmtsecd_start: $bin not built" >&2
		return 1
	}
	rm -f "$sock"
	ns_spawn "$n" "$log" "$bin" -f "$conf" -s "$sock" -F "$@"
	_MGMTSECD_PID[$n]=$NS_PID
	if ! wait_for "mgmtsecd on $n serving $sock" 20 _mgmtsecd_ready "$n" "$sock"; then
		echo "---- $log" >&2
		tail -n 30 "$log" >&2 || true
		return 1
	fi
}

mgmtsecd_stop()
{
	local n=$1 grace=${2:-5} pid=${_MGMTSECD_PID[$1]:-} rc=0
	[ -n "$pid" ] || return 0
	unset "_MGMTSECD_PID[$n]"
	kill -TERM "$pid" 2>/dev/null || true
	local t=0
	while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
		if [ $t -ge $((grace * 20)) ]; then
			netns_log "mgmtsecd on $n ignored SIGTERM for ${grace}s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.05
		t=$((t + 1))
	done
	wait "$pid" 2>/dev/null || rc=$?
	return $rc
}

mgmtsec_apply()
{
	local n=$1 file=$2
	ns_exec "$n" "$MGMTSEC_BUILD/mgmtsec" -s "$(mgmtsecd_sock "$n")" <"$file"
}

seed_config()
{
	sed -n '/^configure/,/^commit/p' "$MGMTSEC_SOURCE/examples/router$1.conf" |
		grep -v '^configure\|^commit'
}

mgmtsec_cmd()
{
	local n=$1 c
	shift
	local args=()
	for c in "$@"; do args+=(-c "$c"); done
	ns_exec "$n" "$MGMTSEC_BUILD/mgmtsec" -s "$(mgmtsecd_sock "$n")" "${args[@]}" </dev/null
}

# ---- cleanup ---------------------------------------------------------------------------------

netns_cleanup()
{
	local rc=$?
	[ "$_NETNS_CLEANED" = 0 ] || return "$rc"
	_NETNS_CLEANED=1
	set +e
	# A second INT/TERM (impatient user, ctest timeout) must not cut the cleanup short.
	trap - EXIT
	trap '' INT TERM
	local f pid n real p
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		for f in "${_NETNS_LOGS[@]}"; do
			[ -s "$f" ] || continue
			echo "---- last lines of $f" >&2
			tail -n 25 "$f" >&2
		done
	fi
	for n in "${!_CAP_PID[@]}"; do kill -INT "${_CAP_PID[$n]}" 2>/dev/null; done
	for pid in "${_NETNS_PIDS[@]}"; do
		_netns_pid_ours "$pid" && kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${_NETNS_PIDS[@]}"; do ns_kill "$pid" "${NETNS_KILL_GRACE:-3}"; done
	# Safety net: anything still living in one of this run's namespaces was started by this test.
	for n in "${_NETNS_ORDER[@]}"; do
		real=${NETNS[$n]}
		for p in $(ip netns pids "$real" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	done
	for n in "${_NETNS_ORDER[@]}"; do
		ip netns del "${NETNS[$n]}" 2>/dev/null
	done
	if [ -n "${NETNS_TMP:-}" ] && [ -d "$NETNS_TMP" ]; then
		if [ "${NETNS_KEEP_TMP:-0}" = 1 ]; then
			touch "$NETNS_TMP/.keep" # later runs' stale sweep leaves it alone
			netns_log "kept $NETNS_TMP"
		else
			rm -rf "$NETNS_TMP"
		fi
	fi
	return "$rc"
}

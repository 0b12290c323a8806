# shellcheck shell=bash
# tests/interop/lib.sh — strongSwan (Debian 5.9.8 charon + kernel-libipsec) as a test peer.
#
# Sources tests/netns/lib.sh (call netns_init, netns_create, netns_link first). Each host runs at
# most one charon, with its own files under $NETNS_TMP/sw-HOST/ (strongswan.conf, swanctl/,
# charon.vici, charon.log), a private tmpfs over /run (5.9.8 hard-codes /var/run/charon.pid) and
# the settings of ../shared/reference/strongswan-peer.md: plugin list with kernel-libipsec before
# kernel-netlink and kdf, fwmark 0x2a on the IKE/ESP socket with the table-220 rule skipping it,
# threads = 32, DoS thresholds raised.
#
# Example (two strongSwan hosts; for mgmtsec interop, run mgmtsecd on one of them instead):
#   netns_create a b; netns_link a b 198.51.100.1/24 198.51.100.2/24
#   netns_addr a lo 192.0.2.1/32; netns_addr b lo 192.0.2.2/32
#   sw_start a; sw_start b
#   sw_conn a local=198.51.100.1 remote=198.51.100.2 psk=secret \
#       ike=aes256-sha256-prfsha256-ecp256 esp=aes256-sha256
#   sw_conn b local=198.51.100.2 remote=198.51.100.1 psk=secret ...
#   sw_load a; sw_load b
#   sw_initiate a
#   wait_for "child SA installed on a" 30 sw_child_installed a
#   ns_exec a ping -c3 -I 192.0.2.1 192.0.2.2
#
# Functions:
#   sw_start HOST [log=N] [keys=1]   write strongswan.conf and start charon in HOST; wait for its
#                                    vici socket. log=N: default filelog level (1); keys=1: ike and
#                                    chd at level 4, so the log holds IKE and ESP keys (for tshark)
#   sw_stop HOST                     SIGTERM the recorded charon PID (then SIGKILL)
#   sw_pid HOST                      echo charon's PID
#   sw_dir HOST / sw_log HOST / sw_uri HOST
#                                    echo the instance dir, log file, vici URI
#   sw_conn HOST key=value...        write HOST's swanctl.conf for one route-based connection
#        name=tun           connection and child name (default tun)
#        local= remote=     outer addresses; also the IKE identities unless local_id= remote_id=
#        ike=               IKE proposal (default aes256-sha256-prfsha256-ecp256)
#        esp=               ESP proposal (default aes256-sha256)
#        local_ts= remote_ts=  traffic selectors (default 0.0.0.0/0 both)
#        start_action=      none (default) | start (| trap: broken with libipsec 5.9.8, below)
#        auth=psk psk=S     pre-shared key (default auth=psk)
#        auth=pubkey cert=F key=F cacert=F   certificates (PEM, see sw_pki_host); remote cert must
#                           chain to cacert and carry the peer's IP as subjectAltName
#        rekey_time= life_time= (IKE) child_rekey= child_life= dpd=   optional, swanctl syntax
#        encap=yes          force UDP encapsulation (libipsec does it anyway)
#   sw_load HOST                     swanctl --load-all
#   sw_initiate HOST [CHILD] [IKE]   swanctl --initiate (blocking, timeout 30 s)
#   sw_terminate HOST [IKE]          swanctl --terminate --ike NAME
#   sw_list_sas HOST                 swanctl --list-sas --raw (one line per SA; raw vici form)
#   The next five read the first IKE SA listed and its first Child SA (one connection per
#   instance is this library's model; use sw_list_sas for more):
#   sw_ike_state HOST                echo the IKE SA state (ESTABLISHED, CONNECTING...) or nothing
#   sw_child_state HOST              echo the Child SA state (INSTALLED, ...) or nothing
#   sw_child_installed HOST          true when the Child SA is INSTALLED (use with wait_for)
#   sw_esp_spis HOST                 echo "SPI_IN SPI_OUT" (hex, 8 digits) of the child
#   sw_child_algs HOST               echo the child's "ENCR KEYSIZE INTEG", e.g. "AES_GCM_16 256 -"
#   sw_field HOST KEY [child]        echo the first KEY=value of the IKE SA (or, with "child", of its
#                                    first Child SA) from list-sas, e.g. sw_field a packets-in child,
#                                    sw_field a encr-alg, sw_field a remote-port
#   sw_pki_ca DIR [ecdsa|rsa]        make a CA (DIR/ca.pem, DIR/ca.key); ECDSA P-256 or RSA-2048
#   sw_pki_host DIR NAME IP [ecdsa|rsa]
#                                    host cert DIR/NAME.pem, key DIR/NAME.key (PEM), subjectAltName
#                                    and CN = IP, signed by the CA in DIR
#
# Pitfalls with Debian's strongSwan 5.9.8 + kernel-libipsec, measured here (see also
# ../shared/reference/strongswan-peer.md):
#   - Routing: charon creates TUN "ipsec0" (MTU 1400, fixed) and, per installed Child SA, routes
#     for remote_ts in table 220 (rule 220 "not from all fwmark 0x2a lookup 220"): with remote_ts
#     0.0.0.0/0 that is "default dev ipsec0" plus "throw <peer outer address>". No route src is
#     set for 0.0.0.0/0 selectors; the kernel then picks the first usable address, and lo's come
#     first: so put the inner address on lo as a /32 (netns_addr a lo 192.0.2.1/32) and the
#     inner ping leaves from it. Pass -I INNER anyway (iperf3 -B INNER) to be explicit. With /32
#     selectors charon sets "src" itself ("192.0.2.2 dev ipsec0 proto static src 192.0.2.1").
#   - fwmark: socket-default marks IKE and ESP-in-UDP with 0x2a and the table-220 rule skips
#     that mark; without it the 0.0.0.0/0 route sends IKE into ipsec0 and the SA never
#     rekeys/deletes. Non-charon traffic to the peer's outer address also goes through table 220
#     but hits the "throw" route and uses main: outer pings still work while the tunnel is up.
#   - Data plane: ESP is always UDP 4500 (libipsec fakes NAT detection); IKE floats to 4500 at
#     IKE_AUTH. No raw ESP (proto 50) is ever sent or accepted: interop exercises RFC 3948 only.
#   - MTU: ipsec0 is 1400, so inner packets up to 1400 bytes pass (ping -s 1372 -M do works,
#     -s 1373 fails locally with "message too long, mtu=1400"); the ESP-in-UDP packet for a
#     1400-byte inner packet is about 1470-1490 bytes, under the 1500 of the veth. TCP MSS
#     follows the route MTU (1360).
#   - start_action=trap does NOT work with kernel-libipsec 5.9.8: packets hit the trap policy and
#     are dropped ("could not find an outbound IPsec SA for reqid {1}, dropping packet"), no
#     acquire, no IKE. Use start_action=start (charon initiates on load) or sw_initiate.
#   - A connection must be loaded on the responder before the initiator starts, or the first
#     IKE_SA_INIT is answered with NO_PROPOSAL_CHOSEN/AUTH failure ("no IKE config found").
#   - swanctl needs --uri for every command (vici socket per instance) and STRONGSWAN_CONF +
#     SWANCTL_DIR in its environment; sw_* do that. swanctl --initiate blocks until the Child SA
#     is up or fails (--timeout 30 here); --list-sas --raw gives one parseable line per IKE SA.
#   - charon writes /var/run/charon.pid; hence the private tmpfs over /run (unshare -m). The
#     PID recorded is charon's own ('ip netns exec', 'unshare' and 'sh -c exec' do not fork).
#   - Per-instance files live in $NETNS_TMP/sw-HOST/; charon.log (filelog level 1, or 4 for
#     ike/chd with keys=1, which logs IKE and ESP keys for tshark) is printed on failure.

SW_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../netns/lib.sh
. "$SW_LIB_DIR/../netns/lib.sh"

SW_CHARON=${SW_CHARON:-/usr/lib/ipsec/charon}
declare -gA _SW_PID=() _SW_CONN=()

sw_dir() { echo "$NETNS_TMP/sw-$1"; }
sw_log() { echo "$NETNS_TMP/sw-$1/charon.log"; }
sw_uri() { echo "unix://$NETNS_TMP/sw-$1/charon.vici"; }
sw_pid() { echo "${_SW_PID[$1]:-}"; }

_sw_conf()
{
	local d=$1 level=$2 keys=$3 ikelvl=$2
	[ "$keys" = 1 ] && ikelvl=4
	cat <<EOF
# written by tests/interop/lib.sh
charon {
	load = random nonce openssl kdf pem pkcs1 pkcs8 x509 pubkey revocation constraints kernel-libipsec kernel-netlink socket-default vici
	load_modular = no
	threads = 32
	port = 500
	port_nat_t = 4500
	retransmit_tries = 3
	retransmit_timeout = 2.0
	cookie_threshold = 100000
	cookie_threshold_ip = 100000
	block_threshold = 100000
	init_limit_half_open = 0
	install_virtual_ip = no
	plugins {
		vici {
			socket = unix://$d/charon.vici
		}
		socket-default {
			fwmark = 0x2a
		}
		kernel-netlink {
			fwmark = !0x2a
		}
		revocation {
			enable_ocsp = no
			enable_crl = no
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
	filelog {
		sw {
			path = $d/charon.log
			time_format = %T
			ike_name = yes
			flush_line = yes
			default = $level
			ike = $ikelvl
			chd = $ikelvl
		}
	}
}
EOF
}

_sw_vici_up() { [ -S "$(sw_dir "$1")/charon.vici" ] && _sw_swanctl "$1" --stats; }

sw_start()
{
	local h=$1 level=1 keys=0 a
	shift
	for a in "$@"; do
		case $a in
		log=*) level=${a#log=} ;;
		keys=*) keys=${a#keys=} ;;
		*) echo "sw_start: unknown option $a" >&2 && return 1 ;;
		esac
	done
	local d
	d=$(sw_dir "$h")
	mkdir -p "$d"/swanctl/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,private,ecdsa,rsa,pubkey,bliss,pkcs8,pkcs12}
	_sw_conf "$d" "$level" "$keys" >"$d/strongswan.conf"
	: >"$d/swanctl/swanctl.conf"
	netns_register_log "$d/charon.log"
	# unshare execs without forking, and so does `sh -c exec`: NS_PID is charon itself.
	STRONGSWAN_CONF="$d/strongswan.conf" ns_spawn "$h" "$d/charon.stdout" \
		unshare -m sh -c 'mount -t tmpfs tmpfs /run && exec "$0"' "$SW_CHARON"
	_SW_PID[$h]=$NS_PID
	wait_for "charon on $h answering on vici" 20 _sw_vici_up "$h" || return 1
}

sw_stop()
{
	local pid=${_SW_PID[$1]:-}
	[ -n "$pid" ] || return 0
	ns_kill "$pid" 5
	unset "_SW_PID[$1]"
}

_sw_swanctl()
{
	local h=$1 cmd=$2 d
	shift 2
	d=$(sw_dir "$h")
	STRONGSWAN_CONF="$d/strongswan.conf" SWANCTL_DIR="$d/swanctl" \
		ns_exec "$h" swanctl "$cmd" --uri "$(sw_uri "$h")" "$@"
}

sw_conn()
{
	local h=$1
	shift
	local -A o=([name]=tun [ike]=aes256-sha256-prfsha256-ecp256 [esp]=aes256-sha256
		[local_ts]=0.0.0.0/0 [remote_ts]=0.0.0.0/0 [start_action]=none [auth]=psk [psk]=""
		[cert]="" [key]="" [cacert]="" [local]="" [remote]="" [local_id]="" [remote_id]=""
		[rekey_time]="" [life_time]="" [child_rekey]="" [child_life]="" [dpd]="" [encap]=no)
	local a k
	for a in "$@"; do
		k=${a%%=*}
		[ -n "${o[$k]+x}" ] || {
			echo "sw_conn: unknown key $k" >&2
			return 1
		}
		o[$k]=${a#*=}
	done
	[ -n "${o[local]}" ] && [ -n "${o[remote]}" ] || {
		echo "sw_conn: local= and remote= are required" >&2
		return 1
	}
	local lid=${o[local_id]:-${o[local]}} rid=${o[remote_id]:-${o[remote]}}
	local d n=${o[name]} lauth
	d=$(sw_dir "$h")/swanctl
	_SW_CONN[$h]=$n
	if [ "${o[auth]}" = pubkey ]; then
		cp "${o[cert]}" "$d/x509/local.pem"
		cp "${o[key]}" "$d/private/local.pem"
		cp "${o[cacert]}" "$d/x509ca/ca.pem"
		lauth="auth = pubkey
			certs = local.pem"
	else
		lauth="auth = psk"
	fi
	{
		cat <<EOF
# written by tests/interop/lib.sh
connections {
	$n {
		version = 2
		local_addrs = ${o[local]}
		remote_addrs = ${o[remote]}
		proposals = ${o[ike]}
		encap = ${o[encap]}
		${o[rekey_time]:+rekey_time = ${o[rekey_time]}}
		${o[life_time]:+over_time = ${o[life_time]}}
		${o[dpd]:+dpd_delay = ${o[dpd]}}
		local {
			$lauth
			id = $lid
		}
		remote {
			auth = ${o[auth]}
			id = $rid
		}
		children {
			$n {
				mode = tunnel
				local_ts = ${o[local_ts]}
				remote_ts = ${o[remote_ts]}
				esp_proposals = ${o[esp]}
				start_action = ${o[start_action]}
				${o[child_rekey]:+rekey_time = ${o[child_rekey]}}
				${o[child_life]:+life_time = ${o[child_life]}}
			}
		}
	}
}
EOF
		if [ "${o[auth]}" = psk ]; then
			cat <<EOF
secrets {
	ike-$n {
		id-1 = $lid
		id-2 = $rid
		secret = "${o[psk]}"
	}
}
EOF
		fi
	} >"$d/swanctl.conf"
}

sw_load() { _sw_swanctl "$1" --load-all --noprompt; }

sw_initiate()
{
	local h=$1 c=${2:-${_SW_CONN[$1]:-tun}}
	local i=${3:-$c}
	_sw_swanctl "$h" --initiate --child "$c" --ike "$i" --timeout 30
}

sw_terminate()
{
	local h=$1 i=${2:-${_SW_CONN[$1]:-tun}}
	_sw_swanctl "$h" --terminate --ike "$i" --timeout 10
}

sw_list_sas() { _sw_swanctl "$1" --list-sas --raw; }

# The raw form is "list-sa event {NAME {k=v k=v child-sas {CHILD-ID {k=v ...}}}}" per IKE SA.
# sw_field HOST KEY [child]: first value of KEY in the IKE SA part, or in the child part.
sw_field()
{
	local h=$1 key=$2 child=${3:-}
	sw_list_sas "$h" 2>/dev/null | awk -v key="$key" -v child="$child" '
		{
			s = $0
			if (child != "") {
				i = index(s, "child-sas {")
				if (!i) next
				s = substr(s, i)
			} else {
				i = index(s, "child-sas {")
				if (i) s = substr(s, 1, i)
			}
			n = split(s, t, /[ {}]+/)
			for (j = 1; j <= n; j++)
				if (index(t[j], key "=") == 1) { print substr(t[j], length(key) + 2); exit }
		}'
}

_sw_field() { sw_field "$@"; } # old name

sw_ike_state() { sw_field "$1" state; }
sw_child_state() { sw_field "$1" state child; }
sw_child_installed() { [ "$(sw_child_state "$1")" = INSTALLED ]; }

sw_esp_spis()
{
	local in out
	in=$(sw_field "$1" spi-in child)
	out=$(sw_field "$1" spi-out child)
	[ -n "$in" ] && [ -n "$out" ] || return 1
	echo "$in $out"
}

sw_child_algs()
{
	local e k i
	e=$(sw_field "$1" encr-alg child)
	k=$(sw_field "$1" encr-keysize child)
	i=$(sw_field "$1" integ-alg child)
	echo "$e ${k:--} ${i:--}"
}

# Key type for sw_pki_*: ecdsa (P-256, default) or rsa (2048 bits).
_sw_pki_gen()
{
	case ${1:-ecdsa} in
	rsa) pki --gen --type rsa --size 2048 --outform pem ;;
	*) pki --gen --type ecdsa --size 256 --outform pem ;;
	esac
}

# pki with a fixed plugin list (the system list drags in tpm, which warns on every call).
pki()
{
	local c="${NETNS_TMP:-/tmp}/pki-strongswan.conf"
	[ -f "$c" ] || printf 'pki {\n\tload = random nonce openssl pem pkcs1 pkcs8 x509 pubkey\n}\n' >"$c"
	STRONGSWAN_CONF=$c command pki "$@"
}

sw_pki_ca()
{
	local d=$1 type=${2:-ecdsa}
	mkdir -p "$d"
	_sw_pki_gen "$type" >"$d/ca.key"
	pki --self --ca --lifetime 30 --in "$d/ca.key" --type "$type" \
		--dn "C=XX, O=mgmtsec test, CN=mgmtsec test CA" --outform pem >"$d/ca.pem"
}

sw_pki_host()
{
	local d=$1 name=$2 ip=$3 type=${4:-ecdsa}
	_sw_pki_gen "$type" >"$d/$name.key"
	pki --pub --in "$d/$name.key" --type "$type" |
		pki --issue --lifetime 30 --cacert "$d/ca.pem" --cakey "$d/ca.key" --type pub \
			--dn "C=XX, O=mgmtsec test, CN=$ip" --san "$ip" --outform pem >"$d/$name.pem"
}

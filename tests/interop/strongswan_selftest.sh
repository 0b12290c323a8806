#!/usr/bin/env bash
# Self-test of tests/interop/lib.sh: two strongSwan 5.9.8 charons (kernel-libipsec) in two
# namespaces, PSK, route-based 0.0.0.0/0 selectors. For each algorithm set: the tunnel comes up,
# both sides agree on the SPIs (crossed) and algorithms, ping between the inner addresses passes,
# the outer veth carries only IKE and ESP in UDP 4500 (no clear ICMP, no inner marker), and the
# SAs go away on terminate. Proves CI has a working strongSwan peer for the mgmtsec interop tests.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
netns_init
command -v "$SW_CHARON" >/dev/null || {
	echo "SKIP: $SW_CHARON not installed (scripts/deps installs strongSwan)" >&2
	exit 77
}

netns_create a b
netns_link a b 198.51.100.1/24 198.51.100.2/24
netns_addr a lo 192.0.2.1/32
netns_addr b lo 192.0.2.2/32
sw_start a
sw_start b

MARK=MGMTSECMARK
PAT=$(printf %s "$MARK" | od -An -tx1 | tr -d ' \n')
PSK="selftest-$RANDOM$RANDOM"

# run_case LABEL IKE ESP EXPECTED_ENCR EXPECTED_INTEG [AUTH_A AUTH_B]
# AUTH_A/AUTH_B: extra sw_conn arguments for a and b (default: the PSK).
run_case()
{
	local label=$1 ike=$2 esp=$3 want_encr=$4 want_integ=$5
	local auth_a=${6:-psk=$PSK} auth_b=${7:-psk=$PSK}
	echo "==== $label: IKE $ike, ESP $esp, ${auth_a%%=*}" >&2
	# shellcheck disable=SC2086 # auth_* are word lists on purpose
	sw_conn a name="$label" local=198.51.100.1 remote=198.51.100.2 ike="$ike" esp="$esp" $auth_a
	# shellcheck disable=SC2086
	sw_conn b name="$label" local=198.51.100.2 remote=198.51.100.1 ike="$ike" esp="$esp" $auth_b
	sw_load a >/dev/null
	sw_load b >/dev/null

	capture_start "$label" a veth-b
	sw_initiate a >"$NETNS_TMP/$label.initiate.log" 2>&1 ||
		fail "$label: swanctl --initiate failed: $(tail -5 "$NETNS_TMP/$label.initiate.log")"
	wait_for "$label: child SA installed on a" 60 sw_child_installed a || fail "$label: a not up"
	wait_for "$label: child SA installed on b" 60 sw_child_installed b || fail "$label: b not up"
	[ "$(sw_ike_state a)" = ESTABLISHED ] || fail "$label: IKE SA on a is '$(sw_ike_state a)'"

	local sa sb
	sa=$(sw_esp_spis a) && sb=$(sw_esp_spis b) || fail "$label: no SPIs listed"
	read -r ain aout <<<"$sa"
	read -r bin bout <<<"$sb"
	[ "$ain" = "$bout" ] && [ "$aout" = "$bin" ] ||
		fail "$label: SPIs not crossed: a in/out $ain/$aout, b in/out $bin/$bout"
	local algs_a algs_b
	algs_a=$(sw_child_algs a)
	algs_b=$(sw_child_algs b)
	[ "$algs_a" = "$algs_b" ] || fail "$label: algorithms differ: a '$algs_a' b '$algs_b'"
	[ "$algs_a" = "$want_encr 256 $want_integ" ] ||
		fail "$label: child algorithms '$algs_a', expected '$want_encr 256 $want_integ'"
	echo "$label: SPIs a in/out $ain/$aout, algorithms $algs_a" >&2

	ns_exec a ping -c 5 -i 0.2 -W 3 -I 192.0.2.1 -p "$PAT" 192.0.2.2 >"$NETNS_TMP/$label.ping" ||
		fail "$label: ping 192.0.2.1 -> 192.0.2.2 through the tunnel failed: $(cat "$NETNS_TMP/$label.ping")"
	grep -E 'rtt|packets' "$NETNS_TMP/$label.ping" >&2
	ns_exec b ping -c 3 -i 0.2 -W 3 -I 192.0.2.2 192.0.2.1 >/dev/null ||
		fail "$label: ping b -> a through the tunnel failed"
	# The inner packets really went through the tunnel: the child counted them both ways.
	local pin pout
	pin=$(sw_field a packets-in child)
	pout=$(sw_field a packets-out child)
	[ "${pin:-0}" -ge 8 ] && [ "${pout:-0}" -ge 8 ] ||
		fail "$label: child SA on a counted $pin in / $pout out, expected >= 8 each"

	capture_stop "$label" >/dev/null
	capture_summary "$label" "$MARK"
	[ "$CAP_ESP_UDP" -ge 16 ] || fail "$label: $CAP_ESP_UDP ESP-in-UDP frames on the veth, expected >= 16"
	[ "$CAP_ESP_RAW" = 0 ] || fail "$label: raw ESP seen; libipsec 5.9.8 should only send UDP 4500"
	[ "$CAP_IKE" -ge 4 ] || fail "$label: $CAP_IKE IKE frames, expected >= 4 (INIT + AUTH)"
	[ "$CAP_ICMP" = 0 ] || fail "$label: $CAP_ICMP clear ICMP frames on the outer veth"
	[ "$CAP_MARKER" = 0 ] || fail "$label: inner marker seen in clear $CAP_MARKER times"
	[ "$CAP_CLEAR" = 0 ] || fail "$label: $CAP_CLEAR frames other than IKE/ESP/keepalive/ARP"
	# ESP only between the outer addresses, on UDP 4500 both ways.
	local bad
	bad=$(tshark -r "$NETNS_TMP/$label.pcap" -Y 'esp && !(ip.addr == 198.51.100.1 &&
		ip.addr == 198.51.100.2 && udp.srcport == 4500 && udp.dstport == 4500)' 2>/dev/null | wc -l)
	[ "$bad" = 0 ] || fail "$label: $bad ESP frames not 198.51.100.1:4500 <-> 198.51.100.2:4500"

	sw_terminate a >/dev/null 2>&1 || fail "$label: terminate failed"
	wait_for "$label: SAs gone on b" 20 _sw_gone b || fail "$label: b still has SAs"
	[ -z "$(sw_ike_state a)" ] || fail "$label: a still lists an IKE SA after terminate"
	# With the SA gone, the inner address is unreachable (no leak in clear).
	if ns_exec a ping -c 1 -W 1 -I 192.0.2.1 192.0.2.2 >/dev/null 2>&1; then
		fail "$label: inner ping still works after terminate"
	fi
}

_sw_gone() { [ -z "$(sw_ike_state "$1")" ]; }

run_case cbc aes256-sha256-prfsha256-ecp256 aes256-sha256 AES_CBC HMAC_SHA2_256_128
run_case gcm aes256gcm16-prfsha384-ecp384 aes256gcm16 AES_GCM_16 -

# Certificates (sw_pki_*): RSA-2048 CA and hosts, identities = outer addresses (IP subjectAltName),
# narrowed /32 selectors.
pk="$NETNS_TMP/pki"
sw_pki_ca "$pk" rsa
sw_pki_host "$pk" a 198.51.100.1 rsa
sw_pki_host "$pk" b 198.51.100.2 rsa
run_case cert aes256-sha256-prfsha256-ecp256 aes256-sha256 AES_CBC HMAC_SHA2_256_128 \
	"auth=pubkey cert=$pk/a.pem key=$pk/a.key cacert=$pk/ca.pem local_ts=192.0.2.1/32 remote_ts=192.0.2.2/32" \
	"auth=pubkey cert=$pk/b.pem key=$pk/b.key cacert=$pk/ca.pem local_ts=192.0.2.2/32 remote_ts=192.0.2.1/32"
grep -q "authentication of '198.51.100.2' with RSA_EMSA_PKCS1_SHA2_256 successful" "$(sw_log a)" ||
	fail "cert: a's log does not show public-key authentication of b"

sw_stop a
sw_stop b
[ -z "$(sw_pid a)" ] || fail "sw_stop left a PID recorded"
echo "strongSwan selftest: all checks passed"

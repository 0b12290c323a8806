#!/usr/bin/env bash
# The newcomer's path: ./scripts/demo brings up two routers with a working tunnel and says so,
# and ./scripts/demo down leaves no namespace, process or file behind.
set -euo pipefail
SRC=${MGMTSEC_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
export MGMTSEC_DEMO_NS_PREFIX="mstdemo$$-"
export MGMTSEC_DEMO_DIR
MGMTSEC_DEMO_DIR=$(mktemp -d /tmp/mgmtsec-demo-test.XXXXXX)
rmdir "$MGMTSEC_DEMO_DIR"
out=$(mktemp)
cleanup() { "$SRC/scripts/demo" down >/dev/null 2>&1 || true; rm -f "$out"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$out" >&2; exit 1; }

t0=$(date +%s)
"$SRC/scripts/demo" >"$out" 2>&1 || fail "scripts/demo exited non-zero"
echo "demo took $(($(date +%s) - t0)) s"
cat "$out"
for want in "==> 1/7" "==> 7/7" "tunnel up after" "Status *: UP-ACTIVE" \
	"Encryption/Keysize *: AES-CBC/256" "Authentication(Sign/Verify) *: PSK/PSK" \
	"Encrypt Algorithm *: ESP_256_AES" "Auth Algorithm *: HMAC_SHA_256" \
	"3 received, 0% packet loss" "received intact" "eth:ethertype:ip:esp" \
	"inner ICMP/TCP visible on the outer link: 0" "./scripts/demo down"; do
	grep -q -- "$want" "$out" || fail "demo output lacks '$want'"
done
r1=${MGMTSEC_DEMO_NS_PREFIX}router1
ip netns list | grep -q "$r1" || fail "the demo's routers are not left running"
pid=$(cat "$MGMTSEC_DEMO_DIR/$r1.pid")
kill -0 "$pid" || fail "router1's daemon is not running after the demo"
"$SRC/scripts/demo" down | grep -q removed || fail "demo down said nothing"
ip netns list | grep -q "${MGMTSEC_DEMO_NS_PREFIX}" && fail "namespaces left behind"
kill -0 "$pid" 2>/dev/null && fail "mgmtsecd left running"
[ -e "$MGMTSEC_DEMO_DIR" ] && fail "$MGMTSEC_DEMO_DIR left behind"
echo "demo: all checks passed"

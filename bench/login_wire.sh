#!/usr/bin/env bash
# Round trips and bytes on the wire of a password login (AS exchange with pre-authentication),
# kerb-kinit next to MIT's kinit, each path through bench/wire_relay.py in front of a throwaway
# MIT KDC: UDP, TCP (udp_preference_limit = 1) and the fixture's KDC proxy, each without and with FAST
# (an armor ccache of the fixture's device principal), a cold login and a returning one.
#   bench/login_wire.sh [build dir, default build/default]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/default}
kinit_kerb=$build/samples/kinit/kerb-kinit
[ -x "$kinit_kerb" ] || { echo "build $kinit_kerb first (cmake --build --preset default)"; exit 1; }

dir=$(mktemp -d /tmp/kerb-wire.XXXXXX); rmdir "$dir"
relay_pid=
cleanup() {
  [ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null
  kdc-fixtures/kdc-fixture stop "$dir" >/dev/null
}
trap cleanup EXIT
kdc-fixtures/kdc-fixture start "$dir" >/dev/null
# shellcheck disable=SC1091
source "$dir/env"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A krb5.conf whose kdc lines are $1 (the relay), with extra [libdefaults] lines $2, made from
# krb5.conf $3 (default: the fixture's).
conf_for() {
  sed -E "/^\[realms\]/,/^\[/ s#^( *kdc *= *).*#\1$1#" "${3:-$KRB5_CONFIG}" |
    awk -v extra="$2" '{print} /^\[libdefaults\]/ && extra != "" {print extra}' >"$dir/wire.conf"
}

# Runs "$@" with KRB5_CONFIG=$dir/wire.conf through a relay to $1:$2; prints the relay's JSON.
through_relay() {
  local host=$1 port=$2 listen=$3; shift 3
  python3 bench/wire_relay.py "$listen" "$host" "$port" >"$dir/relay.json" 2>"$dir/relay.err" &
  relay_pid=$!
  for _ in $(seq 50); do grep -q ready "$dir/relay.err" 2>/dev/null && break; sleep 0.1; done
  KRB5_CONFIG=$dir/wire.conf "$@" >/dev/null 2>"$dir/cmd.err" </dev/stdin ||
    { echo "failed: $* ($(cat "$dir/cmd.err"))" >&2; }
  kill "$relay_pid"; wait "$relay_pid" 2>/dev/null || true; relay_pid=
  cat "$dir/relay.json"
}

row() {  # label json
  python3 - "$1" "$2" <<'EOF'
import json, sys
label, c = sys.argv[1], json.loads(sys.argv[2])
trips = c["udp_requests"] + c["tcp_flights"]
out = c["udp_bytes_out"] + c["tcp_bytes_out"]
inn = c["udp_bytes_in"] + c["tcp_bytes_in"]
print(f"{label:<34} {trips:>6} {c['tcp_connections']:>5} {out:>9} {inn:>9} {out + inn:>9}")
EOF
}

# FAST: an armor ccache with the fixture's device principal, got with MIT's kinit -k.
armor=FILE:$dir/armor
kinit -k -t "$KERB_TEST_DEVICE_KEYTAB" -c "$armor" "$KERB_TEST_DEVICE_PRINCIPAL"

printf '%-34s %6s %5s %9s %9s %9s\n' "password login (alice)" trips conns "bytes out" "bytes in" total
# One path: kerb-kinit cold and returning (it keeps the KDC's hints in the ccache), then MIT's
# kinit the same way; with FAST when $fast is set.
login() {  # label relay-kdc-line extra-libdefaults target-host target-port [base krb5.conf]
  local label=$1 kdc=$2 extra=$3 host=$4 port=$5 listen fast_args=() run
  listen=${kdc##*:}; listen=${listen%%/*}
  conf_for "$kdc" "$extra" "${6:-}"
  if [ -n "${fast:-}" ]; then fast_args=(-T "$armor"); label+="+FAST"; fi
  for prog in "$kinit_kerb" kinit; do
    rm -f "$dir/ccache"
    for run in cold returning; do
      row "$label: ${prog##*/} $run" "$(echo "$KERB_TEST_PASSWORD_ALICE" |
        through_relay "$host" "$port" "$listen" "$prog" "${fast_args[@]}" alice)"
    done
  done
}

for fast in "" 1; do
  p=$(free_port)
  login udp "127.0.0.1:$p" "" 127.0.0.1 "$KERB_TEST_KDC_PORT"
  p=$(free_port)
  login tcp "127.0.0.1:$p" "    udp_preference_limit = 1" 127.0.0.1 "$KERB_TEST_KDC_PORT"
  if [ -n "${KERB_TEST_KKDCP_PORT:-}" ]; then
    # MS-KKDCP: TLS to the fixture's KDC proxy (bytes are TLS records, handshakes included).
    p=$(free_port)
    login kkdcp "https://127.0.0.1:$p/KdcProxy" "" 127.0.0.1 "$KERB_TEST_KKDCP_PORT" \
      "$KERB_TEST_KKDCP_KRB5_CONFIG"
  fi
done

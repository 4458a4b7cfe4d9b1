#!/usr/bin/env bash
# Re-records the captures pcap_test reads: MIT kinit against a fresh MIT KDC fixture on
# 127.0.0.1:88, once over UDP and once over TCP (udp_preference_limit = 1), and beside each the
# message types tshark's own Kerberos dissector finds in it (the test's oracle).
#
#   tests/data/krbdump/pcap/record.sh [OUT_DIR]
#
# Needs root (port 88, free; dumpcap on lo), MIT's krb5-kdc/krb5-user and tshark.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
out=$(mkdir -p "${1:-$here}" && cd "${1:-$here}" && pwd)

work=$(mktemp -d /tmp/krbdump-pcap-record.XXXXXX)
kdc=$work/kdc
cap_pid=
cleanup() {
  [[ -n $cap_pid ]] && kill "$cap_pid" 2>/dev/null || true
  "$root/kdc-fixtures/kdc-fixture" stop "$kdc" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

KERB_KDC_PORT=88 "$root/kdc-fixtures/kdc-fixture" start "$kdc" >/dev/null
# shellcheck disable=SC1091
source "$kdc/env"
realm=$KERB_TEST_REALM
cp "$KRB5_CONFIG" "$work/udp.conf"
sed 's/^\[libdefaults\]$/[libdefaults]\n    udp_preference_limit = 1/' "$KRB5_CONFIG" >"$work/tcp.conf"

capture() {  # FILE KRB5_CONFIG
  dumpcap -q -i lo -f "port 88" -w "$1" 2>"$work/dumpcap.log" &
  cap_pid=$!
  for _ in $(seq 100); do
    grep -q "Capturing on" "$work/dumpcap.log" && break
    sleep 0.05
  done
  sleep 1  # dumpcap says so a little before its filter is in place
  KRB5_CONFIG=$2 KRB5CCNAME=FILE:$work/ccache kinit "alice@$realm" \
    <<<"$KERB_TEST_PASSWORD_ALICE" >/dev/null
  sleep 0.5
  kill -INT "$cap_pid"
  wait "$cap_pid" || true
  cap_pid=
  # One line per Kerberos message: frame number and msg-type, as tshark dissects them.
  tshark -r "$1" -Y kerberos -T fields -e frame.number -e kerberos.msg_type 2>/dev/null \
    >"${1%.pcapng}.tshark"
}
capture "$out/mit-kinit-udp.pcapng" "$work/udp.conf"
capture "$out/mit-kinit-tcp.pcapng" "$work/tcp.conf"
ls -l "$out"

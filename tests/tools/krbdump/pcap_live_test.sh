#!/usr/bin/env bash
# krbdump.pcap_live: captures MIT kinit against a KDC fixture of its own (its own port, so no
# other test's traffic shows) over UDP and over TCP (udp_preference_limit = 1), and checks that
# read_capture() finds exactly the Kerberos messages tshark's dissector finds, in the same
# frames. Needs root (dumpcap on lo) and tshark.
#
#   pcap_live_test.sh KDC_FIXTURE_SCRIPT PCAP_LIST_PROGRAM [PARENT_DIR]
set -euo pipefail

fixture=${1:?usage: pcap_live_test.sh KDC_FIXTURE_SCRIPT PCAP_LIST_PROGRAM [PARENT_DIR]}
list=${2:?usage: pcap_live_test.sh KDC_FIXTURE_SCRIPT PCAP_LIST_PROGRAM [PARENT_DIR]}
parent=${3:-${TMPDIR:-/tmp}}
mkdir -p "$parent"
work=$(mktemp -d "$parent/pcap_live.XXXXXX")
kdc=$work/kdc
cap_pid=
cleanup() {
  [[ -n $cap_pid ]] && kill "$cap_pid" 2>/dev/null || true
  "$fixture" stop "$kdc" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

unset KRB5_CONFIG KRB5_KDC_PROFILE KRB5CCNAME KRB5_KTNAME KERB_KDC_PORT KERB_KDC_OTHER_PORT \
      KERB_KDC_EVIL_PORT
for tool in dumpcap tshark kinit; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps)"
done
"$fixture" start "$kdc" >/dev/null
# shellcheck disable=SC1091
source "$kdc/env"
port=$KERB_TEST_KDC_PORT
cp "$KRB5_CONFIG" "$work/udp.conf"
sed 's/^\[libdefaults\]$/[libdefaults]\n    udp_preference_limit = 1/' "$KRB5_CONFIG" >"$work/tcp.conf"
grep -q 'udp_preference_limit = 1' "$work/tcp.conf" || fail "could not force TCP in krb5.conf"

for transport in udp tcp; do
  cap=$work/$transport.pcapng
  dumpcap -q -i lo -f "port $port" -w "$cap" 2>"$work/dumpcap.log" &
  cap_pid=$!
  started=0
  for _ in $(seq 200); do
    if grep -q "Capturing on" "$work/dumpcap.log"; then started=1; break; fi
    sleep 0.05
  done
  ((started)) || fail "dumpcap did not start: $(cat "$work/dumpcap.log")"
  sleep 1  # dumpcap says so a little before its filter is in place
  KRB5_CONFIG=$work/$transport.conf KRB5CCNAME=FILE:$work/ccache kinit "alice@$KERB_TEST_REALM" \
    <<<"$KERB_TEST_PASSWORD_ALICE" >/dev/null || fail "kinit over $transport failed"
  sleep 0.5
  kill -INT "$cap_pid"
  wait "$cap_pid" || true
  cap_pid=

  # tshark's view: the KDC's port decoded as Kerberos; a frame with several messages lists
  # their types comma-separated.
  tshark -r "$cap" -d "udp.port==$port,kerberos" -d "tcp.port==$port,kerberos" -Y kerberos \
    -T fields -e frame.number -e kerberos.msg_type 2>/dev/null |
    awk -v t="$transport" '{ n = split($2, types, ","); for (i = 1; i <= n; i++) print $1, types[i], t }' \
      >"$work/expected"
  "$list" "$cap" "$port" >"$work/actual" || fail "read_capture refused the $transport capture"
  grep -q " 10 $transport\$" "$work/expected" || fail "tshark saw no AS-REQ over $transport"
  grep -q " 11 $transport\$" "$work/expected" || fail "tshark saw no AS-REP over $transport"
  if ! diff "$work/expected" "$work/actual"; then
    fail "read_capture and tshark differ on the $transport capture (< tshark, > read_capture)"
  fi
  echo "PASS: $transport: $(wc -l <"$work/actual") messages as tshark dissects them"
done

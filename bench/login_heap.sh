#!/usr/bin/env bash
# Heap cost of a cold password login (AS with pre-authentication, then TGS for the bank):
# kerb-kinit --fetch against MIT's kinit followed by kvno, measured by valgrind's DHAT against a
# throwaway MIT KDC. Prints allocations, bytes allocated, peak live heap and round trips.
#   bench/login_heap.sh [build dir, default build/default]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/default}
kinit_kerb=$build/samples/kinit/kerb-kinit
[ -x "$kinit_kerb" ] || { echo "build $kinit_kerb first (cmake --build --preset default)"; exit 1; }
command -v valgrind >/dev/null || { echo "needs valgrind"; exit 1; }

dir=$(mktemp -d /tmp/kerb-heap.XXXXXX); rmdir "$dir"
trap 'kdc-fixtures/kdc-fixture stop "$dir" >/dev/null' EXIT
kdc-fixtures/kdc-fixture start "$dir" >/dev/null
# shellcheck disable=SC1091
source "$dir/env"

# "Total: 1,234 bytes in 56 blocks" and "At t-gmax: 789 bytes in 12 blocks" from DHAT.
dhat() {  # out-file command...
  local out=$1; shift
  valgrind --tool=dhat --dhat-out-file=/dev/null "$@" 2>"$out" >/dev/null || true
  local total blocks peak
  total=$(grep -m1 'Total:' "$out" | sed -E 's/.*Total: +([0-9,]+) bytes in ([0-9,]+) blocks.*/\1 \2/' | tr -d ,)
  peak=$(grep -m1 'At t-gmax:' "$out" | sed -E 's/.*At t-gmax: +([0-9,]+) bytes.*/\1/' | tr -d ,)
  echo "$total $peak"
}

log_lines() { grep -cE 'AS_REQ|TGS_REQ' "$KERB_TEST_KDC_LOG"; }

rm -f "$dir/ccache"
before=$(log_lines)
read -r k_bytes k_blocks k_peak < <(echo "$KERB_TEST_PASSWORD_ALICE" |
  { dhat "$dir/kerb.dhat" "$kinit_kerb" --fetch bank/bank.test alice; })
k_rtt=$(( $(log_lines) - before ))

rm -f "$dir/ccache"
before=$(log_lines)
read -r m1_bytes m1_blocks m1_peak < <(echo "$KERB_TEST_PASSWORD_ALICE" |
  { dhat "$dir/kinit.dhat" kinit alice; })
read -r m2_bytes m2_blocks m2_peak < <(dhat "$dir/kvno.dhat" kvno bank/bank.test)
m_rtt=$(( $(log_lines) - before ))

printf '%-28s %12s %14s %12s %12s\n' "cold login (AS+preauth, TGS)" allocations "bytes alloc'd" "peak heap" "KDC trips"
printf '%-28s %12d %14d %12d %12d\n' "kerb-kinit --fetch" "$k_blocks" "$k_bytes" "$k_peak" "$k_rtt"
printf '%-28s %12d %14d %12d %12d\n' "MIT kinit + kvno" "$((m1_blocks + m2_blocks))" \
  "$((m1_bytes + m2_bytes))" "$(( m1_peak > m2_peak ? m1_peak : m2_peak ))" "$m_rtt"
printf '%-28s %12s %14s %12s\n' "ratio MIT/kerb" \
  "$(awk "BEGIN{printf \"%.1fx\", $((m1_blocks + m2_blocks))/$k_blocks}")" \
  "$(awk "BEGIN{printf \"%.1fx\", $((m1_bytes + m2_bytes))/$k_bytes}")" \
  "$(awk "BEGIN{printf \"%.1fx\", $(( m1_peak > m2_peak ? m1_peak : m2_peak ))/$k_peak}")"

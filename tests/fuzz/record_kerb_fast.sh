#!/usr/bin/env bash
# Re-records tests/fuzz/data/kerb_fast.txt: kerb's FAST-armored login of alice (FixedClock at
# the current time, SplitMix seed 6113) and MIT krb5kdc's replies, from a fresh kdc-fixture;
# the armor is MIT kinit's TGT of bank/bank.test from the fixture's keytab.
#
#   tests/fuzz/record_kerb_fast.sh build/default
#
# needs exchange_reply_fuzz built in that build directory (the replay or the libFuzzer build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: record_kerb_fast.sh BUILD_DIR}" && pwd)
program=$build/tests/fuzz/exchange_reply_fuzz
[[ -x $program ]] || { echo "build exchange_reply_fuzz first: $program" >&2; exit 1; }

dir=$(mktemp -d)
trap '"$root/kdc-fixtures/kdc-fixture" stop "$dir" >/dev/null 2>&1 || true' EXIT
"$root/kdc-fixtures/kdc-fixture" start "$dir" >/dev/null
# shellcheck disable=SC1091
source "$dir/env"
kinit -k -t "$KERB_TEST_KEYTAB" -c "FILE:$dir/armor.ccache" bank/bank.test </dev/null

out=$here/data/kerb_fast.txt
mkdir -p "$here/data"
{
  echo "# kerb's armored login (RFC 6113) and MIT krb5kdc's replies, recorded by"
  echo "# tests/fuzz/record_kerb_fast.sh (kdc-fixture realm KERB.TEST; MIT $(krb5-config --version 2>/dev/null || echo krb5))."
  echo "# armor: MIT kinit's ccache with the TGT of bank/bank.test."
} >"$out"
KERB_EXCHANGE_FUZZ_RECORD=$dir/recorded.txt KERB_EXCHANGE_FUZZ_ARMOR=$dir/armor.ccache \
  "$program" </dev/null
cat "$dir/recorded.txt" >>"$out"
echo "recorded $out"

#!/usr/bin/env bash
# Re-records alice_bank.txt: kerb's AS and TGS requests (FixedClock at the current time,
# TestRandom seed 4120) and MIT krb5kdc's answers, from a fresh kdc-fixture, plus the keys of
# bank/bank.test as MIT's `klist -k -K` shows them (they open the recorded service ticket).
#
#   tests/data/mit_exchange/record.sh build/default
#
# needs the kerb_mit_record target built in that build directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=$(cd "${1:?usage: record.sh BUILD_DIR}" && pwd)
recorder=$build/tests/integration/kerb/kerb_mit_record
[[ -x $recorder ]] || { echo "build kerb_mit_record first: $recorder" >&2; exit 1; }

dir=$(mktemp -d)
trap '"$root/kdc-fixtures/kdc-fixture" stop "$dir" >/dev/null 2>&1 || true' EXIT
"$root/kdc-fixtures/kdc-fixture" start "$dir" >/dev/null

out=$here/alice_bank.txt
{
  echo "# MIT krb5kdc's replies to kerb's requests, recorded by tests/data/mit_exchange/record.sh"
  echo "# (kdc-fixture realm KERB.TEST; MIT $(krb5-config --version 2>/dev/null || echo krb5))."
} >"$out"
KERB_RECORD_OUT=$dir/recorded.txt "$root/kdc-fixtures/with-kdc-env" "$dir/env" \
  "$recorder" "record MIT's replies to kerb's requests" >/dev/null
cat "$dir/recorded.txt" >>"$out"

# "KVNO Timestamp Principal (enctype) (0xKEY)" lines of the service's keys.
declare -A etype_number=(
  [aes256-cts-hmac-sha1-96]=18 [aes128-cts-hmac-sha1-96]=17
  [aes256-cts-hmac-sha384-192]=20 [aes128-cts-hmac-sha256-128]=19
  [camellia256-cts-cmac]=26 [camellia128-cts-cmac]=25 [arcfour-hmac]=23
)
source "$dir/env"
klist -k -K -e "$KERB_TEST_KEYTAB" | grep -F " bank/bank.test@" |
  sed -nE 's/.*\(([a-z0-9-]+)\) +\(0x([0-9a-f]+)\).*/\1 \2/p' |
  while read -r name key; do
    echo "service_key_${etype_number[$name]:?unknown enctype $name}: ${key^^}"
  done >>"$out"
echo "recorded $out"

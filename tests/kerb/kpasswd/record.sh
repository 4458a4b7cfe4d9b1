#!/usr/bin/env bash
# Re-records mit_kadmind.txt: kerb's password change requests (FixedClock at the current time,
# TestRandom seed 3244) and MIT kadmind's answers, from a fresh kdc-fixture.
#
#   tests/kerb/kpasswd/record.sh build/default
#
# needs the kerb_kpasswd_record target built in that build directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=$(cd "${1:?usage: record.sh BUILD_DIR}" && pwd)
recorder=$build/tests/integration/kpasswd/kerb_kpasswd_record
[[ -x $recorder ]] || { echo "build kerb_kpasswd_record first: $recorder" >&2; exit 1; }

dir=$(mktemp -d)
trap '"$root/kdc-fixtures/kdc-fixture" stop "$dir" >/dev/null 2>&1 || true' EXIT
"$root/kdc-fixtures/kdc-fixture" start "$dir" >/dev/null

out=$here/mit_kadmind.txt
{
  echo "# MIT kadmind's replies to kerb's password change requests, recorded by"
  echo "# tests/kerb/kpasswd/record.sh (kdc-fixture realm KERB.TEST; MIT $(krb5-config --version 2>/dev/null || echo krb5))."
} >"$out"
KERB_RECORD_OUT=$dir/recorded.txt "$root/kdc-fixtures/with-kdc-env" "$dir/env" \
  "$recorder" "record MIT kadmind's replies to kerb's password changes" >/dev/null
cat "$dir/recorded.txt" >>"$out"
echo "recorded $out"

#!/usr/bin/env bash
# kerb-kinit -T against the fixture, as MIT's kinit -T: the device's TGT (MIT's kinit -k with
# the fixture's device keytab) armors alice's login; MIT's klist reads the result; the saved
# hints make the next armored login one round trip; a missing armor cache is an error, never
# an unarmored login; a wrong password is the KDC's error from inside the FAST reply.
set -euo pipefail
kinit=$1
d=$KERB_TEST_DIR
armor="FILE:$d/kinit-fast-armor.ccache"
cc="FILE:$d/kinit-fast.ccache"
status=0
check() {  # description, command...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; status=1; fi
}
rm -f "$d/kinit-fast-armor.ccache" "$d/kinit-fast.ccache"
kinit -k -t "$KERB_TEST_DEVICE_KEYTAB" -c "$armor" "$KERB_TEST_DEVICE_PRINCIPAL"

# MIT's KDC traces each armor AP-REQ it decrypts, naming the armor ticket's client; this test
# runs alone (RUN_SERIAL), so the trace's new lines are this test's requests.
armored() { grep -c "AP-REQ ticket: $KERB_TEST_DEVICE_PRINCIPAL -> krbtgt/" "$KERB_TEST_KDC_TRACE" || true; }
before=$(armored)
echo "$KERB_TEST_PASSWORD_ALICE" | "$kinit" -c "$cc" alice >/dev/null
check "an unarmored login puts no armor in the KDC's trace" test "$(armored)" -eq "$before"
rm -f "$d/kinit-fast.ccache"

before=$(armored)
first=$(echo "$KERB_TEST_PASSWORD_ALICE" | "$kinit" -T "$armor" -c "$cc" alice)
echo "$first"
check "an armored first login takes two round trips" grep -q "; 2 KDC round trips" <<<"$first"
listing=$(klist -c "$cc")
echo "$listing"
check "MIT's KDC decrypted the armor of both AS requests" test "$(armored)" -eq $((before + 2))
check "MIT's klist reads the cache" grep -q "Default principal: alice@KERB.TEST" <<<"$listing"
check "the cache holds alice's TGT" grep -q "krbtgt/KERB.TEST@KERB.TEST" <<<"$listing"

second=$(echo "$KERB_TEST_PASSWORD_ALICE" | "$kinit" -T "$armor" -c "$cc" --fetch bank/bank.test alice)
echo "$second"
check "a returning armored login plus an armored TGS takes two round trips" \
  grep -q "; 2 KDC round trips" <<<"$second"
check "the bank ticket is reported" grep -q "ticket for bank/bank.test@KERB.TEST" <<<"$second"

if err=$(echo "$KERB_TEST_PASSWORD_ALICE" | "$kinit" -T "FILE:$d/no-such-armor" -c "$cc" alice 2>&1); then
  echo "FAILED: a missing armor cache must fail"; status=1
else
  echo "$err"
  check "a missing armor cache is an error, in MIT kinit's words" \
    grep -q "kerb-kinit: Error constructing AP-REQ armor: No credentials cache found" <<<"$err"
fi
if err=$(echo wrong | "$kinit" -T "$armor" -c "FILE:$d/kinit-fast-bad.ccache" alice 2>&1); then
  echo "FAILED: a wrong password must fail"; status=1
else
  echo "$err"
  # MIT's words for the inner error (PREAUTH_FAILED), not for the outer one.
  check "a wrong password names the KDC's inner error" \
    grep -qx "kerb-kinit: Password incorrect while getting initial credentials" <<<"$err"
fi
rm -f "$d/kinit-fast-armor.ccache" "$d/kinit-fast.ccache"
exit $status

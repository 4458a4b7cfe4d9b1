#!/usr/bin/env bash
# kerb-kinit against the fixture: the hints saved in the ccache make the second login one
# round trip; MIT's klist reads the result; keytab login; a wrong password fails cleanly.
set -euo pipefail
kinit=$1
cc="FILE:$KERB_TEST_DIR/kinit-test.ccache"
status=0
check() {  # description, command...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; status=1; fi
}

rm -f "$KERB_TEST_DIR/kinit-test.ccache"
first=$(echo "$KERB_TEST_PASSWORD_ALICE" | "$kinit" -c "$cc" alice)
echo "$first"
check "a first login takes two round trips" grep -q "; 2 KDC round trips" <<<"$first"
second=$(echo "$KERB_TEST_PASSWORD_ALICE" | "$kinit" -c "$cc" --fetch bank/bank.test alice)
echo "$second"
check "a returning login plus TGS takes two round trips in all" \
  grep -q "; 2 KDC round trips" <<<"$second"
check "the ticket for the bank is reported" grep -q "ticket for bank/bank.test@KERB.TEST" <<<"$second"
listing=$(klist -c "$cc")
check "MIT's klist reads the cache" grep -q "Default principal: alice@KERB.TEST" <<<"$listing"
check "the cache holds the bank ticket" grep -q "bank/bank.test@KERB.TEST" <<<"$listing"
check "a keytab login works" "$kinit" -k -t "$KERB_TEST_KEYTAB" -c "FILE:$KERB_TEST_DIR/kinit-kt.ccache" bank/bank.test
if err=$(echo "wrong" | "$kinit" -c "FILE:$KERB_TEST_DIR/kinit-bad.ccache" alice 2>&1); then
  echo "FAILED: a wrong password must fail"; status=1
else
  check "a wrong password fails in MIT kinit's words" \
    grep -qx "kerb-kinit: Password incorrect while getting initial credentials" <<<"$err"
fi
exit $status

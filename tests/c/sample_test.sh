#!/usr/bin/env bash
# samples/c's program as a user runs it. With "unit": the version line, the usage error and
# the error line for a KDC that refuses connections (no fixture needed). With "integration":
# alice logs in at the fixture KDC, gets a ticket for bank/bank.test and seals a first request.
set -euo pipefail
sample=$1 mode=$2 version=$3
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"; exit 1; }

header_line="kerb $version (header $version)"
case $mode in
  unit)
    "$sample" >"$out" 2>"$err" || fail "no arguments: exit $?"
    [[ $(cat "$out") == "$header_line" ]] || fail "version line"
    rc=0; "$sample" A B >"$out" 2>"$err" </dev/null || rc=$?
    [[ $rc == 2 ]] && grep -q '^usage: ' "$err" || fail "usage: exit $rc"
    # Port 1 on loopback: nothing listens there, so the connection is refused.
    rc=0; echo secret | "$sample" KERB.TEST 127.0.0.1:1 alice bank/bank.test >"$out" 2>"$err" || rc=$?
    [[ $rc == 1 ]] || fail "closed port: exit $rc"
    grep -Eq '^error: io \(code 0\): .+' "$err" || fail "closed port: error line"
    ;;
  integration)
    rc=0
    printf '%s\n' "$KERB_TEST_PASSWORD_ALICE" |
      "$sample" "$KERB_TEST_REALM" "$KERB_TEST_KDC_HOST:$KERB_TEST_KDC_PORT" alice bank/bank.test \
        >"$out" 2>"$err" || rc=$?
    [[ $rc == 0 ]] || fail "login: exit $rc"
    [[ $(sed -n 1p "$out") == "$header_line" ]] || fail "version line"
    sed -n 2p "$out" | grep -Eq "^ticket for bank/bank.test@$KERB_TEST_REALM, session key enctype (17|18|19|20), valid until [0-9]{10}$" ||
      fail "ticket line"
    # RFC 4121 §4.2.6.2: a sealed 8-octet request is 16 + 16 + 8 + 16 octets and a 12- (SHA-1)
    # or 16/24-octet (SHA-2) checksum.
    sed -n 3p "$out" | grep -Eq '^AP-REQ of [0-9]+ octets, request sealed in (68|72|80) octets$' ||
      fail "gss line"
    # The login and the TGS exchange worked in the sample's 4096-octet buffer.
    sed -n 4p "$out" | grep -Eq '^work buffer: [1-9][0-9]{2,3} of 4096 octets used$' ||
      fail "work buffer line"
    # A wrong password: the KDC's KDC_ERR_PREAUTH_FAILED (24, RFC 4120 §7.5.9).
    rc=0
    echo wrong | "$sample" "$KERB_TEST_REALM" "$KERB_TEST_KDC_HOST:$KERB_TEST_KDC_PORT" alice \
      bank/bank.test >"$out" 2>"$err" || rc=$?
    [[ $rc == 1 ]] && grep -q '^error: kdc (code 24): ' "$err" || fail "wrong password: exit $rc"
    ;;
  *) echo "usage: $0 SAMPLE unit|integration VERSION"; exit 2 ;;
esac

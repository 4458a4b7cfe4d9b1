#!/usr/bin/env bash
# The bank command with the SDK's login features, against a real bankd and the KDC fixture (run
# through with-kdc-env), one feature per run:
#   kkdcp    the login goes through the fixture's KDC proxy (its own log counts the requests),
#            and so does an expired password's change
#   armor    the login armored (FAST) with the device keytab; without a usable one, no login;
#            with a TGT from MIT's kinit in the state directory, the TGS request instead
#   kpasswd  an expired password changed during the login (a too-short one refused first, in
#            the server's words), then the new one logs in again
#
#   bank_features_test.sh FEATURE BANKD BANK
set -euo pipefail
feature=$1 bankd_bin=$2 bank_bin=$3

work=$(mktemp -d /tmp/bank-features-test.XXXXXX)
bankd_pid=
cleanup() {
  if [[ -n $bankd_pid ]]; then
    kill -9 "$bankd_pid" 2>/dev/null || true
    wait "$bankd_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

: >"$work/bankd.out"  # before bankd's shell opens it: sed may look first
"$bankd_bin" -p 0 --db "$work/bank.db" --accounts >"$work/bankd.out" 2>>"$work/bankd.err" &
bankd_pid=$!
port=
for _ in $(seq 50); do
  port=$(sed -n 's/^bankd: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/bankd.out")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { cat "$work/bankd.err" >&2; fail "bankd did not start"; }
export BANK_SERVER=127.0.0.1:$port

as() { local user=$1; shift; "$bank_bin" --state "$work/$user" "$@"; }
expect_out() {  # WHAT PATTERN OUTPUT
  grep -q -- "$2" <<<"$3" || fail "$1: expected /$2/ in: $3"
}
# Requests the KDC proxy forwarded so far (its log: one "request" line each).
proxy_requests() { grep -c '^request .*status=200' "$KERB_TEST_KKDCP_LOG" || true; }

kadmin() { PATH=$PATH:/usr/sbin kadmin.local -r "$KERB_TEST_REALM" -q "$1" >/dev/null; }
# pwbank back to the fixture's password, expired, so that a test can run again.
reset_pwbank() {
  kadmin "cpw -randkey pwbank"
  kadmin "cpw -pw $KERB_TEST_PASSWORD_PWBANK pwbank"
  kadmin "modprinc -pwexpire 2000-01-01 pwbank"
}
# Password-change requests the KDC proxy forwarded so far.
proxy_kpasswd() { grep -c '^request .*status=200.*kind=KPASSWD-REQ' "$KERB_TEST_KKDCP_LOG" || true; }

case $feature in
kkdcp)
  echo "== bank login and balance through the KDC proxy"
  [[ -r ${KERB_TEST_KKDCP_KRB5_CONFIG:-} ]] || fail "the fixture runs no KDC proxy"
  export KRB5_CONFIG=$KERB_TEST_KKDCP_KRB5_CONFIG
  # That krb5.conf names no plain KDC for the realm: only the proxy can answer.
  grep -q "kdc = https://" "$KRB5_CONFIG" || fail "krb5-kkdcp.conf has no proxy URL"
  before=$(proxy_requests)
  out=$(echo "$KERB_TEST_PASSWORD_ALICE" | as alice --verbose login alice 2>&1) \
    || fail "login through the proxy: $out"
  expect_out "login" "Balance of DE0001: 1000.00 EUR" "$out"
  expect_out "route" "KDC KERB.TEST via KDC proxy https://127.0.0.1:$KERB_TEST_KKDCP_PORT/KdcProxy: AS-REQ -> AS-REP" "$out"
  # A first login: PREAUTH_REQUIRED, then the AS-REQ with pre-authentication.
  (($(proxy_requests) - before == 2)) || fail "the proxy forwarded $(($(proxy_requests) - before)) requests, not 2"
  out=$(as alice balance </dev/null)
  expect_out "balance" "Balance of DE0001: 1000.00 EUR" "$out"
  as alice logout </dev/null >/dev/null
  before=$(proxy_requests)
  out=$(echo "$KERB_TEST_PASSWORD_ALICE" | as alice login alice 2>&1)
  expect_out "returning login" "Balance of DE0001" "$out"
  (($(proxy_requests) - before == 1)) || fail "a returning login: $(($(proxy_requests) - before)) proxied requests, not 1"
  echo "== an expired password changed through the KDC proxy (krb5-kkdcp.conf's kpasswd_server)"
  grep -q "kpasswd_server = https://" "$KRB5_CONFIG" || fail "krb5-kkdcp.conf has no kpasswd proxy"
  reset_pwbank
  new="Kerb-pwbank-proxy-$$"
  before=$(proxy_kpasswd)
  out=$(printf '%s\n' "$KERB_TEST_PASSWORD_PWBANK" "$new" "$new" | as pwbank login pwbank 2>&1) \
    || fail "expired login through the proxy: $out"
  expect_out "expired" "Your password has expired" "$out"
  expect_out "logged in" "Balance of DE0005" "$out"
  (($(proxy_kpasswd) - before == 1)) || fail "the proxy forwarded $(($(proxy_kpasswd) - before)) password changes, not 1"
  kinit -c "FILE:$work/check.cc" pwbank <<<"$new" >/dev/null || fail "MIT's kinit refuses the new password"
  ;;
armor)
  echo "== an armored login with the device keytab"
  out=$(echo "$KERB_TEST_PASSWORD_ALICE" | as alice --verbose --device-keytab "$KERB_TEST_DEVICE_KEYTAB" \
    login alice 2>&1) || fail "armored login: $out"
  expect_out "armored login" "Balance of DE0001: 1000.00 EUR" "$out"
  expect_out "a device TGT" "armor: a new TGT for the device $KERB_TEST_DEVICE_PRINCIPAL" "$out"
  # MIT's klist reads the device TGT the app keeps for the next logins.
  klist -c "FILE:$work/alice/armor" | grep -q "krbtgt/$KERB_TEST_REALM@$KERB_TEST_REALM" \
    || fail "no device TGT in the state directory"
  echo "== the returning login reuses it (environment variables, as for BANK_SERVER)"
  out=$(echo "$KERB_TEST_PASSWORD_ALICE" | BANK_DEVICE_KEYTAB=$KERB_TEST_DEVICE_KEYTAB \
    BANK_DEVICE=$KERB_TEST_DEVICE_PRINCIPAL as alice --verbose login alice 2>&1) \
    || fail "returning armored login: $out"
  expect_out "returning armored login" "(KDC 1, bank 1)" "$out"
  grep -q "armor: a new TGT" <<<"$out" && fail "the kept device TGT was not reused: $out"
  echo "== an armor ccache (as kinit -T)"
  kinit -k -t "$KERB_TEST_DEVICE_KEYTAB" -c "FILE:$work/device.cc" "$KERB_TEST_DEVICE_PRINCIPAL"
  out=$(echo "$KERB_TEST_PASSWORD_BOB" | as bob --armor-ccache "FILE:$work/device.cc" login bob 2>&1)
  expect_out "armor ccache" "Balance of DE0002" "$out"
  echo "== a TGT that MIT's kinit put in the state directory: the bank's ticket from a TGS request"
  mkdir -m 700 "$work/alice4"
  kinit -c "FILE:$work/alice4/ccache" alice <<<"$KERB_TEST_PASSWORD_ALICE" >/dev/null
  out=$(as alice4 --verbose --device-keytab "$KERB_TEST_DEVICE_KEYTAB" balance </dev/null 2>&1) \
    || fail "balance with the kinit TGT: $out"
  expect_out "balance with the kinit TGT" "Balance of DE0001: 1000.00 EUR" "$out"
  expect_out "one TGS exchange" "(KDC 1, bank 1)" "$out"
  expect_out "TGS exchange" ": TGS-REQ -> TGS-REP" "$out"
  # Armored with the TGT itself (RFC 6113 §5.4.1.1): no device TGT needed.
  grep -q "armor: a new TGT" <<<"$out" && fail "a device TGT for a TGS request: $out"
  echo "== without a usable device keytab there is no login (no unarmored fallback)"
  out=$(echo "$KERB_TEST_PASSWORD_ALICE" | as alice2 --device-keytab "$work/none.keytab" \
    login alice 2>&1) && fail "login without the device keytab: $out"
  [[ ! -e $work/alice2/session ]] || fail "a session without armor"
  out=$(echo "$KERB_TEST_PASSWORD_ALICE" | as alice3 --device-keytab "$KERB_TEST_KEYTAB" \
    --device "$KERB_TEST_DEVICE_PRINCIPAL" login alice 2>&1) && fail "login with another keytab: $out"
  [[ ! -e $work/alice3/session ]] || fail "a session with the wrong keytab"
  ;;
kpasswd)
  reset_pwbank
  new="Kerb-pwbank-new-$$"
  echo "== an expired password: a short one refused in the server's words, then a good one"
  out=$(printf '%s\n' "$KERB_TEST_PASSWORD_PWBANK" Short-1 Short-1 "$new" "$new" |
    as pwbank login pwbank 2>&1) || fail "expired login: $out"
  expect_out "expired" "Your password has expired" "$out"
  expect_out "policy" "at least $KERB_TEST_PWPOLICY_MINLENGTH characters" "$out"
  expect_out "logged in" "Balance of DE0005: 500.00 EUR" "$out"
  echo "== the new password logs in (MIT's kinit too); the old one no longer does"
  kinit -c "FILE:$work/check.cc" pwbank <<<"$new" >/dev/null || fail "MIT's kinit refuses the new password"
  as pwbank logout </dev/null >/dev/null
  out=$(echo "$new" | as pwbank login pwbank 2>&1) || fail "login with the new password: $out"
  expect_out "new password" "Balance of DE0005" "$out"
  out=$(echo "$KERB_TEST_PASSWORD_PWBANK" | as pwbank2 login pwbank 2>&1) && fail "old password: $out"
  expect_out "old password" "Wrong password" "$out"
  echo "== refused three times: the password stays as it is"
  kadmin "modprinc -pwexpire 2000-01-01 pwbank"
  out=$(printf '%s\n' "$new" a1 a1 b2 b2 c3 c3 | as pwbank3 login pwbank 2>&1) \
    && fail "three short passwords: $out"
  expect_out "three refusals" "^bank: The new password was not accepted: Password change rejected" "$out"
  [[ $(grep -c "at least $KERB_TEST_PWPOLICY_MINLENGTH characters" <<<"$out") == 3 ]] \
    || fail "the server's message should show after each refusal: $out"
  ;;
*)
  fail "unknown feature $feature"
  ;;
esac
echo "bank_features_test $feature: ok"

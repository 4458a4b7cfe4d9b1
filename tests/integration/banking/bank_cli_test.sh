#!/usr/bin/env bash
# The bank command against a real bankd and the KDC fixture (run through with-kdc-env): the
# demo's story, what a customer reads when a login fails, and a bankd killed and restarted
# mid-session, which the client gets over by itself without losing or doubling a payment.
#
#   bank_cli_test.sh BANKD BANK
set -euo pipefail
bankd_bin=$1 bank_bin=$2

work=$(mktemp -d /tmp/bank-cli-test.XXXXXX)
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

start_bankd() {  # [port]
  : >"$work/bankd.out"  # before bankd's shell opens it: sed may look first
  "$bankd_bin" -p "${1:-0}" --db "$work/bank.db" --accounts >"$work/bankd.out" 2>>"$work/bankd.err" &
  bankd_pid=$!
  for _ in $(seq 50); do
    port=$(sed -n 's/^bankd: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/bankd.out")
    [[ -n $port ]] && break
    sleep 0.1
  done
  [[ -n $port ]] || { cat "$work/bankd.err" >&2; fail "bankd did not start"; }
  export BANK_SERVER=127.0.0.1:$port
}

# bank as USER's device; stdin is /dev/null unless given, so a password prompt would fail.
as() { local user=$1; shift; "$bank_bin" --state "$work/$user" "$@"; }
login() { echo "$2" | as "$1" login "$1"; }
expect_out() {  # WHAT PATTERN OUTPUT
  grep -q -- "$2" <<<"$3" || fail "$1: expected /$2/ in: $3"
}

start_bankd

echo "== the demo: alice pays bob 25.00, bob sees it"
out=$(login alice "$KERB_TEST_PASSWORD_ALICE")
expect_out "alice login" "Balance of DE0001: 1000.00 EUR" "$out"
out=$(as alice pay DE0002 25.00 </dev/null)
expect_out "pay" "Paid 25.00 EUR from DE0001 to DE0002" "$out"
out=$(login bob "$KERB_TEST_PASSWORD_BOB")
expect_out "bob login" "Balance of DE0002: 525.00 EUR" "$out"
out=$(as bob history </dev/null)
expect_out "bob history" "DE0001 -> DE0002  25.00 EUR" "$out"
out=$(as alice receipts --verify)
expect_out "receipts" "DE0001 -> DE0002  25.00 EUR.*verified" "$out"
[[ $(stat -c %a "$work/alice") == 700 ]] || fail "state directory is not 0700"
[[ $(stat -c %a "$work/alice/session") == 600 ]] || fail "session file is not 0600"

echo "== a receipt altered on the device no longer verifies"
cp "$work/alice/receipts" "$work/receipts.saved"
python3 - "$work/alice/receipts" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[-1] ^= 1   # the last octet of the MIC
open(p, 'wb').write(bytes(b))
PY
if out=$(as alice receipts --verify 2>&1); then fail "a damaged receipt verified: $out"; fi
expect_out "damaged receipt" "NOT VALID" "$out"
cp "$work/receipts.saved" "$work/alice/receipts"

echo "== logins the KDC refuses, in words"
out=$(echo "not-the-password" | as mallory login alice 2>&1) && fail "wrong password accepted"
expect_out "wrong password" "Wrong password" "$out"
out=$(echo "$KERB_TEST_PASSWORD_DISABLED" | as disabled login disabled 2>&1) && fail "locked account"
expect_out "locked account" "account is locked" "$out"
out=$(echo "$KERB_TEST_PASSWORD_EXPIRED" | as expired login expired 2>&1) && fail "expired password"
expect_out "expired password" "password has expired" "$out"
out=$(echo "not-the-password" | as mallory2 --verbose login alice 2>&1) || true
expect_out "verbose detail" "kdc error, code 24" "$out"

echo "== bankd killed and restarted mid-session"
as alice balance </dev/null >/dev/null
kill -9 "$bankd_pid"; wait "$bankd_pid" 2>/dev/null || true; bankd_pid=
out=$(as alice balance </dev/null 2>&1) && fail "balance with bankd down: $out"
expect_out "bank down" "bank cannot be reached" "$out"
start_bankd "$port"
# No password on stdin: the client re-authenticates with the ticket it holds, by itself.
out=$(as alice --verbose pay DE0002 1.00 </dev/null 2>&1)
expect_out "pay after restart" "Paid 1.00 EUR from DE0001 to DE0002" "$out"
expect_out "recovery" "authenticating again" "$out"
out=$(as alice balance </dev/null)
expect_out "balance after restart" "Balance of DE0001: 974.00 EUR" "$out"
out=$(as bob history </dev/null)
[[ $(grep -c "DE0001 -> DE0002" <<<"$out") == 2 ]] || fail "bob should see two payments: $out"

echo "== logout wipes the session; the next command asks to log in"
as alice logout </dev/null >/dev/null
[[ ! -e $work/alice/session ]] || fail "session left after logout"
out=$(as alice balance </dev/null 2>&1) && fail "balance after logout: $out"
expect_out "after logout" "password" "$out"
echo "bank_cli_test: ok"

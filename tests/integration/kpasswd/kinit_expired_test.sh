#!/usr/bin/env bash
# kerb-kinit with an expired password, next to MIT's kinit: both read the same lines on stdin
# (old password, a mismatched pair, a pair the policy refuses, a good pair) and must print the
# same dialogue from "Password expired." on; then the new password logs in (MIT's kinit checks).
# Three mismatches end both with "Password mismatch". Each run resets its own users first.
set -euo pipefail
kinit_kerb=$1
status=0
check() {  # description, command...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; status=1; fi
}
kadmin() { PATH=$PATH:/usr/sbin kadmin.local -r "$KERB_TEST_REALM" -q "$1" >/dev/null; }
reset_expired() {  # user: back to the fixture's password, expired
  local pw_var=KERB_TEST_PASSWORD_${1^^}
  kadmin "cpw -randkey $1"
  kadmin "cpw -pw ${!pw_var} $1"
  kadmin "modprinc -pwexpire 2000-01-01 $1"
}
dir=$KERB_TEST_DIR/kinit-expired-$$
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT

# dialogue USER NEW: the lines both programs read.
dialogue() {
  local pw_var=KERB_TEST_PASSWORD_${1^^}
  printf '%s\n' "${!pw_var}" "Mismatch-one-123" "Mismatch-two-123" "Short-1" "Short-1" "$2" "$2"
}
new_kerb="Kerb-pwkinit-new-$$"
new_mit="Kerb-pwmitkinit-new-$$"

reset_expired pwkinit
reset_expired pwmitkinit
rc=0
dialogue pwkinit "$new_kerb" | "$kinit_kerb" -c "FILE:$dir/kerb.cc" pwkinit >"$dir/kerb.out" \
  2>"$dir/kerb.err" || rc=$?
check "kerb-kinit changes the expired password and logs in (exit $rc)" test "$rc" = 0
rc=0
dialogue pwmitkinit "$new_mit" | kinit -c "FILE:$dir/mit.cc" pwmitkinit >"$dir/mit.out" \
  2>"$dir/mit.err" || rc=$?
check "MIT's kinit does the same (exit $rc)" test "$rc" = 0
# MIT prints "Password for ...: " first; kerb-kinit prompts for it only on a terminal.
sed -n '/^Password expired\./,$p' "$dir/mit.out" >"$dir/mit.dialogue"
sed -n '/^Password expired\./,$p' "$dir/kerb.out" | head -n "$(wc -l <"$dir/mit.dialogue")" \
  >"$dir/kerb.dialogue"
check "MIT's dialogue has the three rounds" test "$(grep -c '^Enter it again: $' "$dir/mit.dialogue")" = 3
check "the dialogue is MIT's, word for word" diff -u "$dir/mit.dialogue" "$dir/kerb.dialogue"
check "it names the policy's minimum length" \
  grep -q "at least $KERB_TEST_PWPOLICY_MINLENGTH characters" "$dir/kerb.dialogue"
check "kerb-kinit's cache holds the TGT (MIT's klist)" \
  grep -q "krbtgt/$KERB_TEST_REALM@$KERB_TEST_REALM" <(klist -c "FILE:$dir/kerb.cc")
mit_login() { kinit -c "FILE:$dir/check.cc" "$1" <<<"$2" >/dev/null 2>&1; }
check "the new password works with MIT's kinit" mit_login pwkinit "$new_kerb"
fails() { ! "$@"; }
check "the old password no longer does" fails mit_login pwkinit "$KERB_TEST_PASSWORD_PWKINIT"

# Three mismatched pairs: both give up with the same reason.
reset_expired pwkinitmismatch
mismatch() {
  printf '%s\n' "$KERB_TEST_PASSWORD_PWKINITMISMATCH" a1-234567890123 b1-234567890123 \
    a1-234567890123 b1-234567890123 a1-234567890123 b1-234567890123
}
rc=0
mismatch | "$kinit_kerb" -c "FILE:$dir/kerb2.cc" pwkinitmismatch >"$dir/kerb2.out" \
  2>"$dir/kerb2.err" || rc=$?
check "kerb-kinit gives up after three mismatches (exit $rc)" test "$rc" = 1
check "with MIT's reason" grep -q "Password mismatch while getting initial credentials" "$dir/kerb2.err"
check "asking three times" test "$(grep -c '^Enter new password: $' "$dir/kerb2.out")" = 3
rc=0
mismatch | kinit -c "FILE:$dir/mit2.cc" pwkinitmismatch >"$dir/mit2.out" 2>"$dir/mit2.err" || rc=$?
check "MIT's kinit gives up too (exit $rc)" test "$rc" = 1
check "MIT's dialogue is the same" diff -u <(sed -n '/^Password expired\./,$p' "$dir/mit2.out") \
  "$dir/kerb2.out"
check "the password did not change: still the old one, still expired" \
  grep -q "^Password expired\." <(kinit -c "FILE:$dir/check2.cc" pwkinitmismatch \
    <<<"$KERB_TEST_PASSWORD_PWKINITMISMATCH" 2>/dev/null)
exit $status

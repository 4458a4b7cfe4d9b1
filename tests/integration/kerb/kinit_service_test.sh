#!/usr/bin/env bash
# kerb-kinit -S next to MIT's kinit -S, the reference, with the same arguments against the
# fixture: the AS issues the named service's ticket (no TGT), in the client's realm whatever
# realm the name gives, and an unknown service fails the same way.
set -uo pipefail
kinit_kerb=$1
# shellcheck source=../checks.sh
source "$(dirname "$0")/../checks.sh"
export LC_ALL=C  # klist's date columns, dropped below, in one known shape

dir=$KERB_TEST_DIR/kinit-service-$$
rm -rf "$dir"
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT

# MIT's klist of a ccache without its name and times: the default principal, each ticket's
# server and flags.
summary() {
  klist -f -c "FILE:$1" | awk '/^Default principal:/ { print; next }
                               /^[0-9]/ { print "ticket " $5; next }
                               /Flags:/ { print "flags " $2 }'
}

n=0
# same PASSWORD EXPECTED_SERVER KINIT_ARGS...: both kinits with KINIT_ARGS, each into a new
# ccache; MIT's holds EXPECTED_SERVER's ticket alone, and kerb-kinit's lists the same.
same() {
  local password=$1 expected=$2 rc_mit=0 rc_kerb=0
  shift 2
  n=$((n + 1))
  kinit -c "FILE:$dir/mit$n.cc" "$@" <<<"$password" >"$dir/mit$n.out" 2>&1 || rc_mit=$?
  "$kinit_kerb" -c "FILE:$dir/kerb$n.cc" "$@" <<<"$password" >"$dir/kerb$n.out" 2>&1 || rc_kerb=$?
  if ((rc_mit != 0)); then
    fail "MIT's kinit $* (exit $rc_mit): $(cat "$dir/mit$n.out")"
    return
  fi
  if ((rc_kerb != 0)); then
    fail "kerb-kinit $* (exit $rc_kerb): $(cat "$dir/kerb$n.out")"
    return
  fi
  summary "$dir/mit$n.cc" >"$dir/mit$n.list"
  summary "$dir/kerb$n.cc" >"$dir/kerb$n.list"
  if [ "$(grep '^ticket ' "$dir/mit$n.list")" = "ticket $expected" ]; then
    pass "MIT's kinit $*: $expected's ticket alone"
  else
    fail "MIT's kinit $*: not $expected's ticket alone: $(cat "$dir/mit$n.list")"
  fi
  if diff -u "$dir/mit$n.list" "$dir/kerb$n.list"; then
    pass "kerb-kinit $*: the same ccache as MIT's (MIT's klist)"
  else
    fail "kerb-kinit $*: not the ccache MIT's kinit writes"
  fi
}

realm=$KERB_TEST_REALM
other=$KERB_TEST_OTHER_REALM
same "$KERB_TEST_PASSWORD_ALICE" "bank/bank.test@$realm" -S bank/bank.test alice
same "$KERB_TEST_PASSWORD_ALICE" "bank/bank.test@$realm" -f -S "bank/bank.test@$realm" alice
# The service is in the client's realm: a name without realm is not in the default realm, and
# a realm given is ignored.
same "$KERB_TEST_PASSWORD_CAROL" "host/$KERB_TEST_OTHER_HOST@$other" \
  -S "host/$KERB_TEST_OTHER_HOST" "$KERB_TEST_OTHER_USER"
same "$KERB_TEST_PASSWORD_CAROL" "host/$KERB_TEST_OTHER_HOST@$other" \
  -S "host/$KERB_TEST_OTHER_HOST@$realm" "$KERB_TEST_OTHER_USER"
same "$KERB_TEST_PASSWORD_ALICE" "bank/bank.test@$realm" -S "bank/bank.test@$other" alice
# With a keytab instead of a password.
same "" "bank/bank.test@$realm" -k -t "$KERB_TEST_KEYTAB" -S bank/bank.test bank/bank.test

# An unknown service: both fail with the same status, write no ccache, and kerb-kinit's
# message holds MIT's words ("kinit: <words> while getting initial credentials").
rc_mit=0
rc_kerb=0
kinit -c "FILE:$dir/mit-unknown.cc" -S nosuch/bank.test alice <<<"$KERB_TEST_PASSWORD_ALICE" \
  >/dev/null 2>"$dir/mit-unknown.err" || rc_mit=$?
"$kinit_kerb" -c "FILE:$dir/kerb-unknown.cc" -S nosuch/bank.test alice \
  <<<"$KERB_TEST_PASSWORD_ALICE" >/dev/null 2>"$dir/kerb-unknown.err" || rc_kerb=$?
if ((rc_mit != 0)) && ((rc_kerb == rc_mit)); then
  pass "an unknown service fails with MIT's exit status ($rc_mit)"
else
  fail "an unknown service: MIT's kinit exits $rc_mit, kerb-kinit $rc_kerb"
fi
if [ ! -e "$dir/mit-unknown.cc" ] && [ ! -e "$dir/kerb-unknown.cc" ]; then
  pass "an unknown service writes no ccache"
else
  fail "an unknown service wrote a ccache"
fi
words=$(sed -n 's/^kinit: \(.*\) while getting initial credentials$/\1/p' "$dir/mit-unknown.err")
if [ -n "$words" ] && grep -qF "$words" "$dir/kerb-unknown.err"; then
  pass "kerb-kinit says what MIT's kinit says: $words"
else
  fail "kerb-kinit's message '$(cat "$dir/kerb-unknown.err")' lacks MIT's '$(cat "$dir/mit-unknown.err")'"
fi

finish

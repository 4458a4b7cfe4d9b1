#!/usr/bin/env bash
# kerb-kinit's failures next to MIT's kinit, the reference: the same arguments and stdin give
# the same first line on stderr, the program's name aside, and the same exit status. MIT's
# words are taken from MIT's kinit at test time.
set -uo pipefail
kinit_kerb=$1
# shellcheck source=../checks.sh
source "$(dirname "$0")/../checks.sh"
dir=$(mktemp -d "$KERB_TEST_DIR/kinit-errors.XXXXXX")
trap 'rm -rf "$dir"' EXIT
realm=$KERB_TEST_REALM
never=FILE:$dir/never.cc  # a cache no failing run may write

# same STDIN ARGS...: MIT's kinit and kerb-kinit, each without its name (and kvno's with
# kvno=1 in the environment for a --fetch).
n=0
same() {
  local in=$1; shift
  n=$((n + 1))
  local rc_mit=0 rc_kerb=0
  printf '%s\n' "$in" | kinit "$@" >/dev/null 2>"$dir/mit$n.err" || rc_mit=$?
  printf '%s\n' "$in" | "$kinit_kerb" "$@" >/dev/null 2>"$dir/kerb$n.err" || rc_kerb=$?
  compare "$*" "$rc_mit" "$rc_kerb" "$dir/mit$n.err" "$dir/kerb$n.err"
}
# compare WHAT RC_MIT RC_KERB MIT_ERR KERB_ERR
compare() {
  local what=$1 rc_mit=$2 rc_kerb=$3 mit kerb
  mit=$(head -n 1 "$4" | sed 's/^\(kinit\|kvno\): //')
  kerb=$(head -n 1 "$5" | sed "s/^$(basename "$kinit_kerb"): //")
  if ((rc_mit == 0)); then
    fail "$what: MIT's kinit succeeded, no failure to compare"
  elif [[ -z $mit || $mit != "$kerb" ]]; then
    fail "$what: MIT says '$mit', kerb-kinit '$kerb'"
  elif ((rc_mit != rc_kerb)); then
    fail "$what: MIT exits $rc_mit, kerb-kinit $rc_kerb"
  else
    pass "$what: $mit (exit $rc_mit)"
  fi
}

# The KDC's refusals.
same wrong -c "$never" alice
same x -c "$never" nosuchuser
same x -c "$never" "alice@$KERB_TEST_OTHER_REALM"
same "$KERB_TEST_PASSWORD_ALICE" -c "$never" -S nosuch/svc alice
same "$KERB_TEST_PASSWORD_DISABLED" -c "$never" disabled
kinit -k -t "$KERB_TEST_DEVICE_KEYTAB" -c "FILE:$dir/armor.cc" "$KERB_TEST_DEVICE_PRINCIPAL" \
  || fail "MIT's kinit -k for the armor TGT"
same wrong -c "$never" -T "FILE:$dir/armor.cc" alice
# An expired password: the old one wrong, or no new one on stdin.
same "" -c "$never" expired
same "$KERB_TEST_PASSWORD_EXPIRED" -c "$never" expired

# Keytabs: missing, a directory, without the client, with a wrong key (no pre-auth: the reply
# does not decrypt; pre-auth: the KDC refuses), and the key of an expired password.
wrong_keytab() {  # PRINCIPAL PASSWORD FILE
  printf 'addent -password -p %s -k 1 -e aes256-cts-hmac-sha1-96\n%s\nwkt %s\nquit\n' \
    "$1" "$2" "$3" | ktutil >/dev/null 2>&1 || fail "ktutil writing $3"
}
wrong_keytab "bank/bank.test@$realm" not-the-password "$dir/bank-wrong.keytab"
wrong_keytab "alice@$realm" not-the-password "$dir/alice-wrong.keytab"
wrong_keytab "expired@$realm" "$KERB_TEST_PASSWORD_EXPIRED" "$dir/expired.keytab"
same "" -c "$never" -k -t /nonexistent bank/bank.test
same "" -c "$never" -k -t "FILE:$dir/no.keytab" bank/bank.test
same "" -c "$never" -k -t "$dir" bank/bank.test
same "" -c "$never" -k -t "$KERB_TEST_KEYTAB" alice
same "" -c "$never" -k -t "$dir/bank-wrong.keytab" bank/bank.test
same "" -c "$never" -k -t "$dir/alice-wrong.keytab" alice
same "" -c "$never" -k -t "$dir/expired.keytab" expired

# KDCs: none configured, and one that does not answer (a port nothing listens on).
same x -c "$never" alice@NOWHERE.TEST
closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s/^\[realms\]/[realms]\n    DEAD.TEST = {\n        kdc = 127.0.0.1:$closed\n    }/" \
  "$KRB5_CONFIG" >"$dir/dead.conf"
KRB5_CONFIG=$dir/dead.conf same x -c "$never" alice@DEAD.TEST
printf '[libdefaults\n    default_realm = %s\n' "$realm" >"$dir/malformed.conf"
KRB5_CONFIG=$dir/malformed.conf same x -c "$never" alice

# Arguments: lifetimes, principals, caches.
same x -c "$never" -l abc alice
same x -c "$never" -l 0 alice
same x -c "$never" -r abc alice
same x -c "$never" 'al@ice@@'
same "$KERB_TEST_PASSWORD_ALICE" -c "$never" -S 'svc@a@@' alice
same "$KERB_TEST_PASSWORD_ALICE" -c BOGUS:cache alice
same "$KERB_TEST_PASSWORD_ALICE" -c "FILE:$dir/no/such/dir/cc" alice
same x -c "$never" -T "$dir/no-armor" alice
same x -c "$never" -T "FILE:$dir/no-armor" alice
kinit -c "FILE:$dir/service.cc" -S bank/bank.test alice <<<"$KERB_TEST_PASSWORD_ALICE" >/dev/null \
  || fail "MIT's kinit -S for a cache without a TGT"
same x -c "$never" -T "FILE:$dir/service.cc" alice

# --fetch is kerb's own: its failure is MIT kvno's after MIT's kinit.
rc_mit=0
rc_kerb=0
kinit -c "FILE:$dir/kvno.cc" alice <<<"$KERB_TEST_PASSWORD_ALICE" >/dev/null
KRB5CCNAME=FILE:$dir/kvno.cc kvno nosuch/svc >/dev/null 2>"$dir/kvno.err" || rc_mit=$?
"$kinit_kerb" -c "FILE:$dir/fetch.cc" --fetch nosuch/svc alice <<<"$KERB_TEST_PASSWORD_ALICE" \
  >/dev/null 2>"$dir/fetch.err" || rc_kerb=$?
compare "--fetch nosuch/svc (MIT's kvno)" "$rc_mit" "$rc_kerb" "$dir/kvno.err" "$dir/fetch.err"

if [[ ! -e $dir/never.cc ]]; then pass "no failing run wrote a cache"; else
  fail "a failing run wrote $never"; fi
finish

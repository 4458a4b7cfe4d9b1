#!/usr/bin/env bash
# integration.mit_kinit_klist: proves the KDC fixture with MIT's own client tools.
# Runs under with-kdc-env, so the fixture's env file has been sourced.
set -euo pipefail

# shellcheck source=checks.sh
source "$(dirname "$0")/checks.sh"

for var in KRB5_CONFIG KERB_TEST_REALM KERB_TEST_DIR KERB_TEST_KEYTAB KERB_TEST_KDC_LOG \
           KERB_TEST_KDC_PORT KERB_TEST_KDC_PID KERB_TEST_PASSWORD_ALICE; do
  if [[ -z ${!var:-} ]]; then
    echo "FAIL: $var is not set: run this under with-kdc-env (ctest -L integration)" >&2
    exit 1
  fi
done
realm=$KERB_TEST_REALM
tgt="krbtgt/$realm@$realm"
service="bank/bank.test@$realm"

# Private ccaches inside the fixture directory, so parallel tests don't share one.
work=$(mktemp -d "$KERB_TEST_DIR/mit_kinit_klist.XXXXXX")
trap 'rm -rf "$work"' EXIT

password_of() { local v="KERB_TEST_PASSWORD_${1^^}"; printf '%s' "${!v}"; }

# login USER CCNAME [kinit options...] <<<password: stdout+stderr in $out, exit status in $rc.
login() {
  local user=$1 cc=$2
  shift 2
  rc=0
  out=$(kinit "$@" -c "FILE:$cc" "$user@$realm" 2>&1) || rc=$?
  out=$(grep -v '^Password for ' <<<"$out" || true)   # drop the prompt
}

# wait_log PATTERN: the KDC logs after replying, so give it a moment.
wait_log() {
  for _ in $(seq 40); do
    grep -qE "$1" "$KERB_TEST_KDC_LOG" && return 0
    sleep 0.05
  done
  return 1
}

# --- alice: password with pre-auth, TGT, service ticket ---------------------------------------
login alice "$work/alice" -r 2d <<<"$(password_of alice)"
if ((rc == 0)); then pass "kinit alice"; else fail "kinit alice exited $rc: $out"; fi

listing=$(klist -c "FILE:$work/alice" 2>&1) || true
if grep -qF "$tgt" <<<"$listing"; then
  pass "klist shows $tgt"
else
  fail "klist does not show $tgt:"$'\n'"$listing"
fi
if grep -q 'renew until' <<<"$listing"; then
  pass "alice's TGT is renewable"
else
  fail "alice's TGT is not renewable (kinit -r 2d):"$'\n'"$listing"
fi
if wait_log "NEEDED_PREAUTH: alice@$realm"; then
  pass "KDC required pre-auth for alice"
else
  fail "no NEEDED_PREAUTH for alice in $KERB_TEST_KDC_LOG"
fi

if out=$(kvno -c "FILE:$work/alice" "$service" 2>&1); then
  pass "kvno $service: $out"
else
  fail "kvno $service failed: $out"
fi
if klist -c "FILE:$work/alice" 2>&1 | grep -qF "$service"; then
  pass "klist shows $service"
else
  fail "klist does not show $service after kvno"
fi

# --- the service keytab -----------------------------------------------------------------------
keys=$(klist -k "$KERB_TEST_KEYTAB" 2>&1) || fail "klist -k $KERB_TEST_KEYTAB failed: $keys"
for p in "$service" "host/bank.test@$realm"; do
  if grep -qF "$p" <<<"$keys"; then pass "keytab has $p"; else fail "keytab lacks $p:"$'\n'"$keys"; fi
done

rc=0
out=$(kinit -k -t "$KERB_TEST_KEYTAB" -c "FILE:$work/bank" "$service" 2>&1 </dev/null) || rc=$?
if ((rc == 0)) && klist -c "FILE:$work/bank" 2>/dev/null | grep -qF "$tgt"; then
  pass "kinit -k -t bank.keytab $service"
else
  fail "kinit -k -t $KERB_TEST_KEYTAB $service exited $rc: $out"
fi

# --- failures ---------------------------------------------------------------------------------
login alice "$work/wrong" <<<"not-the-password"
if ((rc != 0)) && grep -qiE 'password incorrect|preauthentication failed' <<<"$out"; then
  pass "wrong password rejected: $out"
else
  fail "kinit alice with a wrong password: exit $rc, output: $out"
fi
if wait_log "PREAUTH_FAILED: alice@$realm"; then
  pass "KDC logged PREAUTH_FAILED for alice"
else
  fail "no PREAUTH_FAILED for alice in $KERB_TEST_KDC_LOG"
fi

login disabled "$work/disabled" <<<"$(password_of disabled)"
if ((rc != 0)) && grep -qi 'revoked' <<<"$out"; then
  pass "disabled user revoked: $out"
else
  fail "kinit disabled: expected 'credentials have been revoked', exit $rc, output: $out"
fi

# kinit asks for a new password on stdin, finds none, and fails.
login expired "$work/expired" <<<"$(password_of expired)"
if ((rc != 0)) && grep -qi 'password expired' <<<"$out"; then
  pass "expired password reported"
else
  fail "kinit expired: expected 'Password expired', exit $rc, output: $out"
fi

# --- nopreauth: ticket on the first AS-REQ ----------------------------------------------------
login nopreauth "$work/nopreauth" <<<"$(password_of nopreauth)"
if ((rc == 0)) && klist -c "FILE:$work/nopreauth" 2>/dev/null | grep -qF "$tgt"; then
  pass "kinit nopreauth"
else
  fail "kinit nopreauth exited $rc: $out"
fi
if wait_log "ISSUE: .*nopreauth@$realm for $tgt" && ! grep -q "NEEDED_PREAUTH: nopreauth@" "$KERB_TEST_KDC_LOG"; then
  pass "nopreauth got a ticket without pre-auth"
else
  fail "KDC log does not show nopreauth issued without NEEDED_PREAUTH"
fi

# --- users with a single key family: the AS reply is encrypted in that key -------------------
declare -A reply_etype=(
  [sha2user]='aes(256-cts-hmac-sha384-192|128-cts-hmac-sha256-128)'
  [camuser]='camellia(256|128)-cts-cmac'
  [rc4user]='arcfour-hmac'
  [bob]='aes256-cts-hmac-sha1-96'
)
for user in sha2user camuser rc4user bob; do
  login "$user" "$work/$user" <<<"$(password_of "$user")"
  if ((rc != 0)); then
    fail "kinit $user exited $rc: $out"
  elif wait_log "ISSUE: .*rep=(DEPRECATED:)?${reply_etype[$user]}\([0-9]+\).*, $user@$realm for"; then
    pass "kinit $user (reply key ${reply_etype[$user]})"
  else
    fail "kinit $user: no ISSUE with reply enctype ${reply_etype[$user]} in $KERB_TEST_KDC_LOG"
  fi
done

finish

#!/usr/bin/env bash
# integration.crossrealm.mit: proves the fixture's cross-realm trust with MIT's own tools
# (kinit, kvno, klist, gss-client/gss-server from krb5-gss-samples) and the KDCs' logs:
#   - alice@KERB.TEST gets host/www.other.test@OTHER.TEST through krbtgt/OTHER.TEST@KERB.TEST,
#     named explicitly, and through the home KDC's referral (kvno -S host www.other.test);
#   - carol@OTHER.TEST gets host/bank.test@KERB.TEST through krbtgt/KERB.TEST@OTHER.TEST;
#   - eve@EVIL.TEST gets host/bank.test@KERB.TEST through OTHER.TEST: the KDC logs the transited
#     path 'OTHER.TEST', which its [capaths] do not allow, and issues the ticket without the
#     TRANSITED-POLICY-CHECKED flag; MIT's acceptor refuses it under KERB.TEST's krb5.conf and
#     accepts it under EVIL.TEST's, which lists the path.
# With the path of kerb-gss-server as its argument (integration.crossrealm.gss_server), it then
# puts kerb's acceptor in the place of MIT's gss-server, with the same krb5.conf files, and
# checks it decides as MIT's did: carol accepted and eve refused under KERB.TEST's [capaths],
# eve accepted under EVIL.TEST's.
# Runs under with-kdc-env.
set -euo pipefail
kerb_gss_server=${1:-}

for var in KRB5_CONFIG KERB_TEST_REALM KERB_TEST_DIR KERB_TEST_KEYTAB KERB_TEST_KDC_LOG \
           KERB_TEST_PASSWORD_ALICE KERB_TEST_OTHER_REALM KERB_TEST_OTHER_KDC_PORT \
           KERB_TEST_OTHER_KDC_PID KERB_TEST_OTHER_KDC_LOG KERB_TEST_OTHER_KEYTAB \
           KERB_TEST_OTHER_HOST KERB_TEST_OTHER_USER KERB_TEST_PASSWORD_CAROL \
           KERB_TEST_EVIL_REALM KERB_TEST_EVIL_KDC_PORT KERB_TEST_EVIL_KDC_PID \
           KERB_TEST_EVIL_KDC_LOG KERB_TEST_EVIL_KEYTAB KERB_TEST_EVIL_USER \
           KERB_TEST_PASSWORD_EVE KERB_TEST_EVIL_KRB5_CONFIG; do
  if [[ -z ${!var:-} ]]; then
    echo "FAIL: $var is not set: run this under with-kdc-env (ctest -L integration)" >&2
    exit 1
  fi
done
realm=$KERB_TEST_REALM
other=$KERB_TEST_OTHER_REALM
evil=$KERB_TEST_EVIL_REALM
other_service="host/$KERB_TEST_OTHER_HOST@$other"
bank_service="host/bank.test@$realm"

work=$(mktemp -d "$KERB_TEST_DIR/crossrealm.XXXXXX")
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=../checks.sh
source "$(dirname "$0")/../checks.sh"

# login PRINCIPAL PASSWORD CCNAME: kinit, or the test stops (nothing after it can work).
login() {
  local out rc=0
  out=$(kinit -c "FILE:$3" "$1" <<<"$2" 2>&1) || rc=$?
  if ((rc == 0)); then pass "kinit $1"; else fail "kinit $1 exited $rc: $out"; exit 1; fi
}
# get CCNAME KEYTAB SERVICE: kvno, verifying the ticket with the service's keytab (-k).
get() {
  local out rc=0
  out=$(kvno -c "FILE:$1" -k "$2" "$3" 2>&1) || rc=$?
  if ((rc == 0)); then pass "kvno $3: $out"; else fail "kvno $3 exited $rc: $out"; fi
}
# cache_has CCNAME NAME: klist lists NAME as a service principal (or "Ticket server:").
cache_has() {
  local listing
  listing=$(klist -c "FILE:$1" 2>&1) || true
  if awk -v name="$2" '$NF == name { found = 1 } END { exit !found }' <<<"$listing"; then
    pass "klist shows $2"
  else
    fail "klist does not show $2:"$'\n'"$listing"
  fi
}
# flags_of CCNAME NAME: the klist -f flag letters of NAME's ticket.
flags_of() {
  klist -f -c "FILE:$1" 2>/dev/null |
    awk -v name="$2" '$NF == name { getline; if ($1 == "Flags:") print $2; exit }'
}
# wait_log FILE PATTERN: the KDC logs after replying, so give it a moment.
wait_log() {
  for _ in $(seq 40); do
    grep -qE "$2" "$1" && return 0
    sleep 0.05
  done
  return 1
}
log_has() {
  if wait_log "$1" "$2"; then pass "$3"; else fail "$3: no /$2/ in $1"; fi
}

# --- the realms and their KDCs ----------------------------------------------------------------
alive() { [[ $(cat "/proc/$1/comm" 2>/dev/null) == krb5kdc ]]; }
for r in OTHER EVIL; do
  pid_var=KERB_TEST_${r}_KDC_PID
  if alive "${!pid_var}"; then pass "$r's krb5kdc runs (pid ${!pid_var})"; else fail "$r's krb5kdc (pid ${!pid_var}) is not running"; fi
done
if [[ $KERB_TEST_KDC_PORT != "$KERB_TEST_OTHER_KDC_PORT" && $KERB_TEST_OTHER_KDC_PORT != "$KERB_TEST_EVIL_KDC_PORT" &&
      $KERB_TEST_KDC_PORT != "$KERB_TEST_EVIL_KDC_PORT" ]]; then
  pass "three KDC ports: $KERB_TEST_KDC_PORT $KERB_TEST_OTHER_KDC_PORT $KERB_TEST_EVIL_KDC_PORT"
else
  fail "KDC ports not distinct: $KERB_TEST_KDC_PORT $KERB_TEST_OTHER_KDC_PORT $KERB_TEST_EVIL_KDC_PORT"
fi
keys=$(klist -k "$KERB_TEST_OTHER_KEYTAB" 2>&1) || true
for p in "$other_service" "bank/$KERB_TEST_OTHER_HOST@$other"; do
  if grep -qF "$p" <<<"$keys"; then pass "other keytab has $p"; else fail "other keytab lacks $p:"$'\n'"$keys"; fi
done

# --- alice@KERB.TEST -> host/www.other.test@OTHER.TEST, named with its realm -------------------
login "alice@$realm" "$KERB_TEST_PASSWORD_ALICE" "$work/alice"
get "$work/alice" "$KERB_TEST_OTHER_KEYTAB" "$other_service"
get "$work/alice" "$KERB_TEST_OTHER_KEYTAB" "bank/$KERB_TEST_OTHER_HOST@$other"
cache_has "$work/alice" "krbtgt/$other@$realm"
cache_has "$work/alice" "$other_service"
log_has "$KERB_TEST_KDC_LOG" "ISSUE: .*alice@$realm for krbtgt/$other@$realm" \
  "KERB.TEST's KDC issued alice the cross-realm TGT"
log_has "$KERB_TEST_OTHER_KDC_LOG" "ISSUE: .*alice@$realm for $other_service" \
  "OTHER.TEST's KDC issued alice $other_service"
# Empty transited path (one hop): the KDC checked it and says so (klist -f: T).
f=$(flags_of "$work/alice" "$other_service")
if [[ $f == *T* ]]; then pass "$other_service flags $f include T (transited policy checked)"; else fail "$other_service flags '$f' lack T"; fi

# --- the same through the home KDC's referral (RFC 6806) -------------------------------------
# The client's krb5.conf does not map www.other.test, so kvno asks KERB.TEST's KDC for
# host/www.other.test@KERB.TEST with canonicalize; that KDC maps the host to OTHER.TEST and
# answers with krbtgt/OTHER.TEST@KERB.TEST.
login "alice@$realm" "$KERB_TEST_PASSWORD_ALICE" "$work/referral"
rc=0
out=$(KRB5_TRACE=$work/referral.trace kvno -c "FILE:$work/referral" -k "$KERB_TEST_OTHER_KEYTAB" \
        -S host "$KERB_TEST_OTHER_HOST" 2>&1) || rc=$?
trace=$(cat "$work/referral.trace" 2>/dev/null || true)
if ((rc == 0)); then pass "kvno -S host $KERB_TEST_OTHER_HOST: $out"; else fail "kvno -S host $KERB_TEST_OTHER_HOST exited $rc: $out"; fi
for want in "Requesting tickets for host/$KERB_TEST_OTHER_HOST@$realm, referrals on" \
            "Reply server krbtgt/$other@$realm differs from requested host/$KERB_TEST_OTHER_HOST@$realm" \
            "Following referral TGT krbtgt/$other@$realm" \
            "Received creds for desired service $other_service"; do
  if grep -qF "$want" <<<"$trace"; then pass "trace: $want"; else fail "KRB5_TRACE lacks '$want':"$'\n'"$trace"; fi
done
cache_has "$work/referral" "$other_service"   # "Ticket server: ..." of the referral entry

# --- carol@OTHER.TEST -> host/bank.test@KERB.TEST ----------------------------------------------
login "$KERB_TEST_OTHER_USER" "$KERB_TEST_PASSWORD_CAROL" "$work/carol"
get "$work/carol" "$KERB_TEST_KEYTAB" "$bank_service"
cache_has "$work/carol" "krbtgt/$realm@$other"
log_has "$KERB_TEST_OTHER_KDC_LOG" "AS_REQ .*ISSUE: .*$KERB_TEST_OTHER_USER for krbtgt/$other@$other" \
  "OTHER.TEST's KDC logged carol in"
log_has "$KERB_TEST_KDC_LOG" "ISSUE: .*$KERB_TEST_OTHER_USER for $bank_service" \
  "KERB.TEST's KDC issued carol $bank_service"
f=$(flags_of "$work/carol" "$bank_service")
if [[ $f == *T* ]]; then pass "carol's $bank_service flags $f include T"; else fail "carol's $bank_service flags '$f' lack T"; fi

# --- eve@EVIL.TEST -> host/bank.test@KERB.TEST through OTHER.TEST ------------------------------
# Eve's side of the world is EVIL.TEST's krb5.conf: its [capaths] route KERB.TEST via OTHER.TEST.
KRB5_CONFIG=$KERB_TEST_EVIL_KRB5_CONFIG login "$KERB_TEST_EVIL_USER" "$KERB_TEST_PASSWORD_EVE" "$work/eve"
KRB5_CONFIG=$KERB_TEST_EVIL_KRB5_CONFIG get "$work/eve" "$KERB_TEST_KEYTAB" "$bank_service"
cache_has "$work/eve" "krbtgt/$realm@$other"
log_has "$KERB_TEST_EVIL_KDC_LOG" "ISSUE: .*$KERB_TEST_EVIL_USER for krbtgt/$other@$evil" \
  "EVIL.TEST's KDC issued eve krbtgt/$other@$evil"
log_has "$KERB_TEST_OTHER_KDC_LOG" "ISSUE: .*$KERB_TEST_EVIL_USER for krbtgt/$realm@$other" \
  "OTHER.TEST's KDC issued eve krbtgt/$realm@$other"
# The transited field of eve's ticket is "OTHER.TEST" (RFC 4120 §3.3.3.2: OTHER.TEST issued the
# TGT that KERB.TEST's KDC was shown, and is not the client's realm). MIT's KDC logs it when the
# path fails its [capaths] check, and issues the ticket anyway (reject_bad_transit = false).
log_has "$KERB_TEST_KDC_LOG" \
  "bad realm transit path from '$KERB_TEST_EVIL_USER' to '$bank_service' via '$other'" \
  "KERB.TEST's KDC found transited path '$other' for eve not allowed"
log_has "$KERB_TEST_KDC_LOG" "ISSUE: .*$KERB_TEST_EVIL_USER for $bank_service" \
  "KERB.TEST's KDC issued eve $bank_service"
f=$(flags_of "$work/eve" "$bank_service")
if [[ -n $f && $f != *T* ]]; then pass "eve's $bank_service flags $f lack T (transited policy not checked)"; else fail "eve's $bank_service flags '$f': expected a ticket without T"; fi

# --- MIT's acceptor: refuses eve under KERB.TEST's krb5.conf, accepts her under EVIL.TEST's ------
if ! command -v gss-client >/dev/null || ! command -v gss-server >/dev/null; then
  echo "FAIL: MIT's gss-client/gss-server are missing (Debian krb5-gss-samples)" >&2
  exit 1
fi
listening() {
  local hex
  hex=$(printf '%04X' "$1")
  grep -qE "^ *[0-9]+: [0-9A-F]{8}:$hex [0-9A-F]{8}:[0-9A-F]{4} 0A" /proc/net/tcp
}
# serve CONF [SERVER]: gss-server (or SERVER, which takes its options) for host@bank.test with
# the bank keytab, reading CONF.
serve() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  server_log=$work/server.$port.log
  KRB5_CONFIG=$1 "${2:-gss-server}" -port "$port" -keytab "$KERB_TEST_KEYTAB" host@bank.test >"$server_log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do listening "$port" && break; sleep 0.05; done
  listening "$port" || { echo "FAIL: ${2:-gss-server} did not listen on $port:"; cat "$server_log"; exit 1; }
}
# connect LABEL CCNAME CONF: gss-client from that ccache; output in $out, status in $rc.
connect() {
  rc=0
  out=$(KRB5CCNAME=FILE:$2 KRB5_CONFIG=$3 gss-client -port "$port" 127.0.0.1 host@bank.test "hi" 2>&1) || rc=$?
}
serve "$KRB5_CONFIG"
connect carol "$work/carol" "$KRB5_CONFIG"
if ((rc == 0)) && grep -q "Signature verified" <<<"$out"; then pass "MIT's acceptor accepts carol@$other"; else fail "carol refused (exit $rc): $out"; fi
connect eve "$work/eve" "$KERB_TEST_EVIL_KRB5_CONFIG"
# KRB5KRB_AP_ERR_ILL_CR_TKT: the acceptor's [capaths] do not allow EVIL.TEST via OTHER.TEST.
if ((rc != 0)) && grep -q "Illegal cross-realm ticket" <<<"$out"; then
  pass "MIT's acceptor (KERB.TEST's krb5.conf) refuses eve: Illegal cross-realm ticket"
else
  fail "eve under KERB.TEST's krb5.conf: exit $rc, expected 'Illegal cross-realm ticket': $out"
fi
serve "$KERB_TEST_EVIL_KRB5_CONFIG"
connect eve "$work/eve" "$KERB_TEST_EVIL_KRB5_CONFIG"
if ((rc == 0)) && grep -q "Signature verified" <<<"$out"; then
  pass "MIT's acceptor (EVIL.TEST's krb5.conf, path allowed) accepts eve@$evil"
else
  fail "eve under EVIL.TEST's krb5.conf: exit $rc: $out"
fi

# --- kerb's acceptor in MIT's place: the same decisions ----------------------------------------
if [[ -n $kerb_gss_server ]]; then
  # server_said PATTERN: kerb-gss-server logged PATTERN (it logs after answering).
  server_said() { wait_log "$server_log" "$1"; }
  serve "$KRB5_CONFIG" "$kerb_gss_server"
  connect carol "$work/carol" "$KRB5_CONFIG"
  if ((rc == 0)) && grep -q "Signature verified" <<<"$out" &&
     server_said "Accepted connection: \"$KERB_TEST_OTHER_USER\""; then
    pass "kerb-gss-server (KERB.TEST's krb5.conf) accepts carol@$other, as MIT's acceptor does"
  else
    fail "kerb-gss-server refused carol (exit $rc): $out"$'\n'"$(cat "$server_log")"
  fi
  connect eve "$work/eve" "$KERB_TEST_EVIL_KRB5_CONFIG"
  # Its KRB-ERROR token carries KRB_AP_PATH_NOT_ACCEPTED (51), which MIT's gss-client reports
  # by its krb5 error table (MIT's acceptor says KRB_AP_ERR_ILL_CR_TKT for the same refusal).
  if ((rc != 0)) && grep -q "Policy rejects transited path" <<<"$out" &&
     server_said "clients of realm $evil are not trusted at services of $realm"; then
    pass "kerb-gss-server (KERB.TEST's krb5.conf) refuses eve, as MIT's acceptor does: Policy rejects transited path"
  else
    fail "eve under KERB.TEST's krb5.conf at kerb-gss-server: exit $rc, expected 'Policy rejects transited path': $out"$'\n'"$(cat "$server_log")"
  fi
  serve "$KERB_TEST_EVIL_KRB5_CONFIG" "$kerb_gss_server"
  connect eve "$work/eve" "$KERB_TEST_EVIL_KRB5_CONFIG"
  if ((rc == 0)) && grep -q "Signature verified" <<<"$out" &&
     server_said "Accepted connection: \"$KERB_TEST_EVIL_USER\""; then
    pass "kerb-gss-server (EVIL.TEST's krb5.conf, path allowed) accepts eve@$evil, as MIT's acceptor does"
  else
    fail "eve under EVIL.TEST's krb5.conf at kerb-gss-server: exit $rc: $out"$'\n'"$(cat "$server_log")"
  fi
fi

finish

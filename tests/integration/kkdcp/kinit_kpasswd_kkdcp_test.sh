#!/usr/bin/env bash
# kerb-kinit and MIT's kinit with an expired password through the fixture's KDC proxy, with the
# same krb5.conf (krb5-kkdcp.conf: KERB.TEST's kdc and kpasswd_server are the proxy's https URL).
# Both change the password there: the proxy's log shows the password change as kdcproxy parsed
# it (kind=KPASSWD-REQ), and counts requests, connections and bytes for both, printed side by
# side. Each run resets its own users first.
set -euo pipefail
kinit_kerb=$1
source "$(dirname "$0")/../checks.sh"
: "${KERB_TEST_KKDCP_KRB5_CONFIG:?the fixture started no KDC proxy (python3-kdcproxy, openssl)}"
export KRB5_CONFIG=$KERB_TEST_KKDCP_KRB5_CONFIG
log=$KERB_TEST_KKDCP_LOG
dir=$KERB_TEST_DIR/kkdcp-kpasswd-$$
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT

kadmin() { PATH=$PATH:/usr/sbin kadmin.local -r "$KERB_TEST_REALM" -q "$1" >/dev/null; }
reset_expired() {  # user: back to the fixture's password, expired
  local pw_var=KERB_TEST_PASSWORD_${1^^}
  kadmin "cpw -randkey $1"
  kadmin "cpw -pw ${!pw_var} $1"
  kadmin "modprinc -pwexpire 2000-01-01 $1"
}
lines() { wc -l <"$log"; }
# Waits until every connection the proxy logged requests on since line $1 is closed.
settle() {
  for _ in $(seq 100); do
    tail -n +"$(($1 + 1))" "$log" | awk '
      /^request / { split($2, c, "="); open[c[2]] = 1 }
      /^close /   { split($2, c, "="); delete open[c[2]] }
      END { n = 0; for (k in open) n++; exit n > 0 }' && return 0
    sleep 0.05
  done
}
# "requests connections body_in body_out tls_in tls_out" of the lines since $1 that belong to
# connections carrying a request of kind $2 (all connections for "any").
stats_since() {
  settle "$1"
  tail -n +"$(($1 + 1))" "$log" | awk -v kind="$2" '
    { split($2, cv, "="); id = cv[2]; line[NR] = $0; conn[NR] = id }
    /^request / && (kind == "any" || $0 ~ ("kind=" kind "$")) { want[id] = 1 }
    END {
      for (i = 1; i <= NR; i++) {
        if (!(conn[i] in want)) continue
        n = split(line[i], f, " ")
        for (j = 2; j <= n; j++) { split(f[j], kv, "="); v[f[1], kv[1]] += kv[2] }
        if (f[1] == "request") r++; else closes++
      }
      printf "%d %d %d %d %d %d\n", r, closes, v["request", "body_in"], v["request", "body_out"],
             v["close", "tls_in"], v["close", "tls_out"]
    }'
}
kinds_since() { tail -n +"$(($1 + 1))" "$log" | grep -c "^request .* kind=$2\$" || true; }
report() {  # who, stats
  local who=$1 r c bi bo ti to
  read -r r c bi bo ti to <<<"$2"
  printf '%-40s %2d requests %2d TLS connections  HTTP bodies %5d B up %5d B down  TLS %5d B up %5d B down\n' \
    "$who" "$r" "$c" "$bi" "$bo" "$ti" "$to"
}
dialogue() {  # user, new password: the lines both programs read
  local pw_var=KERB_TEST_PASSWORD_${1^^}
  printf '%s\n' "${!pw_var}" "$2" "$2"
}
mit_login() { kinit -c "FILE:$dir/check.cc" "$1" <<<"$2" >/dev/null 2>&1; }

# kerb-kinit: the expired password changed through the proxy, then the login with the new one.
reset_expired pwkkdcpkinit
new_kerb="Kerb-pwkkdcpkinit-new-$$"
from=$(lines)
rc=0
dialogue pwkkdcpkinit "$new_kerb" | "$kinit_kerb" -c "FILE:$dir/kerb.cc" pwkkdcpkinit \
  >"$dir/kerb.out" 2>"$dir/kerb.err" || rc=$?
((rc == 0)) && pass "kerb-kinit changes the expired password through the proxy" \
  || fail "kerb-kinit (exit $rc): $(cat "$dir/kerb.err")"
n=$(kinds_since "$from" KPASSWD-REQ)
((n == 1)) && pass "the proxy forwarded one password change" || fail "$n KPASSWD-REQ, not 1"
kerb_all=$(stats_since "$from" any)
kerb_kpasswd=$(stats_since "$from" KPASSWD-REQ)
grep -q "krbtgt/KERB.TEST@KERB.TEST" <(klist -c "FILE:$dir/kerb.cc" 2>&1) \
  && pass "MIT's klist reads kerb-kinit's TGT" || fail "no TGT in kerb-kinit's cache"
mit_login pwkkdcpkinit "$new_kerb" && pass "the new password works with MIT's kinit" \
  || fail "the new password does not log in"
mit_login pwkkdcpkinit "$KERB_TEST_PASSWORD_PWKKDCPKINIT" \
  && fail "the old password still logs in" || pass "the old password no longer does"

# MIT's kinit, the reference, through the same proxy and krb5.conf.
reset_expired pwkkdcpmit
new_mit="Kerb-pwkkdcpmit-new-$$"
from=$(lines)
rc=0
dialogue pwkkdcpmit "$new_mit" | kinit -c "FILE:$dir/mit.cc" pwkkdcpmit >"$dir/mit.out" \
  2>"$dir/mit.err" || rc=$?
((rc == 0)) && pass "MIT's kinit changes the expired password through the proxy" \
  || fail "MIT's kinit (exit $rc): $(cat "$dir/mit.err")"
n=$(kinds_since "$from" KPASSWD-REQ)
((n == 1)) && pass "MIT's change went through the proxy too" || fail "MIT: $n KPASSWD-REQ, not 1"
mit_all=$(stats_since "$from" any)
mit_kpasswd=$(stats_since "$from" KPASSWD-REQ)
# MIT's kinit prints nothing after the dialogue; kerb-kinit then names the TGT it stored.
sed -n '/^Password expired\./,$p' "$dir/mit.out" >"$dir/mit.dialogue"
sed -n '/^Password expired\./,$p' "$dir/kerb.out" | head -n "$(wc -l <"$dir/mit.dialogue")" \
  >"$dir/kerb.dialogue"
grep -q '^Enter it again: $' "$dir/mit.dialogue" && pass "MIT asked for the new password" \
  || fail "MIT's dialogue: $(cat "$dir/mit.dialogue")"
diff -u "$dir/mit.dialogue" "$dir/kerb.dialogue" && pass "kerb-kinit's dialogue is MIT's" \
  || fail "the dialogues differ"

echo "--- password change through the KDC proxy (the proxy's log; TLS bytes from TCP_INFO)"
report "kerb-kinit: expired login, change, login" "$kerb_all"
report "MIT kinit: expired login, change, login" "$mit_all"
report "kerb-kinit: the kpasswd connection" "$kerb_kpasswd"
report "MIT kinit: the kpasswd connection" "$mit_kpasswd"
finish

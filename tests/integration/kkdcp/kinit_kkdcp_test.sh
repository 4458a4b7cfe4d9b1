#!/usr/bin/env bash
# kerb-kinit and MIT's kinit through the fixture's KDC proxy with the same krb5.conf
# (krb5-kkdcp.conf: KERB.TEST's kdc is the proxy's https URL, http_anchors its CA). The proxy's
# log counts requests, connections and bytes for both; the numbers are printed side by side.
set -euo pipefail
kinit_kerb=$1
source "$(dirname "$0")/../checks.sh"
: "${KERB_TEST_KKDCP_KRB5_CONFIG:?the fixture started no KDC proxy (python3-kdcproxy, openssl)}"
export KRB5_CONFIG=$KERB_TEST_KKDCP_KRB5_CONFIG
log=$KERB_TEST_KKDCP_LOG
dir=$KERB_TEST_DIR/kkdcp-kinit-$$
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT

# Waits until every connection the proxy logged requests on since line $1 is closed, then
# prints "requests connections body_in body_out header_in tls_in tls_out" for those lines.
stats_since() {
  local from=$1
  for _ in $(seq 100); do
    tail -n +"$((from + 1))" "$log" | awk '
      /^request / { split($2, c, "="); open[c[2]] = 1 }
      /^close /   { split($2, c, "="); delete open[c[2]] }
      END { n = 0; for (k in open) n++; exit n > 0 }' && break
    sleep 0.05
  done
  tail -n +"$((from + 1))" "$log" | awk '
    { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[$1, kv[1]] += kv[2] } }
    /^request / { r++ } /^close / { c++ }
    END { printf "%d %d %d %d %d %d %d\n", r, c, v["request", "body_in"], v["request", "body_out"],
                 v["request", "header_in"], v["close", "tls_in"], v["close", "tls_out"] }'
}
lines() { wc -l <"$log"; }
report() {  # who, stats
  local who=$1 r c bi bo hi ti to
  read -r r c bi bo hi ti to <<<"$2"
  printf '%-34s %2d requests %2d TLS connections  HTTP bodies %5d B up %5d B down  request headers %4d B  TLS %5d B up %5d B down\n' \
    "$who" "$r" "$c" "$bi" "$bo" "$hi" "$ti" "$to"
}

# kerb-kinit: a first login (AS without and with pre-auth) and a service ticket.
from=$(lines)
out=$(echo "$KERB_TEST_PASSWORD_ALICE" | "$kinit_kerb" -c "FILE:$dir/kerb.cc" --fetch bank/bank.test alice 2>&1) \
  && pass "kerb-kinit through the proxy" || fail "kerb-kinit through the proxy: $out"
echo "$out"
grep -q "; 3 KDC round trips" <<<"$out" && pass "3 round trips (AS, AS with pre-auth, TGS)" \
  || fail "3 round trips expected"
kerb_tgs=$(stats_since "$from")
read -r r c _ <<<"$kerb_tgs"
((r == 3)) && pass "the proxy saw 3 requests" || fail "the proxy saw $r requests, not 3"
((c == 1)) && pass "on one TLS connection" || fail "$c TLS connections, not 1"
listing=$(klist -c "FILE:$dir/kerb.cc" 2>&1) || true
grep -q "Default principal: alice@KERB.TEST" <<<"$listing" && grep -q "bank/bank.test@KERB.TEST" <<<"$listing" \
  && pass "MIT's klist reads kerb-kinit's cache (TGT and bank ticket)" || fail "klist: $listing"

# The same login without a service ticket, to set beside MIT's kinit.
from=$(lines)
echo "$KERB_TEST_PASSWORD_ALICE" | "$kinit_kerb" -c "FILE:$dir/kerb2.cc" alice >/dev/null 2>&1 \
  || fail "kerb-kinit login through the proxy"
kerb_login=$(stats_since "$from")

# MIT's kinit, the reference, through the same proxy and krb5.conf.
from=$(lines)
out=$(kinit -c "FILE:$dir/mit.cc" alice <<<"$KERB_TEST_PASSWORD_ALICE" 2>&1) \
  && pass "MIT kinit through the proxy" || fail "MIT kinit through the proxy: $out"
mit_login=$(stats_since "$from")
klist -c "FILE:$dir/mit.cc" 2>&1 | grep -q "krbtgt/KERB.TEST@KERB.TEST" \
  && pass "klist shows MIT's TGT" || fail "klist shows no TGT from MIT's kinit"
read -r r _ <<<"$mit_login"
((r == 2)) && pass "MIT's login took 2 requests" || fail "MIT's login took $r requests"
from=$(lines)
KRB5CCNAME=FILE:$dir/mit.cc kvno bank/bank.test >/dev/null 2>&1 || fail "MIT kvno through the proxy"
mit_tgs=$(stats_since "$from")

# A CA that did not sign the proxy's certificate: refused, no cache written.
sed "s|http_anchors = FILE:.*|http_anchors = FILE:$KERB_TEST_KKDCP_WRONG_CA|" \
  "$KERB_TEST_KKDCP_KRB5_CONFIG" >"$dir/wrong-ca.conf"
if err=$(echo "$KERB_TEST_PASSWORD_ALICE" |
         KRB5_CONFIG=$dir/wrong-ca.conf "$kinit_kerb" -c "FILE:$dir/bad.cc" alice 2>&1); then
  fail "kerb-kinit must refuse a proxy certificate from another CA"
else
  echo "$err"
  grep -q "$KERB_TEST_KKDCP_URL: .*certificate" <<<"$err" \
    && pass "the error names the URL and the certificate problem" || fail "unclear error: $err"
  [[ ! -e $dir/bad.cc ]] && pass "no cache written" || fail "a cache was written"
fi

echo "--- KKDCP on the wire (the proxy's log; TLS bytes from TCP_INFO, handshakes included)"
report "kerb-kinit: login" "$kerb_login"
report "MIT kinit: login" "$mit_login"
report "kerb-kinit: login + bank TGS" "$kerb_tgs"
report "MIT kvno: bank TGS (after kinit)" "$mit_tgs"
finish

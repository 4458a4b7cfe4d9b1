#!/usr/bin/env bash
# Records MIT's kinit -T (FAST armored password login of alice with device/phone.test's TGT
# as armor) against the kdc-fixture, through relay.py, into exchange.txt beside this script;
# armor.ccache is the armor TGT (its session key lets a test open the armor AP-REQ).
# Usage, with the fixture's env file sourced: tests/data/mit_fast/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $relay 2>/dev/null || true; rm -rf "$work"' EXIT
: >"$here/exchange.txt"
python3 "$here/relay.py" "$KERB_TEST_KDC_PORT" "$here/exchange.txt" >"$work/port" &
relay=$!
while [[ ! -s $work/port ]]; do sleep 0.05; done
port=$(<"$work/port")
sed -e "s/^\(\[libdefaults\]\)$/\1\n    udp_preference_limit = 1/" \
    -e "s/kdc = 127.0.0.1:$KERB_TEST_KDC_PORT/kdc = 127.0.0.1:$port/" \
    "$KRB5_CONFIG" >"$work/krb5.conf"
export KRB5_CONFIG=$work/krb5.conf
kinit -k -t "$KERB_TEST_DEVICE_KEYTAB" -c "FILE:$here/armor.ccache" "$KERB_TEST_DEVICE_PRINCIPAL"
: >"$here/exchange.txt"   # only the armored login
echo "$KERB_TEST_PASSWORD_ALICE" | kinit -T "FILE:$here/armor.ccache" -c "FILE:$work/alice.ccache" \
  "alice@$KERB_TEST_REALM" >/dev/null
echo "$KERB_TEST_PASSWORD_ALICE" >"$here/password.txt"
klist -c "FILE:$work/alice.ccache"

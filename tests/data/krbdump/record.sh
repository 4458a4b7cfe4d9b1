#!/usr/bin/env bash
# Re-records krbdump's test inputs against a fresh MIT KDC fixture (README.md says what each
# file is). A fresh fixture has fresh random keys, so everything here is replaced together:
# inputs and the keys that decrypt them.
#
#   tests/data/krbdump/record.sh BUILD_DIR [OUT_DIR]
#
# BUILD_DIR is a configured build tree with kerb-kinit, kerb-gss-client, kerb-gss-server and
# make-kirbi built. Needs root (the KDC listens on port 88, dumpcap captures on lo), MIT's
# krb5-kdc/krb5-user/krb5-gss-samples and tshark (dumpcap, tshark, editcap).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=$(cd "${1:?usage: record.sh BUILD_DIR [OUT_DIR]}" && pwd)
out=${2:-$here}
mkdir -p "$out/keys"
out=$(cd "$out" && pwd)

kerb_kinit=$build/samples/kinit/kerb-kinit
kerb_gss_client=$build/samples/gss/kerb-gss-client
kerb_gss_server=$build/samples/gss/kerb-gss-server
make_kirbi=${MAKE_KIRBI:-$build/tests/tools/krbdump/make-kirbi}
for p in "$kerb_kinit" "$kerb_gss_client" "$kerb_gss_server" "$make_kirbi"; do
  [[ -x $p ]] || { echo "record.sh: $p is not built" >&2; exit 1; }
done
gss_port=4444  # the gss-sample programs' default port

work=$(mktemp -d /tmp/krbdump-record.XXXXXX)
kdc=$work/kdc
cap_pid=
server_pid=
cleanup() {
  [[ -n $cap_pid ]] && kill "$cap_pid" 2>/dev/null || true
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
  "$root/kdc-fixtures/kdc-fixture" stop "$kdc" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

KERB_KDC_PORT=88 "$root/kdc-fixtures/kdc-fixture" start "$kdc" >/dev/null
# shellcheck disable=SC1091
source "$kdc/env"
realm=$KERB_TEST_REALM

# capture_start FILE FILTER / capture_stop: dumpcap on loopback, pcapng.
capture_start() {
  dumpcap -q -i lo -f "$2" -w "$1" 2>"$work/dumpcap.log" &
  cap_pid=$!
  for _ in $(seq 100); do
    if grep -q "Capturing on" "$work/dumpcap.log"; then
      sleep 1  # dumpcap says so a little before its filter is in place
      return 0
    fi
    sleep 0.05
  done
  echo "record.sh: dumpcap did not start:" >&2
  cat "$work/dumpcap.log" >&2
  exit 1
}
capture_stop() {
  sleep 0.5  # let the last packets reach the capture
  kill -INT "$cap_pid"
  wait "$cap_pid" || true
  cap_pid=
}

# --- keys ------------------------------------------------------------------------------------
# The service keys (bank/bank.test, host/bank.test), as the fixture made them.
cp "$KERB_TEST_KEYTAB" "$out/keys/bank.keytab"
# The KDC's own key and alice's keys, exported without changing them.
kadmin.local -q "ktadd -norandkey -k $out/keys/krbtgt.keytab krbtgt/$realm@$realm" >/dev/null
kadmin.local -q "ktadd -norandkey -k $out/keys/alice.keytab alice@$realm" >/dev/null
host_kvno=$(klist -k "$out/keys/bank.keytab" | awk '/host\/bank.test/ {print $1; exit}')
# Wrong keys for the explanations: host/bank.test under a wrong password at the right kvno,
# and at a kvno the tickets do not name.
ktutil_add() {  # FILE KVNO PASSWORD
  printf 'addent -password -p host/bank.test@%s -k %s -e aes256-cts-hmac-sha1-96\n%s\nwkt %s\nquit\n' \
    "$realm" "$2" "$3" "$1" | ktutil >/dev/null
}
rm -f "$out/keys/wrong-key.keytab" "$out/keys/wrong-kvno.keytab"
ktutil_add "$out/keys/wrong-key.keytab" "$host_kvno" "not-the-host-password"
ktutil_add "$out/keys/wrong-kvno.keytab" "$((host_kvno + 7))" "not-the-host-password"
# saltuser: aes256 only, with a random ("special") salt that only the KDC's ETYPE-INFO2 tells.
saltuser_pw=Kerb-saltuser-pw1
kadmin.local -q "addprinc -pw $saltuser_pw -e aes256-cts-hmac-sha1-96:special +requires_preauth saltuser" >/dev/null
printf 'alice@%s %s\nsaltuser@%s %s\n' "$realm" "$KERB_TEST_PASSWORD_ALICE" "$realm" "$saltuser_pw" \
  >"$out/keys/passwords.txt"

# --- KDC exchanges ---------------------------------------------------------------------------
# MIT kinit + kvno over UDP: AS-REQ, KRB-ERROR (PREAUTH_REQUIRED with ETYPE-INFO2), AS-REQ with
# PA-ENC-TIMESTAMP, AS-REP, TGS-REQ, TGS-REP. The ccache it leaves is the MIT one.
capture_start "$out/kdc-udp.pcapng" "port 88"
KRB5CCNAME=FILE:$out/mit.ccache kinit -f "alice@$realm" <<<"$KERB_TEST_PASSWORD_ALICE" >/dev/null
KRB5CCNAME=FILE:$out/mit.ccache kvno "host/bank.test@$realm" >/dev/null
capture_stop

# saltuser's login: the PREAUTH_REQUIRED error's ETYPE-INFO2 carries the special salt.
capture_start "$out/kdc-salt.pcapng" "port 88"
KRB5CCNAME=FILE:$work/salt.ccache kinit "saltuser@$realm" <<<"$saltuser_pw" >/dev/null
capture_stop

# kerb-kinit over TCP (udp_preference_limit = 1 sends everything by TCP), with a service ticket.
sed 's/^\[libdefaults\]$/[libdefaults]\n    udp_preference_limit = 1/' "$KRB5_CONFIG" >"$work/tcp.conf"
capture_start "$out/kdc-tcp.pcapng" "port 88"
KRB5_CONFIG=$work/tcp.conf "$kerb_kinit" -f -c "FILE:$out/kerb.ccache" --fetch "host/bank.test" alice \
  <<<"$KERB_TEST_PASSWORD_ALICE" >/dev/null
capture_stop
# The same capture as classic pcap, microsecond and nanosecond.
editcap -F pcap "$out/kdc-tcp.pcapng" "$out/kdc-tcp.pcap"
editcap -F nsecpcap "$out/kdc-udp.pcapng" "$out/kdc-udp-ns.pcap"

# Raw DER: each UDP payload of the first capture, named by message type, in order.
rm -f "$out"/raw-*.der
n=0
while read -r mtype payload; do
  n=$((n + 1))
  case ${mtype%%,*} in  # a TGS-REQ also names the AP-REQ (14) inside it
    10) name=as-req ;; 11) name=as-rep ;; 12) name=tgs-req ;; 13) name=tgs-rep ;;
    30) name=krb-error ;; *) name=msg-$mtype ;;
  esac
  python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$payload" \
    >"$out/raw-$n-$name.der"
done < <(tshark -r "$out/kdc-udp.pcapng" 2>/dev/null -Y kerberos -T fields -e kerberos.msg_type -e udp.payload)

# .kirbi of alice's TGT from MIT's ccache.
"$make_kirbi" "$out/mit.ccache" "krbtgt/$realm@$realm" "$out/alice-tgt.kirbi"

# --- GSS exchanges (gss-sample framing on $gss_port) ----------------------------------------
# gss_run CAPTURE SERVER CLIENT CLIENT_ARGS...: one connection with a fresh server (-once).
gss_run() {
  local cap=$1 server=$2 client=$3
  shift 3
  local server_args=(-port "$gss_port" -once -verbose -keytab "$out/keys/bank.keytab")
  [[ $server == "$kerb_gss_server" ]] && server_args+=(-rcache "$work/rcache")
  capture_start "$cap" "tcp port $gss_port"
  "$server" "${server_args[@]}" "host@bank.test" >"$cap.server.log" 2>&1 &
  server_pid=$!
  local hex
  hex=$(printf '%04X' "$gss_port")
  for _ in $(seq 100); do
    grep -qE "^ *[0-9]+: [0-9A-F]{8}:$hex [0-9A-F]{8}:[0-9A-F]{4} 0A" /proc/net/tcp && break
    sleep 0.05
  done
  KRB5CCNAME=FILE:$work/gss.ccache "$client" -port "$gss_port" "$@" >/dev/null
  wait "$server_pid" || true
  server_pid=
  capture_stop
}
KRB5CCNAME=FILE:$work/gss.ccache kinit "alice@$realm" <<<"$KERB_TEST_PASSWORD_ALICE" >/dev/null
# kerb's client, MIT's server, raw krb5 mechanism, sequence numbers, one wrapped message.
gss_run "$out/gss-krb5.pcapng" gss-server "$kerb_gss_client" -seq 127.0.0.1 host@bank.test \
  "hello from kerb-gss-client"
# MIT's client through SPNEGO, kerb's server.
gss_run "$out/gss-spnego.pcapng" "$kerb_gss_server" gss-client -spnego 127.0.0.1 host@bank.test \
  "hello from gss-client"
mv "$out/gss-krb5.pcapng.server.log" "$out/gss-krb5.server.log"
mv "$out/gss-spnego.pcapng.server.log" "$out/gss-spnego.server.log"

# The SPNEGO client's first context token as an HTTP header line: the gss-sample framing is
# 1 flag byte + 4-byte big-endian length + token; the first client message with the
# TOKEN_CONTEXT flag (2) carries it.
tshark -r "$out/gss-spnego.pcapng" -Y "tcp.dstport == $gss_port && tcp.len > 0" \
  -T fields -e tcp.payload 2>/dev/null | python3 -c '
import base64, sys
data = b"".join(bytes.fromhex(line.strip()) for line in sys.stdin if line.strip())
i = 0
while i + 5 <= len(data):
    flags, n = data[i], int.from_bytes(data[i + 1:i + 5], "big")
    token = data[i + 5:i + 5 + n]
    i += 5 + n
    if flags & 2:
        print("Authorization: Negotiate " + base64.b64encode(token).decode())
        break
' >"$out/negotiate.txt"

# Times and kvnos the tests compare against come from the files themselves (klist, tshark);
# this only says when and where the recording was made.
{
  echo "recorded $(date -u +%Y-%m-%dT%H:%M:%SZ) with MIT krb5-kdc $(dpkg-query -W -f="\${Version}" krb5-kdc)"
  echo "tshark $(tshark --version | head -1)"
  echo "realm $realm, KDC 127.0.0.1:88, gss-sample port $gss_port, host/bank.test kvno $host_kvno"
} >"$out/RECORDED"
ls -l "$out"

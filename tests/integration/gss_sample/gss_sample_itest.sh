#!/usr/bin/env bash
# integration.gss_sample.*: kerb-gss-client and kerb-gss-server against MIT's gss-client and
# gss-server (Debian krb5-gss-samples) over loopback, with the fixture KDC.
#
#   gss_sample_itest.sh PAIR KERB_GSS_CLIENT KERB_GSS_SERVER KERB_KINIT
#     PAIR: kerb-mit (kerb's client, MIT's server), mit-kerb, or kerb-kerb
#
# One server per run (it serves connection after connection, as the samples do); each case
# runs one client and reads what both sides printed: exit status, "Signature verified.", the
# flags each side reports, the message the server received, the mechanism of the first
# context token, delegated credentials. Runs under with-kdc-env.
set -euo pipefail

pair=$1 kerb_client=$2 kerb_server=$3 kerb_kinit=$4
realm=$KERB_TEST_REALM
work=$(mktemp -d "$KERB_TEST_DIR/gss_sample.$pair.XXXXXX")
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=../checks.sh
source "$(dirname "$0")/../checks.sh"

case $pair in
  kerb-mit) client=$kerb_client server=gss-server ;;
  mit-kerb) client=gss-client server=$kerb_server ;;
  kerb-kerb) client=$kerb_client server=$kerb_server ;;
  *) echo "unknown pair $pair" >&2; exit 2 ;;
esac
command -v gss-client >/dev/null && command -v gss-server >/dev/null || {
  echo "FAIL: MIT's gss-client/gss-server are missing (Debian krb5-gss-samples)" >&2
  exit 1
}

# Alice's forwardable TGT, from the client side's own kinit.
export KRB5CCNAME="FILE:$work/alice.cc"
if [[ $client == "$kerb_client" ]]; then
  "$kerb_kinit" -f alice <<<"$KERB_TEST_PASSWORD_ALICE" >/dev/null
else
  kinit -f "alice@$realm" <<<"$KERB_TEST_PASSWORD_ALICE" >/dev/null
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$work/server.log
# kerb's server keeps its replay cache in a file (-rcache), so that a restart forgets nothing.
server_args=(-verbose -export -keytab "$KERB_TEST_KEYTAB")
[[ $server == "$kerb_server" ]] && server_args+=(-rcache "$work/rcache")
"$server" -port "$port" "${server_args[@]}" host@bank.test >"$log" 2>&1 &
server_pid=$!
listening() {
  local hex
  hex=$(printf '%04X' "$port")
  grep -qE "^ *[0-9]+: [0-9A-F]{8}:$hex [0-9A-F]{8}:[0-9A-F]{4} 0A" /proc/net/tcp
}
for _ in $(seq 100); do listening && break; sleep 0.05; done
listening || { echo "FAIL: $server did not listen on $port:"; cat "$log"; exit 1; }

target=host@bank.test  # the service name clients ask for
krb5_oid="06 09 2a 86 48 86 f7 12 01 02 02"
spnego_oid="06 06 2b 06 01 05 05 02"

# expect_line TEXT HAYSTACK COUNT LABEL: TEXT occurs on exactly COUNT lines.
expect_count() {
  local n
  n=$(grep -cF -- "$1" <<<"$2" || true)
  if ((n == $3)); then pass "$4"; else fail "$4: '$1' on $n lines, expected $3"; fi
}

# run_case LABEL CLIENT_OPTIONS... -- MESSAGE_ARGS...: one client connection, checked.
run_case() {
  local label=$1
  shift
  local opts=()
  while [[ $1 != -- ]]; do opts+=("$1"); shift; done
  shift
  local start out rc=0 new
  start=$(stat -c %s "$log")
  out=$("$client" -port "$port" "${opts[@]}" 127.0.0.1 "$target" "$@" 2>&1) || rc=$?
  # The server logs "NOOP token" when the client's closing NOOP arrives.
  for _ in $(seq 100); do
    new=$(tail -c +$((start + 1)) "$log")
    grep -q "^NOOP token" <<<"$new" && break
    sleep 0.05
  done
  local o=" ${opts[*]} "
  local mcount=1
  [[ $o =~ " -mcount "([0-9]+)" " ]] && mcount=${BASH_REMATCH[1]}
  if ((rc == 0)); then pass "$label: client exit 0"; else fail "$label: client exited $rc:"$'\n'"$out"; fi

  if [[ $o == *" -na "* ]]; then
    # MIT's server prints this line twice (log and stdout), kerb's once.
    if grep -qF "Accepted unauthenticated connection." <<<"$new"; then
      pass "$label: unauthenticated"
    else
      fail "$label: the server did not report an unauthenticated connection"
    fi
  else
    expect_count "Accepted connection: \"alice@$realm\"" "$new" 1 "$label: server names alice"
    # Flags both sides report: mutual unless -nomutual, replay unless -noreplay, sequence with
    # -seq, delegation with -d; confidentiality and integrity always.
    local flag want
    for flag in MUTUAL REPLAY SEQUENCE DELEG CONF INTEG; do
      case $flag in
        MUTUAL) [[ $o == *" -nomutual "* ]] && want=0 || want=1 ;;
        REPLAY) [[ $o == *" -noreplay "* ]] && want=0 || want=1 ;;
        SEQUENCE) [[ $o == *" -seq "* ]] && want=1 || want=0 ;;
        DELEG) [[ $o == *" -d "* ]] && want=1 || want=0 ;;
        *) want=1 ;;
      esac
      expect_count "context flag: GSS_C_${flag}_FLAG" "$new" "$want" "$label: server flag $flag=$want"
      [[ $o == *" -q "* ]] ||
        expect_count "context flag: GSS_C_${flag}_FLAG" "$out" "$want" "$label: client flag $flag=$want"
    done
    # The first context token names the mechanism (both servers print it under -verbose).
    local first want_oid=$krb5_oid
    [[ $o == *" -spnego "* ]] && want_oid=$spnego_oid
    first=$(awk '/^Received token \(size=[1-9]/ { getline; print; exit }' <<<"$new")
    if [[ $first == *"$want_oid"* ]]; then
      pass "$label: first token carries OID ${want_oid}"
    else
      fail "$label: first token starts '$first', expected OID $want_oid"
    fi
    if [[ $server == "$kerb_server" && $o == *" -d "* ]]; then
      expect_count "Delegated credentials: alice@$realm for krbtgt/$realm@$realm" "$new" 1 \
        "$label: kerb's server holds alice's TGT"
    fi
  fi
  if [[ $o == *" -f "* ]]; then
    expect_count "Received message: " "$new" "$mcount" "$label: $mcount messages received"
  else
    expect_count "Received message: \"$1\"" "$new" "$mcount" "$label: $mcount messages received"
  fi
  if [[ $o == *" -nm "* || $o == *" -na "* ]]; then
    expect_count "Response received." "$out" "$mcount" "$label: $mcount responses"
  else
    expect_count "Signature verified." "$out" "$mcount" "$label: $mcount MICs verified"
  fi
}

msg="pay 10 EUR to bob"
head -c 65536 /dev/urandom >"$work/64k.bin"
for mech in "" -spnego; do
  m=${mech:-krb5}
  m=${m#-}
  run_case "$m default" $mech -- "$msg"
  run_case "$m nomutual" $mech -nomutual -- "$msg"
  run_case "$m seq" $mech -seq -- "$msg"
  run_case "$m deleg" $mech -d -- "$msg"
  run_case "$m nomutual+seq+deleg+noreplay" $mech -nomutual -seq -d -noreplay -- "$msg"
  run_case "$m integrity only, 3 messages" $mech -nx -mcount 3 -- "$msg"
  run_case "$m 64 KiB file, 2 messages" $mech -f -mcount 2 -- "$work/64k.bin"
  run_case "$m no wrap, no MIC" $mech -nw -nm -- "$msg"
done
run_case "unauthenticated" -na -- "$msg"

# A ticket for another service: the server refuses it with a KRB-ERROR token, the client
# reports the failure, and the server goes on serving.
start=$(stat -c %s "$log")
rc=0
out=$("$client" -port "$port" 127.0.0.1 bank@bank.test "$msg" 2>&1) || rc=$?
if ((rc != 0)) && grep -qiE "error|not us|key not available|KRB_AP_ERR" <<<"$out"; then
  pass "ticket for bank/bank.test refused: $(grep -iE 'error|KRB_AP' <<<"$out" | tail -n1)"
else
  fail "ticket for another service: client exited $rc:"$'\n'"$out"
fi
run_case "still serving after a refusal" -- "$msg"
# (MIT's server flushes its log only after a connection that succeeded.)
if grep -q "accepting context" <(tail -c +$((start + 1)) "$log"); then
  pass "the server logged the refusal"
else
  fail "the server did not log the refusal"
fi

# An old wrap token: a proxy between client and server passes 70 DATA messages, then, in
# place of the client's closing NOOP, sends the first DATA message again. It authenticates,
# but lies 69 tokens behind, beyond the 64-token window: it may be a replay, and with replay
# detection on (the client's default) the server must refuse it. MIT's gss-server does (any
# gss_unwrap status but GSS_S_COMPLETE ends its connection); kerb's must do the same.
proxy_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$proxy_port" "$port" >"$work/proxy.out" 2>&1 <<'PY' &
import socket, struct, sys, threading
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", int(sys.argv[1])))
listener.listen(1)
client, _ = listener.accept()
server = socket.create_connection(("127.0.0.1", int(sys.argv[2])))

def read_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data

def read_token(s):
    head = read_exact(s, 5)
    if head is None:
        return None
    body = read_exact(s, struct.unpack(">I", head[1:])[0])
    return None if body is None else head + body

injected = threading.Event()
after = []
def server_to_client():
    while True:
        t = read_token(server)
        if t is None:
            return
        if injected.is_set():
            after.append(t)
            return
        else:
            client.sendall(t)
back = threading.Thread(target=server_to_client, daemon=True)
back.start()
first_data = None
data_seen = 0
while True:
    t = read_token(client)
    if t is None:
        break
    if t[0] & 0x04:  # DATA
        data_seen += 1
        if first_data is None:
            first_data = t
    if t[0] & 0x01 and data_seen:  # the closing NOOP: replay the first DATA instead
        injected.set()
        server.sendall(first_data)
        break
    server.sendall(t)
back.join(timeout=10)
server.close()  # a server that answered waits for more: let it go on to the next client
client.close()
print("data=%d injected=%s reply=%s" % (data_seen, injected.is_set(),
      "none (closed)" if not after else "flags=%d" % after[0][0]))
PY
proxy_pid=$!
start=$(stat -c %s "$log")
rc=0
for _ in $(seq 100); do
  out=$("$client" -port "$proxy_port" -mcount 70 127.0.0.1 "$target" "$msg" 2>&1) && { rc=0; break; }
  rc=$?
  grep -q "connect" <<<"$out" || break
  sleep 0.05
done
wait "$proxy_pid" || true
proxied=$(cat "$work/proxy.out")
# (MIT's server flushes its log only after a connection that succeeded: one more first.)
run_case "still serving after the old token" -- "$msg"
refusal=$(tail -c +$((start + 1)) "$log" | grep "unsealing message" || true)
if [[ $proxied == "data=70 injected=True reply=none (closed)" && -n $refusal ]]; then
  pass "an old wrap token is refused: $(tail -n1 <<<"$refusal")"
else
  fail "old wrap token: proxy '$proxied', client exited $rc:"$'\n'"$out"$'\n'"$(tail -c +$((start + 1)) "$log" | grep -v '^[0-9a-f][0-9a-f] ' | tail -n 8)"
fi

# The clock offset kinit keeps in the ccache header (tag 1, KDC time minus local time) goes
# into the authenticator: a cache claiming the KDC runs 1000 s ahead makes the client's
# authenticator 1000 s ahead, and the server refuses it as clock skew (MIT's client honours
# the offset the same way).
cp "$work/alice.cc" "$work/alice.cc.saved"
python3 - "$work/alice.cc" <<'PY'
import struct, sys
path = sys.argv[1]
data = open(path, "rb").read()
assert data[:2] == b"\x05\x04", "not a version 4 ccache"
rest = data[4 + int.from_bytes(data[2:4], "big"):]
header = struct.pack(">HHii", 1, 8, 1000, 0)
open(path, "wb").write(data[:2] + struct.pack(">H", len(header)) + header + rest)
PY
rc=0
out=$("$client" -port "$port" 127.0.0.1 host@bank.test "$msg" 2>&1) || rc=$?
if ((rc != 0)) && grep -qiE "skew" <<<"$out"; then
  pass "a ccache clock offset of +1000 s reaches the authenticator: $(grep -i skew <<<"$out" | tail -n1)"
else
  fail "ccache clock offset +1000 s: client exited $rc:"$'\n'"$out"
fi
cp "$work/alice.cc.saved" "$work/alice.cc"
run_case "the real offset again" -- "$msg"

# A replay across a restart: the AP-REQ of a connection kerb's server accepted, sent again to
# a new server process on the same -rcache file, is refused (KRB_AP_ERR_REPEAT in a KRB-ERROR
# token back to the sender).
if [[ $server == "$kerb_server" ]]; then
  start=$(stat -c %s "$log")
  run_case "the connection whose AP-REQ is replayed" -- "$msg"
  tail -c +$((start + 1)) "$log" |
    awk '/^Received token \(size=[1-9]/ { on = 1; next } on && /^[0-9a-f][0-9a-f]( |$)/ { print; next } on { exit }' |
    tr -d ' \n' >"$work/apreq.hex"
  kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
  "$server" -port "$port" "${server_args[@]}" host@bank.test >"$work/restarted.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do listening && break; sleep 0.05; done
  reply=$(python3 - "$port" "$work/apreq.hex" <<'PY'
import socket, struct, sys
token = bytes.fromhex(open(sys.argv[2]).read())
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(struct.pack(">BI", 0x11, 0))                  # NOOP | CONTEXT_NEXT
s.sendall(struct.pack(">BI", 0x02, len(token)) + token)  # CONTEXT: the captured AP-REQ
head = b""
while len(head) < 5:
    chunk = s.recv(5 - len(head))
    if not chunk:
        break
    head += chunk
print("no reply" if len(head) < 5 else "flags=%d length=%d" % struct.unpack(">BI", head))
PY
  ) || true
  sleep 0.2
  if [[ -s $work/apreq.hex && $reply == flags=2* ]] &&
    grep -q "the authenticator is a replay" "$work/restarted.log"; then
    pass "a replayed AP-REQ is refused after a restart ($reply, KRB-ERROR token)"
  else
    fail "replay after restart: reply '$reply', token $(wc -c <"$work/apreq.hex") hex chars:"$'\n'"$(cat "$work/restarted.log")"
  fi
  log=$work/restarted.log
  run_case "a fresh context on the restarted server" -- "$msg"
fi

# -inetd: the connection is the server's stdin, as inetd hands it over (kerb's server only;
# one connection, accepted here by python).
if [[ $server == "$kerb_server" ]]; then
  inetd_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  python3 - "$inetd_port" "$server" -inetd -logfile "$work/inetd.log" -keytab "$KERB_TEST_KEYTAB" \
    host@bank.test >"$work/inetd.out" 2>&1 <<'PY' &
import socket, subprocess, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
c, _ = s.accept()
print("server exit", subprocess.run(sys.argv[2:], stdin=c, stdout=c, stderr=c).returncode)
PY
  inetd_pid=$!
  rc=0
  for _ in $(seq 100); do
    out=$("$client" -port "$inetd_port" -spnego 127.0.0.1 host@bank.test "via inetd" 2>&1) && break
    rc=$?
    grep -q "connect" <<<"$out" || break
    sleep 0.05
  done
  wait "$inetd_pid" || true
  if grep -q "Signature verified." <<<"$out" && grep -qF 'Received message: "via inetd"' "$work/inetd.log" &&
    grep -q "server exit 0" "$work/inetd.out"; then
    pass "-inetd: one connection on stdin"
  else
    fail "-inetd: client exited $rc:"$'\n'"$out"$'\n'"$(cat "$work/inetd.out" "$work/inetd.log" 2>&1)"
  fi
fi

# The service name alone: "bank" answers for bank/<any host> in the keytab, as MIT's
# gss-server does, though this machine is not bank.test; the client asks for bank@bank.test.
kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$work/bank.log
"$server" -port "$port" -verbose -keytab "$KERB_TEST_KEYTAB" bank >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do listening && break; sleep 0.05; done
if listening; then
  pass "$server serves the service name 'bank' on $(hostname)"
  target=bank@bank.test
  run_case "bank alone, krb5" -- "$msg"
  run_case "bank alone, spnego" -spnego -- "$msg"
  # host/bank.test is in the keytab too, but not a "bank" service: refused.
  start=$(stat -c %s "$log")
  rc=0
  out=$("$client" -port "$port" 127.0.0.1 host@bank.test "$msg" 2>&1) || rc=$?
  if ((rc != 0)); then
    pass "bank alone refuses a ticket for host/bank.test"
  else
    fail "bank alone accepted a ticket for host/bank.test:"$'\n'"$out"
  fi
else
  fail "$server did not start with the service name 'bank':"$'\n'"$(cat "$log")"
fi

if ((failures > 0)); then
  echo "--- server log ---"
  cat "$log"
fi
finish

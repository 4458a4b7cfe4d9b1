#!/usr/bin/env bash
# integration.fixture_lifecycle: kdc-fixture start/stop leave nothing behind, and two fixtures
# run side by side. Does not use the shared ctest fixture: it starts its own, in a temp dir.
#
#   fixture_lifecycle_test.sh KDC_FIXTURE_SCRIPT [PARENT_DIR]
set -euo pipefail

script=${1:?usage: fixture_lifecycle_test.sh KDC_FIXTURE_SCRIPT [PARENT_DIR]}
parent=${2:-${TMPDIR:-/tmp}}
mkdir -p "$parent"
work=$(mktemp -d "$parent/fixture_lifecycle.XXXXXX")
a=$work/a
b=$work/b
cleanup() {
  "$script" stop "$a" >/dev/null 2>&1 || true
  "$script" stop "$b" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Never inherit a shared fixture's environment.
unset KRB5_CONFIG KRB5_KDC_PROFILE KRB5CCNAME KRB5_KTNAME KERB_KDC_PORT KERB_KDC_OTHER_PORT \
      KERB_KDC_EVIL_PORT

# shellcheck source=checks.sh
source "$(dirname "$0")/checks.sh"
die() { echo "FAIL: $*" >&2; exit 1; }
# check DESCRIPTION COMMAND...: pass if COMMAND succeeds.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# alive PID: a live, non-zombie krb5kdc.
alive() {
  [[ $(cat "/proc/$1/comm" 2>/dev/null) == krb5kdc ]] || return 1
  [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]
}
gone() { ! alive "$1"; }
# shellcheck source=/dev/null
env_of() { (source "$1/env" && printf '%s' "${!2}"); }
status_is() {
  local rc=0
  "$script" status "$1" >/dev/null || rc=$?
  ((rc == $2))
}
port_free() {
  ! { ss -Hlnu "sport = :$1" | grep -q . || ss -Hlnt "sport = :$1" | grep -q .; }
}
stop_refused() { ! "$script" stop "$1" 2>/dev/null; }

# --- two fixtures started at once -------------------------------------------------------------
"$script" start "$a" >"$work/a.out" 2>&1 &
start_a=$!
"$script" start "$b" >"$work/b.out" 2>&1 &
start_b=$!
rc_a=0 rc_b=0
wait "$start_a" || rc_a=$?
wait "$start_b" || rc_b=$?
((rc_a == 0)) || die "kdc-fixture start $a exited $rc_a: $(cat "$work/a.out")"
((rc_b == 0)) || die "kdc-fixture start $b exited $rc_b: $(cat "$work/b.out")"
pass "two fixtures started concurrently"

pid_a=$(env_of "$a" KERB_TEST_KDC_PID)
pid_b=$(env_of "$b" KERB_TEST_KDC_PID)
port_a=$(env_of "$a" KERB_TEST_KDC_PORT)
port_b=$(env_of "$b" KERB_TEST_KDC_PORT)
check "KERB_TEST_DIR is $a" test "$(env_of "$a" KERB_TEST_DIR)" = "$a"
check "distinct ports ($port_a, $port_b)" test "$port_a" != "$port_b"
check "distinct pids ($pid_a, $pid_b)" test "$pid_a" != "$pid_b"
check "krb5kdc $pid_a is running" alive "$pid_a"
check "krb5kdc $pid_b is running" alive "$pid_b"
check "status reports running" status_is "$a" 0

# Each fixture runs three KDCs (KERB.TEST, OTHER.TEST, EVIL.TEST), on six distinct ports.
xpids_a=("$(env_of "$a" KERB_TEST_OTHER_KDC_PID)" "$(env_of "$a" KERB_TEST_EVIL_KDC_PID)")
xpids_b=("$(env_of "$b" KERB_TEST_OTHER_KDC_PID)" "$(env_of "$b" KERB_TEST_EVIL_KDC_PID)")
xports_a=("$(env_of "$a" KERB_TEST_OTHER_KDC_PORT)" "$(env_of "$a" KERB_TEST_EVIL_KDC_PORT)")
xports_b=("$(env_of "$b" KERB_TEST_OTHER_KDC_PORT)" "$(env_of "$b" KERB_TEST_EVIL_KDC_PORT)")
for pid in "${xpids_a[@]}" "${xpids_b[@]}"; do check "krb5kdc $pid is running" alive "$pid"; done
all_ports="$port_a $port_b ${xports_a[*]} ${xports_b[*]}"
check "six distinct KDC ports ($all_ports)" \
  test "$(tr ' ' '\n' <<<"$all_ports" | sort -u | grep -c .)" = 6

# Each realm answers on its own port, with its own database.
for d in "$a" "$b"; do
  rc=0
  # shellcheck source=/dev/null
  out=$(source "$d/env" &&
        kinit -c "FILE:$d/life.ccache" "alice@$KERB_TEST_REALM" <<<"$KERB_TEST_PASSWORD_ALICE" 2>&1) || rc=$?
  if ((rc == 0)); then pass "kinit alice against $d"; else fail "kinit alice against $d exited $rc: $out"; fi
  check "$d/kdc.log has alice's ticket" grep -q "ISSUE: .*alice@" "$d/kdc.log"
done

# --- stop: process gone, directory gone, port free, idempotent --------------------------------
# The KDC proxy (MS-KKDCP), when the fixture runs one: alive, then gone with its fixture.
proxy_alive() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q kdc-proxy-server; }
proxy_gone() { ! proxy_alive "$1"; }
proxy_a=$(env_of "$a" KERB_TEST_KKDCP_PID)
if [[ -n $proxy_a ]]; then check "the KDC proxy $proxy_a is running" proxy_alive "$proxy_a"; fi

check "kdc-fixture stop $a" "$script" stop "$a"
check "krb5kdc $pid_a is gone" gone "$pid_a"
for pid in "${xpids_a[@]}"; do check "krb5kdc $pid (cross-realm) is gone" gone "$pid"; done
check "$a is removed" test ! -e "$a"
if [[ -n $proxy_a ]]; then check "the KDC proxy $proxy_a is gone" proxy_gone "$proxy_a"; fi
check "the other fixture still runs" alive "$pid_b"
if command -v ss >/dev/null 2>&1; then
  for port in "$port_a" "${xports_a[@]}"; do check "port $port is released" port_free "$port"; done
fi
check "stop on a missing directory succeeds" "$script" stop "$a"
check "status reports stopped (exit 3)" status_is "$a" 3

# status wants all three KDCs: one gone is "not running".
kill -TERM "${xpids_b[1]}"
for _ in $(seq 50); do gone "${xpids_b[1]}" && break; sleep 0.1; done
check "status reports not running when EVIL.TEST's KDC is gone" status_is "$b" 3

check "kdc-fixture stop $b" "$script" stop "$b"
check "krb5kdc $pid_b is gone" gone "$pid_b"
for pid in "${xpids_b[@]}"; do check "krb5kdc $pid (cross-realm) is gone" gone "$pid"; done
check "$b is removed" test ! -e "$b"

# --- stop refuses directories that are not fixtures --------------------------------------------
mkdir -p "$work/not-a-fixture"
touch "$work/not-a-fixture/keep"
check "stop refuses a directory that is not a fixture" stop_refused "$work/not-a-fixture"
check "... and leaves its files alone" test -e "$work/not-a-fixture/keep"

finish

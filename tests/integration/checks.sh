# Sourced by the integration test scripts: count checks, then finish with one verdict.
#   pass WHAT / fail WHAT   record a check (fail lines go to stderr)
#   finish                  exit 1 naming the count if any check failed, else say so, exit 0
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
finish() {
  if ((failures > 0)); then
    echo "$failures check(s) failed" >&2
    exit 1
  fi
  echo "all checks passed"
}

#!/usr/bin/env bash
# integration.credentials.{ccache,keytab}: kerb's MIT ccache and keytab codecs against MIT's
# own tools and the fixture's KDC. Runs under with-kdc-env (the fixture's env is sourced).
#
#   credentials_test.sh ccache|keytab KERB_CRED_TOOL
#
# ccache: (b) a cache MIT's kinit wrote is read by kerb with the right principal, times, flags,
#         enctypes, key length and ticket; (a) kerb writes it anew (byte for byte the same) and
#         MIT's klist lists it, kvno uses it for a service ticket, and kerb reads what kvno
#         appended; the same through the CredentialCache interface via a MEMORY cache.
# keytab: (c) kerb reads the fixture's ktadd keytab with the entries klist -k -e -t shows;
#         (d) a keytab kerb wrote (re-serialised, and one built from a password) is listed by
#         klist -k -e with the same entries; (e) kinit -k -t works with kerb-written keytabs.
set -euo pipefail

mode=${1:?usage: credentials_test.sh ccache|keytab KERB_CRED_TOOL}
tool=${2:?usage: credentials_test.sh ccache|keytab KERB_CRED_TOOL}

for var in KRB5_CONFIG KERB_TEST_REALM KERB_TEST_DIR KERB_TEST_KEYTAB KERB_TEST_PASSWORD_ALICE; do
  if [[ -z ${!var:-} ]]; then
    echo "FAIL: $var is not set: run this under with-kdc-env (ctest -L integration)" >&2
    exit 1
  fi
done
realm=$KERB_TEST_REALM
tgt="krbtgt/$realm@$realm"
export LC_ALL=C  # klist's date format

# shellcheck source=../checks.sh
source "$(dirname "$0")/../checks.sh"

work=$(mktemp -d "$KERB_TEST_DIR/credentials-$mode.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Whitespace- and comma-insensitive token stream, so layouts that differ only in line wrapping
# compare equal.
tokens() { tr ',\t\n' '   ' | tr -s ' ' | sed 's/^ //; s/ $//'; }

# klist output without its first line (which names the cache or keytab file).
mit_klist() { klist "$@" 2>&1 | tail -n +2; }

run_ccache() {
  # --- (b) MIT writes, kerb reads ---------------------------------------------------------------
  local rc=0 out listing
  out=$(kinit -f -r 2d -c "FILE:$work/mit.cc" "alice@$realm" <<<"$KERB_TEST_PASSWORD_ALICE" 2>&1) || rc=$?
  ((rc == 0)) || { fail "kinit alice exited $rc: $out"; return; }
  pass "MIT kinit -f -r 2d alice wrote $work/mit.cc"

  if out=$("$tool" check-mit-ccache "$work/mit.cc" 2>&1); then
    pass "kerb reads MIT's ccache:"$'\n'"$out"
  else
    fail "kerb's checks on MIT's ccache:"$'\n'"$out"
  fi

  local kerb_view mit_view
  kerb_view=$("$tool" klist "$work/mit.cc" | tokens)
  mit_view=$(klist -e -f -c "FILE:$work/mit.cc" | sed -n '2p;5,$p' | tokens)
  if [[ $kerb_view == "$mit_view" ]]; then
    pass "kerb's times, flags and enctypes equal klist -e -f's: $kerb_view"
  else
    fail "kerb and klist disagree:"$'\n'"kerb: $kerb_view"$'\n'"MIT:  $mit_view"
  fi

  # --- (a) kerb writes, MIT reads ---------------------------------------------------------------
  out=$("$tool" copy-ccache "$work/mit.cc" "$work/kerb.cc")
  if [[ $out == identical ]]; then
    pass "kerb re-wrote MIT's ccache byte for byte"
  else
    fail "kerb's re-written ccache differs from MIT's ($out)"
  fi
  if [[ $(stat -c %a "$work/kerb.cc") == 600 ]]; then pass "kerb's ccache has mode 0600"; else
    fail "kerb's ccache has mode $(stat -c %a "$work/kerb.cc")"; fi

  listing=$(klist -e -c "FILE:$work/kerb.cc" 2>&1) || fail "klist -e of kerb's ccache failed: $listing"
  if grep -qF "$tgt" <<<"$listing" &&
     grep -qF "Etype (skey, tkt): aes256-cts-hmac-sha1-96, aes256-cts-hmac-sha1-96" <<<"$listing"; then
    pass "MIT klist -e lists $tgt with aes256-cts-hmac-sha1-96 from kerb's ccache"
  else
    fail "klist -e of kerb's ccache:"$'\n'"$listing"
  fi
  if [[ $(mit_klist -e -f -c "FILE:$work/kerb.cc") == "$(mit_klist -e -f -c "FILE:$work/mit.cc")" ]]; then
    pass "klist -e -f shows the same for kerb's and MIT's ccache"
  else
    fail "klist -e -f differs between kerb's and MIT's ccache"
  fi

  if out=$(kvno -c "FILE:$work/kerb.cc" "bank/bank.test@$realm" 2>&1); then
    pass "MIT kvno used kerb's ccache: $out"
  else
    fail "kvno -c kerb's ccache bank/bank.test failed: $out"
  fi
  if "$tool" klist "$work/kerb.cc" | grep -qF "bank/bank.test@$realm"; then
    pass "kerb reads the service ticket MIT's kvno appended to kerb's ccache"
  else
    fail "kerb does not see bank/bank.test in its ccache after kvno"
  fi
  kerb_view=$("$tool" klist "$work/kerb.cc" | tokens)
  mit_view=$(klist -e -f -c "FILE:$work/kerb.cc" | sed -n '2p;5,$p' | tokens)
  if [[ $kerb_view == "$mit_view" ]]; then
    pass "kerb and klist -e -f agree on the TGT and the service ticket"
  else
    fail "kerb and klist disagree after kvno:"$'\n'"kerb: $kerb_view"$'\n'"MIT:  $mit_view"
  fi

  # A cache kerb built from scratch out of the tickets alone: other bytes, same use.
  if out=$("$tool" rebuild-ccache "$work/mit.cc" "$work/rebuilt.cc" 2>&1); then pass "$out"; else
    fail "rebuild-ccache: $out"; fi
  listing=$(klist -e -c "FILE:$work/rebuilt.cc" 2>&1) || fail "klist -e of the rebuilt ccache: $listing"
  if grep -qF "$tgt" <<<"$listing" && grep -qF "Default principal: alice@$realm" <<<"$listing"; then
    pass "MIT klist -e lists the ccache kerb built from scratch"
  else
    fail "klist -e of the rebuilt ccache:"$'\n'"$listing"
  fi
  if out=$(kvno -c "FILE:$work/rebuilt.cc" "bank/bank.test@$realm" 2>&1); then
    pass "MIT kvno used the ccache kerb built from scratch: $out"
  else
    fail "kvno -c the rebuilt ccache failed: $out"
  fi

  # --- the CredentialCache interface: FILE -> MEMORY -> FILE --------------------------------------
  if out=$("$tool" api-copy "FILE:$work/mit.cc" "FILE:$work/api.cc" 2>&1); then
    pass "$out"
  else
    fail "api-copy: $out"
  fi
  if cmp -s "$work/mit.cc" "$work/api.cc"; then
    pass "the interface copy is byte for byte MIT's cache (config entries, KDC offset included)"
  else
    fail "the interface copy differs from MIT's cache"
  fi
  if out=$(kvno -c "FILE:$work/api.cc" "host/bank.test@$realm" 2>&1); then
    pass "MIT kvno used the interface-written ccache: $out"
  else
    fail "kvno -c the interface-written ccache failed: $out"
  fi
}

run_keytab() {
  # --- (c) MIT writes (kadmin ktadd), kerb reads ------------------------------------------------
  local kerb_view mit_view out rc listing
  kerb_view=$("$tool" klist-keytab "$KERB_TEST_KEYTAB" | tokens)
  mit_view=$(klist -k -e -t "$KERB_TEST_KEYTAB" | tail -n +4 | tokens)
  if [[ -n $kerb_view && $kerb_view == "$mit_view" ]]; then
    pass "kerb reads the fixture keytab as klist -k -e -t does: $(klist -k "$KERB_TEST_KEYTAB" | tail -n +4 | wc -l) entries"
  else
    fail "kerb and klist -k -e -t disagree:"$'\n'"kerb: $kerb_view"$'\n'"MIT:  $mit_view"
  fi
  for p in "bank/bank.test@$realm" "host/bank.test@$realm"; do
    if grep -qF "$p (aes256-cts-hmac-sha1-96)" <<<"$("$tool" klist-keytab "$KERB_TEST_KEYTAB")"; then
      pass "kerb finds $p's aes256-cts-hmac-sha1-96 key"
    else
      fail "kerb lacks $p's aes256-cts-hmac-sha1-96 key"
    fi
  done

  # --- (d) kerb writes, MIT lists ---------------------------------------------------------------
  out=$("$tool" copy-keytab "$KERB_TEST_KEYTAB" "$work/kerb.keytab")
  if [[ $out == identical ]]; then pass "kerb re-wrote the keytab byte for byte"; else
    fail "kerb's re-written keytab differs ($out)"; fi
  if [[ $(stat -c %a "$work/kerb.keytab") == 600 ]]; then pass "kerb's keytab has mode 0600"; else
    fail "kerb's keytab has mode $(stat -c %a "$work/kerb.keytab")"; fi
  if [[ $(mit_klist -k -e -t "$work/kerb.keytab") == "$(mit_klist -k -e -t "$KERB_TEST_KEYTAB")" ]]; then
    pass "klist -k -e -t lists kerb's keytab with the same entries"
  else
    fail "klist -k -e -t differs:"$'\n'"$(klist -k -e -t "$work/kerb.keytab" 2>&1)"
  fi

  # --- (e) MIT kinit -k with kerb-written keytabs -------------------------------------------------
  rc=0
  out=$(kinit -k -t "$work/kerb.keytab" -c "FILE:$work/bank.cc" "bank/bank.test@$realm" 2>&1 </dev/null) || rc=$?
  if ((rc == 0)) && klist -c "FILE:$work/bank.cc" 2>/dev/null | grep -qF "$tgt"; then
    pass "MIT kinit -k -t <kerb-written keytab> bank/bank.test"
  else
    fail "kinit -k -t kerb.keytab bank/bank.test exited $rc: $out"
  fi

  # A new keytab of two of bank's keys, picked with kerb's strict lookup, in another order.
  if out=$("$tool" select-keytab "$KERB_TEST_KEYTAB" "$work/bank2.keytab" "bank/bank.test@$realm" \
             17 18 2>&1); then pass "$out"; else fail "select-keytab: $out"; fi
  listing=$(klist -k -e "$work/bank2.keytab" 2>&1) || true
  if [[ $(tail -n +4 <<<"$listing" | tokens) == "1 bank/bank.test@$realm (aes128-cts-hmac-sha1-96) 1 bank/bank.test@$realm (aes256-cts-hmac-sha1-96)" ]]; then
    pass "klist -k -e lists kerb's two-key keytab"
  else
    fail "klist -k -e of kerb's two-key keytab:"$'\n'"$listing"
  fi
  rc=0
  out=$(kinit -k -t "$work/bank2.keytab" -c "FILE:$work/bank2.cc" "bank/bank.test@$realm" 2>&1 </dev/null) || rc=$?
  if ((rc == 0)) && klist -c "FILE:$work/bank2.cc" 2>/dev/null | grep -qF "$tgt"; then
    pass "MIT kinit -k -t <kerb's two-key keytab> bank/bank.test"
  else
    fail "kinit -k -t bank2.keytab bank/bank.test exited $rc: $out"
  fi

  # A keytab built from scratch with a known key: alice's password, the default salt.
  out=$(kinit -c "FILE:$work/alice.cc" "alice@$realm" <<<"$KERB_TEST_PASSWORD_ALICE" 2>&1) ||
    fail "kinit alice: $out"
  local kvno
  kvno=$(kvno -c "FILE:$work/alice.cc" "alice@$realm" 2>&1 | sed -n 's/.*kvno = \([0-9]*\).*/\1/p')
  [[ -n $kvno ]] || { fail "could not learn alice's kvno"; kvno=1; }
  if out=$("$tool" make-keytab "$work/alice.keytab" "alice@$realm" "$kvno" \
             "$KERB_TEST_PASSWORD_ALICE" 18 17 2>&1); then
    pass "$out"
  else
    fail "make-keytab: $out"
  fi
  listing=$(klist -k -e "$work/alice.keytab" 2>&1) || true
  if grep -qF "alice@$realm (aes256-cts-hmac-sha1-96)" <<<"$listing" &&
     grep -qF "alice@$realm (aes128-cts-hmac-sha1-96)" <<<"$listing" &&
     [[ $(tail -n +4 <<<"$listing" | wc -l) == 2 ]]; then
    pass "klist -k -e lists kerb's from-scratch keytab: 2 alice keys, kvno $kvno"
  else
    fail "klist -k -e of kerb's from-scratch keytab:"$'\n'"$listing"
  fi
  rc=0
  out=$(kinit -k -t "$work/alice.keytab" -c "FILE:$work/alice-kt.cc" "alice@$realm" 2>&1 </dev/null) || rc=$?
  if ((rc == 0)) && klist -c "FILE:$work/alice-kt.cc" 2>/dev/null | grep -qF "$tgt"; then
    pass "MIT kinit -k -t <kerb-built keytab> alice (kerb's string-to-key and keytab format)"
  else
    fail "kinit -k -t alice.keytab alice exited $rc: $out"
  fi
}

case $mode in
  ccache) run_ccache ;;
  keytab) run_keytab ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac

finish

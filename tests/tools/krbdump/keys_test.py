#!/usr/bin/env python3
"""krbdump.keys: each key source opens what it should (keytab, password with the default salt
and with a salt from ETYPE-INFO2 in the same capture, raw key, ccache session keys, keys learnt
on the way), gives the same plaintext as the others, and a part left closed says why: no key,
a wrong key, a wrong kvno, a wrong salt.

    keys_test.py KRBDUMP DATA_DIR
"""

import os
import re
import subprocess

from krbdump_check import Checker, args, inputs, nodes, notes, run_json


def keyvalues(doc):
    return sorted({n.get("value", "").lower() for r in inputs(doc) for n in nodes(r, "keyvalue")
                   if n.get("value")})


def closed_notes(doc):
    return [x for r in inputs(doc) for x in notes(r) if re.search(r"not decrypted", x, re.I)]


def decrypted(doc, name):
    """Nodes called `name` that have decoded children (an opened enc-part shows its fields)."""
    return [n for r in inputs(doc) for n in nodes(r, name) if n.get("children")]


def mit_key(keytab, principal, enctype):
    """The key bytes MIT's klist -K shows: the raw-key oracle."""
    p = subprocess.run(["klist", "-k", "-K", "-e", keytab], capture_output=True, text=True,
                       check=True)
    for line in p.stdout.splitlines():
        m = re.match(r"^\s*\d+ (\S+) \((\S+)\)\s+\(0x([0-9a-f]+)\)", line)
        if m and m.group(1) == principal and m.group(2) == enctype:
            return m.group(3)
    raise SystemExit(f"no {principal} {enctype} in {keytab}")


def main():
    krbdump, data, _ = args()
    c = Checker("krbdump.keys")
    d = lambda *p: os.path.join(data, *p)  # noqa: E731
    k = lambda name: d("keys", name)  # noqa: E731
    pw = dict(line.split() for line in open(k("passwords.txt")))
    gss = d("gss-krb5.pcapng")
    port = ["--port", "4444"]

    # No keys: every encrypted part is shown closed, status 1, and says what it needs.
    r, doc = run_json(krbdump, port + [gss])
    c.eq(r.rc, 1, "no keys: status 1 (something not decrypted)")
    ns = closed_notes(doc) if doc else []
    c.ok(any("host/bank.test" in x for x in ns), "no keys: the ticket's note names host/bank.test",
         "\n     ".join(ns[:5]))
    c.ok(any(re.search(r"kvno\D*1\b", x) for x in ns), "no keys: the note names kvno 1")
    c.ok(any(re.search(r"aes256-cts-hmac-sha1-96|\b18\b", x) for x in ns),
         "no keys: the note names the enctype")

    # Keytab: everything opens; the plaintext is the reference for the other sources.
    r, doc = run_json(krbdump, port + ["--full", "--keytab", k("bank.keytab"), gss])
    c.eq(r.rc, 0, "keytab: bank.keytab opens the whole GSS exchange")
    ref = keyvalues(doc) if doc else []
    c.ok(len(ref) >= 2, f"keytab: session key and subkeys shown ({len(ref)})")

    # Raw key: host/bank.test's aes256 key as MIT's klist -K prints it, by name and by number.
    hexkey = mit_key(k("bank.keytab"), "host/bank.test@KERB.TEST", "aes256-cts-hmac-sha1-96")
    for spec in (f"aes256-cts-hmac-sha1-96:{hexkey}", f"18:{hexkey}"):
        r, doc = run_json(krbdump, port + ["--full", "--key", spec, gss])
        c.eq(r.rc, 0, f"raw key {spec.split(':')[0]}: opens the whole exchange")
        c.eq(keyvalues(doc) if doc else None, ref, f"raw key {spec.split(':')[0]}: same keys")

    # Wrong key at the right kvno: closed, and the note says the candidate failed its check.
    r, doc = run_json(krbdump, port + ["--keytab", k("wrong-key.keytab"), gss])
    c.eq(r.rc, 1, "wrong key: status 1")
    ns = closed_notes(doc) if doc else []
    c.ok(any("wrong-key.keytab" in x and re.search(r"integrity|checksum|wrong key", x, re.I)
             for x in ns), "wrong key: the note names the candidate and its failed integrity check",
         "\n     ".join(ns[:3]))

    # Wrong kvno: the candidate is passed over for its kvno.
    r, doc = run_json(krbdump, port + ["--keytab", k("wrong-kvno.keytab"), gss])
    c.eq(r.rc, 1, "wrong kvno: status 1")
    ns = closed_notes(doc) if doc else []
    c.ok(any(re.search(r"kvno\D*8", x) and re.search(r"kvno\D*1\b", x)
             and re.search(r"wrong kvno|kvno (mismatch|differs)", x, re.I) for x in ns),
         "wrong kvno: the note passes the candidate over for its kvno (wants 1, has 8)",
         "\n     ".join(ns[:3]))

    # Password, default salt: alice's AS-REP enc-part opens to the same session key that her
    # MIT-exported keytab gives.
    as_rep = d("raw-4-as-rep.der")
    tgt = ["--keytab", k("krbtgt.keytab")]
    r, doc = run_json(krbdump, tgt + ["--full", "--keytab", k("alice.keytab"), as_rep])
    c.eq(r.rc, 0, "alice.keytab + krbtgt.keytab open the AS-REP and its ticket")
    ref = keyvalues(doc) if doc else []
    r, doc = run_json(krbdump, tgt + ["--full", "--password", pw["alice@KERB.TEST"],
                                      "--principal", "alice@KERB.TEST", as_rep])
    c.eq(r.rc, 0, "password (default salt): opens the AS-REP")
    c.eq(keyvalues(doc) if doc else None, ref, "password: the same session key as the keytab")
    c.ok(len(ref) >= 1, "the AS-REP shows its session key")

    # Password with a wrong salt: the note lists the salt tried.
    r, doc = run_json(krbdump, ["--password", pw["alice@KERB.TEST"], "--principal",
                                "alice@KERB.TEST", "--salt", "NOT.THE.SALTalice", as_rep])
    c.eq(r.rc, 1, "wrong salt: status 1")
    ns = closed_notes(doc) if doc else []
    c.ok(any("NOT.THE.SALTalice" in x for x in ns), "wrong salt: the note lists the salt tried",
         "\n     ".join(ns[:3]))

    # Password, salt only the capture's ETYPE-INFO2 knows (saltuser's special salt).
    salt_cap = d("kdc-salt.pcapng")
    sp = ["--password", pw["saltuser@KERB.TEST"], "--principal", "saltuser@KERB.TEST"]
    r, doc = run_json(krbdump, tgt + sp + [salt_cap])
    c.eq(r.rc, 0, "password + ETYPE-INFO2 salt from the same capture: all opens")
    r, doc = run_json(krbdump, tgt + sp + ["--salt", "KERB.TESTsaltuser", salt_cap])
    c.eq(r.rc, 1, "password with the default salt where the KDC uses another: status 1")
    ns = closed_notes(doc) if doc else []
    c.ok(any("KERB.TESTsaltuser" in x for x in ns), "default-salt failure lists the salt tried",
         "\n     ".join(ns[:3]))

    # ccache session keys: the TGT's session key (mit.ccache, same kinit) opens the TGS-REQ's
    # authenticator though the TGT itself stays closed (no krbtgt key); the subkey learnt from
    # that authenticator then opens the TGS-REP, to the session key of the host ticket.
    tgs = [d("raw-5-tgs-req.der"), d("raw-6-tgs-rep.der")]
    r, doc = run_json(krbdump, ["--full", "--ccache", d("mit.ccache")] + tgs)
    c.eq(r.rc, 1, "ccache: status 1 (the TGT in the TGS-REQ stays closed)")
    c.ok(bool(doc) and bool(decrypted(doc, "authenticator")),
         "ccache: the TGS-REQ's authenticator is opened by the ccache's TGT session key")
    both = set(keyvalues(doc)) if doc else set()
    _, req_doc = run_json(krbdump, ["--full", "--ccache", d("mit.ccache"), tgs[0]])
    new = both - set(keyvalues(req_doc) if req_doc else [])
    _, cc_doc = run_json(krbdump, ["--full", d("mit.ccache")])
    cc_bytes = {n.get("value", "").lower() for n in nodes(inputs(cc_doc)[0], kind="bytes")} \
        if cc_doc else set()
    c.ok(bool(new & cc_bytes),
         "ccache: the TGS-REP opens (learnt subkey) to the host ticket's session key in mit.ccache",
         f"new keys {sorted(new)}")
    # kerb-kinit's own session, over TCP, with its own ccache.
    r, doc = run_json(krbdump, ["--ccache", d("kerb.ccache"), d("kdc-tcp.pcapng")])
    c.ok(bool(doc) and bool(decrypted(doc, "authenticator")),
         "ccache: kerb.ccache opens the TGS-REQ authenticator in kdc-tcp.pcapng")
    c.done()


if __name__ == "__main__":
    main()

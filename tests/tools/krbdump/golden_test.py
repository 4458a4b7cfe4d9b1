#!/usr/bin/env python3
"""krbdump.golden: krbdump's text and JSON output for the recorded inputs, against reviewed
snapshots in tests/data/krbdump/golden/ (the independent checks of the same fields are the
oracle_* tests); and the JSON schema's own rules on every output: known kinds, ints and enums
as numbers, ISO 8601 UTC times, even-length hex, "label (N)" values only as enums.

    golden_test.py KRBDUMP DATA_DIR            compare
    golden_test.py KRBDUMP DATA_DIR --update   rewrite the snapshots (review the diff!)
"""

import difflib
import json
import os
import re

from krbdump_check import Checker, args, run, walk

K = ["--keytab", "keys/bank.keytab", "--keytab", "keys/krbtgt.keytab"]
PW = ["--password", "Kerb-alice-pw1", "--principal", "alice@KERB.TEST"]
# name -> arguments, run in DATA_DIR so the labels are relative paths.
CASES = {
    "mit-ccache": ["mit.ccache"],
    "wrong-kvno-keytab": ["keys/wrong-kvno.keytab"],
    "kirbi": K + ["alice-tgt.kirbi"],
    "as-exchange-password": K + PW + ["raw-1-as-req.der", "raw-2-krb-error.der",
                                      "raw-3-as-req.der", "raw-4-as-rep.der"],
    "tgs-exchange-ccache": ["--ccache", "mit.ccache", "raw-5-tgs-req.der", "raw-6-tgs-rep.der"],
    "gss-krb5": ["--port", "4444", "--keytab", "keys/bank.keytab", "gss-krb5.pcapng"],
    "gss-spnego-no-keys": ["--port", "4444", "gss-spnego.pcapng"],
    "gss-wrong-kvno": ["--port", "4444", "--keytab", "keys/wrong-kvno.keytab", "gss-krb5.pcapng"],
    "der-tree": ["--der", "raw-2-krb-error.der"],
}
# JSON snapshots for these (the text ones cover the rest; JSON is five times the size).
JSON_CASES = {"mit-ccache", "gss-wrong-kvno"}
# Checked against the schema only (no snapshot): the rest of the recorded inputs.
SCHEMA_ONLY = {
    "kerb-ccache": K + ["kerb.ccache"],
    "kdc-tcp": K + PW + ["kdc-tcp.pcapng"],
    "kdc-udp": K + PW + ["kdc-udp.pcapng"],
    "kdc-salt": K + ["--password", "Kerb-saltuser-pw1", "--principal", "saltuser@KERB.TEST",
                     "kdc-salt.pcapng"],
    "pcap": K + PW + ["kdc-tcp.pcap", "kdc-udp-ns.pcap"],
    "negotiate": ["--keytab", "keys/bank.keytab", "negotiate.txt"],
    "gss-spnego": ["--port", "4444", "--keytab", "keys/bank.keytab", "gss-spnego.pcapng"],
}

KINDS = {"int", "string", "bytes", "time", "bool", "object", "array", "null", "enum", "flags",
         "principal", "oid"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
# "label (N)" with a decimal N; "KRB_AP_REQ (0x0100)" style identifiers may stay strings.
LABELLED = re.compile(r"^[A-Za-z][\w .,/()-]* \((-?\d+)\)$")


def schema_problems(doc):
    out = []
    if doc.get("krbdump") != 1 or not isinstance(doc.get("inputs"), list):
        return ["top level is not {\"krbdump\": 1, \"inputs\": [...]}"]
    for root in doc["inputs"]:
        for path, n in walk(root):
            where = "/".join(path + (str(n.get("name")),))
            kind = n.get("kind")
            v = n.get("value")
            if not isinstance(n.get("name"), str) or kind not in KINDS:
                out.append(f"{where}: name {n.get('name')!r}, kind {kind!r}")
            elif kind == "int" and not isinstance(v, int):
                out.append(f"{where}: int value {v!r}")
            elif kind == "enum" and not isinstance(v, int):
                out.append(f"{where}: enum value {v!r} is not a number")
            elif kind == "time" and not (isinstance(v, str) and ISO.match(v)):
                out.append(f"{where}: time {v!r} is not ISO 8601 UTC")
            elif kind == "bytes" and not (isinstance(v, str) and re.fullmatch(r"([0-9a-f]{2})*", v)
                                          and isinstance(n.get("length"), int)):
                out.append(f"{where}: bytes {v!r}")
            elif kind == "string" and isinstance(v, str) and LABELLED.match(v):
                out.append(f"{where}: {v!r} is a labelled number with kind string, not enum")
    return out


def main():
    krbdump, data, rest = args()
    update = "--update" in rest
    golden = os.path.join(data, "golden")
    os.makedirs(golden, exist_ok=True)
    c = Checker("krbdump.golden")
    cwd = os.getcwd()
    os.chdir(data)
    try:
        for name, argv in CASES.items():
            for fmt in ("txt", "json"):
                if fmt == "json" and name not in JSON_CASES and not update:
                    r = run(krbdump, ["--json"] + argv)
                    check_schema(c, name, r.out)
                    continue
                r = run(krbdump, (["--json"] if fmt == "json" else []) + argv)
                got = f"exit {r.rc}\n{r.err}{r.out}"
                path = os.path.join(golden, f"{name}.{fmt}")
                if fmt == "json":
                    check_schema(c, name, r.out)
                if update:
                    if fmt == "json" and name not in JSON_CASES:
                        continue
                    with open(path, "w") as f:
                        f.write(got)
                    print(f"wrote {path}")
                    c.passes += 1
                    continue
                want = open(path).read() if os.path.exists(path) else ""
                diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                    f"golden/{name}.{fmt}", "krbdump", n=1))
                c.ok(got == want, f"{name}.{fmt} matches the snapshot", diff[:3000])
        if not update:
            for name, argv in SCHEMA_ONLY.items():
                check_schema(c, name, run(krbdump, ["--json"] + argv).out)
    finally:
        os.chdir(cwd)
    c.done()


def check_schema(c, name, out):
    try:
        doc = json.loads(out)
    except ValueError as e:
        c.ok(False, f"{name}: JSON parses", str(e))
        return
    problems = schema_problems(doc)
    c.ok(not problems, f"{name}: JSON follows the schema", "\n     ".join(problems[:10]))


if __name__ == "__main__":
    main()

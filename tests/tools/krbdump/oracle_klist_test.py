#!/usr/bin/env python3
"""krbdump.oracle.klist: krbdump's JSON for the recorded ccaches, keytabs and .kirbi against
what MIT's klist says about the same files (principals, enctypes, kvnos, times, flags, key
bytes, config entries).

    oracle_klist_test.py KRBDUMP DATA_DIR
"""

import os
import re
import subprocess

from krbdump_check import (KLIST_FLAGS, MIT_ENCTYPES, Checker, args, enum_number, inputs, iso,
                           nodes, run_json, strings, utc_seconds, walk)

KLIST_TIME = "%m/%d/%y %H:%M:%S"


def klist(argv):
    p = subprocess.run(["klist"] + argv, capture_output=True, text=True,
                       env=dict(os.environ, TZ="UTC", LC_ALL="C"))
    if p.returncode != 0:
        raise SystemExit(f"klist {' '.join(argv)} failed: {p.stderr}")
    return p.stdout


def parse_klist_ccache(text):
    """-> (default principal, [cred dicts], [(config key, principal, value)])"""
    default = re.search(r"^Default principal: (\S+)$", text, re.M).group(1)
    creds, config = [], []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^config: (\S+)\((\S*)\) = (.*)$", line)
        if m:
            config.append(m.groups())
            continue
        m = re.match(r"^(\d\d/\d\d/\d\d \d\d:\d\d:\d\d)  (\d\d/\d\d/\d\d \d\d:\d\d:\d\d)  (\S+)$",
                     line)
        if not m:
            continue
        cred = {"start": utc_seconds(m.group(1), KLIST_TIME),
                "end": utc_seconds(m.group(2), KLIST_TIME), "server": m.group(3), "renew": None}
        for follow in lines[i + 1:i + 4]:
            if not follow[:1].isspace():
                break  # the next entry
            r = re.match(r"^\s+renew until (\d\d/\d\d/\d\d \d\d:\d\d:\d\d)", follow)
            if r:
                cred["renew"] = utc_seconds(r.group(1), KLIST_TIME)
            f = re.match(r"^\s+Flags: (\w*), Etype \(skey, tkt\): (\S+), (\S+)", follow)
            if f:
                cred["flags"] = {KLIST_FLAGS[c] for c in f.group(1)}
                cred["skey"] = MIT_ENCTYPES[f.group(2)]
                cred["tkt"] = MIT_ENCTYPES[f.group(3)]
        creds.append(cred)
    return default, creds, config


def parse_klist_keytab(text):
    entries = []
    for line in text.splitlines():
        m = re.match(r"^\s*(\d+) (\d\d/\d\d/\d\d \d\d:\d\d:\d\d) (\S+) \((\S+)\)\s+\(0x([0-9a-f]+)\)",
                     line)
        if m:
            entries.append({"kvno": int(m.group(1)), "time": utc_seconds(m.group(2), KLIST_TIME),
                            "principal": m.group(3), "enctype": MIT_ENCTYPES[m.group(4)],
                            "key": m.group(5)})
    return entries


def entries_naming(root, principal):
    """Objects with a direct child whose value is `principal`: a ccache credential, a keytab
    entry, a KrbCredInfo... whatever krbdump calls it."""
    out = []
    for _, n in walk(root):
        if any(c.get("value") == principal for c in n.get("children", [])):
            out.append(n)
    return out


def outermost(found):
    """Drops the entries inside another one (a credential's ticket names its server too)."""
    inner = {id(n) for e in found for _, n in walk(e) if n is not e}
    return [e for e in found if id(e) not in inner]


def time_values(root):
    return {n.get("value") for n in nodes(root, kind="time")}


def flag_sets(root):
    return [set(n.get("flags", [])) for n in nodes(root, kind="flags")]


def key_enctypes(root):
    """Enum numbers under a node whose name mentions "key" (keyblock, session key, key)."""
    out = set()
    for path, n in walk(root):
        if n.get("kind") == "enum" and any("key" in p for p in path + (n.get("name", ""),)) \
                and not any(p == "enc-part" for p in path):
            out.add(enum_number(n))
    return out


def enc_part_etypes(root):
    return {enum_number(n) for path, n in walk(root)
            if n.get("name") == "etype" and path and path[-1] == "enc-part"}


# klist cannot show these (no letter), so krbdump may name them beyond klist's set.
FLAGS_KLIST_CANNOT_SHOW = {"reserved", "enc-pa-rep"}


def service_keys(data):
    """The keys of every ticket in the recording, so a full dump decrypts everything (exit 0)."""
    return ["--keytab", os.path.join(data, "keys", "krbtgt.keytab"),
            "--keytab", os.path.join(data, "keys", "bank.keytab")]


def check_ccache(c, krbdump, keyargs, path):
    label = os.path.basename(path)
    default, creds, config = parse_klist_ccache(klist(["-C", "-c", path, "-e", "-f"]))
    r, doc = run_json(krbdump, keyargs + [path])
    if not c.eq(r.rc, 0, f"{label}: exit 0 (tickets decrypted)") or not doc:
        print(r.err)
        return
    root = inputs(doc)[0]
    all_strings = strings(root)
    c.ok(any(n.get("value") == default and re.search("principal|default", n.get("name", ""))
             for _, n in walk(root)), f"{label}: default principal {default}")
    for cred in creds:
        what = f"{label}: {cred['server']}"
        cands = outermost([e for e in entries_naming(root, cred["server"])
                           if iso(cred["end"]) in time_values(e)])
        if not c.eq(len(cands), 1, f"{what}: one entry names it with endtime {iso(cred['end'])}"):
            continue
        e = cands[0]
        c.ok(iso(cred["start"]) in time_values(e), f"{what}: starttime {iso(cred['start'])}")
        if cred["renew"]:
            c.ok(iso(cred["renew"]) in time_values(e), f"{what}: renew-till")
        fs = flag_sets(e)
        c.ok(any(cred["flags"] <= f and f - cred["flags"] <= FLAGS_KLIST_CANNOT_SHOW for f in fs),
             f"{what}: ticket flags {sorted(cred['flags'])}", f"krbdump: {fs}")
        c.ok(cred["skey"] in key_enctypes(e), f"{what}: session key enctype {cred['skey']}",
             f"krbdump: {key_enctypes(e)}")
        c.ok(cred["tkt"] in enc_part_etypes(e), f"{what}: ticket enc-part etype {cred['tkt']}",
             f"krbdump: {enc_part_etypes(e)}")
    for key, principal, _ in config:
        c.ok(key in all_strings or any(key in s for s in all_strings),
             f"{label}: config entry {key}({principal})")


def check_keytab(c, krbdump, path):
    label = os.path.basename(path)
    want = parse_klist_keytab(klist(["-k", "-t", "-K", "-e", path]))
    r, doc = run_json(krbdump, ["--full", path])
    if not c.eq(r.rc, 0, f"{label}: exit 0") or not doc:
        print(r.err)
        return
    root = inputs(doc)[0]
    matched = 0
    for w in want:
        what = f"{label}: {w['principal']} kvno {w['kvno']} enctype {w['enctype']}"
        cands = [e for e in entries_naming(root, w["principal"])
                 if any(n.get("value", "").lower() == w["key"] for n in nodes(e, kind="bytes"))]
        if not c.eq(len(cands), 1, f"{what}: one entry with klist's key bytes"):
            continue
        e = cands[0]
        matched += 1
        # The keytab format calls it vno (8 or 32 bits); RFC 4120 calls it kvno.
        c.ok(any(n.get("value") == w["kvno"] for n in nodes(e) if "vno" in n.get("name", "")),
             f"{what}: kvno")
        c.ok(any(enum_number(n) == w["enctype"] for n in nodes(e, kind="enum")), f"{what}: enctype")
        c.ok(iso(w["time"]) in time_values(e), f"{what}: timestamp {iso(w['time'])}")
    c.eq(matched, len(want), f"{label}: all {len(want)} klist entries found")


def check_kirbi(c, krbdump, data):
    """alice-tgt.kirbi was made from mit.ccache's TGT: its KrbCredInfo says what klist says of
    that entry."""
    _, creds, _ = parse_klist_ccache(klist(["-c", os.path.join(data, "mit.ccache"), "-e", "-f"]))
    tgt = next(x for x in creds if x["server"].startswith("krbtgt/"))
    r, doc = run_json(krbdump, service_keys(data) + [os.path.join(data, "alice-tgt.kirbi")])
    if not c.eq(r.rc, 0, "alice-tgt.kirbi: exit 0 (ticket decrypted)") or not doc:
        print(r.err)
        return
    root = inputs(doc)[0]
    c.ok(any(n.get("name") == "msg-type" and enum_number(n) == 22 for n in nodes(root)),
         "alice-tgt.kirbi: msg-type 22 (KRB-CRED)")
    infos = nodes(root, "ticket-info")
    c.ok(bool(infos), "alice-tgt.kirbi: the unencrypted EncKrbCredPart is shown (ticket-info)")
    if not infos:
        return
    info = infos[0]
    times = time_values(info)
    c.ok(iso(tgt["end"]) in times, f"alice-tgt.kirbi: endtime {iso(tgt['end'])}")
    c.ok(iso(tgt["start"]) in times, f"alice-tgt.kirbi: starttime {iso(tgt['start'])}")
    c.ok(any(tgt["flags"] <= f and f - tgt["flags"] <= FLAGS_KLIST_CANNOT_SHOW
             for f in flag_sets(info)), f"alice-tgt.kirbi: flags {sorted(tgt['flags'])}")
    c.ok(tgt["skey"] in {enum_number(n) for n in nodes(info, kind="enum")},
         "alice-tgt.kirbi: key enctype")
    s = " ".join(strings(info))
    c.ok("alice" in s and "krbtgt" in s and "KERB.TEST" in s, "alice-tgt.kirbi: pname, sname")
    c.ok(tgt["tkt"] in enc_part_etypes(root), "alice-tgt.kirbi: ticket enc-part etype")


def main():
    krbdump, data, _ = args()
    c = Checker("krbdump.oracle.klist")
    for cc in ("mit.ccache", "kerb.ccache"):
        check_ccache(c, krbdump, service_keys(data), os.path.join(data, cc))
    for kt in ("bank.keytab", "krbtgt.keytab", "alice.keytab", "wrong-kvno.keytab"):
        check_keytab(c, krbdump, os.path.join(data, "keys", kt))
    check_kirbi(c, krbdump, data)
    c.done()


if __name__ == "__main__":
    main()

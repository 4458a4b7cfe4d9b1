#!/usr/bin/env python3
"""krbdump.oracle.tshark: krbdump's JSON for the recorded KDC captures (pcapng and pcap, UDP and
TCP) and raw DER messages against Wireshark's Kerberos dissector decrypting with the same keys.
Compared per capture: message types, nonces, kvnos, error codes, ETYPE-INFO2 salts, the key
bytes found in decrypted parts (session keys, subkeys), enc-part etypes, ticket times, client
and server names, and the PAC's buffer types and signatures.

    oracle_tshark_test.py KRBDUMP DATA_DIR
"""

import calendar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from krbdump_check import Checker, args, enum_number, inputs, nodes, run_json, strings, walk

KEYTABS = ["bank.keytab", "krbtgt.keytab", "alice.keytab"]

# tshark field -> krbdump node name (RFC 4120 ASN.1 names)
SET_FIELDS = {
    "kerberos.nonce": "nonce",
    "kerberos.kvno": "kvno",
    "kerberos.error_code": "error-code",
    "kerberos.keyvalue": "keyvalue",
    "kerberos.info2_salt": "salt",
}
TIME_FIELDS = {
    "kerberos.authtime": "authtime",
    "kerberos.starttime": "starttime",
    "kerberos.endtime": "endtime",
    "kerberos.till": "till",
    "kerberos.renew_till": "renew-till",
}
CONTAINED_FIELDS = ["kerberos.CNameString", "kerberos.SNameString", "kerberos.crealm",
                    "kerberos.realm", "kerberos.pac.signature.signature"]


def merged_keytab(data, work):
    out = os.path.join(work, "all.keytab")
    script = "".join(f"rkt {os.path.join(data, 'keys', k)}\n" for k in KEYTABS)
    script += f"wkt {out}\nquit\n"
    subprocess.run(["ktutil"], input=script, text=True, capture_output=True, check=True)
    return out


def tshark_fields(capture, keytab, fields):
    """-> list (one per Kerberos frame) of {field: [values]}"""
    argv = ["tshark", "-r", capture, "-o", "kerberos.decrypt:TRUE", "-o",
            f"kerberos.file:{keytab}", "-Y", "kerberos", "-T", "fields", "-E", "occurrence=a",
            "-E", "aggregator=\x1f", "-E", "separator=\x1e"]
    for f in fields:
        argv += ["-e", f]
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"tshark failed on {capture}: {p.stderr}")
    frames = []
    for line in p.stdout.split("\n"):  # not splitlines(): it splits at \x1e and \x1f too
        if not line:
            continue
        cols = line.split("\x1e")
        frames.append({f: [v for v in col.split("\x1f") if v != ""] for f, col in
                       zip(fields, cols)})
    return frames


def tshark_time(text):
    # "Dec  7, 2026 01:58:38.000000000 UTC"
    main = " ".join(text.split()[:4]).split(".")[0]
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.strptime(main, "%b %d, %Y %H:%M:%S"))


def norm(v):
    return str(v).lower()


def compare(c, label, frames, roots):
    every = lambda f: [v for fr in frames for v in fr.get(f, [])]  # noqa: E731
    # Message types, as a multiset: each message and the AP-REQ inside a TGS-REQ.
    want = sorted(int(v) for v in every("kerberos.msg_type"))
    got = sorted(enum_number(n) for r in roots for n in nodes(r, "msg-type"))
    c.eq(got, want, f"{label}: msg-type of every message")
    for field, name in SET_FIELDS.items():
        want = {norm(v) for v in every(field)}
        got = {norm(n.get("value")) if n.get("kind") != "enum" else str(enum_number(n))
               for r in roots for n in nodes(r, name)}
        got.discard("none")
        if field == "kerberos.error_code":
            got = {str(enum_number(n)) for r in roots for n in nodes(r, name)}
        c.eq(got, want, f"{label}: {name} values")
    for field, name in TIME_FIELDS.items():
        want = {tshark_time(v) for v in every(field)}
        got = {n.get("value") for r in roots for n in nodes(r, name)}
        c.eq(got, want, f"{label}: {name} values")
    want = {int(v) for v in every("kerberos.etype")}
    got = {enum_number(n) for r in roots for path, n in walk(r)
           if n.get("name") == "etype" and path and path[-1] in ("enc-part", "ETYPE-INFO2-ENTRY",
                                                                 "authenticator", "ticket",
                                                                 "padata-value")}
    c.ok(want <= got | {enum_number(n) for r in roots for n in nodes(r, "etype")},
         f"{label}: every etype tshark shows", f"tshark {sorted(want)}, krbdump {sorted(got)}")
    all_strings = [norm(s) for r in roots for s in strings(r)]
    joined = "\n".join(all_strings)
    for field in CONTAINED_FIELDS:
        missing = sorted({v for v in every(field) if norm(v) not in joined})
        c.eq(missing, [], f"{label}: every {field} appears")
    want = {int(v) for v in every("kerberos.pac.type")}
    if want:
        got = {enum_number(n) for r in roots for path, n in walk(r)
               if n.get("name") in ("ul-type", "ulType", "type") and any("PAC" in p.upper()
                                                                              for p in path)}
        c.eq(got, want, f"{label}: PAC buffer types")


def iso_time(text):
    """"2026-12-06T01:58:41.457072Z" -> (epoch seconds, "457072"), or None."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})Z$", str(text))
    if not m:
        return None
    return calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")), m.group(2)


def epoch_micros(text):
    """tshark's "1796522324.749416024" -> (1796522324, "749416"): its digits, not a float's."""
    whole, _, fraction = str(text).partition(".")
    return int(whole), (fraction + "000000")[:6]


def check_packet_times(c, label, frames, root):
    """Each Kerberos frame's number and time (tshark frame.time_epoch) as krbdump shows them:
    a node "packet" with the frame number beside a node "time", to the microsecond, truncated."""
    shown = {}
    for _, n in walk(root):
        kids = {k.get("name"): k.get("value") for k in n.get("children", [])}
        if isinstance(kids.get("packet"), int) and "time" in kids:
            shown[kids["packet"]] = kids["time"]
    bad = []
    for fr in frames:
        number = int(fr["frame.number"][0])
        want = epoch_micros(fr["frame.time_epoch"][0])
        if iso_time(shown.get(number)) != want:
            bad.append(f"frame {number}: tshark {fr['frame.time_epoch'][0]}, "
                       f"krbdump {shown.get(number)!r}")
    c.eq(bad, [], f"{label}: frame numbers and times of the Kerberos packets")


def check_capture(c, krbdump, data, keytab, name, keyargs=None):
    path = os.path.join(data, name)
    frames = tshark_fields(path, keytab, ["kerberos.msg_type", "kerberos.etype"] +
                           list(SET_FIELDS) + list(TIME_FIELDS) + CONTAINED_FIELDS +
                           ["kerberos.pac.type", "frame.number", "frame.time_epoch"])
    c.ok(len(frames) >= 4, f"{name}: tshark sees {len(frames)} Kerberos frames")
    if keyargs is None:
        keyargs = [a for k in KEYTABS for a in ("--keytab", os.path.join(data, "keys", k))]
    r, doc = run_json(krbdump, keyargs + [path])
    if not c.eq(r.rc, 0, f"{name}: exit 0 (every part decrypted)") or not doc:
        print(r.err[:2000])
        if not doc:
            return
    compare(c, name, frames, inputs(doc))
    check_packet_times(c, name, frames, inputs(doc)[0])


def check_raw(c, krbdump, data, keytab, work):
    """The raw DER files, in order, as one UDP conversation for tshark (text2pcap), and as six
    inputs of one krbdump run (one key ring, so the TGS-REQ's subkey opens the TGS-REP)."""
    raws = sorted(f for f in os.listdir(data) if f.startswith("raw-") and f.endswith(".der"))
    raws.sort(key=lambda f: int(f.split("-")[1]))
    hexdump = os.path.join(work, "raw.txt")
    pcap = os.path.join(work, "raw.pcap")
    with open(hexdump, "w") as out:
        for i, f in enumerate(raws):
            blob = open(os.path.join(data, f), "rb").read()
            # requests go to port 88, replies come from it; text2pcap takes the direction
            # from "I"/"O" with -D.
            out.write("I\n" if ("req" in f) else "O\n")
            for off in range(0, len(blob), 16):
                out.write(f"{off:06x} " + " ".join(f"{b:02x}" for b in blob[off:off + 16]) + "\n")
    p = subprocess.run(["text2pcap", "-q", "-D", "-u", "50000,88", hexdump, pcap],
                       capture_output=True, text=True)
    if not c.eq(p.returncode, 0, "text2pcap wraps the raw messages"):
        print(p.stderr)
        return
    frames = tshark_fields(pcap, keytab, ["kerberos.msg_type", "kerberos.etype"] +
                           list(SET_FIELDS) + list(TIME_FIELDS) + CONTAINED_FIELDS +
                           ["kerberos.pac.type"])
    c.eq(len(frames), len(raws), f"raw DER: tshark sees all {len(raws)} messages")
    keyargs = [a for k in KEYTABS for a in ("--keytab", os.path.join(data, "keys", k))]
    r, doc = run_json(krbdump, keyargs + [os.path.join(data, f) for f in raws])
    if not c.eq(r.rc, 0, "raw DER: exit 0 (every part decrypted)") or not doc:
        print(r.err[:2000])
        if not doc:
            return
    c.eq(len(inputs(doc)), len(raws), "raw DER: one input each")
    compare(c, "raw DER", frames, inputs(doc))


def check_salt(c, krbdump, data, keytab, work):
    """saltuser's keys have a random salt that only the KDC's ETYPE-INFO2 tells. tshark gets a
    keytab that MIT's ktutil derives from the password with the salt tshark itself read from the
    capture; krbdump gets only the password, and must find the salt in the same capture."""
    name = "kdc-salt.pcapng"
    salts = {v for fr in tshark_fields(os.path.join(data, name), keytab, ["kerberos.info2_salt"])
             for v in fr["kerberos.info2_salt"]}
    if not c.eq(len(salts), 1, f"{name}: tshark reads one ETYPE-INFO2 salt"):
        return
    salt = salts.pop()
    password = dict(line.split() for line in open(os.path.join(data, "keys", "passwords.txt")))
    pw = password["saltuser@KERB.TEST"]
    salted = os.path.join(work, "saltuser.keytab")
    script = (f"addent -password -p saltuser@KERB.TEST -k 1 -e aes256-cts-hmac-sha1-96 -s {salt}\n"
              f"{pw}\nrkt {keytab}\nwkt {salted}\nquit\n")
    subprocess.run(["ktutil"], input=script, text=True, capture_output=True, check=True)
    check_capture(c, krbdump, data, salted, name,
                  ["--keytab", os.path.join(data, "keys", "krbtgt.keytab"),
                   "--password", pw, "--principal", "saltuser@KERB.TEST"])


def main():
    krbdump, data, _ = args()
    if not shutil.which("tshark") or not shutil.which("text2pcap"):
        sys.exit("FAIL: tshark/text2pcap are missing (Debian tshark; scripts/install-deps)")
    c = Checker("krbdump.oracle.tshark")
    with tempfile.TemporaryDirectory() as work:
        keytab = merged_keytab(data, work)
        for name in ("kdc-udp.pcapng", "kdc-udp-ns.pcap", "kdc-tcp.pcapng", "kdc-tcp.pcap"):
            check_capture(c, krbdump, data, keytab, name)
        check_salt(c, krbdump, data, keytab, work)
        check_raw(c, krbdump, data, keytab, work)
    c.done()


if __name__ == "__main__":
    main()

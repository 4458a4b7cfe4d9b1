#!/usr/bin/env python3
"""krbdump.oracle.gss: krbdump's JSON for the recorded gss-sample exchanges against what the
servers of those exchanges logged (gss-*.server.log): the client principal, the context flags
the initiator asked for, the message the client wrapped, and (MIT's gss-server prints the
authenticated PAC) the PAC's buffers and signatures.

    oracle_gss_test.py KRBDUMP DATA_DIR
"""

import base64
import os
import re

from krbdump_check import Checker, args, enum_number, inputs, nodes, notes, run_json, strings, walk

GSS_PORT = "4444"
FLAG_WORDS = {"GSS_C_DELEG_FLAG": "deleg", "GSS_C_MUTUAL_FLAG": "mutual",
              "GSS_C_REPLAY_FLAG": "replay", "GSS_C_SEQUENCE_FLAG": "sequence"}


def server_log(data, name):
    return open(os.path.join(data, name), encoding="utf-8", errors="replace").read()


def log_flags(log):
    return {FLAG_WORDS[f] for f in re.findall(r"context flag: (GSS_C_\w+)", log) if f in FLAG_WORDS}


def log_pac(log):
    """The PAC MIT's gss-server printed (attribute urn:mspac:), as bytes, or None."""
    m = re.search(r"Attribute urn:mspac:.*?\n\s*\n\s*\n\s*\n((?:[0-9a-f]+\n)+)", log)
    if not m:
        return None
    return bytes.fromhex("".join(m.group(1).split()))


def pac_buffers(pac):
    """MS-PAC 2.3: PACTYPE (cBuffers, Version) then PAC_INFO_BUFFERs (ulType, cbBufferSize,
    Offset): -> [(type, data)]."""
    count = int.from_bytes(pac[0:4], "little")
    out = []
    for i in range(count):
        e = pac[8 + 16 * i:8 + 16 * (i + 1)]
        t = int.from_bytes(e[0:4], "little")
        size = int.from_bytes(e[4:8], "little")
        off = int.from_bytes(e[8:16], "little")
        out.append((t, pac[off:off + size]))
    return out


def gss_flag_names(root):
    """Names krbdump gives the flags of the authenticator checksum (RFC 4121 §4.1.1.1)."""
    out = set()
    for n in nodes(root, kind="flags"):
        for f in n.get("flags", []):
            out.add(f.lower())
    return out


def has_word(names, word):
    return any(word in n for n in names)


def check_exchange(c, krbdump, data, capture, log_name, message):
    log = server_log(data, log_name)
    path = os.path.join(data, capture)
    r, doc = run_json(krbdump, ["--full", "--port", GSS_PORT, "--keytab",
                                os.path.join(data, "keys", "bank.keytab"), path])
    if not c.eq(r.rc, 0, f"{capture}: exit 0 (ticket, authenticator, AP-REP, tokens decrypted)") \
            or not doc:
        print(r.err[:2000])
        print("\n".join(notes(inputs(doc)[0]))[:2000] if doc else "")
        if not doc:
            return
    root = inputs(doc)[0]
    all_strings = strings(root)
    text = "\n".join(all_strings)
    c.ok(message in text or message.encode().hex() in text.lower(),
         f"{capture}: the wrapped message {message!r} is shown decrypted")
    m = re.search(r'Accepted connection: "([^"]+)"', log)
    client = m.group(1) if m else "alice@KERB.TEST"
    name, realm = client.split("@")
    c.ok(client in all_strings or (name in all_strings and realm in all_strings),
         f"{capture}: the authenticator's client {client} (server log)")
    want = log_flags(log)
    got = gss_flag_names(root)
    for word in FLAG_WORDS.values():
        c.eq(has_word(got, word), word in want,
             f"{capture}: context flag {word} {'set' if word in want else 'not set'}")
    c.ok("1.2.840.113554.1.2.2" in text, f"{capture}: the krb5 mechanism OID")
    pac = log_pac(log)
    if pac:
        types = {t for t, _ in pac_buffers(pac)}
        got_types = {enum_number(n) for path, n in walk(root)
                     if any("PAC" in p.upper() for p in path)
                     and re.search("type", n.get("name", ""), re.I)}
        c.ok(types <= got_types, f"{capture}: PAC buffer types {sorted(types)} (server log)",
             f"krbdump: {sorted(x for x in got_types if x is not None)}")
        hexes = {n.get("value", "").lower() for n in nodes(root, kind="bytes")}
        for t, blob in pac_buffers(pac):
            if t in (6, 7, 16):  # PAC_SIGNATURE_DATA: SignatureType, then Signature
                sig = blob[4:].hex()
                c.ok(any(sig in h for h in hexes), f"{capture}: PAC signature of buffer {t}")
        c.ok(any("verified" in x.lower() or "valid" in x.lower() for x in notes(root)
                 + all_strings), f"{capture}: the PAC server signature is verified with the key")


def check_negotiate(c, krbdump, data):
    path = os.path.join(data, "negotiate.txt")
    line = open(path).read().strip()
    token = base64.b64decode(line.split()[-1])
    r, doc = run_json(krbdump, ["--keytab", os.path.join(data, "keys", "bank.keytab"), path])
    if not c.eq(r.rc, 0, "negotiate.txt: exit 0") or not doc:
        print(r.err)
        return
    text = "\n".join(strings(inputs(doc)[0]))
    c.ok("1.3.6.1.5.5.2" in text, "negotiate.txt: the SPNEGO OID")
    c.ok("1.2.840.113554.1.2.2" in text, "negotiate.txt: the krb5 mechanism OID")
    c.ok("alice" in text, "negotiate.txt: the AP-REQ's authenticator (alice) decrypted")
    c.ok(token[:2] == b"\x60\x82", "negotiate.txt holds an InitialContextToken (oracle sanity)")


def main():
    krbdump, data, _ = args()
    c = Checker("krbdump.oracle.gss")
    check_exchange(c, krbdump, data, "gss-krb5.pcapng", "gss-krb5.server.log",
                   "hello from kerb-gss-client")
    check_exchange(c, krbdump, data, "gss-spnego.pcapng", "gss-spnego.server.log",
                   "hello from gss-client")
    check_negotiate(c, krbdump, data)
    c.done()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""krbdump.bad_input: garbage, every recorded input truncated at many points, and inputs whose
lengths or counts claim far more than they hold. Each must end in one clear line on stderr and
status 2 (captures may instead decode what they hold and say what was cut), within bounded
memory (1 GiB of address space, and a small resident size), never a crash.

    bad_input_test.py KRBDUMP DATA_DIR
"""

import os
import random
import re
import resource
import struct
import subprocess
import tempfile

from krbdump_check import Checker, args, asan_build

CAPTURES = (".pcap", ".pcapng")


def run_measured(krbdump, argv, limit):
    """-> (rc, stdout, stderr, peak RSS KiB) of one child."""
    def preexec():
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:
            try:
                preexec()
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                os.execv(krbdump, [krbdump] + argv)
            finally:
                os._exit(127)
        _, status, usage = os.wait4(pid, 0)
        out.seek(0)
        err.seek(0)
        rc = os.waitstatus_to_exitcode(status)
        return (rc, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                usage.ru_maxrss)


def one_clear_line(err):
    lines = [x for x in err.splitlines() if x.strip()]
    return len(lines) == 1 and len(lines[0]) < 400


def main():
    krbdump, data, _ = args()
    c = Checker("krbdump.bad_input")
    limit = not asan_build(krbdump)
    rss_cap_kib = 400 * 1024 if limit else 2 * 1024 * 1024  # ASan's shadow memory counts too

    with tempfile.TemporaryDirectory() as work:
        def write(name, blob):
            path = os.path.join(work, name)
            with open(path, "wb") as f:
                f.write(blob)
            return path

        def expect_2(path, what):
            rc, _, err, rss = run_measured(krbdump, [path], limit)
            ok = rc == 2 and one_clear_line(err) and rss < rss_cap_kib
            c.ok(ok, f"{what}: status 2, one line",
                 f"rc {rc}, rss {rss} KiB, stderr {err.strip()[:300]!r}")
            return ok

        def expect_no_crash(path, what):
            rc, out, err, rss = run_measured(krbdump, [path], limit)
            ok = rc in (0, 1, 2) and (rc != 2 or one_clear_line(err)) and rss < rss_cap_kib
            c.ok(ok, f"{what}: no crash (status {rc})",
                 f"rc {rc}, rss {rss} KiB, stderr {err.strip()[:300]!r}")
            return rc, out, err

        # Garbage.
        rnd = random.Random(4120)
        expect_2(write("empty", b""), "empty file")
        for n in (1, 7, 100, 5000):
            blob = bytes(rnd.randrange(256) for _ in range(n))
            # Not a ccache, keytab, pcap or DER by accident: keep the first byte out of the
            # magic numbers and ASN.1 tags the detector knows.
            blob = b"\x01" + blob[1:]
            expect_2(write(f"garbage{n}", blob), f"{n} random bytes")
        expect_2(write("text", b"this is not Kerberos\n" * 10), "plain text")

        # Every recorded input, truncated.
        inputs = sorted(f for f in os.listdir(data)
                        if os.path.isfile(os.path.join(data, f))
                        and f.endswith((".ccache", ".kirbi", ".der", ".txt") + CAPTURES))
        inputs += [os.path.join("keys", f) for f in ("bank.keytab", "alice.keytab")]
        for name in inputs:
            blob = open(os.path.join(data, name), "rb").read()
            n = len(blob)
            end = n
            if name.endswith(".txt"):
                # Base64 padding and the newline carry no data: cut into the data itself.
                end = len(blob.rstrip(b"=\n")) - 3
            cuts = sorted({1, 2, 3, 4, 5, 8, 16, 24, n // 3, n // 2, end - 2, end - 1} - {0, n})
            for cut in cuts:
                path = write("cut-" + os.path.basename(name), blob[:cut])
                what = f"{name} cut to {cut} of {n} bytes"
                if name.endswith(CAPTURES) and cut >= 24:
                    # From the 24-byte pcap file header on, a cut may fall between packets;
                    # the tool may decode what is there and say what was cut.
                    rc, out, err = expect_no_crash(path, what)
                    if cut >= n - 2:  # inside the last block: the cut must be reported
                        c.ok(rc == 2 or re.search(r"cut short|truncat", out, re.I),
                             f"{what}: the cut is reported", out[-300:])
                elif name.endswith("keytab") and keytab_boundary(blob, cut):
                    continue  # a keytab cut between entries is a shorter, valid keytab
                else:
                    expect_2(path, what)

        # Lengths and counts that claim more than the file holds.
        bombs = {
            "DER SEQUENCE of length 2^31-1": b"\x30\x84\x7f\xff\xff\xff" + b"\x02\x01\x05" * 4,
            "DER AS-REP with an 8-byte length": b"\x6b\x88" + b"\xff" * 8 + b"\x30\x00",
            "DER OCTET STRING of length 2^32-1 inside an AP-REQ":
                b"\x6e\x0e\x30\x0c\xa0\x03\x02\x01\x05\xa1\x03\x02\x01\x0e\x04\x84\xff\xff\xff\xff",
            "ccache v4 principal with 2^32-1 components":
                b"\x05\x04\x00\x00" + struct.pack(">II", 1, 0xFFFFFFFF) + b"\x00" * 16,
            "ccache v4 header length 65535": b"\x05\x04\xff\xff" + b"\x00" * 12,
            "keytab entry of length 2^31-1": b"\x05\x02" + struct.pack(">i", 0x7FFFFFFF) + b"\0" * 8,
            "keytab with a component of length 65535":
                b"\x05\x02" + struct.pack(">i", 40) + struct.pack(">HH", 1, 0xFFFF) + b"A" * 36,
            "pcapng section header block of length 2^32-16":
                struct.pack("<II", 0x0A0D0D0A, 0xFFFFFFF0) + struct.pack("<IHHq", 0x1A2B3C4D, 1,
                                                                          0, -1) + b"\x00" * 16,
        }
        for what, blob in bombs.items():
            path = write("bomb", blob)
            if what.startswith("keytab"):
                # 05 02 is also a version-2 ccache's magic; such a short file can be both.
                rc, _, err, rss = run_measured(krbdump, ["--format", "keytab", path], limit)
                c.ok(rc == 2 and one_clear_line(err) and rss < rss_cap_kib,
                     f"{what} (--format keytab): status 2, one line",
                     f"rc {rc}, rss {rss} KiB, stderr {err.strip()[:300]!r}")
            else:
                expect_2(path, what)
        # A pcap record claiming 2^31-1 bytes of which 64 are there: a cut capture, reported.
        rc, out, _ = expect_no_crash(write("big-record.pcap", struct.pack(
            "<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 0xFFFFFFFF, 1) + struct.pack(
            "<IIII", 0, 0, 0x7FFFFFFF, 0x7FFFFFFF) + b"\x00" * 64), "pcap record of 2^31-1 bytes")
        c.ok(rc == 2 or re.search(r"cut short|truncat", out, re.I),
             "pcap record of 2^31-1 bytes: the cut is reported", out[-300:])
        # A TCP stream to port 88 whose record marker claims 2^31-1 bytes: the reassembly
        # buffer stays bounded whatever the tool decides to report.
        expect_no_crash(write("tcp-bomb.pcap", tcp_record_bomb()), "TCP record length 2^31-1")
        # DER nested 100000 deep (each level a valid SEQUENCE header): no stack overflow.
        expect_no_crash(write("deep.der", deep_der(100000)), "DER nested 100000 deep")
        # Over the 64 MiB input bound: refused with one line, without reading it all in.
        big = os.path.join(work, "big")
        with open(big, "wb") as f:
            f.truncate(70 << 20)
        expect_2(big, "a 70 MiB file")
    c.done()


def keytab_boundary(blob, cut):
    """True when `cut` falls exactly between keytab v2 entries (after the version)."""
    pos = 2
    while pos < len(blob):
        if cut == pos:
            return True
        size = struct.unpack(">i", blob[pos:pos + 4])[0]
        pos += 4 + abs(size)
    return cut == pos


def deep_der(depth):
    """SEQUENCE { SEQUENCE { ... NULL } } with definite lengths, built inside out."""
    blob = b"\x05\x00"
    for _ in range(depth):
        n = len(blob)
        if n < 0x80:
            header = bytes([0x30, n])
        elif n < 0x100:
            header = bytes([0x30, 0x81, n])
        elif n < 0x10000:
            header = bytes([0x30, 0x82]) + n.to_bytes(2, "big")
        else:
            header = bytes([0x30, 0x83]) + n.to_bytes(3, "big")
        blob = header + blob
    return blob


def tcp_record_bomb():
    """Classic pcap, LINKTYPE_RAW (101): one IPv4/TCP segment 127.0.0.1:40000 -> :88 whose
    payload is a record marker of 0x7fffffff and 16 bytes."""
    payload = struct.pack(">I", 0x7FFFFFFF) + b"\x6a\x82\x00\x10" + b"\x00" * 12
    tcp = struct.pack(">HHIIBBHHH", 40000, 88, 1000, 0, 5 << 4, 0x18, 65535, 0, 0)
    total = 20 + len(tcp) + len(payload)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 1, 0, 64, 6, 0, bytes([127, 0, 0, 1]),
                     bytes([127, 0, 0, 1]))
    packet = ip + tcp + payload
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101)
    record = struct.pack("<IIII", 0, 0, len(packet), len(packet))
    return header + record + packet


if __name__ == "__main__":
    main()

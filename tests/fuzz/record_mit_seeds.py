#!/usr/bin/env python3
"""Records MIT Kerberos traffic against the fixture KDC as fuzz seeds.

    tests/fuzz/record_mit_seeds.py OUT_DIR

Starts a throwaway fixture realm (kdc-fixtures/kdc-fixture), points MIT's tools at a TCP relay
in front of its KDC and of a gss-server, and keeps every message that passes: kinit (right and
wrong password), kvno (a known and an unknown service), gss-client to gss-server (mutual,
wrap and MIC). OUT_DIR/<corpus>/ gets the seeds, with the selector byte each target wants;
copy the ones that add something into tests/fuzz/corpus/. Needs krb5-user, krb5-kdc and
krb5-gss-samples.
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_exact(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            return None
        out += chunk
    return out


class Relay(threading.Thread):
    """Forwards TCP connections to 127.0.0.1:target, keeping both directions' bytes."""

    def __init__(self, target):
        super().__init__(daemon=True)
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.streams = []  # (client bytes, server bytes) per connection

    def run(self):
        while True:
            client, _ = self.listener.accept()
            server = socket.create_connection(("127.0.0.1", self.target))
            record = [bytearray(), bytearray()]
            self.streams.append(record)
            for src, dst, buf in ((client, server, record[0]), (server, client, record[1])):
                threading.Thread(target=self.pump, args=(src, dst, buf), daemon=True).start()

    @staticmethod
    def pump(src, dst, buf):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                buf.extend(data)
                dst.sendall(data)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def kdc_messages(relay):
    """(request, reply) pairs: RFC 4120 section 7.2.2 framing, one exchange per connection."""
    out = []
    for req, rep in relay.streams:
        if len(req) > 4 and len(rep) > 4:
            out.append((bytes(req[4:]), bytes(rep[4:])))
    return out


def gss_tokens(stream):
    """gss-sample's framing: a flags octet, a 4-octet length, the token."""
    tokens, at = [], 0
    while at + 5 <= len(stream):
        flags, n = stream[at], struct.unpack(">I", stream[at + 1:at + 5])[0]
        tokens.append((flags, bytes(stream[at + 5:at + 5 + n])))
        at += 5 + n
    return tokens


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="kerb-seeds.")
    kdc = os.path.join(work, "kdc")
    subprocess.run([os.path.join(ROOT, "kdc-fixtures/kdc-fixture"), "start", kdc], check=True,
                   stdout=subprocess.DEVNULL)
    try:
        env = dict(os.environ)
        for line in open(os.path.join(kdc, "env")):
            line = line.strip()
            if line.startswith("export "):
                line = line[len("export "):]
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                env[k] = v.strip("'\"")
        kdc_relay = Relay(int(env["KERB_TEST_KDC_PORT"]))
        kdc_relay.start()
        conf = open(env["KRB5_CONFIG"]).read()
        conf = conf.replace("kdc = 127.0.0.1:%s" % env["KERB_TEST_KDC_PORT"],
                            "kdc = 127.0.0.1:%d" % kdc_relay.port)
        conf = conf.replace("[libdefaults]", "[libdefaults]\n    udp_preference_limit = 1", 1)
        env["KRB5_CONFIG"] = os.path.join(work, "krb5.conf")
        open(env["KRB5_CONFIG"], "w").write(conf)
        env["KRB5CCNAME"] = "FILE:" + os.path.join(work, "ccache")
        pw = env["KERB_TEST_PASSWORD_ALICE"]

        def run(args, stdin=None, ok=True):
            r = subprocess.run(args, input=stdin, env=env, text=True, capture_output=True)
            if ok and r.returncode != 0:
                sys.exit("%s failed: %s" % (args, r.stderr))

        run(["kinit", "alice"], stdin="wrong-password\n", ok=False)
        run(["kinit", "-f", "-r", "2d", "alice"], stdin=pw + "\n")
        run(["kvno", "bank/bank.test"])
        run(["kvno", "nosuch/bank.test"], ok=False)

        gss_port = free_port()
        server = subprocess.Popen(["gss-server", "-port", str(gss_port), "-once",
                                   "-keytab", env["KRB5_KTNAME"], "bank@bank.test"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        gss_relay = Relay(gss_port)
        gss_relay.start()
        import time
        time.sleep(0.5)
        run(["gss-client", "-port", str(gss_relay.port), "-mcount", "1", "127.0.0.1",
             "bank@bank.test", "seed message"])
        server.wait(timeout=10)
        time.sleep(0.2)
        ccache = open(env["KRB5CCNAME"][5:], "rb").read()
    finally:
        subprocess.run([os.path.join(ROOT, "kdc-fixtures/kdc-fixture"), "stop", kdc],
                       stdout=subprocess.DEVNULL)

    def seed(corpus, name, data, prefix=b""):
        os.makedirs(os.path.join(out, corpus), exist_ok=True)
        open(os.path.join(out, corpus, name), "wb").write(prefix + data)

    # kerb_messages(_der): 0 AS-REQ, 1 TGS-REQ, 3 AS-REP, 4 TGS-REP, 15 KRB-ERROR.
    kind = {0x6A: 0, 0x6C: 1, 0x6B: 3, 0x6D: 4, 0x7E: 15}
    for i, (req, rep) in enumerate(kdc_messages(kdc_relay)):
        for what, msg in (("req", req), ("rep", rep)):
            if msg and msg[0] in kind:
                seed("kerb_messages_der", "%02d-mit-kinit-kvno-%d-%s" % (kind[msg[0]], i, what),
                     msg, bytes([kind[msg[0]]]))
    client, server_bytes = gss_relay.streams[0]
    for i, (flags, tok) in enumerate(gss_tokens(client)):
        seed("gss_token", "mit-gss-client-%d-flags%02x" % (i, flags), tok)
    for i, (flags, tok) in enumerate(gss_tokens(server_bytes)):
        seed("gss_token", "mit-gss-server-%d-flags%02x" % (i, flags), tok)
    seed("ccache", "mit-kinit-forwardable-renewable-kvno.ccache", ccache)


if __name__ == "__main__":
    main()

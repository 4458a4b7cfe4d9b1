#!/usr/bin/python3
# hostile_https_server.py -- a hostile "KDC proxy" for kerb's HTTPS transport tests: TLS on
# loopback with the fixture's proxy certificate, answering each POST as its path says.
#
#   hostile_https_server.py PORT CERT KEY LOG PIDFILE REDIRECT_URL
#
# Paths (each reads the whole request first):
#   /not-kkdcp      200, a DER SEQUENCE that is no KDC-PROXY-MESSAGE
#   /garbage-kerb   200, a KDC-PROXY-MESSAGE whose kerb-message is length-prefixed garbage
#   /huge-length    200, a KDC-PROXY-MESSAGE whose kerb-message has a 4 GiB - 1 length prefix
#   /short-body     200, Content-Length 4000, 40 bytes sent, then the connection closes
#   /endless        200, chunked, 16 KiB chunks up to 64 MiB, then silence (never a last chunk)
#   /stall          200, Content-Length 100, 10 bytes sent, then silence
#   /redirect-302   302 and /redirect-307 307, Location: REDIRECT_URL
#   /http10-cut     HTTP/1.0, close-delimited: a KDC-PROXY-MESSAGE cut short, then close
#   /http10-endless HTTP/1.0, close-delimited: 64 MiB of bytes, then silence
#   /500            500 Internal Server Error
#   /500-big        500 with a 20 KiB body
# LOG gets one line per request: "request PATH".
import http.server
import os
import socket
import ssl
import sys
import threading
import time

port, cert, key, log_path, pid_path, redirect_url = sys.argv[1:7]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
log = open(log_path, "a", buffering=1)
log_lock = threading.Lock()
SILENCE = 60  # seconds a "silent" connection is held open; far beyond every client timeout
CAP = 64 * 1024 * 1024


def note(line):
    with log_lock:
        log.write(line + "\n")


def der_length(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    return bytes([tag]) + der_length(len(content)) + content


# KDC-PROXY-MESSAGE ::= SEQUENCE { kerb-message [0] OCTET STRING, ... } (MS-KKDCP 2.2.2)
def kkdcp(kerb_message):
    return tlv(0x30, tlv(0xA0, tlv(0x04, kerb_message)))


GARBAGE = b"\xde\xad\xbe\xef\x00\xff"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60

    def setup(self):
        self.request = context.wrap_socket(self.request, server_side=True)
        super().setup()

    def raw(self, data):
        self.wfile.write(data)
        self.wfile.flush()

    def head(self, status, headers, version="HTTP/1.1"):
        lines = [f"{version} {status}"] + [f"{k}: {v}" for k, v in headers] + ["", ""]
        self.raw("\r\n".join(lines).encode())

    def silence(self):
        time.sleep(SILENCE)
        self.close_connection = True

    def stream(self, chunked):
        block = b"\x30" * 16384
        sent = 0
        try:
            while sent < CAP:
                self.raw(b"4000\r\n" + block + b"\r\n" if chunked else block)
                sent += len(block)
        except OSError:
            self.close_connection = True
            return
        self.silence()

    def do_POST(self):
        length = self.headers.get("Content-Length", "")
        if length.isdigit():
            self.rfile.read(int(length))
        path = self.path
        note(f"request {path}")
        kt = ("Content-Type", "application/kerberos")
        if path == "/not-kkdcp":
            body = tlv(0x30, tlv(0x02, b"\x05"))
            self.head("200 OK", [kt, ("Content-Length", len(body))])
            self.raw(body)
        elif path in ("/garbage-kerb", "/huge-length"):
            prefix = (len(GARBAGE) if path == "/garbage-kerb" else 0xFFFFFFFF).to_bytes(4, "big")
            body = kkdcp(prefix + GARBAGE)
            self.head("200 OK", [kt, ("Content-Length", len(body))])
            self.raw(body)
        elif path == "/short-body":
            self.head("200 OK", [kt, ("Content-Length", 4000)])
            self.raw(b"\x30" * 40)
            self.close_connection = True
        elif path == "/endless":
            self.head("200 OK", [kt, ("Transfer-Encoding", "chunked")])
            self.stream(chunked=True)
        elif path == "/stall":
            self.head("200 OK", [kt, ("Content-Length", 100)])
            self.raw(b"\x30" * 10)
            self.silence()
        elif path in ("/redirect-302", "/redirect-307"):
            status = "302 Found" if path == "/redirect-302" else "307 Temporary Redirect"
            self.head(status, [("Location", redirect_url), ("Content-Length", 0)])
        elif path == "/http10-cut":
            body = kkdcp(len(GARBAGE).to_bytes(4, "big") + GARBAGE)
            self.head("200 OK", [kt], version="HTTP/1.0")
            self.raw(body[:-3])
            self.close_connection = True
        elif path == "/http10-endless":
            self.head("200 OK", [kt], version="HTTP/1.0")
            self.stream(chunked=False)
            self.close_connection = True
        else:
            body = b"no KDC here\n" * (1700 if path == "/500-big" else 1)
            self.head("500 Internal Server Error",
                      [("Content-Type", "text/plain"), ("Content-Length", len(body))])
            self.raw(body)

    def log_message(self, fmt, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        note(f"error {sys.exc_info()[1]!r}")


server = Server(("127.0.0.1", int(port)), Handler)
with open(pid_path + ".tmp", "w") as f:
    f.write(f"{os.getpid()}\n")
os.rename(pid_path + ".tmp", pid_path)
server.serve_forever()

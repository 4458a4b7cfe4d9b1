#!/usr/bin/env python3
# A TCP relay between MIT's kinit and the fixture KDC that prints each request and reply as
# "request: HEX" / "reply: HEX" lines (record.sh uses it to capture kinit -T).
import socket, sys, threading

listen = socket.socket()
listen.bind(("127.0.0.1", 0))
listen.listen(8)
print(listen.getsockname()[1], flush=True)
upstream = ("127.0.0.1", int(sys.argv[1]))
log = open(sys.argv[2], "a")

def read_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b

def serve(c):
    try:
        with c, socket.create_connection(upstream) as u:
            while True:
                n = int.from_bytes(read_exact(c, 4), "big")
                req = read_exact(c, n)
                u.sendall(n.to_bytes(4, "big") + req)
                m = int.from_bytes(read_exact(u, 4), "big")
                rep = read_exact(u, m)
                log.write("request: %s\nreply: %s\n" % (req.hex().upper(), rep.hex().upper()))
                log.flush()
                c.sendall(m.to_bytes(4, "big") + rep)
    except EOFError:
        pass

while True:
    c, _ = listen.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()

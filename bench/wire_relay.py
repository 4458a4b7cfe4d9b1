#!/usr/bin/env python3
"""A counting relay for bench/login_wire.sh: forwards UDP datagrams and TCP streams from a
loopback port to a KDC (or a KDC proxy) and, on SIGTERM, prints what crossed it as one JSON
line: datagrams, TCP connections, client flights (a run of client bytes answered by the
server: one round trip each, TLS handshake flights included) and bytes each way.

  wire_relay.py LISTEN_PORT TARGET_HOST TARGET_PORT > counts.json
"""
import json
import select
import signal
import socket
import sys
import threading

counts = {"udp_requests": 0, "udp_bytes_out": 0, "udp_bytes_in": 0,
          "tcp_connections": 0, "tcp_flights": 0, "tcp_bytes_out": 0, "tcp_bytes_in": 0}
lock = threading.Lock()


def add(**kw):
    with lock:
        for k, v in kw.items():
            counts[k] += v


def serve_udp(sock, target):
    while True:
        data, peer = sock.recvfrom(65536)
        add(udp_requests=1, udp_bytes_out=len(data))
        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        up.settimeout(5)
        try:
            up.sendto(data, target)
            reply = up.recv(65536)
        except OSError:
            continue
        finally:
            up.close()
        add(udp_bytes_in=len(reply))
        sock.sendto(reply, peer)


def pump(client, target):
    try:
        server = socket.create_connection(target, timeout=5)
    except OSError:
        client.close()
        return
    add(tcp_connections=1)
    last = None  # which side spoke last: a client run after a server run is a new flight
    socks = [client, server]
    try:
        while True:
            readable, _, _ = select.select(socks, [], [], 30)
            if not readable:
                return
            for s in readable:
                data = s.recv(65536)
                if not data:
                    return
                if s is client:
                    if last != "client":
                        add(tcp_flights=1)
                    last = "client"
                    add(tcp_bytes_out=len(data))
                    server.sendall(data)
                else:
                    last = "server"
                    add(tcp_bytes_in=len(data))
                    client.sendall(data)
    except OSError:
        return
    finally:
        client.close()
        server.close()


def serve_tcp(sock, target):
    while True:
        client, _ = sock.accept()
        threading.Thread(target=pump, args=(client, target), daemon=True).start()


def main():
    port, host, target_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    target = (host, target_port)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", port))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", port))
    tcp.listen(16)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=serve_udp, args=(udp, target), daemon=True).start()
    threading.Thread(target=serve_tcp, args=(tcp, target), daemon=True).start()
    print("ready", file=sys.stderr, flush=True)
    done.wait()
    with lock:
        print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    main()

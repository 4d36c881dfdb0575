#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Connections on one tuple: COUNT HTTPS requests (TLS 1.2, SNI NAME) to HOST:443, each from
local port PORT, each connection reset once the response's first bytes are in (a RST leaves
no TIME_WAIT on either side, so the next connect on the same tuple is accepted at once).
One line per connection: "ok N" with the status line, or "failed N: why"."""
import socket
import ssl
import struct
import sys


def one(host, name, port, n):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close: RST
    s.settimeout(5)
    try:
        s.bind(("", port))
        s.connect((host, 443))
        s = ctx.wrap_socket(s, server_hostname=name)  # the same socket, its options kept
        s.sendall(f"GET / HTTP/1.1\r\nHost: {name}\r\n\r\n".encode())
        status = s.recv(4096).split(b"\r\n")[0].decode(errors="replace")
        print(f"ok {n} {status}", flush=True)
    except OSError as e:
        print(f"failed {n}: {e}", flush=True)
        return False
    finally:
        s.close()
    return True


def main():
    host, name, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    ok = all([one(host, name, port, n) for n in range(1, count + 1)])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

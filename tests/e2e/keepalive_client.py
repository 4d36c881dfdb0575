#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One live HTTP/1.1 keep-alive connection: GET / every INTERVAL seconds on the same socket,
one line per request ("ok N" or "timeout N"), until COUNT requests or the first timeout.
The first line names the local endpoint ("port P"), so a test can name the flow."""
import socket
import sys
import time


def read_response(s):
    """The status line and the body of the next response on socket S."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        body += chunk
    return head.split(b"\r\n")[0], body[:length]


def main():
    src, host, port, interval, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        float(sys.argv[4]), int(sys.argv[5])
    s = socket.create_connection((host, port), timeout=2, source_address=(src, 0))
    print("port", s.getsockname()[1], flush=True)
    req = ("GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % host).encode()
    for n in range(1, count + 1):
        try:
            s.sendall(req)
            status, _ = read_response(s)
            print("ok", n, status.decode(), flush=True)
        except (socket.timeout, ConnectionError) as e:
            print("timeout", n, e, flush=True)
            return 1
        if n < count:
            time.sleep(interval)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Clients of the balancer's e2e test; each backend's nginx answers GET /who with its name.

  lb_client.py many VIP N [--src ADDR] [--port0 P] [--vport P]   N new connections, one GET
      each; prints {"by_backend": {...}, "failed": F, "ports": {"P": "bN", ...}} (--port0:
      from source ports P, P+1, ... so that a later run repeats the same connections;
      --vport: the service's port, 80 unless given)
  lb_client.py hold VIP N GO OUT   N keep-alive connections, one GET each; then, once the file
      GO exists (60 s at most), one more GET on each; writes to OUT for each connection the
      backend of both answers (null: no answer)
"""
import json
import os
import socket
import sys
import time

from keepalive_client import read_response


def get(sock, keep):
    req = 'GET /who HTTP/1.1\r\nHost: vip\r\nConnection: %s\r\n\r\n' % (
        'keep-alive' if keep else 'close')
    sock.sendall(req.encode())
    try:
        _, body = read_response(sock)
    except ConnectionError:
        return None
    return body.decode().strip()


VPORT = 80


def connect(vip, src, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2)
    if src or port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((src or '0.0.0.0', port or 0))
    s.connect((vip, VPORT))
    return s


def many(vip, n, src=None, port0=None):
    by, ports, failed = {}, {}, 0
    for i in range(n):
        port = port0 + i if port0 else None
        try:
            s = connect(vip, src, port)
            who = get(s, False)
            s.close()
        except OSError:
            who = None
        if who is None:
            failed += 1
            continue
        by[who] = by.get(who, 0) + 1
        if port:
            ports[str(port)] = who
    print(json.dumps({'by_backend': by, 'failed': failed, 'ports': ports}))


def hold(vip, n, go, out):
    socks, first = [], []
    for _ in range(n):
        s = connect(vip, None, None)
        s.settimeout(5)
        socks.append(s)
        first.append(get(s, True))
    with open(out + '.ready', 'w') as f:
        json.dump(first, f)
    deadline = time.time() + 60
    while not os.path.exists(go) and time.time() < deadline:
        time.sleep(0.05)
    second = []
    for s in socks:
        try:
            second.append(get(s, True))
        except OSError:
            second.append(None)
    with open(out, 'w') as f:
        json.dump([{'first': a, 'second': b} for a, b in zip(first, second)], f)


def main():
    global VPORT
    args = sys.argv[1:]
    if '--vport' in args:
        VPORT = int(args[args.index('--vport') + 1])
    if args[0] == 'many':
        src = args[args.index('--src') + 1] if '--src' in args else None
        port0 = int(args[args.index('--port0') + 1]) if '--port0' in args else None
        many(args[1], int(args[2]), src, port0)
    elif args[0] == 'hold':
        hold(args[1], int(args[2]), args[3], args[4])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()

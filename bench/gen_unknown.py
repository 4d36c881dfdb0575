#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes a pcap of N short flows no dissector or identifier claims: half UDP (one datagram
each way), half TCP (handshake, one segment each way, FIN), payloads of 40-400 bytes from a
fixed pseudo-random stream on high ports. Every flow goes through every probe until the end:
identification's worst case. Addresses: 198.18.0.0/15 only. Usage: gen_unknown.py N OUT.pcap"""
import random
import struct
import sys

sys.path.insert(0, __file__.rsplit('/', 1)[0])
from gen_flows import ipv4, tcp, udp  # noqa: E402


def main():
    n, path = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(7)
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        t = 0

        def rec(frame):
            nonlocal t
            t += 1
            f.write(struct.pack('<IIII', 1700000000 + t // 1000000, t % 1000000, len(frame), len(frame)) + frame)

        for i in range(n):
            c = bytes([198, 18, (i >> 8) & 0xff, i & 0xff])
            s = bytes([198, 19, (i >> 16) & 0xff, 1])
            sp, dp = 20000 + i % 40000, 1025 + (i * 7) % 60000
            q = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(40, 400)))
            a = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(40, 400)))
            if i % 2:
                rec(ipv4(c, s, 17, udp(sp, dp, q)))
                rec(ipv4(s, c, 17, udp(dp, sp, a)))
                continue
            rec(ipv4(c, s, 6, tcp(sp, dp, 1, 0, 0x02)))
            rec(ipv4(s, c, 6, tcp(dp, sp, 9, 2, 0x12)))
            rec(ipv4(c, s, 6, tcp(sp, dp, 2, 10, 0x18, q)))
            rec(ipv4(s, c, 6, tcp(dp, sp, 10, 2 + len(q), 0x18, a)))
            rec(ipv4(c, s, 6, tcp(sp, dp, 2 + len(q), 10 + len(a), 0x11)))
            rec(ipv4(s, c, 6, tcp(dp, sp, 10 + len(a), 3 + len(q), 0x11)))


if __name__ == '__main__':
    main()

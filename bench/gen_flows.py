#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes a pcap of N concurrent flows, half DNS over UDP (a query and its answer), half HTTP
over TCP (handshake, a GET, a 200 response; left open), all within one second, so that every
flow is alive at the end: peak memory then divided by N is the memory a flow costs.
Addresses: 198.18.0.0/15 only. Usage: gen_flows.py N OUT.pcap"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff


def ipv4(src, dst, proto, l4):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 0, 0, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00' + h + l4


def tcp(sp, dp, seq, ack, flags, payload=b''):
    return struct.pack('!HHIIBBHHH', sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload


def udp(sp, dp, payload):
    return struct.pack('!HHHH', sp, dp, 8 + len(payload), 0) + payload


def dns_q(qid, name):
    q = b''.join(bytes([len(l)]) + l.encode() for l in name.split('.')) + b'\0'
    return struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 0) + q + b'\0\x01\0\x01'


def dns_a(qid, name):
    q = dns_q(qid, name)
    return struct.pack('!HHHHHH', qid, 0x8180, 1, 1, 0, 0) + q[12:] + \
        b'\xc0\x0c\0\x01\0\x01\0\0\0\x3c\0\x04\xc6\x12\0\x09'


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    f = open(out, 'wb')
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    t = 1700000000.0
    server = bytes([198, 19, 0, 1])

    def pkt(frame):
        nonlocal t
        t += 1.0 / (8 * n)
        f.write(struct.pack('<IIII', int(t), int((t % 1) * 1e6), len(frame), len(frame)) + frame)
    for i in range(n):
        client = bytes([198, 18, (i >> 8) & 0xff, i & 0xff])
        sp = 1024 + (i >> 16)
        if i % 2 == 0:
            name = f'host{i}.bench.test'
            pkt(ipv4(client, server, 17, udp(sp, 53, dns_q(i & 0xffff, name))))
            pkt(ipv4(server, client, 17, udp(53, sp, dns_a(i & 0xffff, name))))
        else:
            req = f'GET /item/{i} HTTP/1.1\r\nHost: bench.test\r\nUser-Agent: bench/1\r\n\r\n'.encode()
            resp = b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
            pkt(ipv4(client, server, 6, tcp(sp, 80, 1000, 0, 0x02)))
            pkt(ipv4(server, client, 6, tcp(80, sp, 5000, 1001, 0x12)))
            pkt(ipv4(client, server, 6, tcp(sp, 80, 1001, 5001, 0x18, req)))
            pkt(ipv4(server, client, 6, tcp(80, sp, 5001, 1001 + len(req), 0x18, resp)))
    f.close()


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes small captures for the CLI tests: one TCP exchange (SYN, SYN-ACK, a request) from
198.18.0.1:40000 to 198.18.0.2:80 behind a chosen link layer, and damaged variants.

usage: mkpcap.py KIND OUT.pcap
KIND: ethernet, ppp, ppp-bare, chdlc, ppi, radiotap, pppoe-link, wirelen (a record that claims
a 4 GB wire length), snap64 (IPv6 with TCP options, cut at 64 bytes), telnet2323 (a Telnet
server's option negotiation on port 2323, over Ethernet)."""
import struct
import sys

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ipv4_tcp(src, dst, sport, dport, flags, payload=b"", seq=1000, ack=0):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0,
                     bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp

def ipv6_tcp_opts():
    opts = b"\x02\x04\x05\xb4\x04\x02\x08\x0a" + b"\0" * 8 + b"\x01\x03\x03\x07"  # 20 bytes
    tcp = struct.pack("!HHIIBBHHH", 40000, 443, 1, 0, 10 << 4, 0x02, 65535, 0, 0) + opts
    src = bytes.fromhex("fd000000000000000000000000000001")
    dst = bytes.fromhex("fd000000000000000000000000000002")
    return struct.pack("!IHBB", 6 << 28, len(tcp), 6, 64) + src + dst + tcp

EXCHANGE = [
    ipv4_tcp("198.18.0.1", "198.18.0.2", 40000, 80, 0x02, seq=1000),
    ipv4_tcp("198.18.0.2", "198.18.0.1", 80, 40000, 0x12, seq=5000, ack=1001),
    ipv4_tcp("198.18.0.1", "198.18.0.2", 40000, 80, 0x18,
             b"GET /cli HTTP/1.1\r\nHost: lab.test\r\n\r\n", seq=1001, ack=5001),
]

TELNET = [  # the server opens: IAC DO TERMINAL-TYPE, IAC WILL ECHO
    ipv4_tcp("198.18.0.1", "198.18.0.2", 40000, 2323, 0x02, seq=1000),
    ipv4_tcp("198.18.0.2", "198.18.0.1", 2323, 40000, 0x12, seq=5000, ack=1001),
    ipv4_tcp("198.18.0.1", "198.18.0.2", 40000, 2323, 0x10, seq=1001, ack=5001),
    ipv4_tcp("198.18.0.2", "198.18.0.1", 2323, 40000, 0x18, b"\xff\xfd\x18\xff\xfb\x01",
             seq=5001, ack=1001),
]

ETH = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
LINKS = {  # kind: (DLT, header before the IPv4 packet)
    "ethernet": (1, ETH),
    "ppp": (9, b"\xff\x03\x00\x21"),
    "ppp-bare": (9, b"\x00\x21"),
    "chdlc": (104, b"\x0f\x00\x08\x00"),
    "ppi": (192, struct.pack("<BBHI", 0, 0, 8, 1) + ETH),
    "radiotap": (127, struct.pack("<BBHI", 0, 0, 8, 0) +
                 b"\x08\x02\x00\x00" + b"\x02" * 18 + b"\x00\x00" + b"\xaa\xaa\x03\x00\x00\x00\x08\x00"),
    "pppoe-link": (51, b"\x11\x00\x12\x34" + struct.pack("!H", 0) + b"\x00\x21"),
}

def write(path, dlt, records, snaplen=65535):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, dlt))
        for i, (data, wire) in enumerate(records):
            f.write(struct.pack("<IIII", 1700000000, i * 1000, len(data), wire) + data)

def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind in LINKS:
        dlt, hdr = LINKS[kind]
        if kind == "pppoe-link":
            recs = [hdr[:4] + struct.pack("!H", len(p) + 2) + hdr[6:] + p for p in EXCHANGE]
        else:
            recs = [hdr + p for p in EXCHANGE]
        write(out, dlt, [(r, len(r)) for r in recs])
    elif kind == "telnet2323":
        write(out, 1, [(ETH + p, len(ETH + p)) for p in TELNET])
    elif kind == "wirelen":
        recs = [ETH + p for p in EXCHANGE]
        write(out, 1, [(r, len(r)) for r in recs[:2]] + [(recs[2], 4093509168)])
    elif kind == "snap64":
        full = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x86\xdd" + ipv6_tcp_opts()
        write(out, 1, [(full[:64], len(full))], snaplen=64)
    else:
        sys.exit("unknown kind " + kind)

main()

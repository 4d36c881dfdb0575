#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One end of a tunnel in user space, for the tunnel e2e test on kernels built without the
tunnel's own device (this CI kernel has VXLAN only: no GRE, Geneve, IPIP, SIT, ip6tnl or GTP
modules). A TUN (IP) or TAP (Ethernet) device carries the inner traffic through the real
stack; each packet it gives is wrapped in the tunnel's header and sent to the remote end over
the underlay (a raw IP socket for GRE and IP in IP, UDP for Geneve, GTP-U and Teredo), and
what arrives is unwrapped and written back. The test checks the underlay with tshark, so this
encoder is judged by an independent decoder, not by xdpi.

tunnel_peer.py TYPE DEV LOCAL REMOTE ID SECONDS
  TYPE: gre gretap geneve ipip sit ip6tnl gtpu teredo; ID: key, VNI or TEID.
Prints "ready" once the device exists; exits after SECONDS."""
import fcntl
import os
import select
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454ca
IFF_TUN, IFF_TAP, IFF_NO_PI = 0x0001, 0x0002, 0x1000

# type: (device kind, carrier, outer family)
TYPES = {
    'gre': ('tun', 47, socket.AF_INET),
    'gretap': ('tap', 47, socket.AF_INET),
    'geneve': ('tap', 'udp6081', socket.AF_INET),
    'ipip': ('tun', 4, socket.AF_INET),
    'sit': ('tun', 41, socket.AF_INET),
    'ip6tnl': ('tun', 4, socket.AF_INET6),
    'gtpu': ('tun', 'udp2152', socket.AF_INET),
    'teredo': ('tun', 'udp3544', socket.AF_INET),
}


def open_dev(name, kind):
    fd = os.open('/dev/net/tun', os.O_RDWR)
    flags = (IFF_TAP if kind == 'tap' else IFF_TUN) | IFF_NO_PI
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), flags))
    return fd


def wrap(kind, pkt, ident):
    """The tunnel header in front of PKT (an IP packet, or an Ethernet frame for TAP)."""
    if kind in ('gre', 'gretap'):
        proto = 0x6558 if kind == 'gretap' else (0x86dd if pkt[0] >> 4 == 6 else 0x0800)
        return struct.pack('!HHI', 0x2000, proto, ident) + pkt  # K: a key
    if kind == 'geneve':
        return struct.pack('!BBHI', 0, 0, 0x6558, ident << 8) + pkt
    if kind == 'gtpu':
        return struct.pack('!BBHI', 0x30, 0xff, len(pkt), ident) + pkt  # v1, G-PDU
    return pkt  # IP in IP, Teredo: the packet as it is


def unwrap(kind, data, ident):
    """What DATA carries, or b'' when it is not this tunnel's (raw sockets see every packet
    of their protocol: GRE and GRETAP ends tell theirs apart by the key)."""
    if kind in ('gre', 'gretap'):
        flags, proto = struct.unpack('!HH', data[:4])
        if not flags & 0x2000 or struct.unpack('!I', data[4 + (4 if flags & 0x8000 else 0):][:4])[0] != ident:
            return b''
        off = 4 + (4 if flags & 0x8000 else 0) + 4 + (4 if flags & 0x1000 else 0)
        return data[off:]
    if kind == 'geneve':
        return data[8 + (data[0] & 0x3f) * 4:] if struct.unpack('!I', data[4:8])[0] >> 8 == ident else b''
    if kind == 'gtpu':
        return data[8:] if data[1] == 0xff and struct.unpack('!I', data[4:8])[0] == ident else b''
    return data


def main():
    kind, dev, local, remote, ident, secs = sys.argv[1:7]
    ident, deadline = int(ident), time.monotonic() + float(secs)
    devkind, carrier, fam = TYPES[kind]
    fd = open_dev(dev, devkind)
    if isinstance(carrier, str):
        port = int(carrier[3:])
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((local, port))
        dest = (remote, port)
    else:
        s = socket.socket(fam, socket.SOCK_RAW, carrier)
        s.bind((local, 0))
        dest = (remote, 0)
    print('ready', flush=True)
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd, s], [], [], 0.5)
        if fd in r:
            pkt = os.read(fd, 65535)
            s.sendto(wrap(kind, pkt, ident), dest)
        if s in r:
            data, src = s.recvfrom(65535)
            if src[0] != remote:
                continue
            if fam == socket.AF_INET and not isinstance(carrier, str):
                data = data[(data[0] & 0x0f) * 4:]  # IPv4 raw sockets hand the IP header too
            inner = unwrap(kind, data, ident)
            if inner:
                try:
                    os.write(fd, inner)
                except OSError as e:  # a packet the device refuses: said, not fatal
                    print(f'dropped {len(inner)} bytes: {e}', flush=True)


if __name__ == '__main__':
    main()

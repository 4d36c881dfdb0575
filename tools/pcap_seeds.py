#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the frames of pcap/pcapng captures as fuzz seeds: one file per frame, its first byte
the link type as tests/fuzz/fuzz_decode.c reads it. pcapng is converted with editcap."""
import os
import struct
import subprocess
import sys
import tempfile

LINK = {1: 0, 113: 1, 276: 2, 101: 3, 12: 3, 14: 3, 228: 3, 229: 3, 0: 4, 108: 5}


def frames(path):
    with tempfile.NamedTemporaryFile(suffix='.pcap') as tmp:
        subprocess.run(['editcap', '-F', 'pcap', path, tmp.name], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        data = open(tmp.name, 'rb').read()
    magic = data[:4]
    end = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    link = struct.unpack(end + 'I', data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + 'I', data[off + 8:off + 12])[0]
        yield link, data[off + 16:off + 16 + incl]
        off += 16 + incl


def l4_payload(link, frame, port, proto):
    """The TCP or UDP (proto 6, 17) payload of an Ethernet/IPv4/IPv6 frame to or from port."""
    if link != 1 or len(frame) < 14:
        return None
    off, et = 14, struct.unpack('>H', frame[12:14])[0]
    while et in (0x8100, 0x88a8) and len(frame) >= off + 4:
        et, off = struct.unpack('>H', frame[off + 2:off + 4])[0], off + 4
    if et == 0x0800 and len(frame) >= off + 20 and frame[off + 9] == proto:
        off += (frame[off] & 0x0f) * 4
    elif et == 0x86dd and len(frame) >= off + 40 and frame[off + 6] == proto:
        off += 40
    else:
        return None
    if len(frame) < off + (20 if proto == 6 else 8):
        return None
    sp, dp = struct.unpack('>HH', frame[off:off + 4])
    hl = (frame[off + 12] >> 4) * 4 if proto == 6 else 8
    return frame[off + hl:] if port is None or port in (sp, dp) else None


def main():
    """pcap_seeds.py OUT PER_FILE [--dns|--http|--tls|--http2|--quic] CAPTURE...: frames (the first byte the
    link type); with --dns the DNS messages over UDP port 53; with --http or --tls the TCP
    payloads of port 80 or 443 (the first byte the fuzz target's mode)."""
    out, per_file, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    mode = paths[0] if paths[:1] in (['--dns'], ['--http'], ['--tls'], ['--http2'], ['--quic']) else None
    paths = paths[1:] if mode else paths
    os.makedirs(out, exist_ok=True)
    n = 0
    for path in paths:
        try:
            for i, (link, frame) in enumerate(frames(path)):
                if n >= per_file * len(paths) or (not mode and i >= per_file):
                    break
                if mode:
                    port, proto, first = {'--dns': (53, 17, b'\x00'), '--http': (80, 6, b'\x41'),
                                          '--tls': (443, 6, b'\x41'), '--http2': (None, 6, b'\x41'),
                                          '--quic': (443, 17, b'\x00')}[mode]
                    msg = l4_payload(link, frame, port, proto)
                    if mode == '--http2' and msg and not msg.startswith(b'PRI * HTTP/2.0'):
                        msg = None  # a connection's preface and the frames that ride with it
                    seed = first + msg if msg else None
                else:
                    seed = bytes([LINK[link]]) + frame if link in LINK else None
                if seed is None:
                    continue
                with open(os.path.join(out, f'{os.path.basename(path)}.{i}'), 'wb') as f:
                    f.write(seed)
                n += 1
        except (subprocess.CalledProcessError, struct.error):
            pass  # a damaged capture gives what it can
    print(f'{n} seeds in {out}')


if __name__ == '__main__':
    main()

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


def main():
    out, per_file, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    n = 0
    for path in paths:
        try:
            for i, (link, frame) in enumerate(frames(path)):
                if i >= per_file or link not in LINK:
                    break
                with open(os.path.join(out, f'{os.path.basename(path)}.{i}'), 'wb') as f:
                    f.write(bytes([LINK[link]]) + frame)
                n += 1
        except (subprocess.CalledProcessError, struct.error):
            pass  # a damaged capture gives what it can
    print(f'{n} seeds in {out}')


if __name__ == '__main__':
    main()

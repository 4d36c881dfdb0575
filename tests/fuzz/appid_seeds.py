#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seeds for fuzz_appid from the identifiers' unit-test tables: each positive and near-miss
negative as the target's input (flags byte, ports, payload).

usage: appid_seeds.py OUTDIR TABLE..."""
import os
import sys


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = 0
    for table in sys.argv[2:]:
        for line in open(table):
            if line.startswith('#') or not line.strip():
                continue
            name, l4, sp, dp, d, pos, neg = line.split()[:7]
            flags = (1 if l4 == 'udp' else 0) | (int(d) << 1)
            head = bytes([flags]) + int(sp).to_bytes(2, 'big') + int(dp).to_bytes(2, 'big')
            for kind, hexs in (('pos', pos), ('neg', neg)):
                with open(os.path.join(out, f'{name}-{kind}-{n}'), 'wb') as f:
                    f.write(head + bytes.fromhex(hexs)[:4096])
                n += 1
    print(f'{n} appid seeds in {out}')


if __name__ == '__main__':
    main()

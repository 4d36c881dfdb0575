#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Schema test: every event xdpi writes for the corpus (user-space mode, and through the
kernel when root) validates against Suricata's EVE schema. xdpi's documented additions are
removed first, and only they: the top-level "xdpi" object of any event and "stats.xdpi"
(see README, "EVE fields")."""
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
XDPI = os.environ.get('XDPI', os.path.join(HERE, '..', '..', 'build', 'xdpi'))
SHARED = os.environ.get('XDPI_SHARED', os.path.join(HERE, '..', '..', '..', 'shared'))
DOCUMENTED_ADDITIONS = (('xdpi',), ('stats', 'xdpi'))


def strip_additions(ev):
    for path in DOCUMENTED_ADDITIONS:
        obj = ev
        for key in path[:-1]:
            obj = obj.get(key, {}) if isinstance(obj, dict) else {}
        if isinstance(obj, dict):
            obj.pop(path[-1], None)
    return ev


def main():
    schema = json.load(open(os.path.join(SHARED, 'schemas', 'suricata-eve.schema.json')))
    cls = jsonschema.validators.validator_for(schema)
    validator = cls(schema)
    captures = sorted(glob.glob(os.path.join(SHARED, 'corpus', '*.pcap*')))
    modes = [[]] + ([['--through-kernel']] if os.geteuid() == 0 else [])
    events = invalid = 0
    by_type = {}
    with tempfile.TemporaryDirectory() as tmp:
        for pcap in captures:
            for mode in modes:
                out = os.path.join(tmp, 'eve.json')
                if os.path.exists(out):
                    os.unlink(out)
                subprocess.run([XDPI, 'read', '-o', out] + mode + [pcap], check=True,
                               stderr=subprocess.DEVNULL, timeout=300)
                for n, line in enumerate(open(out), 1):
                    ev = json.loads(line)
                    events += 1
                    by_type[ev['event_type']] = by_type.get(ev['event_type'], 0) + 1
                    errs = list(validator.iter_errors(strip_additions(ev)))
                    if errs:
                        invalid += 1
                        if invalid <= 10:
                            e = errs[0]
                            print(f'INVALID {os.path.basename(pcap)} {mode} event {n}: '
                                  f'{"/".join(map(str, e.absolute_path))}: {e.message}')
    print('events by type:', json.dumps(by_type, sort_keys=True))
    print(f'schema: {events} events from {len(captures)} captures; {events - invalid} passed, {invalid} failed')
    return 1 if invalid or not events else 0


if __name__ == '__main__':
    sys.exit(main())

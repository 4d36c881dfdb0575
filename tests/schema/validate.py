#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Schema test: every event xdpi writes for the corpus (user-space mode, and through the
kernel when root) validates against Suricata's EVE schema. xdpi's documented additions are
removed first, and only they: the top-level "xdpi" object of any event and "stats.xdpi"
(see README, "EVE fields")."""
import concurrent.futures
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


def load_validator():
    schema = json.load(open(os.path.join(SHARED, 'schemas', 'suricata-eve.schema.json')))
    return jsonschema.validators.validator_for(schema)(schema)


class Tally:
    def __init__(self):
        self.events = self.invalid = 0
        self.by_type = {}

    def check(self, validator, path, label):
        """Validates every event of the EVE file PATH; LABEL names it in messages."""
        for n, line in enumerate(open(path), 1):
            ev = json.loads(line)
            self.events += 1
            self.by_type[ev['event_type']] = self.by_type.get(ev['event_type'], 0) + 1
            errs = list(validator.iter_errors(strip_additions(ev)))
            if errs:
                self.invalid += 1
                if self.invalid <= 10:
                    e = errs[0]
                    print(f'INVALID {label} event {n}: '
                          f'{"/".join(map(str, e.absolute_path))}: {e.message}')

    def report(self, what):
        print('events by type:', json.dumps(self.by_type, sort_keys=True))
        print(f'schema: {self.events} events{what}; {self.events - self.invalid} passed, '
              f'{self.invalid} failed')
        return 1 if self.invalid or not self.events else 0


def validate_files(paths):
    """validate.py EVE_FILE...: the events of files an e2e test wrote (live events such as
    drop, which no capture yields)."""
    validator, tally = load_validator(), Tally()
    for path in paths:
        tally.check(validator, path, path)
    return tally.report('')


def main():
    if len(sys.argv) > 1:
        return validate_files(sys.argv[1:])
    validator, tally = load_validator(), Tally()
    captures = sorted(glob.glob(os.path.join(SHARED, 'corpus', '*.pcap*')) +
                      glob.glob(os.path.join(SHARED, 'corpus', 'tunnels', '*.pcap')))
    modes = [[]] + ([['--through-kernel']] if os.geteuid() == 0 else [])
    runs = [(pcap, mode) for pcap in captures for mode in modes]
    with tempfile.TemporaryDirectory() as tmp:
        def read(i):  # one xdpi per core at a time; the checks stay in order
            out = os.path.join(tmp, f'eve{i}.json')
            pcap, mode = runs[i]
            subprocess.run([XDPI, 'read', '-o', out] + mode + [pcap], check=True,
                           stderr=subprocess.DEVNULL, timeout=300)
            return out
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            for i, out in enumerate(pool.map(read, range(len(runs)))):
                tally.check(validator, out, f'{os.path.basename(runs[i][0])} {runs[i][1]}')
                os.unlink(out)
    return tally.report(f' from {len(captures)} captures')


if __name__ == '__main__':
    sys.exit(main())

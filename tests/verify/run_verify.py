#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Suricata's own regression tests (../shared/suricata-verify) as the yardstick of detection.

For each test: its capture through `xdpi read` with its test.rules (and the address variables
its suricata.yaml sets), then every check that counts alerts (`filter:` with `count:` and a
`match:` on `event_type: alert`): the EVE alerts matching every field are counted and compared
with Suricata's count. A field xdpi never writes in that test's alerts cannot be compared: such
a check is counted "at least" (our count >= Suricata's) and reported apart.

Every check that disagrees must be listed in expected_disagreements.json with its cause (the
keywords the test's rules use that xdpi skips, or what was counted); a listed check that now
agrees fails too (take it off the list: the list only shrinks). Prints checks agreeing / total.

  run_verify.py [--update] [--xdpi PATH] [--suite DIR] [-j N] [TEST ...]
"""
import argparse
import concurrent.futures as cf
import ipaddress
import json
import os
import re
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, 'expected_disagreements.json')
MISSING = object()


def field(obj, dotted):
    """The value at a dotted path ("alert.signature_id"), MISSING when absent."""
    for part in dotted.split('.'):
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            return MISSING
    return obj


def same(ours, theirs):
    if isinstance(theirs, bool) or isinstance(ours, bool):
        return ours == theirs
    if isinstance(theirs, str) and isinstance(ours, str) and ':' in theirs:
        try:  # an IPv6 address: Suricata writes every group in full, xdpi the short form
            return ipaddress.ip_address(ours) == ipaddress.ip_address(theirs)
        except ValueError:
            pass
    if isinstance(theirs, (int, float)) and isinstance(ours, (int, float)):
        return float(ours) == float(theirs)
    return str(ours) == str(theirs)


def address_vars(test_dir):
    """HOME_NET and friends from the test's suricata.yaml, as --rule-var NAME=VALUE."""
    path = os.path.join(test_dir, 'suricata.yaml')
    if not os.path.exists(path):
        return []
    try:
        with open(path) as f:
            conf = yaml.safe_load(f.read().replace('%YAML 1.1', '')) or {}
    except yaml.YAMLError:
        return []
    out = []
    for group in ('address-groups', 'port-groups'):
        for name, value in ((conf.get('vars') or {}).get(group) or {}).items():
            out += ['--rule-var', f'{name}={value}']
    return out


def skipped_keywords(xdpi, rules):
    """What `xdpi rules check` says the rules use that xdpi skips, and how many are malformed."""
    out = subprocess.run([xdpi, 'rules', 'check', rules], capture_output=True, text=True).stdout
    kws, in_list = [], False
    malformed = re.search(r'^malformed\s+(\d+)', out, re.M)
    for line in out.splitlines():
        if line.startswith('skipped by keyword'):
            in_list = True
        elif in_list and line.startswith('  '):
            kws.append(line.split()[0])
        else:
            in_list = False
    return kws, int(malformed.group(1)) if malformed else 0


# Suricata settings a test passes with --set, as the xdpi options that say the same
SETTINGS = {
    'app-layer.protocols.http.libhtp.default-config.response-body-decompress-layer-limit':
        '--http-decode-layers',
}


def settings(test):
    """xdpi options for the `--set NAME=VALUE` among the test's Suricata arguments."""
    out = []
    for arg in test.get('args') or []:
        for name, value in re.findall(r'--set\s+([\w.-]+)=(\S+)', str(arg)):
            if name in SETTINGS:
                out += [SETTINGS[name], value]
    return out


# The suite is Suricata's master of its commit (9.0 in development): a check that requires
# another version (`requires: lt-version: 9`) is not this suite's answer.
SUITE_VERSION = (9, 0, 0)


def version_ok(req):
    def parse(v):
        return tuple((list(map(int, str(v).split('.'))) + [0, 0])[:3])
    tests = {'min-version': lambda v: SUITE_VERSION >= v, 'lt-version': lambda v: SUITE_VERSION < v,
             'gt-version': lambda v: SUITE_VERSION > v, 'version': lambda v: SUITE_VERSION[:2] == v[:2]}
    return all(tests[k](parse(v)) for k, v in req.items() if k in tests)


def run_test(xdpi, suite, name):
    d = os.path.join(suite, 'tests', name)
    with open(os.path.join(d, 'test.yaml')) as f:
        t = yaml.safe_load(f) or {}
    pcap = t.get('pcap')
    if not pcap:
        caps = [p for p in os.listdir(d) if p.endswith(('.pcap', '.pcapng'))]
        pcap = caps[0] if len(caps) == 1 else None
    checks = []
    for i, c in enumerate(t.get('checks') or []):
        flt = c.get('filter') if isinstance(c, dict) else None
        if not flt or 'count' not in flt or (flt.get('match') or {}).get('event_type') != 'alert':
            continue
        if not version_ok(flt.get('requires') or {}):
            continue  # a check for another Suricata version than the suite's
        checks.append((i, flt['count'], flt.get('match') or {}))
    result = {'name': name, 'checks': []}
    if not checks:
        return result
    rules = os.path.join(d, 'test.rules')
    cmd = [xdpi, 'read', '--no-stats', '--no-anomaly', '-o', '-']
    if os.path.exists(rules):
        cmd += ['--rules', rules]
    cmd += settings(t) + address_vars(d) + [os.path.join(d, pcap or 'missing.pcap')]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    alerts = []
    for line in p.stdout.splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get('event_type') == 'alert':
            alerts.append(e)
    kws, malformed = skipped_keywords(xdpi, rules) if os.path.exists(rules) else ([], 0)
    for i, want, match in checks:
        keys = [k for k in match if k != 'event_type']
        unknown = [k for k in keys if alerts and all(field(a, k) is MISSING for a in alerts)]
        got = sum(1 for a in alerts
                  if all(field(a, k) is not MISSING and same(field(a, k), v)
                         for k, v in match.items() if k not in unknown))
        ok = got >= want if unknown else got == want
        cause = []
        if kws:
            cause.append('rules skipped: ' + ', '.join(kws))
        if malformed:
            cause.append(f'{malformed} rules malformed here')
        if p.returncode:
            cause.append(f'xdpi read exit {p.returncode}: {p.stderr.strip().splitlines()[-1:]}')
        cause.append(f'got {got}, Suricata {want}')
        result['checks'].append({'index': i, 'ok': ok, 'at_least': bool(unknown),
                                 'cause': '; '.join(cause)})
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--xdpi', default=os.path.join(HERE, '../../build/xdpi'))
    ap.add_argument('--suite', default=os.environ.get(
        'XDPI_SHARED', os.path.join(HERE, '../../../shared')) + '/suricata-verify')
    ap.add_argument('--update', action='store_true', help='rewrite the expected list')
    ap.add_argument('-j', type=int, default=os.cpu_count() or 1)
    ap.add_argument('tests', nargs='*')
    a = ap.parse_args()
    names = a.tests or [l.split()[0] for l in open(os.path.join(a.suite, 'TESTS.txt'))
                        if l.strip() and not l.startswith('#')]
    with cf.ThreadPoolExecutor(a.j) as ex:
        results = list(ex.map(lambda n: run_test(a.xdpi, a.suite, n), names))
    expected = {}
    if os.path.exists(EXPECTED) and not a.update:
        with open(EXPECTED) as f:
            expected = json.load(f)
    total = agree = at_least = tests_ok = 0
    new, fixed, listed = [], [], {}
    for r in results:
        if r['checks'] and all(c['ok'] for c in r['checks']):
            tests_ok += 1
        for c in r['checks']:
            key = f"{r['name']}#{c['index']}"
            total += 1
            agree += c['ok']
            at_least += c['ok'] and c['at_least']
            if not c['ok']:
                listed[key] = c['cause']
                if not a.update and key not in expected:
                    new.append(f'{key}: {c["cause"]}')
            elif key in expected:
                fixed.append(key)
    ntests = sum(1 for r in results if r['checks'])
    print(f'suricata-verify: {agree} of {total} alert checks agree with Suricata '
          f'({100.0 * agree / max(total, 1):.1f}%; {at_least} of them "at least": a field xdpi '
          f'does not write), {tests_ok} of {ntests} tests whole')
    if a.update:
        with open(EXPECTED, 'w') as f:
            json.dump(dict(sorted(listed.items())), f, indent=1)
            f.write('\n')
        print(f'wrote {len(listed)} expected disagreements to {EXPECTED}')
        return 0
    for line in new[:40]:
        print(f'  NEW disagreement {line}')
    for key in fixed[:40]:
        print(f'  FIXED {key}: agrees now, take it off {os.path.basename(EXPECTED)}')
    if new or fixed:
        print(f'{len(new)} new disagreements, {len(fixed)} listed ones that agree now')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())

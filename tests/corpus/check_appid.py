#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Application identification against nDPI's own test expectations: `xdpi read` over every
capture in ../shared/corpus/appid, each flow that nDPI identified by content (Confidence: DPI)
compared with xdpi's protocol (app_proto) or application (xdpi.app.name). At least 95% must
agree and xdpi must name at least 100 distinct protocols over the folder. Each disagreement is
either listed in expected_appid.json with who is right and why (checked with tshark), or fails;
a listed one that no longer happens fails too (the list stays true)."""
import concurrent.futures
import glob
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
XDPI = os.environ.get('XDPI', os.path.join(HERE, '..', '..', 'build', 'xdpi'))
CORPUS = os.environ.get('XDPI_APPID', os.path.join(HERE, '..', '..', '..', 'shared', 'corpus', 'appid'))
MIN_AGREE = 0.95
MIN_PROTOCOLS = 100

FLOW_RE = re.compile(r'^\s*\d+\s+(\S+)\s+(\S+)\s+<?->\s+(\S+)\s+\[proto: ([^\]]*)\].*?\[Confidence: ([^\]]*)\]')
L4 = {'TCP': 'TCP', 'UDP': 'UDP'}


def endpoint(s):
    """'1.2.3.4:80', '[::1]:80' or '1.2.3.4' (no port) -> (address, port)"""
    if s.startswith('['):
        addr, _, port = s[1:].partition(']:')
    elif s.count(':') == 1:
        addr, _, port = s.partition(':')
    else:
        addr, port = s, '0'
    try:
        addr = str(ipaddress.ip_address(addr))
    except ValueError:
        pass  # nDPI prints some addresses oddly ('302e::3d00::8001'): they match nothing
    return addr, int(port or 0)


# nDPI's names for protocols xdpi spells otherwise (the same protocol, not a near one)
ALIASES = {
    'servicelocationprotocol': 'slp', 'smbv1': 'smb', 'smbv23': 'smb', 'jabber': 'xmpp',
    'mssqltds': 'tds', 'resp': 'redis', 'iec60870': 'iec104', 'imaps': 'tls', 'pops': 'tls', 'smtps': 'tls', 'ftpcontrol': 'ftp',
    'httpproxy': 'http', 'ciscoskinny': 'skinny', 'usenet': 'nntp',
    'tplinkshp': 'tplink', 'srtp': 'rtp',
    # and where Suricata has a parser, xdpi spells the protocol as Suricata does
    'kerberos': 'krb5', 'postgresql': 'pgsql', 'ethernetip': 'enip', 'vnc': 'rfb', 'ipsec': 'ike',
}


def norm(name):
    """nDPI's protocol name as xdpi spells it: lower case, letters and digits only."""
    n = re.sub(r'[^a-z0-9]', '', name.lower())
    return ALIASES.get(n, n)


def ndpi_flows(path):
    flows = []
    for line in open(path, 'rb').read().decode('utf-8', 'replace').splitlines():
        m = FLOW_RE.match(line)
        if not m:
            continue
        l4, a, b, proto, conf = m.groups()
        name = proto.split('/', 1)[1] if '/' in proto else proto
        master, _, app = name.partition('.')
        flows.append({'l4': l4, 'a': endpoint(a), 'b': endpoint(b), 'master': master.split(':')[0],
                      'app': app or master.split(':')[0], 'conf': conf, 'line': line.strip()})
    return flows


def xdpi_flows(out):
    by_key = {}
    for line in open(out):
        e = json.loads(line)
        if e.get('event_type') != 'flow':
            continue
        a = (str(ipaddress.ip_address(e['src_ip'])), e.get('src_port', 0))
        b = (str(ipaddress.ip_address(e['dest_ip'])), e.get('dest_port', 0))
        x = e.get('xdpi', {})
        rec = {'proto': e.get('app_proto', ''), 'app': x.get('app', {}).get('name', ''),
               'l4': e.get('proto'), 'start': e['flow']['start'],
               'named': x.get('app', {}).get('by') == 'content'}
        key = (e.get('proto'), frozenset((a, b)))
        # a tuple idle past its timeout is two records to xdpi, one flow to nDPI: the
        # earliest record that named the protocol by content speaks for it
        old = by_key.get(key)
        if old is None or (rec['named'], old['start']) > (old['named'], rec['start']):
            by_key[key] = rec
    return by_key


def run(pcap, tmp):
    out = os.path.join(tmp, os.path.basename(pcap) + '.json')
    p = subprocess.run([XDPI, 'read', '-o', out, pcap], stderr=subprocess.PIPE, text=True,
                       timeout=300)
    return p.returncode, p.stderr, out


def main():
    expected = {}
    path = os.path.join(HERE, 'expected_appid.json')
    if os.path.exists(path):
        expected = json.load(open(path))
        for k, why in expected.items():  # a listed case says who is right and why
            if not k.startswith('_') and (k.count('|') != 2 or len(why) < 20):
                print(f'FAIL expected_appid.json: {k!r} needs "capture|nDPI|xdpi" and a reason')
                return 1
    captures = sorted(p[:-len('.ndpi.out')] for p in glob.glob(os.path.join(CORPUS, '*.ndpi.out')))
    if not captures:
        print(f'FAIL: no captures in {CORPUS}')
        return 1
    agree = total = 0
    protocols = set()
    unexplained, seen = [], set()
    verbose = os.environ.get('VERBOSE')
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        for pcap, (rc, err, out) in zip(captures, pool.map(lambda p: run(p, tmp), captures)):
            name = os.path.basename(pcap)
            if rc != 0:
                unexplained.append(f'{name}: xdpi read exit {rc}: {err.strip()[:200]}')
                continue
            mine = xdpi_flows(out)
            protocols |= {r['proto'] for r in mine.values()}
            for f in ndpi_flows(pcap + '.ndpi.out'):
                if f['conf'] != 'DPI' or f['l4'] not in L4:
                    continue
                total += 1
                r = mine.get((f['l4'], frozenset((f['a'], f['b']))))
                got = (r['proto'], r['app']) if r else ('none', '')
                ok = norm(got[0]) in (norm(f['master']), norm(f['app'])) or \
                    (got[1] and norm(got[1]) in (norm(f['master']), norm(f['app'])))
                if ok:
                    agree += 1
                    continue
                group = f"{name}|{f['master']}.{f['app']}|{got[0]}"
                seen.add(group)
                if group not in expected:
                    unexplained.append(f"{name} {f['l4']} {f['a'][0]}:{f['a'][1]} {f['b'][0]}:{f['b'][1]}: "
                                       f"nDPI {f['master']}.{f['app']}, xdpi {got[0]} {got[1]}")
    protocols -= {'', 'failed', 'unknown'}
    share = agree / total if total else 0
    print(f'appid: {agree} of {total} flows nDPI identified by content agree ({share:.1%}); '
          f'{len(protocols)} distinct protocols named')
    for u in unexplained if verbose else unexplained[:40]:
        print('DISAGREE', u)
    stale = [k for k in expected if k not in seen and not k.startswith('_')]
    for k in stale:
        print('STALE listed disagreement no longer happens:', k)
    fail = share < MIN_AGREE or len(protocols) < MIN_PROTOCOLS or unexplained or stale
    print('appid:', 'FAIL' if fail else 'ok', f'({len(unexplained)} unexplained)')
    return 1 if fail else 0


if __name__ == '__main__':
    sys.exit(main())

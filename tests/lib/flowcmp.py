#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare xdpi's EVE flow records with a tshark truth file (make_truth.sh's `flows`).

Both sides are summed per connection (protocol and the two endpoints), so that a difference
in how a connection is cut into records does not hide or fake a count difference. The number
of records on each side is compared only when asked (--records): xdpi cuts a connection idle
past its timeout into two records, tshark never does, but on live traffic without such pauses
the records must match (two connections on one tuple are two records, not one). Prints one line per disagreement and a summary;
with --json, writes the disagreements as JSON for an expectations file.
"""
import argparse
import collections
import json
import sys


def endpoint_key(proto, a, ap, b, bp):
    return (proto, tuple(sorted([(a, int(ap)), (b, int(bp))])))


def load_truth(path):
    per = collections.defaultdict(lambda: collections.Counter())
    for f in json.load(open(path))['flows']:
        k = endpoint_key(f['proto'], f['a'], f['a_port'], f['b'], f['b_port'])
        A, B = (f['a'], f['a_port']), (f['b'], f['b_port'])
        c = per[k]
        c[('pkts', A)] += f['pkts_a2b']
        c[('bytes', A)] += f['bytes_a2b']
        c[('pkts', B)] += f['pkts_b2a']
        c[('bytes', B)] += f['bytes_b2a']
        c['records'] += 1
    return per


def load_eve(path):
    per = collections.defaultdict(lambda: collections.Counter())
    for line in open(path):
        ev = json.loads(line)
        if ev.get('event_type') != 'flow' or ev.get('proto') not in ('TCP', 'UDP'):
            continue
        proto = ev['proto'].lower()
        S, D = (ev['src_ip'], ev['src_port']), (ev['dest_ip'], ev['dest_port'])
        k = endpoint_key(proto, *S, *D)
        fl = ev['flow']
        c = per[k]
        c[('pkts', S)] += fl['pkts_toserver']
        c[('bytes', S)] += fl['bytes_toserver']
        c[('pkts', D)] += fl['pkts_toclient']
        c[('bytes', D)] += fl['bytes_toclient']
        c['records'] += 1
    return per


def fmt_key(k):
    proto, ((a, ap), (b, bp)) = k
    return f'{proto} {a}:{ap} <-> {b}:{bp}'


def compare(truth, eve, tolerance=0.0, records=False):
    """Returns (agreeing connections, list of disagreements); counts agree when they differ
    by at most TOLERANCE (a fraction) of the truth; with RECORDS, so must their numbers of
    records."""
    out, agree = [], 0
    for k in sorted(set(truth) | set(eve), key=str):
        t, x = truth.get(k), eve.get(k)
        if t is None:
            out.append({'flow': fmt_key(k), 'what': 'only in xdpi'})
            continue
        if x is None:
            out.append({'flow': fmt_key(k), 'what': 'missing in xdpi'})
            continue
        diffs = []
        for field in sorted({f for f in list(t) + list(x) if f != 'records'}, key=str):
            if abs(t[field] - x[field]) > tolerance * t[field]:
                diffs.append(f'{field[0]} from {field[1][0]}:{field[1][1]}: tshark {t[field]} xdpi {x[field]}')
        if records and t['records'] != x['records']:
            diffs.append(f"records: tshark {t['records']} xdpi {x['records']}")
        if diffs:
            out.append({'flow': fmt_key(k), 'what': '; '.join(diffs)})
        else:
            agree += 1
    return agree, out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('truth')
    ap.add_argument('eve')
    ap.add_argument('--json', help='write disagreements to this file')
    ap.add_argument('--tolerance', type=float, default=0.0,
                    help='counts agree within this fraction of the truth (default: exactly)')
    ap.add_argument('--records', action='store_true',
                    help='the numbers of records per connection must agree too')
    args = ap.parse_args()
    agree, dis = compare(load_truth(args.truth), load_eve(args.eve), args.tolerance, args.records)
    for d in dis:
        print(f"  {d['flow']}: {d['what']}")
    print(f'connections: {agree} agree, {len(dis)} disagree')
    if args.json:
        json.dump(dis, open(args.json, 'w'), indent=1)
    return 0 if not dis else 1


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Application-layer accuracy: xdpi's events for every capture in ../shared/corpus against the
tshark truth beside it, field by field. Prints agreement per field and fails if any field is
below 99%, or if a disagreement is not the one listed, with its cause, in
expected_l7.json (and the list must stay true: a listed disagreement that went away fails
too, so that the file is edited to match)."""
import collections
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
XDPI = os.environ.get('XDPI', os.path.join(HERE, '..', '..', 'build', 'xdpi'))
CORPUS = os.environ.get('XDPI_CORPUS', os.path.join(HERE, '..', '..', '..', 'shared', 'corpus'))
THRESHOLD = 0.99


ESCAPE = re.compile(r'\\([0-7]{3}|[abfnrtv])')


def printable(v):
    """How each side shows bytes that are not printable text: tshark writes U+FFFD for
    bytes that are not UTF-8 and C escapes (\\r, \\022) for control bytes; xdpi keeps a
    non-UTF-8 byte as the code point of its value and writes control bytes as \\ooo. Both
    become '?' for comparison."""
    if isinstance(v, str):
        v = ESCAPE.sub('?', v)
        return ''.join('?' if '\x80' <= ch <= '\xff' or ch == '\ufffd' else ch for ch in v)
    return v


def truth_type(t):
    return f'TYPE{t}' if isinstance(t, int) else t  # tshark prints unknown types as numbers


def truth_name(n):
    return '' if n in (None, '<Root>') else printable(n)


def truth_rdata(a):
    d = a.get('data')
    if isinstance(d, dict):
        if 'exchange' in d:
            return d['exchange']
        if 'target' in d:
            return f"{d['priority']} {d['weight']} {d['port']} {d['target']}"
        if 'mname' in d:
            return f"{d['mname']} {d['rname']} {d.get('serial_number')}"
        return None
    if isinstance(d, list):
        return ''.join(d)
    if d in (None, 'None') or (isinstance(d, str) and d.startswith('<') and d != '<Name too long>'):
        return None  # tshark's placeholders ("<Unknown extended label>"): no data shown
    return d


TOO_LONG = '<Name too long>'  # tshark's placeholder for a name over 255 bytes


def xdpi_rdata(a):
    if 'srv' in a:
        s = a['srv']
        return f"{s['priority']} {s['weight']} {s['port']} {s.get('name')}"
    if 'soa' in a:
        s = a['soa']
        return f"{s['mname']} {s['rname']} {s['serial']}"
    return a.get('rdata')


def answers(truth_items, xdpi_items, cut):
    """Both sides as sorted (type, data) lists. Compared by type alone: types whose data
    tshark leaves out, and, when the event says it cut names (xdpi.names_truncated), types
    tshark shows as "<Name too long>"."""
    t = [(truth_type(a['type']), printable(truth_rdata(a))) for a in truth_items if a['type'] != 'OPT']
    no_data = {typ for typ, d in t if d is None or (cut and d == TOO_LONG)}
    t = [(typ, None if typ in no_data else d) for typ, d in t]
    x = [(a['rrtype'], None if a['rrtype'] in no_data else printable(xdpi_rdata(a)))
         for a in xdpi_items if a['rrtype'] != 'OPT']
    return sorted(t, key=str), sorted(x, key=str)


def take(candidates, tname, frame):
    """The event of that frame (pcap_cnt) if there is one; else the first whose first query
    is tname (tshark's placeholders, "<Name too long>", match on id and direction alone)."""
    for i, d in enumerate(candidates):
        if d.get('_pcap_cnt') == frame:
            return candidates.pop(i)
    if any(d.get('_pcap_cnt') for d in candidates):
        return None
    for i, d in enumerate(candidates):
        q = (d.get('queries') or [{}])[0]
        if q.get('rrname') == tname or (tname or '').startswith('<'):
            return candidates.pop(i)
    return None


def dns_fields(events, truth_msgs):
    """Yields (field, message label, truth value, xdpi value) for each truth DNS message."""
    pool = collections.defaultdict(list)
    for ev in events:
        if ev.get('event_type') != 'dns':
            continue
        d = ev['dns']
        d = dict(d, _names_truncated=ev.get('xdpi', {}).get('names_truncated', 0),
                 _pcap_cnt=ev.get('pcap_cnt'), _edns=ev.get('xdpi', {}).get('edns'))
        pool[(d['id'], d['type'] == 'response')].append(d)
    for m in truth_msgs:
        q = (m.get('queries') or [{}])[0]
        tname = truth_name(q.get('name')) if q else None
        label = f"frame {m['frame']} id {m['id']}"
        mine = take(pool[(int(m['id'], 16), m['qr'] == 1)], tname, m['frame'])
        if mine is None:
            for f in ('query name', 'query type', 'rcode', 'answers'):
                yield f, label, 'message', 'missing'
            continue
        mq = (mine.get('queries') or [{}])[0]
        cut = mine.get('_names_truncated', 0) > 0
        tname = truth_name(q.get('name')) if q else None
        mname = TOO_LONG if cut and tname == TOO_LONG else printable(mq.get('rrname'))
        yield 'query name', label, tname, mname
        yield 'query type', label, truth_type(q.get('type')) if q else None, mq.get('rrtype')
        if m.get('edns'):
            e, x = m['edns'], mine.get('_edns') or {}
            opts = [o.get('code') for a in mine.get('additionals', []) for o in a.get('opt', [])]
            yield 'edns', label, (e.get('udp_payload_size'), bool(e.get('do')), list(e.get('options') or [])), \
                (x.get('udp_payload_size'), x.get('do'), opts)
        if m['qr'] == 1:
            yield 'rcode', label, m.get('rcode'), mine.get('rcode')
            t, x = answers(m.get('answers', []), mine.get('answers', []), cut)
            yield 'answers', label, t, x


def http_fields(events, truth_msgs):
    """Requests by the frame that completed them (xdpi.request_pcap_cnt), responses likewise
    (xdpi.response_pcap_cnt)."""
    by_req, by_resp = collections.defaultdict(list), collections.defaultdict(list)
    for ev in events:
        if ev.get('event_type') != 'http':
            continue
        x = ev.get('xdpi', {})
        if x.get('request_pcap_cnt'):
            by_req[x['request_pcap_cnt']].append(ev['http'])
        if x.get('response_pcap_cnt'):
            by_resp[x['response_pcap_cnt']].append(ev['http'])
        if x.get('interim_pcap_cnt'):  # a 100 Continue, part of its transaction to xdpi
            by_resp[x['interim_pcap_cnt']].append({'status': x['interim_status']})
    for m in truth_msgs:
        label = f"frame {m['frame']} {m['kind']}"
        # several messages can end in one frame (pipelining): taken in order
        if m['kind'] == 'request':
            h = by_req[m['frame']].pop(0) if by_req[m['frame']] else None
            pairs = (('method', m.get('method'), 'http_method'), ('uri', m.get('uri'), 'url'),
                     ('host', m.get('host'), 'hostname'), ('user_agent', m.get('user_agent'), 'http_user_agent'))
        else:
            h = by_resp[m['frame']].pop(0) if by_resp[m['frame']] else None
            pairs = (('status', m.get('status'), 'status'),)
        for field, t, key in pairs:
            yield field, label, printable(t), printable(h.get(key)) if h is not None else 'missing'


def tls_fields(events, truth_msgs):
    """Hellos over TCP by the frame that completed them (xdpi.client_hello_pcap_cnt,
    server_hello_pcap_cnt). QUIC's hellos are the quic dissector's."""
    by_ch, by_sh, x_sh = {}, {}, {}
    for ev in events:
        if ev.get('event_type') != 'tls':
            continue
        x = ev.get('xdpi', {})
        if x.get('client_hello_pcap_cnt'):
            by_ch[x['client_hello_pcap_cnt']] = ev['tls']
        if x.get('server_hello_pcap_cnt'):
            by_sh[x['server_hello_pcap_cnt']] = ev['tls']
            x_sh[x['server_hello_pcap_cnt']] = x.get('server_version')
    for m in truth_msgs:
        if m.get('transport') != 'tcp':
            continue
        label = f"frame {m['frame']} {m['type']}"
        if m['type'] == 'client_hello':
            t = by_ch.get(m['frame'])
            pairs = (('sni', m.get('sni'), t and t.get('sni')),
                     ('alpn', m.get('alpn') or None, t and t.get('client_alpns')),
                     ('ja3', m.get('ja3'), t and t.get('ja3', {}).get('hash')),
                     ('ja4', m.get('ja4_computed'), t and t.get('ja4')))
        else:
            t = by_sh.get(m['frame'])
            sv = m.get('supported_versions') or [m.get('handshake_version')]
            mine = t and t.get('server_handshake', {})
            pairs = (('version', sv[0], x_sh.get(m['frame'])),
                     ('ja3s', m.get('ja3s'), t and t.get('ja3s', {}).get('hash')),
                     ('cipher', m.get('cipher'), mine and f"0x{mine.get('cipher', 0):04x}"),
                     ('server alpn', m.get('alpn') or None, t and t.get('server_alpns')))
        for field, tv, xv in pairs:
            yield field, label, tv, xv if t is not None else 'missing'


def http2_fields(events, truth_blocks):
    """Each header block tshark saw, against the stream event whose request headers,
    response headers or trailers came in that frame on that stream."""
    streams = collections.defaultdict(list)
    for ev in events:
        if ev.get('event_type') == 'http' and ev['http'].get('protocol') == 'HTTP/2':
            streams[ev['xdpi']['stream_id']].append(ev)
    for b in truth_blocks:
        hdrs = dict((k, v) for k, v in b['headers'])
        label = f"frame {b['frame']} stream {b['stream']}"
        ev, part = None, None
        for e in streams.get(b['stream'], []):
            x = e['xdpi']
            for key, p in (('request_headers_pcap_cnt', 'request'), ('response_headers_pcap_cnt', 'response'),
                           ('trailers_pcap_cnt', 'trailers')):
                if x.get(key) == b['frame'] and ev is None:
                    if (p == 'request') == (':method' in hdrs) and (p == 'trailers') == ('grpc-status' in hdrs and ':status' not in hdrs):
                        ev, part = e, p
        h = ev['http'] if ev else {}
        g = ev['xdpi'].get('grpc', {}) if ev else {}
        miss = 'missing' if ev is None else None
        if ':method' in hdrs:
            yield ':method', label, hdrs[':method'], miss or h.get('http_method')
            yield ':path', label, hdrs.get(':path'), miss or h.get('url')
        if ':status' in hdrs:
            yield ':status', label, int(hdrs[':status']), miss or h.get('status')
        if 'grpc-status' in hdrs:
            yield 'grpc-status', label, int(hdrs['grpc-status']), miss or g.get('status')


def quic_fields(events, truth):
    """QUIC hellos (tshark's tls entries over QUIC) by the frame that completed them, and
    the version of each client Initial that carried a ClientHello."""
    by_ch, by_sh = {}, {}
    for ev in events:
        if ev.get('event_type') != 'quic':
            continue
        x = ev.get('xdpi', {})
        if x.get('client_hello_pcap_cnt'):
            by_ch[x['client_hello_pcap_cnt']] = ev
        if x.get('server_hello_pcap_cnt'):
            by_sh[x['server_hello_pcap_cnt']] = ev
    for m in truth['tls']:
        if m.get('transport') != 'quic':
            continue
        label = f"frame {m['frame']} {m['type']}"
        if m['type'] == 'client_hello':
            ev = by_ch.get(m['frame'])
            q, x = (ev['quic'], ev['xdpi']) if ev else ({}, {})
            pairs = (('sni', m.get('sni'), q.get('sni')), ('alpn', m.get('alpn') or None, x.get('alpn')),
                     ('ja4', m.get('ja4_computed'), q.get('ja4')), ('ja3', m.get('ja3'), q.get('ja3', {}).get('hash')))
        else:
            ev = by_sh.get(m['frame'])
            x = ev['xdpi'] if ev else {}
            sv = m.get('supported_versions') or [m.get('handshake_version')]
            pairs = (('tls version', sv[0], x.get('tls_version')),
                     ('cipher', m.get('cipher'), f"0x{x['cipher']:04x}" if 'cipher' in x else None))
        for field, tv, xv in pairs:
            yield field, label, tv, xv if ev else 'missing'
    for ini in truth['quic_client_initials']:
        ev = by_ch.get(ini['frame'])
        yield 'version', f"frame {ini['frame']} initial", ini['version'], ev['quic']['version'] if ev else 'missing'


PROTOCOLS = {'dns': dns_fields, 'http': http_fields, 'tls': tls_fields, 'http2': http2_fields,
             'quic': quic_fields}
TRUTH_KEYS = {'http2': 'http2_headers', 'quic': None}


def main():
    spec = json.load(open(os.path.join(HERE, 'expected_l7.json')))
    excluded = spec.get('excluded_captures', {})
    expected = spec.get('disagreements', {})
    agree = collections.Counter()
    total = collections.Counter()
    ex_agree = collections.Counter()
    ex_total = collections.Counter()
    problems = []
    seen_expected = set()
    with tempfile.TemporaryDirectory() as tmp:
        for pcap in sorted(glob.glob(os.path.join(CORPUS, '*.pcap*'))):
            name = os.path.splitext(os.path.basename(pcap))[0]
            truth = json.load(open(os.path.join(CORPUS, name + '.truth.json')))
            out = os.path.join(tmp, name + '.json')
            subprocess.run([XDPI, 'read', '--no-stats', '-o', out, pcap], stderr=subprocess.DEVNULL,
                           timeout=300)
            events = [json.loads(l) for l in open(out)]
            for proto, fn in PROTOCOLS.items():
                key = TRUTH_KEYS.get(proto, proto)
                for field, label, t, x in fn(events, truth if key is None else truth.get(key, [])):
                    if name in excluded:
                        ex_total[(proto, field)] += 1
                        ex_agree[(proto, field)] += t == x
                        continue
                    total[(proto, field)] += 1
                    if t == x:
                        agree[(proto, field)] += 1
                        continue
                    key = f'{name} {label} {field}'
                    if key in expected:
                        seen_expected.add(key)
                    else:
                        problems.append(f'{key}: tshark {t!r} xdpi {x!r}')
    for key in expected:
        if key not in seen_expected:
            problems.append(f'listed in expected_l7.json but agrees now (remove it): {key}')
    print(f"{'protocol':8} {'field':12} {'agree':>7} {'total':>7} {'%':>7}")
    failed = 0
    for (proto, field) in sorted(total):
        a, n = agree[(proto, field)], total[(proto, field)]
        pct = 100.0 * a / n if n else 100.0
        print(f'{proto:8} {field:12} {a:7} {n:7} {pct:7.2f}')
        if pct < 100 * THRESHOLD:
            failed += 1
            print(f'FAIL {proto} {field} below {100 * THRESHOLD:.0f}%')
    for name, cause in excluded.items():
        print(f'not counted: {name} ({cause})')
    for (proto, field) in sorted(ex_total):
        a, n = ex_agree[(proto, field)], ex_total[(proto, field)]
        print(f'  {proto:8} {field:12} {a:7} {n:7} {100.0 * a / n:7.2f}')
    for p in problems:
        print('FAIL', p)
    failed += len(problems)
    print(f'l7 accuracy: {len(total) - min(failed, len(total))} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

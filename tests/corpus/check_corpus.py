#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Corpus test: `xdpi read` over every capture in ../shared/corpus, in user-space mode and (as
root) through the kernel. Each run must finish; its flow records must agree with the tshark
truth beside the capture, except for the disagreements listed, each with its cause, in
expected_disagreements.json. Through the kernel (its default steering: the heads of
messages), the application events (dns, http, tls, quic) must be the ones the user-space read
reports, but for those listed under "l7_kernel". An unexplained disagreement fails, and so
does a listed one that no longer happens (the list must stay true)."""
import collections
import glob
import json
import os
import concurrent.futures
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'lib'))
import flowcmp  # noqa: E402

XDPI = os.environ.get('XDPI', os.path.join(HERE, '..', '..', 'build', 'xdpi'))
CORPUS = os.environ.get('XDPI_CORPUS', os.path.join(HERE, '..', '..', '..', 'shared', 'corpus'))


def run_xdpi(pcap, kernel, out):
    args = [XDPI, 'read', '-o', out] + (['--through-kernel'] if kernel else []) + [pcap]
    p = subprocess.run(args, stderr=subprocess.PIPE, text=True, timeout=300)
    return p.returncode, p.stderr


def l7_signatures(out):
    """What names each application event: its type, endpoints and the fields that tell one
    transaction from another."""
    sigs = collections.Counter()
    for line in open(out):
        e = json.loads(line)
        t = e.get('event_type')
        if t not in ('dns', 'http', 'tls', 'quic'):
            continue
        o = e.get(t, {})
        if t == 'dns':
            q = (o.get('queries') or [{}])[0]
            what = f"{o.get('type')} id {o.get('id')} {q.get('rrname')} {q.get('rrtype')}"
        elif t == 'http':
            what = f"{o.get('http_method')} {o.get('hostname')}{o.get('url')} {o.get('status')}"
        else:
            what = f"{o.get('version')} sni {o.get('sni')}"
        sigs[f"{t} {e.get('src_ip')}:{e.get('src_port')} -> {e.get('dest_ip')}:{e.get('dest_port')} {what}"] += 1
    return sigs


def l7_problems(user_out, kernel_out, want):
    """The kernel run's application events against the user-space run's."""
    u, k = l7_signatures(user_out), l7_signatures(kernel_out)
    got = {}
    for sig in (u.keys() | k.keys()):
        if u[sig] != k[sig]:
            got[sig] = f'user {u[sig]} kernel {k[sig]}'
    problems = [f'l7 unexplained: {sig}: {what}' for sig, what in sorted(got.items()) if sig not in want]
    problems += [f'l7 changed: {sig}: now {got[sig]}, listed {want[sig]["counts"]}'
                 for sig in want if sig in got and got[sig] != want[sig]['counts']]
    problems += [f'l7 listed but agrees now (remove it): {sig}' for sig in want if sig not in got]
    return problems


def check_damaged(tmp, captures):
    """A capture cut in the middle still reports what came before the cut, says where it
    broke, and exits 0; a file that is no capture at all exits non-zero with a clear error."""
    problems = []
    src = max(captures, key=os.path.getsize)
    cut = os.path.join(tmp, 'cut.pcap')
    data = open(src, 'rb').read()
    open(cut, 'wb').write(data[:len(data) // 2 + 7])
    out = os.path.join(tmp, 'cut.json')
    rc, err = run_xdpi(cut, False, out)
    flows = [json.loads(l) for l in open(out)] if os.path.exists(out) else []
    if rc != 0:
        problems.append(f'cut capture: exit {rc}, expected 0')
    if 'cut.pcap: after packet' not in err:
        problems.append(f'cut capture: stderr does not say where it broke: {err!r}')
    if not any(e['event_type'] == 'flow' for e in flows):
        problems.append('cut capture: no flow records for the packets before the cut')
    junk = os.path.join(tmp, 'junk.pcap')
    open(junk, 'wb').write(b'this is not a capture\n' * 10)
    rc, err = run_xdpi(junk, False, os.path.join(tmp, 'junk.json'))
    if rc == 0 or 'junk.pcap' not in err:
        problems.append(f'junk file: exit {rc}, stderr {err!r}; expected non-zero and the file named')
    for p in problems:
        print('FAIL damaged input:', p)
    return 0 if problems else 1, len(problems)


def main():
    expected = json.load(open(os.path.join(HERE, 'expected_disagreements.json')))
    modes = ['user']
    if os.geteuid() == 0:
        modes.append('kernel')
    elif os.environ.get('CI') == 'true':
        print('FAIL: the kernel half of the corpus test needs root, and CI runs as root')
        return 1
    # tunnels/: encapsulations (VXLAN, Geneve, GRE, ERSPAN, GTP, IP in IP, Teredo, MPLS,
    # PPPoE), whose truth keys flows by the innermost transport as xdpi does
    captures = sorted(glob.glob(os.path.join(CORPUS, '*.pcap')) + glob.glob(os.path.join(CORPUS, '*.pcapng')) +
                      glob.glob(os.path.join(CORPUS, 'tunnels', '*.pcap')))
    if not captures:
        print(f'FAIL: no captures in {CORPUS}')
        return 1
    passed = failed = 0
    agree_total = dis_total = 0
    with tempfile.TemporaryDirectory() as tmp:
        def read(run):  # one xdpi per core at a time; the comparisons stay in order
            pcap, mode = run
            out = os.path.join(tmp, f'{os.path.splitext(os.path.basename(pcap))[0]}.{mode}.json')
            return run_xdpi(pcap, mode == 'kernel', out) + (out,)
        runs = [(pcap, mode) for pcap in captures for mode in modes]
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            results = dict(zip(runs, pool.map(read, runs)))
        for pcap in captures:
            name = os.path.splitext(os.path.basename(pcap))[0]
            truth = os.path.splitext(pcap)[0] + '.truth.json'
            want = expected.get(name, {}).get('flows', {})
            for mode in modes:
                rc, err, out = results[(pcap, mode)]
                problems = []
                if rc != 0:
                    problems.append(f'exit status {rc}: {err.strip()}')
                else:
                    agree, dis = flowcmp.compare(flowcmp.load_truth(truth), flowcmp.load_eve(out))
                    agree_total += agree
                    dis_total += len(dis)
                    got = {d['flow']: d['what'] for d in dis}
                    for flow, what in got.items():
                        if flow not in want:
                            problems.append(f'unexplained: {flow}: {what}')
                        elif want[flow] != what:
                            problems.append(f'changed: {flow}: now {what}, listed {want[flow]}')
                    for flow in want:
                        if flow not in got:
                            problems.append(f'listed but agrees now (remove it): {flow}')
                if mode == 'kernel' and rc == 0 and results[(pcap, 'user')][0] == 0:
                    problems += l7_problems(results[(pcap, 'user')][2], out,
                                            expected.get(name, {}).get('l7_kernel', {}))
                if problems:
                    failed += 1
                    print(f'FAIL {name} [{mode}]')
                    for p in problems:
                        print('   ', p)
                else:
                    passed += 1
        ok, bad = check_damaged(tmp, captures)
        passed += ok
        failed += bad
    print(f'corpus: {len(captures)} captures, modes {",".join(modes)}; connections agreeing '
          f'{agree_total}, explained disagreements {dis_total}')
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

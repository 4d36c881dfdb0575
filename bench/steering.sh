#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What each steering costs on a large-body API workload, in one run (root). The same traffic
# for each receiver in turn: nginx over HTTP/1.1 keep-alive (bodies of 270 kB, 27 kB and 24 B,
# one in ten a 404) and h2load over h2c against nghttpd (40 kB streams), the server's TSO on.
# xdpi in host mode with --steer head, msg (the default) and snip, and in tap mode on a mirror
# of the link (AF_XDP, every frame). For each: the transactions xdpi reported against the
# servers' (nginx's log, h2load's succeeded streams), the records and bytes that crossed to user
# space, per transaction and as a share of snip's, and CPU seconds per million wire packets of
# the xdpi process alone and of the whole machine (clients and servers included).
#   ROUNDS  keep-alive connections per client (default 6); CLIENTS (default 4); H2 streams (2000)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/e2e/lib.sh"
ROUNDS=${ROUNDS:-6}
CLIENTS=${CLIENTS:-4}
H2=${H2:-2000}
[ "$(id -u)" = 0 ] || { echo "# steering: needs root"; exit 0; }
for t in nginx nghttpd h2load curl; do
	command -v $t >/dev/null || { echo "# steering: $t missing"; exit 0; }
done
lab_up || { echo "lab setup failed"; exit 1; }
NGINX_HTTP_EXTRA='log_format steer "$remote_port $request_method $request_uri $status";'
NGINX_EXTRA="access_log $TMP/nginx/steer.log steer;"
start_nginx || { echo "nginx failed"; exit 1; }
head -c 20000 /dev/urandom | base64 >"$TMP/www/mid.txt"
head -c 30000 /dev/urandom | base64 >"$TMP/www/page.txt"
run_bg "$NS_SRV" "$TMP/nghttpd.log" nghttpd --no-tls -a $IP_SRV -d "$TMP/www" 8080
wait_until 10 cli curl -sf -o /dev/null --http2-prior-knowledge "http://$IP_SRV:8080/index.html" ||
	{ echo "nghttpd failed"; exit 1; }
wire_mirror "$NS_SRV" "$IF_SRV" || { echo "mirror failed"; exit 1; }

# one keep-alive connection: 20 requests (8 x 270 kB, 6 x 27 kB, 4 x 24 B, 2 x 404)
urls() {
	local u="http://$IP_SRV" i
	for i in 1 2 3 4 5 6 7 8; do echo "$u/big.txt?$1-$i"; done
	for i in 1 2 3 4 5 6; do echo "$u/mid.txt?$1-$i"; done
	for i in 1 2 3 4; do echo "$u/index.html?$1-$i"; done
	echo "$u/missing?$1-1" "$u/missing?$1-2" | tr ' ' '\n'
}
client() { # client C: ROUNDS connections one after the other
	local r
	for r in $(seq 1 "$ROUNDS"); do
		urls "$1-$r" | sed 's/^/url = /; a output = /dev/null' >"$TMP/curl-$1.cfg"
		in_net "$NS_CLI" curl -s -K "$TMP/curl-$1.cfg"
	done
}
workload() {
	local c pids=()
	for c in $(seq 1 "$CLIENTS"); do client "$c" & pids+=($!); done
	in_net "$NS_CLI" h2load -n "$H2" -c 2 -m 4 "http://$IP_SRV:8080/page.txt" >"$TMP/h2load.out" 2>&1
	wait "${pids[@]}"
}

# CPU nanoseconds of every thread of PID (schedstat: finer than the stat file's ticks)
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
HZ=$(getconf CLK_TCK)
stat_of() { grep '"event_type":"stats"' "$1" | tail -1; }

# run NAME IFACE ARGS...: xdpi on IFACE while the workload runs; prints the row
run() {
	local name=$1 ifc=$2 t0 b0 t1 b1 eve="$TMP/$1.json"; shift 2
	rm -f "$eve"
	: >"$TMP/nginx/steer.log"
	run_bg_net "$NS_SRV" "$TMP/$name.log" "$XDPI" run -i "$ifc" -o "$eve" --stats-interval 0 \
		--flow-timeout 2 "$@"
	XDPI_PID=$BG_PID
	wait_until 20 grep -q "attached to" "$TMP/$name.log" ||
		{ echo "$name: xdpi did not start"; cat "$TMP/$name.log"; return 1; }
	t0=$(cpu_ns "$XDPI_PID"); b0=$(busy)
	workload
	# every connection idle 2 s: ended, its last transactions written
	wait_until 20 flows_ended "$eve"
	t1=$(cpu_ns "$XDPI_PID"); b1=$(busy)
	stop_bg "$XDPI_PID" TERM
	[ -z "${KEEP:-}" ] || cp "$eve" "$TMP/nginx/steer.log" "$KEEP/" # KEEP=DIR: the run's files
	python3 - "$name" "$eve" "$TMP/nginx/steer.log" "$TMP/h2load.out" $((t1 - t0)) $((b1 - b0)) "$HZ" \
		"$TMP/rows.txt" <<'PY'
import json, re, sys
name, eve, nginx, h2out, proc, allc, hz, rows = sys.argv[1:]
stats, http1, h2, partial = None, set(), 0, 0
for line in open(eve):
    e = json.loads(line)
    t = e.get('event_type')
    if t == 'stats':
        stats = e['stats']['xdpi']
    elif t == 'http' and e.get('dest_port') == 80:
        h = e['http']
        if None in (h.get('http_method'), h.get('url'), h.get('status')):
            partial += 1 # a request without its response, or the reverse
            if name == 'msg' and partial <= 3:
                print(f"# {name}: partial {json.dumps(e)[:600]}", file=sys.stderr)
        else:
            http1.add((e['src_port'], h.get('http_method'), h.get('url'), h.get('status')))
    elif t == 'http' and e.get('dest_port') == 8080 and e['http'].get('status') == 200:
        h2 += 1
logged = {(int(p), m, u, int(s)) for p, m, u, s in (l.split() for l in open(nginx))}
h2ok = int(re.search(r'(\d+) succeeded', open(h2out).read()).group(1))
truth = len(logged) + h2ok
seen = len(http1 & logged) + min(h2, h2ok)
wrong = len(http1 - logged) + max(0, h2 - h2ok)
if name == 'msg':
    for w in sorted(http1 - logged)[:3]:
        print(f"# {name}: not logged {w}; logged on that port: {sorted(x for x in logged if x[0] == w[0])[:3]}", file=sys.stderr)
k = stats['kernel']
pkts = k['pkts'] + k.get('gso_extra_segs', 0)
if 'afxdp' in stats:
    recs, byts, lost = stats['afxdp']['received'], stats['afxdp']['received_bytes'], \
        stats['afxdp']['rx_dropped'] + stats['afxdp']['rx_ring_full']
else:
    recs, byts = stats['ringbuf']['records'], stats['ringbuf']['bytes']
    lost = k['loss_ringbuf_full'] + k['loss_load_bytes']
m = max(pkts, 1) / 1e6
row = dict(name=name, truth=truth, seen=seen, wrong=wrong, partial=partial, pkts=pkts, recs=recs, bytes=byts,
           lost=lost, proc=int(proc) / 1e9 / m, all=int(allc) / int(hz) / m,
           skipped=k.get('msg_skipped_bytes', 0),
           why={n: k.get(n, 0) for n in ('msg_unhinted', 'msg_mid_copies', 'msg_h2_frames',
                                         'msg_h2_resyncs', 'msg_h2_unsynced', 'capture_truncated')})
with open(rows, 'a') as f:
    f.write(json.dumps(row) + '\n')
PY
}
flows_ended() { [ "$(grep -c '"event_type":"flow".*"proto":"TCP"' "$1" 2>/dev/null)" -ge $((CLIENTS * ROUNDS + 2)) ]; }

echo "# steering on veth, $(nproc) CPUs: $CLIENTS clients x $ROUNDS keep-alive connections x 20 HTTP/1.1 requests, h2load $H2 streams"
: >"$TMP/rows.txt"
run head "$IF_SRV" --steer head
run msg "$IF_SRV" --steer msg
run snip "$IF_SRV" --steer snip
run tap wcap1 --tap --umem-frames 16384
python3 - "$TMP/rows.txt" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
snip = next((r for r in rows if r['name'] == 'snip'), None)
head = next((r for r in rows if r['name'] == 'head'), None)
tap = next((r for r in rows if r['name'] == 'tap'), None)
print(f"{'steering':10} {'seen/truth':>11} {'part':>5} {'wrong':>5} {'wire_pkts':>9} {'records':>8} {'MB_to_user':>10} "
      f"{'rec/tx':>7} {'kB/tx':>7} {'of_snip':>7} {'of_wire':>7} {'lost':>5} {'cpu_s/Mp':>8} {'vs_head':>7} {'cpu_us/tx':>9} {'all_s/Mp':>8}")
for r in rows:
    tx = max(r['seen'], 1)
    share = r['bytes'] / snip['bytes'] if snip and snip['bytes'] else 0
    vs = r['proc'] / head['proc'] if head and head['proc'] else 0
    wire = r['bytes'] / tap['bytes'] if tap and tap['bytes'] else 0
    per_tx = r['proc'] * r['pkts'] / 1e6 / tx * 1e6
    print(f"{r['name']:10} {r['seen']:>5}/{r['truth']:<5} {r['partial']:>5} {r['wrong']:>5} {r['pkts']:>9} {r['recs']:>8} "
          f"{r['bytes'] / 1e6:>10.2f} {r['recs'] / tx:>7.2f} {r['bytes'] / tx / 1e3:>7.2f} {share:>6.1%} {wire:>6.1%} "
          f"{r['lost']:>5} {r['proc']:>8.3f} {vs:>6.2f}x {per_tx:>9.1f} {r['all']:>8.3f}")
for r in rows:
    if r['name'] == 'msg':
        print('# msg: kernel skipped %.2f MB; %s' % (r['skipped'] / 1e6, ' '.join(f'{k} {v}' for k, v in r['why'].items())))
PY
echo "# seen/truth: transactions xdpi reported that the servers logged (nginx's log by connection,"
echo "# method, path and status; h2load's succeeded streams) / all they logged; part: HTTP/1"
echo "# transactions reported without their request or response; wrong: reported whole, not"
echo "# logged. records, MB_to_user: what crossed to user space (ring buffer records, or AF_XDP"
echo "# frames in tap mode); of_snip, of_wire: bytes as a share of snip's, and of tap's (every"
echo "# frame whole: what the wire carried). cpu_s/Mp: the xdpi process (all its threads) per"
echo "# million wire packets (the kernel's count, GSO segments included); vs_head: that against"
echo "# head's; cpu_us/tx: its CPU per transaction seen; all_s/Mp: every CPU, clients, servers"
echo "# and the kernel included."

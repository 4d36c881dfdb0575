#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo: a two-namespace lab (198.18.0.0/24, fd00::/64) with nginx and dnsmasq on one
# side, xdpi attached live to the server's veth, real clients (curl, dig, ping) driven for a
# bounded time; then what xdpi saw, a few EVE lines, and teardown (also on Ctrl-C).
set -u
. "$(dirname "$0")/../tests/e2e/lib.sh"
if [ "$(id -u)" != 0 ]; then
	echo "make demo needs root (it creates network namespaces and attaches XDP)"; exit 1
fi
DEMO_SECONDS=${DEMO_SECONDS:-8}

echo "== lab: $NS_CLI ($IP_CLI, $IP6_CLI) <-veth-> $NS_SRV ($IP_SRV, $IP6_SRV)"
lab_up || { echo "lab setup failed"; exit 1; }
start_nginx || { echo "nginx did not start"; exit 1; }
start_dnsmasq || { echo "dnsmasq did not start"; exit 1; }
echo "== servers: nginx :80, dnsmasq :53 in $NS_SRV"
start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --flow-timeout 2 --stats-interval 2 ||
	{ cat "$TMP/xdpi.log"; exit 1; }
echo "== $(grep 'attached to' "$TMP/xdpi.log")"
echo "== driving clients for $DEMO_SECONDS s: curl (HTTP/1.1, keep-alive, IPv6, POST), dig (UDP, TCP), ping"
cli() { ip netns exec "$NS_CLI" "$@"; }
end=$((SECONDS + DEMO_SECONDS)); n=0
while [ $SECONDS -lt $end ] && [ $n -lt 200 ]; do
	n=$((n + 1))
	cli curl -s -o /dev/null "http://$IP_SRV/?i=$n" -o /dev/null "http://$IP_SRV/big.txt"
	cli curl -s -o /dev/null -g "http://[$IP6_SRV]/"
	cli curl -s -o /dev/null --data "n=$n" "http://$IP_SRV/echo"
	cli dig +short +time=1 +tries=1 @$IP_SRV "host$n.lab.test" A >/dev/null
	[ $((n % 3)) -eq 0 ] && cli dig +short +tcp +time=1 +tries=1 @$IP_SRV lab.test TXT >/dev/null
	cli ping -c 1 -W 1 $IP_SRV >/dev/null
done
echo "== $n rounds; letting idle flows time out, then stopping xdpi (SIGTERM)"
wait_until 5 false
stop_bg "$XDPI_PID" TERM
echo "== $(grep 'detached' "$TMP/xdpi.log"); XDP on the link now: $(xdp_on_link && echo yes || echo none)"
echo
python3 - "$TMP/eve.json" <<'PY'
import collections, json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
flows = [e for e in ev if e['event_type'] == 'flow']
stats = [e for e in ev if e['event_type'] == 'stats'][-1]['stats']
k = stats['xdpi']['kernel']
by = collections.defaultdict(lambda: collections.Counter())
for f in flows:
    svc = f"{f['proto']} {f['dest_ip']}{':' + str(f['dest_port']) if 'dest_port' in f else ''}"
    c = by[svc]; fl = f['flow']
    c['flows'] += 1; c['pkts'] += fl['pkts_toserver'] + fl['pkts_toclient']
    c['bytes'] += fl['bytes_toserver'] + fl['bytes_toclient']; c['inspected'] += f['xdpi']['pkts_inspected']
print(f"{'service':28} {'flows':>6} {'packets':>8} {'bytes':>10} {'to user space':>14}")
for svc, c in sorted(by.items()):
    print(f"{svc:28} {c['flows']:6} {c['pkts']:8} {c['bytes']:10} {c['inspected']:14}")
print()
wire = k['pkts'] + k.get('gso_extra_segs', 0) # a GSO skb counts as the segments it becomes
print(f"kernel fast path: {wire} packets on the wire ({k['pkts']} seen, {k.get('gso_skbs', 0)} of them GSO), "
      f"{k['flow_new']} flows, {k['captured_pkts']} records to user space ({k['captured_bytes']} of "
      f"{k['bytes']} bytes, {100.0 * k['captured_bytes'] / max(k['bytes'], 1):.0f}%; "
      f"{k.get('msg_skipped_bytes', 0)} body bytes skipped in the kernel), "
      f"ring buffer losses {k['loss_ringbuf_full']}, malformed {k['malformed']}")
apps = collections.Counter(e['event_type'] for e in ev if e['event_type'] not in ('flow', 'stats'))
print(f"application events: {dict(sorted(apps.items()))}")
print()
print("a few EVE lines:")
shown = set()
for e in ev:
    key = (e['event_type'], e.get('proto'), e.get('dest_port'))
    if e['event_type'] == 'stats' or key in shown: continue
    shown.add(key)
    print(json.dumps(e))
PY

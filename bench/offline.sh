#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Offline throughput, one core each, same input: xdpi read (user space, and through the
# kernel), ndpiReader -i, tshark -r extracting 16 fields, tcpdump -r as a floor. The input is
# every Ethernet capture of the corpus concatenated REPEAT times (mergecap -a).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/corpus_input.sh
bytes=$(stat -c %s "$input")
echo "# offline: $input, $pkts packets, $((bytes / 1000000)) MB; taskset -c 1 (one core); best of 3 wall times"

FIELDS="-e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport
-e udp.srcport -e udp.dstport -e frame.len -e tcp.flags -e dns.qry.name -e http.host -e http.request.uri
-e tls.handshake.extensions_server_name -e http.response.code"

measure() { # name cmd...
	local name=$1; shift
	local best=999999 rss=0 t m
	for _ in 1 2 3; do
		/usr/bin/time -f "%e %M" -o "$out/time.txt" taskset -c 1 "$@" >/dev/null 2>&1 || true
		read -r t m <"$out/time.txt"
		best=$(python3 -c "print(min($best, $t))")
		[ "$m" -gt "$rss" ] && rss=$m
	done
	python3 -c "
t = max($best, 0.001)
print(f'{\"$name\":34} {t:8.2f} s {$pkts / t / 1e6:8.3f} Mpps {$bytes / t / 1e6:9.1f} MB/s {$rss / 1024:8.1f} MB RSS')"
	echo "$name $best" >>"$out/offline_times.txt"
}
: >"$out/offline_times.txt"
measure "xdpi read" build/xdpi read -o /dev/null "$input"
if [ "$(id -u)" = 0 ]; then
	measure "xdpi read --through-kernel" build/xdpi read --through-kernel -o /dev/null "$input"
fi
measure "ndpiReader -i" ndpiReader -q -i "$input"
# shellcheck disable=SC2086
measure "tshark -r (16 fields)" tshark -n -r "$input" -T fields $FIELDS
measure "tcpdump -r (floor)" tcpdump -n -r "$input" -w /dev/null
python3 - "$out/offline_times.txt" <<'PY'
import sys
t = dict(l.rsplit(' ', 1) for l in open(sys.argv[1]).read().splitlines())
x = float(t['xdpi read'])
for k, v in t.items():
    if k != 'xdpi read':
        print(f'  xdpi read is {float(v) / x:6.1f}x the speed of {k}')
PY

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The LLM view's cost, offline, on one core: a generated capture of streamed completions
# (bench/gen_llm.py: OpenAI SSE, Anthropic SSE, Ollama NDJSON in turn, K chunks each) read by
# xdpi with the LLM view and with --no-llm (the view's own cost), by tshark dissecting the
# same HTTP, and by ndpiReader; calls per second are the capture's calls over the best of
# three wall times. Then the memory an open stream holds: every call's request and half its
# response first, then the rest, so all N are open at once; peak RSS over N, with and
# without the view.  N=30000 K=20 bench/llm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-30000} K=${K:-20}
out=$(mktemp -d /tmp/xdpi-bench-llm.XXXXXX)
trap 'rm -rf "$out"' EXIT
python3 bench/gen_llm.py "$N" "$K" "$out/calls.pcap"
python3 bench/gen_llm.py "$N" "$K" "$out/open.pcap" 1
pkts=$(capinfos -Tcr "$out/calls.pcap" | awk -F'\t' '{ print $2 }')
echo "# llm: $N calls ($K chunks each), $pkts packets; taskset -c 1; best of 3 wall times"

best() { # name cmd...: prints "name seconds peakKB"
	local name=$1 b=999999 rss=0 t m; shift
	for _ in 1 2 3; do
		/usr/bin/time -f "%e %M" -o "$out/t" taskset -c 1 "$@" >/dev/null 2>&1 || true
		read -r t m <"$out/t"
		b=$(python3 -c "print(min($b, $t))")
		[ "$m" -gt "$rss" ] && rss=$m
	done
	echo "$name $b $rss"
}
{
	best "xdpi_read_llm" build/xdpi read -o /dev/null "$out/calls.pcap"
	best "xdpi_read_no_llm" build/xdpi read --no-llm -o /dev/null "$out/calls.pcap"
	best "tshark_http" tshark -n -r "$out/calls.pcap" -Y http -T fields -e http.request.uri -e http.response.code
	best "ndpiReader" ndpiReader -q -i "$out/calls.pcap"
	best "open_llm" build/xdpi read -o /dev/null "$out/open.pcap"
	best "open_no_llm" build/xdpi read --no-llm -o /dev/null "$out/open.pcap"
} >"$out/results.txt"
events=$(build/xdpi read -o - "$out/calls.pcap" 2>/dev/null | grep -c '"event_type":"llm"')
python3 - "$out/results.txt" "$N" "$events" <<'PY'
import sys
r = {l.split()[0]: (float(l.split()[1]), int(l.split()[2])) for l in open(sys.argv[1])}
n, events = int(sys.argv[2]), int(sys.argv[3])
x = r['xdpi_read_llm'][0]
print(f'llm events: {events} of {n} calls')
for k, label in [('xdpi_read_llm', 'xdpi read (LLM view)'), ('xdpi_read_no_llm', 'xdpi read --no-llm'),
                 ('tshark_http', 'tshark -Y http (2 fields)'), ('ndpiReader', 'ndpiReader -i')]:
    t = max(r[k][0], 0.001)
    print(f'{label:28} {t:7.2f} s {n / t:10.0f} calls/s   {t / x:5.2f}x xdpi')
lo, no = r['open_llm'][1] * 1024, r['open_no_llm'][1] * 1024
print(f'open streams: {n}; peak RSS {lo / 1e6:.1f} MB with the view, {no / 1e6:.1f} MB without: '
      f'{lo / n:.0f} bytes per open stream, {(lo - no) / n:.0f} of them the view\'s')
PY

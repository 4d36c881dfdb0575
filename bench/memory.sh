#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Memory a flow costs: peak RSS reading N concurrent flows (bench/gen_flows.py: half DNS,
# half HTTP) minus peak RSS reading 1000 of them, over the difference in flows; xdpi read
# (all dissectors on) and ndpiReader -i on the same files.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200000}
out=build/bench
mkdir -p "$out"
[ -s "$out/flows-$N.pcap" ] || python3 bench/gen_flows.py "$N" "$out/flows-$N.pcap"
[ -s "$out/flows-1000.pcap" ] || python3 bench/gen_flows.py 1000 "$out/flows-1000.pcap"
rss() { /usr/bin/time -f "%M" -o "$out/rss.txt" "$@" >/dev/null 2>&1 || true; cat "$out/rss.txt"; }
echo "# memory per flow: (peak RSS with $N flows - with 1000) / $((N - 1000)); half DNS/UDP, half HTTP/TCP"
: >"$out/memory_per_flow.txt"
for tool in "xdpi read" "ndpiReader -i"; do
	if [ "$tool" = "xdpi read" ]; then
		big=$(rss build/xdpi read --max-flows $((N * 2)) -o /dev/null "$out/flows-$N.pcap")
		small=$(rss build/xdpi read -o /dev/null "$out/flows-1000.pcap")
	else
		big=$(rss ndpiReader -q -i "$out/flows-$N.pcap")
		small=$(rss ndpiReader -q -i "$out/flows-1000.pcap")
	fi
	python3 -c "print(f'{\"$tool\":16} {($big - $small) * 1024 / ($N - 1000):8.0f} bytes/flow   (peak RSS {$big / 1024:.1f} MB)')"
	echo "$tool $((big - small))" >>"$out/memory_per_flow.txt"
done
# issue 18's ratio, same run
python3 - "$out/memory_per_flow.txt" <<'PY'
import sys
d = dict(l.rsplit(' ', 1) for l in open(sys.argv[1]).read().splitlines())
print(f"  xdpi read holds {int(d['xdpi read']) / max(int(d['ndpiReader -i']), 1):.2f}x ndpiReader's memory per flow")
PY

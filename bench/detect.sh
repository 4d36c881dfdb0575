#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Detection cost, one core, same input in one run: xdpi read with no rules and no anomaly
# detectors, with the anomaly detectors (the default), and with the whole ET open 2019
# snapshot loaded (Suricata's default variables). The input is every Ethernet capture of the
# corpus (the largest included) concatenated REPEAT times, as bench/offline.sh: alone, each
# capture is too small to time against the rules' load. Loading the rules is timed apart
# (`xdpi rules check`) and subtracted.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/corpus_input.sh
RULES=${RULES:-../shared/rules/et-open-2019}

best_of_3() { # prints "seconds rss_kb" of the fastest of three runs of CMD
	local best=999999 rss=0 t m
	for _ in 1 2 3; do
		/usr/bin/time -f "%e %M" -o "$out/time.txt" taskset -c 1 "$@" >/dev/null 2>&1 || true
		read -r t m < <(tail -1 "$out/time.txt")
		best=$(python3 -c "print(min($best, $t))")
		[ "$m" -gt "$rss" ] && rss=$m
	done
	echo "$best $rss"
}

read -r load _ < <(best_of_3 build/xdpi rules check -q "$RULES"/*.rules)
nrules=$(build/xdpi rules check -q "$RULES"/*.rules | awk '/^loaded/ { print $2 }' || true)
echo "# detection: ET open 2019, $nrules rules loaded in $load s (best of 3, one core)"
bench_one() { # file
	local f=$1 pkts base anom full rss alerts
	pkts=$(capinfos -c -M "$f" | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }')
	read -r base _ < <(best_of_3 build/xdpi read --no-anomaly -o /dev/null "$f")
	read -r anom _ < <(best_of_3 build/xdpi read -o /dev/null "$f")
	read -r full rss < <(best_of_3 build/xdpi read --rules "$RULES/*.rules" -o /dev/null "$f")
	alerts=$(build/xdpi read --rules "$RULES/*.rules" "$f" 2>/dev/null | grep -c '"event_type":"alert"' || true)
	python3 - "$f" "$pkts" "$base" "$anom" "$full" "$load" "$rss" "$alerts" <<'PY'
import os, sys
f, pkts, base, anom, full, load, rss, alerts = sys.argv[1:]
pkts, base, anom, full, load = int(pkts), float(base), float(anom), float(full), float(load)
inspect = max(full - load, 0.001)
mpps = lambda t: pkts / max(t, 0.001) / 1e6
print(f"{os.path.basename(f)}: {pkts} packets")
print(f"  no rules, no detectors   {base:7.2f} s  {mpps(base):6.3f} Mpps")
print(f"  anomaly detectors        {anom:7.2f} s  {mpps(anom):6.3f} Mpps  ({anom / max(base, 0.001):.2f}x the time)")
print(f"  + ET ruleset             {full:7.2f} s  (load {load:.2f} s + inspect {inspect:.2f} s)  "
      f"{mpps(inspect):6.3f} Mpps inspecting, {int(rss) / 1024:.0f} MB RSS, {alerts} alerts")
print(f"  ratio: inspecting with the ruleset runs at {base / inspect:.2f} of the no-rules speed")
PY
}
bench_one "$input"

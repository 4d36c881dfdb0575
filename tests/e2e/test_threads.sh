#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# xdpi's threads under ThreadSanitizer (xdpi built with -fsanitize=thread in build-tsan/).
# Offline: the largest corpus captures with three workers, the anomaly detectors and a DNS
# rule file (the workers share the detectors, the DNS names and the output; each reads the
# file), and one capture through the kernel's programs. Live, with the corpus replayed by tcpreplay: host
# mode with two workers while /metrics is scraped (the metrics sum every engine's counters),
# and tap mode (AF_XDP) with two workers (their stats events read the socket's counters).
# Each run must see its packets, and any ThreadSanitizer report fails.
. "$(dirname "$0")/lib.sh"
e2e_require_root
trap teardown EXIT

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TSAN_XDPI=$ROOT/build-tsan/xdpi
RULES=$SHARED/rules/et-open-2019/emerging-dns.rules
echo "building $TSAN_XDPI"
make -s -C "$ROOT" OUT=build-tsan CC="gcc -fsanitize=thread" build-tsan/xdpi >"$TMP/build.log" 2>&1 ||
	{ tail -5 "$TMP/build.log"; echo "FAIL the ThreadSanitizer build"; exit 1; }
export TSAN_OPTIONS="halt_on_error=0 report_signal_unsafe=0 log_path=$TMP/tsan"
reports() { cat "$TMP"/tsan.* 2>/dev/null | grep -c "WARNING: ThreadSanitizer"; }
first_report() { cat "$TMP"/tsan.* 2>/dev/null | grep -m1 -A12 "WARNING: ThreadSanitizer" | sed 's/^/  /'; }
no_reports() {
	local n
	n=$(reports)
	[ "$n" = 0 ] && return 0
	first_report
	rm -f "$TMP"/tsan.* # one run's reports are said once
	return 1
}

# offline: the twelve largest captures (the most packets for the threads to meet over; every
# capture takes the suite a minute more), three workers
runs=0 flows=0
for p in $(ls -S "$SHARED"/corpus/*.pcap "$SHARED"/corpus/*.pcapng 2>/dev/null | head -12); do
	runs=$((runs + 1))
	n=$("$TSAN_XDPI" read --workers 3 --rules "$RULES" -o - "$p" 2>/dev/null | grep -c '"event_type":"flow"')
	flows=$((flows + n))
done
check "offline: $runs captures, three workers, detectors and rules: $flows flow records" [ "$flows" -gt 0 ]
check "offline: no ThreadSanitizer report" no_reports

big=$(ls -S "$SHARED"/corpus/*.pcap | head -1)
n=$("$TSAN_XDPI" read -k --workers 3 -o - "$big" 2>/dev/null | grep -c '"event_type":"flow"')
check "through the kernel, three workers: $n flow records of $(basename "$big")" [ "$n" -gt 0 ]
check "through the kernel: no ThreadSanitizer report" no_reports

# live: the corpus's Ethernet captures replayed at the server's link
lab_up || { echo "FAIL lab setup"; exit 1; }
mapfile -t eth < <(awk -F'\t' 'NR > 1 && $3 == "ether" { print $1 }' "$SHARED/corpus/SUMMARY.tsv")
replay() {
	local p
	for p in "${eth[@]}"; do
		in_net "$NS_CLI" timeout 20 tcpreplay -q --topspeed -i "$IF_CLI" "$SHARED/corpus/$p" >/dev/null 2>&1
	done
}
kernel_pkts() { grep '"event_type":"stats"' "$1" | tail -1 | jq '.stats.xdpi.kernel.pkts // 0'; }

XDPI=$TSAN_XDPI start_xdpi "$TMP/host.log" -o "$TMP/host.json" --workers 2 --stats-interval 1 \
	--metrics 127.0.0.1:9471 || { cat "$TMP/host.log"; echo "FAIL xdpi did not start"; exit 1; }
pid=$XDPI_PID
scrapes=0
replay &
rp=$!
while alive "$rp"; do # scrape while the workers count
	in_net "$NS_SRV" curl -sf --max-time 2 http://127.0.0.1:9471/metrics >"$TMP/metrics.txt" &&
		grep -q '^xdpi_flows_active ' "$TMP/metrics.txt" && scrapes=$((scrapes + 1))
	sleep 0.2
done
wait "$rp"
stop_bg "$pid" TERM
check "host mode, two workers: $(kernel_pkts "$TMP/host.json") packets counted, /metrics read $scrapes times" \
	test "$(kernel_pkts "$TMP/host.json")" -gt 0 -a "$scrapes" -gt 0
check "host mode with /metrics: no ThreadSanitizer report" no_reports

XDPI=$TSAN_XDPI start_xdpi "$TMP/tap.log" -o "$TMP/tap.json" --tap --workers 2 --stats-interval 1 ||
	{ cat "$TMP/tap.log"; echo "FAIL xdpi --tap did not start"; exit 1; }
pid=$XDPI_PID
replay
stop_bg "$pid" TERM
received=$(grep '"event_type":"stats"' "$TMP/tap.json" | tail -1 | jq '.stats.xdpi.afxdp.received // 0')
check "tap mode, two workers: $received packets through AF_XDP" [ "$received" -gt 0 ]
check "tap mode: no ThreadSanitizer report" no_reports
e2e_done

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Workers change nothing but speed: every corpus capture read with --workers 1 and with
# --workers 3 (more threads than this machine's cores) gives the same flow records and the
# same dns, http, tls and quic events, field for field (compared as sorted sets: workers
# write in their own order). Anomaly detectors are off: their evidence lists the flows in
# the order the threads reported them. So are names from DNS answers: the workers share
# them, but which thread read the answer before which other ended a flow is the threads'
# race, not the capture's order.
set -uo pipefail
cd "$(dirname "$0")/../.."
XDPI=${XDPI:-build/xdpi}
CORPUS=${CORPUS:-../shared/corpus}
events='select(.event_type != "stats") | del(.timestamp)'
fail=0 n=0
for p in "$CORPUS"/*.pcap "$CORPUS"/*.pcapng; do
	[ -e "$p" ] || continue
	n=$((n + 1))
	one=$("$XDPI" read --no-anomaly --no-dns-names --no-stats --workers 1 "$p" 2>/dev/null | jq -c "$events" | sort | md5sum)
	three=$("$XDPI" read --no-anomaly --no-dns-names --no-stats --workers 3 "$p" 2>/dev/null | jq -c "$events" | sort | md5sum)
	if [ "$one" != "$three" ]; then
		echo "FAIL workers: $(basename "$p"): --workers 3 differs from --workers 1"
		fail=1
	fi
done
echo "workers: $n captures, --workers 3 $([ $fail = 0 ] && echo "identical to" || echo "NOT identical to") --workers 1"

# Many flows ending at once (40,000 left open, ended by the file's end): far more events than
# a worker's event ring holds. Reading a file, a worker waits for the output instead of
# dropping: every one of them is written, as with one worker.
big=$(mktemp /tmp/xdpi-workers.XXXXXX.pcap)
trap 'rm -f "$big"' EXIT
python3 bench/gen_flows.py 40000 "$big"
one=$("$XDPI" read --no-anomaly --no-dns-names --no-stats --workers 1 "$big" 2>/dev/null | wc -l)
two=$("$XDPI" read --no-anomaly --no-dns-names --no-stats --workers 2 "$big" 2>/dev/null | wc -l)
if [ "$one" -lt 60000 ] || [ "$one" != "$two" ]; then
	echo "FAIL workers: 40,000 flows: $one events with one worker, $two with two"
	fail=1
else
	echo "workers: 40,000 flows ending at once: $two events with two workers, as with one"
fi
exit $fail

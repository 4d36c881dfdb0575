#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What --tls-plaintext costs an HTTPS service (root): nginx with TLS (OpenSSL) under h2load
# (HTTP/1.1 over TLS, keep-alive, CONC connections), the same load three ways in one run, in
# turn and ROUNDS times: no xdpi; xdpi run attached; xdpi run --tls-plaintext (uprobes on
# OpenSSL in nginx and h2load). For each: requests per second, p50 and p99 latency (h2load's
# own per-request log), and for the probes also what they report: requests xdpi saw against
# h2load's, CPU seconds of the xdpi process per 1,000 requests, and plaintext bytes copied per
# request. Prints figures with units; the ratios are what to compare (the machine is noisy).
#   REQS requests per run (default 20000), CONC connections (default 8), ROUNDS (default 3)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/e2e/lib.sh"
REQS=${REQS:-20000}
CONC=${CONC:-8}
ROUNDS=${ROUNDS:-3}
[ "$(id -u)" = 0 ] || { echo "# tls_plaintext: needs root"; exit 0; }
for t in nginx h2load; do
	command -v $t >/dev/null || { echo "# tls_plaintext: $t missing"; exit 0; }
done
lab_up || { echo "lab setup failed"; exit 1; }
NGINX_EXTRA='location /api/ { return 200 "{\"ok\":true}\n"; }'
start_nginx || { echo "nginx failed"; exit 1; }

# load NAME: one h2load run; prints "rps p50_ms p99_ms succeeded"
load() {
	in_net "$NS_CLI" h2load --h1 -n "$REQS" -c "$CONC" -m 1 --log-file="$TMP/$1.log" \
		"https://$IP_SRV/api/items" >"$TMP/$1.out" 2>&1
	python3 - "$TMP/$1.log" "$TMP/$1.out" <<'PY'
import re, sys
lat = sorted(int(l.split()[2]) for l in open(sys.argv[1]) if l.strip())
out = open(sys.argv[2]).read()
rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out).group(1))
ok = int(re.search(r"(\d+) succeeded", out).group(1))
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] / 1000.0
print(f"{rps:.0f} {q(0.50):.3f} {q(0.99):.3f} {ok}")
PY
}

cpu_s() { awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat"; } # utime + stime, 100 Hz

echo "# tls_plaintext: nginx + h2load, HTTP/1.1 over TLS 1.3, $REQS requests x $CONC connections, $ROUNDS rounds"
for r in $(seq 1 "$ROUNDS"); do
	read -r rps0 p50_0 p99_0 ok0 < <(load "none-$r")
	start_xdpi "$TMP/x-$r.log" -o /dev/null --stats-interval 0 ||
		{ echo "xdpi did not attach"; exit 1; }
	read -r rps1 p50_1 p99_1 ok1 < <(load "xdpi-$r")
	stop_bg "$XDPI_PID" TERM
	start_xdpi "$TMP/p-$r.log" -o "$TMP/p-$r.json" --tls-plaintext --stats-interval 0 ||
		{ echo "xdpi --tls-plaintext did not attach"; exit 1; }
	c0=$(cpu_s "$XDPI_PID")
	read -r rps2 p50_2 p99_2 ok2 < <(load "plain-$r")
	c1=$(cpu_s "$XDPI_PID")
	stop_bg "$XDPI_PID" TERM
	seen=$(jq -c 'select(.event_type=="http" and .xdpi.plaintext)' "$TMP/p-$r.json" | wc -l)
	bytes=$(jq -s '[.[] | select(.event_type=="stats") | .stats.xdpi.engine.plaintext_bytes] | last // 0' "$TMP/p-$r.json")
	lost=$(jq -s '[.[] | select(.event_type=="stats") | .stats.xdpi.tls_plaintext | .ring_full + .no_socket + .read_fault] | last // 0' "$TMP/p-$r.json")
	printf 'round %d: none %s req/s p50 %s ms p99 %s ms | xdpi %s req/s p99 %s ms | +tls-plaintext %s req/s p50 %s ms p99 %s ms\n' \
		"$r" "$rps0" "$p50_0" "$p99_0" "$rps1" "$p99_1" "$rps2" "$p50_2" "$p99_2"
	awk -v a="$rps2" -v b="$rps1" -v c="$rps0" -v s="$seen" -v o="$ok2" -v cpu0="$c0" -v cpu1="$c1" -v by="$bytes" -v l="$lost" \
		'BEGIN { printf "  probes: %.2fx the throughput of xdpi without them, %.2fx no xdpi; xdpi saw %d of %d requests (%d lost); %.3f CPU s of xdpi per 1,000 requests; %.0f plaintext bytes copied per request\n", a / b, a / c, s, o * 2 / 2, l, (cpu1 - cpu0) * 1000 / (o ? o : 1), by / (o ? o : 1) }'
done

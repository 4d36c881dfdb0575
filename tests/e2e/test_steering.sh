#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Message-aware steering with the defaults, scored against the servers' own logs: nginx over
# HTTP/1.1 keep-alive with 270 kB Content-Length bodies, gzip'd (chunked) responses, uploads
# with a length and chunked; h2load over h2c against nghttpd; a gRPC server streaming 100 kB
# messages; DNS over TCP, several queries on one connection. Every transaction's method,
# path and status equals the servers' logs (recall and precision 1.00), latencies agree with
# nginx's own, the bodies (HTTP/1 and HTTP/2 DATA) were skipped in the kernel, and every flow's packet and byte
# counts equal a capture of the wire within 0.5% (the server's TSO on).
. "$(dirname "$0")/lib.sh"
e2e_require_root

lab_up || { echo "FAIL lab setup"; exit 1; }
NGINX_HTTP_EXTRA='log_format steer "$remote_port $request_method $request_uri $status $request_time";'
NGINX_EXTRA="access_log $TMP/nginx/steer.log steer; gzip on; gzip_types text/plain; gzip_min_length 64; location /up/ { dav_methods PUT; create_full_put_path on; client_max_body_size 10m; }"
start_nginx || { echo "FAIL nginx"; cat "$TMP/nginx/error.log"; exit 1; }
start_dnsmasq || { echo "FAIL dnsmasq"; exit 1; }
head -c 20000 /dev/urandom | base64 >"$TMP/www/mid.txt"
head -c 30000 /dev/urandom | base64 >"$TMP/www/page.txt"
run_bg "$NS_SRV" "$TMP/nghttpd.log" nghttpd --no-tls -a $IP_SRV -d "$TMP/www" 8080
run_bg "$NS_SRV" "$TMP/grpc.log" /usr/bin/python3 "$(dirname "$0")/grpc_peer.py" server "$IP_SRV:50051" "$TMP/grpc-calls.log"
wait_until 10 grep -q listening "$TMP/grpc.log" || { echo "FAIL grpc server"; cat "$TMP/grpc.log"; exit 1; }
wait_until 10 cli curl -sf -o /dev/null --http2-prior-knowledge "http://$IP_SRV:8080/index.html" ||
	{ echo "FAIL nghttpd"; exit 1; }
: >"$TMP/nginx/steer.log"
dns_start=$(wc -l <"$TMP/dnsmasq.log")
wire_capture "$NS_SRV" "$IF_SRV" "$TMP/wire.pcap" || { echo "FAIL wire capture"; exit 1; }

start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --flow-timeout 2 --stats-interval 0 ||
	{ echo "FAIL attach"; cat "$TMP/xdpi.log"; exit 1; }
check "the default steering is msg" grep -q "steering msg" "$TMP/xdpi.log"

U="http://$IP_SRV"
for i in $(seq 1 8); do # keep-alive: bodies of 270 kB, 27 kB and 24 B on one connection
	cli curl -s -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
		"$U/big.txt?c=$i" "$U/index.html?c=$i" "$U/mid.txt?c=$i" "$U/big.txt?d=$i" \
		"$U/missing?c=$i" "$U/mid.txt?d=$i"
done
for i in $(seq 1 4); do # gzip'd: chunked responses
	cli curl -s --compressed -o /dev/null -o /dev/null -o /dev/null "$U/big.txt?z=$i" \
		"$U/mid.txt?z=$i" "$U/index.html?z=$i"
done
for i in 1 2; do # uploads (nginx reads the whole body, then answers): a length, then chunked
	cli curl -s -T "$TMP/www/big.txt" -o /dev/null "$U/up/l$i.txt" -T "$TMP/www/big.txt" -o /dev/null "$U/up/m$i.txt"
	cli curl -s -T - -o /dev/null "$U/up/k$i.txt" <"$TMP/www/mid.txt"
done
cli h2load -n 60 -c 2 -m 4 "http://$IP_SRV:8080/page.txt" >"$TMP/h2load.out" 2>&1
cli /usr/bin/python3 "$(dirname "$0")/grpc_peer.py" stream "$IP_SRV:50051" 3 5 100000 ||
	echo "  grpc stream client failed"
cli dig +tcp +keepopen +time=2 +tries=1 @$IP_SRV host1.lab.test host2.lab.test host3.lab.test \
	host4.lab.test host5.lab.test host6.lab.test host7.lab.test host8.lab.test >/dev/null

# every connection closed: wait until xdpi has ended them (2 s idle), then stop it
nginx_lines=$(wc -l <"$TMP/nginx/steer.log")
all_ended() { [ "$(jq -s 'map(select(.event_type=="flow" and .proto=="TCP")) | length' "$TMP/eve.json")" -ge 25 ]; }
wait_until 20 all_ended
stop_bg "$XDPI_PID" TERM
K=$(grep '"event_type":"stats"' "$TMP/eve.json" | tail -1)
k() { echo "$K" | jq ".stats.xdpi.kernel.$1"; }
echo "  kernel: captured $(k captured_bytes) bytes in $(k captured_pkts) records, skipped $(k msg_skipped_bytes) payload bytes in $(k msg_skipped_pkts) packets, $(k msg_mid_copies) heads spliced, gso_skbs $(k gso_skbs) (+$(k gso_extra_segs) segments)"

# HTTP/1.1: what nginx logged, transaction for transaction
http_x=$(jq -r 'select(.event_type=="http" and .dest_port==80) | "\(.src_port) \(.http.http_method) \(.http.url) \(.http.status)"' "$TMP/eve.json" | sort)
http_n=$(awk '{print $1, $2, $3, $4}' "$TMP/nginx/steer.log" | sort)
echo "  nginx logged $nginx_lines transactions; xdpi reported $(echo "$http_x" | grep -c .)"
same_http() { [ "$nginx_lines" -eq 66 ] && [ "$http_x" = "$http_n" ]; }
check "HTTP/1.1: every transaction nginx logged, and no other (method, path, status, connection)" same_http
check "  each complete, the 270 kB bodies at their length" jq_ok -s \
	'map(select(.event_type=="http" and .dest_port==80)) | all(.xdpi.complete) and (map(select(.http.url | startswith("/big.txt?c"))) | all(.http.length > 270000))' "$TMP/eve.json"
check "  uploads: 270 kB with a length, 27 kB chunked, each whole" jq_ok -s \
	'map(select(.event_type=="http" and .http.http_method=="PUT")) | (map(select(.xdpi.request_body_length == 270177)) | length == 4) and (map(select(.http.url | startswith("/up/k"))) | length == 2 and all(.xdpi.request_body_length == 27019))' "$TMP/eve.json"
# latency, request head -> last response byte: tshark's http.time on the wire capture is the
# truth for the GETs (it times a response from its request's last frame, which for an upload
# is its body's end, so uploads are left to nginx's own $request_time, ms resolution)
check "the capture of the wire holds every packet (the truth below)" wire_capture_stop
python3 - "$TMP/wire.pcap" "$TMP/eve.json" "$TMP/nginx/steer.log" >"$TMP/lat.txt" <<'PY'
import json, subprocess, sys
out = subprocess.run(['tshark', '-r', sys.argv[1], '-Y', 'http.response && tcp.srcport==80',
                      '-T', 'fields', '-e', 'http.response_for.uri', '-e', 'http.time',
                      '-e', 'http.response.code'], capture_output=True, text=True).stdout
wire = {}
for line in out.splitlines():
    uri, t, code = line.split('\t')
    if t and code != '100':
        wire[uri.split('198.18.0.2', 1)[1]] = float(t) * 1000
nginx = {l.split()[2]: float(l.split()[4]) * 1000 for l in open(sys.argv[3])}
gets = ups = 0
for line in open(sys.argv[2]):
    e = json.loads(line)
    if e.get('event_type') != 'http' or e.get('dest_port') != 80:
        continue
    url, x = e['http']['url'], e['xdpi'].get('latency_us', -10**9) / 1000
    if e['http']['http_method'] == 'GET':
        gets = max(gets, abs(x - wire.get(url, 10**9)))
    else:
        ups = max(ups, abs(x - nginx.get(url, 10**9)))
print(f'{gets:.2f} {ups:.1f}')
PY
read -r lat_get lat_up <"$TMP/lat.txt"
check "  GET latencies equal tshark's on the wire within 1 ms (worst $lat_get ms)" \
	awk -v w="$lat_get" 'BEGIN { exit !(w <= 1) }'
check "  upload latencies equal nginx's \$request_time within 5 ms (worst $lat_up ms)" \
	awk -v w="$lat_up" 'BEGIN { exit !(w <= 5) }'

# HTTP/2 (h2c): as many 200 streams as h2load says succeeded
h2ok=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' "$TMP/h2load.out")
h2x=$(jq -s 'map(select(.event_type=="http" and .dest_port==8080 and .http.status==200 and .http.url=="/page.txt")) | length' "$TMP/eve.json")
h2_all() { [ "${h2ok:-0}" -eq 60 ] && [ "$h2x" -eq "$h2ok" ]; }
check "HTTP/2: every stream h2load completed ($h2x of $h2ok)" h2_all
check "  each complete with its 40 kB" jq_ok -s \
	'map(select(.event_type=="http" and .dest_port==8080 and .http.url=="/page.txt")) | all(.xdpi.complete and .http.length == 40527)' "$TMP/eve.json"

# gRPC server streaming: the calls the server logged, each with its five messages
calls_x=$(jq -r 'select(.event_type=="http" and .xdpi.grpc) | "/\(.xdpi.grpc.service)/\(.xdpi.grpc.method) \(.xdpi.grpc.status) \(.xdpi.grpc.messages_toclient)"' "$TMP/eve.json" | sort)
calls_s=$(awk '{print $1, $2, $3}' "$TMP/grpc-calls.log" | sort)
grpc_same() { [ -n "$calls_x" ] && [ "$calls_x" = "$calls_s" ]; }
check "gRPC: the server's calls with status and message count ($(echo $calls_x))" grpc_same

# DNS over TCP, eight queries on one connection
dns_x=$(jq -r 'select(.event_type=="dns" and .proto=="TCP" and .dns.type=="request") | .dns.queries[0].rrname' "$TMP/eve.json" | sort)
dns_d=$(tail -n +$((dns_start + 1)) "$TMP/dnsmasq.log" | sed -n 's/.*query\[A\] \(host[0-9].lab.test\) from.*/\1/p' | sort)
dns_same() { [ "$(echo "$dns_x" | grep -c .)" -eq 8 ] && [ "$dns_x" = "$dns_d" ]; }
check "DNS over TCP: the eight queries dnsmasq logged" dns_same
check "  and their answers" jq_ok -s 'map(select(.event_type=="dns" and .proto=="TCP" and .dns.type=="response")) | length == 8' "$TMP/eve.json"

# the kernel skipped the bodies, and counted every packet as the wire carried it
check "bodies skipped in the kernel (msg_skipped_bytes $(k msg_skipped_bytes))" [ "$(k msg_skipped_bytes)" -gt 5500000 ]
# 60 streams of HEADERS and three 16 kB DATA frames each: the kernel walked them
check "  HTTP/2 DATA payloads too: the kernel walked $(k msg_h2_frames) frame headers" [ "$(k msg_h2_frames)" -ge 180 ]
check "no record lost (loss_ringbuf_full $(k loss_ringbuf_full))" [ "$(k loss_ringbuf_full)" -eq 0 ]
bash "$SHARED/corpus/make_truth.sh" "$TMP/wire.pcap" >/dev/null 2>&1
python3 "$(dirname "$0")/../lib/flowcmp.py" --tolerance 0.005 "$TMP/wire.truth.json" "$TMP/eve.json" | tail -3 | sed 's/^/  /'
check "every flow's packets and bytes equal the wire capture's within 0.5%" \
	python3 "$(dirname "$0")/../lib/flowcmp.py" --tolerance 0.005 "$TMP/wire.truth.json" "$TMP/eve.json"
check "every event validates against Suricata's EVE schema" \
	python3 "$(dirname "$0")/../schema/validate.py" "$TMP/eve.json"
e2e_done

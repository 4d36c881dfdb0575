#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# HTTP/2 and gRPC with real peers: nghttp and curl against nghttpd (h2c, prior knowledge;
# nghttpd has no HTTP/1.1 Upgrade), a python3-grpcio client against a grpcio server. With the
# defaults (msg steering, the server's TSO on: TC egress sees 40 KB super-packets, which the
# kernel copies whole for a protocol that asks for every byte), xdpi, attached live, reports
# the streams, paths, statuses and gRPC calls the peers say they made.
. "$(dirname "$0")/lib.sh"
e2e_require_root

lab_up || { echo "FAIL lab setup"; exit 1; }
mkdir -p "$TMP/www"
echo "hello over h2" >"$TMP/www/index.html"
head -c 30000 /dev/urandom | base64 >"$TMP/www/page.txt"
run_bg "$NS_SRV" "$TMP/nghttpd.log" nghttpd -v --no-tls -a $IP_SRV -d "$TMP/www" 8080
NGHTTPD_PID=$BG_PID
run_bg "$NS_SRV" "$TMP/grpc.log" /usr/bin/python3 "$(dirname "$0")/grpc_peer.py" server "$IP_SRV:50051" "$TMP/grpc-calls.log"
wait_until 10 grep -q listening "$TMP/grpc.log" || { echo "FAIL grpc server"; cat "$TMP/grpc.log"; exit 1; }
wait_until 10 cli curl -sf -o /dev/null --http2-prior-knowledge "http://$IP_SRV:8080/index.html" ||
	{ echo "FAIL nghttpd"; cat "$TMP/nghttpd.log"; exit 1; }
req_start=$(grep -c ':path' "$TMP/nghttpd.log")

start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --flow-timeout 2 --stats-interval 0 \
	--metrics 127.0.0.1:9471 ||
	{ echo "FAIL xdpi did not attach"; cat "$TMP/xdpi.log"; exit 1; }
cli nghttp -n "http://$IP_SRV:8080/index.html" "http://$IP_SRV:8080/page.txt" || echo "nghttp failed"
cli curl -sf -o /dev/null --http2-prior-knowledge "http://$IP_SRV:8080/missing" ; true
cli /usr/bin/python3 "$(dirname "$0")/grpc_peer.py" client "$IP_SRV:50051" 3 || echo "grpc client failed"
wait_until 15 bash -c "[ \$(grep -c '\"event_type\":\"flow\"' '$TMP/eve.json') -ge 4 ]"
# the per-endpoint API series of HTTP/2 and gRPC (a gRPC error is an error whatever its HTTP 200)
series() { in_net "$NS_SRV" curl -sf --max-time 2 http://127.0.0.1:9471/metrics | awk -v k="$1" '$1 == k { print $2 }'; }
series_is() { [ "$(series "$1")" = "$2" ]; }
check "API metrics: gRPC SayHello, 3 requests (2xx)" wait_until 5 series_is \
	'xdpi_api_requests_total{service="198.18.0.2:50051",method="POST",route="/greet.Greeter/SayHello",status_class="2xx"}' 3
check "API metrics: gRPC Missing (NOT_FOUND) counts as an error" series_is \
	'xdpi_api_errors_total{service="198.18.0.2:50051",method="POST",route="/greet.Greeter/Missing"}' 1
check "API metrics: the HTTP/2 404" series_is \
	'xdpi_api_requests_total{service="198.18.0.2:8080",method="GET",route="/missing",status_class="4xx"}' 1
check "API metrics: gRPC latency histogram" series_is \
	'xdpi_api_request_duration_seconds_count{service="198.18.0.2:50051",method="POST",route="/greet.Greeter/SayHello"}' 3
stop_bg "$XDPI_PID" TERM

h2=$(jq -r 'select(.event_type=="http" and .http.protocol=="HTTP/2" and .dest_port==8080) | "\(.http.url) \(.http.status)"' "$TMP/eve.json" | sort)
echo "  HTTP/2 streams seen by xdpi: $(echo "$h2" | tr '\n' ';')"
# nghttpd -v prints every request's :path; those after xdpi attached are what it served
served=$(tail -n +1 "$TMP/nghttpd.log" | grep -o ':path: [^ ]*' | tail -n +$((req_start + 1)) | awk '{print $2}' | sort)
check "every path nghttpd served is an HTTP/2 stream xdpi reported" \
	[ "$(echo "$h2" | awk '{print $1}' | grep -v '^/$' | sort)" = "$(echo "$served" | grep -v '^/$')" ]
check "h2c prior knowledge: /page.txt 200 with its length" jq_ok -s \
	'map(select(.event_type=="http" and .http.protocol=="HTTP/2" and .http.url=="/page.txt" and .http.status==200 and .http.length > 30000)) | length == 1' "$TMP/eve.json"
check "a 404 over HTTP/2" jq_ok -s 'map(select(.event_type=="http" and .http.url=="/missing" and .http.status==404)) | length == 1' "$TMP/eve.json"
check "HTTP/2 flows carry app_proto http2" jq_ok -s \
	'map(select(.event_type=="flow" and .dest_port==8080)) | length >= 2 and all(.app_proto=="http2")' "$TMP/eve.json"

calls_x=$(jq -r 'select(.event_type=="http" and .xdpi.grpc) | "/\(.xdpi.grpc.service)/\(.xdpi.grpc.method) \(.xdpi.grpc.status)"' "$TMP/eve.json" | sort)
calls_s=$(awk '{print $1, $2}' "$TMP/grpc-calls.log" | sort)
echo "  gRPC calls seen by xdpi: $(echo "$calls_x" | tr '\n' ';')"
same_calls() { [ -n "$calls_x" ] && [ "$calls_x" = "$calls_s" ]; }
check "xdpi's gRPC calls are the ones the server logged (method, status)" same_calls
check "gRPC error carries grpc-message and one message each way" jq_ok -s \
	'map(select(.xdpi.grpc.method=="Missing" and .xdpi.grpc.status==5 and .xdpi.grpc.message=="no such greeting" and .xdpi.grpc.messages_toserver==1)) | length == 1' "$TMP/eve.json"
check "gRPC calls: one message each way, latency measured" jq_ok -s \
	'map(select(.xdpi.grpc.method=="SayHello" and .xdpi.grpc.messages_toserver==1 and .xdpi.grpc.messages_toclient==1 and .xdpi.latency_us >= 0)) | length == 3' "$TMP/eve.json"
check "no stream reported degraded" jq_ok -s 'map(select(.xdpi.degraded)) | length == 0' "$TMP/eve.json"
e2e_done

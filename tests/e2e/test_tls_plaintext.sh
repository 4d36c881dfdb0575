#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# TLS plaintext without keys (--tls-plaintext): nginx with TLS and HTTP/2 (OpenSSL), and as
# clients curl over HTTP/1.1 and HTTP/2 (TLS 1.3 and 1.2), nghttp, python3's http.client
# (OpenSSL's _ex calls), gnutls-cli (GnuTLS), node (OpenSSL inside the executable), and gRPC
# over TLS: grpcio through nginx, and grpcio to grpcio. node and grpcio write through memory
# BIOs (no socket call inside the TLS call): their records are counted as unattributed, and
# the server's (nginx's) view reports their requests; grpcio to grpcio has no view at all. xdpi's HTTPS transactions (method, path, status) are
# nginx's access log one for one, on the TLS flows the wire showed (the same flow_id as their
# tls event); API metrics count them per route; a connection opened before xdpi started is
# reported as joined midway; every client is a process started after xdpi (a library's
# probes cover whoever maps it later); when xdpi stops, no uprobe is left behind.
. "$(dirname "$0")/lib.sh"
e2e_require_root

lab_up || { echo "FAIL lab setup"; exit 1; }
NGINX_EXTRA="location /api/ { return 200 \"api\\n\"; } location /gone { return 410; }
    location /greet.Greeter/ { grpc_pass grpc://$IP_SRV:50051; }"
start_nginx || { echo "FAIL nginx"; exit 1; }
# gRPC: a plain grpcio server behind nginx (TLS ends in nginx: probed), and a grpcio server
# with its own TLS (through memory BIOs: nothing to tie to a connection)
GRPC=$(dirname "$0")/grpc_peer.py
run_bg "$NS_SRV" "$TMP/grpc.log" /usr/bin/python3 "$GRPC" server "$IP_SRV:50051" "$TMP/grpc-calls.log"
run_bg "$NS_SRV" "$TMP/grpcs.log" /usr/bin/python3 "$GRPC" server-tls "$IP_SRV:50052" "$TMP/grpcs-calls.log" \
	"$TMP/nginx/cert.pem" "$TMP/nginx/key.pem"
wait_until 10 grep -q listening "$TMP/grpc.log" || { echo "FAIL grpc server"; cat "$TMP/grpc.log"; exit 1; }
wait_until 10 grep -q listening "$TMP/grpcs.log" || { echo "FAIL grpc tls server"; cat "$TMP/grpcs.log"; exit 1; }
URL="https://$IP_SRV"
# a connection opened before xdpi: python keeps it open, sends a request after xdpi attached
cat >"$TMP/early.py" <<'PY'
import http.client, ssl, sys, time
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
c = http.client.HTTPSConnection(sys.argv[1], 443, context=ctx)
c.request("GET", "/api/before"); c.getresponse().read()
open(sys.argv[2], "w").write("open\n")
while not __import__("os").path.exists(sys.argv[3]):
    time.sleep(0.05)
c.request("GET", "/api/early"); c.getresponse().read()
PY
run_bg "$NS_CLI" "$TMP/early.log" python3 "$TMP/early.py" "$IP_SRV" "$TMP/early.open" "$TMP/early.go"
EARLY_PID=$BG_PID
wait_until 10 test -e "$TMP/early.open" || { echo "FAIL early client"; cat "$TMP/early.log"; exit 1; }
log_before=$(wc -l <"$TMP/nginx/access.log")

# an HTTP rule: it applies to the plaintext as to cleartext
echo 'alert http any any -> any any (msg:"xdpi e2e users API over TLS"; flow:to_server; http.uri; content:"/api/users/"; startswith; sid:9160001; rev:1;)' >"$TMP/plain.rules"
start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --tls-plaintext --flow-timeout 2 --rules "$TMP/plain.rules" \
	--stats-interval 1 --metrics 127.0.0.1:9473 ||
	{ echo "FAIL xdpi did not attach"; cat "$TMP/xdpi.log"; exit 1; }
check "the OpenSSL and GnuTLS libraries are probed" \
	grep -qE 'tls plaintext: probing .*libssl.so.3' "$TMP/xdpi.log"
# the uprobes bpftool lists (perf events with a BPF program): xdpi's, and nobody's once it stops
uprobes() { bpftool perf list 2>/dev/null | grep -c 'uprobe.*\(libssl\|libgnutls\)' || true; }

k=(-sk --max-time 5 -o /dev/null)
cli curl "${k[@]}" --http1.1 --tlsv1.3 "$URL/api/users/1" || echo "curl 1 failed"
cli curl "${k[@]}" --http1.1 --tlsv1.2 --tls-max 1.2 "$URL/api/orders?id=7" || echo "curl 2 failed"
cli curl "${k[@]}" --http2 "$URL/index.html" -o /dev/null "$URL/gone" || echo "curl 3 failed"
cli timeout 5 nghttp -n "$URL/api/nghttp" || echo "nghttp failed"
cli python3 - "$IP_SRV" <<'PY' || echo "python failed"
import http.client, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
c = http.client.HTTPSConnection(sys.argv[1], 443, context=ctx)
for p in ("/api/py/1", "/api/py/2", "/missing"):
    c.request("GET", p); c.getresponse().read()
PY
printf 'GET /api/gnutls HTTP/1.1\r\nHost: lab.test\r\nConnection: close\r\n\r\n' |
	cli timeout 5 gnutls-cli --insecure --logfile=/dev/null -p 443 "$IP_SRV" >"$TMP/gnutls.out" 2>&1 ||
	echo "gnutls-cli: $(tail -1 "$TMP/gnutls.out")"
# gRPC over TLS: grpcio's client to nginx, which is probed; and grpcio to grpcio
cli /usr/bin/python3 "$GRPC" client-tls "$IP_SRV:443" 2 "$TMP/nginx/cert.pem" || echo "grpc via nginx failed"
cli /usr/bin/python3 "$GRPC" client-tls "$IP_SRV:50052" 1 "$TMP/nginx/cert.pem" || echo "grpc tls failed"
# a process started after xdpi with its own copy of OpenSSL (as a container brings its own): the
# exec tracepoint has xdpi look at what it maps
mkdir -p "$TMP/ownlib" && cp -L /usr/lib/x86_64-linux-gnu/libssl.so.3 "$TMP/ownlib/"
cat >"$TMP/own.py" <<'PY'
import http.client, os, ssl, sys, time
open(sys.argv[2], "w").write(str(os.getpid())) # the TLS library is mapped (import ssl)
for _ in range(200): # until the test saw xdpi attach to this copy (10 s at most)
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.05)
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
c = http.client.HTTPSConnection(sys.argv[1], 443, context=ctx)
c.request("GET", "/api/own-copy"); c.getresponse().read()
PY
run_bg "$NS_CLI" "$TMP/own.log" env LD_LIBRARY_PATH="$TMP/ownlib" python3 "$TMP/own.py" "$IP_SRV" \
	"$TMP/own.pid" "$TMP/own.go"
OWN_PID=$BG_PID
wait_until 10 test -s "$TMP/own.pid"
own_probed() { grep -q "probing /proc/$(cat "$TMP/own.pid")/root.*/ownlib/libssl.so.3" "$TMP/xdpi.log"; }
wait_until 10 own_probed
touch "$TMP/own.go"
wait_gone "$OWN_PID" 10
# node: OpenSSL inside the executable, memory BIOs (no socket call inside SSL_write)
cli node -e '
const https = require("https");
https.get({ host: process.argv[1], port: 443, path: "/api/node", rejectUnauthorized: false },
	(r) => { r.resume(); r.on("end", () => process.exit(0)); }).on("error", () => process.exit(1));
' "$IP_SRV" || echo "node failed"
touch "$TMP/early.go"
wait_gone "$EARLY_PID" 10
log_total=$(wc -l <"$TMP/nginx/access.log")
# what nginx logged after xdpi attached: "METHOD PATH STATUS", the early connection's first
# request (before xdpi) left out
awk -v from="$log_before" 'NR > from { print $6, $7, $9 }' "$TMP/nginx/access.log" |
	tr -d '"' | sort >"$TMP/logged.txt"
wait_until 15 bash -c "[ \$(jq -c 'select(.event_type==\"http\" and .xdpi.plaintext)' '$TMP/eve.json' | wc -l) -ge $((log_total - log_before)) ]"
in_net "$NS_SRV" curl -sf --max-time 2 http://127.0.0.1:9473/metrics >"$TMP/metrics.txt"
# the two /api/py/N requests, whatever route template they fall under
api_py=$(awk '$1 ~ /^xdpi_api_requests_total\{service="198.18.0.2:443",method="GET",route="\/api\/py\// { s += $2 } END { print s + 0 }' "$TMP/metrics.txt")
# requests per status class, the API metrics' against nginx's log after xdpi attached
classes_x=$(awk '/^xdpi_api_requests_total\{service="(198.18.0.2|lab.test):443"/ {
	c = $0; sub(/.*status_class="/, "", c); sub(/".*/, "", c); n[c] += $NF } END { for (c in n) print c, n[c] }' "$TMP/metrics.txt" | sort)
classes_n=$(awk '{ print substr($3, 1, 1) "xx" }' "$TMP/logged.txt" | sort | uniq -c | awk '{ print $2, $1 }' | sort)
before_stop=$(uprobes)
stop_bg "$XDPI_PID" TERM

jq -r 'select(.event_type=="http" and .xdpi.plaintext) | "\(.http.http_method) \(.http.url) \(.http.status)"' \
	"$TMP/eve.json" | sort >"$TMP/seen.txt"
echo "  nginx logged: $(tr '\n' ';' <"$TMP/logged.txt")"
echo "  xdpi saw:     $(tr '\n' ';' <"$TMP/seen.txt")"
check "xdpi's HTTPS transactions are nginx's access log, one for one" \
	diff "$TMP/logged.txt" "$TMP/seen.txt"
check "HTTP/1.1 over TLS 1.2 and 1.3, HTTP/2, python and GnuTLS all seen" jq_ok -s '
	[.[] | select(.event_type=="http" and .xdpi.plaintext)] as $h |
	($h | map(select(.http.protocol=="HTTP/2" and .http.url != "/greet.Greeter/SayHello" and
		.http.url != "/greet.Greeter/Missing")) | length) == 3 and
	($h | map(select(.http.url=="/api/gnutls" and .xdpi.plaintext.source=="gnutls")) | length) == 1 and
	($h | map(select(.http.url=="/api/py/2")) | length) == 1' "$TMP/eve.json"
check "the plaintext's events share the flow_id of the wire's tls event" jq_ok -s '
	([.[] | select(.event_type=="tls") | .flow_id] | unique) as $tls |
	[.[] | select(.event_type=="http" and .xdpi.plaintext and .xdpi.plaintext.midway != true) | .flow_id] |
	length > 0 and all(. as $f | $tls | index($f) != null)' "$TMP/eve.json"
calls_x=$(jq -r 'select(.event_type=="http" and .xdpi.plaintext and .xdpi.grpc) | "/\(.xdpi.grpc.service)/\(.xdpi.grpc.method) \(.xdpi.grpc.status)"' "$TMP/eve.json" | sort)
calls_s=$(awk '{print $1, $2}' "$TMP/grpc-calls.log" | sort)
echo "  gRPC over TLS seen by xdpi: $(echo "$calls_x" | tr '\n' ';') server: $(echo "$calls_s" | tr '\n' ';')"
same_calls() { [ -n "$calls_x" ] && [ "$calls_x" = "$calls_s" ]; }
check "gRPC over TLS (nginx probed): service, method and grpc-status as the server logged" same_calls
check "grpcio to grpcio (memory BIOs, nothing to tie): the flow is still reported from the wire, and counted" jq_ok -s '
	(map(select(.event_type=="tls" and .dest_port==50052)) | length) >= 1 and
	([.[] | select(.event_type=="stats") | .stats.xdpi.engine.tls_flows_without_plaintext] | last) >= 1' "$TMP/eve.json"
check "a process started later with its own copy of OpenSSL is probed" own_probed
# (which end's view reports it is whichever record came first: nginx's read can return before
# the client's write does; both are probed here)
check "... and its request is reported from the plaintext" jq_ok -s '
	map(select(.event_type=="http" and .http.url=="/api/own-copy" and .xdpi.plaintext)) | length == 1' "$TMP/eve.json"
check "the connection opened before xdpi is reported as joined midway" jq_ok -s '
	map(select(.event_type=="http" and .http.url=="/api/early" and .xdpi.plaintext.midway==true)) | length == 1' "$TMP/eve.json"
check "API metrics count the HTTPS route's requests" [ "$api_py" = 2 ]
echo "  requests per status class: xdpi $(echo "$classes_x" | tr '\n' ';') nginx $(echo "$classes_n" | tr '\n' ';')"
same_classes() { [ -n "$classes_x" ] && [ "$classes_x" = "$classes_n" ]; }
check "API metrics per status class equal nginx's log" same_classes
check "an HTTP rule fires on the plaintext, on the TLS flow" jq_ok -s '
	map(select(.event_type=="alert" and .alert.signature_id==9160001 and .app_proto=="tls" and
		.xdpi.stage=="http request")) | length == 1' "$TMP/eve.json"
check "no plaintext lost to the ring or to unreadable buffers" jq_ok -s '
	[.[] | select(.event_type=="stats") | .stats.xdpi.tls_plaintext] | last |
	.ring_full == 0 and .read_fault == 0 and .records > 0' "$TMP/eve.json"
check "memory-BIO writers (node, grpcio) are counted as unattributed, not guessed onto a flow" jq_ok -s '
	[.[] | select(.event_type=="stats") | .stats.xdpi.engine] | last |
	.plaintext_unattributed + .plaintext_no_socket > 0' "$TMP/eve.json"
check "the probes were attached while xdpi ran" [ "$before_stop" -gt 0 ]
check "no uprobe left behind once xdpi stopped" [ "$(uprobes)" = 0 ]
e2e_done

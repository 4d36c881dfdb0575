#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# xdpi attached live to a veth with real servers (nginx, dnsmasq, redis-server) and clients
# (curl, dig, ping, redis-cli): its flow records agree with what tshark sees on the same link (a capture of the wire:
# the link mirrored to a veth without offloads, so TSO super-packets count as their segments;
# make_truth.sh -> flowcmp), its stats show no loss, and a clean stop leaves nothing attached.
. "$(dirname "$0")/lib.sh"
e2e_require_root

echo "lab $NS_CLI <-> $NS_SRV"
lab_up || { echo "FAIL lab setup"; exit 1; }
# its own log with the scheme: what went over TLS is not for xdpi to see
NGINX_HTTP_EXTRA='log_format scheme "$scheme $request_method $request_uri $status";'
NGINX_EXTRA="access_log $TMP/nginx/scheme.log scheme;"
start_nginx || { echo "FAIL nginx did not start"; cat "$TMP/nginx/error.log"; exit 1; }
start_dnsmasq || { echo "FAIL dnsmasq did not start"; cat "$TMP/dnsmasq.log"; exit 1; }
# a protocol no dissector parses: an identifier names it from the bytes the kernel steered
run_bg "$NS_SRV" "$TMP/redis.log" redis-server --port 6379 --bind "$IP_SRV" --protected-mode no --save '' --appendonly no
wait_until 10 ip netns exec "$NS_SRV" redis-cli -h "$IP_SRV" PING >/dev/null ||
	{ echo "FAIL redis-server did not start"; cat "$TMP/redis.log"; exit 1; }

wire_capture "$NS_SRV" "$IF_SRV" "$TMP/link.pcap" || { echo "FAIL wire capture"; exit 1; }
dns_log_start=$(wc -l <"$TMP/dnsmasq.log")
http_log_start=$(wc -l <"$TMP/nginx/scheme.log")
start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --flow-timeout 2 --stats-interval 1 ||
	{ echo "FAIL xdpi did not attach"; cat "$TMP/xdpi.log"; exit 1; }
check "XDP program attached to the link" xdp_on_link
check "TC egress program attached to the link" tc_on_link
# the heap grows in huge pages where the kernel gives them on request (src/lib/heap.c)
heap_in_huge_pages() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6 } /^VmFlags/ && name == "[heap]" && / hg/ { found = 1 }
		END { exit !found }' "/proc/$XDPI_PID/smaps"
}
check "its heap asks for transparent huge pages (a [heap] mapping flagged hg)" heap_in_huge_pages

for i in 1 2 3; do cli curl -sf -o /dev/null "http://$IP_SRV/?n=$i"; done
cli curl -sf -o /dev/null "http://$IP_SRV/index.html" -o /dev/null "http://$IP_SRV/big.txt"  # keep-alive
cli curl -sf -o /dev/null -g "http://[$IP6_SRV]/"
cli curl -sf -o /dev/null -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/www/index.html" "http://$IP_SRV/echo"
cli curl -sf -o /dev/null -k --tlsv1.2 --tls-max 1.2 --http1.1 --resolve lab.test:443:$IP_SRV https://lab.test/
cli curl -sf -o /dev/null -k --tlsv1.3 --http2 --resolve lab.test:443:$IP_SRV https://lab.test/index.html
# one client port twice, each connection reset at its end: two connections on one tuple, the
# first bypassed in the kernel once its handshake was seen
cli python3 "$(dirname "$0")/reuse_client.py" "$IP_SRV" reuse.lab.test 40123 2 | sed 's/^/  reuse: /'
for i in 1 2 3 4; do cli dig +short +time=2 +tries=1 @$IP_SRV "host$i.lab.test" A >/dev/null; done
cli dig +short +tcp +time=2 +tries=1 @$IP_SRV lab.test TXT >/dev/null
cli ping -c 3 -i 0.2 -W 1 $IP_SRV >/dev/null
redis_answer=$(cli redis-cli -h "$IP_SRV" SET xdpi-key live)

# every connection closed; wait for xdpi to end them by timeout (2 s idle), then stop it
wait_until 15 bash -c "[ \$(grep -c '\"event_type\":\"flow\"' '$TMP/eve.json') -ge 14 ]"
stop_bg "$XDPI_PID" TERM
check "xdpi exits 0 on SIGTERM" [ $? -eq 0 ]
check "xdpi says it detached" grep -q "detached from" "$TMP/xdpi.log"
check "no XDP program left on the link" no_xdp_on_link
check "no TC program left on the link" no_tc_on_link
check "the capture of the wire holds every packet (the truth below)" wire_capture_stop

flows=$(grep -c '"event_type":"flow"' "$TMP/eve.json")
check "flow records written ($flows)" [ "$flows" -ge 14 ]
check "HTTP over IPv6 recorded" grep -q "\"dest_ip\":\"$IP6_SRV\",\"dest_port\":80" "$TMP/eve.json"
check "DNS over UDP recorded" grep -q "\"dest_port\":53,\"proto\":\"UDP\"" "$TMP/eve.json"
check "DNS over TCP recorded" grep -q "\"dest_port\":53,\"proto\":\"TCP\"" "$TMP/eve.json"
check "ICMP echo recorded" grep -q '"proto":"ICMP"' "$TMP/eve.json"
redis_flow=$(jq -c 'select(.event_type == "flow" and .dest_port == 6379)' "$TMP/eve.json" | tail -1)
check "redis-cli's SET answered ($redis_answer) and its flow named redis by content" \
	[ "$redis_answer" = OK -a "$(jq -r '"\(.app_proto) \(.xdpi.app.by)"' <<<"$redis_flow")" = "redis content" ]
last_stats=$(grep '"event_type":"stats"' "$TMP/eve.json" | tail -1)
check "stats: kernel saw packets" [ "$(echo "$last_stats" | jq '.stats.xdpi.kernel.pkts')" -gt 50 ]
check "stats: no ring buffer loss" [ "$(echo "$last_stats" | jq '.stats.xdpi.kernel.loss_ringbuf_full')" -eq 0 ]
check "stats: no malformed packets" [ "$(echo "$last_stats" | jq '.stats.xdpi.kernel.malformed')" -eq 0 ]
check "nginx served the requests" [ "$(wc -l <"$TMP/nginx/scheme.log")" -ge 7 ]

# DNS: the names xdpi reports are those dnsmasq logged after xdpi attached, with its answers
dns_x=$(jq -r 'select(.event_type=="dns" and .dns.type=="request") | .dns.queries[0].rrname + " " + .dns.queries[0].rrtype' "$TMP/eve.json" | sort -u)
dns_d=$(tail -n +$((dns_log_start + 1)) "$TMP/dnsmasq.log" | sed -n 's/.*query\[\([A-Z]*\)\] \([^ ]*\) from.*/\2 \1/p' | sort -u)
echo "  DNS requests seen by xdpi: $(echo $dns_x)"
same_dns() { [ -n "$dns_x" ] && [ "$dns_x" = "$dns_d" ]; }
check "xdpi's DNS requests are the ones dnsmasq logged" same_dns
check "DNS answer host3.lab.test A $IP_SRV, paired with its query" jq_ok --arg ip "$IP_SRV" -s \
	'map(select(.event_type=="dns" and .dns.type=="response" and .dns.queries[0].rrname=="host3.lab.test" and .dns.answers[0].rdata==$ip and .xdpi.response_time_us >= 0)) | length == 1' "$TMP/eve.json"
check "DNS over TCP: TXT answer" jq_ok -s 'map(select(.event_type=="dns" and .proto=="TCP" and .dns.answers[0].rrtype=="TXT")) | length == 1' "$TMP/eve.json"
check "flows of port 53 carry app_proto dns" jq_ok -s 'map(select(.event_type=="flow" and .dest_port==53)) | all(.app_proto=="dns")' "$TMP/eve.json"

# HTTP: every request nginx served after xdpi attached, with its status, and no other
http_x=$(jq -r 'select(.event_type=="http") | "\(.http.http_method) \(.http.url) \(.http.status)"' "$TMP/eve.json" | sort)
http_n=$(tail -n +$((http_log_start + 1)) "$TMP/nginx/scheme.log" | awk '$1 == "http" {print $2, $3, $4}' | sort)
echo "  HTTP transactions seen by xdpi: $(echo "$http_x" | tr '\n' ';')"
same_http() { [ -n "$http_x" ] && [ "$http_x" = "$http_n" ]; }
check "xdpi's HTTP transactions are the ones nginx logged" same_http
check "keep-alive: two transactions on one connection" jq_ok -s \
	'map(select(.event_type=="http")) | group_by(.flow_id) | map(length) | max == 2' "$TMP/eve.json"
# an application event joins its flow record by flow_id (the kernel's flow start and the
# first copied packet's time must be one stamp: the id is made from it)
check "every http, dns and tls event's flow_id is a flow record's" jq_ok -s \
	'([.[] | select(.event_type=="flow") | .flow_id]) as $f | [.[] | select(.event_type=="http" or .event_type=="dns" or .event_type=="tls") | .flow_id] | length > 0 and all(. as $id | $f | index($id))' "$TMP/eve.json"
check "chunked POST: request body length 24, response 200" jq_ok -s \
	'map(select(.event_type=="http" and .http.http_method=="POST" and .xdpi.request_body_length==24 and .http.status==200)) | length == 1' "$TMP/eve.json"
check "HTTP over IPv6 reported" jq_ok -s --arg ip "$IP6_SRV" 'map(select(.event_type=="http" and .dest_ip==$ip)) | length == 1' "$TMP/eve.json"
check "latency measured for answered requests" jq_ok -s 'map(select(.event_type=="http" and .xdpi.latency_us >= 0)) | length >= 6' "$TMP/eve.json"

# TLS: SNI, both versions, ALPN h2 agreed, and in TLS 1.2 the certificate nginx served
fp=$(openssl x509 -in "$TMP/nginx/cert.pem" -noout -fingerprint -sha1 | cut -d= -f2 | tr 'A-F' 'a-f')
check "TLS 1.2: SNI, http/1.1, certificate fingerprint $fp" jq_ok -s --arg fp "$fp" \
	'map(select(.event_type=="tls" and .tls.version=="TLS 1.2" and .tls.sni=="lab.test" and .tls.fingerprint==$fp and (.tls.subject | contains("CN=lab.test")))) | length == 1' "$TMP/eve.json"
# (TLS 1.3 encrypts the server's ALPN choice and certificate: neither may be reported)
check "TLS 1.3: SNI, ALPN h2 offered, JA3 and JA4, nothing encrypted reported" jq_ok -s \
	'map(select(.event_type=="tls" and .tls.version=="TLS 1.3" and .tls.sni=="lab.test" and (.tls.client_alpns | index("h2")) and (.tls | has("server_alpns") | not) and (.tls | has("fingerprint") | not) and (.tls.ja4 | startswith("t13d")) and (.tls.ja3.hash | length) == 32)) | length == 1' "$TMP/eve.json"
check "TLS flows carry app_proto tls" jq_ok -s 'map(select(.event_type=="flow" and .dest_port==443)) | length == 4 and all(.app_proto=="tls")' "$TMP/eve.json"
check "one tuple twice: two records, two handshakes, the first ended by the second's SYN" jq_ok -s \
	'(map(select(.event_type=="flow" and .src_port==40123)) | length == 2 and any(.flow.reason=="tcp_reuse")) and (map(select(.event_type=="tls" and .tls.sni=="reuse.lab.test")) | length == 2)' "$TMP/eve.json"

# tshark's view of the same link, through the corpus truth script and the same comparator
bash "$SHARED/corpus/make_truth.sh" "$TMP/link.pcap" >/dev/null 2>&1
check "tshark truth made" [ -s "$TMP/link.truth.json" ]
echo "  tshark vs xdpi:"
python3 "$(dirname "$0")/../lib/flowcmp.py" --records "$TMP/link.truth.json" "$TMP/eve.json" | sed 's/^/    /'
check "every connection agrees with tshark (its records, packets and bytes per direction)" \
	python3 "$(dirname "$0")/../lib/flowcmp.py" --records "$TMP/link.truth.json" "$TMP/eve.json" >/dev/null
e2e_done

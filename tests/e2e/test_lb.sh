#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The balancer, live: a client, a router, xdpi balancing a VIP in XDP, and nginx backends that
# unwrap IP-in-IP with `xdpi run --lb-decap` and answer the client directly (direct server
# return: the balancer sees no reply). Against the backends' own access logs and answers:
# 3,000 new connections spread by weight; held connections keep their backend while one
# backend is drained and another added live (xdpi ctl), and only the drained one's new
# connections move; a backend whose nginx stops is taken out by the active check and back
# when it returns; one that answers 500 is taken out by layer-7 health (its agent's metrics)
# while its TCP check still passes, and readmitted when fixed; a blocked source reaches no
# backend; a SYN flood at the VIP is dropped in XDP. Every lb event validates.
. "$(dirname "$0")/lib.sh"
e2e_require_root

NS_CLI=xlb-c-$SUF     # client (lib.sh's teardown removes NS_CLI and NS_SRV)
NS_SRV=xlb-l-$SUF     # the balancer
NS_GW=xlb-g-$SUF
IF_SRV=l$SUF
VIP=198.18.100.10
CLIENT=198.18.10.2
CLIENT_B=198.18.10.3
LB_IP=198.18.20.2
BACKENDS=(198.18.30.11 198.18.30.12 198.18.30.13 198.18.30.14)
HERE=$(cd "$(dirname "$0")" && pwd)
E2E_CLEANUP='for n in 1 2 3 4; do ip netns del xlb-b$n-$SUF 2>/dev/null; done; ip netns del $NS_GW 2>/dev/null'

bns() { echo "xlb-b$1-$SUF"; }

# veth A(in NS_A, ADDR_A) <-> B(in NS_B, ADDR_B)
link() {
	ip link add "$1" type veth peer name "$4" || return 1
	ip link set "$1" netns "$2" && ip link set "$4" netns "$5" || return 1
	[ -n "$3" ] && ip -n "$2" addr add "$3" dev "$1"
	[ -n "$6" ] && ip -n "$5" addr add "$6" dev "$4"
	ip -n "$2" link set "$1" up && ip -n "$5" link set "$4" up
}

topology() {
	local n ns
	for ns in "$NS_CLI" "$NS_GW" "$NS_SRV"; do ip netns add "$ns" || return 1; ip -n "$ns" link set lo up; done
	ip netns exec "$NS_GW" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
	link c$SUF "$NS_CLI" $CLIENT/24 gc$SUF "$NS_GW" 198.18.10.1/24 || return 1
	ip -n "$NS_CLI" addr add $CLIENT_B/24 dev c$SUF
	ip -n "$NS_CLI" route add default via 198.18.10.1
	link "$IF_SRV" "$NS_SRV" $LB_IP/24 gl$SUF "$NS_GW" 198.18.20.1/24 || return 1
	ip -n "$NS_SRV" route add default via 198.18.20.1
	ip netns exec "$NS_SRV" sysctl -qw net.ipv4.ip_forward=1
	# On veth nothing computes a checksum left to "hardware": the router fills them in before
	# the balancer forwards the packets as they are
	ip netns exec "$NS_GW" ethtool -K gl$SUF tx off >/dev/null
	ip -n "$NS_GW" route add $VIP/32 via $LB_IP
	ip -n "$NS_GW" link add br0 type bridge && ip -n "$NS_GW" link set br0 up
	ip -n "$NS_GW" addr add 198.18.30.1/24 dev br0
	for n in 1 2 3 4; do
		ns=$(bns $n)
		ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
		link b$n$SUF "$ns" ${BACKENDS[n - 1]}/24 g$n$SUF "$NS_GW" "" || return 1
		ip -n "$NS_GW" link set g$n$SUF master br0
		ip -n "$ns" route add default via 198.18.30.1
		ip -n "$ns" addr add $VIP/32 dev lo # the VIP, for the unwrapped packets
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	done
	PIN_SRV=$(pin_dir "$NS_SRV" "$IF_SRV")
	wait_until 5 ip netns exec "$NS_SRV" ping -c1 -W1 198.18.20.1 >/dev/null &&
		wait_until 5 ip netns exec "$NS_CLI" ping -c1 -W1 198.18.30.11 >/dev/null
}

# backend_nginx N: nginx in backend N's namespace, its access log at $TMP/bN/access.log;
# /who answers its name, unless $TMP/bN/mode.conf says otherwise (broken: 500 for all).
backend_nginx() {
	local n=$1 d=$TMP/b$1
	mkdir -p "$d"
	[ -e "$d/mode.conf" ] || echo "" >"$d/mode.conf"
	cat >"$d/nginx.conf" <<NGX
worker_processes 1;
daemon off;
user root;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 512; }
http {
  access_log $d/access.log;
  client_body_temp_path $d; proxy_temp_path $d; fastcgi_temp_path $d;
  uwsgi_temp_path $d; scgi_temp_path $d;
  server {
    listen 0.0.0.0:80 reuseport;
    listen 0.0.0.0:8080 reuseport;
    include $d/mode.conf;
    location /who { return 200 "b$n\n"; }
    location / { return 200 "ok\n"; }
  }
}
NGX
	run_bg "$(bns "$n")" "$d/stdout.log" nginx -c "$d/nginx.conf"
	eval "NGINX_$n=$BG_PID"
	wait_until 10 ip netns exec "$(bns "$n")" curl -sf -o /dev/null "http://${BACKENDS[n - 1]}/"
}

# backend_agent N: xdpi on backend N's link, unwrapping and measuring its API.
# (backend 2's drops SYNs to port 8080 without a word: a host that does not answer, for the
# passive health of the second service)
backend_agent() {
	local n=$1 rule=()
	[ "$n" = 2 ] && rule=(--port-rule 'drop tcp/8080')
	run_bg_net "$(bns "$n")" "$TMP/b$n/xdpi.log" "$XDPI" run -i b$n$SUF --lb-decap --no-pin \
		--max-flows 8192 --stats-interval 0 -o "$TMP/b$n/eve.json" --metrics 0.0.0.0:9469 \
		"${rule[@]}"
	wait_until 20 grep -q "attached to" "$TMP/b$n/xdpi.log"
}

served() { awk '/GET \/who/ { n++ } END { print n + 0 }' "$TMP/b$1/access.log" 2>/dev/null; }
lb_events() { grep '"event_type":"lb"' "$TMP/eve.json"; }
lb_event() { lb_events | jq_any "$1" /dev/stdin; }
failing_in_ctl() { xctl lb | grep -q "backend ${BACKENDS[$1 - 1]} .*failing:.* $2"; }
healthy_in_ctl() { xctl lb | grep -q "backend ${BACKENDS[$1 - 1]} .*healthy"; }
many() { cli python3 "$HERE/lb_client.py" many $VIP "$@"; }

topology || { echo "FAIL lab setup"; exit 1; }
for n in 1 2 3 4; do
	backend_nginx $n || { echo "FAIL nginx on backend $n"; exit 1; }
	backend_agent $n || { echo "FAIL xdpi agent on backend $n"; cat "$TMP/b$n/xdpi.log"; exit 1; }
done

cat >"$TMP/lb.conf" <<CONF
# the lab's balancer
outer-source 198.18.21.0/24
service web $VIP:80
  check tcp interval 300ms timeout 250ms rise 2 fall 2
  l7 server-errors 0.5 min 5 window 2s eject 3s
  passive syn-retrans 0.5 min 10 window 2s eject 3s
  backend ${BACKENDS[0]} weight 1 metrics http://${BACKENDS[0]}:9469/metrics
  backend ${BACKENDS[1]} weight 1 metrics http://${BACKENDS[1]}:9469/metrics
  backend ${BACKENDS[2]} weight 2 metrics http://${BACKENDS[2]}:9469/metrics
service alt $VIP:8080
  check none
  passive syn-retrans 0.3 min 4 window 3s eject 20s
  backend ${BACKENDS[0]}
  backend ${BACKENDS[1]}
  backend ${BACKENDS[2]}
CONF
printf 'service web %s:80\n  backend 198.18.30.11 wieght 2\n' $VIP >"$TMP/bad.conf"
"$XDPI" run -i lo --lb "$TMP/bad.conf" >"$TMP/bad.log" 2>&1
rc=$?
check "a bad --lb file is refused with its place (exit $rc: $(head -1 "$TMP/bad.log"))" \
	grep -q "bad.conf:2:24: expected weight or metrics" "$TMP/bad.log"

in_net "$NS_CLI" "$XDPI" run -i c$SUF --no-pin --lb "$TMP/lb.conf" -o /dev/null >"$TMP/nofwd.log" 2>&1
check "a host that does not forward is refused, saying what to set" \
	grep -q "IPv4 forwarding is off on c$SUF.*sysctl -w net.ipv4.conf.all.forwarding=1" "$TMP/nofwd.log"
start_xdpi "$TMP/xdpi.log" --lb "$TMP/lb.conf" -o "$TMP/eve.json" --stats-interval 0 \
	--metrics 127.0.0.1:9469 ||
	{ echo "FAIL attach"; cat "$TMP/xdpi.log"; exit 1; }
# a veth takes XDP_TX frames from its peer only with an XDP program of its own (a physical
# NIC's wire needs none): xdp-filter's, which passes everything
in_net "$NS_GW" xdp-filter load -m native gl$SUF || { echo "FAIL xdp-filter on the router"; exit 1; }
check "the first tables are announced (slots by weight)" \
	wait_until 5 lb_event '.xdpi.lb.event == "table" and .xdpi.lb.service == "web" and (.xdpi.lb.backends | length) == 3'

# ---- spread: 3,000 new connections, against the backends' access logs ----
for n in 1 2 3; do eval "base_$n=\$(served $n)"; done
out=$(many 3000)
check "3000 connections answered ($(jq -c .by_backend <<<"$out"), failed $(jq .failed <<<"$out"))" \
	jq_ok '.failed == 0' <<<"$out"
tot=0
for n in 1 2 3; do eval "got_$n=\$((\$(served $n) - base_$n))"; eval "tot=\$((tot + got_$n))"; done
check "the access logs hold all 3000 ($got_1 + $got_2 + $got_3)" [ "$tot" -eq 3000 ]
spread_ok() { # N WEIGHT_SHARE_PERCENT: within 10% of the weight's share
	local got want
	eval "got=\$got_$1"; want=$((3000 * $2 / 100))
	[ $((got * 10)) -ge $((want * 9)) ] && [ $((got * 10)) -le $((want * 11)) ]
}
check "backend 1 (weight 1) served 25% +-10% ($got_1)" spread_ok 1 25
check "backend 2 (weight 1) served 25% +-10% ($got_2)" spread_ok 2 25
check "backend 3 (weight 2) served 50% +-10% ($got_3)" spread_ok 3 50
check "each answer came from the backend whose access log has it" \
	jq_ok ".by_backend.b1 == $got_1 and .by_backend.b2 == $got_2 and .by_backend.b3 == $got_3" <<<"$out"

# ---- drain one, add one, live; held connections keep their backend ----
same_ports=$(many 400 --src $CLIENT --port0 20000)
cli python3 "$HERE/lb_client.py" hold $VIP 40 "$TMP/go" "$TMP/held.json" &
HOLD_PID=$!
BG_PIDS+=("$HOLD_PID")
check "40 keep-alive connections opened" wait_until 20 test -e "$TMP/held.json.ready"
check "xdpi ctl drains backend 2" xctl lb-weight $VIP:80 ${BACKENDS[1]} 0
check "  the table leaves it out (event)" wait_until 3 lb_event \
	'.xdpi.lb.event == "table" and (.xdpi.lb.backends | map(.backend) | index("198.18.30.12") | not)'
after_drain=$(many 400 --src $CLIENT --port0 20000)
moved_other=$(jq -n --argjson a "$same_ports" --argjson b "$after_drain" \
	'[$a.ports | to_entries[] | select(.value != "b2") | select($b.ports[.key] != .value)] | length')
moved_b2=$(jq -n --argjson a "$same_ports" --argjson b "$after_drain" \
	'[$a.ports | to_entries[] | select(.value == "b2") | select($b.ports[.key] != "b2")] | length')
on_b2=$(jq '[.ports[] | select(. == "b2")] | length' <<<"$same_ports")
others=$((400 - on_b2))
check "the same 400 connections again: every one of backend 2's $on_b2 moved ($moved_b2)" \
	test "$moved_b2" -eq "$on_b2" -a "$on_b2" -gt 0
check "  and at most 1% of the others ($moved_other of $others: Maglev's bound)" \
	test $((moved_other * 100)) -le "$others"
check "xdpi ctl adds backend 4" xctl lb-add $VIP:80 ${BACKENDS[3]} 1
check "  the table takes it in" wait_until 3 lb_event \
	'.xdpi.lb.event == "table" and (.xdpi.lb.backends | map(.backend) | index("198.18.30.14"))'
b4=$(many 300 | jq '.by_backend.b4 // 0')
check "new connections reach backend 4 ($b4 of 300)" [ "$b4" -gt 30 ]
touch "$TMP/go"
check "the held connections answered again" wait_until 20 test -e "$TMP/held.json"
check "every held connection kept its backend, backend 2's too: $(jq -c '[.[] | .first] | group_by(.) | map({(.[0]): length}) | add' "$TMP/held.json")" \
	jq_ok 'length == 40 and all(.[]; .second != null and .first == .second)' "$TMP/held.json"
check "xdpi ctl weight 1 brings backend 2 back" xctl lb-weight $VIP:80 ${BACKENDS[1]} 1
check "xdpi ctl removes backend 4" xctl lb-remove $VIP:80 ${BACKENDS[3]}

# ---- active health: nginx stops on backend 3 ----
stop_bg "$NGINX_3" QUIT
t0=$SECONDS
check "backend 3 without nginx: its TCP check fails it (event)" wait_until 5 lb_event \
	'.xdpi.lb.event == "backend_down" and .xdpi.lb.backend == "198.18.30.13" and .xdpi.lb.source == "active"'
took=$((SECONDS - t0))
check "  within 2 s (interval 300ms, fall 2: took about ${took}s)" [ "$took" -le 2 ]
out=$(many 200)
check "no new connection reaches it, none fails ($(jq -c '.by_backend' <<<"$out"))" \
	jq_ok '(.by_backend.b3 // 0) == 0 and .failed == 0' <<<"$out"
backend_nginx 3
check "nginx back: the check restores it" wait_until 5 lb_event \
	'.xdpi.lb.event == "backend_up" and .xdpi.lb.backend == "198.18.30.13" and .xdpi.lb.source == "active"'

# ---- layer-7 health: backend 1 answers 500, its TCP check still passes ----
echo 'return 500;' >"$TMP/b1/mode.conf"
kill -HUP "$NGINX_1"
check "backend 1 answers 500 now" wait_until 5 bash -c \
	"[ \"\$(ip netns exec $(bns 1) curl -s -o /dev/null -w '%{http_code}' http://198.18.30.11/who)\" = 500 ]"
ejected() { many 20 >/dev/null; lb_event '.xdpi.lb.event == "backend_down" and .xdpi.lb.backend == "198.18.30.11" and .xdpi.lb.source == "l7"'; }
check "its agent's server errors take it out (l7)" wait_until 15 ejected
check "  xdpi ctl lb says failing: l7, and not active" bash -c \
	"xdpi_ctl() { nsenter --net=/run/netns/$NS_SRV $XDPI ctl -i $IF_SRV lb; }; xdpi_ctl | grep '198.18.30.11 ' | grep -q 'failing: l7' && ! xdpi_ctl | grep '198.18.30.11 ' | grep -q active"
out=$(many 100)
check "no new connection reaches it ($(jq -c .by_backend <<<"$out"))" jq_ok '(.by_backend.b1 // 0) == 0' <<<"$out"
echo "" >"$TMP/b1/mode.conf"
kill -HUP "$NGINX_1"
readmitted() { many 10 >/dev/null; lb_event '.xdpi.lb.event == "backend_up" and .xdpi.lb.backend == "198.18.30.11" and .xdpi.lb.source == "l7"'; }
check "fixed: readmitted after its ejection" wait_until 15 readmitted
out=$(many 200)
check "  and serving again ($(jq -c .by_backend <<<"$out"))" jq_ok '(.by_backend.b1 // 0) > 20' <<<"$out"

# ---- passive health: backend 2 drops the second service's SYNs; clients retry them ----
# A connection to the silent backend takes the client's 2 s timeout, so one client alone puts
# about three SYNs there in the 3 s window, under the rule's minimum of 4: three clients at once.
passive_out() {
	local pids=() p
	for p in 1 2 3; do many 6 --vport 8080 >/dev/null & pids+=($!); done
	wait "${pids[@]}"
	lb_event '.xdpi.lb.event == "backend_down" and .xdpi.lb.service == "alt" and .xdpi.lb.backend == "198.18.30.12" and .xdpi.lb.source == "passive"'; }
check "SYNs retried to a silent backend take it out (passive, counted in XDP)" wait_until 30 passive_out
out=$(many 40 --vport 8080)
check "then every connection is answered, none by it ($(jq -c '.by_backend' <<<"$out"), failed $(jq .failed <<<"$out"))" \
	jq_ok '.failed == 0 and (.by_backend.b2 // 0) == 0' <<<"$out"
check "  and the other service still uses it (its own health)" \
	jq_ok '(.by_backend.b2 // 0) > 0' <<<"$(many 60)"

# ---- a blocked source reaches no backend ----
check "xdpi ctl blocks the second client address" xctl block $CLIENT_B
for n in 1 2 3; do eval "b_$n=\$(grep -c '^$CLIENT_B ' $TMP/b$n/access.log)"; done
out=$(many 20 --src $CLIENT_B)
check "its connections fail ($(jq .failed <<<"$out") of 20)" jq_ok '.failed == 20' <<<"$out"
check "  and no backend logged it" [ "$(grep -c "^$CLIENT_B " "$TMP"/b[123]/access.log | awk -F: '{s += $2} END {print s}')" -eq $((b_1 + b_2 + b_3)) ]

# ---- a SYN flood at the VIP is dropped in XDP ----
check "xdpi ctl turns the SYN flood defence on (200 SYN/s per destination, 10 per source)" \
	xctl limits --syn-dst-rate 200 --syn-src-rate 10 --syn-block 0
kstat() { awk -v k="$1" '$1 == k { print $2 }' <<<"$2"; }
new_conns() { xctl lb | sed -n 's/^service .*:80\/tcp .* conn_new=\([0-9]*\) .*/\1/p'; }
k0=$(xctl stats)
n0=$(new_conns)
cli timeout 20 hping3 -q -S -p 80 -i u100 -c 20000 $VIP >/dev/null 2>&1
k=$(xctl stats)
dropped=$(( $(kstat syn_flood_drop "$k") - $(kstat syn_flood_drop "$k0") ))
fwd=$(( $(new_conns) - n0 ))
check "the flood's SYNs are dropped in XDP ($dropped of 20000)" [ "$dropped" -ge 15000 ]
check "  and every one is accounted for: dropped + sent to a backend ($fwd) = 20000" \
	[ $((dropped + fwd)) -eq 20000 ]

# ---- the balancer's own accounts ----
stop_bg "$XDPI_PID" TERM
check "every client's VIP flow the balancer recorded has no reply packet (direct server return)" \
	jq -se '[.[] | select(.event_type == "flow" and .dest_ip == "'$VIP'" and (.src_ip | startswith("198.18.10.")))] | length > 3000 and all(.[]; .flow.pkts_toclient == 0)' "$TMP/eve.json"
check "every event, lb events too, validates against the EVE schema" \
	python3 "$(dirname "$0")/../schema/validate.py" "$TMP/eve.json"
check "clean stop: no XDP program left" no_xdp_on_link
e2e_done

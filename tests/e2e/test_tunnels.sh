#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tunnels end to end: xdpi on the underlay link, real traffic inside eight encapsulations.
# VXLAN is the kernel's own device; this kernel is built without GRE, Geneve, IPIP, SIT,
# ip6tnl and GTP devices (CONFIG_* not set, no modules), so those ends are user-space
# tunnel peers over TUN/TAP devices (tunnel_peer.py), and tshark on a capture of the underlay
# checks that what crossed it is the encapsulation it claims. Through each tunnel curl asks
# nginx and dig asks dnsmasq: xdpi's HTTP transactions equal nginx's log one for one, its DNS
# queries equal the ones sent, every flow names its tunnel (type, VNI/key/TEID) and the
# outer endpoints; a block-list entry for an inner address drops that traffic inside its
# tunnel and nothing else.
. "$(dirname "$0")/lib.sh"
e2e_require_root

PEER_SECS=200
# name  kind(kernel|peer type)  id  client address  server address  expected xdpi.tunnel
TUNNELS="vxlan vxlan 42 198.19.1.1 198.19.1.2 vxlan
geneve geneve 43 198.19.2.1 198.19.2.2 geneve
gretap gretap 44 198.19.3.1 198.19.3.2 gre
gre gre 45 198.19.4.1 198.19.4.2 gre
ipip ipip 0 198.19.5.1 198.19.5.2 ipip
sit sit 0 fd00:6::1 fd00:6::2 ipip
ip6tnl ip6tnl 0 198.19.7.1 198.19.7.2 ipip
gtpu gtpu 46 198.19.8.1 198.19.8.2 gtpu
teredo teredo 0 fd00:9::1 fd00:9::2 teredo"

lab_up || { echo "FAIL lab setup"; exit 1; }

# tunnel_end NS DEV KIND ID LOCAL REMOTE ADDR: one end, its inner address on it
tunnel_end() {
	local ns=$1 dev=$2 kind=$3 id=$4 local=$5 remote=$6 addr=$7
	case $kind in
	vxlan)
		ip -n "$ns" link add "$dev" type vxlan id "$id" local "$local" remote "$remote" \
			dstport 4789 || return 1 ;;
	*)
		run_bg "$ns" "$TMP/peer-$dev-$ns.log" python3 "$(dirname "$0")/tunnel_peer.py" \
			"$kind" "$dev" "$local" "$remote" "$id" "$PEER_SECS"
		wait_until 10 grep -q ready "$TMP/peer-$dev-$ns.log" || return 1 ;;
	esac
	ip -n "$ns" link set "$dev" mtu 1400 up || return 1
	case $addr in
	*:*) ip -n "$ns" addr add "$addr/64" dev "$dev" nodad ;;
	*) ip -n "$ns" addr add "$addr/24" dev "$dev" ;;
	esac
}

listens=""
dns_listen=()
while read -r name kind id cip sip want; do
	l4=$IP_CLI r4=$IP_SRV
	[ "$kind" = ip6tnl ] && l4=$IP6_CLI r4=$IP6_SRV
	tunnel_end "$NS_CLI" "t$name" "$kind" "$id" "$l4" "$r4" "$cip" &&
		tunnel_end "$NS_SRV" "t$name" "$kind" "$id" "$r4" "$l4" "$sip" ||
		{ echo "FAIL tunnel $name"; cat "$TMP"/peer-*.log 2>/dev/null; exit 1; }
	case $sip in *:*) listens+="listen [$sip]:80; " ;; *) listens+="listen $sip:80; " ;; esac
	dns_listen+=("--listen-address=$sip")
done <<<"$TUNNELS"

NGINX_EXTRA="$listens"
start_nginx || { echo "FAIL nginx"; cat "$TMP/nginx/error.log"; exit 1; }
run_bg "$NS_SRV" "$TMP/dnsmasq.log" dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
	"${dns_listen[@]}" --port=53 --user=root --address=/lab.test/198.19.1.2 --log-queries \
	--pid-file="$TMP/dnsmasq.pid"
wire_capture "$NS_SRV" "$IF_SRV" "$TMP/wire.pcap" || { echo "FAIL wire capture"; exit 1; }
start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --stats-interval 0 --no-anomaly ||
	{ echo "FAIL attach"; cat "$TMP/xdpi.log"; exit 1; }

url_host() { case $1 in *:*) echo "[$1]" ;; *) echo "$1" ;; esac; }
while read -r name kind id cip sip want; do
	wait_until 10 cli curl -s -o /dev/null --max-time 1 "http://$(url_host "$sip")/ready-$name" ||
		echo "  tunnel $name does not carry HTTP yet"
	for i in 1 2 3; do
		cli curl -s -o /dev/null --max-time 3 "http://$(url_host "$sip")/t-$name-$i"
	done
	for i in 1 2; do
		cli dig +short +time=2 +tries=1 "@$sip" "q$i.$name.lab.test" A >/dev/null
	done
done <<<"$TUNNELS"

# a block entry for the VXLAN client's inner address: dropped inside its tunnel only
xctl block 198.19.1.1 >"$TMP/block.out"
blocked_rule=$(awk '{ print $4 }' "$TMP/block.out")
check "blocked inner address: nothing comes back through VXLAN" \
	fails cli curl -s -o /dev/null --max-time 2 "http://198.19.1.2/blocked"
check "the same host through GRE is not blocked" \
	cli curl -s -o /dev/null --max-time 3 "http://198.19.4.2/t-after-block"
check "the block rule counted the dropped packets" test "$(rule_pkts "$blocked_rule")" -ge 1

stop_bg "$XDPI_PID" || echo "  xdpi exited non-zero"
wire_capture_stop || echo "  (tshark's counts may fall short)"

# ---- the underlay, as tshark reads it: each encapsulation carried its requests ----
tshark -r "$TMP/wire.pcap" -Y 'http.request' -T fields -e frame.protocols -e http.request.uri \
	>"$TMP/tshark.txt" 2>/dev/null
declare -A proto_of=([vxlan]=vxlan [geneve]=geneve [gretap]=gre [gre]=gre [ipip]=ip:ip
	[sit]=ip:ipv6 [ip6tnl]=ipv6:ip [gtpu]=gtp [teredo]=teredo)
# the outer protocol EVE names, per tunnel
declare -A carrier=([vxlan]=UDP [geneve]=UDP [gretap]=GRE [gre]=GRE [ipip]=IPv4 [sit]=IPv6
	[ip6tnl]=IPv4 [gtpu]=UDP [teredo]=UDP)
# xdpi's id field per tunnel type
declare -A id_field=([vxlan]=vni [geneve]=vni [gre]=key [gtpu]=teid)

jq -c 'select(.event_type == "http")' "$TMP/eve.json" >"$TMP/http.json"
jq -c 'select(.event_type == "flow")' "$TMP/eve.json" >"$TMP/flows.json"
while read -r name kind id cip sip want; do
	n_wire=$(grep -c "${proto_of[$name]}.*/t-$name-" "$TMP/tshark.txt")
	check "$name: tshark sees 3 requests inside ${proto_of[$name]} on the underlay ($n_wire)" \
		test "$n_wire" -eq 3
	grep -E "\"GET /t-$name-[0-9]+ " "$TMP/nginx/access.log" |
		awk '{ print $7, $9 }' | sort >"$TMP/log-$name.txt"
	jq -r --arg p "/t-$name-" 'select(.http.url | startswith($p)) | "\(.http.url) \(.http.status)"' \
		"$TMP/http.json" | sort >"$TMP/xdpi-$name.txt"
	check "$name: xdpi's transactions equal nginx's log ($(wc -l <"$TMP/xdpi-$name.txt") of $(wc -l <"$TMP/log-$name.txt"))" \
		bash -c "[ -s '$TMP/log-$name.txt' ] && diff -q '$TMP/log-$name.txt' '$TMP/xdpi-$name.txt' >/dev/null"
	outer=$IP_CLI
	[ "$kind" = ip6tnl ] && outer=$IP6_CLI
	check "$name: its HTTP events carry the outer endpoints" \
		jq_any "(.http.url // \"\" | startswith(\"/t-$name-\")) and .tunnel.depth == 1 and
			(.tunnel.src_ip == \"$outer\" or .tunnel.dest_ip == \"$outer\") and
			.tunnel.proto == \"${carrier[$kind]}\"" "$TMP/http.json"
	idq=true
	[ -n "${id_field[$want]:-}" ] && idq=".xdpi.tunnel.${id_field[$want]} == $id"
	check "$name: its TCP flows say xdpi.tunnel $want${id_field[$want]:+ ${id_field[$want]} $id}" \
		jq_any "(.src_ip == \"$cip\" or .dest_ip == \"$cip\") and .proto == \"TCP\" and
			.xdpi.tunnel.type == \"$want\" and $idq" "$TMP/flows.json"
	nq=$(jq -r --arg q ".$name.lab.test" 'select(.event_type == "dns" and .dns.type == "request" and
		.tunnel.depth == 1) | .dns.queries[]?.rrname | select(endswith($q))' "$TMP/eve.json" |
		sort -u | wc -l)
	check "$name: both DNS queries seen inside the tunnel ($nq)" test "$nq" -eq 2
done <<<"$TUNNELS"

stats=$(jq -c 'select(.event_type == "stats")' "$TMP/eve.json" | tail -1)
for c in vxlan geneve gre teredo ipv4_in_ipv4 ipv6_in_ipv4 ipv4_in_ipv6; do
	check "stats.decoder.$c counted" jq_ok ".stats.decoder.$c > 0" <<<"$stats"
done
check "kernel counters per encapsulation (gtpu $(jq '.stats.xdpi.kernel.tunnel_gtpu' <<<"$stats"))" \
	jq_ok '.stats.xdpi.kernel.tunnel_gtpu > 0 and .stats.xdpi.kernel.tunnel_vxlan > 0' <<<"$stats"
e2e_done

# SPDX-License-Identifier: GPL-2.0
# e2e helpers: a lab of two network namespaces joined by a veth pair, addresses only from
# 198.18.0.0/15 and fd00::/8, background processes tracked by PID, waits on conditions with
# deadlines, and a teardown (on every exit, by trap) that removes everything made here.
# Source it; then call lab_up. Exit code 77 = skipped (no root, outside CI only).
#
# Hermetic: a test re-runs itself in a private mount namespace in which /sys/fs/bpf starts
# unmounted, as on a fresh host, so xdpi must set up bpffs itself; nothing it mounts there is
# seen by the host or by other tests.
if [ "$(id -u)" = 0 ] && [ -z "${XDPI_E2E_PRIVATE_MNT:-}" ]; then
	export XDPI_E2E_PRIVATE_MNT=1
	exec unshare --mount --propagation private bash "$0" "$@"
fi
if [ -n "${XDPI_E2E_PRIVATE_MNT:-}" ]; then
	while umount /sys/fs/bpf 2>/dev/null; do :; done
fi

XDPI=${XDPI:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/xdpi}
SHARED=${XDPI_SHARED:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared}
SUF=$(printf '%05d' $((RANDOM % 100000)))
NS_CLI=xdpi-cli-$SUF
NS_SRV=xdpi-srv-$SUF
IF_CLI=xc$SUF
IF_SRV=xs$SUF
IP_CLI=198.18.0.1
IP_SRV=198.18.0.2
IP6_CLI=fd00::1
IP6_SRV=fd00::2
TMP=$(mktemp -d /tmp/xdpi-e2e.XXXXXX)
BG_PIDS=()
. "$(dirname "${BASH_SOURCE[0]}")/../lib/check.sh"

e2e_require_root() {
	[ "$(id -u)" = 0 ] && return 0
	if [ "${CI:-}" = true ]; then
		echo "FAIL: e2e needs root and CI runs as root"; exit 1
	fi
	echo "skip: e2e needs root"; exit 77
}

teardown() {
	local pid
	[ -n "${E2E_CLEANUP:-}" ] && eval "$E2E_CLEANUP" # a test's own (tmux servers, ...)
	[ -n "${SAVED_BACKLOG:-}" ] && sysctl -qw net.core.netdev_max_backlog="$SAVED_BACKLOG"
	for pid in "${BG_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null
	done
	# pins of an xdpi that could not remove them (killed, or a failed test)
	[ -n "${PIN_SRV:-}" ] && rm -rf "$PIN_SRV" && rmdir "$(dirname "$PIN_SRV")" 2>/dev/null
	rmdir /sys/fs/bpf/xdpi 2>/dev/null
	ip netns del "$NS_CLI" 2>/dev/null
	ip netns del "$NS_SRV" 2>/dev/null   # takes the veth pair with it
	ip link del "$IF_CLI" 2>/dev/null
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap teardown EXIT
trap 'exit 130' INT TERM


alive() { kill -0 "$1" 2>/dev/null; }
not_alive() { ! kill -0 "$1" 2>/dev/null; }
wait_gone() { wait_until "$2" not_alive "$1"; }

# run_bg NS LOG CMD...: runs CMD in namespace NS, output to LOG; sets BG_PID.
run_bg() {
	local ns=$1 log=$2; shift 2
	ip netns exec "$ns" "$@" >"$log" 2>&1 &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# run_bg_net NS LOG CMD...: like run_bg, but only the network namespace changes: the host's
# /sys (and its bpffs, where xdpi pins its maps for `xdpi ctl`) stays visible.
run_bg_net() {
	local ns=$1 log=$2; shift 2
	nsenter --net="/run/netns/$ns" "$@" >"$log" 2>&1 &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# in_net NS CMD...: runs CMD in namespace NS with the host's /sys (see run_bg_net).
in_net() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }

# stop_bg PID [SIGNAL]: signals it and waits (10 s) for it to exit; returns its status.
stop_bg() {
	local pid=$1 sig=${2:-TERM} rc
	kill -"$sig" "$pid" 2>/dev/null
	if ! wait_gone "$pid" 10; then
		echo "  process $pid ignored SIG$sig; killing"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	return $rc
}

lab_up() {
	ip netns add "$NS_CLI" && ip netns add "$NS_SRV" || return 1
	ip link add "$IF_CLI" type veth peer name "$IF_SRV" || return 1
	ip link set "$IF_CLI" netns "$NS_CLI" && ip link set "$IF_SRV" netns "$NS_SRV" || return 1
	ip -n "$NS_CLI" addr add $IP_CLI/24 dev "$IF_CLI"
	ip -n "$NS_SRV" addr add $IP_SRV/24 dev "$IF_SRV"
	ip -n "$NS_CLI" addr add $IP6_CLI/64 dev "$IF_CLI" nodad
	ip -n "$NS_SRV" addr add $IP6_SRV/64 dev "$IF_SRV" nodad
	for ns in "$NS_CLI" "$NS_SRV"; do ip -n "$ns" link set lo up; done
	ip -n "$NS_CLI" link set "$IF_CLI" up
	ip -n "$NS_SRV" link set "$IF_SRV" up
	PIN_SRV=$(pin_dir "$NS_SRV" "$IF_SRV")
	wait_until 5 ip netns exec "$NS_CLI" ping -c1 -W1 $IP_SRV >/dev/null
}

# pin_dir NS IFACE: where `xdpi run -i IFACE` in namespace NS pins its maps
pin_dir() { echo "/sys/fs/bpf/xdpi/netns-$(stat -L -c %i "/run/netns/$1")/$2"; }

cli() { ip netns exec "$NS_CLI" "$@"; }
# A second client address on the client side, for tests that block one and not the other.
IP_B=198.18.0.3
add_client_b() { ip -n "$NS_CLI" addr add $IP_B/24 dev "$IF_CLI"; }
# fetch SRC [SECONDS]: one GET of nginx's index from client address SRC.
fetch() { cli curl -sf -o /dev/null --max-time "${2:-2}" --interface "$1" "http://$IP_SRV/"; }


# wire_mirror NS IFACE: what IFACE sends and receives, as the wire carries it, arrives at
# wcap1. Both directions are mirrored to a veth without segmentation offloads, so a GSO/TSO
# super-packet arrives as the segments it becomes. The mirror goes with the namespace.
wire_mirror() {
	local ns=$1 ifc=$2
	ip -n "$ns" link add wcap0 type veth peer name wcap1 || return 1
	# a mirrored 64 kB GSO skb arrives as 45 frames: room for bursts of them in the
	# receive backlog (restored by teardown)
	SAVED_BACKLOG=${SAVED_BACKLOG:-$(sysctl -n net.core.netdev_max_backlog)}
	sysctl -qw net.core.netdev_max_backlog=20000
	for i in wcap0 wcap1; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.$i.disable_ipv6=1
		ip netns exec "$ns" ethtool -K $i tso off gso off gro off >/dev/null 2>&1
		ip -n "$ns" link set $i up
	done
	tc -n "$ns" qdisc add dev "$ifc" clsact 2>/dev/null
	tc -n "$ns" filter add dev "$ifc" ingress protocol all u32 match u32 0 0 action mirred egress mirror dev wcap0 &&
		tc -n "$ns" filter add dev "$ifc" egress protocol all u32 match u32 0 0 action mirred egress mirror dev wcap0
}

# wire_capture NS IFACE PCAP: the mirror captured (tcpdump on IFACE itself would see one
# super-packet where the wire carries several segments).
wire_capture() {
	wire_mirror "$1" "$2" || return 1
	run_bg "$1" "$TMP/wirecap.log" tcpdump -i wcap1 -Q in -U -n -B 131072 -w "$3" 'ip or ip6'
	WIRECAP_PID=$BG_PID
	WIRECAP_NS=$1
	wait_until 10 grep -q "listening on" "$TMP/wirecap.log"
}

# wire_capture_stop: stops the capture; true when it holds every packet the link carried
# (tcpdump dropped none, the mirror's veth dropped none), else says what was lost.
wire_capture_stop() {
	local td mirror
	stop_bg "$WIRECAP_PID" INT
	td=$(awk '/dropped by kernel/ { print $1 }' "$TMP/wirecap.log")
	mirror=$(ip -n "$WIRECAP_NS" -s -j link show wcap0 | jq '.[0].stats64.tx.dropped + 0')
	mirror=$((mirror + $(ip -n "$WIRECAP_NS" -s -j link show wcap1 | jq '.[0].stats64.rx.dropped + 0')))
	[ "${td:-1}" -eq 0 ] && [ "$mirror" -eq 0 ] && return 0
	echo "  the wire capture is short: tcpdump dropped ${td:-?}, the mirror dropped $mirror"
	return 1
}

# Real servers in the server namespace: nginx on :80 (v4 and v6) and dnsmasq on :53.
start_nginx() {
	mkdir -p "$TMP/www" "$TMP/nginx"
	echo "hello from the xdpi lab" >"$TMP/www/index.html"
	openssl req -x509 -newkey rsa:2048 -nodes -subj "/O=xdpi lab/CN=lab.test" -days 2 \
		-addext "subjectAltName=DNS:lab.test" \
		-keyout "$TMP/nginx/key.pem" -out "$TMP/nginx/cert.pem" 2>/dev/null || return 1
	head -c 200000 /dev/urandom | base64 >"$TMP/www/big.txt"
	cat >"$TMP/nginx/nginx.conf" <<NGX
worker_processes 1;
daemon off;
user root;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 128; }
http {
  access_log $TMP/nginx/access.log;
  client_body_temp_path $TMP/nginx;
  proxy_temp_path $TMP/nginx;
  fastcgi_temp_path $TMP/nginx;
  uwsgi_temp_path $TMP/nginx;
  scgi_temp_path $TMP/nginx;
  keepalive_requests 1000;
  ${NGINX_HTTP_EXTRA:-}
  server {
    listen $IP_SRV:80;
    listen [$IP6_SRV]:80;
    listen $IP_SRV:443 ssl http2;
    ssl_certificate $TMP/nginx/cert.pem;
    ssl_certificate_key $TMP/nginx/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $TMP/www;
    location /echo { return 200 "posted\n"; }
    location /slow/ { alias $TMP/www/; limit_rate 100k; }
    ${NGINX_EXTRA:-}
  }
}
NGX
	run_bg "$NS_SRV" "$TMP/nginx/stdout.log" nginx -c "$TMP/nginx/nginx.conf"
	NGINX_PID=$BG_PID
	wait_until 10 ip netns exec "$NS_CLI" curl -sf -o /dev/null "http://$IP_SRV/"
}

start_dnsmasq() {
	run_bg "$NS_SRV" "$TMP/dnsmasq.log" dnsmasq --no-daemon --no-resolv --no-hosts \
		--listen-address=$IP_SRV --bind-interfaces --port=53 --user=root \
		--address=/lab.test/$IP_SRV --txt-record=lab.test,"xdpi lab" --log-queries \
		--pid-file="$TMP/dnsmasq.pid"
	DNSMASQ_PID=$BG_PID
	wait_until 10 ip netns exec "$NS_CLI" dig +short +time=1 +tries=1 @$IP_SRV lab.test A
}

# start_xdpi LOG ARGS...: xdpi run on the server side of the link; waits until attached.
# xdpi ctl reaches it with: xctl ARGS...
start_xdpi() {
	local log=$1; shift
	run_bg_net "$NS_SRV" "$log" "$XDPI" run -i "$IF_SRV" "$@"
	XDPI_PID=$BG_PID
	wait_until 20 grep -q "attached to" "$log"
}

xctl() { in_net "$NS_SRV" "$XDPI" ctl -i "$IF_SRV" "$@"; }
# rule_pkts N: the kernel's packet count for rule N, through xdpi ctl.
rule_pkts() { xctl stats | awk -v k="rule.$1.pkts" '$1 == k { print $2 }'; }
pinned() { [ -e "$PIN_SRV/policy4" ] && [ -e "$PIN_SRV/instance" ]; }
not_pinned() { [ ! -e "$PIN_SRV" ]; }

xdp_on_link() { ip -n "$NS_SRV" link show dev "$IF_SRV" | grep -q "prog/xdp"; }
no_xdp_on_link() { ! xdp_on_link; }
# A tcx link (type 11; Debian's bpftool predates its name) running xdpi's tc_egress program,
# or a clsact filter of it on the link (the fallback on kernels without tcx).
# tc_on_link [PROG]: PROG (default tc_egress; tc_ingress with --xdp-mode tc) is attached.
tc_on_link() {
	local id prog=${1:-tc_egress}
	for id in $(bpftool -j link show 2>/dev/null | jq -r '.[] | select(.type == 11 or .type == "tcx") | .prog_id'); do
		bpftool -j prog show id "$id" 2>/dev/null | jq -e --arg p "$prog" '.name == $p' >/dev/null && return 0
	done
	ip netns exec "$NS_SRV" bpftool net show dev "$IF_SRV" 2>/dev/null | grep -q "$prog"
}
no_tc_on_link() { ! tc_on_link; }

# start_prometheus: a real Prometheus in the server's namespace scraping xdpi's --metrics at
# 127.0.0.1:9469 every second (PROM_PID); promq QUERY prints the first sample's value.
start_prometheus() {
	mkdir -p "$TMP/prom"
	cat >"$TMP/prom.yml" <<YML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: xdpi
    static_configs: [ { targets: ['127.0.0.1:9469'] } ]
YML
	run_bg "$NS_SRV" "$TMP/prom.log" prometheus --config.file="$TMP/prom.yml" \
		--storage.tsdb.path="$TMP/prom" --web.listen-address=127.0.0.1:9090
	PROM_PID=$BG_PID
}
promq() {
	in_net "$NS_SRV" curl -sf --max-time 2 http://127.0.0.1:9090/api/v1/query \
		--data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'
}
prom_is() { [ "$(promq "$1")" = "$2" ]; }

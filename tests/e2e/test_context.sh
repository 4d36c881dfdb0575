#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Process and container context from the socket hooks (xdpi run --process-context), with
# real processes in their own network namespace and cgroups: curl as uid 65534 in a docker-
# named cgroup, dig in a podman-named one, nginx and dnsmasq on the host's root cgroup, and
# a keep-alive connection opened before xdpi started. Each event names the process (pid as
# the test knows it, comm, uid), which end it owns, how sure it is, and the container; the
# other end (the servers) comes as xdpi.peer.
. "$(dirname "$0")/lib.sh"
e2e_require_root

lab_up || { echo "FAIL lab setup"; exit 1; }
start_nginx || { echo "FAIL nginx"; exit 1; }
start_dnsmasq || { echo "FAIL dnsmasq"; exit 1; }

# cgroups named the way docker and podman name theirs, under the cgroup2 mount
CG2=$(awk '$(NF-2) == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
if [ -z "$CG2" ]; then # a host without one: mount it here (lib.sh: a private mount namespace)
	CG2=$(mktemp -d /tmp/xdpi-cgroup2.XXXXXX) # not under $TMP: teardown removes that
	mount -t cgroup2 none "$CG2" || { echo "FAIL cannot mount cgroup2"; exit 1; }
	CG2_MOUNTED=1
fi
CG=$CG2/xdpi-e2e-$SUF
DOCKER_ID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
PODMAN_ID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$CG/docker-$DOCKER_ID.scope" "$CG/libpod-$PODMAN_ID.scope" || { echo "FAIL cgroups"; exit 1; }
E2E_CLEANUP='for d in "$CG"/*/ "$CG"/; do [ -d "$d" ] || continue
	for p in $(cat "$d/cgroup.procs" 2>/dev/null); do echo "$p" > "$CG2/cgroup.procs"; done; done
	rmdir "$CG"/*/ "$CG" 2>/dev/null
	[ -n "${CG2_MOUNTED:-}" ] && umount "$CG2" && rmdir "$CG2"'
# in_cgroup CGROUP PIDFILE CMD...: runs CMD (exec, same pid) inside CGROUP
in_cgroup() {
	local cg=$1 pidfile=$2; shift 2
	sh -c 'echo $$ > "$1/cgroup.procs" && echo $$ > "$2" && shift 2 && exec "$@"' sh "$cg" "$pidfile" "$@"
}

# a keep-alive connection from before xdpi: it only talks again once xdpi runs
run_bg "$NS_CLI" "$TMP/live.log" python3 "$(dirname "$0")/keepalive_client.py" $IP_CLI $IP_SRV 80 0.5 120
LIVE_PID=$BG_PID
wait_until 10 grep -q '^ok' "$TMP/live.log" || { echo "FAIL keep-alive client"; exit 1; }
LIVE_PORT=$(awk '/^port/ { print $2; exit }' "$TMP/live.log")

start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --stats-interval 0 --no-anomaly --process-context \
	--flow-timeout 2 || { echo "FAIL attach"; cat "$TMP/xdpi.log"; exit 1; }

in_cgroup "$CG/docker-$DOCKER_ID.scope" "$TMP/curl.pid" ip netns exec "$NS_CLI" \
	setpriv --reuid=65534 --regid=65534 --clear-groups curl -sf -o /dev/null --max-time 2 "http://$IP_SRV/" ||
	echo "  (curl failed)"
in_cgroup "$CG/libpod-$PODMAN_ID.scope" "$TMP/dig.pid" ip netns exec "$NS_CLI" \
	dig +short +time=1 +tries=1 @$IP_SRV lab.test A >/dev/null || echo "  (dig failed)"
CURL_PID=$(cat "$TMP/curl.pid") DIG_PID=$(cat "$TMP/dig.pid")

# the events of each flow, once xdpi has written its record (the flows end after 2 s idle)
ev() { jq -c "select($1)" "$TMP/eve.json" 2>/dev/null; }
HTTP_SEL='.event_type == "http" and .xdpi.process.comm == "curl"'
flow_done() { [ -n "$(ev ".event_type == \"flow\" and .app_proto == \"$1\" and .xdpi.process.comm == \"$2\"")" ]; }
check "the curl flow's record came" wait_until 20 flow_done http curl
check "the dig flow's record came" wait_until 20 flow_done dns dig
check "curl: pid $CURL_PID, uid 65534, the client end, high confidence (its own I/O, in its cgroup)" \
	jq_any "$HTTP_SEL and .xdpi.process.pid == $CURL_PID and .xdpi.process.uid == 65534 and
		.xdpi.process.side == \"client\" and .xdpi.process.confidence == \"high\"" "$TMP/eve.json"
check "  ... in a docker container with the cgroup's id" \
	jq_any "$HTTP_SEL and .xdpi.container == {\"id\": \"$DOCKER_ID\", \"runtime\": \"docker\"}" "$TMP/eve.json"
check "  ... and nginx, uid 0, no container, as the server's end (peer)" \
	jq_any "$HTTP_SEL and .xdpi.peer.process.comm == \"nginx\" and .xdpi.peer.process.side == \"server\" and
		.xdpi.peer.process.uid == 0 and (.xdpi.peer | has(\"container\") | not)" "$TMP/eve.json"
check "  ... the same on the flow record" \
	jq_any ".event_type == \"flow\" and .xdpi.process.pid == $CURL_PID and .xdpi.container.runtime == \"docker\"" "$TMP/eve.json"
check "dig over UDP: pid $DIG_PID (its process name, not its network thread's) in a podman container" \
	jq_any ".event_type == \"dns\" and .xdpi.process.pid == $DIG_PID and .xdpi.process.comm == \"dig\" and
		.xdpi.container == {\"id\": \"$PODMAN_ID\", \"runtime\": \"podman\"}" "$TMP/eve.json"
check "  ... dnsmasq the peer, known by its port only (low confidence: an unconnected socket)" \
	jq_any ".event_type == \"dns\" and .xdpi.process.pid == $DIG_PID and .xdpi.peer.process.comm == \"dnsmasq\" and
		.xdpi.peer.process.confidence == \"low\"" "$TMP/eve.json"
live_attributed() {
	jq_any ".event_type == \"http\" and .src_port == $LIVE_PORT and .xdpi.process.pid == $LIVE_PID and
		.xdpi.process.comm == \"python3\" and .xdpi.process.source == \"tcp_io\"" "$TMP/eve.json"
}
check "the connection opened before xdpi is attributed from its next send (pid $LIVE_PID)" \
	wait_until 10 live_attributed
jq -c "select($HTTP_SEL) | {process: .xdpi.process, container: .xdpi.container, peer: .xdpi.peer.process.comm}" \
	"$TMP/eve.json" | head -1 | sed 's/^/  /'
stop_bg "$LIVE_PID" TERM
stop_bg "$XDPI_PID" TERM
check "the stats say how lookups went" \
	jq_any '.event_type == "stats" and .stats.xdpi.process_context.found >= 3' "$TMP/eve.json"
check "every event validates against the EVE schema" \
	python3 "$(dirname "$0")/../schema/validate.py" "$TMP/eve.json"
check "the socket hooks are gone with xdpi" \
	fails sh -c "bpftool -j prog show | jq -e '.[] | select(.name == \"on_tcp_send\")' >/dev/null"
e2e_done

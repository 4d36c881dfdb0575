#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# xdpi as a service, as an operator installs it: `make install` into a prefix; the systemd unit
# passes systemd-analyze; its ExecStart runs for real, with the unit's own capability bounding
# set and no new privileges (setpriv: there is no systemd here to start it), reading the
# installed configuration file; each capability the unit lists for host mode is needed (one
# fewer: refused at start, naming it); logrotate with the installed snippet rotates the EVE file
# and SIGHUP reopens it: every request nginx logged is in exactly one of the two files.
. "$(dirname "$0")/lib.sh"
e2e_require_root
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

lab_up || { echo "FAIL lab setup"; exit 1; }
start_nginx || { echo "FAIL nginx"; exit 1; }
P=$TMP/prefix
make -C "$ROOT" --no-print-directory install PREFIX="$P/usr" SYSCONFDIR="$P/etc" >"$TMP/install.log" 2>&1
installed() { [ -x "$P/usr/sbin/xdpi" ] && [ -f "$P/usr/lib/systemd/system/xdpi@.service" ] &&
	[ -f "$P/etc/xdpi/xdpi.conf" ] && [ -f "$P/etc/logrotate.d/xdpi" ] &&
	[ -f "$P/usr/share/doc/xdpi/README.md" ]; }
check "make install PREFIX=... SYSCONFDIR=... installs the binary, unit, configuration, logrotate" installed
UNIT=$P/usr/lib/systemd/system/xdpi@.service
mkdir -p "$TMP/units" "$TMP/log"
cp "$UNIT" "$TMP/units/xdpi@$IF_SRV.service"
systemd-analyze verify "$TMP/units/xdpi@$IF_SRV.service" >"$TMP/verify.out" 2>&1
check "systemd-analyze verify: the unit is valid, without a warning ($(head -c 200 "$TMP/verify.out"))" \
	[ $? -eq 0 -a ! -s "$TMP/verify.out" ]
check "the installed configuration is every run option, commented out" \
	[ "$(grep -c '^#[a-z-]* = ' "$P/etc/xdpi/xdpi.conf")" -ge 40 ]
cat >>"$P/etc/xdpi/xdpi.conf" <<'CONF'
# the test's own settings
stats-interval = 0
steer = snip
CONF

# the unit's ExecStart and capabilities, as systemd would use them
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT" | sed -e "s|%I|$IF_SRV|g" -e "s|/var/log/xdpi|$TMP/log|g")
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
setpriv_caps() { # CAP_A CAP_B... -> -all,+a,+b
	local spec=-all c
	for c in "$@"; do spec+=",+$(tr 'A-Z' 'a-z' <<<"${c#CAP_}")"; done
	echo "$spec"
}
EVE=$TMP/log/eve.$IF_SRV.json
run_bg_net "$NS_SRV" "$TMP/xdpi.log" setpriv --bounding-set "$(setpriv_caps $caps)" --no-new-privs $exec_start
XDPI_PID=$BG_PID
check "the unit's ExecStart attaches under the unit's bounding set" wait_until 30 grep -q "attached to" "$TMP/xdpi.log"
xdpi_pid=$(pgrep -P "$XDPI_PID" -x xdpi || echo "$XDPI_PID")
eff=$(awk '/^CapEff/ { print $2 }' "/proc/$xdpi_pid/status")
check "  with exactly those capabilities (CapEff $eff)" [ "$eff" = 000000c000203000 ]
check "  no new privileges" grep -q "^NoNewPrivs:.*1" "/proc/$xdpi_pid/status"
check "  the configuration file's options apply (steering snip)" grep -q "steering snip" "$TMP/xdpi.log"
check "  xdpi ctl reaches it" eval 'xctl list >/dev/null' 

# ---- logrotate, SIGHUP, nothing lost ----
get_all() { local i; for i in $(seq "$1" "$2"); do cli curl -s -o /dev/null --max-time 2 "http://$IP_SRV/?r=$i"; done; }
http_in() { [ -f "$1" ] && grep '"event_type":"http"' "$1" | jq -r '.http.url' | sed -n 's|^/?r=||p' | sort -n; }
count_in() { http_in "$1" | wc -l; }
get_all 1 20
check "20 requests, 20 http events in the EVE file" wait_until 10 eval '[ "$(count_in "$EVE")" -eq 20 ]'
sed -e "s|/var/log/xdpi/\*.json|$TMP/log/*.json|" \
	-e "s|systemctl reload 'xdpi@\*.service' >/dev/null 2>&1 \|\| true|kill -HUP $xdpi_pid|" \
	"$P/etc/logrotate.d/xdpi" >"$TMP/logrotate.conf"
logrotate -f -s "$TMP/logrotate.state" "$TMP/logrotate.conf"
check "logrotate with the installed snippet moved the file away" [ -f "$EVE.1" ]
check "  and xdpi reopened it on SIGHUP" wait_until 5 grep -q "SIGHUP: reopened" "$TMP/xdpi.log"
get_all 21 40
stop_bg "$XDPI_PID" TERM
check "the first 20 requests are in the rotated file, the next 20 in the new one, each once" \
	[ "$(http_in "$EVE.1" | tr '\n' ' ')" = "$(seq 1 20 | tr '\n' ' ')" -a \
	  "$(http_in "$EVE" | tr '\n' ' ')" = "$(seq 21 40 | tr '\n' ' ')" ]
check "  as nginx logged them: 40" [ "$(grep -c 'GET /?r=' "$TMP/nginx/access.log")" -eq 40 ]
check "  and no output error was counted" \
	jq_ok -s 'map(select(.event_type == "stats")) | .[-1].stats.xdpi.output.errors == 0' "$EVE"

# ---- each capability the unit gives host mode is needed ----
for need in CAP_BPF CAP_PERFMON CAP_NET_ADMIN CAP_SYS_ADMIN; do
	fewer=$(tr ' ' '\n' <<<"$caps" | grep -vx "$need" | tr '\n' ' ')
	in_net "$NS_SRV" setpriv --bounding-set "$(setpriv_caps $fewer)" --no-new-privs \
		$exec_start >"$TMP/fewer.log" 2>&1
	rc=$?
	refused_naming() { [ "$rc" -eq 1 ] && grep -q "missing $need" "$TMP/fewer.log"; }
	check "without $need: refused at start (exit $rc), naming it" refused_naming
done
check "  and nothing was left attached" no_xdp_on_link
e2e_done

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Detection with the whole ET open 2019 snapshot loaded, xdpi attached in front of nginx and
# dnsmasq: ordinary browsing and DNS raise no alert, ping only ET's Linux-ping rule (as in
# Suricata); curl with a User-Agent and
# with a URI that real ET rules match raises exactly those sids, with the HTTP object; a real
# ET rule turned into `drop` blocks its sender in XDP (its next requests die, other clients
# go on); an nmap SYN scan raises one port-scan alert naming the scanner and its flows; a
# header-only reputation rule is counted by the XDP maps and comes back as an alert; every
# event validates against Suricata's EVE schema.
. "$(dirname "$0")/lib.sh"
e2e_require_root
command -v nmap >/dev/null || { echo "FAIL nmap missing"; exit 1; }
ET=$SHARED/rules/et-open-2019

IP_UA=$IP_B IP_SCAN=198.18.0.4 IP_DROP=198.18.0.5 IP_REP=198.18.0.6
FIREFOX="Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"

lab_up || { echo "FAIL lab setup"; exit 1; }
for ip in $IP_UA $IP_SCAN $IP_DROP $IP_REP; do ip -n "$NS_CLI" addr add $ip/24 dev "$IF_CLI"; done
start_nginx || { echo "FAIL nginx"; exit 1; }
start_dnsmasq || { echo "FAIL dnsmasq"; exit 1; }

# A real ET rule as a drop rule (loaded first: the ruleset's alert copy is then a duplicate),
# and a reputation rule for a lab address (real lists name real addresses; tests use ours).
grep -h 'sid:2013211;' "$ET"/emerging-trojan.rules | sed 's/^alert /drop /' >"$TMP/local.rules"
echo "alert ip [$IP_REP] any -> \$HOME_NET any (msg:\"xdpi e2e reputation list\"; threshold: type limit, track by_src, seconds 3600, count 1; classtype:misc-attack; sid:9100002; rev:1;)" >>"$TMP/local.rules"
check "the drop rule comes from the snapshot" grep -q '^drop http .*Backdoor.Esion CnC Checkin' "$TMP/local.rules"

start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --stats-interval 0 \
	--rules "$TMP/local.rules" --rules "$ET/*.rules" --rule-var 'HOME_NET=[198.18.0.0/24]' \
	--rule-var EXTERNAL_NET=any --drop-ttl 120 ||
	{ echo "FAIL attach"; cat "$TMP/xdpi.log"; exit 1; }
grep "rules:" "$TMP/xdpi.log" | sed 's/^/  /'
check "the ruleset loaded (19000+ rules)" grep -qE 'rules: (19[0-9]{3}|2[0-9]{4}) of' "$TMP/xdpi.log"
check "the reputation rules went into XDP" grep -qE 'reputation rules counted in XDP' "$TMP/xdpi.log"

# ordinary traffic: pages with a browser's User-Agent (ET has a rule for curl's own), DNS, ping
for i in $(seq 1 10); do
	cli curl -s -o /dev/null -A "$FIREFOX" --max-time 2 "http://$IP_SRV/" || true
	cli curl -s -o /dev/null -A "$FIREFOX" --max-time 2 "http://$IP_SRV/big.txt" || true
	cli dig +short +time=1 +tries=1 @$IP_SRV lab.test A >/dev/null || true
	cli dig +short +time=1 +tries=1 @$IP_SRV lab.test TXT >/dev/null || true
done
cli ping -c 3 -i 0.2 -W 1 $IP_SRV >/dev/null
# the rules' traffic
cli curl -s -o /dev/null --interface $IP_UA -A "ScrapeBox" --max-time 2 "http://$IP_SRV/" || true
cli curl -s -o /dev/null --interface $IP_UA -A "$FIREFOX" --max-time 2 \
	"http://$IP_SRV/index.html?user_id=7&version_id=2&sys=linux" || true
check "the drop rule's client gets its page once" \
	cli curl -sf -o /dev/null --interface $IP_DROP -A "$FIREFOX" --max-time 2 "http://$IP_SRV/"
cli curl -s -o /dev/null --interface $IP_DROP -A "$FIREFOX" --max-time 2 "http://$IP_SRV/bot/gate.php" || true
blocked() { xctl list | grep -q "^$IP_DROP/32 *block rule 2013211"; }
check "the drop rule blocked its sender in the kernel (rule = sid 2013211)" wait_until 10 blocked
check "  its next request dies in XDP" fails fetch $IP_DROP 2
check "  another client still gets through" \
	cli curl -sf -o /dev/null --interface $IP_CLI -A "$FIREFOX" --max-time 2 "http://$IP_SRV/"
check "  the kernel counts the drops under the sid" [ "$(rule_pkts 2013211)" -ge 1 ]
# the reputation rule: only the kernel sees these packets as the rule's
cli ping -c 3 -i 0.2 -W 1 -I $IP_REP $IP_SRV >/dev/null
check "the XDP maps counted the reputation rule (sid 9100002)" [ "$(rule_pkts 9100002)" -ge 3 ]
# the scan
cli timeout 40 nmap -n -Pn -sS -T4 --max-retries 0 --host-timeout 20s -p 1-1000 -S $IP_SCAN -e "$IF_CLI" $IP_SRV >"$TMP/nmap.log" 2>&1
scan_alert() { grep -q '"signature_id":9000001' "$TMP/eve.json"; }
check "the scan raised its alert" wait_until 10 scan_alert
sleep_until_reported() { grep -q '"signature_id":9100002' "$TMP/eve.json"; }
check "the reputation rule's kernel hits came back as an alert" wait_until 10 sleep_until_reported
stop_bg "$XDPI_PID" TERM

A="$TMP/alerts.json"
grep '"event_type":"alert"' "$TMP/eve.json" >"$A"
jq -r '"  alert \(.alert.signature_id) \(.alert.action) \(.src_ip // "-") -> \(.dest_ip // "-") \(.alert.signature)"' "$A" | sort | uniq -c
sids() { jq -r '.alert.signature_id' "$A" | sort -u | tr '\n' ' '; }
check "exactly the expected sids alerted: $(sids)" \
	[ "$(sids)" = "2011282 2013169 2013211 2022986 2100366 9000001 9100002 " ]
# ET's GPL ICMP_INFO PING *NIX matches the payload of Linux's ping: Suricata alerts on each echo
# request too, so the ordinary client's only alerts are those
check "on the ordinary client $IP_CLI only its pings alerted (2100366, once per echo request: 3)" \
	jq_ok -s "[.[] | select(.src_ip == \"$IP_CLI\")] | length == 3 and all(.alert.signature_id == 2100366 and .proto == \"ICMP\")" "$A"
check "the User-Agent rule names the client and carries the HTTP object" \
	jq_ok -s "[.[] | select(.alert.signature_id == 2011282)] | length == 1 and .[0].src_ip == \"$IP_UA\" and .[0].http.http_user_agent == \"ScrapeBox\" and .[0].alert.signature == \"ET USER_AGENTS Suspicious User Agent (ScrapeBox)\" and .[0].alert.category == \"A Network Trojan was detected\"" "$A"
check "the URI rule (Gozi) carries the URL" \
	jq_ok -s "[.[] | select(.alert.signature_id == 2013169)] | length == 1 and (.[0].http.url | contains(\"user_id=7\"))" "$A"
check "the gate.php request also matches the ruleset's own Zbot rule (2022986), from the same client" \
	jq_ok -s "[.[] | select(.alert.signature_id == 2022986)] | length == 1 and .[0].src_ip == \"$IP_DROP\"" "$A"
check "the drop rule's alert says blocked" \
	jq_ok -s "[.[] | select(.alert.signature_id == 2013211)] | length == 1 and .[0].alert.action == \"blocked\" and .[0].src_ip == \"$IP_DROP\"" "$A"
check "one scan alert, naming the scanner, the target and its flows" \
	jq_ok -s "[.[] | select(.alert.signature_id == 9000001)] | length == 1 and .[0].src_ip == \"$IP_SCAN\" and .[0].xdpi.anomaly.target == \"$IP_SRV\" and (.[0].xdpi.anomaly.flows | length) >= 10 and all(.[0].xdpi.anomaly.flows[]; .dest_ip == \"$IP_SRV\")" "$A"
check "no host scan, flood or tunnel alert" fails grep -qE '"signature_id":900000[2-5]' "$A"
# the counters are read once a second: the alert carries what they held then (1..3 pings)
check "the reputation alert comes from the kernel's counters" \
	jq_ok -s "[.[] | select(.alert.signature_id == 9100002)] | .[0].xdpi.stage == \"kernel\" and .[0].xdpi.kernel_pkts >= 1 and .[0].xdpi.kernel_pkts <= 3" "$A"
check "the alerted flows' records say flow.alerted (and only theirs)" \
	jq_ok -s "[.[] | select(.event_type==\"flow\" and .flow.alerted) | .src_ip] | unique | . == ([\"$IP_UA\", \"$IP_DROP\", \"$IP_CLI\", \"$IP_REP\"] | sort)" "$TMP/eve.json"
check "every event validates against Suricata's EVE schema" \
	python3 "$(dirname "$0")/../schema/validate.py" "$TMP/eve.json"
e2e_done

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The command line as a user meets it, no privileges needed: bad input gets a clear error with
# its place and the documented exit status, never a hang or a silent success; failed writes are
# said and counted; the configuration file is the command line's equal; captures of every link
# type xdpi reads give the flow tshark sees. (Root-only checks of `run` live in tests/e2e.)
set -u
cd "$(dirname "$0")/../.."
. tests/lib/check.sh
XDPI=${XDPI:-$PWD/build/xdpi}
CORPUS=${XDPI_SHARED:-$PWD/../shared}/corpus
TMP=$(mktemp -d /tmp/xdpi-cli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
DNS=$CORPUS/sv_dns-udp-a-aaaa-mx.pcap
x() { timeout 60 "$XDPI" "$@"; } # nothing here may hang: a minute is a failure, not a wait

echo "--- output failures are said, counted and reflected in the exit status"
check "read -o /dev/full: exit 1, the file and ENOSPC named, the losses counted" \
	exits 1 "writing events to /dev/full failed: No space left on device; [0-9]* events lost" \
	x read -o /dev/full "$DNS"
lines=$(x read "$CORPUS/ndpi_1kxun-mixed.pcap" 2>/dev/null | head -1 | wc -l)
check "read | head -1 stops at once, quietly ($lines line)" [ "$lines" -eq 1 ]
x read -o "$TMP/a.json" "$DNS" && x read -o "$TMP/a.json" "$DNS"
check "-o appends (documented): two reads, twice the events" \
	[ "$(wc -l <"$TMP/a.json")" -eq $((2 * $(x read "$DNS" | wc -l))) ]

echo "--- input is bounded and named"
check "rules check /dev/zero is refused, not read forever" exits 1 "/dev/zero: larger than 128 MiB" \
	x rules check /dev/zero
check "rules check /dev/urandom is refused" exits 1 "/dev/urandom: larger than 128 MiB" \
	x rules check /dev/urandom
check "rules check /tmp says it is a directory" exits 1 "/tmp: Is a directory" x rules check /tmp
check "run --block /dev/zero is a usage error, before anything loads" \
	exits 2 "/dev/zero: larger than 128 MiB" x run -i lo --block /dev/zero --check-config
check "read --api-routes /dev/zero is refused" exits 1 "larger than 128 MiB" \
	x read --api-routes /dev/zero "$DNS"

echo "--- one bad rule costs that rule"
python3 -c "print('alert tcp any any -> any any (msg:\"big\"; content:\"' + 'A' * 40000 + '\"; sid:7;)')
print('alert tcp any any -> any any (msg:\"ok\"; content:\"hello\"; sid:8;)')
print('alert ip any any -> any any ((msg:\"x\"; sid:5;))')" >"$TMP/bad.rules"
x rules check "$TMP/bad.rules" >"$TMP/check.out" 2>"$TMP/check.err"
check "a 40,000-byte content is refused by name (file:line, sid)" \
	grep -q "bad.rules:1: sid 7: the prefilter (Hyperscan) refuses its 40000-byte pattern" "$TMP/check.err"
check "  the rule after it loads" grep -q "^loaded     1 " "$TMP/check.out"
check "'((msg' is malformed at its column, not a skipped keyword" \
	grep -q "bad.rules:3:30: sid 5: '(msg' is not a keyword name" "$TMP/check.err"
check "  malformed 2" grep -q "^malformed  2" "$TMP/check.out"
check "read --rules with them still runs the good rule" exits 0 "1 of 3 loaded" \
	x read --rules "$TMP/bad.rules" "$DNS"
printf '%s\n' 'alert tcp any any -> any 445 (content:"SMB"; sid:1;)' \
	'alert tcp any any -> any [139,445] (content:"SMB"; sid:2;)' \
	'alert tcp any any -> any 1024: (content:"SMB"; sid:3;)' \
	'alert udp any any -> any 53 (content:"SMB"; sid:4;)' >"$TMP/ports.rules"
x rules check "$TMP/ports.rules" >"$TMP/ports.out" 2>&1
check "rules check says which rules are looked for by port (2 TCP rules, 1 group)" \
	grep -q "of the prefiltered, 2 TCP payload rules bound to a few ports .* (1 port groups)" \
	"$TMP/ports.out"

echo "--- rules see what Suricata's rules see"
# HTTP/2 streams through the HTTP buffers (Suricata maps :path to http.uri, :authority to
# http.host): six GET streams, one of them the manual's index
cat >"$TMP/h2.rules" <<'RULES'
alert http any any -> any any (msg:"h2 uri"; http.uri; content:"/doc/manual/html/index.html"; endswith; sid:1;)
alert http any any -> any any (msg:"h2 method"; http.method; content:"GET"; sid:2;)
alert http any any -> any any (msg:"h2 host"; http.host; content:"localhost"; sid:3;)
alert http any any -> any any (msg:"h2 status"; http.stat_code; content:"200"; sid:4;)
RULES
h2alerts=$(x read --no-stats --rules "$TMP/h2.rules" "$CORPUS/sv_http2-keywords-ipv6-port3000.pcap" 2>/dev/null |
	jq -r 'select(.event_type=="alert") | .alert.signature_id' | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')
check "HTTP/2 transactions reach the rules: uri once, method, host and status on each of 6 streams ($h2alerts)" \
	[ "$h2alerts" = "1:1 2:6 3:6 4:6 " ]
# ICMP echo requests against icmp, ip_proto and itype rules (alert icmp never fired before)
printf '%s\n' 'alert icmp any any -> any any (itype:8; sid:11;)' \
	'alert ip any any -> any any (ip_proto:1; sid:12;)' >"$TMP/icmp.rules"
ICMP=ndpi_googledns_android10.pcap
want=$(tshark -r "$CORPUS/$ICMP" -Y "icmp.type == 8" 2>/dev/null | wc -l)
icmp_alerts=$(x read --no-stats --rules "$TMP/icmp.rules" "$CORPUS/$ICMP" 2>/dev/null |
	jq -r 'select(.event_type=="alert") | .alert.signature_id' | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')
icmp_fired() { [ "$want" -gt 0 ] && echo "$icmp_alerts" | grep -q "^11:$want "; }
check "ICMP rules fire: itype:8 on each of tshark's $want echo requests ($ICMP: $icmp_alerts)" icmp_fired

echo "--- usage errors exit 2 and name the option"
check "--anomaly factor=nan" exits 2 "factor: 'nan' is not a number" x read --anomaly factor=nan "$DNS"
check "--anomaly scan_ports=2.5" exits 2 "scan_ports" x read --anomaly scan_ports=2.5 "$DNS"
check "--metrics 1.2.3" exits 2 "expected ADDR:PORT" x run -i lo --metrics 1.2.3
check "--redis http://x" exits 2 "expected redis://HOST" x read --redis http://x "$DNS"
check "--redis-mode queue" exits 2 "list or channel" x read --redis-mode queue "$DNS"
check "--ipfix host:99999" exits 2 "port is a number" x read --ipfix host:99999 "$DNS"
check "--tap --persist" exits 2 "would black-hole the port" x run -i lo --tap --persist
check "--tunnel-ignore vxlan,nvgre" exits 2 "'nvgre' at column 7: not a tunnel type" x read --tunnel-ignore vxlan,nvgre "$DNS"
check "--vxlan-port 0" exits 2 "out of range" x read --vxlan-port 0 "$DNS"
check "an unknown option" exits 2 "unknown option '--frobnicate'" x read --frobnicate "$DNS"
check "ctl list with a stray argument" exits 2 "takes no arguments" x ctl -i lo list extra
check "ctl without a command" exits 2 "give a COMMAND" x ctl -i lo
check "run's help names BTF tracepoints, not fentry" fails grep -q fentry <(x run --help)
for c in run read ctl rules top doctor; do
	check "xdpi $c --help has examples" grep -q "^Examples:" <(x $c --help)
done

echo "--- the configuration file is the command line's equal"
cat >"$TMP/xdpi.conf" <<'CONF'
# an operator's file: every kind of option
interface = eth9
steer = snip          # a remark after a value
snaplen=512
no_bypass = yes
persist = no
port-rule = "drop tcp/23"
api-alert = error_ratio > 5% for 1m
anomaly = scan_ports=20
CONF
x run --config "$TMP/xdpi.conf" --check-config >"$TMP/from-file" 2>&1
x run -i eth9 --steer snip --snaplen 512 --no-bypass --port-rule 'drop tcp/23' \
	--api-alert 'error_ratio > 5% for 1m' --anomaly scan_ports=20 --check-config >"$TMP/from-flags" 2>&1
check "--check-config: the same options from the file as from flags" diff "$TMP/from-file" "$TMP/from-flags"
x run --config "$TMP/from-flags" --check-config | tail -n +2 >"$TMP/again"
check "  and its output reads back as the same configuration" diff <(tail -n +2 "$TMP/from-flags") "$TMP/again"
check "the command line comes after the file (--snaplen 256 wins)" \
	grep -q "^snaplen = 256" <(x run --config "$TMP/xdpi.conf" --snaplen 256 --check-config | tail -1)
conf_err() { printf '%s\n' "$1" >"$TMP/bad.conf"; exits 2 "$2" x run -i lo --config "$TMP/bad.conf"; }
check "a bad value: file:line:col and the option's own message" conf_err "snaplen = 9" \
	"bad.conf:1:11: --snaplen: 9 is out of range"
check "an unknown name" conf_err "frob = 1" "bad.conf:1:1: unknown option 'frob'"
check "a switch with a value that is not yes/no" conf_err "persist = maybe" \
	"bad.conf:1:11: 'persist' is a switch: yes or no"
check "a name without its value" conf_err "rules" "bad.conf:1:6: 'rules' needs a value"
check "an unclosed quote" conf_err 'port-rule = "drop tcp/23' "bad.conf:1:13: a quoted value without"
check "a list file named in it is read and checked too" conf_err "block = /dev/zero" \
	"bad.conf:1:9: /dev/zero: larger than 128 MiB"

echo "--- captures: every link type, cut and lying records"
for k in ethernet ppp ppp-bare chdlc ppi radiotap pppoe-link; do
	python3 tests/cli/mkpcap.py "$k" "$TMP/$k.pcap"
	want=$(tshark -r "$TMP/$k.pcap" -T fields -e ip.src -e tcp.srcport -e tcp.dstport 2>/dev/null | sort -u | head -1 | tr '\t' ' ')
	got=$(x read "$TMP/$k.pcap" | jq -r 'select(.event_type == "flow") | "\(.src_ip) \(.src_port) \(.dest_port)"')
	check "$k: the flow tshark sees ($want), with its HTTP request" \
		[ "$got" = "$want" -a "$(x read "$TMP/$k.pcap" | jq -r 'select(.event_type == "http") | .http.url')" = /cli ]
done
echo "--- application identification: protocol by content, risks with evidence, names"
python3 tests/cli/mkpcap.py telnet2323 "$TMP/telnet.pcap"
flow=$(x read "$TMP/telnet.pcap" 2>/dev/null | jq -c 'select(.event_type == "flow")')
check "Telnet on port 2323 is named by its bytes" \
	[ "$(jq -r '"\(.app_proto) \(.xdpi.app.protocol) \(.xdpi.app.by)"' <<<"$flow")" = "telnet telnet content" ]
check "  with the unsafe-protocol risk and its evidence" \
	[ "$(jq -r '.xdpi.risks[] | select(.risk == "unsafe_protocol") | .evidence' <<<"$flow")" = "app_proto=telnet" ]
check "  and the non-standard-port risk naming the port" \
	[ "$(jq -r '.xdpi.risks[] | select(.risk == "known_protocol_on_non_standard_port") | .evidence' <<<"$flow")" = "app_proto=telnet dest_port=2323" ]
printf 'lab.test  LabApp  Internal\n' >"$TMP/apps.conf"
check "--apps names the application from the Host header" \
	[ "$(x read --apps "$TMP/apps.conf" "$TMP/ethernet.pcap" 2>/dev/null | jq -r 'select(.event_type == "flow") | "\(.xdpi.app.name) \(.xdpi.app.category) \(.xdpi.app.name_from)"')" = "LabApp Internal host" ]
printf 'ok.test A\nbad..test B\n' >"$TMP/bad-apps.conf"
check "a bad --apps file is refused with its place" exits 1 "bad-apps.conf:2:1: domain suffix 'bad..test': empty label" \
	x read --apps "$TMP/bad-apps.conf" "$TMP/ethernet.pcap"
python3 tests/cli/mkpcap.py wirelen "$TMP/wirelen.pcap"
check "a record claiming a 4 GB wire length is counted at its captured length, and said" \
	exits 0 "1 records claimed a wire length past 262144" x read "$TMP/wirelen.pcap"
check "  (flow bytes 145, as captured)" [ "$(x read "$TMP/wirelen.pcap" 2>/dev/null | jq 'select(.event_type == "flow") | .flow.bytes_toserver')" -eq 145 ]
python3 tests/cli/mkpcap.py snap64 "$TMP/snap64.pcap"
check "a 64-byte snap length: warned" exits 0 "snap length of 64 bytes: flows and headers only" \
	x read "$TMP/snap64.pcap"
check "  and the IPv6 TCP flow is there" \
	[ "$(x read "$TMP/snap64.pcap" 2>/dev/null | jq -r 'select(.event_type == "flow") | "\(.src_ip) \(.dest_port)"')" = "fd00::1 443" ]
editcap -s 64 "$CORPUS/ndpi_1kxun-mixed.pcap" "$TMP/cut.pcap" >/dev/null 2>&1
full=$(x read "$CORPUS/ndpi_1kxun-mixed.pcap" | grep -c '"event_type":"flow"')
cut=$(x read "$TMP/cut.pcap" 2>/dev/null | grep -c '"event_type":"flow"')
check "a real capture cut to 64 bytes keeps every flow ($cut of $full)" [ "$cut" -eq "$full" ]

echo "--- doctor"
if [ "$(id -u)" = 0 ]; then
	setpriv --reuid 65534 --regid 65534 --clear-groups "$XDPI" doctor >"$TMP/doctor.out" 2>&1
	check "doctor as an unprivileged user: exit 1" [ $? -eq 1 ]
	says_both() { grep -q "missing CAP_BPF" "$TMP/doctor.out" && grep -q "would fail here" "$TMP/doctor.out"; }
	check "  the missing capabilities named, and the verdict" says_both
fi
x doctor --json >"$TMP/doctor.json"
check "doctor --json is one JSON document with a verdict" \
	jq_ok 'has("run_would_work") and (.checks | length) >= 10' "$TMP/doctor.json"
check "doctor -i with no such interface is a usage error" exits 2 "no interface named" x doctor -i nosuch0
e2e_done

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Workers change nothing but speed: every corpus capture read with --workers 1 and with
# --workers 3 (more threads than this machine's cores) gives the same flow records and the
# same dns, http, tls and quic events, field for field (compared as sorted sets: workers
# write in their own order). Anomaly detectors are off: their evidence lists the flows in
# the order the threads reported them. So are names from DNS answers: the workers share
# them, but which thread read the answer before which other ended a flow is the threads'
# race, not the capture's order.
set -uo pipefail
cd "$(dirname "$0")/../.."
XDPI=${XDPI:-build/xdpi}
CORPUS=${CORPUS:-../shared/corpus}
events='select(.event_type != "stats") | del(.timestamp)'
fail=0 n=0
for p in "$CORPUS"/*.pcap "$CORPUS"/*.pcapng; do
	[ -e "$p" ] || continue
	n=$((n + 1))
	one=$("$XDPI" read --no-anomaly --no-dns-names --no-stats --workers 1 "$p" 2>/dev/null | jq -c "$events" | sort | md5sum)
	three=$("$XDPI" read --no-anomaly --no-dns-names --no-stats --workers 3 "$p" 2>/dev/null | jq -c "$events" | sort | md5sum)
	if [ "$one" != "$three" ]; then
		echo "FAIL workers: $(basename "$p"): --workers 3 differs from --workers 1"
		fail=1
	fi
done
echo "workers: $n captures, --workers 3 $([ $fail = 0 ] && echo "identical to" || echo "NOT identical to") --workers 1"

# Fragments across workers: a later fragment of a protocol without ports (here 37) is keyed
# as it stands, so it meets its flow's other packets in one worker; a TCP or UDP one follows
# its datagram's first fragment. Both directions of 24 address pairs within a second (a
# capture's own fragments far apart in time end their flows first and hide the difference).
frags=$(mktemp /tmp/xdpi-frags.XXXXXX.pcap)
trap 'rm -f "$frags" "${big:-}"' EXIT
python3 - "$frags" <<'PY'
import struct, sys
def ip(src, dst, proto, body, off=0, more=False, ident=7):
    fl = (0x2000 if more else 0) | off // 8
    return (b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00' +
            struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(body), ident, fl, 64, proto, 0, src, dst) + body)
pkts = []
for i in range(1, 25):
    a, b = bytes([198, 18, 1, i]), bytes([198, 18, 2, i])
    pkts.append(ip(a, b, 37, b'd' * 16))                       # whole
    pkts.append(ip(b, a, 37, b'e' * 16, off=64, ident=9))      # a later fragment, back
    pkts.append(ip(b, a, 37, b'f' * 24, more=True, ident=11))  # a first fragment, back
    tcp = struct.pack('!HHIIBBHHH', 40000 + i, 80, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
    pkts.append(ip(a, b, 6, tcp + b'g' * 4, more=True, ident=13))  # TCP, first fragment
    pkts.append(ip(a, b, 6, b'h' * 8, off=24, ident=13))           # and its later one
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for n, p in enumerate(pkts):
        f.write(struct.pack('<IIII', 1700000000, n * 1000, len(p), len(p)) + p)
PY
flows() { "$XDPI" read --no-anomaly --no-dns-names --no-stats --workers "$1" "$frags" 2>/dev/null |
	jq -c 'select(.event_type == "flow") | del(.timestamp, .flow_id)' | sort; }
one=$(flows 1)
both=$(jq -s '[.[] | select(.proto == "37" and .flow.pkts_toserver == 1 and .flow.pkts_toclient == 2)] | length' <<<"$one")
for w in 2 3; do
	if [ "$(flows $w)" != "$one" ]; then
		echo "FAIL workers: fragments: --workers $w differs from --workers 1"
		fail=1
	fi
done
if [ "$both" != 24 ]; then
	echo "FAIL workers: fragments: $both of 24 protocol-37 flows hold both directions (one worker)"
	fail=1
else
	echo "workers: fragments of 24 flows both ways: --workers 2 and 3 as --workers 1"
fi

# Many flows ending at once (40,000 left open, ended by the file's end): far more events than
# a worker's event ring holds. Reading a file, a worker waits for the output instead of
# dropping: every one of them is written, as with one worker.
big=$(mktemp /tmp/xdpi-workers.XXXXXX.pcap)
python3 bench/gen_flows.py 40000 "$big"
one=$("$XDPI" read --no-anomaly --no-dns-names --no-stats --workers 1 "$big" 2>/dev/null | wc -l)
two=$("$XDPI" read --no-anomaly --no-dns-names --no-stats --workers 2 "$big" 2>/dev/null | wc -l)
if [ "$one" -lt 60000 ] || [ "$one" != "$two" ]; then
	echo "FAIL workers: 40,000 flows: $one events with one worker, $two with two"
	fail=1
else
	echo "workers: 40,000 flows ending at once: $two events with two workers, as with one"
fi
exit $fail

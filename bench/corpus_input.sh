# SPDX-License-Identifier: GPL-2.0
# Sourced by the offline benchmarks: $input is every Ethernet capture of the corpus
# concatenated REPEAT times (mergecap -a), made once under build/bench; $pkts its packets.
# MIX=tls: only the captures with TLS or QUIC handshakes (SUMMARY.tsv's tls_ch, quic_ch), a
# mix dominated by encrypted traffic; made as build/bench/corpus-tls-xREPEAT.pcap.
REPEAT=${REPEAT:-5}
CORPUS=${CORPUS:-../shared/corpus}
MIX=${MIX:-all}
out=build/bench
mkdir -p "$out"
case $MIX in
all) input=$out/corpus-x$REPEAT.pcap; pick='1' ;;
tls) input=$out/corpus-tls-x$REPEAT.pcap; pick='$11 + $12 > 0' ;;
*) echo "MIX is all or tls" >&2; exit 2 ;;
esac
if [ ! -s "$input" ]; then
	mapfile -t eth < <(awk -F'\t' "NR > 1 && \$3 == \"ether\" && ($pick) { print \$1 }" "$CORPUS/SUMMARY.tsv")
	files=()
	for i in $(seq 1 "$REPEAT"); do for f in "${eth[@]}"; do files+=("$CORPUS/$f"); done; done
	mergecap -a -F pcap -w "$input" "${files[@]}"
fi
pkts=$(capinfos -c -M "$input" | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }')

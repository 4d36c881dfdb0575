# SPDX-License-Identifier: GPL-2.0
# Sourced by the offline benchmarks: $input is every Ethernet capture of the corpus
# concatenated REPEAT times (mergecap -a), made once under build/bench; $pkts its packets.
REPEAT=${REPEAT:-5}
CORPUS=${CORPUS:-../shared/corpus}
out=build/bench
mkdir -p "$out"
input=$out/corpus-x$REPEAT.pcap
if [ ! -s "$input" ]; then
	mapfile -t eth < <(awk -F'\t' 'NR > 1 && $3 == "ether" { print $1 }' "$CORPUS/SUMMARY.tsv")
	files=()
	for i in $(seq 1 "$REPEAT"); do for f in "${eth[@]}"; do files+=("$CORPUS/$f"); done; done
	mergecap -a -F pcap -w "$input" "${files[@]}"
fi
pkts=$(capinfos -c -M "$input" | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }')

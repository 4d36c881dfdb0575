#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: every benchmark, figures to standard output and to bench/results/.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
res=bench/results/$(date -u +%Y%m%dT%H%M%SZ)-$(git rev-parse --short HEAD 2>/dev/null || echo dev).txt
{
	echo "# xdpi bench, $(uname -r), $(nproc) CPUs, $(date -u)"
	if [ "$(id -u)" = 0 ]; then build/bench/xdp_ns 2000000 2>/dev/null; else echo "# fast path: needs root"; fi
	echo
	if [ "$(id -u)" = 0 ]; then build/bench/sweep 2>/dev/null; else echo "# kernel sweep: needs root"; fi
	echo
	bench/enforce.sh 2>/dev/null
	echo
	bench/lb.sh 2>/dev/null
	echo
	bench/offline.sh
	echo
	bench/appid.sh
	echo
	bench/detect.sh
	echo
	bench/workers.sh
	echo
	bench/efficiency.sh 2>/dev/null
	echo
	bench/steering.sh 2>/dev/null
	echo
	bench/observe.sh 2>/dev/null
} | tee "$res"
echo "saved $res"

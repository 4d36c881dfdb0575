#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages xdpi needs to build, test and demo. Idempotent:
# when everything is present it only runs one dpkg-query and exits.
set -euo pipefail

# build: compiler for BPF and user space, libbpf/libxdp, skeleton generator
BUILD_PKGS="clang-14 llvm-14 libbpf-dev bpftool libxdp-dev libelf-dev zlib1g-dev
libpcap-dev libssl-dev libcmocka-dev libjansson-dev libnghttp2-dev libhyperscan-dev libpcre2-dev libmicrohttpd-dev libhiredis-dev libyaml-dev libcurl4-openssl-dev libclang-rt-14-dev pkg-config make
gcc"
# tests and demo: real peers and independent checkers
TEST_PKGS="iproute2 hping3 nmap tshark tcpdump nginx-light dnsmasq-base bind9-dnsutils curl
python3-jsonschema python3-yaml xdp-tools libndpi-bin jq procps util-linux iputils-ping time ethtool
nghttp2-server nghttp2-client python3-grpcio openssl gnutls-bin tcpreplay
redis-server prometheus nfdump tmux logrotate nodejs ipvsadm"

want="$BUILD_PKGS"
case "${1:-all}" in
build) ;;
all) want="$BUILD_PKGS $TEST_PKGS" ;;
*) echo "usage: $0 [build|all]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in ii*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing; run as root or: apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture; answer no
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
# Peers such as redis-server and prometheus are started by the tests, in their
# own namespaces; keep the package scripts from starting system-wide daemons.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
stamp=/var/lib/apt/periodic/xdpi-update-stamp
if [ ! -e "$stamp" ] || [ -z "$(find /var/lib/apt/lists -name '*Packages*' -print -quit)" ]; then
	apt-get update -qq
	mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done" >&2

#!/usr/bin/env bash
# Install every Debian package that building, testing, benchmarking and the
# demo need. Idempotent: packages already present are skipped quickly.
set -euo pipefail

PKGS=(
	# build
	make gcc pkg-config clang-19 llvm-19 bpftool
	libbpf-dev libxdp-dev libmnl-dev libevent-dev libjansson-dev libcyaml-dev libcurl4-openssl-dev
	linux-libc-dev libc6-dev
	# tests, lab and demo
	libcmocka-dev iproute2 nftables ethtool procps psmisc
	nginx-light curl wrk python3-scapy prometheus
)

if [ "$(id -u)" -ne 0 ]; then
	echo "scripts/deps.sh: installing packages needs root (run as root: make deps)" >&2
	exit 1
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Services must not start on install (tests start their own).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	created_policy=1
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}"
[ "$created_policy" = 1 ] && rm -f "$policy"
echo "deps: done"

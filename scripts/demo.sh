#!/usr/bin/env bash
# scripts/demo.sh - `make demo`: xlb balancing real connections in a lab of
# network namespaces (scripts/lab.sh: 2 clients, a router, the LB, 3 nginx
# backends with xlb-decap). Starts xlbd on the LB, configures an IPv4 and an
# IPv6 VIP with 3 backends each through xlbctl, sends real HTTP requests
# (curl) from both clients through both VIPs, and shows `xlbctl vip list`,
# the share of requests each backend answered, a trace and the metrics.
# Then stops xlbd, detaches it and removes the lab, also on failure.
#
#   KEEP=1 scripts/demo.sh    leave the lab and xlbd running; prints how to
#                             use them (and how to remove them afterwards)
# Needs root and a build (`make demo` does both).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export LAB_PREFIX=${LAB_PREFIX:-xlb-demo-}
export LAB_DIR=${LAB_DIR:-/tmp/${LAB_PREFIX%-}}
LAB=$ROOT/scripts/lab.sh
XLBD=$ROOT/build/xlbd
XLBCTL=$ROOT/build/xlbctl
RUN_DIR=/run/${LAB_PREFIX%-}		# socket, state file, xlbd's log
PIN_DIR=/sys/fs/bpf/${LAB_PREFIX%-}	# xlbd's pins (the lab's decap pins are elsewhere)
SOCK=$RUN_DIR/xlbd.sock
REQUESTS=${REQUESTS:-60}		# per client and VIP
KEEP=${KEEP:-0}
XLBD_PID=

die() { echo "demo: $*" >&2; exit 1; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
runq() { printf '$ %s\n' "$*"; "$@" >/dev/null; }	# show the command, not its table
xctl() { "$XLBCTL" --socket "$SOCK" "$@"; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, XDP, BPF pins): run it as root (make demo)"
for f in "$XLBD" "$XLBCTL" "$ROOT/build/xlb-decap"; do
	[ -x "$f" ] || die "$f is not built: run 'make' (or 'make demo')"
done

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ "$KEEP" = 1 ] && [ "$rc" -eq 0 ]; then
		return
	fi
	[ "$rc" -eq 0 ] || echo "demo: failed (exit $rc); cleaning up. xlbd's log: $RUN_DIR/xlbd.log" >&2
	[ "$rc" -eq 0 ] || tail -n 20 "$RUN_DIR/xlbd.log" 2>/dev/null | sed 's/^/    /' >&2
	if [ -n "$XLBD_PID" ]; then
		kill "$XLBD_PID" 2>/dev/null || true
		wait "$XLBD_PID" 2>/dev/null || true
	fi
	# the program stays attached and pinned after xlbd exits (by design): detach it
	if [ -e "/run/netns/${LAB_PREFIX}lb" ]; then
		nsenter --net="/run/netns/${LAB_PREFIX}lb" "$XLBD" --detach --pin-dir "$PIN_DIR" >/dev/null 2>&1 || true
	fi
	case $PIN_DIR in /sys/fs/bpf/xlb?*) rm -rf "$PIN_DIR" ;; esac
	case $RUN_DIR in /run/xlb?*) rm -rf "$RUN_DIR" ;; esac
	bash "$LAB" down >/dev/null 2>&1 || true
	[ "$rc" -ne 0 ] || echo "demo: stopped xlbd, detached it, removed the lab"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Lab: 2 clients, a router, the LB, 3 nginx backends (VIPs on lo, xlb-decap on eth0)"
bash "$LAB" up
eval "$(bash "$LAB" env)"
read -r B4_1 B4_2 B4_3 <<<"$BACKEND_ADDRS4"
read -r B6_1 B6_2 B6_3 <<<"$BACKEND_ADDRS6"
V4="$VIP4:80/tcp"
V6="[$VIP6]:80/tcp"

step "xlbd on the LB's eth0 (socket $SOCK, pins $PIN_DIR)"
mkdir -p "$RUN_DIR"
nsenter --net="/run/netns/$LB_NS" "$XLBD" --iface "$LB_IFACE" --socket "$SOCK" --state-dir "$RUN_DIR" \
	--pin-dir "$PIN_DIR" >"$RUN_DIR/xlbd.log" 2>&1 &
XLBD_PID=$!
for _ in $(seq 1 100); do
	xctl status >/dev/null 2>&1 && break
	kill -0 "$XLBD_PID" 2>/dev/null || die "xlbd exited: $(cat "$RUN_DIR/xlbd.log")"
	sleep 0.1
done
run "$XLBCTL" --socket "$SOCK" status

step "Configure two VIPs with xlbctl"
export XLB_SOCKET=$SOCK
run "$XLBCTL" vip add "$V4"
for b in "$B4_1" "$B4_2" "$B4_3"; do runq "$XLBCTL" backend add "$V4" "$b"; done
runq "$XLBCTL" vip add "$V6"
for b in "$B6_1" "$B6_2" "$B6_3"; do runq "$XLBCTL" backend add "$V6" "$b" --weight 100; done

step "Real HTTP requests: $REQUESTS new connections per client and VIP (curl)"
declare -A count
fails=0
for vip in "$VIP4" "[$VIP6]"; do
	for c in $CLIENT_NODES; do
		out=$(bash "$LAB" exec "$c" bash -c "for i in \$(seq $REQUESTS); do
			curl -gs --max-time 3 -H 'Connection: close' 'http://$vip/' || echo FAIL; done")
		printf '  %s -> http://%s/ : %s\n' "$c" "$vip" "$(sort <<<"$out" | uniq -c | awk '{printf "%s=%s ", $2, $1}')"
		for be in $out; do
			count[$vip/$be]=$((${count[$vip/$be]:-0} + 1))
			[ "$be" != FAIL ] || fails=$((fails + 1))
		done
	done
done

step "xlbctl vip list"
run "$XLBCTL" vip list

step "Share of the requests per backend"
total=$((REQUESTS * $(wc -w <<<"$CLIENT_NODES")))
printf '  %-18s %-8s %8s %7s\n' VIP Backend Requests Share
for vip in "$VIP4" "[$VIP6]"; do
	for b in $BACKEND_NODES; do
		n=${count[$vip/$b]:-0}
		printf '  %-18s %-8s %8d %6.1f%%\n' "$vip" "$b" "$n" "$(awk "BEGIN{print 100*$n/$total}")"
	done
done
echo "  failed requests: $fails"

step "Why a flow goes where it goes"
run "$XLBCTL" trace 198.18.0.11:40000 "$V4" || true	# client c1's address
run "$XLBCTL" trace "[2001:db8::11]:40000" "$V6" || true

step "Prometheus metrics (xlbd serves them on 127.0.0.1:9464 in the LB's namespace)"
bash "$LAB" exec lb curl -s 127.0.0.1:9464/metrics | grep -E '^xlb_(vip|backend)_(new_flows|packets)_total' | head -8 || true

[ "$fails" -eq 0 ] || die "$fails requests failed"

if [ "$KEEP" = 1 ]; then
	step "KEEP=1: the lab and xlbd stay up"
	cat <<EOF
  xlbd pid $XLBD_PID, log $RUN_DIR/xlbd.log
  export XLB_SOCKET=$SOCK
  $XLBCTL vip list
  $XLBCTL stats --rate
  $XLBCTL backend set '$V4' $B4_1 --weight 300
  $XLBCTL backend drain '$V4' $B4_2
  $XLBCTL trace 198.18.0.11:40000 '$V4'
  curl --unix-socket $SOCK http://xlb/v1/status
  scripts/lab.sh exec c1 curl -s http://$VIP4/          # a client (c1, c2)
  scripts/lab.sh exec c2 curl -gs 'http://[$VIP6]/'
  scripts/lab.sh exec c1 bash                            # a shell in a client
  scripts/lab.sh status
  (LAB_PREFIX=$LAB_PREFIX for every scripts/lab.sh command above)
Remove it all:
  kill $XLBD_PID; nsenter --net=/run/netns/$LB_NS $XLBD --detach --pin-dir $PIN_DIR
  rm -rf $RUN_DIR; LAB_PREFIX=$LAB_PREFIX scripts/lab.sh down
EOF
fi

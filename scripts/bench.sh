#!/usr/bin/env bash
# xlb benchmarks. `make bench` runs this after building; it prints one table
# and writes build/bench/results.json. Under 10 minutes on 2 cores.
#
#   scripts/bench.sh            every benchmark (datapath, end-to-end, Maglev, control plane)
#   scripts/bench.sh --only P   one part: datapath, e2e, maglev or cp
#   scripts/bench.sh --smoke    path checks only (TAP lines, no timing), < 1 minute:
#                               every datapath scenario for a few repetitions, the
#                               Maglev builders at tiny sizes
#
# Everything it creates is named xlb-bench-*: network namespaces, veths,
# the pin dir /sys/fs/bpf/xlb-bench, the state dir under build/bench. All of
# it is removed on exit, even on failure. Method: README "Performance".
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
BENCH=$BUILD/bench/xlb-bench
OUT=$BUILD/bench
RESULTS=$OUT/results.json
XLBD=$BUILD/xlbd
PIN=/sys/fs/bpf/xlb-bench
SOCK=$OUT/xlbd.sock
NS_DP=xlb-bench-dp NS_GEN=xlb-bench-gen NS_LB=xlb-bench-lb NS_CP=xlb-bench-cp NS_SRV=xlb-bench-srv
STARTED_PIDS=()
FAILED=0	# a failed path check or setup; missed targets are reported, not failures

if [ "$(id -u)" -ne 0 ]; then
	echo "scripts/bench.sh: needs root (BPF, XDP, network namespaces): run as root" >&2
	exit 1
fi
if [ ! -x "$BENCH" ]; then
	echo "scripts/bench.sh: $BENCH not built (run: make bench)" >&2
	exit 1
fi

ONLY=all
case "${1:-}" in
--smoke) exec "$BENCH" --results "$OUT/smoke.json" smoke ;;
--only) ONLY=${2:-}
	case $ONLY in datapath|e2e|maglev|cp) ;; *)
		echo "scripts/bench.sh: --only takes datapath, e2e, maglev or cp" >&2; exit 2 ;;
	esac ;;
"") ;;
*) echo "usage: scripts/bench.sh [--smoke | --only datapath|e2e|maglev|cp]" >&2; exit 2 ;;
esac
want() { [ "$ONLY" = all ] || [ "$ONLY" = "$1" ]; }

XLBD_PID=
cleanup() {
	local pid
	[ -n "$XLBD_PID" ] && xlbd_stop
	for pid in "${STARTED_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		sleep 0.2
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in $NS_DP $NS_GEN $NS_LB $NS_CP $NS_SRV; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$PIN" "$OUT/xlbd-state" "$SOCK" 2>/dev/null
}
# n/a rows for every control-plane measurement, with the reason
cp_na() {
	local why=$1 what
	for what in "apply 1,000 VIPs x 100 backends (API)" \
		"xlbd peak RSS after that apply (VmHWM)" \
		"one backend change, API call -> datapath" \
		"xlbd CPU, TCP health checks of 1000 backends every 1 s" \
		"xlbd CPU, TCP health checks of 10000 backends every 1 s"; do
		"$BENCH" --results "$RESULTS" na "control plane" "$what" "$why"
	done
}

# The control-plane lab: xlbd in $NS_CP attached to xlb-bench-c0; its
# backends 198.18.0.0/15 are all local (AnyIP route) in $NS_SRV behind
# xlb-bench-s0, where one accept-and-close listener on :8080 answers every
# health check.
cp_lab_up() {
	ip netns add $NS_CP && ip netns add $NS_SRV || return 1
	ip link add xlb-bench-c0 netns $NS_CP type veth peer name xlb-bench-s0 netns $NS_SRV || return 1
	ip -n $NS_CP link set lo up
	ip -n $NS_SRV link set lo up
	ip -n $NS_CP addr add 203.0.113.253/30 dev xlb-bench-c0
	ip -n $NS_SRV addr add 203.0.113.254/30 dev xlb-bench-s0
	ip -n $NS_CP link set xlb-bench-c0 up
	ip -n $NS_SRV link set xlb-bench-s0 up
	ip -n $NS_CP route add 198.18.0.0/15 via 203.0.113.254
	ip -n $NS_SRV route add local 198.18.0.0/15 dev lo
	ip netns exec $NS_SRV sysctl -qw net.core.somaxconn=8192
	ip netns exec $NS_CP sysctl -qw net.ipv4.ip_local_port_range="10000 65000"
	ip netns exec $NS_SRV "$BENCH" listen 8080 >"$OUT/listen.count" 2>"$OUT/listen.log" &
	STARTED_PIDS+=($!)
}

# Start xlbd with an empty model; XLBD_PID is its pid (nsenter execs it).
# Only the network namespace is entered, so the pins land on the host bpffs.
xlbd_start() {
	rm -rf "$OUT/xlbd-state" "$SOCK"
	mkdir -p "$OUT/xlbd-state"
	nsenter --net=/run/netns/$NS_CP "$XLBD" --iface xlb-bench-c0 --socket "$SOCK" \
		--state-dir "$OUT/xlbd-state" --pin-dir "$PIN" --metrics off --log-level warn \
		>"$OUT/xlbd.log" 2>&1 &
	XLBD_PID=$!
	for _ in $(seq 100); do
		curl -sf --unix-socket "$SOCK" http://xlb/v1/status >/dev/null 2>&1 && return 0
		kill -0 "$XLBD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench: xlbd did not come up (log: $OUT/xlbd.log)" >&2
	return 1
}

xlbd_stop() {
	local _
	kill "$XLBD_PID" 2>/dev/null
	for _ in $(seq 50); do	# a daemon whose loop is starved may not see SIGTERM
		kill -0 "$XLBD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$XLBD_PID" 2>/dev/null
	wait "$XLBD_PID" 2>/dev/null
	XLBD_PID=
	nsenter --net=/run/netns/$NS_CP "$XLBD" --detach --pin-dir "$PIN" >/dev/null 2>&1
	rm -rf "$PIN"
}

bench_control_plane() {
	local cp=("$BENCH" --results "$RESULTS" --socket "$SOCK" --pin-dir "$PIN")
	if [ ! -x "$XLBD" ]; then
		cp_na "xlbd not built"
		return
	fi
	if ! cp_lab_up || ! xlbd_start; then
		cp_na "xlbd did not start, see $OUT/xlbd.log"
		return
	fi
	"${cp[@]}" --pid "$XLBD_PID" cp apply || echo "bench: cp apply failed" >&2
	"${cp[@]}" --pid "$XLBD_PID" cp change || echo "bench: cp change failed" >&2
	xlbd_stop
	# a fresh daemon per health row: its CPU is that of the checks alone
	for n in 1000 10000; do
		if ! xlbd_start; then
			"$BENCH" --results "$RESULTS" na "control plane" \
				"xlbd CPU, TCP health checks of $n backends every 1 s" "xlbd did not start"
			continue
		fi
		"${cp[@]}" --pid "$XLBD_PID" --backends $n --window 10 \
			--count-file "$OUT/listen.count" cp health ||
			echo "bench: cp health $n failed" >&2
		xlbd_stop
	done
}

trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup

mkdir -p "$OUT"
"$BENCH" --results "$RESULTS" reset || exit 1
start=$(date +%s)

# ---- 1. datapath: BPF_PROG_TEST_RUN through the restoring wrapper ----
# An idle veth (both ends down) holds the wrapper in the kernel's XDP
# dispatcher, so each timed run costs only its repetitions.
if want datapath; then
echo "== datapath (BPF_PROG_TEST_RUN)"
ip netns add $NS_DP
ip -n $NS_DP link add xlb-bench-d0 type veth peer name xlb-bench-d1
"$BENCH" --results "$RESULTS" --hold-ns $NS_DP --hold-if xlb-bench-d0 datapath ||
	{ echo "bench: datapath reported a failure (rows marked n/a)" >&2; FAILED=1; }
ip netns del $NS_DP
fi

# ---- 2. end-to-end: live-frames generator -> veth -> balancer -> sink ----
if want e2e; then
echo "== end-to-end (veth, live frames)"
ip netns add $NS_GEN
ip netns add $NS_LB
ip link add xlb-bench-g0 netns $NS_GEN type veth peer name xlb-bench-l0 netns $NS_LB
for ns in $NS_GEN $NS_LB; do
	ip -n $ns link set lo up
	# no IPv6 autoconfiguration chatter during the measurement
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip -n $NS_GEN link set xlb-bench-g0 up
ip -n $NS_LB link set xlb-bench-l0 up
# many flows (the target), then one flow: the difference is the cost of
# conn-table lookups that miss the CPU caches
for flows in 65536 1; do
	"$BENCH" --results "$RESULTS" --gen-ns $NS_GEN --gen-if xlb-bench-g0 \
		--lb-ns $NS_LB --lb-if xlb-bench-l0 --flows $flows e2e ||
		{ echo "bench: end-to-end ($flows flows) reported a failure" >&2; FAILED=1; }
done
ip netns del $NS_GEN
ip netns del $NS_LB
fi

# ---- 3. Maglev build times ----
if want maglev; then
	echo "== Maglev table builds"
	"$BENCH" --results "$RESULTS" maglev || { echo "bench: maglev reported a failure" >&2; FAILED=1; }
fi

# ---- 4. control plane through xlbd ----
if want cp; then
	echo "== control plane (xlbd)"
	bench_control_plane
fi

"$BENCH" --results "$RESULTS" report
echo "bench: $(($(date +%s) - start)) s; results in $RESULTS"
[ "$FAILED" -eq 0 ] || echo "bench: some measurements failed (see the n/a rows and the log above)" >&2
exit "$FAILED"

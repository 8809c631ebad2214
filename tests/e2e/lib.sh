# shellcheck shell=bash
# tests/e2e/lib.sh - sourced by every end-to-end test (tests/e2e/test_*.sh).
#
# TAP output (tests/run.sh counts these lines):
#   tap_ok NAME               "ok N - NAME"
#   tap_fail NAME [MSG]       "not ok N - NAME" and "# MSG"
#   tap_skip NAME WHY         "ok N - NAME # SKIP WHY"
#   tap_check NAME CMD...     run CMD: ok when it exits 0, else fail with its output
#   tap_diag MSG              "# MSG"
#   tap_done                  print the plan "1..N"; returns 1 if anything failed
# The lab (scripts/lab.sh), with names unique to the test file:
#   lab_up                    LAB_PREFIX defaults to xlb-t-NAME- (NAME = the
#                             test file without test_), so parallel tests never
#                             share namespaces or pins; sets the variables of
#                             `lab.sh env` (LB_NS, LB_IFACE, VIP4, VIP6, ...);
#                             installs the EXIT trap that always tears down
#   lab_on_exit CMD           run CMD (e.g. cp_cleanup) before the teardown
#   lab_down                  remove the lab (also done by the trap)
#   in_ns NODE CMD...         run CMD in NODE's namespace (c1, lb, b1, rt, ...);
#   lab_exec NODE CMD...      the same
#   wait_for 'CMD' SECONDS    poll CMD (a shell string) every 0.1 s until it
#                             succeeds (return 0) or SECONDS pass (return 1)
#   lab_tunnel_udp OUTER_DST CLIENT_NODE INNER_FAMILY [PORT]
#                             from the LB, send a hand-made tunnel packet to
#                             OUTER_DST carrying UDP from CLIENT_NODE's address
#                             to the VIP of INNER_FAMILY (4|6); prints what
#                             CLIENT_NODE received: "SRC_ADDR PAYLOAD" or nothing
# Functions return non-zero on failure and say why on stderr.

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_SH=$E2E_ROOT/scripts/lab.sh
# shellcheck disable=SC2034 # used by the tests that source this file
PY=/usr/bin/python3	# Debian's python3, the one scapy imports with
TAP_N=0
TAP_FAILED=0
_LAB_EXIT_HOOKS=()
_LAB_IS_UP=0

tap_ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"; }
tap_fail() {
	TAP_N=$((TAP_N + 1)) TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/# /'
}
tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP ${2:-}"; }
tap_diag() { printf '%s\n' "$*" | sed 's/^/# /'; }
tap_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_ok "$name"
	else
		tap_fail "$name" "command: $* ; output: $out"
	fi
}
tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

wait_for() {
	local cmd=$1 timeout=${2:-5} end
	end=$(($(date +%s%N) + timeout * 1000000000))
	while :; do
		eval "$cmd" >/dev/null 2>&1 && return 0
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

in_ns() {
	local node=$1
	shift
	nsenter --net="/run/netns/${LAB_PREFIX}$node" "$@"
}
lab_exec() { in_ns "$@"; }

lab_on_exit() { _LAB_EXIT_HOOKS+=("$1"); }

_lab_exit() {
	local rc=$? h
	for h in "${_LAB_EXIT_HOOKS[@]}"; do
		eval "$h" >/dev/null 2>&1 || true
	done
	[ "$_LAB_IS_UP" = 1 ] && lab_down >/dev/null 2>&1
	exit $rc
}

lab_up() {
	local name out
	name=$(basename "$0" .sh)
	export LAB_PREFIX=${LAB_PREFIX:-xlb-t-${name#test_}-}
	export LAB_DIR=${LAB_DIR:-/tmp/${LAB_PREFIX%-}}
	trap _lab_exit EXIT
	trap 'exit 130' INT TERM
	_LAB_IS_UP=1
	if ! out=$(bash "$LAB_SH" up 2>&1); then
		echo "lab_up: scripts/lab.sh up failed:" >&2
		printf '%s\n' "$out" | sed 's/^/    /' >&2
		return 1
	fi
	eval "$(bash "$LAB_SH" env)"
}

lab_down() {
	bash "$LAB_SH" down
	_LAB_IS_UP=0
}

lab_tunnel_udp() { bash "$LAB_SH" tunnel udp "$@"; }

# lab_tunnel_syn OUTER_DST CLIENT_NODE INNER_FAMILY [PORT]: a TCP SYN from
# the client's address to VIP:80 through the tunnel; prints "synack VIP"
# when the backend's SYN-ACK reached the client.
lab_tunnel_syn() { bash "$LAB_SH" tunnel syn "$@"; }

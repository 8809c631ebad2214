#!/usr/bin/env bash
# Test driver. Runs the suites named (unit, bpf, e2e, bench-smoke; "all" =
# every one) and ends with one line "N passed, N failed, N skipped".
#
# Protocol: every test program prints TAP lines on stdout:
#   "ok N - name", "not ok N - name", "ok N - name # SKIP why".
# cmocka does so with CMOCKA_MESSAGE_OUTPUT=TAP; tests/bpf and tests/e2e
# print them through their own small helpers. A program that exits
# non-zero without a "not ok" line counts as one failure of its own.
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(all)
[ "${suites[0]}" = all ] && suites=(unit bpf e2e bench-smoke)

if [ "$(id -u)" -ne 0 ]; then
	echo "tests/run.sh: the tests need root (BPF, XDP, network namespaces): run as root" >&2
	exit 1
fi

LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"
passed=0 failed=0 skipped=0
failures=()

# run_one NAME CMD... : run a test program, count its TAP lines.
run_one() {
	local name=$1; shift
	local log="$LOGDIR/${name//\//_}.log"
	echo "== $name"
	CMOCKA_MESSAGE_OUTPUT=TAP "$@" >"$log" 2>&1
	local rc=$?
	local p f s
	p=$(grep -Ec '^ok [0-9]+' "$log" | head -1)
	s=$(grep -Ec '^ok [0-9]+.*# *SKIP' "$log" | head -1)
	f=$(grep -Ec '^not ok [0-9]+' "$log" | head -1)
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	grep -E '^(not ok|ok [0-9]+.*# *SKIP)' "$log" | sed 's/^/   /'
	echo "   $p passed, $f failed, $s skipped (log: $log)"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	[ "$f" -gt 0 ] && failures+=("$name")
	return 0
}

for suite in "${suites[@]}"; do
	case $suite in
	unit)
		for t in "$BUILD"/tests/unit/test_*; do
			[ -x "$t" ] && run_one "unit/$(basename "$t")" "$t"
		done ;;
	bpf)
		for t in "$BUILD"/tests/bpf/test_*; do
			[ -x "$t" ] && run_one "bpf/$(basename "$t")" "$t"
		done ;;
	e2e)
		for t in tests/e2e/test_*.sh; do
			[ -f "$t" ] && run_one "e2e/$(basename "$t" .sh)" bash "$t"
		done ;;
	bench-smoke)
		if [ -x scripts/bench.sh ] && [ -x "$BUILD/bench/xlb-bench" ]; then
			run_one "bench/smoke" bash scripts/bench.sh --smoke
		fi ;;
	*)
		echo "tests/run.sh: unknown suite '$suite' (unit, bpf, e2e, bench-smoke, all)" >&2
		exit 2 ;;
	esac
done

[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

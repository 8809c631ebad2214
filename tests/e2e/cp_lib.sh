# shellcheck shell=bash
# tests/e2e/cp_lib.sh - helpers of the control-plane end-to-end tests and
# the demo: run a real xlbd in the lab's LB namespace with its own socket,
# state and pin directory, drive it with xlbctl, and count which backend
# served each HTTP request. Source it after tests/e2e/lib.sh (lab_up).
#
#   cp_init             after lab_up: socket/state under /run/${LAB_PREFIX}xlbd,
#                       pins under /sys/fs/bpf/${LAB_PREFIX}xlbd (unique per test
#                       file, as LAB_PREFIX is); registers cp_cleanup on exit
#   cp_xlbd_start       start xlbd (entering only the LB network namespace,
#                       so the pins land on the host's bpffs); waits for the API
#   cp_xlbd_kill9 / cp_xlbd_stop / cp_xlbd_detach / cp_cleanup
#   xctl ARGS...        build/xlbctl --socket OUR_SOCKET ARGS...
#   cp_vip VIP ADDR[%WEIGHT]...   add a VIP and its backends with xlbctl
#   cp_api METHOD PATH [BODY]   raw API call (curl --unix-socket), prints the body
#   cp_curl_loop NODE URL N FILE  N new HTTP connections (curl) from NODE; one
#                       line per request in FILE: the backend's name or FAIL
#   cp_share FILE NAME  percent (integer) of FILE's lines equal to NAME
# Functions return non-zero on failure and say why on stderr.

CP_ROOT=${CP_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
XLBD=${XLBD:-$CP_ROOT/build/xlbd}
XLBCTL=${XLBCTL:-$CP_ROOT/build/xlbctl}
CP_PID=

cp_init() {
	CP_DIR=/run/${LAB_PREFIX}xlbd
	CP_SOCK=$CP_DIR/xlbd.sock
	CP_PIN=/sys/fs/bpf/${LAB_PREFIX}xlbd
	CP_LOG=$CP_DIR/xlbd.log
	mkdir -p "$CP_DIR"
	: >"$CP_LOG"
	lab_on_exit cp_cleanup
}

# cp_vip VIP ADDR[%WEIGHT]...: a VIP and its backends through xlbctl.
cp_vip() {
	local vip=$1 b w
	shift
	xctl vip add "$vip" >/dev/null || return 1
	for b in "$@"; do
		w=100
		case $b in *%*) w=${b#*%} b=${b%%%*} ;; esac
		xctl backend add "$vip" "$b" --weight "$w" >/dev/null || return 1
	done
}

xctl() {
	"$XLBCTL" --socket "$CP_SOCK" "$@"
}

cp_api() {
	local method=$1 path=$2 body=${3-}
	if [ -n "$body" ]; then
		curl -s --unix-socket "$CP_SOCK" -X "$method" -H 'Content-Type: application/json' \
			--data-binary "$body" "http://xlb$path"
	else
		curl -s --unix-socket "$CP_SOCK" -X "$method" "http://xlb$path"
	fi
}

# cp_xlbd_start [EXTRA XLBD ARGS...]: needs LB_NS and LB_IFACE from the lab.
cp_xlbd_start() {
	local i
	nsenter --net="/run/netns/$LB_NS" "$XLBD" --iface "$LB_IFACE" --socket "$CP_SOCK" \
		--state-dir "$CP_DIR" --pin-dir "$CP_PIN" --metrics off "$@" >>"$CP_LOG" 2>&1 &
	CP_PID=$!
	for i in $(seq 1 100); do
		if xctl status >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$CP_PID" 2>/dev/null; then
			echo "cp_xlbd_start: xlbd exited; its log:" >&2
			sed 's/^/    /' "$CP_LOG" >&2
			CP_PID=
			return 1
		fi
		sleep 0.1
	done
	echo "cp_xlbd_start: xlbd's API did not answer within 10 s; log:" >&2
	sed 's/^/    /' "$CP_LOG" >&2
	return 1
}

cp_xlbd_kill9() {
	[ -n "$CP_PID" ] || return 0
	kill -9 "$CP_PID" 2>/dev/null
	wait "$CP_PID" 2>/dev/null
	CP_PID=
}

cp_xlbd_stop() {
	[ -n "$CP_PID" ] || return 0
	kill -TERM "$CP_PID" 2>/dev/null
	wait "$CP_PID" 2>/dev/null
	CP_PID=
}

# Detach the program from the LB's interfaces and remove our pins.
cp_xlbd_detach() {
	[ -n "${LB_NS:-}" ] && [ -e "/run/netns/$LB_NS" ] &&
		nsenter --net="/run/netns/$LB_NS" "$XLBD" --detach --pin-dir "$CP_PIN" >>"$CP_LOG" 2>&1
	return 0
}

# Everything cp_* made: the daemon we started, its pins, its directory.
cp_cleanup() {
	cp_xlbd_stop
	cp_xlbd_detach
	case ${CP_PIN:-} in /sys/fs/bpf/xlb?*xlbd) rm -rf "$CP_PIN" ;; esac
	case ${CP_DIR:-} in /run/xlb?*xlbd) rm -rf "$CP_DIR" ;; esac
}

cp_curl_loop() {
	local node=$1 url=$2 n=$3 out=$4
	lab_exec "$node" bash -c '
		for i in $(seq 1 '"$n"'); do
			curl -gs --max-time 3 -H "Connection: close" "'"$url"'" || echo FAIL
		done' >"$out" 2>/dev/null
}

cp_share() {
	local file=$1 name=$2 total hits
	total=$(wc -l <"$file")
	hits=$(grep -cx -- "$name" "$file")
	[ "$total" -gt 0 ] || { echo 0; return; }
	echo $((hits * 100 / total))
}

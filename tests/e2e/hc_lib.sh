# shellcheck shell=bash
# tests/e2e/hc_lib.sh - helpers of the health, drain and metrics end-to-end
# tests. Source after lib.sh and cp_lib.sh (and lab_up, cp_init).
#
#   hc_enc TEXT                 percent-encode a VIP / address for an API path
#   hc_be_field VIP ADDR FIELD  a BACKENDVIEW field ("state", "pinned_flows", ...)
#                               from GET /v1/vips/VIP; "health.state" reaches in;
#                               prints "absent" when the backend is not listed
#   hc_wait_field VIP ADDR FIELD VALUE SECONDS
#                               poll every 50 ms; prints the seconds it took
#                               (fractional); returns 1 on timeout
#   hc_now                      seconds since the epoch, with nanoseconds
#   hc_reqloop_start NODE HOST PORT OUT   new TCP connection per request,
#                               "TIME RESULT" per line in OUT (RESULT = the
#                               backend's name or FAIL); runs until hc_reqloop_stop
#   hc_reqloop_stop OUT
#   hc_nginx_stop BACKEND / hc_nginx_start BACKEND   the lab's nginx of BACKEND
#   hc_log_has REGEX            xlbd's log (CP_LOG) has a line matching REGEX

hc_enc() { "$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

hc_now() { date +%s.%N; }

hc_be_field() {
	local vip=$1 addr=$2 field=$3
	cp_api GET "/v1/vips/$(hc_enc "$vip")" | "$PY" -c '
import json, sys
addr, field = sys.argv[1], sys.argv[2]
try:
    v = json.load(sys.stdin)
except ValueError:
    print("noreply"); sys.exit(0)
for b in v.get("backends", []):
    if b.get("address") == addr:
        x = b
        for part in field.split("."):
            x = x.get(part) if isinstance(x, dict) else None
        print(x); break
else:
    print("absent")' "$addr" "$field"
}

hc_wait_field() {
	local vip=$1 addr=$2 field=$3 want=$4 secs=$5 t0 now
	t0=$(hc_now)
	while :; do
		now=$(hc_now)
		if [ "$(hc_be_field "$vip" "$addr" "$field")" = "$want" ]; then
			echo "$now - $t0" | bc -l | xargs printf '%.3f\n'
			return 0
		fi
		if [ "$(echo "$now - $t0 > $secs" | bc -l)" = 1 ]; then
			return 1
		fi
		sleep 0.05
	done
}

_hc_write_reqloop() {
	[ -f "$LAB_DIR/hc_reqloop.py" ] && return 0
	cat >"$LAB_DIR/hc_reqloop.py" <<'PYEOF'
"""hc_reqloop.py HOST PORT OUT: one new TCP connection per request (GET /),
"TIME RESULT" per line (RESULT = body stripped, or FAIL) until OUT.stop exists."""
import os
import socket
import sys
import time

host, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
with open(out, "w", buffering=1) as f:
    while not os.path.exists(out + ".stop"):
        t = time.time()
        res = "FAIL"
        try:
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(0.5)
            s.connect((host, port))
            s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
            buf = b""
            while True:
                d = s.recv(4096)
                if not d:
                    break
                buf += d
            s.close()
            head, _, body = buf.partition(b"\r\n\r\n")
            if head.startswith(b"HTTP/1.1 200") and body.strip():
                res = body.decode().strip()
        except OSError:
            pass
        f.write("%.6f %s\n" % (t, res))
        time.sleep(0.02)
PYEOF
}

hc_reqloop_start() {
	local node=$1 host=$2 port=$3 out=$4
	_hc_write_reqloop
	rm -f "$out.stop"
	in_ns "$node" "$PY" "$LAB_DIR/hc_reqloop.py" "$host" "$port" "$out" &
	echo $! >"$out.pid"
}

hc_reqloop_stop() {
	local out=$1
	touch "$out.stop"
	wait "$(cat "$out.pid")" 2>/dev/null
	rm -f "$out.pid"
}

hc_nginx_stop() {
	local dir=$LAB_DIR/$1
	in_ns "$1" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" -s stop 2>/dev/null
	wait_for "! in_ns $1 ss -ltn | grep -q ':80 '" 5
}

hc_nginx_start() {
	local dir=$LAB_DIR/$1
	in_ns "$1" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
}

hc_log_has() { grep -Eq -- "$1" "$CP_LOG"; }

# hc_watch_start VIP ADDR OUT: poll the API over the Unix socket every 20 ms,
# one line "TIME STATE LAST_RESULT" in OUT per change (precise transition
# times for the timing checks); hc_watch_stop OUT; hc_watch_first OUT STATE
# AFTER: time of the first line with STATE at or after AFTER.
_hc_write_watch() {
	[ -f "$LAB_DIR/hc_watch.py" ] && return 0
	cat >"$LAB_DIR/hc_watch.py" <<'PYEOF'
"""hc_watch.py SOCKET VIP_PATH ADDR OUT: health state changes of a backend."""
import http.client
import json
import os
import socket
import sys
import time

sock, path, addr, out = sys.argv[1:5]


class UnixConn(http.client.HTTPConnection):
    def __init__(self):
        super().__init__("xlb")

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(sock)


prev = None
with open(out, "w", buffering=1) as f:
    while not os.path.exists(out + ".stop"):
        try:
            c = UnixConn()
            c.request("GET", path)
            v = json.loads(c.getresponse().read())
            c.close()
            cur = "absent"
            for b in v.get("backends", []):
                if b["address"] == addr:
                    cur = "%s %s" % (b["health"]["state"], b["health"].get("last_result"))
        except (OSError, ValueError, KeyError):
            cur = "noreply"
        if cur != prev:
            f.write("%.6f %s\n" % (time.time(), cur))
            prev = cur
        time.sleep(0.02)
PYEOF
}

hc_watch_start() {
	local vip=$1 addr=$2 out=$3
	_hc_write_watch
	rm -f "$out.stop"
	"$PY" "$LAB_DIR/hc_watch.py" "$CP_SOCK" "/v1/vips/$(hc_enc "$vip")" "$addr" "$out" &
	echo $! >"$out.pid"
}

hc_watch_stop() {
	touch "$1.stop"
	wait "$(cat "$1.pid")" 2>/dev/null
}

hc_watch_first() {
	awk -v s="$2" -v t="$3" '$1 >= t && $2 == s { print $1; exit }' "$1"
}

# hc_udp_stop BACKEND: stop the lab's UDP responder of BACKEND (by its pid file)
hc_udp_stop() {
	local pid
	pid=$(cat "$LAB_DIR/$1/udp.pid" 2>/dev/null) || return 1
	grep -q udp_name.py "/proc/$pid/cmdline" 2>/dev/null || return 1
	kill "$pid"
}

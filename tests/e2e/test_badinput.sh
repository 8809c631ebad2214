#!/usr/bin/env bash
# test_badinput.sh - bad input is refused with a message naming the problem,
# changes nothing (GET /v1/config before == after) and never kills xlbd:
# malformed YAML, unknown fields, bad addresses, duplicate VIPs, invalid
# weights (through xlbctl, `xlbctl apply` and the raw API), unknown paths
# and methods, and garbage bytes on the API socket. Traffic through the VIP
# still flows at the end.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/cp_lib.sh"

CFG0=

# refused NAME WANT_EXIT NEEDLE CMD...: CMD exits WANT_EXIT, its stderr (or
# stdout for raw API calls) contains NEEDLE, config unchanged, xlbd alive.
refused() {
	local name=$1 want=$2 needle=$3 out rc cfg
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	cfg=$(cp_api GET /v1/config)
	if [ "$rc" -ne "$want" ]; then
		tap_fail "$name" "exit $rc, want $want; output: $out"
	elif ! grep -qiF -- "$needle" <<<"$out"; then
		tap_fail "$name" "message does not name '$needle': $out"
	elif [ "$cfg" != "$CFG0" ]; then
		tap_fail "$name" "configuration changed: $cfg"
	elif ! kill -0 "$CP_PID" 2>/dev/null; then
		tap_fail "$name" "xlbd died"
	else
		tap_ok "$name: $(head -1 <<<"$out" | cut -c1-110)"
	fi
}

# api_refused METHOD PATH [BODY]: prints "BODY HTTP CODE"; exit 1 (refused)
# when the code is 4xx/5xx with a JSON "error", else 0
api_refused() {
	local method=$1 path=$2 body=${3-} out
	out=$(curl -s --unix-socket "$CP_SOCK" -X "$method" -H 'Content-Type: application/json' \
		${body:+--data-binary "$body"} -w ' HTTP %{http_code}' "http://xlb$path")
	echo "$out"
	if [[ $out =~ HTTP\ [45][0-9][0-9]$ ]] && [[ $out == *'"error"'* ]]; then
		return 1
	fi
	return 0
}

# garbage BYTES_EXPR: send a python bytes expression to the socket, print the reply
garbage() {
	"$PY" - "$CP_SOCK" "$1" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(3)
s.connect(sys.argv[1])
try:
    s.sendall(eval(sys.argv[2]))  # a bytes expression written by this test
    s.shutdown(socket.SHUT_WR)
    print(s.recv(4096).decode(errors="replace").replace("\r\n", " | ")[:300])
except OSError as e:
    print("connection ended:", e)
PYEOF
	return 1	# judged by refused(): exit status 1, message, state
}

main() {
	lab_up || { tap_fail "lab up"; return; }
	cp_init
	cp_xlbd_start || { tap_fail "xlbd starts and serves its API"; return; }
	local V4="$VIP4:80/tcp" b1 b2 y=$LAB_DIR/bad.yaml
	read -r b1 b2 _ <<<"$BACKEND_ADDRS4"
	tap_check "a VIP with 2 backends" cp_vip "$V4" "$b1" "$b2"
	CFG0=$(cp_api GET /v1/config)
	[ -n "$CFG0" ] || tap_fail "GET /v1/config answers"

	# --- apply: YAML files ---
	printf 'vips:\n  - vip: "%s\n    backends: [\n' "$V4" >"$y"
	refused "apply: malformed YAML refused, file and line named" 1 "$y:4" xctl apply -f "$y"
	printf 'vips:\n  - vip: %s\n    colour: blue\n    backends:\n      - address: %s\n' "$V4" "$b1" >"$y"
	refused "apply: unknown field refused, named" 1 "colour" xctl apply -f "$y"
	printf 'vips:\n  - vip: 198.19.0.300:80/tcp\n    backends:\n      - address: %s\n' "$b1" >"$y"
	refused "apply: bad VIP address refused, named" 1 "198.19.0.300" xctl apply -f "$y"
	printf 'vips:\n  - vip: %s\n    backends:\n      - address: 198.18.1.999\n' "$V4" >"$y"
	refused "apply: bad backend address refused, named" 1 "198.18.1.999" xctl apply -f "$y"
	printf 'vips:\n  - vip: %s\n    backends:\n      - address: %s\n  - vip: %s\n' "$V4" "$b1" "$V4" >"$y"
	refused "apply: duplicate VIPs refused, named" 1 "$VIP4" xctl apply -f "$y"
	printf 'vips:\n  - vip: %s\n    backends:\n      - address: %s\n        weight: 70000\n' "$V4" "$b1" >"$y"
	refused "apply: invalid weight refused, named" 1 "weight" xctl apply -f "$y"
	printf 'vips:\n  - vip: %s\n    backends:\n      - address: %s\n        weight: -1\n' "$V4" "$b1" >"$y"
	refused "apply --dry-run: invalid weight refused too" 1 "weight" xctl apply -f "$y" --dry-run

	# --- xlbctl: local validation (exit 2) and daemon refusals (exit 1) ---
	refused "xlbctl: bad VIP is a usage error" 2 "198.19.0.300" xctl vip add 198.19.0.300:80/tcp
	refused "xlbctl: bad backend address is a usage error" 2 "198.18.1.999" xctl backend add "$V4" 198.18.1.999
	refused "xlbctl: weight 70000 is a usage error" 2 "--weight" xctl backend set "$V4" "$b1" --weight 70000
	refused "xlbctl: duplicate VIP refused by xlbd" 1 "$VIP4" xctl vip add "$V4"
	refused "xlbctl: duplicate backend refused by xlbd" 1 "$b1" xctl backend add "$V4" "$b1"
	refused "xlbctl: unknown VIP refused by xlbd" 1 "198.19.0.99" xctl vip del 198.19.0.99:80/tcp

	# --- the raw API, bypassing xlbctl's checks ---
	refused "API: bad VIP address refused, named" 1 "198.19.0.300" \
		api_refused POST /v1/vips '{"vip":"198.19.0.300:80/tcp"}'
	refused "API: weight 70000 refused, named" 1 "weight" \
		api_refused PATCH "/v1/vips/$(printf %s "$V4" | sed 's/:/%3A/g; s#/#%2F#g')/backends/$b1" '{"weight":70000}'
	refused "API: weight as a string refused, named" 1 "weight" \
		api_refused POST "/v1/vips/$(printf %s "$V4" | sed 's/:/%3A/g; s#/#%2F#g')/backends" '{"address":"198.18.1.13","weight":"heavy"}'
	refused "API: unknown field refused, named" 1 "colour" \
		api_refused POST /v1/vips '{"vip":"198.19.0.20:80/tcp","colour":"blue"}'
	refused "API: body that is not JSON refused" 1 "json" api_refused POST /v1/vips '{"vip": '
	refused "API: unknown path is 404" 1 "404" api_refused GET /v1/nope
	refused "API: wrong method is 405" 1 "405" api_refused PUT /v1/vips '{}'

	# --- garbage on the socket ---
	refused "socket: binary garbage answered 400 or closed" 1 "" garbage "b'\\x00\\x01\\x02garbage\\xff\\r\\n\\r\\n'"
	refused "socket: a 100 kB header line" 1 "" garbage "b'GET /v1/status HTTP/1.1\\r\\nX: ' + b'a' * 100000 + b'\\r\\n\\r\\n'"
	refused "socket: Content-Length beyond the body" 1 "" \
		garbage "b'POST /v1/vips HTTP/1.1\\r\\nContent-Length: 99999999\\r\\n\\r\\n{}'"

	# still serving: API and traffic
	tap_check "xlbd still answers (xlbctl status)" xctl status
	cp_curl_loop c1 "http://$VIP4/" 20 "$LAB_DIR/after"
	if ! grep -qvx 'b[12]' "$LAB_DIR/after"; then
		tap_ok "traffic through the VIP still flows (20 of 20)"
	else
		tap_fail "traffic through the VIP still flows" "$(sort "$LAB_DIR/after" | uniq -c | tr '\n' ' ')"
	fi
}

main
tap_done

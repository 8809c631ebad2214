#!/usr/bin/env bash
# test_restart.sh - xlbd can die and come back while traffic flows: new
# connections in a loop (IPv4 and IPv6) and 20 long-lived keep-alive
# connections run while xlbd is killed with SIGKILL, stays down ~2 s, and
# is started again. Zero requests fail, the long-lived connections keep
# their backends, the restarted xlbd has the same configuration (GET
# /v1/config), and its connection table survived: `xlbctl trace` of each
# long-lived connection answers "connection table" with the backend the
# client is talking to.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/cp_lib.sh"

round() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["round"])' "$1"; }

main() {
	lab_up || { tap_fail "lab up"; return; }
	cp_init
	cp_xlbd_start || { tap_fail "xlbd starts and serves its API"; return; }
	local V4="$VIP4:80/tcp" V6="[$VIP6]:80/tcp"
	tap_check "IPv4 and IPv6 VIPs with 3 backends" eval 'cp_vip "$V4" $BACKEND_ADDRS4 && cp_vip "$V6" $BACKEND_ADDRS6'

	local h=$LAB_DIR/hold.json n4=$LAB_DIR/new4.json n6=$LAB_DIR/new6.json ph p4 p6
	in_ns c1 "$PY" "$HERE/flowhold.py" hold "$VIP4" 80 20 "$h" >"$LAB_DIR/hold.log" 2>&1 &
	ph=$!
	in_ns c2 "$PY" "$HERE/flowhold.py" new "$VIP4" 80 0 "$n4" --interval 0.01 --timeout 3 >"$LAB_DIR/new4.log" 2>&1 &
	p4=$!
	in_ns c2 "$PY" "$HERE/flowhold.py" new "$VIP6" 80 0 "$n6" --interval 0.01 --timeout 3 >"$LAB_DIR/new6.log" 2>&1 &
	p6=$!
	wait_for "[ -f $h ] && [ \$(round $h) -ge 5 ] && [ -f $n4 ] && [ -f $n6 ]" 15 ||
		tap_fail "clients running" "$(cat "$LAB_DIR"/*.log)"

	local cfg_before cfg_after r_kill r_back
	cfg_before=$(cp_api GET /v1/config)
	r_kill=$(round "$h")
	local pid=$CP_PID
	cp_xlbd_kill9
	if ! kill -0 "$pid" 2>/dev/null && ! xctl status >/dev/null 2>&1; then
		tap_ok "xlbd killed with SIGKILL (API gone)"
	else
		tap_fail "xlbd killed with SIGKILL (API gone)"
	fi
	sleep 2
	r_back=$(round "$h")
	if [ $((r_back - r_kill)) -ge 10 ]; then
		tap_ok "long-lived connections kept answering while xlbd was down ($((r_back - r_kill)) rounds)"
	else
		tap_fail "long-lived connections kept answering while xlbd was down" "rounds $r_kill -> $r_back"
	fi
	if cp_xlbd_start; then
		tap_ok "xlbd starts again on the pinned maps"
	else
		tap_fail "xlbd starts again on the pinned maps"
		return
	fi
	sleep 1
	touch "$h.stop" "$n4.stop" "$n6.stop"
	wait "$ph" "$p4" "$p6"

	cfg_after=$(cp_api GET /v1/config)
	if [ -n "$cfg_before" ] && "$PY" -c 'import json,sys; sys.exit(json.loads(sys.argv[1]) != json.loads(sys.argv[2]))' \
		"$cfg_before" "$cfg_after"; then
		tap_ok "configuration after the restart equals the one before (GET /v1/config)"
	else
		tap_fail "configuration after the restart equals the one before" "before: $cfg_before after: $cfg_after"
	fi

	local f v
	for f in "$n4" "$n6"; do
		v=$("$PY" -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["requests"], len(s["errors"]), s["errors"][:3])' "$f")
		read -r req err _ <<<"$v"
		if [ "$err" -eq 0 ] && [ "$req" -ge 100 ]; then
			tap_ok "new connections through the restart: $req requests, 0 failed ($(basename "$f" .json))"
		else
			tap_fail "new connections through the restart: 0 failed ($(basename "$f" .json))" "$v"
		fi
	done

	if v=$("$PY" - "$h" <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1]))["conns"]
bad = [x for x in c if x["state"] != "open" or x["changes"]]
print("%d connections, %d broken or moved %s" % (len(c), len(bad), bad[:3]))
sys.exit(1 if bad or len(c) != 20 else 0)
PYEOF
	); then
		tap_ok "long-lived connections all open on their first backend ($v)"
	else
		tap_fail "long-lived connections all open on their first backend" "$v"
	fi

	# The conn table survived: trace each held flow after the restart.
	local local_ep backend name traced=0 wrong=""
	while read -r local_ep name; do
		backend=$(xctl -o json trace "$local_ep" "$V4" | "$PY" -c 'import json,sys; t=json.load(sys.stdin); print(t["via"], t["backend"])')
		case "$backend" in
		"conn_table 198.18.1.$((10 + ${name#b}))") traced=$((traced + 1)) ;;
		*) wrong+="$local_ep($name): $backend; " ;;
		esac
	done < <("$PY" -c 'import json,sys; [print(c["local"], c["last"]) for c in json.load(open(sys.argv[1]))["conns"]]' "$h")
	if [ "$traced" -eq 20 ]; then
		tap_ok "xlbctl trace after the restart: all 20 flows found in the connection table, right backend"
	else
		tap_fail "xlbctl trace after the restart: all 20 flows in the connection table" "$traced ok; $wrong"
	fi
	tap_diag "$(xctl stats | head -12)"
}

main
tap_done

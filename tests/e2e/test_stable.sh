#!/usr/bin/env bash
# test_stable.sh - established connections keep their backend while the
# backend set changes: 50 long-lived keep-alive HTTP connections through the
# IPv4 VIP and 20 through the IPv6 VIP (flowhold.py: a request every 100 ms
# on each) while xlbctl adds a backend and deletes another. Every connection
# not on the deleted backend stays open, keeps answering, and keeps its
# backend (the connection table wins over the new Maglev table).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/cp_lib.sh"

# hold_ready FILE N: N connections open and each answered at least twice
hold_ready() {
	"$PY" - "$1" "$2" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
c = s["conns"]
sys.exit(0 if len(c) == int(sys.argv[2]) and all(x["state"] == "open" and x["ok"] >= 2 for x in c) else 1)
PYEOF
}

# judge FILE REMOVED_NAME OKS_AT_CHANGE_FILE: prints a verdict line, exit 0 when all kept
judge() {
	"$PY" - "$1" "$2" "$3" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
removed = sys.argv[2]
before = {c["idx"]: c["ok"] for c in json.load(open(sys.argv[3]))["conns"]}
kept = [c for c in s["conns"] if c["first"] != removed]
bad = [c for c in kept if c["state"] != "open" or c["changes"] or c["last"] != c["first"]
       or c["ok"] < before[c["idx"]] + 5]
on_removed = len(s["conns"]) - len(kept)
print("%d connections, %d on the removed backend, %d others: %d broken or moved %s" %
      (len(s["conns"]), on_removed, len(kept), len(bad), bad[:3]))
sys.exit(0 if kept and not bad else 1)
PYEOF
}

main() {
	lab_up || { tap_fail "lab up"; return; }
	cp_init
	cp_xlbd_start || { tap_fail "xlbd starts and serves its API"; return; }
	local V4="$VIP4:80/tcp" V6="[$VIP6]:80/tcp" a1 a2 a3 s1 s2 s3
	read -r a1 a2 a3 <<<"$BACKEND_ADDRS4"
	read -r s1 s2 s3 <<<"$BACKEND_ADDRS6"
	tap_check "VIPs with backends b1, b2" eval 'cp_vip "$V4" $a1 $a2 && cp_vip "$V6" $s1 $s2'

	local h4=$LAB_DIR/hold4.json h6=$LAB_DIR/hold6.json p4 p6
	in_ns c1 "$PY" "$HERE/flowhold.py" hold "$VIP4" 80 50 "$h4" >"$LAB_DIR/hold4.log" 2>&1 &
	p4=$!
	in_ns c2 "$PY" "$HERE/flowhold.py" hold "$VIP6" 80 20 "$h6" >"$LAB_DIR/hold6.log" 2>&1 &
	p6=$!
	if wait_for "hold_ready $h4 50 && hold_ready $h6 20" 15; then
		tap_ok "50 IPv4 + 20 IPv6 long-lived connections open and answering"
	else
		tap_fail "50 IPv4 + 20 IPv6 long-lived connections open and answering" \
			"$(cat "$h4" "$h6" "$LAB_DIR"/hold*.log 2>&1 | head -c 2000)"
	fi
	tap_diag "IPv4 connections per backend before: $("$PY" -c 'import json,sys,collections; print(dict(collections.Counter(c["first"] for c in json.load(open(sys.argv[1]))["conns"])))' "$h4")"

	cp "$h4" "$h4.at-change"
	cp "$h6" "$h6.at-change"
	tap_check "xlbctl backend add b3 (both VIPs)" \
		eval 'xctl backend add "$V4" $a3 >/dev/null && xctl backend add "$V6" $s3 >/dev/null'
	tap_check "xlbctl backend del b2 (both VIPs)" \
		eval 'xctl backend del "$V4" $a2 >/dev/null && xctl backend del "$V6" $s2 >/dev/null'
	sleep 2	# ~20 more requests on every connection
	touch "$h4.stop" "$h6.stop"
	wait "$p4" "$p6"

	local v
	if v=$(judge "$h4" b2 "$h4.at-change"); then
		tap_ok "IPv4: connections not on the removed backend stay open on their backend ($v)"
	else
		tap_fail "IPv4: connections not on the removed backend stay open on their backend" "$v"
	fi
	if v=$(judge "$h6" b2 "$h6.at-change"); then
		tap_ok "IPv6: connections not on the removed backend stay open on their backend ($v)"
	else
		tap_fail "IPv6: connections not on the removed backend stay open on their backend" "$v"
	fi

	# new connections now reach b1 and b3 only
	cp_curl_loop c1 "http://$VIP4/" 60 "$LAB_DIR/after"
	if ! grep -qvx 'b[13]' "$LAB_DIR/after" && grep -qx b3 "$LAB_DIR/after"; then
		tap_ok "new connections go to b1 and b3 only, b3 among them"
	else
		tap_fail "new connections go to b1 and b3 only, b3 among them" "$(sort "$LAB_DIR/after" | uniq -c | tr '\n' ' ')"
	fi
	tap_diag "$(xctl vip list)"
}

main
tap_done

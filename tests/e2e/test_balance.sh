#!/usr/bin/env bash
# test_balance.sh - xlbd + xlbctl balance real HTTP connections: an IPv4 and
# an IPv6 VIP with 3 equal backends each; 300 new connections (curl) through
# each VIP from two clients all succeed, and every backend gets 20..47% of
# them. The counters xlbctl shows agree with what the clients saw.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/cp_lib.sh"

main() {
	lab_up || { tap_fail "lab up"; return; }
	cp_init
	cp_xlbd_start || { tap_fail "xlbd starts and serves its API"; return; }
	tap_ok "xlbd starts and serves its API"

	local V4="$VIP4:80/tcp" V6="[$VIP6]:80/tcp" b
	tap_check "xlbctl configures an IPv4 VIP with 3 backends" cp_vip "$V4" $BACKEND_ADDRS4
	tap_check "xlbctl configures an IPv6 VIP with 3 backends" cp_vip "$V6" $BACKEND_ADDRS6

	local out4=$LAB_DIR/req4 out6=$LAB_DIR/req6
	# 150 from each client per VIP, clients in parallel
	cp_curl_loop c1 "http://$VIP4/" 150 "$out4.c1" &
	cp_curl_loop c2 "http://$VIP4/" 150 "$out4.c2" &
	cp_curl_loop c1 "http://[$VIP6]/" 150 "$out6.c1" &
	cp_curl_loop c2 "http://[$VIP6]/" 150 "$out6.c2" &
	wait $(jobs -p | grep -vx "$CP_PID")
	cat "$out4".c* >"$out4"
	cat "$out6".c* >"$out6"

	local fam out total fails share shares
	for fam in 4 6; do
		out=$LAB_DIR/req$fam
		total=$(wc -l <"$out")
		fails=$(grep -cvx 'b[0-9]*' "$out")
		if [ "$total" -eq 300 ] && [ "$fails" -eq 0 ]; then
			tap_ok "IPv$fam: 300 of 300 new HTTP connections through the VIP succeed"
		else
			tap_fail "IPv$fam: 300 of 300 new HTTP connections through the VIP succeed" \
				"$total answers, $fails failed: $(sort "$out" | uniq -c | tr '\n' ' ')"
		fi
		shares="" ok=1
		for b in $BACKEND_NODES; do
			share=$(cp_share "$out" "$b")
			shares+="$b=$share% "
			[ "$share" -ge 20 ] && [ "$share" -le 47 ] || ok=0
		done
		if [ $ok = 1 ]; then
			tap_ok "IPv$fam: each of 3 equal backends gets 20..47% ($shares)"
		else
			tap_fail "IPv$fam: each of 3 equal backends gets 20..47%" "$shares"
		fi
	done

	# xlbctl's view: every backend of both VIPs counted new flows, ~300 per VIP
	local json
	json=$(xctl -o json vip list)
	if "$PY" - "$json" <<'PYEOF'
import json, sys
vips = json.loads(sys.argv[1])["vips"]
assert len(vips) == 2, vips
for v in vips:
    flows = [b["new_flows"] for b in v["backends"]]
    # a client port reused while its conn-table entry lives is a hit, not a new flow
    assert len(flows) == 3 and min(flows) > 0 and 285 <= sum(flows) <= 310, (v["vip"], flows)
    assert sum(b["slots"] for b in v["backends"]) == v["table_size"], v["vip"]
PYEOF
	then
		tap_ok "xlbctl vip list: each backend counted new flows; slots cover the table"
	else
		tap_fail "xlbctl vip list: each backend counted new flows; slots cover the table" "$json"
	fi
	tap_diag "$(xctl vip list)"
}

main
tap_done

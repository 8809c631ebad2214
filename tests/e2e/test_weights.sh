#!/usr/bin/env bash
# test_weights.sh - weights reach the traffic: two backends at weights 1:3
# (100 and 300, set with xlbctl) get 25% / 75% of the Maglev slots and,
# over 1000 new HTTP connections (curl from two clients), shares within 5
# points of 25/75. Then `backend set --weight` flips them to 3:1 at runtime
# and new connections follow.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/cp_lib.sh"

# check_shares FILE LOW_BACKEND WANT_LOW_PCT TOTAL
check_shares() {
	local out=$1 lo=$2 want=$3 n=$4 total fails share hi
	total=$(wc -l <"$out")
	fails=$(grep -cvx 'b[0-9]*' "$out")
	share=$(cp_share "$out" "$lo")
	hi=$((100 - want))
	if [ "$total" -eq "$n" ] && [ "$fails" -eq 0 ]; then
		tap_ok "$n of $n new connections succeed"
	else
		tap_fail "$n of $n new connections succeed" "$total answers, $fails failed"
	fi
	if [ "$share" -ge $((want - 5)) ] && [ "$share" -le $((want + 5)) ]; then
		tap_ok "weights $want:$hi: $lo gets $share% (want $want +- 5)"
	else
		tap_fail "weights $want:$hi: $lo gets $share% (want $want +- 5)" "$(sort "$out" | uniq -c | tr '\n' ' ')"
	fi
}

main() {
	lab_up || { tap_fail "lab up"; return; }
	cp_init
	cp_xlbd_start || { tap_fail "xlbd starts and serves its API"; return; }
	local V4="$VIP4:80/tcp" b1 b2 out=$LAB_DIR/req
	read -r b1 b2 _ <<<"$BACKEND_ADDRS4"
	tap_check "xlbctl: VIP with backends at weights 100 and 300" cp_vip "$V4" "$b1%100" "$b2%300"

	local json
	json=$(xctl -o json vip list)
	if "$PY" - "$json" <<'PYEOF'
import json, sys
v = json.loads(sys.argv[1])["vips"][0]
s = [b["slots"] for b in v["backends"]]
assert abs(s[0] / v["table_size"] - 0.25) < 0.01 and sum(s) == v["table_size"], s
PYEOF
	then
		tap_ok "Maglev slots split 25/75 (xlbctl -o json vip list)"
	else
		tap_fail "Maglev slots split 25/75 (xlbctl -o json vip list)" "$json"
	fi

	cp_curl_loop c1 "http://$VIP4/" 500 "$out.1" &
	cp_curl_loop c2 "http://$VIP4/" 500 "$out.2" &
	wait $(jobs -p | grep -vx "$CP_PID")
	cat "$out.1" "$out.2" >"$out"
	check_shares "$out" b1 25 1000

	tap_check "xlbctl backend set: weights now 300 and 100" \
		eval 'xctl backend set "$V4" $b1 --weight 300 >/dev/null && xctl backend set "$V4" $b2 --weight 100 >/dev/null'
	cp_curl_loop c1 "http://$VIP4/" 300 "$out.1" &
	cp_curl_loop c2 "http://$VIP4/" 300 "$out.2" &
	wait $(jobs -p | grep -vx "$CP_PID")
	cat "$out.1" "$out.2" >"$out"
	# 600 samples: a binomial 75% has sd ~1.8 points, so +-5 is ~2.8 sd
	check_shares "$out" b1 75 600
	tap_diag "$(xctl vip list)"
}

main
tap_done

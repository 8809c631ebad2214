#!/usr/bin/env bash
# tests/e2e/test_drain.sh - draining a backend in the lab, with real
# long-lived client connections (tests/e2e/flowhold.py hold) and new ones:
#  - `xlbctl backend drain VIP b1`: b1 shows state drain, weight 0, no slots;
#  - new connections avoid b1 (all succeed on b2/b3);
#  - b1's established connections keep working, still on b1;
#  - b1's pinned flows (API and xlb_backend_pinned_flows) are > 0 while
#    they last and fall to zero once the clients close them;
#  - `xlbctl backend del VIP b1 --after-drain` answers "draining" and the
#    backend disappears once drained (or at the timeout).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cp_lib.sh"
. "$(dirname "$0")/hc_lib.sh"

bail() { tap_fail "$1" "${2:-}"; tap_done; exit 1; }
HOLD_N=24

lab_up || bail "lab up"
cp_init
lab_on_exit cp_cleanup
lab_on_exit 'touch "$LAB_DIR/hold.stop"'
cp_xlbd_start || bail "xlbd starts"
tap_ok "lab up, xlbd running"

VIP="$VIP4:80/tcp"
B1=$(echo "$BACKEND_ADDRS4" | cut -d' ' -f1)
{
	echo "vips:"
	echo "  - vip: \"$VIP\""
	echo "    backends:"
	for b in $BACKEND_ADDRS4; do echo "      - address: $b"; done
} >"$CP_DIR/drain.yaml"
out=$(xctl apply -f "$CP_DIR/drain.yaml" 2>&1) || bail "apply a VIP with 3 backends" "$out"

# ---- long-lived connections, one request every 0.3 s each ----
HOLD=$LAB_DIR/hold
in_ns c1 "$PY" "$E2E_ROOT/tests/e2e/flowhold.py" hold "$VIP4" 80 "$HOLD_N" "$HOLD" --interval 0.3 &
HOLD_PID=$!
wait_for "$PY -c 'import json,sys; sys.exit(0 if json.load(open(\"$HOLD\"))[\"round\"] >= 3 else 1)'" 10 ||
	bail "flowhold: $HOLD_N connections answering"
hold_stat() {	# BACKEND -> "open_on_backend ok_sum changes_sum other_states"
	"$PY" -c '
import json, sys
cs = [c for c in json.load(open(sys.argv[1]))["conns"] if c["first"] == sys.argv[2]]
print(sum(c["state"] == "open" for c in cs), sum(c["ok"] for c in cs),
      sum(c["changes"] + (c["last"] != sys.argv[2]) for c in cs),
      sum(c["state"] != "open" for c in cs))' "$HOLD" "$1"
}
read -r k1 ok1 _ _ < <(hold_stat b1)
tap_check "some held connections landed on b1 ($k1 of $HOLD_N)" test "$k1" -gt 0
pinned0=$(hc_be_field "$VIP" "$B1" pinned_flows)
tap_check "b1 pinned flows ($pinned0) >= its held connections ($k1)" test "$pinned0" -ge "$k1"

# ---- drain ----
out=$(xctl backend drain "$VIP" "$B1" 2>&1)
tap_check "xlbctl backend drain $VIP $B1" test $? -eq 0
tap_check "b1 reported as drain, weight 0, no slots" \
	test "$(hc_be_field "$VIP" "$B1" state)/$(hc_be_field "$VIP" "$B1" weight)/$(hc_be_field "$VIP" "$B1" slots)" = "drain/0/0"
cp_curl_loop c2 "http://$VIP4/" 60 "$LAB_DIR/new"
n_b1=$(grep -cx b1 "$LAB_DIR/new") fails=$(grep -cvx 'b[0-9]*' "$LAB_DIR/new")
if [ "$n_b1" -eq 0 ] && [ "$fails" -eq 0 ]; then
	tap_ok "60 new connections after the drain: all succeed, none to b1 ($(sort "$LAB_DIR/new" | uniq -c | tr '\n' ' '))"
else
	tap_fail "new connections after the drain avoid b1 and succeed" "$n_b1 to b1, $fails failed"
fi
sleep 1.5
read -r k1b ok1b chg1 gone1 < <(hold_stat b1)
if [ "$k1b" -eq "$k1" ] && [ "$ok1b" -gt "$ok1" ] && [ "$chg1" -eq 0 ] && [ "$gone1" -eq 0 ]; then
	tap_ok "b1's $k1 established connections keep working on b1 (answers $ok1 -> $ok1b)"
else
	tap_fail "b1's established connections keep working on b1" "open $k1b/$k1, answers $ok1 -> $ok1b, moved $chg1, broken $gone1"
fi
pinned1=$(hc_be_field "$VIP" "$B1" pinned_flows)
tap_check "b1 still has pinned flows while they last ($pinned1)" test "$pinned1" -ge "$k1"

# ---- the clients finish: pinned flows fall to zero ----
touch "$HOLD.stop"
wait "$HOLD_PID"
if dt=$(hc_wait_field "$VIP" "$B1" pinned_flows 0 20); then
	tap_ok "b1's pinned flows fall to zero after its connections close ($dt s)"
else
	tap_fail "b1's pinned flows fall to zero after its connections close" \
		"still $(hc_be_field "$VIP" "$B1" pinned_flows) after 20 s (TCP conn-table entries outlive their connections)"
fi

# ---- delete after drain ----
t0=$(hc_now)
out=$(xctl backend del "$VIP" "$B1" --after-drain --timeout 10 2>&1)
tap_check "xlbctl backend del --after-drain: accepted ($out)" test $? -eq 0
if dt=$(hc_wait_field "$VIP" "$B1" address absent 20); then
	tap_ok "b1 removed once drained (after $dt s)"
else
	tap_fail "b1 removed once drained" "still listed, state $(hc_be_field "$VIP" "$B1" state)"
fi
cp_curl_loop c2 "http://$VIP4/" 30 "$LAB_DIR/new2"
tap_check "after the removal new connections still all succeed on b2/b3" \
	test "$(grep -cx 'b[23]' "$LAB_DIR/new2")" -eq 30

tap_done

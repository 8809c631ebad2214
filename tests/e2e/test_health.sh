#!/usr/bin/env bash
# tests/e2e/test_health.sh - xlbd's health checks in the lab, with real
# nginx backends and a real client loop:
#  1. failover: nginx stopped on b1 while a client opens new connections to
#     the VIP: b1 is marked down after `fall` failures, no earlier than
#     (fall-1) x interval and no later than fall x interval + timeout + 1 s;
#     from then on 100% of new connections succeed; nginx started again: b1
#     is back after `rise` successes and gets new connections again. The
#     times are reported as TAP diagnostics.
#  2. tunnel checks: every backend passes a tunnel check (probe to the VIP,
#     encapsulated by bpf/healthcheck.bpf.c, answered by the backend DSR);
#     with the VIP removed from b2's lo (nginx still answers on b2's own
#     address) the tunnel check marks b2 down while a plain check stays up.
#  3. all backends down: all_down drop empties the table (packets counted
#     as drop_no_backend), all_down keep keeps serving the last set.
#  4. UDP checks against the lab's UDP responder (expect the backend name).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cp_lib.sh"
. "$(dirname "$0")/hc_lib.sh"

bail() { tap_fail "$1" "${2:-}"; tap_done; exit 1; }

INTERVAL=1 TIMEOUT=0.5 RISE=2 FALL=3	# seconds; the plain VIP's check
lab_up || bail "lab up"
cp_init t-health
lab_on_exit cp_cleanup
cp_xlbd_start || bail "xlbd starts"
tap_ok "lab up, xlbd running in $LB_NS"

B1=$(echo "$BACKEND_ADDRS4" | cut -d' ' -f1)
B2=$(echo "$BACKEND_ADDRS4" | cut -d' ' -f2)
B3=$(echo "$BACKEND_ADDRS4" | cut -d' ' -f3)
VIP_PLAIN="$VIP4:80/tcp"
VIP_TUN="$VIP4:8080/tcp"
VIP_DROP="[$VIP6]:80/tcp"
VIP_KEEP="[$VIP6]:8080/tcp"
VIP_UDP="$VIP4:$UDP_PORT/udp"

backends4() {
	local b
	echo "    backends:"
	for b in $BACKEND_ADDRS4; do echo "      - address: $b"; done
}
backends6() {
	local b
	echo "    backends:"
	for b in $BACKEND_ADDRS6; do echo "      - address: $b"; done
}
{
	echo "vips:"
	echo "  - vip: \"$VIP_PLAIN\""
	echo "    health: { type: http, path: /healthz, interval: ${INTERVAL}s, timeout: ${TIMEOUT}s, rise: $RISE, fall: $FALL }"
	backends4
	echo "  - vip: \"$VIP_TUN\""
	echo "    health: { type: http, path: /healthz, interval: 500ms, timeout: 300ms, rise: 2, fall: 2, tunnel: true }"
	backends4
	echo "  - vip: \"$VIP_DROP\""
	echo "    all_down: drop"
	echo "    health: { type: tcp, port: 9, interval: 300ms, timeout: 200ms, rise: 1, fall: 1 }"
	backends6
	echo "  - vip: \"$VIP_KEEP\""
	echo "    all_down: keep"
	echo "    health: { type: tcp, port: 9, interval: 300ms, timeout: 200ms, rise: 1, fall: 1 }"
	backends6
	echo "  - vip: \"$VIP_UDP\""
	echo "    health: { type: udp, payload: ping, expect: b, interval: 500ms, timeout: 300ms, rise: 2, fall: 2 }"
	backends4
} >"$CP_DIR/health.yaml"
out=$(xctl apply -f "$CP_DIR/health.yaml" 2>&1) || bail "apply the health-checked config" "$out"
tap_ok "apply the health-checked config"

# ---- every backend comes up (tunnel checks included) ----
for vip in "$VIP_PLAIN" "$VIP_TUN" "$VIP_UDP"; do
	for b in $BACKEND_ADDRS4; do
		if hc_wait_field "$vip" "$b" health.state up 10 >/dev/null; then
			tap_ok "$vip: backend $b up ($(hc_be_field "$vip" "$b" health.last_result))"
		else
			tap_fail "$vip: backend $b up" "state $(hc_be_field "$vip" "$b" health.state), last result $(hc_be_field "$vip" "$b" health.last_result)"
		fi
	done
done

# ---- 1. failover ----
# a precise watcher (API every 20 ms) dates the transitions; the client loop
# dates every new connection
WATCH=$LAB_DIR/watch1
hc_watch_start "$VIP_PLAIN" "$B1" "$WATCH"
LOOP=$LAB_DIR/loop1
hc_reqloop_start c1 "$VIP4" 80 "$LOOP"
sleep 2
t_stop=$(hc_now)
hc_nginx_stop b1
hc_wait_field "$VIP_PLAIN" "$B1" health.state down 10 >/dev/null
sleep 0.2
t_down=$(hc_watch_first "$WATCH" down "$t_stop")
if [ -n "$t_down" ]; then
	dt=$(echo "$t_down - $t_stop" | bc -l | xargs printf '%.3f')
	lo=$(echo "($FALL - 1) * $INTERVAL" | bc -l)
	hi=$(echo "$FALL * $INTERVAL + $TIMEOUT + 1" | bc -l)
	tap_diag "failover: b1 marked down $dt s after nginx stopped (bounds: > $lo s, <= $hi s)"
	if [ "$(echo "$dt > $lo && $dt <= $hi" | bc -l)" = 1 ]; then
		tap_ok "b1 down after fall=$FALL failures: not before (fall-1) x interval, within fall x interval + timeout + 1 s ($dt s)"
	else
		tap_fail "b1 down after fall=$FALL failures, within fall x interval + timeout + 1 s" "took $dt s"
	fi
else
	t_down=$(hc_now)
	tap_fail "b1 marked down after nginx stopped" "state $(hc_be_field "$VIP_PLAIN" "$B1" health.state)"
fi
tap_check "log: one line for the change, with the reason and count" \
	hc_log_has "backend $B1 of $VIP_PLAIN: up -> down \((connect_refused|reset), $FALL failures\)"
sleep 4
hc_reqloop_stop "$LOOP"
read -r n_after fail_after b1_after last_fail < <(awk -v td="$t_down" -v ts="$t_stop" '
	$1 > td + 0.1 { n++; if ($2 == "FAIL") f++; if ($2 == "b1") b++ }
	$1 >= ts && $2 == "FAIL" { lf = $1 - ts }
	END { printf "%d %d %d %.3f\n", n, f, b, lf }' "$LOOP")
tap_diag "failover: client-visible: last failed new connection started $last_fail s after the stop; $n_after requests started from 0.1 s after the down, $fail_after failed"
if [ "$n_after" -ge 20 ] && [ "$fail_after" -eq 0 ] && [ "$b1_after" -eq 0 ]; then
	tap_ok "after b1 is down, 100% of $n_after new connections succeed (none to b1)"
else
	tap_fail "after b1 is down, 100% of new connections succeed" "$n_after requests, $fail_after failed, $b1_after to b1"
fi
n_before=$(awk -v ts="$t_stop" '$1 < ts' "$LOOP" | grep -c " b1$")
tap_check "b1 served requests before it was stopped ($n_before): the loop reached it" test "$n_before" -gt 0

LOOP=$LAB_DIR/loop2
hc_reqloop_start c1 "$VIP4" 80 "$LOOP"
t_start=$(hc_now)
hc_nginx_start b1
hc_wait_field "$VIP_PLAIN" "$B1" health.state up 10 >/dev/null
sleep 0.2
t_up=$(hc_watch_first "$WATCH" up "$t_start")
hc_watch_stop "$WATCH"
if [ -n "$t_up" ]; then
	dt=$(echo "$t_up - $t_start" | bc -l | xargs printf '%.3f')
	lo=$(echo "($RISE - 1) * $INTERVAL" | bc -l)
	hi=$(echo "$RISE * $INTERVAL + $TIMEOUT + 1" | bc -l)
	tap_diag "recovery: b1 up $dt s after nginx started (bounds: > $lo s, <= $hi s)"
	if [ "$(echo "$dt > $lo && $dt <= $hi" | bc -l)" = 1 ]; then
		tap_ok "b1 back up after rise=$RISE successes ($dt s)"
	else
		tap_fail "b1 back up after rise=$RISE successes" "took $dt s"
	fi
else
	t_up=$(hc_now)
	tap_fail "b1 back up after nginx started" "state $(hc_be_field "$VIP_PLAIN" "$B1" health.state)"
fi
tap_check "log: down -> up line" hc_log_has "backend $B1 of $VIP_PLAIN: down -> up \(ok, $RISE successes\)"
sleep 3
hc_reqloop_stop "$LOOP"
n_b1=$(awk -v t="$t_up" '$1 > t + 0.1 && $2 == "b1"' "$LOOP" | wc -l)
n_fail=$(grep -c " FAIL$" "$LOOP")
if [ "$n_b1" -gt 0 ] && [ "$n_fail" -eq 0 ]; then
	tap_ok "b1 gets new connections again ($n_b1 after it came up), no failure during recovery"
else
	tap_fail "b1 gets new connections again, no failure during recovery" "$n_b1 to b1, $n_fail failed"
fi

# ---- 2. tunnel check vs plain check ----
A2=$(echo "$BACKEND_ADDRS4" | cut -d' ' -f2)
in_ns b2 ip addr del "$VIP4/32" dev lo
if hc_wait_field "$VIP_TUN" "$B2" health.state down 8 >/dev/null; then
	tap_ok "tunnel check: b2 without the VIP on lo is down ($(hc_be_field "$VIP_TUN" "$B2" health.last_result))"
else
	tap_fail "tunnel check: b2 without the VIP on lo is down" "state $(hc_be_field "$VIP_TUN" "$B2" health.state)"
fi
sleep 2
tap_check "plain check of b2 (its own address) still passes: up" \
	test "$(hc_be_field "$VIP_PLAIN" "$B2" health.state)" = up
tap_check "nginx on b2 still answers on $A2 (what the plain check sees)" \
	test "$(in_ns c1 curl -s --max-time 2 "http://$A2:8080/healthz")" = ok
for b in "$B1" "$B3"; do
	tap_check "tunnel check: $b (VIP on lo) stays up" test "$(hc_be_field "$VIP_TUN" "$b" health.state)" = up
done
in_ns b2 ip addr add "$VIP4/32" dev lo
if hc_wait_field "$VIP_TUN" "$B2" health.state up 8 >/dev/null; then
	tap_ok "tunnel check: b2 up again once the VIP is back on lo"
else
	tap_fail "tunnel check: b2 up again once the VIP is back on lo"
fi

# ---- 3. all backends down ----
dropped() {
	cp_api GET /v1/stats | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["datapath"]["reasons"]["drop_no_backend"])'
}
for vip in "$VIP_DROP" "$VIP_KEEP"; do
	ok=1
	for b in $BACKEND_ADDRS6; do
		hc_wait_field "$vip" "$b" health.state down 5 >/dev/null || ok=0
	done
	[ $ok = 1 ] && tap_ok "$vip: every backend down (nothing listens on port 9)" ||
		tap_fail "$vip: every backend down"
done
d0=$(dropped)
out=$(in_ns c1 curl -gs --max-time 1 "http://[$VIP6]:80/" || echo FAIL)
d1=$(dropped)
tap_check "all_down drop: a connection to $VIP_DROP fails" test "$out" = FAIL
tap_diag "all_down drop: drop_no_backend $d0 -> $d1"
tap_check "all_down drop: the SYNs are counted as drop_no_backend" test "$((d1 - d0))" -ge 1
out=$(in_ns c1 curl -gs --max-time 2 "http://[$VIP6]:8080/" || echo FAIL)
case $out in b[0-9]*) tap_ok "all_down keep: $VIP_KEEP still served (by $out)" ;;
*) tap_fail "all_down keep: $VIP_KEEP still served" "got '$out'" ;; esac
tap_check "all_down keep: the backends are reported down while serving" \
	test "$(hc_be_field "$VIP_KEEP" "$(echo "$BACKEND_ADDRS6" | cut -d' ' -f1)" health.state)" = down

# ---- 4. UDP: a backend whose responder stops is marked down ----
if hc_udp_stop b3; then
	if hc_wait_field "$VIP_UDP" "$B3" health.state down 5 >/dev/null; then
		tap_ok "udp check: b3 down once its responder stops ($(hc_be_field "$VIP_UDP" "$B3" health.last_result))"
	else
		tap_fail "udp check: b3 down once its responder stops" "state $(hc_be_field "$VIP_UDP" "$B3" health.state)"
	fi
else
	tap_fail "udp check: stop b3's UDP responder (pid file $LAB_DIR/b3/udp.pid)"
fi

if [ "$TAP_FAILED" -gt 0 ]; then
	tap_diag "xlbd log (last 30 lines):"
	tap_diag "$(tail -30 "$CP_LOG")"
fi
tap_done

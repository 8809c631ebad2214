#!/usr/bin/env bash
# tests/e2e/test_lab.sh - the lab (scripts/lab.sh) and the real-server decap
# end to end: clients reach every backend directly (HTTP, IPv4 and IPv6);
# hand-made tunnel packets sent from the LB namespace (the four
# encapsulations, UDP, and a TCP SYN) are decapsulated by xlb-decap on the
# backend, whose reply goes from the VIP straight to the client (DSR);
# `xlb-decap status` counts exactly those packets; a tunnel to an address
# outside the allow-list is passed up, counted and not answered; `up` twice
# works; `down` leaves nothing behind and is safe to repeat.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

XLB_DECAP=$E2E_ROOT/build/xlb-decap

# decap_count NODE REASON: the backend's counter from `xlb-decap status -o json`
decap_count() {
	in_ns "$1" "$XLB_DECAP" --pin-dir "/sys/fs/bpf/${LAB_PREFIX}decap-$1" status -o json |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)["counters"][sys.argv[1]])' "$2"
}

expect_eq() {	# NAME GOT WANT
	if [ "$2" = "$3" ]; then tap_ok "$1"; else tap_fail "$1" "got '$2', want '$3'"; fi
}

if ! lab_up; then
	tap_fail "lab up" "see stderr"
	tap_done
	exit 1
fi
tap_ok "lab up ($LAB_PREFIX: $CLIENT_NODES, lb, $BACKEND_NODES)"

# ---- direct reachability ----
for b in $BACKEND_NODES; do
	i=${b#b}
	a4=$(echo "$BACKEND_ADDRS4" | cut -d' ' -f"$i")
	a6=$(echo "$BACKEND_ADDRS6" | cut -d' ' -f"$i")
	expect_eq "c1 -> $b http://$a4/ answers '$b'" "$(in_ns c1 curl -s --max-time 3 "http://$a4/")" "$b"
	expect_eq "c2 -> $b http://[$a6]:8080/ answers '$b'" \
		"$(in_ns c2 curl -gs --max-time 3 "http://[$a6]:8080/")" "$b"
	expect_eq "c1 -> $b /healthz answers ok" "$(in_ns c1 curl -s --max-time 3 "http://$a4/healthz")" "ok"
	tap_check "$b: xlb-decap attached to eth0" \
		in_ns "$b" "$XLB_DECAP" --pin-dir "/sys/fs/bpf/${LAB_PREFIX}decap-$b" status eth0
done
expect_eq "VIP4 routed to the LB by rt" \
	"$(in_ns rt ip -4 route get "$VIP4" | grep -o "via [0-9.]*")" "via $LB_ADDR4"
expect_eq "VIP6 routed to the LB by rt" \
	"$(in_ns rt ip -6 route get "$VIP6" | grep -o "via [0-9a-f:]*")" "via $LB_ADDR6"

# ---- decap end to end, all four encapsulations (UDP) ----
a4() { echo "$BACKEND_ADDRS4" | cut -d' ' -f"${1#b}"; }
a6() { echo "$BACKEND_ADDRS6" | cut -d' ' -f"${1#b}"; }
declare -A sent=([b1]=0 [b2]=0 [b3]=0)
udp_case() {	# NAME BACKEND OUTER_ADDR INNER_FAMILY PORT
	local vip=$VIP4
	[ "$4" = 6 ] && vip=$VIP6
	expect_eq "$1: UDP reply from the VIP, served by $2" "$(lab_tunnel_udp "$3" c1 "$4" "$5")" "$vip $2"
	sent[$2]=$((sent[$2] + 1))
}
udp_case "IPv4 in IPv4" b1 "$(a4 b1)" 4 40001
udp_case "IPv6 in IPv6" b2 "$(a6 b2)" 6 40002
udp_case "IPv4 in IPv6" b3 "$(a6 b3)" 4 40003
udp_case "IPv6 in IPv4" b1 "$(a4 b1)" 6 40004

# ---- a TCP SYN through the tunnel: the SYN-ACK comes from the VIP (nginx) ----
expect_eq "IPIP SYN to $VIP4:80 via b2: SYN-ACK from the VIP reaches c2" \
	"$(lab_tunnel_syn "$(a4 b2)" c2 4 41001)" "synack $VIP4"
sent[b2]=$((sent[b2] + 1))
expect_eq "IPv6-in-IPv6 SYN to [$VIP6]:80 via b3: SYN-ACK from the VIP reaches c2" \
	"$(lab_tunnel_syn "$(a6 b3)" c2 6 41002)" "synack $VIP6"
sent[b3]=$((sent[b3] + 1))

tap_check "lab.sh probe b3: the four encapsulations by hand" bash "$LAB_SH" probe b3
sent[b3]=$((sent[b3] + 4))

# ---- counters ----
for b in b1 b2 b3; do
	expect_eq "$b: xlb-decap status counts ${sent[$b]} decapsulated packets" "$(decap_count "$b" decap)" "${sent[$b]}"
done
for b in b1 b2 b3; do
	expect_eq "$b: nothing dropped by decap" \
		"$(($(decap_count "$b" drop_truncated) + $(decap_count "$b" drop_failed)))" 0
done

# ---- allow-list: a tunnel to a local address outside it passes up untouched ----
in_ns b1 ip addr add 198.18.1.211/24 dev eth0
before=$(decap_count b1 pass_not_local)
expect_eq "tunnel to b1's address outside the allow-list: no reply" \
	"$(lab_tunnel_udp 198.18.1.211 c1 4 40005)" ""
expect_eq "tunnel outside the allow-list: counted pass_not_local" \
	"$(($(decap_count b1 pass_not_local) - before))" 1
expect_eq "tunnel outside the allow-list: decap count unchanged" "$(decap_count b1 decap)" "${sent[b1]}"
in_ns b1 ip addr del 198.18.1.211/24 dev eth0

# ---- status ----
st=$(bash "$LAB_SH" status)
if grep -q "LB interface: eth0" <<<"$st" && grep -q "port lb: XDP pass program attached" <<<"$st" &&
	[ "$(grep -c "nginx up udp:$UDP_PORT up decap native" <<<"$st")" = 3 ]; then
	tap_ok "lab.sh status: LB interface, rt's XDP pass program, 3 backends with nginx, UDP, decap"
else
	tap_fail "lab.sh status: LB interface, rt's XDP pass program, 3 backends with nginx, UDP, decap" "$st"
fi

# ---- xlb-decap CLI on b1: exit codes, messages, detach/attach cycle ----
PIN_B1=/sys/fs/bpf/${LAB_PREFIX}decap-b1
dcap() { in_ns b1 "$XLB_DECAP" --pin-dir "$PIN_B1" "$@"; }
out=$(dcap attach nope0 2>&1); rc=$?
if [ $rc = 1 ] && grep -q "Failed to attach XDP program to iface nope0" <<<"$out"; then
	tap_ok "xlb-decap attach to a missing interface: exit 1, names it"
else
	tap_fail "xlb-decap attach to a missing interface: exit 1, names it" "rc $rc: $out"
fi
dcap attach eth0 --allow 198.18.300.1 >/dev/null 2>&1
expect_eq "xlb-decap attach --allow BADADDR: usage error (exit 2)" $? 2
dcap attach eth0 --mode fast >/dev/null 2>&1
expect_eq "xlb-decap attach --mode fast: usage error (exit 2)" $? 2
dcap frobnicate >/dev/null 2>&1
expect_eq "xlb-decap unknown command: exit 2" $? 2
expect_eq "allow-list unchanged by the rejected commands" \
	"$(dcap status -o json | "$PY" -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["allow"])))')" \
	"198.18.1.11 2001:db8:0:1::11"
tap_check "xlb-decap attach again: already attached, exit 0" dcap attach eth0
tap_check "xlb-decap detach eth0" dcap detach eth0
expect_eq "last detach removed the pins" "$([ -e "$PIN_B1" ] && echo present || echo gone)" gone
dcap status eth0 >/dev/null 2>&1
expect_eq "status after detach: exit 1 (not loaded)" $? 1
expect_eq "after detach: the tunnel is not decapsulated (no reply)" "$(lab_tunnel_udp "$(a4 b1)" c1 4 40006)" ""
tap_check "xlb-decap attach eth0 --mode skb (empty allow-list)" dcap attach eth0 --mode skb
expect_eq "status shows skb mode and an empty allow-list" \
	"$(dcap status eth0 -o json | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["interfaces"][0]["mode"], d["allow_any"])')" \
	"skb True"
expect_eq "skb mode, empty allow-list: tunnel to b1 answered from the VIP" \
	"$(lab_tunnel_udp "$(a4 b1)" c1 6 40007)" "$VIP6 b1"
expect_eq "fresh pins count 1 decapsulated packet" "$(decap_count b1 decap)" 1

# ---- up again (tears the old lab down first) ----
if bash "$LAB_SH" up >/dev/null 2>&1; then
	expect_eq "second 'up' in a row: b3 answers again" \
		"$(in_ns c1 curl -s --max-time 3 "http://$(a4 b3)/")" "b3"
	expect_eq "second 'up': fresh counters" "$(decap_count b1 decap)" 0
else
	tap_fail "second 'up' in a row"
fi

# ---- down leaves nothing behind ----
pids=$(cat "$LAB_DIR"/*/nginx.pid "$LAB_DIR"/*/udp.pid 2>/dev/null | tr '\n' ' ')
tap_check "lab down" lab_down
expect_eq "down: no namespace ${LAB_PREFIX}*" "$(ip netns list | grep -c "^$LAB_PREFIX")" 0
expect_eq "down: no pins /sys/fs/bpf/${LAB_PREFIX}*" "$(find /sys/fs/bpf -maxdepth 1 -name "$LAB_PREFIX*" | wc -l)" 0
expect_eq "down: runtime directory removed" "$([ -e "$LAB_DIR" ] && echo present || echo gone)" gone
alive=""
for p in $pids; do kill -0 "$p" 2>/dev/null && alive+=" $p"; done
expect_eq "down: nginx and UDP servers stopped ($(echo "$pids" | wc -w) pids)" "$alive" ""
tap_check "down again: safe, exit 0" bash "$LAB_SH" down

tap_done

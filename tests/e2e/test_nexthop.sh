#!/usr/bin/env bash
# test_nexthop.sh - xlbd follows the kernel's next hops without a restart:
# (1) the router changes its MAC on the LB-facing link (and the LB's
# neighbour entries learn it): xlbd writes the new MAC within a second and
# requests through both VIPs succeed again; (2) the route to the backends'
# subnets moves to another gateway (a macvlan on the router with its own
# MAC): xlbd resolves the new gateway, and requests succeed even after the
# old gateway's MAC is changed behind the LB's back.
# A request loop runs throughout; it must recover within a second.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/cp_lib.sh"

# dmacs_are MAC [GATEWAY]: every backend's next hop uses MAC (and GATEWAY)
dmacs_are() {
	xctl -o json vip list | "$PY" -c '
import json, sys
want, gw = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None
bes = [b for v in json.load(sys.stdin)["vips"] for b in v["backends"]]
ok = bes and all(b["nexthop"]["state"] == "resolved" and b["nexthop"]["dmac"] == want and
                 (gw is None or b["nexthop"].get("gateway") in gw.split(",")) for b in bes)
sys.exit(0 if ok else 1)' "$@"
}

nh_summary() {
	xctl -o json vip list | "$PY" -c 'import json,sys; [print(b["address"], b["nexthop"]) for v in json.load(sys.stdin)["vips"] for b in v["backends"]]'
}

mac_of() { ip -n "$RT_NS" -o link show "$1" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

# all_ok NODE URL N: N new connections all answered by a backend
all_ok() {
	cp_curl_loop "$1" "$2" "$3" "$LAB_DIR/chk" && ! grep -qvx 'b[0-9]*' "$LAB_DIR/chk" &&
		[ "$(wc -l <"$LAB_DIR/chk")" -eq "$3" ]
}

# timed_wait CMD: seconds (0.1 resolution) until CMD succeeds, max 5; prints them
timed_wait() {
	local t0 t1
	t0=$(date +%s%N)
	wait_for "$1" 5 || { echo "never"; return 1; }
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 100000000))" | sed 's/.$/.&/; s/^\./0./'
}

main() {
	lab_up || { tap_fail "lab up"; return; }
	cp_init
	cp_xlbd_start || { tap_fail "xlbd starts and serves its API"; return; }
	local V4="$VIP4:80/tcp" V6="[$VIP6]:80/tcp" old new t
	tap_check "IPv4 and IPv6 VIPs with 3 backends" eval 'cp_vip "$V4" $BACKEND_ADDRS4 && cp_vip "$V6" $BACKEND_ADDRS6'
	old=$(mac_of lb)
	if t=$(timed_wait "dmacs_are $old"); then
		tap_ok "every backend's next hop resolved to the router's MAC $old (${t}s)"
	else
		tap_fail "every backend's next hop resolved to the router's MAC" "$(nh_summary)"
	fi
	tap_check "baseline: 20 + 20 requests through both VIPs" eval 'all_ok c1 "http://$VIP4/" 20 && all_ok c1 "http://[$VIP6]/" 20'

	# a request loop through the whole test
	local loop=$LAB_DIR/loop.json lp
	in_ns c2 "$PY" "$HERE/flowhold.py" new "$VIP4" 80 0 "$loop" --interval 0.02 --timeout 0.5 >"$LAB_DIR/loop.log" 2>&1 &
	lp=$!

	# (1) new router MAC; the LB's neighbour entries follow (as a gratuitous
	# ARP / unsolicited NA would make them)
	new=02:00:5e:10:00:42
	in_ns rt ip link set dev lb address "$new"
	in_ns lb ip neigh replace "$LB_GW4" lladdr "$new" dev "$LB_IFACE" nud reachable
	in_ns lb ip -6 neigh replace "$LB_GW6" lladdr "$new" dev "$LB_IFACE" nud reachable
	in_ns lb ip -6 neigh replace "fe80::$(echo "$old" | "$PY" -c '
import sys; m=[int(x,16) for x in sys.stdin.read().strip().split(":")]; m[0]^=2
print("%x:%xff:fe%x:%x" % (m[0]<<8|m[1], m[2], m[3], m[4]<<8|m[5]))')" lladdr "$new" dev "$LB_IFACE" nud reachable 2>/dev/null
	if t=$(timed_wait "dmacs_are $new"); then
		tap_ok "xlbd writes the router's new MAC without a restart (${t}s)"
	else
		tap_fail "xlbd writes the router's new MAC without a restart" "$(nh_summary)"
	fi
	tap_check "after the MAC change: 20 + 20 requests through both VIPs" eval 'all_ok c1 "http://$VIP4/" 20 && all_ok c1 "http://[$VIP6]/" 20'

	# (2) the backends' subnets move to another gateway with its own MAC
	local gw4=198.18.2.3 gw6=2001:db8:0:2::3 alt
	# only the interface that holds an address answers ARP for it
	in_ns rt sysctl -qw net.ipv4.conf.all.arp_ignore=1
	in_ns rt ip link add lbalt link lb type macvlan mode bridge
	in_ns rt ip addr add "$gw4/24" dev lbalt
	in_ns rt ip addr add "$gw6/64" dev lbalt nodad
	in_ns rt ip link set lbalt up
	alt=$(mac_of lbalt)
	in_ns lb ip route add 198.18.1.0/24 via "$gw4"
	in_ns lb ip -6 route add 2001:db8:0:1::/64 via "$gw6"
	if t=$(timed_wait "dmacs_are $alt $gw4,$gw6"); then
		tap_ok "xlbd follows the new route: gateway $gw4/$gw6, MAC $alt (${t}s)"
	else
		tap_fail "xlbd follows the new route to gateway $gw4/$gw6" "$(nh_summary)"
	fi
	# the old gateway's MAC changes behind the LB's back: only frames to the
	# new gateway's MAC get through now, so success proves the datapath uses it
	in_ns rt ip link set dev lb address 02:00:5e:10:00:43
	tap_check "after the route change (old gateway MAC now unknown): 20 + 20 requests through both VIPs" eval 'all_ok c1 "http://$VIP4/" 20 && all_ok c1 "http://[$VIP6]/" 20'

	sleep 1
	touch "$loop.stop"
	wait "$lp"
	local v
	v=$("$PY" - "$loop" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
errs = [e["at"] for e in s["errors"]]
span = max(errs) - min(errs) if errs else 0
print(s["requests"], len(errs), "%.2f" % span)
PYEOF
	)
	read -r req err span <<<"$v"
	if [ "$req" -ge 50 ] && "$PY" -c "import sys; sys.exit(0 if $span <= 1.0 else 1)"; then
		tap_ok "request loop: $req requests, $err failed, all within ${span}s (recovered within a second)"
	else
		tap_fail "request loop recovered within a second" "$req requests, $err failed over ${span}s"
	fi
	tap_diag "$(nh_summary)"
}

main
tap_done

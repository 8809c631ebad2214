#!/usr/bin/env bash
# scripts/lab.sh - xlb's lab: network namespaces on veth pairs, real servers
# (nginx, a UDP responder) behind xlb's decap program, clients, a router.
#
#   scripts/lab.sh up          build the lab (tears an old one down first)
#   scripts/lab.sh down        remove everything `up` made; safe to run twice
#   scripts/lab.sh status      what exists, addresses, servers, decap state
#   scripts/lab.sh env         the lab's names and addresses as shell variables
#   scripts/lab.sh exec NODE CMD...   run CMD in NODE's network namespace
#                              (nsenter --net: bpffs pins stay visible)
#   scripts/lab.sh probe [BACKEND...]  without xlbd: tunnel packets made by
#                              hand (4in4, 6in6, 4in6, 6in4) from the LB reach
#                              each backend's UDP responder via the VIP (DSR)
#   scripts/lab.sh tunnel udp|syn OUTER_DST CLIENT 4|6 [PORT]   one such packet
#
# Topology (NODE = c1.., lb, b1.., rt; namespace = $LAB_PREFIX$NODE):
#
#   c1 c2 ──(br-cl 198.18.0.1/24, 2001:db8::1/64)──┐
#                                                  rt ── lb 198.18.2.2 (rt: 198.18.2.1)
#   b1 b2 b3 ──(br-be 198.18.1.1/24, 2001:db8:0:1::1/64)┘      2001:db8:0:2::2 (rt ::1)
#
#   Every node has one veth "eth0" to rt; rt bridges the clients and the
#   backends on two segments and routes IPv4 and IPv6 between them. rt routes
#   the VIPs to the LB. Client i: 198.18.0.(10+i) / 2001:db8::(10+i); backend
#   i: 198.18.1.(10+i) / 2001:db8:0:1::(10+i). LB and backend links have MTU
#   $UNDERLAY_MTU (room for the tunnel header); client links 1500.
#   Backends: VIPs on lo, rp_filter off, arp_ignore=1/arp_announce=2,
#   build/xlb-decap attached to eth0 with their own pin dir
#   /sys/fs/bpf/${LAB_PREFIX}decap-bN, nginx on 0.0.0.0/[::] ports 80 and
#   8080 answering "GET /" with "bN\n" and "/healthz" with "ok\n", and a UDP
#   responder on $UDP_PORT (VIPs and own addresses) answering "bN\n".
#   Replies leave backends straight to the clients through rt (DSR).
#   rt's end of the LB link runs xlb-decap too (pins .../${LAB_PREFIX}decap-rt,
#   allow-list = rt's own address: it passes everything), because a veth
#   receives the LB's XDP_TX frames reliably only with an XDP program.
#   xlbd is not started here: run it with `scripts/lab.sh exec lb ...` on
#   the LB's eth0 (see `status`).
#
# Environment (defaults): LAB_PREFIX (xlb-lab-) namespace/pin prefix,
#   LAB_DIR (/tmp/${LAB_PREFIX%-}) runtime files, BACKENDS (3, at most 200),
#   CLIENTS (2), VIP4 (198.19.0.10), VIP6 (2001:db8:f::10), UDP_PORT (5300),
#   DECAP_MODE (native; or skb), UNDERLAY_MTU (1600), XLB_DECAP (build/xlb-decap).
#
# Veth facts this depends on (docs/DESIGN.md §7): XDP_TX into a veth is
# dropped unless the peer has GRO on or an XDP program: rt's end of the LB
# link has both (GRO alone lost every frame here on kernel 6.18).
# A veth carries GSO super-packets and partial checksums that no wire
# carries: clients send real-sized, fully checksummed frames (tx checksum,
# TSO, GSO off), and rt segments before it hands frames to an XDP interface.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_PREFIX=${LAB_PREFIX:-xlb-lab-}
LAB_DIR=${LAB_DIR:-/tmp/${LAB_PREFIX%-}}
BACKENDS=${BACKENDS:-3}
CLIENTS=${CLIENTS:-2}
VIP4=${VIP4:-198.19.0.10}
VIP6=${VIP6:-2001:db8:f::10}
UDP_PORT=${UDP_PORT:-5300}
DECAP_MODE=${DECAP_MODE:-native}
UNDERLAY_MTU=${UNDERLAY_MTU:-1600}
XLB_DECAP=${XLB_DECAP:-$ROOT/build/xlb-decap}
PY=/usr/bin/python3	# Debian's, the one with scapy
# every command but `up` describes the lab that is up: its settings win
if [ "${1:-}" != up ] && [ -f "$LAB_DIR/lab.env" ]; then
	# shellcheck source=/dev/null
	. "$LAB_DIR/lab.env"
fi

RT_BR_CL="br-cl"
RT_BR_BE="br-be"
RT_LB_PORT="lb"
LB_ADDR4=198.18.2.2 LB_ADDR6=2001:db8:0:2::2
RT_LB4=198.18.2.1 RT_LB6=2001:db8:0:2::1
RT_CL4=198.18.0.1 RT_CL6=2001:db8::1
RT_BE4=198.18.1.1 RT_BE6=2001:db8:0:1::1

die() { echo "lab.sh: $*" >&2; exit 1; }
say() { echo "lab: $*"; }

case $LAB_PREFIX in
xlb*) ;;
*) die "LAB_PREFIX must start with 'xlb' (got '$LAB_PREFIX'): namespaces and pins use it" ;;
esac
if ! [[ $BACKENDS =~ ^[0-9]+$ ]] || [ "$BACKENDS" -lt 1 ] || [ "$BACKENDS" -gt 200 ]; then
	die "BACKENDS must be 1..200 (got '$BACKENDS')"
fi
if ! [[ $CLIENTS =~ ^[0-9]+$ ]] || [ "$CLIENTS" -lt 1 ] || [ "$CLIENTS" -gt 200 ]; then
	die "CLIENTS must be 1..200 (got '$CLIENTS')"
fi
case $DECAP_MODE in native | skb) ;; *) die "DECAP_MODE must be native or skb (got '$DECAP_MODE')" ;; esac

ns() { echo "$LAB_PREFIX$1"; }
nsx() { local node=$1; shift; nsenter --net="/run/netns/$(ns "$node")" "$@"; }
clients() { local i; for ((i = 1; i <= CLIENTS; i++)); do echo "c$i"; done; }
backends() { local i; for ((i = 1; i <= BACKENDS; i++)); do echo "b$i"; done; }
nodes() { echo rt lb; clients; backends; }
addr4() { case $1 in c*) echo "198.18.0.$((10 + ${1#c}))" ;; b*) echo "198.18.1.$((10 + ${1#b}))" ;; lb) echo $LB_ADDR4 ;; rt) echo $RT_LB4 ;; esac; }
addr6() { case $1 in c*) echo "2001:db8::$((10 + ${1#c}))" ;; b*) echo "2001:db8:0:1::$((10 + ${1#b}))" ;; lb) echo $LB_ADDR6 ;; rt) echo $RT_LB6 ;; esac; }
pin_dir() { echo "/sys/fs/bpf/${LAB_PREFIX}decap-$1"; }

# Namespaces of this prefix that exist now (also ones a larger BACKENDS made).
existing_ns() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${LAB_PREFIX//./\\.}(rt|lb|c[0-9]+|b[0-9]+)$" || true; }

new_ns() {
	local node=$1
	ip netns add "$(ns "$node")"
	nsx "$node" ip link set lo up
	# no duplicate address detection: addresses usable at once
	nsx "$node" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# veth NODE:eth0 <-> rt:PORT
link_to_rt() {
	local node=$1 port=$2 mtu=$3
	ip -n "$(ns rt)" link add "$port" mtu "$mtu" type veth peer name eth0 netns "$(ns "$node")"
	nsx "$node" ip link set eth0 mtu "$mtu" up
	ip -n "$(ns rt)" link set "$port" up
}

setup_rt() {
	new_ns rt
	nsx rt sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	local br a4 a6
	for br in $RT_BR_CL $RT_BR_BE; do
		ip -n "$(ns rt)" link add "$br" type bridge
		ip -n "$(ns rt)" link set "$br" up
	done
	ip -n "$(ns rt)" addr add "$RT_CL4/24" dev $RT_BR_CL
	ip -n "$(ns rt)" addr add "$RT_CL6/64" dev $RT_BR_CL nodad
	ip -n "$(ns rt)" addr add "$RT_BE4/24" dev $RT_BR_BE
	ip -n "$(ns rt)" addr add "$RT_BE6/64" dev $RT_BR_BE nodad
}

setup_lb() {
	new_ns lb
	link_to_rt lb $RT_LB_PORT "$UNDERLAY_MTU"
	ip -n "$(ns rt)" addr add "$RT_LB4/24" dev $RT_LB_PORT
	ip -n "$(ns rt)" addr add "$RT_LB6/64" dev $RT_LB_PORT nodad
	# XDP_TX / redirect from the LB lands here. DESIGN §7 says GRO on is
	# enough; on kernel 6.18 in this topology it was not (frames counted as
	# sent, never received), while an XDP program on this end always works:
	# xlb-decap, whose allow-list holds only rt's own address, so it passes
	# everything untouched. No GSO packets into the LB's XDP.
	nsx rt ethtool -K $RT_LB_PORT gro on tso off gso off >/dev/null
	nsx rt "$XLB_DECAP" --pin-dir "$(pin_dir rt)" attach $RT_LB_PORT --mode native \
		--allow $RT_LB4 >/dev/null
	nsx lb ip addr add "$LB_ADDR4/24" dev eth0
	nsx lb ip addr add "$LB_ADDR6/64" dev eth0 nodad
	nsx lb ip route add default via $RT_LB4
	nsx lb ip -6 route add default via $RT_LB6
	nsx lb sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1
	# the VIPs live behind the LB
	nsx rt ip route add "$VIP4/32" via $LB_ADDR4
	nsx rt ip -6 route add "$VIP6/128" via $LB_ADDR6
}

setup_client() {
	local c=$1
	new_ns "$c"
	link_to_rt "$c" "$c" 1500
	ip -n "$(ns rt)" link set "$c" master $RT_BR_CL
	# frames as a wire carries them: full checksums, no super-packets
	nsx "$c" ethtool -K eth0 tx off tso off gso off >/dev/null
	nsx "$c" ip addr add "$(addr4 "$c")/24" dev eth0
	nsx "$c" ip addr add "$(addr6 "$c")/64" dev eth0 nodad
	nsx "$c" ip route add default via $RT_CL4
	nsx "$c" ip -6 route add default via $RT_CL6
}

write_nginx_conf() {
	local b=$1 dir=$2
	mkdir -p "$dir/tmp"
	cat >"$dir/nginx.conf" <<EOF
# lab backend $b (scripts/lab.sh)
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	default_type text/plain;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	keepalive_timeout 5s;
	server {
		listen 0.0.0.0:80 reuseport;
		listen [::]:80 ipv6only=on reuseport;
		listen 0.0.0.0:8080;
		listen [::]:8080 ipv6only=on;
		location = /healthz { return 200 "ok\n"; }
		location / { return 200 "$b\n"; }
	}
}
EOF
}

# UDP responder: one socket per address, so a reply to the VIP leaves from
# the VIP (a wildcard socket would answer from eth0's address, breaking DSR).
write_udp_server() {
	cat >"$LAB_DIR/udp_name.py" <<'EOF'
"""UDP responder of the xlb lab: answers every datagram with NAME\n.
usage: udp_name.py NAME PORT PIDFILE ADDR...  (writes its pid to PIDFILE)"""
import os
import selectors
import socket
import sys

name, port, pidfile, addrs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
try:
    os.setsid()  # out of lab.sh's process group: a Ctrl-C there must not stop it
except OSError:
    pass
with open(pidfile, "w") as f:
    f.write(f"{os.getpid()}\n")
sel = selectors.DefaultSelector()
for a in addrs:
    fam = socket.AF_INET6 if ":" in a else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a, port))
    sel.register(s, selectors.EVENT_READ)
reply = (name + "\n").encode()
while True:
    for key, _ in sel.select():
        try:
            _, peer = key.fileobj.recvfrom(2048)
            key.fileobj.sendto(reply, peer)
        except OSError:
            pass
EOF
}

# Hand-made tunnel packets (`lab.sh tunnel`, `lab.sh probe`): the receiver
# runs in the client, bound to its address; the sender in the LB uses a raw
# socket of protocol 4 or 41 (the kernel writes the outer header, scapy
# builds the inner packet: no ipip module needed).
write_tools() {
	mkdir -p "$LAB_DIR/tools"
	cat >"$LAB_DIR/tools/tun_send.py" <<'EOF'
"""tun_send.py OUTER_DST INNER_SRC INNER_DST SPORT DPORT udp|syn: one tunnel packet."""
import socket
import sys
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.layers.inet import IP, TCP, UDP  # noqa: E402
from scapy.layers.inet6 import IPv6  # noqa: E402
from scapy.compat import raw  # noqa: E402

outer_dst, src, dst, sport, dport, kind = sys.argv[1:7]
l3 = IPv6(src=src, dst=dst) if ":" in src else IP(src=src, dst=dst)
l4 = UDP(sport=int(sport), dport=int(dport)) / b"hello" if kind == "udp" else \
    TCP(sport=int(sport), dport=int(dport), flags="S", seq=1000)
s = socket.socket(socket.AF_INET6 if ":" in outer_dst else socket.AF_INET, socket.SOCK_RAW,
                  41 if ":" in src else 4)
s.sendto(raw(l3 / l4), (outer_dst, 0))
EOF
	cat >"$LAB_DIR/tools/udp_recv.py" <<'EOF'
"""udp_recv.py ADDR PORT TIMEOUT: print "SRC PAYLOAD" of the first datagram."""
import socket
import sys

addr, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, port))
print("ready", flush=True)
s.settimeout(timeout)
try:
    data, peer = s.recvfrom(2048)
    print(peer[0], data.decode(errors="replace").strip(), flush=True)
except socket.timeout:
    pass
EOF
	cat >"$LAB_DIR/tools/synack_recv.py" <<'EOF'
"""synack_recv.py FROM_ADDR FROM_PORT TO_PORT TIMEOUT: print "synack SRC" when a
SYN-ACK from FROM_ADDR:FROM_PORT to TO_PORT arrives (raw TCP socket)."""
import socket
import struct
import sys
import time

src, sport, dport, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
v6 = ":" in src
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
print("ready", flush=True)
end = time.time() + timeout
want = socket.inet_pton(socket.AF_INET6 if v6 else socket.AF_INET, src)
while time.time() < end:
    s.settimeout(max(0.01, end - time.time()))
    try:
        pkt, peer = s.recvfrom(4096)
    except socket.timeout:
        break
    # IPv4 raw sockets deliver the IP header, IPv6 ones only the TCP header
    tcp = pkt if v6 else pkt[(pkt[0] & 0xf) * 4:]
    ps, pd = struct.unpack("!HH", tcp[:4])
    flags = tcp[13]
    if socket.inet_pton(socket.AF_INET6 if v6 else socket.AF_INET, peer[0]) == want and \
            ps == sport and pd == dport and flags & 0x12 == 0x12:
        print("synack", peer[0], flush=True)
        break
EOF
}

setup_backend() {
	local b=$1 dir a4 a6
	dir=$LAB_DIR/$b a4=$(addr4 "$b") a6=$(addr6 "$b")
	new_ns "$b"
	link_to_rt "$b" "$b" "$UNDERLAY_MTU"
	ip -n "$(ns rt)" link set "$b" master $RT_BR_BE
	# rt segments GSO packets before they reach the backend's XDP program
	nsx rt ethtool -K "$b" tso off gso off >/dev/null
	nsx "$b" ip addr add "$a4/24" dev eth0
	nsx "$b" ip addr add "$a6/64" dev eth0 nodad
	nsx "$b" ip route add default via $RT_BE4
	nsx "$b" ip -6 route add default via $RT_BE6
	# the real-server recipe: VIPs on lo, answer ARP only for eth0's own
	# addresses, accept packets whose source routes elsewhere
	nsx "$b" ip addr add "$VIP4/32" dev lo
	nsx "$b" ip addr add "$VIP6/128" dev lo nodad
	nsx "$b" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.lo.rp_filter=0 \
		net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
	nsx "$b" "$XLB_DECAP" --pin-dir "$(pin_dir "$b")" attach eth0 --mode "$DECAP_MODE" \
		--allow "$a4" --allow "$a6" >/dev/null
	mkdir -p "$dir"
	write_nginx_conf "$b" "$dir"
	nsx "$b" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
	# the responder writes its own pid (whatever nsenter does about forking)
	nsx "$b" "$PY" "$LAB_DIR/udp_name.py" "$b" "$UDP_PORT" "$dir/udp.pid" "$VIP4" "$VIP6" "$a4" "$a6" \
		</dev/null >"$dir/udp.log" 2>&1 &
}

# Wait until every backend's servers answer on their own addresses (from rt).
wait_ready() {
	local b i ok
	for b in $(backends); do
		ok=0
		for ((i = 0; i < 50; i++)); do
			if nsx rt curl -s --max-time 1 "http://$(addr4 "$b")/healthz" >/dev/null 2>&1 &&
				nsx rt curl -gs --max-time 1 "http://[$(addr6 "$b")]/healthz" >/dev/null 2>&1; then
				ok=1
				break
			fi
			sleep 0.1
		done
		[ $ok = 1 ] || die "backend $b: nginx does not answer on $(addr4 "$b") / $(addr6 "$b") (log: $LAB_DIR/$b/error.log)"
		for ((i = 0; i < 50; i++)); do
			[ -s "$LAB_DIR/$b/udp.pid" ] && break
			sleep 0.1
		done
		[ -s "$LAB_DIR/$b/udp.pid" ] || die "backend $b: UDP responder did not start (log: $LAB_DIR/$b/udp.log)"
	done
}

cmd_up() {
	local n
	[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, XDP)"
	for n in ip nsenter ethtool nginx curl "$PY"; do
		command -v "$n" >/dev/null || die "'$n' not found: run 'make deps'"
	done
	[ -x "$XLB_DECAP" ] || die "$XLB_DECAP not built: run 'make'"
	cmd_down >/dev/null
	mkdir -p "$LAB_DIR"
	printf '%s\n' "BACKENDS=$BACKENDS" "CLIENTS=$CLIENTS" "VIP4=$VIP4" "VIP6=$VIP6" \
		"UDP_PORT=$UDP_PORT" "DECAP_MODE=$DECAP_MODE" "UNDERLAY_MTU=$UNDERLAY_MTU" >"$LAB_DIR/lab.env"
	write_udp_server
	write_tools
	setup_rt
	setup_lb
	for n in $(clients); do setup_client "$n"; done
	for n in $(backends); do setup_backend "$n"; done
	wait_ready
	say "up: $CLIENTS clients, LB, $BACKENDS backends (prefix $LAB_PREFIX, files in $LAB_DIR)"
	say "LB: namespace $(ns lb), interface eth0, $LB_ADDR4 $LB_ADDR6, gateway $RT_LB4 $RT_LB6"
	say "VIPs: $VIP4 $VIP6 (routed to the LB by rt; on lo of every backend)"
}

# Stop the servers lab.sh started (pids from their pid files): TERM all,
# wait up to 5 s, then KILL what is left.
stop_servers() {
	local f pid pids=() i alive
	[ -d "$LAB_DIR" ] || return 0
	for f in "$LAB_DIR"/*/nginx.pid "$LAB_DIR"/*/udp.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null || true)
		[[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && pids+=("$pid")
		rm -f "$f"
	done
	[ ${#pids[@]} -gt 0 ] || return 0
	kill "${pids[@]}" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		alive=0
		for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
		[ $alive = 1 ] || return 0
		sleep 0.1
	done
	kill -9 "${pids[@]}" 2>/dev/null || true
}

cmd_down() {
	local n node d left=""
	[ "$(id -u)" -eq 0 ] || die "needs root"
	# servers first (nginx's master takes its workers along)
	stop_servers
	for n in $(existing_ns); do
		node=${n#"$LAB_PREFIX"}
		if [ -x "$XLB_DECAP" ]; then
			case $node in
			b*) nsx "$node" "$XLB_DECAP" --pin-dir "$(pin_dir "$node")" detach eth0 >/dev/null 2>&1 || true ;;
			rt) nsx rt "$XLB_DECAP" --pin-dir "$(pin_dir rt)" detach $RT_LB_PORT >/dev/null 2>&1 || true ;;
			esac
		fi
		[ -z "$(ip netns pids "$n" 2>/dev/null)" ] || left+=" $n:$(ip netns pids "$n" | tr '\n' ',')"
		ip netns del "$n" 2>/dev/null || true
	done
	# pins of this lab whose namespace is already gone
	for d in /sys/fs/bpf/"${LAB_PREFIX}"decap-b* /sys/fs/bpf/"${LAB_PREFIX}"decap-rt; do
		[ -d "$d" ] && rm -rf "$d"
	done
	case $LAB_DIR in /tmp/xlb*) rm -rf "$LAB_DIR" ;; esac
	[ -z "$left" ] || echo "lab.sh: processes not started by lab.sh were still running in:$left" >&2
	say "down"
}

cmd_status() {
	local n node up=0 a
	for node in $(nodes); do
		[ -e "/run/netns/$(ns "$node")" ] && up=$((up + 1))
	done
	if [ $up -eq 0 ]; then
		echo "lab: down (no namespace $(ns rt), $(ns lb), ...)"
		return 1
	fi
	echo "lab: prefix $LAB_PREFIX, files in $LAB_DIR, VIPs $VIP4 $VIP6"
	for node in $(nodes); do
		n=$(ns "$node")
		if [ ! -e "/run/netns/$n" ]; then
			printf '  %-4s %-22s MISSING\n' "$node" "$n"
			continue
		fi
		a=$(nsx "$node" ip -br addr show dev eth0 2>/dev/null | awk '{$2=""; print}' | sed 's/  */ /g' || true)
		[ "$node" = rt ] && a="bridges $RT_BR_CL $RT_CL4 $RT_CL6, $RT_BR_BE $RT_BE4 $RT_BE6, port $RT_LB_PORT $RT_LB4 $RT_LB6"
		printf '  %-4s %-22s %s\n' "$node" "$n" "$a"
		case $node in
		rt)
			if nsx rt "$XLB_DECAP" --pin-dir "$(pin_dir rt)" status $RT_LB_PORT >/dev/null 2>&1; then
				echo "       port $RT_LB_PORT: XDP pass program attached (receives the LB's XDP_TX)"
			else
				echo "       port $RT_LB_PORT: XDP pass program NOT ATTACHED: the LB's XDP_TX frames will be lost"
			fi ;;
		lb) echo "       LB interface: eth0 (run xlbd with: scripts/lab.sh exec lb build/xlbd --iface eth0 ...)" ;;
		b*)
			local st=() d=$LAB_DIR/$node
			[ -f "$d/nginx.pid" ] && kill -0 "$(cat "$d/nginx.pid")" 2>/dev/null && st+=("nginx up") || st+=("nginx DOWN")
			[ -f "$d/udp.pid" ] && kill -0 "$(cat "$d/udp.pid")" 2>/dev/null && st+=("udp:$UDP_PORT up") || st+=("udp DOWN")
			if nsx "$node" "$XLB_DECAP" --pin-dir "$(pin_dir "$node")" status eth0 -o json >"$LAB_DIR/.st" 2>/dev/null; then
				st+=("decap $("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["interfaces"][0]["mode"], "decapped", d["counters"]["decap"])' "$LAB_DIR/.st")")
			else
				st+=("decap NOT ATTACHED")
			fi
			rm -f "$LAB_DIR/.st"
			echo "       ${st[*]}" ;;
		esac
	done
}

cmd_env() {
	local b4="" b6="" b
	for b in $(backends); do b4+="$(addr4 "$b") "; b6+="$(addr6 "$b") "; done
	cat <<EOF
LAB_PREFIX=$LAB_PREFIX
LAB_DIR=$LAB_DIR
RT_NS=$(ns rt)
LB_NS=$(ns lb)
LB_IFACE=eth0
LB_ADDR4=$LB_ADDR4
LB_ADDR6=$LB_ADDR6
LB_GW4=$RT_LB4
LB_GW6=$RT_LB6
VIP4=$VIP4
VIP6=$VIP6
UDP_PORT=$UDP_PORT
CLIENT_NODES="$(clients | tr '\n' ' ' | sed 's/ $//')"
BACKEND_NODES="$(backends | tr '\n' ' ' | sed 's/ $//')"
BACKEND_ADDRS4="${b4% }"
BACKEND_ADDRS6="${b6% }"
EOF
}

cmd_exec() {
	[ $# -ge 2 ] || die "usage: lab.sh exec NODE CMD..."
	local node=$1; shift
	[ -e "/run/netns/$(ns "$node")" ] || die "no node '$node' (namespace $(ns "$node") does not exist; is the lab up?)"
	nsx "$node" "$@"
}

# tunnel udp|syn OUTER_DST CLIENT 4|6 [PORT]: from the LB, one tunnel packet
# to OUTER_DST carrying UDP (to VIP:$UDP_PORT) or a TCP SYN (to VIP:80)
# from CLIENT's address; the family of OUTER_DST picks the outer header.
# Prints what CLIENT got back: "SRC PAYLOAD" (udp), "synack SRC" (syn), or
# nothing after 3 s.
cmd_tunnel() {
	[ $# -ge 4 ] || die "usage: lab.sh tunnel udp|syn OUTER_DST CLIENT 4|6 [PORT]"
	local kind=$1 outer=$2 client=$3 fam=$4 port=${5:-40000} src dst out pid i
	case $kind in udp | syn) ;; *) die "tunnel: kind must be udp or syn (got '$kind')" ;; esac
	case $fam in 4) src=$(addr4 "$client") dst=$VIP4 ;; 6) src=$(addr6 "$client") dst=$VIP6 ;;
	*) die "tunnel: inner family must be 4 or 6 (got '$fam')" ;; esac
	if [[ $client != c* ]] || [ ! -e "/run/netns/$(ns "$client")" ]; then
		die "tunnel: no client node '$client'"
	fi
	[ -f "$LAB_DIR/tools/tun_send.py" ] || die "tunnel: the lab is not up ($LAB_DIR/tools missing)"
	out=$(mktemp "$LAB_DIR/recv.XXXXXX")
	if [ "$kind" = udp ]; then
		nsx "$client" "$PY" "$LAB_DIR/tools/udp_recv.py" "$src" "$port" 3 >"$out" 2>&1 &
	else
		nsx "$client" "$PY" "$LAB_DIR/tools/synack_recv.py" "$dst" 80 "$port" 3 >"$out" 2>&1 &
	fi
	pid=$!
	for ((i = 0; i < 50; i++)); do
		grep -q '^ready$' "$out" && break
		sleep 0.1
	done
	nsx lb "$PY" "$LAB_DIR/tools/tun_send.py" "$outer" "$src" "$dst" "$port" \
		"$([ "$kind" = udp ] && echo "$UDP_PORT" || echo 80)" "$kind" || true
	wait "$pid" || true
	grep -v '^ready$' "$out" || true
	rm -f "$out"
}

# probe [BACKEND...]: for each backend (default all), the four
# encapsulations by hand, UDP from c1 to the VIP; checks the reply comes
# from the VIP with the backend's name. Exit 1 if any fails.
cmd_probe() {
	local b got want fail=0 port=42000 outer inner label dst list=("$@")
	[ -e "/run/netns/$(ns lb)" ] || die "probe: the lab is not up"
	[ ${#list[@]} -gt 0 ] || mapfile -t list < <(backends)
	for b in "${list[@]}"; do
		[ -e "/run/netns/$(ns "$b")" ] || die "probe: no backend '$b'"
		for label in 4in4 6in6 4in6 6in4; do
			inner=${label%in*} outer=${label#*in}
			port=$((port + 1))
			if [ "$outer" = 4 ]; then dst=$(addr4 "$b"); else dst=$(addr6 "$b"); fi
			got=$(cmd_tunnel udp "$dst" c1 "$inner" $port)
			want="$([ "$inner" = 4 ] && echo "$VIP4" || echo "$VIP6") $b"
			if [ "$got" = "$want" ]; then
				echo "probe $b $label: ok, reply '$b' from the VIP"
			else
				echo "probe $b $label: FAILED (got '${got:-nothing}', want '$want')"
				fail=1
			fi
		done
	done
	return $fail
}

usage() {
	sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

case ${1:-} in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
env) cmd_env ;;
exec) shift; cmd_exec "$@" ;;
tunnel) shift; cmd_tunnel "$@" ;;
probe) shift; cmd_probe "$@" ;;
-h | --help | help) usage ;;
*) usage >&2; exit 2 ;;
esac

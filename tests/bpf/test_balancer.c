/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * test_balancer.c - the balancer's main path through BPF_PROG_TEST_RUN:
 * new and established flows (v4, v6), backend-set changes, UDP and its idle
 * expiry, port-less and source-hash VIPs, the four encapsulations, the
 * per-flow outer source, devmap redirect, next-hop / table failures and the
 * new-flow rate guard, TCP close tracking (FIN marks, RST deletes). Every case checks the verdict, the whole output frame
 * (built with the packet builder), the backend the oracle predicts and the
 * counters that moved.
 *
 * Redirect needs real interfaces: the test unshares a private network
 * namespace (gone when the process exits) and creates a veth pair in it.
 */
#include "lb_fixture.h"

#include <sys/wait.h>
#include <unistd.h>

#define VIP4	"203.0.113.10"
#define VIP6	"2001:db8:f::10"
#define CLIENT4	"198.18.200.1"
#define CLIENT6	"2001:db8:c::1"

enum { V_TCP4, V_TCP6, V_UDP4, V_PORTLESS, V_SRCHASH, V_4IN6, V_6IN4, V_NOTABLE, V_NONH, V_FAST };

static struct lb lb;

static void mk(struct pkt *p, const char *src, uint16_t sport, const char *dst, uint16_t dport,
	       uint8_t proto, uint8_t tcp_flags, uint32_t payload)
{
	pkt_init(p);
	pkt_eth(p, LB_CLIENT_MAC, LB_SELF_MAC);
	pkt_ip(p, &(struct pkt_ip){ .src = src, .dst = dst, .frag_off = PKT_IP4_DF, .tos = 0xb9, .id = 77 });
	if (proto == IPPROTO_TCP)
		pkt_tcp(p, &(struct pkt_tcp_hdr){ .sport = sport, .dport = dport, .flags = tcp_flags, .seq = 1000 });
	else
		pkt_udp(p, sport, dport);
	pkt_pattern(p, payload, 0x40);
	pkt_finish(p);
}

/* Run `in`, expect an encapsulation to backend `want` (XDP_TX), check bytes and reason. */
static bool expect_fwd(const char *name, const struct pkt *in, uint32_t want, uint32_t hash,
		       const __be32 *outer_src, uint32_t ifindex, uint32_t verdict)
{
	struct bpfrun_result *r = lb_run(&lb, in, ifindex);
	struct lb_encap e = { .be = &lb.be[want], .outer_src = outer_src, .hash = hash, .ttl = lb.cfg.ttl };
	struct pkt exp;

	lb_expect_encap(&exp, in, &e);
	tap_eq_u32(r->verdict, verdict, "%s: verdict", name);
	bool same = tap_mem_eq(r->out, r->out_len, exp.data, exp.len,
			       "%s: frame is the input encapsulated to backend %u", name, want);
	lb_check_reason(&lb, verdict == XDP_REDIRECT ? XLB_R_REDIRECT : XLB_R_TX, name);
	return same;
}

static uint32_t conn_backend(const struct xlb_flow *f)
{
	struct xlb_conn c;

	return xlb_dp_lookup_conn(lb.conns, f, &c) ? XLB_BACKEND_NONE : c.backend_id;
}

static void test_new_and_established(const char *fam, const char *client, const char *vip, uint32_t vip_id)
{
	struct xlb_flow f = lb_flow(client, 40000, vip, 80, IPPROTO_TCP);
	uint32_t want = lb_predict(&lb, vip_id, &f, 0), hash = xlb_flow_hash(&f, 0);
	struct xlb_counters v0 = lb_counters(lb.vip_stats, vip_id), b0 = lb_counters(lb.backend_stats, want);
	struct xlb_counters v1, b1;
	struct pkt in;
	char name[64];

	snprintf(name, sizeof(name), "%s TCP SYN", fam);
	mk(&in, client, 40000, vip, 80, IPPROTO_TCP, PKT_TCP_SYN, 0);
	tap_ok(want != XLB_BACKEND_NONE, "%s: oracle predicts a backend (%u)", name, want);
	expect_fwd(name, &in, want, hash, NULL, 0, XDP_TX);
	tap_eq_u64(lb_event_delta(&lb, XLB_E_NEW_FLOW), 1, "%s: event new_flow", name);
	tap_eq_u32(conn_backend(&f), XLB_BACKEND_NONE, "%s: a SYN does not write the conn table", name);
	v1 = lb_counters(lb.vip_stats, vip_id);
	b1 = lb_counters(lb.backend_stats, want);
	tap_ok(v1.packets - v0.packets == 1 && v1.bytes - v0.bytes == in.len - 14 &&
	       v1.new_flows == v0.new_flows, "%s: vip_stats +1 packet, +L3 bytes, no new flow yet", name);
	tap_ok(b1.packets - b0.packets == 1 && b1.bytes - b0.bytes == in.len - 14 &&
	       b1.new_flows == b0.new_flows, "%s: backend_stats +1 packet, +L3 bytes, no new flow yet", name);

	snprintf(name, sizeof(name), "%s TCP handshake ACK", fam);
	mk(&in, client, 40000, vip, 80, IPPROTO_TCP, PKT_TCP_ACK, 0);
	v0 = v1, b0 = b1;
	expect_fwd(name, &in, want, hash, NULL, 0, XDP_TX);
	tap_eq_u64(lb_event_delta(&lb, XLB_E_NEW_FLOW), 1, "%s: event new_flow (conn-table miss)", name);
	tap_eq_u32(conn_backend(&f), want, "%s: conn table pins the flow to backend %u", name, want);
	v1 = lb_counters(lb.vip_stats, vip_id);
	b1 = lb_counters(lb.backend_stats, want);
	tap_ok(v1.packets - v0.packets == 1 && v1.bytes - v0.bytes == in.len - 14 &&
	       v1.new_flows - v0.new_flows == 1, "%s: vip_stats +1 packet, +L3 bytes, +1 new flow", name);
	tap_ok(b1.packets - b0.packets == 1 && b1.bytes - b0.bytes == in.len - 14 &&
	       b1.new_flows - b0.new_flows == 1, "%s: backend_stats +1 packet, +L3 bytes, +1 new flow", name);

	snprintf(name, sizeof(name), "%s TCP established", fam);
	mk(&in, client, 40000, vip, 80, IPPROTO_TCP, PKT_TCP_ACK, 300);
	expect_fwd(name, &in, want, hash, NULL, 0, XDP_TX);
	tap_eq_u64(lb_event_delta(&lb, XLB_E_CONN_HIT), 1, "%s: event conn_hit", name);
	b0 = lb_counters(lb.backend_stats, want);
	tap_ok(b0.packets - b1.packets == 1 && b0.new_flows == b1.new_flows,
	       "%s: backend_stats +1 packet, no new flow", name);
}

/* Established flows keep their backend when the set changes; a removed backend's re-hash. */
static void test_backend_change(void)
{
	enum { N = 48 };
	uint32_t before[N], ids_old[] = { 1, 2, 3 }, ids_new[] = { 1, 3, 4 };
	int kept_against_table = 0, moved = 0, wrong = 0, stale_ok = 1;
	struct pkt in;

	lb_table(&lb, V_TCP4, ids_old, 3, NULL, LB_TABLE_SIZE);
	for (int i = 0; i < N; i++) {
		struct xlb_flow f = lb_flow(CLIENT4, 20000 + i, VIP4, 80, IPPROTO_TCP);
		struct bpfrun_result *r;

		mk(&in, CLIENT4, 20000 + i, VIP4, 80, IPPROTO_TCP, PKT_TCP_SYN, 0);
		r = lb_run(&lb, &in, 0);
		if (r->verdict != XDP_TX || conn_backend(&f) != XLB_BACKEND_NONE)
			wrong++;
		mk(&in, CLIENT4, 20000 + i, VIP4, 80, IPPROTO_TCP, PKT_TCP_ACK, 0);
		r = lb_run(&lb, &in, 0);	/* the handshake's ACK pins the flow */
		before[i] = conn_backend(&f);
		if (r->verdict != XDP_TX || before[i] != lb_predict(&lb, V_TCP4, &f, 0))
			wrong++;
	}
	tap_eq_u32(wrong, 0, "backend change: %d SYN + ACK went to their oracle backend, pinned by the ACK", N);

	lb.be[2].flags = 0;		/* backend 2 leaves service */
	lb_push_backend(&lb, 2);
	lb_backend(&lb, 4, "198.18.1.4", "198.18.0.100");
	lb_table(&lb, V_TCP4, ids_new, 3, NULL, LB_TABLE_SIZE);
	wrong = 0;
	for (int i = 0; i < N; i++) {
		struct xlb_flow f = lb_flow(CLIENT4, 20000 + i, VIP4, 80, IPPROTO_TCP);
		uint32_t now_table = lb_predict(&lb, V_TCP4, &f, 0);
		uint32_t want = before[i] == 2 ? now_table : before[i];
		struct pkt exp;
		struct lb_encap e = { .be = &lb.be[want], .hash = xlb_flow_hash(&f, 0), .ttl = lb.cfg.ttl };
		struct bpfrun_result *r;

		mk(&in, CLIENT4, 20000 + i, VIP4, 80, IPPROTO_TCP, PKT_TCP_ACK, 10);
		r = lb_run(&lb, &in, 0);
		lb_expect_encap(&exp, &in, &e);
		if (r->verdict != XDP_TX || r->out_len != exp.len || memcmp(r->out, exp.data, exp.len))
			wrong++;
		if (before[i] == 2) {
			moved++;
			stale_ok &= lb_event_delta(&lb, XLB_E_CONN_STALE) == 1 && conn_backend(&f) == want;
		} else if (now_table != before[i]) {
			kept_against_table++;
		}
	}
	tap_eq_u32(wrong, 0, "backend change: every established flow went to the expected backend, byte for byte");
	tap_ok(moved > 0 && stale_ok, "backend change: %d flows of the removed backend re-hashed (conn_stale, entry rewritten)", moved);
	tap_ok(kept_against_table > 0, "backend change: %d flows kept their backend although the new table maps them elsewhere",
	       kept_against_table);

	/* a reused backend id (gen bumped) does not inherit old flows */
	lb.be[3].gen = 2;
	lb_push_backend(&lb, 3);
	for (int i = 0; i < N; i++) {
		struct xlb_flow f = lb_flow(CLIENT4, 20000 + i, VIP4, 80, IPPROTO_TCP);

		if (conn_backend(&f) != 3)
			continue;
		mk(&in, CLIENT4, 20000 + i, VIP4, 80, IPPROTO_TCP, PKT_TCP_ACK, 10);
		expect_fwd("backend gen bumped", &in, lb_predict(&lb, V_TCP4, &f, 0), xlb_flow_hash(&f, 0), NULL, 0, XDP_TX);
		tap_eq_u64(lb_event_delta(&lb, XLB_E_CONN_STALE), 1, "backend gen bumped: event conn_stale");
		break;
	}
}

static void test_udp(void)
{
	uint32_t ids[] = { 1, 2, 3 }, w2[] = { 1, 5, 9 }, t_new[13], read_back[13];
	uint32_t first = 0, want = 0, port;
	struct xlb_flow f;
	struct pkt in;

	lb_table(&lb, V_UDP4, ids, 3, NULL, 13);	/* a 13-slot inner map: sizes differ per VIP */
	tap_ok(xlb_dp_read_table(lb.tables, V_UDP4, read_back, 13) == 0 &&
	       !memcmp(read_back, lb.table[V_UDP4], sizeof(read_back)), "13-slot table reads back as installed");
	f = lb_flow(CLIENT4, 5000, VIP4, 53, IPPROTO_UDP);
	first = lb_predict(&lb, V_UDP4, &f, 0);
	mk(&in, CLIENT4, 5000, VIP4, 53, IPPROTO_UDP, 0, 40);
	expect_fwd("UDP new flow (13-slot table)", &in, first, xlb_flow_hash(&f, 0), NULL, 0, XDP_TX);
	tap_eq_u64(lb_event_delta(&lb, XLB_E_NEW_FLOW), 1, "UDP new flow: event new_flow");
	expect_fwd("UDP same flow", &in, first, xlb_flow_hash(&f, 0), NULL, 0, XDP_TX);
	tap_eq_u64(lb_event_delta(&lb, XLB_E_CONN_HIT), 1, "UDP same flow: event conn_hit");

	/* a flow whose backend the new weights change */
	lb_build(&lb, ids, 3, w2, t_new, 13);
	for (port = 6000; port < 8000; port++) {
		f = lb_flow(CLIENT4, port, VIP4, 53, IPPROTO_UDP);
		first = lb_predict(&lb, V_UDP4, &f, 0);
		want = xlb_predict_backend(t_new, 13, &f, 0);
		if (first != want)
			break;
	}
	tap_ok(first != want, "UDP idle: new weights map client port %u elsewhere (%u -> %u)", port, first, want);
	mk(&in, CLIENT4, port, VIP4, 53, IPPROTO_UDP, 0, 40);
	lb_run(&lb, &in, 0);				/* pins the flow to `first` */
	lb_table(&lb, V_UDP4, ids, 3, w2, 13);
	expect_fwd("UDP flow within udp_idle_ns keeps its backend", &in, first, xlb_flow_hash(&f, 0), NULL, 0, XDP_TX);
	lb.cfg.udp_idle_ns = 1;				/* everything is idle now */
	lb_set_config(&lb);
	usleep(20000);	/* the datapath's clock is coarse (one tick, <= 10 ms): let it move */
	expect_fwd("UDP flow idle past udp_idle_ns re-hashes", &in, want, xlb_flow_hash(&f, 0), NULL, 0, XDP_TX);
	tap_eq_u64(lb_event_delta(&lb, XLB_E_UDP_EXPIRED), 1, "UDP idle: event udp_expired");
	tap_eq_u32(conn_backend(&f), want, "UDP idle: entry rewritten to backend %u", want);
	xlb_dp_config_defaults(&lb.cfg);
	lb_set_config(&lb);
}

static void test_portless_and_srchash(void)
{
	struct xlb_flow f = lb_flow(CLIENT4, 33333, "203.0.113.20", 8443, IPPROTO_TCP);
	struct pkt in;
	uint32_t a, b;

	mk(&in, CLIENT4, 33333, "203.0.113.20", 8443, IPPROTO_TCP, PKT_TCP_SYN, 0);
	expect_fwd("port-less VIP (any port)", &in, lb_predict(&lb, V_PORTLESS, &f, 0), xlb_flow_hash(&f, 0), NULL, 0, XDP_TX);

	f = lb_flow("198.18.77.7", 1111, "203.0.113.30", 80, IPPROTO_TCP);
	a = lb_predict(&lb, V_SRCHASH, &f, XLB_VIP_F_HASH_SRC);
	mk(&in, "198.18.77.7", 1111, "203.0.113.30", 80, IPPROTO_TCP, PKT_TCP_SYN, 0);
	expect_fwd("source-hash VIP, port 1111", &in, a, xlb_flow_hash(&f, XLB_VIP_F_HASH_SRC), NULL, 0, XDP_TX);
	f.sport = htons(2222);
	b = lb_predict(&lb, V_SRCHASH, &f, XLB_VIP_F_HASH_SRC);
	mk(&in, "198.18.77.7", 2222, "203.0.113.30", 80, IPPROTO_TCP, PKT_TCP_SYN, 0);
	expect_fwd("source-hash VIP, port 2222", &in, b, xlb_flow_hash(&f, XLB_VIP_F_HASH_SRC), NULL, 0, XDP_TX);
	tap_eq_u32(a, b, "source-hash VIP: both ports of one client on one backend");
}

static void test_encaps(void)
{
	static const struct { const char *name, *client, *vip; uint32_t vip_id; } c[] = {
		{ "IPv4-in-IPv4", CLIENT4, VIP4, V_TCP4 },
		{ "IPv6-in-IPv6", CLIENT6, VIP6, V_TCP6 },
		{ "IPv4-in-IPv6", CLIENT4, "203.0.113.40", V_4IN6 },
		{ "IPv6-in-IPv4", CLIENT6, "2001:db8:f::40", V_6IN4 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct xlb_flow f = lb_flow(c[i].client, 4242, c[i].vip, 80, IPPROTO_TCP);
		struct pkt in;

		mk(&in, c[i].client, 4242, c[i].vip, 80, IPPROTO_TCP, PKT_TCP_SYN, 100);
		expect_fwd(c[i].name, &in, lb_predict(&lb, c[i].vip_id, &f, 0), xlb_flow_hash(&f, 0), NULL, 0, XDP_TX);
	}
}

static void test_outer_prefix(void)
{
	__be32 p4[4], m4[4], p6[4], m6[4], src[4];
	static const struct { const char *name, *client, *vip; uint32_t vip_id; } c[] = {
		{ "prefix source, IPv4-in-IPv4", CLIENT4, VIP4, V_TCP4 },
		{ "prefix source, IPv6-in-IPv6", CLIENT6, VIP6, V_TCP6 },
		{ "prefix source, IPv4-in-IPv6", CLIENT4, "203.0.113.40", V_4IN6 },
		{ "prefix source, IPv6-in-IPv4", CLIENT6, "2001:db8:f::40", V_6IN4 },
	};

	lb_addr("198.18.128.0", p4, NULL);
	lb_addr("255.255.128.0", m4, NULL);
	lb_addr("2001:db8:ffff::", p6, NULL);
	lb_addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00", m6, NULL);
	lb.cfg.flags = XLB_CFG_F_SRC4_PREFIX | XLB_CFG_F_SRC6_PREFIX;
	lb.cfg.src4_prefix = p4[0];
	lb.cfg.src4_mask = m4[0];
	memcpy(lb.cfg.src6_prefix, p6, 16);
	memcpy(lb.cfg.src6_mask, m6, 16);
	lb_set_config(&lb);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		for (uint16_t port = 1000; port < 1002; port++) {
			struct xlb_flow f = lb_flow(c[i].client, port, c[i].vip, 80, IPPROTO_TCP);
			uint32_t want = lb_predict(&lb, c[i].vip_id, &f, 0), h = xlb_flow_hash(&f, 0);
			struct pkt in;
			char name[96];

			if (lb.be[want].family == XLB_AF_INET6)
				lb_prefix_src(p6, m6, 4, h, src);
			else
				lb_prefix_src(p4, m4, 1, h, src);
			snprintf(name, sizeof(name), "%s, client port %u", c[i].name, port);
			mk(&in, c[i].client, port, c[i].vip, 80, IPPROTO_TCP, PKT_TCP_SYN, 0);
			expect_fwd(name, &in, want, h, src, 0, XDP_TX);
		}
	}
	xlb_dp_config_defaults(&lb.cfg);
	lb_set_config(&lb);
}

/* In a private netns: veth pair xlbt0 (ingress) / xlbt1 (egress). */
static void test_redirect(void)
{
	uint32_t ids[] = { 5 }, slot = 3, if0, if1;
	struct xlb_flow f = lb_flow(CLIENT4, 777, "203.0.113.50", 80, IPPROTO_TCP);
	struct pkt in;

	if (unshare(CLONE_NEWNET) || system("ip link add xlbt0 type veth peer name xlbt1 && "
					    "ip link set xlbt0 up && ip link set xlbt1 up") != 0) {
		tap_skip("cannot create a netns with a veth pair", "devmap redirect");
		return;
	}
	if0 = if_nametoindex("xlbt0");
	if1 = if_nametoindex("xlbt1");
	lb_backend(&lb, 5, "198.18.1.5", "198.18.0.100");
	lb.be[5].ifindex = if1;
	lb.be[5].tx_port = slot;
	lb_push_backend(&lb, 5);
	lb_must(bpf_map_update_elem(lb.tx_ports, &slot, &if1, BPF_ANY), "devmap slot");
	lb_vip(&lb, "203.0.113.50", 80, IPPROTO_TCP, 9, 0, LB_TABLE_SIZE);
	lb_table(&lb, 9, ids, 1, NULL, LB_TABLE_SIZE);
	mk(&in, CLIENT4, 777, "203.0.113.50", 80, IPPROTO_TCP, PKT_TCP_SYN, 0);
	expect_fwd("backend on another interface: devmap redirect", &in, 5, xlb_flow_hash(&f, 0), NULL, if0, XDP_REDIRECT);
	expect_fwd("backend on the ingress interface: XDP_TX", &in, 5, xlb_flow_hash(&f, 0), NULL, if1, XDP_TX);

	lb.be[5].tx_port = 7;		/* an empty devmap slot */
	lb_push_backend(&lb, 5);
	struct bpfrun_result *r = lb_run(&lb, &in, if0);
	tap_eq_u32(r->verdict, XDP_DROP, "empty devmap slot: XDP_DROP");
	lb_check_reason(&lb, XLB_R_DROP_NO_NEXTHOP, "empty devmap slot");
}

/* The VIP address filter follows VIP deletes and re-adds (dpmaps keeps it). */
static void test_vip_delete(void)
{
	struct xlb_flow f = lb_flow(CLIENT4, 31000, "203.0.113.20", 22, IPPROTO_TCP);
	struct bpfrun_result *r;
	struct pkt in;

	mk(&in, CLIENT4, 31000, "203.0.113.20", 22, IPPROTO_TCP, PKT_TCP_SYN, 0);
	lb_del_vip(&lb, "203.0.113.20", 0, IPPROTO_TCP);
	r = lb_run(&lb, &in, 0);
	tap_eq_u32(r->verdict, XDP_PASS, "deleted VIP: XDP_PASS");
	tap_mem_eq(r->out, r->out_len, in.data, in.len, "deleted VIP: frame unchanged");
	lb_check_reason(&lb, XLB_R_PASS_NOT_VIP, "deleted VIP");
	lb_vip(&lb, "203.0.113.20", 0, IPPROTO_TCP, V_PORTLESS, 0, LB_TABLE_SIZE);
	expect_fwd("re-added VIP", &in, lb_predict(&lb, V_PORTLESS, &f, 0), xlb_flow_hash(&f, 0), NULL, 0, XDP_TX);
}

static void test_failures(void)
{
	struct pkt in;
	struct bpfrun_result *r;

	mk(&in, CLIENT4, 1, "203.0.113.60", 80, IPPROTO_TCP, PKT_TCP_SYN, 0);
	r = lb_run(&lb, &in, 0);
	tap_eq_u32(r->verdict, XDP_DROP, "VIP without a table: XDP_DROP");
	lb_check_reason(&lb, XLB_R_DROP_NO_BACKEND, "VIP without a table");

	mk(&in, CLIENT4, 1, "203.0.113.70", 80, IPPROTO_TCP, PKT_TCP_SYN, 0);
	r = lb_run(&lb, &in, 0);
	tap_eq_u32(r->verdict, XDP_DROP, "backend without next hop: XDP_DROP");
	lb_check_reason(&lb, XLB_R_DROP_NO_NEXTHOP, "backend without next hop");

	/* vip.table_size larger than the inner map (a broken setup): counted, dropped */
	lb_vip(&lb, "203.0.113.80", 80, IPPROTO_TCP, 10, 0, LB_TABLE_SIZE);
	lb_table(&lb, 10, (uint32_t[]){ 1 }, 1, NULL, 7);
	for (uint16_t port = 1; port < 100; port++) {
		struct xlb_flow f = lb_flow(CLIENT4, port, "203.0.113.80", 80, IPPROTO_TCP);

		if (xlb_maglev_slot(xlb_flow_hash(&f, 0), LB_TABLE_SIZE) < 7)
			continue;
		mk(&in, CLIENT4, port, "203.0.113.80", 80, IPPROTO_TCP, PKT_TCP_SYN, 0);
		r = lb_run(&lb, &in, 0);
		tap_eq_u32(r->verdict, XDP_DROP, "table smaller than vip.table_size: XDP_DROP");
		lb_check_reason(&lb, XLB_R_DROP_NO_TABLE_SLOT, "table smaller than vip.table_size");
		break;
	}

	uint32_t none[] = { 0 };
	lb_table(&lb, V_NOTABLE, none, 0, NULL, 7);	/* all slots empty */
	mk(&in, CLIENT4, 1, "203.0.113.60", 80, IPPROTO_TCP, PKT_TCP_SYN, 0);
	r = lb_run(&lb, &in, 0);
	tap_eq_u32(r->verdict, XDP_DROP, "VIP whose table has no backend: XDP_DROP");
	lb_check_reason(&lb, XLB_R_DROP_NO_BACKEND, "VIP whose table has no backend");
}

/*
 * Conn-table hits whose backend names its VIP (XLB_BE_F_VIP_ID) skip the
 * VIP lookup and take the outer header's hash from the entry; backends
 * without it fall back to the VIP lookup. Shown by deleting the VIP key
 * and keeping the backends active.
 */
static void test_fast_path(void)
{
	const char *vip = "2001:db8:f::80";
	uint32_t ids[] = { 30, 31 }, want, hash;
	struct xlb_flow f = lb_flow(CLIENT6, 41000, vip, 80, IPPROTO_TCP);
	struct xlb_counters v0, v1;
	struct xlb_conn c = { 0 };
	struct bpfrun_result *r;
	struct pkt in;

	lb_backend(&lb, 30, "2001:db8:1::30", "2001:db8::100");
	lb_backend(&lb, 31, "2001:db8:1::31", "2001:db8::100");
	lb_backend_vip(&lb, 30, V_FAST);
	lb_backend_vip(&lb, 31, V_FAST);
	lb_vip(&lb, vip, 80, IPPROTO_TCP, V_FAST, XLB_VIP_F_HASH_SRC, LB_TABLE_SIZE);
	/* a second service on the address keeps it in the VIP address filter */
	lb_vip(&lb, vip, 443, IPPROTO_TCP, V_FAST, XLB_VIP_F_HASH_SRC, LB_TABLE_SIZE);
	lb_table(&lb, V_FAST, ids, 2, NULL, LB_TABLE_SIZE);
	want = lb_predict(&lb, V_FAST, &f, XLB_VIP_F_HASH_SRC);
	hash = xlb_flow_hash(&f, XLB_VIP_F_HASH_SRC);

	mk(&in, CLIENT6, 41000, vip, 80, IPPROTO_TCP, PKT_TCP_SYN, 0);
	expect_fwd("fast path: SYN", &in, want, hash, NULL, 0, XDP_TX);
	mk(&in, CLIENT6, 41000, vip, 80, IPPROTO_TCP, PKT_TCP_ACK, 20);
	expect_fwd("fast path: first ACK", &in, want, hash, NULL, 0, XDP_TX);
	tap_ok(xlb_dp_lookup_conn(lb.conns, &f, &c) == 0 && c.backend_id == want && c.hash == hash,
	       "fast path: entry holds backend %u and the source-only hash", want);
	v0 = lb_counters(lb.vip_stats, V_FAST);
	expect_fwd("fast path: established (flow label from the entry's hash)", &in, want, hash, NULL, 0, XDP_TX);
	tap_eq_u64(lb_event_delta(&lb, XLB_E_CONN_HIT), 1, "fast path: event conn_hit");
	v1 = lb_counters(lb.vip_stats, V_FAST);
	tap_ok(v1.packets - v0.packets == 1 && v1.bytes - v0.bytes == in.len - 14,
	       "fast path: vip_stats of the backend's vip_id +1 packet, +L3 bytes");

	lb_del_vip(&lb, vip, 80, IPPROTO_TCP);
	expect_fwd("fast path: VIP key gone, backend active: hit forwarded without the VIP lookup",
		   &in, want, hash, NULL, 0, XDP_TX);

	lb.be[want].flags &= ~XLB_BE_F_VIP_ID;
	lb_push_backend(&lb, want);
	r = lb_run(&lb, &in, 0);
	tap_eq_u32(r->verdict, XDP_PASS, "fallback: backend without vip_id: VIP looked up, gone: XDP_PASS");
	lb_check_reason(&lb, XLB_R_PASS_NOT_VIP, "fallback: backend without vip_id, VIP gone");
	lb_vip(&lb, vip, 80, IPPROTO_TCP, V_FAST, XLB_VIP_F_HASH_SRC, LB_TABLE_SIZE);
	v0 = lb_counters(lb.vip_stats, V_FAST);
	expect_fwd("fallback: backend without vip_id, VIP back: hit forwarded", &in, want, hash, NULL, 0, XDP_TX);
	tap_eq_u64(lb_event_delta(&lb, XLB_E_CONN_HIT), 1, "fallback: event conn_hit");
	v1 = lb_counters(lb.vip_stats, V_FAST);
	tap_eq_u64(v1.packets - v0.packets, 1, "fallback: vip_stats of the looked-up VIP +1 packet");

	lb_backend_vip(&lb, want, V_FAST);
	lb_del_vip(&lb, vip, 80, IPPROTO_TCP);
	lb.be[want].flags &= ~XLB_BE_F_ACTIVE;		/* what the daemon does to a removed VIP's backends */
	lb_push_backend(&lb, want);
	r = lb_run(&lb, &in, 0);
	tap_eq_u32(r->verdict, XDP_PASS, "removed VIP (backends inactive): XDP_PASS");
	lb_check_reason(&lb, XLB_R_PASS_NOT_VIP, "removed VIP (backends inactive)");
	tap_eq_u64(lb_event_delta(&lb, XLB_E_CONN_STALE), 1, "removed VIP: event conn_stale");
	lb_del_vip(&lb, vip, 443, IPPROTO_TCP);
}

/* Pinned entries per backend (xlb_dp_count_conns: FIN-marked ones excluded). */
static uint64_t pinned_on(uint32_t id, uint64_t *total)
{
	static uint64_t per[XLB_MAX_BACKENDS];

	if (xlb_dp_count_conns(lb.conns, total, per))
		return UINT64_MAX;
	return per[id];
}

/*
 * TCP close tracking on a drained backend (weight 0, still active): a client
 * FIN marks the entry (still forwarded, byte for byte, to the same backend;
 * no longer pinned), later ACKs follow it; a client RST is forwarded, then
 * the entry is gone; an RST that misses inserts nothing.
 */
static void test_close_tracking(void)
{
	struct xlb_flow f = lb_flow(CLIENT4, 42000, VIP4, 80, IPPROTO_TCP);
	struct xlb_flow g = lb_flow(CLIENT4, 42001, VIP4, 80, IPPROTO_TCP);
	struct xlb_flow h = lb_flow(CLIENT4, 42002, VIP4, 80, IPPROTO_TCP);
	uint32_t v4[] = { 1, 2, 3 }, w[3] = { 1, 1, 1 };
	uint32_t want = lb_predict(&lb, V_TCP4, &f, 0), want_g = lb_predict(&lb, V_TCP4, &g, 0);
	uint32_t hash = xlb_flow_hash(&f, 0), hash_g = xlb_flow_hash(&g, 0), want_h;
	uint64_t total0, total1, p0, p1;
	struct xlb_conn c = { 0 };
	struct pkt in;
	bool ok;

	mk(&in, CLIENT4, 42000, VIP4, 80, IPPROTO_TCP, PKT_TCP_ACK, 10);
	expect_fwd("close: flow A first ACK", &in, want, hash, NULL, 0, XDP_TX);
	mk(&in, CLIENT4, 42001, VIP4, 80, IPPROTO_TCP, PKT_TCP_ACK, 10);
	expect_fwd("close: flow B first ACK", &in, want_g, hash_g, NULL, 0, XDP_TX);
	tap_ok(xlb_dp_lookup_conn(lb.conns, &f, &c) == 0 && c.backend_id == want && c.flags == 0,
	       "close: flow A pinned to backend %u, flags 0", want);

	/* drain flow A's backend: weight 0, out of the table, still active */
	for (int i = 0; i < 3; i++)
		w[i] = v4[i] == want ? 0 : 1;
	lb_table(&lb, V_TCP4, v4, 3, w, LB_TABLE_SIZE);
	tap_ok(lb_predict(&lb, V_TCP4, &f, 0) != want, "close: drained backend %u no longer in the table", want);
	p0 = pinned_on(want, &total0);
	mk(&in, CLIENT4, 42000, VIP4, 80, IPPROTO_TCP, PKT_TCP_ACK | PKT_TCP_PSH, 100);
	expect_fwd("close: drained, established data still to the pinned backend", &in, want, hash, NULL, 0, XDP_TX);

	mk(&in, CLIENT4, 42000, VIP4, 80, IPPROTO_TCP, PKT_TCP_FIN | PKT_TCP_ACK, 0);
	expect_fwd("close: client FIN forwarded to the pinned backend", &in, want, hash, NULL, 0, XDP_TX);
	ok = xlb_dp_lookup_conn(lb.conns, &f, &c) == 0;
	tap_ok(ok && c.backend_id == want && c.flags == XLB_CONN_F_FIN,
	       "close: FIN sets XLB_CONN_F_FIN (flags %u), entry kept", c.flags);
	p1 = pinned_on(want, &total1);
	tap_ok(p1 + 1 == p0 && total1 == total0,
	       "close: FIN-marked entry not pinned (backend %u pinned %llu -> %llu, table %llu -> %llu)",
	       want, (unsigned long long)p0, (unsigned long long)p1,
	       (unsigned long long)total0, (unsigned long long)total1);

	mk(&in, CLIENT4, 42000, VIP4, 80, IPPROTO_TCP, PKT_TCP_ACK, 0);
	expect_fwd("close: last ACK after FIN still to the drained backend", &in, want, hash, NULL, 0, XDP_TX);
	tap_eq_u64(lb_event_delta(&lb, XLB_E_CONN_HIT), 1, "close: last ACK is a conn_hit");
	tap_ok(xlb_dp_lookup_conn(lb.conns, &f, &c) == 0 && c.flags == XLB_CONN_F_FIN,
	       "close: entry still FIN-marked after the last ACK");

	mk(&in, CLIENT4, 42001, VIP4, 80, IPPROTO_TCP, PKT_TCP_RST | PKT_TCP_ACK, 0);
	expect_fwd("close: client RST forwarded to its pinned backend", &in, want_g, hash_g, NULL, 0, XDP_TX);
	tap_eq_u32(conn_backend(&g), XLB_BACKEND_NONE, "close: RST deleted the entry");

	want_h = lb_predict(&lb, V_TCP4, &h, 0);
	mk(&in, CLIENT4, 42002, VIP4, 80, IPPROTO_TCP, PKT_TCP_RST, 0);
	expect_fwd("close: RST of an unknown flow forwarded by Maglev", &in, want_h, xlb_flow_hash(&h, 0),
		   NULL, 0, XDP_TX);
	tap_eq_u32(conn_backend(&h), XLB_BACKEND_NONE, "close: an RST that misses inserts nothing");

	mk(&in, CLIENT4, 42000, VIP4, 80, IPPROTO_TCP, PKT_TCP_SYN, 0);
	expect_fwd("close: SYN reusing the tuple honours the entry", &in, want, hash, NULL, 0, XDP_TX);
	ok = xlb_dp_lookup_conn(lb.conns, &f, &c) == 0;
	tap_ok(ok && c.flags == 0,
	       "close: SYN on a FIN-marked entry clears the mark (flags %u)", c.flags);
	lb_table(&lb, V_TCP4, v4, 3, NULL, LB_TABLE_SIZE);
}

/* Beyond new_flows_per_cpu new flows in a second: forwarded, not inserted. */
static void test_rate_guard(void)
{
	cpu_set_t set;
	int inserted = 0, limited = 0, fwd_ok = 0;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);	/* one CPU: one rate window */
	bpfrun_percpu_zero(lb.rate, 1, sizeof(struct xlb_rate));
	lb.cfg.new_flows_per_cpu = 3;
	lb_set_config(&lb);
	for (int i = 0; i < 6; i++) {
		struct xlb_flow f = lb_flow("198.18.99.1", 9000 + i, VIP4, 80, IPPROTO_TCP);
		struct pkt in;

		mk(&in, "198.18.99.1", 9000 + i, VIP4, 80, IPPROTO_TCP, PKT_TCP_ACK, 0);
		fwd_ok += expect_fwd("rate guard", &in, lb_predict(&lb, V_TCP4, &f, 0), xlb_flow_hash(&f, 0), NULL, 0, XDP_TX);
		inserted += conn_backend(&f) != XLB_BACKEND_NONE;
		limited += lb_event_delta(&lb, XLB_E_RATE_LIMITED);
	}
	tap_eq_u32(fwd_ok, 6, "rate guard: all 6 new flows forwarded to their Maglev backend");
	tap_eq_u32(inserted, 3, "rate guard: only 3 (new_flows_per_cpu) inserted into conns");
	tap_eq_u32(limited, 3, "rate guard: 3 rate_limited events");
	/* SYNs never write the table: a SYN flood neither inserts nor uses up the guard */
	bpfrun_percpu_zero(lb.rate, 1, sizeof(struct xlb_rate));
	inserted = limited = fwd_ok = 0;
	for (int i = 0; i < 6; i++) {
		struct xlb_flow f = lb_flow("198.18.99.2", 9000 + i, VIP4, 80, IPPROTO_TCP);
		struct pkt in;

		mk(&in, "198.18.99.2", 9000 + i, VIP4, 80, IPPROTO_TCP, PKT_TCP_SYN, 0);
		fwd_ok += expect_fwd("SYN flood", &in, lb_predict(&lb, V_TCP4, &f, 0), xlb_flow_hash(&f, 0), NULL, 0, XDP_TX);
		inserted += conn_backend(&f) != XLB_BACKEND_NONE;
		limited += lb_event_delta(&lb, XLB_E_RATE_LIMITED);
	}
	tap_ok(fwd_ok == 6 && inserted == 0 && limited == 0,
	       "SYN flood: 6 SYNs forwarded by Maglev, none inserted, no rate_limited event");
	{
		struct xlb_flow f = lb_flow("198.18.99.2", 9000, VIP4, 80, IPPROTO_TCP);
		struct pkt in;

		mk(&in, "198.18.99.2", 9000, VIP4, 80, IPPROTO_TCP, PKT_TCP_ACK, 0);
		expect_fwd("after a SYN flood", &in, lb_predict(&lb, V_TCP4, &f, 0), xlb_flow_hash(&f, 0), NULL, 0, XDP_TX);
		tap_eq_u32(conn_backend(&f), lb_predict(&lb, V_TCP4, &f, 0),
			   "after a SYN flood: the guard's window is intact, the ACK inserts");
	}
	xlb_dp_config_defaults(&lb.cfg);
	lb_set_config(&lb);
}

int main(void)
{
	uint32_t v4[] = { 1, 2, 3 }, v6[] = { 11, 12, 13 };

	lb_open(&lb, 4096);
	lb_print_insns(&lb);
	for (uint32_t i = 1; i <= 3; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.18.1.%u", i);
		lb_backend(&lb, i, a, "198.18.0.100");
		snprintf(a, sizeof(a), "2001:db8:1::%u", i);
		lb_backend(&lb, 10 + i, a, "2001:db8::100");
	}
	lb_backend(&lb, 20, "198.18.1.20", "198.18.0.100")->flags = XLB_BE_F_ACTIVE;
	lb_push_backend(&lb, 20);
	lb_vip(&lb, VIP4, 80, IPPROTO_TCP, V_TCP4, 0, LB_TABLE_SIZE);
	lb_vip(&lb, VIP6, 80, IPPROTO_TCP, V_TCP6, 0, LB_TABLE_SIZE);
	lb_vip(&lb, VIP4, 53, IPPROTO_UDP, V_UDP4, 0, 13);
	lb_vip(&lb, "203.0.113.20", 0, IPPROTO_TCP, V_PORTLESS, 0, LB_TABLE_SIZE);
	lb_vip(&lb, "203.0.113.30", 80, IPPROTO_TCP, V_SRCHASH, XLB_VIP_F_HASH_SRC, LB_TABLE_SIZE);
	lb_vip(&lb, "203.0.113.40", 80, IPPROTO_TCP, V_4IN6, 0, LB_TABLE_SIZE);
	lb_vip(&lb, "2001:db8:f::40", 80, IPPROTO_TCP, V_6IN4, 0, LB_TABLE_SIZE);
	lb_vip(&lb, "203.0.113.60", 80, IPPROTO_TCP, V_NOTABLE, 0, 7);
	lb_vip(&lb, "203.0.113.70", 80, IPPROTO_TCP, V_NONH, 0, 7);
	lb_table(&lb, V_TCP4, v4, 3, NULL, LB_TABLE_SIZE);
	lb_table(&lb, V_TCP6, v6, 3, NULL, LB_TABLE_SIZE);
	lb_table(&lb, V_PORTLESS, v4, 3, NULL, LB_TABLE_SIZE);
	lb_table(&lb, V_SRCHASH, v4, 3, NULL, LB_TABLE_SIZE);
	lb_table(&lb, V_4IN6, v6, 2, NULL, LB_TABLE_SIZE);
	lb_table(&lb, V_6IN4, v4, 2, NULL, LB_TABLE_SIZE);
	lb_table(&lb, V_NONH, (uint32_t[]){ 20 }, 1, NULL, 7);

	for (uint32_t i = 1; i <= 3; i++) {	/* established v4/v6 TCP take the fast path */
		lb_backend_vip(&lb, i, V_TCP4);
		lb_backend_vip(&lb, 10 + i, V_TCP6);
	}
	test_new_and_established("IPv4", CLIENT4, VIP4, V_TCP4);
	test_new_and_established("IPv6", CLIENT6, VIP6, V_TCP6);
	test_udp();
	test_portless_and_srchash();
	test_encaps();
	test_outer_prefix();
	test_failures();
	test_vip_delete();
	test_close_tracking();
	{	/* the pass path leaves the frame as it was: repeat is honest here */
		static struct bpfrun_result rr;
		struct pkt in;

		mk(&in, CLIENT4, 1, "203.0.113.99", 80, IPPROTO_TCP, PKT_TCP_ACK, 20);
		if (!bpfrun_xdp_repeat(lb.prog, in.data, in.len, 1000000, &rr) && rr.verdict == XDP_PASS)
			tap_diag("xlb-timing balancer non_vip_pass_ns=%u (BPF_PROG_TEST_RUN repeat 1e6)", rr.duration_ns);
	}
	test_rate_guard();
	test_backend_change();
	test_fast_path();
	test_redirect();
	lb_close(&lb);
	return tap_done();
}

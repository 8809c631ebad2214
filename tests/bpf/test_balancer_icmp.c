/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * test_balancer_icmp.c - ICMP and fragments through the balancer: path-MTU
 * replies (frag-needed, packet-too-big), ICMP errors steered to the flow's
 * backend, echo replies for VIP addresses, fragments steered by the 3-tuple.
 * Expected frames are built with the packet builder, byte for byte.
 */
#include "lb_fixture.h"

#define VIP4	"203.0.113.10"
#define VIP6	"2001:db8:f::10"
#define FRAG4	"203.0.113.20"		/* has a port-less TCP VIP */
#define FRAG6	"2001:db8:f::20"
#define CLIENT4	"198.18.200.1"
#define CLIENT6	"2001:db8:c::1"
#define ROUTER4	"198.18.250.1"
#define ROUTER6	"2001:db8:250::1"

enum { V4, V6, VF4, VF6 };

static struct lb lb;

static void mk_tcp(struct pkt *p, const char *src, uint16_t sport, const char *dst, uint16_t dport,
		   uint16_t frag_off, uint32_t payload)
{
	pkt_init(p);
	pkt_eth(p, LB_CLIENT_MAC, LB_SELF_MAC);
	pkt_ip(p, &(struct pkt_ip){ .src = src, .dst = dst, .frag_off = frag_off, .id = 9 });
	pkt_tcp(p, &(struct pkt_tcp_hdr){ .sport = sport, .dport = dport, .flags = PKT_TCP_ACK });
	pkt_pattern(p, payload, 1);
	pkt_finish(p);
}

static bool expect_encap(const char *name, const struct pkt *in, uint32_t want, uint32_t hash)
{
	struct bpfrun_result *r = lb_run(&lb, in, 0);
	struct lb_encap e = { .be = &lb.be[want], .hash = hash, .ttl = lb.cfg.ttl };
	struct pkt exp;

	lb_expect_encap(&exp, in, &e);
	tap_eq_u32(r->verdict, XDP_TX, "%s: XDP_TX", name);
	lb_check_reason(&lb, XLB_R_TX, name);
	return tap_mem_eq(r->out, r->out_len, exp.data, exp.len, "%s: the whole frame encapsulated to backend %u", name, want);
}

static void expect_untouched(const char *name, const struct pkt *in, uint32_t verdict, enum xlb_reason reason)
{
	struct bpfrun_result *r = lb_run(&lb, in, 0);

	tap_eq_u32(r->verdict, verdict, "%s: verdict %s", name, verdict == XDP_PASS ? "XDP_PASS" : "XDP_DROP");
	if (verdict == XDP_PASS)
		tap_mem_eq(r->out, r->out_len, in->data, in->len, "%s: frame unchanged", name);
	lb_check_reason(&lb, reason, name);
}

/* The reply the LB must send: ICMP from vip to client quoting in's L3 header. */
static void expect_ptb(struct pkt *exp, const struct pkt *in, const char *vip, const char *client,
		       uint32_t mtu, uint32_t max_quote)
{
	uint32_t l3 = pkt_l3_off(in), q = in->len - l3;

	q = (q < max_quote ? q : max_quote) & ~3u;
	pkt_init(exp);
	pkt_eth(exp, LB_SELF_MAC, LB_CLIENT_MAC);
	pkt_ip(exp, &(struct pkt_ip){ .src = vip, .dst = client, .ttl = lb.cfg.ttl });
	if (strchr(vip, ':'))
		pkt_icmp6(exp, 2, 0, mtu);
	else
		pkt_icmp(exp, 3, 4, mtu);
	pkt_bytes(exp, in->data + l3, q);
	pkt_finish(exp);
}

static void test_ptb(void)
{
	struct xlb_flow f = lb_flow(CLIENT4, 1234, VIP4, 80, IPPROTO_TCP);
	uint32_t b4 = lb_predict(&lb, V4, &f, 0), b6;
	struct bpfrun_result *r;
	struct pkt in, exp;

	lb.be[b4].mtu = 1000;
	lb_push_backend(&lb, b4);
	mk_tcp(&in, CLIENT4, 1234, VIP4, 80, PKT_IP4_DF, 1200 - 40);
	r = lb_run(&lb, &in, 0);
	expect_ptb(&exp, &in, VIP4, CLIENT4, 1000 - 20, 576 - 28);
	tap_eq_u32(r->verdict, XDP_TX, "IPv4 DF too big: XDP_TX");
	tap_mem_eq(r->out, r->out_len, exp.data, exp.len, "IPv4 DF too big: ICMP frag-needed, MTU 980, quoting 548 bytes");
	lb_check_reason(&lb, XLB_R_ICMP_PTB_SENT, "IPv4 DF too big");

	mk_tcp(&in, CLIENT4, 1234, VIP4, 80, 0, 1200 - 40);
	expect_encap("IPv4 without DF, too big: forwarded, outer DF clear", &in, b4, xlb_flow_hash(&f, 0));
	mk_tcp(&in, CLIENT4, 1234, VIP4, 80, PKT_IP4_DF, 980 - 40);
	expect_encap("IPv4 DF exactly fitting the MTU: forwarded", &in, b4, xlb_flow_hash(&f, 0));

	/* VLAN-tagged too-big frame: the reply keeps the tag */
	pkt_init(&in);
	pkt_eth(&in, LB_CLIENT_MAC, LB_SELF_MAC);
	pkt_vlan(&in, 42);
	pkt_ipv4(&in, &(struct pkt_ip){ .src = CLIENT4, .dst = VIP4, .frag_off = PKT_IP4_DF });
	pkt_tcp(&in, &(struct pkt_tcp_hdr){ .sport = 1234, .dport = 80 });
	pkt_pattern(&in, 1001, 3);
	pkt_finish(&in);
	r = lb_run(&lb, &in, 0);
	pkt_init(&exp);
	pkt_eth(&exp, LB_SELF_MAC, LB_CLIENT_MAC);
	pkt_vlan(&exp, 42);
	pkt_ipv4(&exp, &(struct pkt_ip){ .src = VIP4, .dst = CLIENT4, .ttl = lb.cfg.ttl });
	pkt_icmp(&exp, 3, 4, 980);
	pkt_bytes(&exp, in.data + 18, 548);
	pkt_finish(&exp);
	tap_mem_eq(r->out, r->out_len, exp.data, exp.len, "VLAN IPv4 too big: frag-needed keeps the VLAN tag");
	lb_check_reason(&lb, XLB_R_ICMP_PTB_SENT, "VLAN IPv4 too big");

	f = lb_flow(CLIENT6, 1234, VIP6, 80, IPPROTO_TCP);
	b6 = lb_predict(&lb, V6, &f, 0);
	lb.be[b6].mtu = 1300;
	lb_push_backend(&lb, b6);
	mk_tcp(&in, CLIENT6, 1234, VIP6, 80, 0, 1400 - 60);
	r = lb_run(&lb, &in, 0);
	expect_ptb(&exp, &in, VIP6, CLIENT6, 1300 - 40, 1280 - 48);
	tap_eq_u32(r->verdict, XDP_TX, "IPv6 too big: XDP_TX");
	tap_mem_eq(r->out, r->out_len, exp.data, exp.len, "IPv6 too big: ICMPv6 packet-too-big, MTU 1260, quoting 1232 bytes");
	lb_check_reason(&lb, XLB_R_ICMP_PTB_SENT, "IPv6 too big");
	mk_tcp(&in, CLIENT6, 1234, VIP6, 80, 0, 1260 - 60);
	expect_encap("IPv6 exactly fitting the MTU: forwarded", &in, b6, xlb_flow_hash(&f, 0));

	/* config.default_mtu applies when backend.mtu is 0 */
	lb.be[b6].mtu = 0;
	lb_push_backend(&lb, b6);
	lb.cfg.default_mtu = 1100;
	lb_set_config(&lb);
	mk_tcp(&in, CLIENT6, 1234, VIP6, 80, 0, 1200 - 60);
	r = lb_run(&lb, &in, 0);
	expect_ptb(&exp, &in, VIP6, CLIENT6, 1100 - 40, 1280 - 48);
	tap_mem_eq(r->out, r->out_len, exp.data, exp.len, "IPv6 over config.default_mtu 1100: packet-too-big, MTU 1060");
	lb_check_reason(&lb, XLB_R_ICMP_PTB_SENT, "IPv6 over config.default_mtu");
	xlb_dp_config_defaults(&lb.cfg);
	lb_set_config(&lb);
	lb.be[b4].mtu = 0;
	lb_push_backend(&lb, b4);
}

/* An ICMP error from a router about a VIP -> client packet of flow f. */
static void mk_icmp_err(struct pkt *p, int v6, uint8_t type, uint8_t code, uint32_t rest,
			const char *client, uint16_t cport, const char *vip, uint32_t quote)
{
	struct pkt q;

	pkt_init(&q);		/* the packet the backend sent (DSR), as quoted */
	pkt_ip(&q, &(struct pkt_ip){ .src = vip, .dst = client, .frag_off = PKT_IP4_DF });
	pkt_tcp(&q, &(struct pkt_tcp_hdr){ .sport = 80, .dport = cport, .flags = PKT_TCP_ACK });
	pkt_pattern(&q, 1400, 9);
	pkt_finish(&q);
	pkt_init(p);
	pkt_eth(p, LB_CLIENT_MAC, LB_SELF_MAC);
	pkt_ip(p, &(struct pkt_ip){ .src = v6 ? ROUTER6 : ROUTER4, .dst = vip });
	if (v6)
		pkt_icmp6(p, type, code, rest);
	else
		pkt_icmp(p, type, code, rest);
	pkt_bytes(p, q.data, quote);
	pkt_finish(p);
}

static void test_icmp_steering(void)
{
	static const struct { const char *name, *client, *vip; int v6; uint8_t type, code; uint32_t vip_id; } c[] = {
		{ "ICMP frag-needed", CLIENT4, VIP4, 0, 3, 4, V4 },
		{ "ICMP port unreachable", CLIENT4, VIP4, 0, 3, 3, V4 },
		{ "ICMP time exceeded", CLIENT4, VIP4, 0, 11, 0, V4 },
		{ "ICMPv6 packet too big", CLIENT6, VIP6, 1, 2, 0, V6 },
		{ "ICMPv6 destination unreachable", CLIENT6, VIP6, 1, 1, 4, V6 },
		{ "ICMPv6 time exceeded", CLIENT6, VIP6, 1, 3, 0, V6 },
	};
	uint32_t ids4[] = { 1, 2, 3 }, ids6[] = { 11, 12, 13 };

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct xlb_flow f = lb_flow(c[i].client, 50000 + i, c[i].vip, 80, IPPROTO_TCP);
		uint32_t pinned = lb_predict(&lb, c[i].vip_id, &f, 0), now_table;
		struct pkt in;
		char name[128];

		mk_tcp(&in, c[i].client, 50000 + i, c[i].vip, 80, PKT_IP4_DF, 10);
		lb_run(&lb, &in, 0);		/* the flow exists, pinned */
		/* reweight so the table would now send the flow elsewhere: the conn table must win */
		lb_table(&lb, c[i].vip_id, c[i].v6 ? ids6 : ids4, 3,
			 (uint32_t[]){ pinned % 3 == 0 ? 9 : 1, pinned % 3 == 1 ? 9 : 1, pinned % 3 == 2 ? 9 : 1 },
			 LB_TABLE_SIZE);
		now_table = lb_predict(&lb, c[i].vip_id, &f, 0);
		snprintf(name, sizeof(name), "%s about an established flow (table now says %u)", c[i].name, now_table);
		mk_icmp_err(&in, c[i].v6, c[i].type, c[i].code, c[i].v6 ? 1280 : 1200, c[i].client, 50000 + i,
			    c[i].vip, c[i].v6 ? 48 : 28);
		expect_encap(name, &in, pinned, xlb_flow_hash(&f, 0));
		tap_eq_u64(lb_event_delta(&lb, XLB_E_ICMP_STEERED), 1, "%s: event icmp_steered", name);
		lb_table(&lb, c[i].vip_id, c[i].v6 ? ids6 : ids4, 3, NULL, LB_TABLE_SIZE);

		f.sport = htons(60000 + i);	/* a flow this LB never saw (ECMP moved it here) */
		snprintf(name, sizeof(name), "%s about an unknown flow", c[i].name);
		mk_icmp_err(&in, c[i].v6, c[i].type, c[i].code, 0, c[i].client, 60000 + i, c[i].vip, 200);
		expect_encap(name, &in, lb_predict(&lb, c[i].vip_id, &f, 0), xlb_flow_hash(&f, 0));
		struct xlb_conn conn;
		tap_ok(xlb_dp_lookup_conn(lb.conns, &f, &conn) != 0, "%s: no conn entry created", name);
	}

	struct pkt in;
	mk_icmp_err(&in, 0, 3, 4, 1200, CLIENT4, 1, "203.0.113.99", 28);
	expect_untouched("ICMP error about a non-VIP packet", &in, XDP_PASS, XLB_R_PASS_ICMP);
	mk_icmp_err(&in, 0, 3, 4, 1200, CLIENT4, 1, VIP4, 22);
	expect_untouched("ICMP error quoting too little for ports", &in, XDP_PASS, XLB_R_PASS_ICMP);
	mk_icmp_err(&in, 1, 2, 0, 1280, CLIENT6, 1, "2001:db8:f::99", 48);
	expect_untouched("ICMPv6 error about a non-VIP packet", &in, XDP_PASS, XLB_R_PASS_ICMP);
}

static void mk_echo(struct pkt *p, const char *src, const char *dst, int v6, uint8_t type)
{
	pkt_init(p);
	pkt_eth(p, LB_CLIENT_MAC, LB_SELF_MAC);
	pkt_ip(p, &(struct pkt_ip){ .src = src, .dst = dst, .ttl = 50, .id = 321, .frag_off = PKT_IP4_DF });
	if (v6)
		pkt_icmp6(p, type, 0, 0x0abc0001);
	else
		pkt_icmp(p, type, 0, 0x0abc0001);
	pkt_pattern(p, 56, 0x20);
	pkt_finish(p);
}

static void test_echo(void)
{
	struct bpfrun_result *r;
	struct pkt in, exp;

	for (int v6 = 0; v6 <= 1; v6++) {
		const char *vip = v6 ? VIP6 : VIP4, *client = v6 ? CLIENT6 : CLIENT4;
		const char *fam = v6 ? "ICMPv6" : "ICMP";

		mk_echo(&in, client, vip, v6, v6 ? 128 : 8);
		r = lb_run(&lb, &in, 0);
		pkt_init(&exp);
		pkt_eth(&exp, LB_SELF_MAC, LB_CLIENT_MAC);
		pkt_ip(&exp, &(struct pkt_ip){ .src = vip, .dst = client, .ttl = lb.cfg.ttl, .id = 321,
					       .frag_off = PKT_IP4_DF });
		if (v6)
			pkt_icmp6(&exp, 129, 0, 0x0abc0001);
		else
			pkt_icmp(&exp, 0, 0, 0x0abc0001);
		pkt_pattern(&exp, 56, 0x20);
		pkt_finish(&exp);
		tap_eq_u32(r->verdict, XDP_TX, "%s echo to a VIP address: XDP_TX", fam);
		tap_mem_eq(r->out, r->out_len, exp.data, exp.len, "%s echo to a VIP address: echo reply from the VIP", fam);
		lb_check_reason(&lb, XLB_R_ICMP_ECHO_REPLY, fam);

		mk_echo(&in, client, v6 ? "2001:db8:f::99" : "203.0.113.99", v6, v6 ? 128 : 8);
		expect_untouched(v6 ? "ICMPv6 echo to another address" : "ICMP echo to another address",
				 &in, XDP_PASS, XLB_R_PASS_ICMP);
		mk_echo(&in, client, vip, v6, v6 ? 129 : 0);
		expect_untouched(v6 ? "ICMPv6 echo reply to a VIP" : "ICMP echo reply to a VIP",
				 &in, XDP_PASS, XLB_R_PASS_ICMP);
	}
}

static uint32_t predict_3tuple(uint32_t vip_id, const struct xlb_flow *f)
{
	return lb.table[vip_id][xlb_maglev_slot(xlb_hash_3tuple(f), lb.table_size[vip_id])];
}

static void test_fragments(void)
{
	struct xlb_flow f = lb_flow(CLIENT4, 0, FRAG4, 0, IPPROTO_TCP);
	uint32_t want = predict_3tuple(VF4, &f), h = xlb_hash_3tuple(&f);
	struct pkt in;

	mk_tcp(&in, CLIENT4, 1111, FRAG4, 443, PKT_IP4_MF, 200);
	expect_encap("IPv4 first fragment to a port-less VIP", &in, want, h);
	tap_eq_u64(lb_event_delta(&lb, XLB_E_FRAGMENT), 1, "IPv4 first fragment: event fragment");
	tap_eq_u64(lb_event_delta(&lb, XLB_E_NEW_FLOW), 0, "IPv4 first fragment: conn table not used");
	pkt_init(&in);
	pkt_eth(&in, LB_CLIENT_MAC, LB_SELF_MAC);
	pkt_ipv4(&in, &(struct pkt_ip){ .src = CLIENT4, .dst = FRAG4, .frag_off = 28, .proto = IPPROTO_TCP, .id = 9 });
	pkt_pattern(&in, 100, 5);
	pkt_finish(&in);
	expect_encap("IPv4 last fragment (no ports) to the same backend", &in, want, h);

	mk_tcp(&in, CLIENT4, 1111, VIP4, 80, PKT_IP4_MF, 200);
	expect_untouched("IPv4 fragment to a VIP address without port-less VIP", &in, XDP_DROP, XLB_R_DROP_FRAG_NO_VIP);
	mk_tcp(&in, CLIENT4, 1111, "203.0.113.99", 80, PKT_IP4_MF, 200);
	expect_untouched("IPv4 fragment to a non-VIP address", &in, XDP_PASS, XLB_R_PASS_NOT_VIP);

	f = lb_flow(CLIENT6, 0, FRAG6, 0, IPPROTO_TCP);
	want = predict_3tuple(VF6, &f);
	h = xlb_hash_3tuple(&f);
	for (int last = 0; last <= 1; last++) {
		pkt_init(&in);
		pkt_eth(&in, LB_CLIENT_MAC, LB_SELF_MAC);
		pkt_ipv6(&in, &(struct pkt_ip){ .src = CLIENT6, .dst = FRAG6 });
		pkt_ip6_frag(&in, last ? 1448 : 0, !last, 0xabcd);
		if (last) {
			pkt_set_next(&in, IPPROTO_TCP);
			pkt_pattern(&in, 64, 2);
		} else {
			pkt_tcp(&in, &(struct pkt_tcp_hdr){ .sport = 2222, .dport = 443 });
			pkt_pattern(&in, 64, 2);
		}
		pkt_finish(&in);
		expect_encap(last ? "IPv6 last fragment to the same backend" : "IPv6 first fragment to a port-less VIP",
			     &in, want, h);
		tap_eq_u64(lb_event_delta(&lb, XLB_E_FRAGMENT), 1, "IPv6 fragment: event fragment");
	}
	pkt_init(&in);
	pkt_eth(&in, LB_CLIENT_MAC, LB_SELF_MAC);
	pkt_ipv6(&in, &(struct pkt_ip){ .src = CLIENT6, .dst = VIP6 });
	pkt_ip6_frag(&in, 0, true, 1);
	pkt_tcp(&in, &(struct pkt_tcp_hdr){ .sport = 2222, .dport = 80 });
	pkt_finish(&in);
	expect_untouched("IPv6 fragment to a VIP address without port-less VIP", &in, XDP_DROP, XLB_R_DROP_FRAG_NO_VIP);
}

int main(void)
{
	uint32_t v4[] = { 1, 2, 3 }, v6[] = { 11, 12, 13 };

	lb_open(&lb, 4096);
	for (uint32_t i = 1; i <= 3; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.18.1.%u", i);
		lb_backend(&lb, i, a, "198.18.0.100");
		snprintf(a, sizeof(a), "2001:db8:1::%u", i);
		lb_backend(&lb, 10 + i, a, "2001:db8::100");
	}
	lb_vip(&lb, VIP4, 80, IPPROTO_TCP, V4, 0, LB_TABLE_SIZE);
	lb_vip(&lb, VIP6, 80, IPPROTO_TCP, V6, 0, LB_TABLE_SIZE);
	lb_vip(&lb, FRAG4, 0, IPPROTO_TCP, VF4, 0, 251);
	lb_vip(&lb, FRAG6, 0, IPPROTO_TCP, VF6, 0, 251);
	lb_marker(&lb, VIP4);
	lb_marker(&lb, VIP6);
	lb_marker(&lb, FRAG4);
	lb_marker(&lb, FRAG6);
	lb_table(&lb, V4, v4, 3, NULL, LB_TABLE_SIZE);
	lb_table(&lb, V6, v6, 3, NULL, LB_TABLE_SIZE);
	lb_table(&lb, VF4, v4, 3, NULL, 251);
	lb_table(&lb, VF6, v6, 3, NULL, 251);

	test_ptb();
	test_icmp_steering();
	test_echo();
	test_fragments();
	lb_close(&lb);
	return tap_done();
}

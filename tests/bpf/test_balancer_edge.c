/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * test_balancer_edge.c - what is not a plain TCP/UDP packet to a VIP:
 * non-VIP / non-IP / multicast / unknown-protocol traffic passes untouched;
 * VLAN tags, IPv4 options and IPv6 extension headers are forwarded; long
 * extension chains pass; malformed frames (cut at every byte up to the end
 * of the L4 header, with and without consistent IP lengths, bad version /
 * IHL / lengths, zero length) drop with the reason named.
 * Runs with the VIP address filter off (the other files run with it on),
 * so both VIP lookup paths are covered.
 */
#include "lb_fixture.h"

#define VIP4	"203.0.113.10"
#define VIP6	"2001:db8:f::10"
#define CLIENT4	"198.18.200.1"
#define CLIENT6	"2001:db8:c::1"

static struct lb lb;

static void expect(const char *name, const struct pkt *in, uint32_t verdict, enum xlb_reason reason)
{
	struct bpfrun_result *r = lb_run(&lb, in, 0);

	tap_eq_u32(r->verdict, verdict, "%s: verdict %u", name, verdict);
	if (verdict == XDP_PASS)
		tap_mem_eq(r->out, r->out_len, in->data, in->len, "%s: frame unchanged", name);
	lb_check_reason(&lb, reason, name);
}

static void expect_fwd(const char *name, const struct pkt *in, const struct xlb_flow *f, enum xlb_event ev)
{
	uint32_t want = lb_predict(&lb, 0, f, 0);
	struct lb_encap e = { .be = &lb.be[want], .hash = xlb_flow_hash(f, 0), .ttl = lb.cfg.ttl };
	struct bpfrun_result *r = lb_run(&lb, in, 0);
	struct pkt exp;

	lb_expect_encap(&exp, in, &e);
	tap_eq_u32(r->verdict, XDP_TX, "%s: XDP_TX", name);
	tap_mem_eq(r->out, r->out_len, exp.data, exp.len, "%s: forwarded as is to backend %u", name, want);
	lb_check_reason(&lb, XLB_R_TX, name);
	tap_eq_u64(lb_event_delta(&lb, ev), 1, "%s: event %s", name, xlb_event_str(ev));
}

static void base(struct pkt *p, const char *src, const char *dst, bool vlan)
{
	pkt_init(p);
	pkt_eth(p, LB_CLIENT_MAC, LB_SELF_MAC);
	if (vlan)
		pkt_vlan(p, 0x2064);
	pkt_ip(p, &(struct pkt_ip){ .src = src, .dst = dst, .frag_off = PKT_IP4_DF });
}

static void tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint32_t payload)
{
	pkt_tcp(p, &(struct pkt_tcp_hdr){ .sport = sport, .dport = dport, .flags = PKT_TCP_SYN });
	pkt_pattern(p, payload, 0);
	pkt_finish(p);
}

static void test_pass(void)
{
	struct pkt in;

	base(&in, CLIENT4, "203.0.113.99", false);
	tcp(&in, 1, 80, 20);
	expect("IPv4 TCP to a non-VIP", &in, XDP_PASS, XLB_R_PASS_NOT_VIP);
	base(&in, CLIENT6, "2001:db8:f::99", false);
	tcp(&in, 1, 80, 20);
	expect("IPv6 TCP to a non-VIP", &in, XDP_PASS, XLB_R_PASS_NOT_VIP);
	base(&in, CLIENT4, VIP4, true);
	tcp(&in, 1, 81, 0);
	expect("VLAN IPv4 TCP to a VIP address, other port", &in, XDP_PASS, XLB_R_PASS_NOT_VIP);
	base(&in, CLIENT4, VIP4, false);
	pkt_udp(&in, 1, 80);
	pkt_finish(&in);
	expect("UDP to a TCP-only VIP", &in, XDP_PASS, XLB_R_PASS_NOT_VIP);

	pkt_init(&in);
	pkt_eth(&in, LB_CLIENT_MAC, "ff:ff:ff:ff:ff:ff");
	pkt_set_next(&in, 0x0806);
	pkt_pattern(&in, 28, 0);
	pkt_finish(&in);
	expect("ARP", &in, XDP_PASS, XLB_R_PASS_NOT_IP);
	pkt_init(&in);
	pkt_eth(&in, LB_CLIENT_MAC, LB_SELF_MAC);
	pkt_set_next(&in, 0x88a8);
	pkt_pattern(&in, 46, 0);
	pkt_finish(&in);
	expect("802.1ad outer tag (QinQ)", &in, XDP_PASS, XLB_R_PASS_NOT_IP);

	base(&in, CLIENT4, "224.0.0.5", false);
	pkt_udp(&in, 1, 80);
	pkt_finish(&in);
	expect("IPv4 multicast", &in, XDP_PASS, XLB_R_PASS_MULTICAST);
	base(&in, CLIENT4, "255.255.255.255", false);
	pkt_udp(&in, 68, 67);
	pkt_finish(&in);
	expect("IPv4 broadcast", &in, XDP_PASS, XLB_R_PASS_MULTICAST);
	base(&in, "fe80::1", "ff02::1:ff00:10", false);
	pkt_icmp6(&in, 135, 0, 0);
	pkt_pattern(&in, 16, 0);
	pkt_finish(&in);
	expect("IPv6 neighbour solicitation (multicast)", &in, XDP_PASS, XLB_R_PASS_MULTICAST);

	base(&in, CLIENT4, VIP4, false);
	pkt_set_next(&in, 47);
	pkt_pattern(&in, 24, 0);
	pkt_finish(&in);
	expect("GRE to a VIP address", &in, XDP_PASS, XLB_R_PASS_UNKNOWN_PROTO);
	base(&in, CLIENT6, VIP6, false);
	pkt_set_next(&in, IPPROTO_ICMP);
	pkt_pattern(&in, 24, 0);
	pkt_finish(&in);
	expect("IPv4's ICMP inside IPv6", &in, XDP_PASS, XLB_R_PASS_UNKNOWN_PROTO);
	base(&in, CLIENT6, VIP6, false);
	pkt_set_next(&in, 50);
	pkt_pattern(&in, 24, 0);
	pkt_finish(&in);
	expect("ESP to an IPv6 VIP address", &in, XDP_PASS, XLB_R_PASS_UNKNOWN_PROTO);
}

static void test_forward_variants(void)
{
	static const uint8_t opts[8] = { 1, 1, 0x44, 4, 5, 0, 0, 0 };	/* NOP NOP timestamp(empty) */
	struct xlb_flow f4 = lb_flow(CLIENT4, 4444, VIP4, 80, IPPROTO_TCP);
	struct xlb_flow f6 = lb_flow(CLIENT6, 4444, VIP6, 80, IPPROTO_TCP);
	struct pkt in;

	base(&in, CLIENT4, VIP4, true);
	tcp(&in, 4444, 80, 10);
	expect_fwd("VLAN-tagged SYN: tag kept on the encapsulated frame", &in, &f4, XLB_E_VLAN);

	pkt_init(&in);
	pkt_eth(&in, LB_CLIENT_MAC, LB_SELF_MAC);
	pkt_ipv4(&in, &(struct pkt_ip){ .src = CLIENT4, .dst = VIP4, .options = opts, .options_len = 8 });
	tcp(&in, 4444, 80, 10);
	expect_fwd("IPv4 with options (IHL 7)", &in, &f4, XLB_E_IPV4_OPTIONS);

	for (int n = 1; n <= XLB_MAX_IPV6_EXT_HDRS + 1; n++) {
		static const uint8_t types[] = { 0, 43, 60, 60, 60, 60, 60, 60, 60, 60 };
		char name[96];

		base(&in, CLIENT6, VIP6, false);
		for (int i = 0; i < n; i++)
			pkt_ip6_ext(&in, types[i], i == 1 ? 24 : 8);
		tcp(&in, 4444, 80, 10);
		snprintf(name, sizeof(name), "IPv6 with %d extension header%s", n, n > 1 ? "s" : "");
		if (n <= XLB_MAX_IPV6_EXT_HDRS) {
			if (n == 1 || n == XLB_MAX_IPV6_EXT_HDRS)
				expect_fwd(name, &in, &f6, XLB_E_IPV6_EXT_HDRS);
		} else {
			expect(name, &in, XDP_PASS, XLB_R_PASS_IPV6_EXT_CHAIN);
		}
	}
}

/* Cut a good frame at every length from 14 to the end of its L4 header. */
static void truncations(const char *name, const struct pkt *good, uint32_t l4_end)
{
	uint32_t l3 = pkt_l3_off(good), hl = (good->data[l3] >> 4) == 4 ? (good->data[l3] & 0xf) * 4u : 40;
	int bad_raw = 0, bad_fixed = 0, cases = 0;

	for (uint32_t cut = 14; cut < l4_end; cut++) {
		struct pkt in = *good;
		struct bpfrun_result *r;
		enum xlb_reason want;

		in.len = cut;			/* raw cut: the IP length now lies */
		want = cut < l3 + (hl == 40 ? 40 : 20) ? XLB_R_DROP_TRUNCATED : XLB_R_DROP_BAD_L3;
		if (cut < l3 && l3 == 18 && cut >= 14)
			want = XLB_R_DROP_TRUNCATED;
		r = lb_run(&lb, &in, 0);
		cases++;
		if (r->verdict != XDP_DROP || !lb_check_reason(&lb, want, "truncation (raw)"))
			bad_raw++, tap_diag("%s: raw cut at %u: verdict %u", name, cut, r->verdict);

		if (cut < l3 + (hl == 40 ? 40 : 20))
			continue;
		/* lengths made consistent with the cut: the header itself is short */
		if (hl == 40) {
			in.data[l3 + 4] = (cut - l3 - 40) >> 8;
			in.data[l3 + 5] = (cut - l3 - 40) & 0xff;
		} else {
			in.data[l3 + 2] = (cut - l3) >> 8;
			in.data[l3 + 3] = (cut - l3) & 0xff;
		}
		want = hl != 40 && cut < l3 + hl ? XLB_R_DROP_BAD_L3 : XLB_R_DROP_TRUNCATED;
		r = lb_run(&lb, &in, 0);
		if (r->verdict != XDP_DROP || !lb_check_reason(&lb, want, "truncation (consistent length)"))
			bad_fixed++, tap_diag("%s: consistent cut at %u: verdict %u", name, cut, r->verdict);
	}
	tap_eq_u32(bad_raw, 0, "%s: %d raw cuts drop (truncated inside a header, bad_l3 past it)", name, cases);
	tap_eq_u32(bad_fixed, 0, "%s: cuts with consistent IP length drop as truncated (bad_l3 inside IPv4 options)", name);
}

static void test_malformed(void)
{
	static const uint8_t opts[4] = { 1, 1, 1, 0 };
	struct bpfrun_result r;
	struct pkt in, good;
	uint32_t l3;

	base(&good, CLIENT4, VIP4, false);
	tcp(&good, 1, 80, 0);
	truncations("IPv4 TCP", &good, 14 + 20 + 20);
	base(&good, CLIENT6, VIP6, false);
	tcp(&good, 1, 80, 0);
	truncations("IPv6 TCP", &good, 14 + 40 + 20);
	base(&good, CLIENT4, VIP4, true);
	pkt_udp(&good, 1, 53);
	pkt_finish(&good);
	truncations("VLAN IPv4 UDP", &good, 18 + 20 + 8);
	pkt_init(&good);
	pkt_eth(&good, LB_CLIENT_MAC, LB_SELF_MAC);
	pkt_ipv4(&good, &(struct pkt_ip){ .src = CLIENT4, .dst = VIP4, .options = opts, .options_len = 4 });
	pkt_icmp(&good, 8, 0, 1);
	pkt_finish(&good);
	truncations("IPv4 with options, ICMP", &good, 14 + 24 + 8);
	base(&good, CLIENT6, VIP6, false);
	pkt_ip6_ext(&good, 0, 16);
	pkt_udp(&good, 1, 53);
	pkt_finish(&good);
	truncations("IPv6 hop-by-hop, UDP", &good, 14 + 40 + 16 + 8);

	base(&good, CLIENT4, VIP4, false);
	tcp(&good, 1, 80, 20);
	l3 = 14;
	in = good;
	in.data[l3] = 0x55;
	expect("IPv4 ethertype, IP version 5", &in, XDP_DROP, XLB_R_DROP_BAD_L3);
	in = good;
	in.data[l3] = 0x44;
	expect("IPv4 IHL 4", &in, XDP_DROP, XLB_R_DROP_BAD_L3);
	in = good;
	in.data[l3] = 0x4f;
	in.data[l3 + 3] = 40;
	expect("IPv4 IHL 15 beyond total length", &in, XDP_DROP, XLB_R_DROP_BAD_L3);
	in = good;
	in.data[l3 + 2] = 0x07;
	expect("IPv4 total length past the frame", &in, XDP_DROP, XLB_R_DROP_BAD_L3);
	in = good;
	in.data[l3 + 2] = 0;
	in.data[l3 + 3] = 19;
	expect("IPv4 total length below the header", &in, XDP_DROP, XLB_R_DROP_BAD_L3);
	base(&good, CLIENT6, VIP6, false);
	tcp(&good, 1, 80, 20);
	in = good;
	in.data[l3] = 0x40;
	expect("IPv6 ethertype, IP version 4", &in, XDP_DROP, XLB_R_DROP_BAD_L3);
	in = good;
	in.data[l3 + 4] = 0x01;
	expect("IPv6 payload length past the frame", &in, XDP_DROP, XLB_R_DROP_BAD_L3);

	/* below an Ethernet header the kernel refuses the frame: it never reaches XDP */
	tap_ok(bpfrun_xdp(lb.prog, good.data, 0, 0, &r) == -EINVAL, "zero-length frame refused by BPF_PROG_TEST_RUN (-EINVAL)");
	tap_ok(bpfrun_xdp(lb.prog, good.data, 13, 0, &r) == -EINVAL, "13-byte frame refused by BPF_PROG_TEST_RUN (-EINVAL)");
	pkt_init(&in);
	pkt_eth(&in, LB_CLIENT_MAC, LB_SELF_MAC);
	pkt_finish(&in);
	in.data[12] = 0x08;
	in.data[13] = 0x00;
	expect("Ethernet header alone, ethertype IPv4", &in, XDP_DROP, XLB_R_DROP_TRUNCATED);
	in.data[12] = 0x81;
	expect("Ethernet header alone, ethertype 802.1Q", &in, XDP_DROP, XLB_R_DROP_TRUNCATED);
}

int main(void)
{
	uint32_t v4[] = { 1, 2, 3 }, v6[] = { 11, 12, 13 };

	lb_open_opt(&lb, 4096, 0);	/* the VIP filter off here: the plain two-lookup path */
	for (uint32_t i = 1; i <= 3; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.18.1.%u", i);
		lb_backend(&lb, i, a, "198.18.0.100");
		snprintf(a, sizeof(a), "2001:db8:1::%u", i);
		lb_backend(&lb, 10 + i, a, "2001:db8::100");
	}
	/* one table serves both VIPs here: vip_id 0 */
	lb_vip(&lb, VIP4, 80, IPPROTO_TCP, 0, 0, LB_TABLE_SIZE);
	lb_vip(&lb, VIP6, 80, IPPROTO_TCP, 0, 0, LB_TABLE_SIZE);
	lb_vip(&lb, VIP4, 53, IPPROTO_UDP, 0, 0, LB_TABLE_SIZE);
	lb_vip(&lb, VIP6, 53, IPPROTO_UDP, 0, 0, LB_TABLE_SIZE);
	lb_marker(&lb, VIP4);
	lb_table(&lb, 0, v4, 3, NULL, LB_TABLE_SIZE);
	(void)v6;

	test_pass();
	test_forward_variants();
	test_malformed();
	lb_close(&lb);
	return tap_done();
}

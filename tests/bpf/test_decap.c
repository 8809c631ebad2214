// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_decap.c - bpf/decap.bpf.c (the real server's XDP decap) through
 * BPF_PROG_TEST_RUN. The input is a frame as the balancer sends it (outer
 * header around a client's packet), the expected output is the same
 * client packet built without the outer header: compared byte for byte.
 * Cases: the four encapsulations, a VLAN tag, IPv4 options on the outer
 * header, Ethernet padding, ECN CE propagation, allow-list hit / miss /
 * empty, non-tunnel traffic untouched, outer fragments, wrong inner
 * version, truncated tunnels. Every case checks that exactly its reason
 * counter moved by one.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <string.h>
#include "decap.skel.h"
#include "lib/bpfrun.h"
#include "lib/pkt.h"
#include "lib/tap.h"
#include "xlb_decap.h"
#include "xlb_reasons.h"
#include "xlb_types.h"

#define LB4	"198.18.2.2"		/* outer source: the balancer */
#define LB6	"2001:db8:0:2::2"
#define BE4	"198.18.1.11"		/* outer destination: this real server */
#define BE6	"2001:db8:0:1::11"
#define OTHER4	"198.18.1.99"		/* some other host's address */
#define OTHER6	"2001:db8:0:1::99"
#define CLIENT4	"198.18.0.11"
#define CLIENT6	"2001:db8::11"
#define VIP4	"198.19.0.10"
#define VIP6	"2001:db8:f::10"
#define RT_MAC	"02:00:00:00:00:fe"
#define BE_MAC	"02:00:00:00:be:11"

static struct decap *skel;
static uint64_t count0[XLB_D__COUNT];

/* What one frame looks like; fields left 0 take the defaults. */
struct frame {
	int outer;		/* 0 = no tunnel, 4 or 6 */
	const char *outer_dst;	/* default BE4 / BE6 */
	uint8_t outer_proto;	/* 0 = from the inner layer */
	uint8_t outer_tos;
	uint16_t outer_frag;	/* IPv4 frag_off */
	uint8_t outer_opts;	/* IPv4 options bytes */
	int inner;		/* 4 or 6 */
	uint8_t inner_tos;
	int vlan;		/* add an 802.1Q tag */
	int udp;		/* UDP instead of a TCP SYN */
	uint32_t payload;	/* bytes after L4 */
};

static void build(struct pkt *p, const struct frame *f)
{
	static const uint8_t nop_opts[40] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
					      1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
					      1, 1, 1, 1, 1, 1, 1, 1 };
	int in6 = f->inner == 6;

	pkt_init(p);
	pkt_eth(p, RT_MAC, BE_MAC);
	if (f->vlan)
		pkt_vlan(p, 0x2064);	/* PCP 1, VID 100 */
	if (f->outer) {
		const char *dst = f->outer_dst ? f->outer_dst : f->outer == 6 ? BE6 : BE4;

		pkt_ip(p, &(struct pkt_ip){ .src = f->outer == 6 ? LB6 : LB4, .dst = dst,
					    .tos = f->outer_tos, .proto = f->outer_proto,
					    .frag_off = f->outer_frag ? f->outer_frag : PKT_IP4_DF,
					    .options = nop_opts, .options_len = f->outer_opts });
	}
	pkt_ip(p, &(struct pkt_ip){ .src = in6 ? CLIENT6 : CLIENT4, .dst = in6 ? VIP6 : VIP4,
				    .tos = f->inner_tos, .id = 4321, .frag_off = PKT_IP4_DF,
				    .flow_label = 0x12345 });
	if (f->udp)
		pkt_udp(p, 40000, 53);
	else
		pkt_tcp(p, &(struct pkt_tcp_hdr){ .sport = 40000, .dport = 80, .seq = 1,
						  .flags = PKT_TCP_SYN });
	if (f->payload)
		pkt_pattern(p, f->payload, 7);
	pkt_finish(p);
}

/* The frame with the outer header taken away: what the stack must see. */
static void build_inner(struct pkt *p, const struct frame *f)
{
	struct frame g = *f;

	g.outer = 0;
	build(p, &g);
}

static void run(const struct pkt *in, struct bpfrun_result *r)
{
	int err = bpfrun_xdp(bpf_program__fd(skel->progs.xlb_decap), in->data, in->len, 0, r);

	if (err)
		tap_bail("BPF_PROG_TEST_RUN: %s", strerror(-err));
}

/* Exactly `reason` moved, by one. */
static void counted(const char *name, enum xlb_decap_reason reason)
{
	uint64_t others = 0;

	for (int i = 0; i < XLB_D__COUNT; i++) {
		uint64_t v = 0, d;

		bpfrun_percpu_u64(bpf_map__fd(skel->maps.decap_reasons), i, &v);
		d = v - count0[i];
		count0[i] = v;
		if (i == (int)reason)
			tap_eq_u64(d, 1, "%s: counted %s once", name, xlb_decap_reason_str(reason));
		else
			others += d;
	}
	tap_eq_u64(others, 0, "%s: no other reason counted", name);
}

static void allow(const char *addr)
{
	struct xlb_addr_key k = {};
	uint8_t one = 1;

	k.family = pkt_parse_addr(addr, (uint8_t *)k.addr) == 6 ? XLB_AF_INET6 : XLB_AF_INET;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.local_addrs), &k, &one, BPF_ANY))
		tap_bail("local_addrs add %s: %s", addr, strerror(errno));
}

static void set_n_local(uint32_t n)
{
	uint32_t key = XLB_DECAP_CFG_N_LOCAL;

	if (bpf_map_update_elem(bpf_map__fd(skel->maps.decap_cfg), &key, &n, BPF_ANY))
		tap_bail("decap_cfg update: %s", strerror(errno));
}

static void clear_allow_list(void)
{
	int fd = bpf_map__fd(skel->maps.local_addrs);
	struct xlb_addr_key k;

	while (bpf_map_get_next_key(fd, NULL, &k) == 0)
		bpf_map_delete_elem(fd, &k);
	set_n_local(0);
}

static void expect_decap(const char *name, const struct pkt *in, const struct pkt *want)
{
	struct bpfrun_result r;

	run(in, &r);
	tap_eq_u32(r.verdict, XDP_PASS, "%s: XDP_PASS", name);
	tap_mem_eq(r.out, r.out_len, want->data, want->len, "%s: inner frame, byte for byte", name);
	counted(name, XLB_D_DECAP);
}

static void case_decap(const char *name, const struct frame *f)
{
	struct pkt in, want;

	build(&in, f);
	build_inner(&want, f);
	expect_decap(name, &in, &want);
}

static void expect_untouched(const char *name, const struct pkt *in, uint32_t verdict,
			     enum xlb_decap_reason reason)
{
	struct bpfrun_result r;

	run(in, &r);
	tap_eq_u32(r.verdict, verdict, "%s: %s", name, verdict == XDP_PASS ? "XDP_PASS" : "XDP_DROP");
	if (verdict == XDP_PASS)
		tap_mem_eq(r.out, r.out_len, in->data, in->len, "%s: frame untouched", name);
	counted(name, reason);
}

static void case_untouched(const char *name, const struct frame *f, enum xlb_decap_reason reason)
{
	struct pkt in;

	build(&in, f);
	expect_untouched(name, &in, XDP_PASS, reason);
}

static void encapsulations(void)
{
	case_decap("IPv4 in IPv4", &(struct frame){ .outer = 4, .inner = 4, .payload = 100 });
	case_decap("IPv6 in IPv6", &(struct frame){ .outer = 6, .inner = 6, .payload = 100 });
	case_decap("IPv4 in IPv6", &(struct frame){ .outer = 6, .inner = 4, .payload = 100 });
	case_decap("IPv6 in IPv4", &(struct frame){ .outer = 4, .inner = 6, .payload = 100 });
	case_decap("UDP, IPv4 in IPv4", &(struct frame){ .outer = 4, .inner = 4, .udp = 1, .payload = 5 });
	case_decap("1400-byte payload, IPv6 in IPv6",
		   &(struct frame){ .outer = 6, .inner = 6, .payload = 1400 });
	case_decap("VLAN, IPv4 in IPv4", &(struct frame){ .outer = 4, .inner = 4, .vlan = 1 });
	case_decap("VLAN, IPv4 in IPv6", &(struct frame){ .outer = 6, .inner = 4, .vlan = 1 });
	case_decap("VLAN, IPv6 in IPv4", &(struct frame){ .outer = 4, .inner = 6, .vlan = 1 });
	case_decap("outer IPv4 options (IHL 15)", &(struct frame){ .outer = 4, .inner = 4, .outer_opts = 40 });
	case_decap("inner DSCP kept, outer not-CE", &(struct frame){ .outer = 4, .inner = 4,
								    .outer_tos = 0xb9, .inner_tos = 0xb9 });
}

static void padding(void)
{
	struct frame f = { .outer = 4, .inner = 4, .udp = 1 };
	struct pkt in, want;

	/* 20 + 20 + 8 bytes of IP: Ethernet pads the frame after the packet */
	build(&in, &f);
	build_inner(&want, &f);
	memset(in.data + in.len, 0, 12);
	in.len += 12;
	memset(want.data + want.len, 0, 12);
	want.len += 12;
	expect_decap("Ethernet padding after the tunnel", &in, &want);
}

/* RFC 6040: CE on the outer header marks an ECN-capable inner packet. */
static void ecn(void)
{
	struct frame f4 = { .outer = 4, .inner = 4, .outer_tos = 0x03, .inner_tos = 0xb8 | 0x02 };
	struct frame f6 = { .outer = 6, .inner = 6, .outer_tos = 0x03, .inner_tos = 0xb8 | 0x01 };
	struct pkt in, want;
	struct frame w;

	build(&in, &f4);
	w = f4;
	w.inner_tos = 0xb8 | 0x03;
	build_inner(&want, &w);		/* CE set, header checksum recomputed by the builder */
	expect_decap("outer CE, inner ECT(0) IPv4: inner marked CE, checksum right", &in, &want);

	build(&in, &f6);
	w = f6;
	w.inner_tos = 0xb8 | 0x03;
	build_inner(&want, &w);
	expect_decap("outer CE, inner ECT(1) IPv6: inner marked CE", &in, &want);

	case_decap("outer CE, inner not-ECT: inner unchanged",
		   &(struct frame){ .outer = 4, .inner = 4, .outer_tos = 0x03, .inner_tos = 0xb8 });
}

static void allow_list(void)
{
	allow(BE4);
	allow(BE6);
	set_n_local(2);
	case_decap("allow-list hit IPv4", &(struct frame){ .outer = 4, .inner = 4 });
	case_decap("allow-list hit IPv6", &(struct frame){ .outer = 6, .inner = 6 });
	case_untouched("allow-list miss IPv4", &(struct frame){ .outer = 4, .inner = 4, .outer_dst = OTHER4 },
		       XLB_D_PASS_NOT_LOCAL);
	case_untouched("allow-list miss IPv6", &(struct frame){ .outer = 6, .inner = 4, .outer_dst = OTHER6 },
		       XLB_D_PASS_NOT_LOCAL);
	/* same bytes, other family: ::c612:10b is not 198.18.1.11 */
	case_untouched("allow-list miss, v4 address as v6 bits",
		       &(struct frame){ .outer = 6, .inner = 6, .outer_dst = "::c612:10b" },
		       XLB_D_PASS_NOT_LOCAL);
	clear_allow_list();
	case_decap("empty allow-list accepts any IPv4 destination",
		   &(struct frame){ .outer = 4, .inner = 4, .outer_dst = OTHER4 });
	case_decap("empty allow-list accepts any IPv6 destination",
		   &(struct frame){ .outer = 6, .inner = 6, .outer_dst = OTHER6 });
}

static void not_tunnels(void)
{
	static const uint8_t arp_body[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	struct pkt p;

	case_untouched("plain IPv4 TCP", &(struct frame){ .inner = 4, .payload = 10 }, XLB_D_PASS_NOT_TUNNEL);
	case_untouched("plain IPv6 UDP", &(struct frame){ .inner = 6, .udp = 1 }, XLB_D_PASS_NOT_TUNNEL);
	case_untouched("VLAN, plain IPv4", &(struct frame){ .inner = 4, .vlan = 1 }, XLB_D_PASS_NOT_TUNNEL);
	case_untouched("GRE (protocol 47) around IPv4",
		       &(struct frame){ .outer = 4, .inner = 4, .outer_proto = 47 }, XLB_D_PASS_NOT_TUNNEL);

	pkt_init(&p);
	pkt_eth(&p, RT_MAC, "ff:ff:ff:ff:ff:ff");
	pkt_set_next(&p, 0x0806);
	pkt_bytes(&p, arp_body, sizeof(arp_body));
	pkt_finish(&p);
	expect_untouched("ARP", &p, XDP_PASS, XLB_D_PASS_NOT_TUNNEL);

	/* an extension header before the tunnel: not what xlb sends */
	pkt_init(&p);
	pkt_eth(&p, RT_MAC, BE_MAC);
	pkt_ipv6(&p, &(struct pkt_ip){ .src = LB6, .dst = BE6 });
	pkt_ip6_ext(&p, 60, 8);
	pkt_ipv4(&p, &(struct pkt_ip){ .src = CLIENT4, .dst = VIP4 });
	pkt_udp(&p, 40000, 53);
	pkt_finish(&p);
	expect_untouched("IPv6 dest-opts then IPIP", &p, XDP_PASS, XLB_D_PASS_NOT_TUNNEL);

	/* frame ends inside the outer header: the stack judges it */
	build(&p, &(struct frame){ .outer = 4, .inner = 4 });
	p.len = 14 + 12;
	expect_untouched("frame ends inside the outer IPv4 header", &p, XDP_PASS, XLB_D_PASS_NOT_TUNNEL);
	build(&p, &(struct frame){ .outer = 6, .inner = 6 });
	p.len = 14 + 30;
	expect_untouched("frame ends inside the outer IPv6 header", &p, XDP_PASS, XLB_D_PASS_NOT_TUNNEL);
	/* BPF_PROG_TEST_RUN refuses frames under 14 bytes: that bound is not testable here */
	build(&p, &(struct frame){ .outer = 4, .inner = 4, .vlan = 1 });
	p.len = 14 + 2;
	expect_untouched("frame ends inside the VLAN tag", &p, XDP_PASS, XLB_D_PASS_NOT_TUNNEL);
}

static void odd_tunnels(void)
{
	struct pkt p;

	case_untouched("outer IPv4 fragment (MF)",
		       &(struct frame){ .outer = 4, .inner = 4, .outer_frag = PKT_IP4_MF }, XLB_D_PASS_FRAGMENT);
	case_untouched("outer IPv4 fragment (offset)",
		       &(struct frame){ .outer = 4, .inner = 4, .outer_frag = 185 }, XLB_D_PASS_FRAGMENT);
	/* protocol 4 announces IPv4, an IPv6 header follows */
	case_untouched("protocol 4 around IPv6",
		       &(struct frame){ .outer = 4, .inner = 6, .outer_proto = IPPROTO_IPIP }, XLB_D_PASS_BAD_INNER);
	case_untouched("next header 41 around IPv4",
		       &(struct frame){ .outer = 6, .inner = 4, .outer_proto = IPPROTO_IPV6 }, XLB_D_PASS_BAD_INNER);

	/* truncated: frame cut inside the inner header (outer length says more) */
	build(&p, &(struct frame){ .outer = 4, .inner = 4 });
	p.len = 14 + 20 + 10;
	expect_untouched("IPIP cut inside the inner header", &p, XDP_DROP, XLB_D_DROP_TRUNCATED);
	build(&p, &(struct frame){ .outer = 6, .inner = 6 });
	p.len = 14 + 40 + 39;
	expect_untouched("IPv6-in-IPv6 cut one byte short of the inner header", &p, XDP_DROP,
			 XLB_D_DROP_TRUNCATED);
	/* outer total length larger than the frame, inner header complete */
	build(&p, &(struct frame){ .outer = 4, .inner = 6, .payload = 40 });
	p.len -= 20;
	expect_untouched("6in4 whose outer length runs past the frame", &p, XDP_DROP, XLB_D_DROP_TRUNCATED);
	/* outer length too small to hold the inner header */
	build(&p, &(struct frame){ .outer = 4, .inner = 4 });
	p.data[pkt_layer_off(&p, PKT_L_IPV4, 0) + 3] = 30;	/* tot_len 30 < 20 + 20 */
	p.data[pkt_layer_off(&p, PKT_L_IPV4, 0) + 2] = 0;
	expect_untouched("IPIP whose outer length ends inside the inner header", &p, XDP_DROP,
			 XLB_D_DROP_TRUNCATED);
	build(&p, &(struct frame){ .outer = 6, .inner = 4 });
	p.data[pkt_layer_off(&p, PKT_L_IPV6, 0) + 4] = 0;	/* payload_len 10 */
	p.data[pkt_layer_off(&p, PKT_L_IPV6, 0) + 5] = 10;
	expect_untouched("4in6 whose payload length ends inside the inner header", &p, XDP_DROP,
			 XLB_D_DROP_TRUNCATED);
}

int main(void)
{
	uint32_t xlated = 0, jited = 0;

	bpfrun_setup();
	skel = decap__open_and_load();
	if (!skel)
		tap_bail("load decap.bpf.o: %s", strerror(errno));
	if (bpfrun_prog_sizes(bpf_program__fd(skel->progs.xlb_decap), &xlated, &jited) == 0)
		tap_diag("xlb_decap: %u xlated bytes, %u jited bytes", xlated, jited);

	encapsulations();
	padding();
	ecn();
	allow_list();
	not_tunnels();
	odd_tunnels();

	decap__destroy(skel);
	return tap_done();
}

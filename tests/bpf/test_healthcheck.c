// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_healthcheck.c - bpf/healthcheck.bpf.c (tc egress, tunnel health
 * checks) through BPF_PROG_TEST_RUN: a probe packet carrying
 * XLB_HC_MARK(id) leaves encapsulated to backends[id] (the four
 * encapsulations, byte for byte against the packet builder), redirected to
 * the backend's interface, mark cleared; everything else passes untouched;
 * a mark naming no usable backend is dropped. Counters checked per case.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <netinet/in.h>
#include <string.h>
#include "healthcheck.skel.h"
#include "lib/bpfrun.h"
#include "lib/pkt.h"
#include "lib/tap.h"
#include "xlb_types.h"

#define PROBE_SRC4 "198.18.0.2"		/* the LB's own address */
#define PROBE_SRC6 "2001:db8:0:1::2"
#define VIP4	"198.19.0.10"
#define VIP6	"2001:db8:f::10"
#define LB_MAC	"02:00:00:00:00:01"
#define GW_MAC	"02:00:00:00:00:fe"	/* where the route to the VIP pointed */
#define BE_MAC	"02:00:00:00:be:11"
#define OUT_MAC	"02:00:00:00:00:02"	/* LB's MAC on the backend side */

enum { HC_ENCAP, HC_NO_BACKEND, HC_NOT_IP, HC_FAILED, HC_NSTATS };

static struct healthcheck *skel;
static uint64_t stats0[HC_NSTATS];

struct run {
	uint32_t verdict, mark_out;
	uint8_t out[PKT_MAX + 128];
	uint32_t out_len;
};

static void run(const struct pkt *in, uint32_t mark, struct run *r)
{
	struct __sk_buff ctx = { .mark = mark };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data, .data_size_in = in->len,
		    .data_out = r->out, .data_size_out = sizeof(r->out),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .ctx_out = &ctx,
		    .ctx_size_out = sizeof(ctx), .repeat = 1);

	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xlb_healthcheck), &opts))
		tap_bail("BPF_PROG_TEST_RUN: %s", strerror(errno));
	r->verdict = opts.retval;
	r->out_len = opts.data_size_out;
	r->mark_out = ctx.mark;
}

static uint64_t stat_delta(int i)
{
	uint64_t v = 0, d;

	bpfrun_percpu_u64(bpf_map__fd(skel->maps.hc_stats), i, &v);
	d = v - stats0[i];
	stats0[i] = v;
	return d;
}

static void set_backend(uint32_t id, const char *addr, const char *src, uint8_t flags, uint32_t ifindex)
{
	struct xlb_backend be = { .flags = flags, .ifindex = ifindex };
	int fam = pkt_parse_addr(addr, (uint8_t *)be.addr);

	pkt_parse_addr(src, (uint8_t *)be.src);
	be.family = fam == 6 ? XLB_AF_INET6 : XLB_AF_INET;
	pkt_parse_mac(BE_MAC, be.dmac);
	pkt_parse_mac(OUT_MAC, be.smac);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.backends), &id, &be, BPF_ANY))
		tap_bail("backends[%u] update: %s", id, strerror(errno));
}

/* The probe as the LB's stack sends it: a SYN from the LB to VIP:80. */
static void probe(struct pkt *p, int v6, uint8_t tos)
{
	pkt_init(p);
	pkt_eth(p, LB_MAC, GW_MAC);
	pkt_ip(p, &(struct pkt_ip){ .src = v6 ? PROBE_SRC6 : PROBE_SRC4, .dst = v6 ? VIP6 : VIP4,
				    .tos = tos, .frag_off = PKT_IP4_DF, .id = 4242 });
	pkt_tcp(p, &(struct pkt_tcp_hdr){ .sport = 41000, .dport = 80, .flags = PKT_TCP_SYN, .seq = 7 });
	pkt_finish(p);
}

/* What should leave: backend MACs, one outer header, the probe's L3 packet untouched. */
static void expected(struct pkt *e, const struct pkt *in, const char *be_addr, const char *be_src,
		     int inner6, uint8_t tos, int df)
{
	uint32_t l3 = pkt_l3_off(in);

	pkt_init(e);
	pkt_eth(e, OUT_MAC, BE_MAC);
	pkt_ip(e, &(struct pkt_ip){ .src = be_src, .dst = be_addr, .ttl = 64, .tos = tos & ~3,
				    .proto = inner6 ? IPPROTO_IPV6 : IPPROTO_IPIP,
				    .frag_off = df ? PKT_IP4_DF : 0 });
	pkt_bytes(e, in->data + l3, in->len - l3);
	pkt_finish(e);
}

static void case_encap(const char *name, int inner6, const char *be_addr, const char *be_src)
{
	struct pkt in, exp;
	struct run r;
	uint32_t id = 1000 + (uint32_t)inner6;

	set_backend(id, be_addr, be_src, XLB_BE_F_ACTIVE | XLB_BE_F_NEXTHOP, 7);
	probe(&in, inner6, 0xb9);
	expected(&exp, &in, be_addr, be_src, inner6, 0xb9, 1);
	run(&in, XLB_HC_MARK(id), &r);
	tap_eq_u32(r.verdict, TC_ACT_REDIRECT, "%s: redirected to the backend's interface", name);
	tap_mem_eq(r.out, r.out_len, exp.data, exp.len, "%s: frame is the probe encapsulated to backend %u",
		   name, id);
	tap_eq_u32(r.mark_out, 0, "%s: mark cleared (the next egress hook lets it pass)", name);
	tap_eq_u64(stat_delta(HC_ENCAP), 1, "%s: counted as encapsulated", name);
}

static void case_passes(const char *name, const struct pkt *in, uint32_t mark, int stat)
{
	struct run r;

	run(in, mark, &r);
	tap_eq_u32(r.verdict, TC_ACT_OK, "%s: passes (TC_ACT_OK)", name);
	tap_mem_eq(r.out, r.out_len, in->data, in->len, "%s: frame untouched", name);
	tap_eq_u32(r.mark_out, mark, "%s: mark untouched", name);
	if (stat >= 0)
		tap_eq_u64(stat_delta(stat), 1, "%s: counted", name);
	tap_eq_u64(stat_delta(HC_ENCAP), 0, "%s: nothing encapsulated", name);
}

int main(void)
{
	struct pkt in, arp;
	struct run r;
	static const uint8_t arp_body[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };

	bpfrun_setup();
	skel = healthcheck__open_and_load();
	if (!skel)
		tap_bail("load healthcheck.bpf.o: %s", strerror(errno));

	case_encap("IPv4 in IPv4", 0, "198.18.1.11", "198.18.1.1");
	case_encap("IPv6 in IPv6", 1, "2001:db8:1::11", "2001:db8:1::1");
	case_encap("IPv4 in IPv6", 0, "2001:db8:1::12", "2001:db8:1::1");
	case_encap("IPv6 in IPv4", 1, "198.18.1.12", "198.18.1.1");

	/* DF follows the inner IPv4 header */
	{
		struct pkt exp;

		set_backend(1100, "198.18.1.13", "198.18.1.1", XLB_BE_F_NEXTHOP, 7);
		probe(&in, 0, 0);
		in.data[pkt_l3_off(&in) + 6] &= ~0x40;	/* clear DF */
		pkt_no_csum(&in);
		pkt_finish(&in);
		expected(&exp, &in, "198.18.1.13", "198.18.1.1", 0, 0, 0);
		run(&in, XLB_HC_MARK(1100), &r);
		tap_mem_eq(r.out, r.out_len, exp.data, exp.len, "inner without DF: outer without DF");
		stat_delta(HC_ENCAP);
	}

	/* backend on the interface the packet already leaves by (ifindex 0): encapsulated, let go */
	set_backend(1200, "198.18.1.14", "198.18.1.1", XLB_BE_F_NEXTHOP, 0);
	probe(&in, 0, 0);
	run(&in, XLB_HC_MARK(1200), &r);
	tap_eq_u32(r.verdict, TC_ACT_OK, "backend ifindex 0: encapsulated and passed on (TC_ACT_OK)");
	tap_ok(r.out_len == in.len + 20, "backend ifindex 0: frame grew by the outer header (%u -> %u)",
	       in.len, r.out_len);
	tap_eq_u64(stat_delta(HC_ENCAP), 1, "backend ifindex 0: counted as encapsulated");

	probe(&in, 0, 0);
	case_passes("no mark", &in, 0, -1);
	case_passes("someone else's mark", &in, 0x12000000u | 1000, -1);
	probe(&in, 1, 0);
	case_passes("no mark (IPv6)", &in, 0, -1);

	/* a mark whose backend has no resolved next hop (or was never written): dropped */
	set_backend(1300, "198.18.1.15", "198.18.1.1", XLB_BE_F_ACTIVE, 7);
	probe(&in, 0, 0);
	run(&in, XLB_HC_MARK(1300), &r);
	tap_eq_u32(r.verdict, TC_ACT_SHOT, "backend without next hop: dropped");
	tap_eq_u64(stat_delta(HC_NO_BACKEND), 1, "backend without next hop: counted no_backend");
	run(&in, XLB_HC_MARK(77777), &r);
	tap_eq_u32(r.verdict, TC_ACT_SHOT, "never-written backend id: dropped");
	tap_eq_u64(stat_delta(HC_NO_BACKEND), 1, "never-written backend id: counted no_backend");

	/* a marked frame that is not IP (ARP from the probe's socket cannot happen, but): passes */
	pkt_init(&arp);
	pkt_eth(&arp, LB_MAC, "ff:ff:ff:ff:ff:ff");
	pkt_set_next(&arp, 0x0806);
	pkt_bytes(&arp, arp_body, sizeof(arp_body));
	pkt_finish(&arp);
	case_passes("marked ARP", &arp, XLB_HC_MARK(1000), HC_NOT_IP);

	healthcheck__destroy(skel);
	return tap_done();
}

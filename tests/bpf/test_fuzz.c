/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * test_fuzz.c - random and mutated frames through the balancer (repeat = 1
 * per run). Seeded and reproducible: XLB_FUZZ_SEED (default 1) and
 * XLB_FUZZ_N (default 100000); the seed is printed. Every result must be
 * exactly one of:
 *   passed  XDP_PASS, frame unchanged, a pass_* reason
 *   dropped XDP_DROP, a drop_* reason
 *   encap   XDP_TX/REDIRECT (tx/redirect): the input's L3 bytes behind one
 *           outer header to a configured backend, byte for byte (outer
 *           fields, checksum, MACs, VLAN tag)
 *   reply   XDP_TX icmp_echo_reply / icmp_ptb_sent: a valid ICMP message
 *           from the VIP to the client (checksums, addresses, quote)
 * and every packet must count exactly one reason.
 */
#include "lb_fixture.h"

static struct lb lb;
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static uint32_t rn(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static const char *dst4[] = { "203.0.113.10", "203.0.113.20", "203.0.113.40", "203.0.113.60",
			      "203.0.113.70", "203.0.113.99", "224.0.0.1" };
static const char *dst6[] = { "2001:db8:f::10", "2001:db8:f::20", "2001:db8:f::40",
			      "2001:db8:f::99", "ff02::1" };
static const uint16_t ports[] = { 80, 53, 443, 0, 1 };

static void rand_client(char *buf, int v6)
{
	if (v6)
		snprintf(buf, 64, "2001:db8:c::%x", rn(0xffff));
	else
		snprintf(buf, 64, "198.18.%u.%u", rn(256), rn(256));
}

/* A frame that the datapath has to look at closely, then maybe mutated. */
static void gen(struct pkt *p)
{
	int v6 = rn(2), kind = rn(10);
	char client[64];
	const char *dst = v6 ? dst6[rn(5)] : dst4[rn(7)];
	uint8_t opts[40];
	struct pkt q;

	if (kind == 0) {			/* random bytes, plausible ethertype */
		uint32_t len = 14 + rn(300);

		pkt_init(p);
		for (uint32_t i = 0; i < len; i++)
			p->data[i] = rnd();
		p->len = len;
		p->data[12] = v6 ? 0x86 : 0x08;
		p->data[13] = v6 ? 0xdd : 0x00;
		if (rn(2))
			p->data[14] = v6 ? 0x60 : 0x45;
		return;
	}
	rand_client(client, v6);
	pkt_init(p);
	pkt_eth(p, LB_CLIENT_MAC, LB_SELF_MAC);
	if (rn(5) == 0)
		pkt_vlan(p, rn(4096));
	memset(opts, 1, sizeof(opts));
	pkt_ip(p, &(struct pkt_ip){ .src = client, .dst = dst, .tos = rnd(), .id = rnd(),
				    .frag_off = rn(3) ? PKT_IP4_DF : (rn(4) == 0 ? PKT_IP4_MF | rn(50) : 0),
				    .options = opts, .options_len = v6 || rn(5) ? 0 : 4 * rn(11) });
	if (v6 && rn(5) == 0)
		for (int n = rn(11); n > 0; n--)
			pkt_ip6_ext(p, (uint8_t[]){ 0, 43, 60 }[rn(3)], 8 * (1 + rn(3)));
	if (v6 && rn(10) == 0)
		pkt_ip6_frag(p, rn(2) ? 0 : 8 * rn(200), rn(2), rnd());
	switch (rn(6)) {
	case 0:
	case 1:
		pkt_tcp(p, &(struct pkt_tcp_hdr){ .sport = rnd(), .dport = ports[rn(5)], .flags = rnd() });
		break;
	case 2:
		pkt_udp(p, rnd(), ports[rn(5)]);
		break;
	case 3:				/* echo request / other ICMP */
		if (v6)
			pkt_icmp6(p, rn(2) ? 128 : rn(256), 0, rnd());
		else
			pkt_icmp(p, rn(2) ? 8 : rn(256), 0, rnd());
		break;
	case 4:				/* ICMP error quoting VIP -> client */
		pkt_init(&q);
		pkt_ip(&q, &(struct pkt_ip){ .src = dst, .dst = client });
		if (rn(2))
			pkt_tcp(&q, &(struct pkt_tcp_hdr){ .sport = ports[rn(5)], .dport = rnd() });
		else
			pkt_udp(&q, ports[rn(5)], rnd());
		pkt_pattern(&q, rn(100), 0);
		pkt_finish(&q);
		if (v6)
			pkt_icmp6(p, 1 + rn(3), rn(5), rnd());
		else
			pkt_icmp(p, rn(2) ? 3 : 11, rn(16), rnd());
		pkt_bytes(p, q.data, rn(2) ? q.len : rn(q.len + 1));
		break;
	default:
		pkt_set_next(p, (uint8_t[]){ 47, 50, 132, 255 }[rn(4)]);
		break;
	}
	pkt_pattern(p, rn(4) == 0 ? rn(1500) : rn(100), rnd());
	pkt_finish(p);
	if (rn(2) == 0)				/* flip bytes in the headers */
		for (int n = 1 + rn(4); n > 0; n--)
			p->data[rn(p->len < 80 ? p->len : 80)] ^= 1 << rn(8);
	if (rn(5) == 0)
		p->len = 14 + rn(p->len - 13);
}

static int is_pass(uint32_t r)
{
	return r == XLB_R_PASS_NOT_IP || r == XLB_R_PASS_NOT_VIP || r == XLB_R_PASS_UNKNOWN_PROTO ||
	       r == XLB_R_PASS_IPV6_EXT_CHAIN || r == XLB_R_PASS_ICMP || r == XLB_R_PASS_MULTICAST;
}

static int is_drop(uint32_t r)
{
	return r == XLB_R_DROP_TRUNCATED || r == XLB_R_DROP_BAD_L3 || r == XLB_R_DROP_NO_BACKEND ||
	       r == XLB_R_DROP_NO_NEXTHOP || r == XLB_R_DROP_ENCAP_FAILED || r == XLB_R_DROP_FRAG_NO_VIP ||
	       r == XLB_R_DROP_NO_TABLE_SLOT;
}

static const char *check_encap(const struct pkt *in, const struct bpfrun_result *r)
{
	uint32_t l3 = in->data[12] == 0x81 && in->data[13] == 0 ? 18 : 14, id = r->out[5];
	struct lb_encap e;
	struct pkt exp;

	if (r->out_len < 14 + 20 || memcmp(r->out, "\x02\x00\x00\x00\xbe", 5) || id >= 64 || !lb.be[id].family)
		return "encap: destination MAC is no configured backend's";
	e = (struct lb_encap){ .be = &lb.be[id], .ttl = lb.cfg.ttl };
	if (lb.be[id].family == XLB_AF_INET6)	/* the flow label is the flow hash: take it as sent */
		e.hash = (r->out[l3 + 1] & 0xf) << 16 | r->out[l3 + 2] << 8 | r->out[l3 + 3];
	lb_expect_encap_at(&exp, in->data, in->len, l3, &e);
	if (exp.len != r->out_len || memcmp(exp.data, r->out, exp.len))
		return "encap: frame differs from the input encapsulated to its backend";
	return NULL;
}

/* Sum of an L4 message with the pseudo header of the IP header at ip. */
static uint16_t l4_csum(const uint8_t *ip, int v6, const uint8_t *l4, uint32_t len, uint8_t proto)
{
	uint8_t ph[40] = { 0 };
	uint32_t n;

	if (!v6)
		return pkt_csum(l4, len, 0);	/* ICMPv4: no pseudo header */
	memcpy(ph, ip + 8, 32);
	ph[34] = len >> 8;
	ph[35] = len & 0xff;
	ph[39] = proto;
	n = pkt_csum_partial(ph, 40, 0);
	return pkt_csum(l4, len, n);
}

static const char *check_reply(const struct pkt *in, const struct bpfrun_result *r, uint32_t reason)
{
	uint32_t l3 = in->data[12] == 0x81 && in->data[13] == 0 ? 18 : 14;
	const uint8_t *ip = r->out + l3, *iin = in->data + l3;
	int v6 = (ip[0] >> 4) == 6;
	uint32_t hl = v6 ? 40 : (ip[0] & 0xf) * 4u, l3len;

	if (memcmp(r->out, in->data + 6, 6) || memcmp(r->out + 6, in->data, 6) ||
	    memcmp(r->out + 12, in->data + 12, l3 - 12))
		return "reply: MACs not swapped or VLAN tag not kept";
	if (memcmp(ip + (v6 ? 8 : 12), iin + (v6 ? 24 : 16), v6 ? 16 : 4) ||
	    memcmp(ip + (v6 ? 24 : 16), iin + (v6 ? 8 : 12), v6 ? 16 : 4))
		return "reply: not from the VIP to the client";
	l3len = v6 ? 40u + (ip[4] << 8 | ip[5]) : (uint32_t)(ip[2] << 8 | ip[3]);
	if (l3 + l3len > r->out_len)
		return "reply: IP length past the frame";
	if (!v6 && pkt_csum(ip, hl, 0) != 0 && reason == XLB_R_ICMP_PTB_SENT)
		return "reply: bad IPv4 header checksum";
	if (reason == XLB_R_ICMP_PTB_SENT) {
		const uint8_t *icmp = ip + hl;
		uint32_t q = l3len - hl - 8;

		if (l4_csum(ip, v6, icmp, l3len - hl, 58) != 0)
			return "PTB: bad ICMP checksum";
		if (v6 ? icmp[0] != 2 : (icmp[0] != 3 || icmp[1] != 4))
			return "PTB: wrong type/code";
		if (q % 4 || q > (v6 ? 1232u : 548u) || memcmp(icmp + 8, iin, q))
			return "PTB: quote is not the packet's first bytes";
		return NULL;
	}
	/* echo reply: valid checksums in -> valid out; L4 after any extension headers */
	uint32_t inhl = v6 ? 40 : (iin[0] & 0xf) * 4u;
	if (v6) {
		uint8_t nh = iin[6];

		while (nh == 0 || nh == 43 || nh == 60) {
			nh = iin[inhl];
			inhl += (iin[inhl + 1] + 1) * 8u;
		}
	}
	hl = inhl;
	if (!v6 && pkt_csum(iin, inhl, 0) == 0 && pkt_csum(ip, hl, 0) != 0)
		return "echo: IPv4 header checksum broken";
	if (l4_csum(iin, v6, iin + inhl, l3len - inhl, 58) == 0 && l4_csum(ip, v6, ip + hl, l3len - hl, 58) != 0)
		return "echo: ICMP checksum broken";
	if (ip[hl] != (v6 ? 129 : 0))
		return "echo: not an echo reply";
	if (memcmp(ip + hl + 4, iin + inhl + 4, l3len - hl - 4))
		return "echo: id/seq/data changed";
	return NULL;
}

int main(void)
{
	uint32_t v4[] = { 1, 2, 3 }, v6[] = { 11, 12, 13 };
	const char *s = getenv("XLB_FUZZ_SEED"), *ns = getenv("XLB_FUZZ_N");
	uint64_t seed = s ? strtoull(s, NULL, 0) : 1, n = ns ? strtoull(ns, NULL, 0) : 100000;
	uint64_t prev[XLB_R__COUNT], now[XLB_R__COUNT], counts[4] = { 0 }, per_reason[XLB_R__COUNT] = { 0 };
	int bad = 0, reason_bad = 0;

	lb_open(&lb, 65536);
	tap_diag("fuzz seed %llu, %llu frames (XLB_FUZZ_SEED / XLB_FUZZ_N to change)",
		 (unsigned long long)seed, (unsigned long long)n);
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	for (uint32_t i = 1; i <= 3; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.18.1.%u", i);
		lb_backend(&lb, i, a, "198.18.0.100");
		snprintf(a, sizeof(a), "2001:db8:1::%u", i);
		lb_backend(&lb, 10 + i, a, "2001:db8::100");
	}
	lb.be[2].mtu = 1000;
	lb.be[12].mtu = 1300;
	lb_push_backend(&lb, 2);
	lb_push_backend(&lb, 12);
	lb_backend(&lb, 20, "198.18.1.20", "198.18.0.100")->flags = XLB_BE_F_ACTIVE;
	lb_push_backend(&lb, 20);
	lb_vip(&lb, dst4[0], 80, IPPROTO_TCP, 0, 0, LB_TABLE_SIZE);
	lb_vip(&lb, dst4[0], 53, IPPROTO_UDP, 1, XLB_VIP_F_HASH_SRC, 13);
	lb_vip(&lb, dst4[1], 0, IPPROTO_TCP, 0, 0, LB_TABLE_SIZE);
	lb_vip(&lb, dst4[2], 80, IPPROTO_TCP, 2, 0, LB_TABLE_SIZE);
	lb_vip(&lb, dst4[3], 80, IPPROTO_TCP, 3, 0, 7);
	lb_vip(&lb, dst4[4], 80, IPPROTO_TCP, 4, 0, 7);
	lb_vip(&lb, dst6[0], 80, IPPROTO_TCP, 5, 0, LB_TABLE_SIZE);
	lb_vip(&lb, dst6[1], 0, IPPROTO_TCP, 5, 0, LB_TABLE_SIZE);
	lb_vip(&lb, dst6[1], 0, IPPROTO_UDP, 6, 0, LB_TABLE_SIZE);
	lb_vip(&lb, dst6[2], 80, IPPROTO_TCP, 6, 0, LB_TABLE_SIZE);
	for (int i = 0; i < 3; i++) {
		lb_marker(&lb, dst4[i]);
		lb_marker(&lb, dst6[i]);
	}
	lb_table(&lb, 0, v4, 3, NULL, LB_TABLE_SIZE);
	lb_table(&lb, 1, v4, 3, NULL, 13);
	lb_table(&lb, 2, v6, 3, NULL, LB_TABLE_SIZE);
	lb_table(&lb, 4, (uint32_t[]){ 20 }, 1, NULL, 7);
	lb_table(&lb, 5, v6, 3, NULL, LB_TABLE_SIZE);
	lb_table(&lb, 6, v4, 3, NULL, LB_TABLE_SIZE);

	lb_must(xlb_dp_read_u64_counters(lb.reasons, prev, XLB_R__COUNT), "read reasons");
	for (uint64_t i = 0; i < n; i++) {
		static struct bpfrun_result res;
		struct pkt in;
		const char *why = NULL;
		uint32_t reason = XLB_R__COUNT, moved = 0;

		static struct pkt last;		/* replaying a forwarded frame: conn hits */
		static int have_last;

		if (have_last && rn(8) == 0)
			in = last;
		else
			gen(&in);
		lb_must(bpfrun_xdp(lb.prog, in.data, in.len, 0, &res), "BPF_PROG_TEST_RUN");
		lb_must(xlb_dp_read_u64_counters(lb.reasons, now, XLB_R__COUNT), "read reasons");
		for (int r = 0; r < XLB_R__COUNT; r++) {
			moved += now[r] - prev[r];
			if (now[r] != prev[r])
				reason = r;
			prev[r] = now[r];
		}
		if (moved != 1) {
			reason_bad++;
			why = "not exactly one reason counted";
		} else if (res.verdict == XDP_PASS && is_pass(reason)) {
			counts[0]++;
			if (res.out_len != in.len || memcmp(res.out, in.data, in.len))
				why = "pass: frame changed";
		} else if (res.verdict == XDP_DROP && is_drop(reason)) {
			counts[1]++;
		} else if ((res.verdict == XDP_TX && reason == XLB_R_TX) ||
			   (res.verdict == XDP_REDIRECT && reason == XLB_R_REDIRECT)) {
			counts[2]++;
			why = check_encap(&in, &res);
			last = in;
			have_last = 1;
		} else if (res.verdict == XDP_TX &&
			   (reason == XLB_R_ICMP_ECHO_REPLY || reason == XLB_R_ICMP_PTB_SENT)) {
			counts[3]++;
			why = check_reply(&in, &res, reason);
		} else {
			why = "verdict and reason do not match any allowed outcome";
		}
		if (reason < XLB_R__COUNT)
			per_reason[reason]++;
		if (why && bad++ < 5) {
			tap_diag("frame %llu: %s (verdict %u, reason %s)", (unsigned long long)i, why,
				 res.verdict, reason < XLB_R__COUNT ? xlb_reason_str(reason) : "none");
			pkt_hexdump("#   in  ", in.data, in.len);
			pkt_hexdump("#   out ", res.out, res.out_len);
		}
	}
	for (int r = 0; r < XLB_R__COUNT; r++)
		tap_diag("reason %-20s %llu", xlb_reason_str(r), (unsigned long long)per_reason[r]);
	tap_eq_u32(reason_bad, 0, "fuzz: every frame counted exactly one reason");
	tap_eq_u32(bad, 0, "fuzz: every one of %llu frames passed unchanged, dropped with a reason, "
		   "encapsulated correctly or answered with valid ICMP", (unsigned long long)n);
	tap_ok(counts[0] && counts[1] && counts[2] && counts[3],
	       "fuzz: all four outcomes seen (pass %llu, drop %llu, encap %llu, icmp reply %llu)",
	       (unsigned long long)counts[0], (unsigned long long)counts[1],
	       (unsigned long long)counts[2], (unsigned long long)counts[3]);
	tap_ok(per_reason[XLB_R_ICMP_PTB_SENT] && per_reason[XLB_R_ICMP_ECHO_REPLY] &&
	       per_reason[XLB_R_DROP_TRUNCATED] && per_reason[XLB_R_DROP_BAD_L3],
	       "fuzz: PTB, echo, truncated and bad-L3 paths all reached");
	uint64_t ev[XLB_E__COUNT];
	lb_must(xlb_dp_read_u64_counters(lb.events, ev, XLB_E__COUNT), "read events");
	tap_ok(ev[XLB_E_ICMP_STEERED] && ev[XLB_E_FRAGMENT] && ev[XLB_E_IPV6_EXT_HDRS] && ev[XLB_E_IPV4_OPTIONS] &&
	       ev[XLB_E_VLAN] && ev[XLB_E_CONN_HIT],
	       "fuzz: ICMP steering, fragment, extension-header, options, VLAN and conn-hit paths reached "
	       "(%llu, %llu, %llu, %llu, %llu, %llu)",
	       (unsigned long long)ev[XLB_E_ICMP_STEERED], (unsigned long long)ev[XLB_E_FRAGMENT],
	       (unsigned long long)ev[XLB_E_IPV6_EXT_HDRS], (unsigned long long)ev[XLB_E_IPV4_OPTIONS],
	       (unsigned long long)ev[XLB_E_VLAN], (unsigned long long)ev[XLB_E_CONN_HIT]);
	lb_close(&lb);
	return tap_done();
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * icmp.h - ICMP/ICMPv6 that reaches a VIP address, and the ICMP the
 * balancer sends.
 *
 *  - Echo request to an address with a marker VIP: echo reply from the LB,
 *    in place (MACs and addresses swapped, TTL = config.ttl), XDP_TX,
 *    ICMP_ECHO_REPLY.
 *  - Errors (v4: destination unreachable incl. frag-needed, time exceeded;
 *    v6: destination unreachable, packet too big, time exceeded) whose quoted
 *    packet is VIP -> client TCP/UDP: pkt->flow becomes the quoted header
 *    reversed (client -> VIP), pkt->icmp_err is set, and the caller steers
 *    the whole ICMP packet like a data packet of that flow (ICMP_STEERED).
 *  - Anything else: PASS_ICMP (the host's stack handles it).
 *  - Too big after encapsulation: xlb_send_ptb() turns the frame into ICMP
 *    frag-needed / packet-too-big from the VIP to the client (XDP_TX,
 *    ICMP_PTB_SENT), quoting the packet's first bytes (IPv4: up to 576 bytes
 *    in all, RFC 1812; IPv6: up to 1280, RFC 4443), rounded down to 4 bytes.
 * Return convention: see common.h.
 */
#ifndef XLB_BPF_ICMP_H
#define XLB_BPF_ICMP_H

#include "headers.h"
#include "stats.h"
#include "vip.h"

#define XLB_PTB_QUOTE4	(576 - 20 - 8)
#define XLB_PTB_QUOTE6	(1280 - 40 - 8)

static __always_inline int xlb_echo_reply(struct xdp_md *xdp, struct xlb_pkt *pkt, __u8 ttl)
{
	void *data = (void *)(long)xdp->data;
	void *data_end = (void *)(long)xdp->data_end;
	struct ethhdr *eth = data;
	/* offsets come back from the stack without their bounds: re-bound
	 * them so the verifier accepts data + off (values are unchanged) */
	void *l3 = data + (pkt->l3_off & XLB_MAX_FRAME);
	__u16 *icmp = data + (pkt->l4_off & XLB_MAX_FRAME);
	__u8 mac[ETH_ALEN];
	__u16 old;

	if ((void *)(eth + 1) > data_end || (void *)(icmp + 2) > data_end)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_TRUNCATED);
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	if (xlb_is_v6(pkt)) {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end)
			return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_TRUNCATED);
		__builtin_memcpy(&ip6->saddr, pkt->flow.dst, 16);
		__builtin_memcpy(&ip6->daddr, pkt->flow.src, 16);
		ip6->hop_limit = ttl;
		/* swapped addresses leave the pseudo-header sum unchanged */
		old = icmp[0];
		((__u8 *)icmp)[0] = ICMPV6_ECHO_REPLY;
	} else {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > data_end)
			return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_TRUNCATED);
		ip->saddr = pkt->flow.dst[0];
		ip->daddr = pkt->flow.src[0];
		old = ((__u16 *)ip)[4];		/* ttl, protocol */
		ip->ttl = ttl;
		xlb_csum_replace16(&ip->check, old, ((__u16 *)ip)[4]);
		old = icmp[0];
		((__u8 *)icmp)[0] = ICMP_ECHOREPLY;
	}
	xlb_csum_replace16((__sum16 *)&icmp[1], old, icmp[0]);
	return xlb_verdict(pkt, XDP_TX, XLB_R_ICMP_ECHO_REPLY);
}

static __always_inline int xlb_icmp_is_error(const struct xlb_pkt *pkt)
{
	__u8 t = pkt->icmp_type;

	if (xlb_is_v6(pkt))
		return t == ICMPV6_DEST_UNREACH || t == ICMPV6_PKT_TOOBIG || t == ICMPV6_TIME_EXCEED;
	return t == ICMP_DEST_UNREACH || t == ICMP_TIME_EXCEEDED;
}

/* pkt->flow := the quoted VIP -> client header, reversed. */
static __always_inline int xlb_icmp_quoted_flow(struct xlb_pkt *pkt, void *data, void *data_end)
{
	void *q = data + (pkt->l4_off & XLB_MAX_FRAME) + 8;	/* bound: see xlb_echo_reply */
	__be16 *ports;
	__u8 proto;

	if (xlb_is_v6(pkt)) {
		struct ipv6hdr *in6 = q;

		if ((void *)(in6 + 1) > data_end || (*(__u8 *)in6 >> 4) != 6)
			return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_ICMP);
		proto = in6->nexthdr;
		ports = (void *)(in6 + 1);
		if ((void *)(ports + 2) > data_end)
			return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_ICMP);
		__builtin_memcpy(pkt->flow.src, &in6->daddr, 16);
		__builtin_memcpy(pkt->flow.dst, &in6->saddr, 16);
	} else {
		struct iphdr *in = q;
		__u32 ihl;

		if ((void *)(in + 1) > data_end)
			return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_ICMP);
		ihl = (*(__u8 *)in & 0xf) * 4;
		if ((*(__u8 *)in >> 4) != 4 || ihl < sizeof(*in) ||
		    (in->frag_off & bpf_htons(XLB_IP_OFFSET)))
			return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_ICMP);
		proto = in->protocol;
		ports = q + ihl;
		if ((void *)(ports + 2) > data_end)
			return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_ICMP);
		pkt->flow.src[0] = in->daddr;
		pkt->flow.dst[0] = in->saddr;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_ICMP);
	pkt->flow.proto = proto;
	pkt->flow.sport = ports[1];
	pkt->flow.dport = ports[0];
	pkt->icmp_err = 1;
	return XLB_CONTINUE;
}

/* ICMP to the host or a VIP: a verdict, or XLB_CONTINUE with *out = the VIP to steer to.
 * A subprogram (noinline): cold, and out of the data path's instruction cache. */
static __noinline int xlb_icmp_in(struct xdp_md *xdp, struct xlb_pkt *pkt, struct xlb_vip **out)
{
	void *data = (void *)(long)xdp->data;
	void *data_end = (void *)(long)xdp->data_end;
	__u8 echo = xlb_is_v6(pkt) ? ICMPV6_ECHO_REQUEST : ICMP_ECHO;
	struct xlb_vip *vip;
	int rc;

	if (pkt->icmp_type == echo) {
		__u32 key = 0;
		struct xlb_config *cfg = bpf_map_lookup_elem(&config, &key);

		if (cfg && xlb_vip_marker(pkt))
			return xlb_echo_reply(xdp, pkt, cfg->ttl);
		return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_ICMP);
	}
	if (!xlb_icmp_is_error(pkt))
		return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_ICMP);
	rc = xlb_icmp_quoted_flow(pkt, data, data_end);
	if (rc != XLB_CONTINUE)
		return rc;
	vip = xlb_vip_lookup(pkt);
	if (!vip)
		return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_ICMP);
	xlb_event(XLB_E_ICMP_STEERED);
	*out = vip;
	return XLB_CONTINUE;
}

/*
 * Checksum of len bytes at p (len a multiple of 4, < 2048). bpf_csum_diff
 * takes at most 512 bytes and the verifier must see the whole size inside
 * the packet, which it cannot for a variable size: so the length is summed
 * in constant power-of-two pieces, each bounds-checked on its own.
 */
#define XLB_CSUM_PIECE(n)							\
	if (len & (n)) {							\
		if (p + (n) > (__u8 *)data_end)					\
			return -1;						\
		sum = bpf_csum_diff(NULL, 0, (void *)p, (n), sum);		\
		p += (n);							\
	}

static __always_inline __s64 xlb_csum_bytes(__u8 *p, void *data_end, __u32 len, __u32 sum)
{
	if (len & 1024) {
		if (p + 1024 > (__u8 *)data_end)
			return -1;
		sum = bpf_csum_diff(NULL, 0, (void *)p, 512, sum);
		sum = bpf_csum_diff(NULL, 0, (void *)(p + 512), 512, sum);
		p += 1024;
	}
	XLB_CSUM_PIECE(512)
	XLB_CSUM_PIECE(256)
	XLB_CSUM_PIECE(128)
	XLB_CSUM_PIECE(64)
	XLB_CSUM_PIECE(32)
	XLB_CSUM_PIECE(16)
	XLB_CSUM_PIECE(8)
	XLB_CSUM_PIECE(4)
	return sum;
}

/* Reply "too big, use next_mtu" to the client, in place of the frame.
 * A subprogram (noinline): cold, and its checksum pieces are most of the program. */
static __noinline int xlb_send_ptb(struct xdp_md *xdp, struct xlb_pkt *pkt,
					const struct xlb_config *cfg, __u32 next_mtu)
{
	void *data = (void *)(long)xdp->data;
	void *data_end = (void *)(long)xdp->data_end;
	int v6 = xlb_is_v6(pkt);
	__u32 max_quote = v6 ? XLB_PTB_QUOTE6 : XLB_PTB_QUOTE4;
	__u32 quote = (pkt->l3_len < max_quote ? pkt->l3_len : max_quote) & ~3u;
	__u32 hdr = (v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr)) + 8;
	struct xlb_ip_spec s = {
		.src = pkt->flow.dst,	/* the VIP */
		.dst = pkt->flow.src,	/* the client */
		.payload_len = 8 + quote,
		.proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
		.ttl = cfg->ttl,
	};
	struct ethhdr *eth = data;
	__be32 pseudo[2] = { bpf_htonl(8 + quote), bpf_htonl(IPPROTO_ICMPV6) };
	__u8 mac[2 * ETH_ALEN];	/* reply dst, src */
	__u8 *icmp;
	__s64 sum = 0;
	int l2, l3;

	if ((void *)(eth + 1) > data_end)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_TRUNCATED);
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(mac + ETH_ALEN, eth->h_dest, ETH_ALEN);
	/* frame length: pointer minus pointer is allowed for privileged
	 * loaders only, which an XDP program's loader always is */
	if (bpf_xdp_adjust_tail(xdp, (int)(pkt->l3_off + quote) - (int)(data_end - data)) ||
	    bpf_xdp_adjust_head(xdp, -(int)hdr))
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_ENCAP_FAILED);
	data = (void *)(long)xdp->data;
	data_end = (void *)(long)xdp->data_end;
	l2 = xlb_write_l2(data, data_end, mac, mac + ETH_ALEN, pkt,
			  v6 ? bpf_htons(ETH_P_IPV6) : bpf_htons(ETH_P_IP));
	if (l2 < 0)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_ENCAP_FAILED);
	l3 = xlb_write_ip(data + l2, data_end, pkt->flow.family, &s);
	if (l3 < 0)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_ENCAP_FAILED);
	icmp = data + l2 + l3;
	if ((void *)(icmp + 8) > data_end)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_ENCAP_FAILED);
	*(__u64 *)icmp = 0;
	if (v6) {
		struct ipv6hdr *ip6 = data + l2;

		/* checked again: the verifier does not tie v6 here to the
		 * family xlb_write_ip() branched on (two loads of it) */
		if ((void *)(ip6 + 1) > data_end)
			return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_ENCAP_FAILED);
		icmp[0] = ICMPV6_PKT_TOOBIG;
		*(__be32 *)(icmp + 4) = bpf_htonl(next_mtu);
		sum = bpf_csum_diff(NULL, 0, (void *)&ip6->saddr, 32, 0);
		sum = bpf_csum_diff(NULL, 0, pseudo, sizeof(pseudo), sum);
	} else {
		icmp[0] = ICMP_DEST_UNREACH;
		icmp[1] = ICMP_FRAG_NEEDED;
		*(__be16 *)(icmp + 6) = bpf_htons(next_mtu);
	}
	sum = bpf_csum_diff(NULL, 0, (void *)icmp, 8, sum);
	sum = xlb_csum_bytes(icmp + 8, data_end, quote, sum);
	if (sum < 0)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_ENCAP_FAILED);
	*(__sum16 *)(icmp + 2) = xlb_csum_fold((__u32)sum);
	return xlb_verdict(pkt, XDP_TX, XLB_R_ICMP_PTB_SENT);
}

#endif /* XLB_BPF_ICMP_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * parse.h - parse a frame once into struct xlb_pkt: Ethernet (+ one 802.1Q
 * tag), IPv4 (any valid IHL) or IPv6 (extension headers walked up to
 * XLB_MAX_IPV6_EXT_HDRS), then TCP/UDP ports or the ICMP/ICMPv6 type.
 * Only the L3 parsers differ per family; everything after sees the flow.
 *
 * Returns XLB_CONTINUE with pkt filled, or a verdict with pkt->reason:
 *   PASS  PASS_NOT_IP (not IPv4/IPv6), PASS_UNKNOWN_PROTO (not TCP/UDP/ICMP
 *         of the family), PASS_IPV6_EXT_CHAIN (too many extension headers)
 *   DROP  DROP_TRUNCATED (frame or IP-declared length ends inside a header),
 *         DROP_BAD_L3 (IP version/IHL wrong, IP length past the frame)
 * Fragments (IPv4 MF/offset, IPv6 fragment header) stop at L3: pkt->frag is
 * set, the protocol is known and the ports stay 0 (3-tuple steering).
 * Events are not counted here: the caller counts them for VIP packets only,
 * so non-VIP traffic pays no counter lookups.
 */
#ifndef XLB_BPF_PARSE_H
#define XLB_BPF_PARSE_H

#include "common.h"

/* After L3: the ports (TCP/UDP) or type (ICMP) at off, within the IP-declared length. */
static __always_inline int xlb_parse_l4(struct xlb_pkt *pkt, void *data, void *data_end,
					__u8 proto, __u32 off)
{
	__u32 l3_end = pkt->l3_off + pkt->l3_len;
	__u8 icmp = xlb_is_v6(pkt) ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	__u32 need;
	__u8 *l4;

	pkt->flow.proto = proto;
	pkt->l4_off = off;
	if (pkt->frag)
		return XLB_CONTINUE;
	if (proto == IPPROTO_TCP)
		need = sizeof(struct tcphdr);
	else if (proto == IPPROTO_UDP || proto == icmp)
		need = 8;
	else
		return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_UNKNOWN_PROTO);
	if (off + need > l3_end)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_TRUNCATED);
	/* l3_end <= frame end was checked, but the verifier needs its own
	 * check of the bytes read (constant size on a bounded offset) */
	l4 = data + (off & XLB_MAX_FRAME);
	if (l4 + 8 > (__u8 *)data_end)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_TRUNCATED);
	if (proto == icmp) {
		pkt->icmp_type = l4[0];
		return XLB_CONTINUE;
	}
	pkt->flow.sport = ((__be16 *)l4)[0];
	pkt->flow.dport = ((__be16 *)l4)[1];
	if (proto == IPPROTO_TCP) {
		/* flags at byte 13: inside the 20 bytes checked against
		 * l3_end, but again the verifier wants its own check */
		if (l4 + 14 > (__u8 *)data_end)
			return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_TRUNCATED);
		pkt->tcp_flags = l4[13];
	}
	return XLB_CONTINUE;
}

static __always_inline int xlb_parse_ipv4(struct xlb_pkt *pkt, void *data, void *data_end)
{
	struct iphdr *ip = data + pkt->l3_off;
	__u32 ihl, tot;
	__u8 vihl;

	if ((void *)(ip + 1) > data_end)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_TRUNCATED);
	vihl = *(__u8 *)ip;
	ihl = (vihl & 0xf) * 4;
	tot = bpf_ntohs(ip->tot_len);
	if ((vihl >> 4) != 4 || ihl < sizeof(*ip) || tot < ihl || tot > XLB_MAX_FRAME)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_BAD_L3);
	if ((void *)ip + tot > data_end)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_BAD_L3);
	pkt->flow.family = XLB_AF_INET;
	pkt->flow.src[0] = ip->saddr;
	pkt->flow.dst[0] = ip->daddr;
	pkt->l3_len = tot;
	pkt->tos = ip->tos;
	pkt->df = !!(ip->frag_off & bpf_htons(XLB_IP_DF));
	pkt->frag = !!(ip->frag_off & bpf_htons(XLB_IP_MF | XLB_IP_OFFSET));
	pkt->ip_opts = ihl > sizeof(*ip);
	return xlb_parse_l4(pkt, data, data_end, ip->protocol, pkt->l3_off + ihl);
}

/* Extension headers with the generic (next, length in 8-octet units) layout. */
static __always_inline int xlb_ipv6_is_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_AH || nh == IPPROTO_MH ||
	       nh == 139 /* HIP */ || nh == 140 /* Shim6 */ || nh == 253 || nh == 254;
}

static __always_inline int xlb_parse_ipv6(struct xlb_pkt *pkt, void *data, void *data_end)
{
	struct ipv6hdr *ip6 = data + pkt->l3_off;
	__u32 plen, off, l3_end;
	__u8 nh;

	if ((void *)(ip6 + 1) > data_end)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_TRUNCATED);
	plen = bpf_ntohs(ip6->payload_len);
	if ((*(__u8 *)ip6 >> 4) != 6 || plen > XLB_MAX_FRAME)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_BAD_L3);
	if ((void *)(ip6 + 1) + plen > data_end)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_BAD_L3);
	pkt->flow.family = XLB_AF_INET6;
	__builtin_memcpy(pkt->flow.src, &ip6->saddr, 16);
	__builtin_memcpy(pkt->flow.dst, &ip6->daddr, 16);
	pkt->l3_len = sizeof(*ip6) + plen;
	pkt->tos = bpf_ntohl(*(__be32 *)ip6) >> 20;
	pkt->df = 1;
	nh = ip6->nexthdr;
	off = pkt->l3_off + sizeof(*ip6);
	l3_end = pkt->l3_off + pkt->l3_len;
	/* the common case (no extension header) leaves at the first test */
	for (int i = 0; i < XLB_MAX_IPV6_EXT_HDRS && xlb_ipv6_is_ext(nh); i++) {
		__u8 *h;

		/* every extension header is >= 8 bytes; off stays bounded by
		 * this check, which the verifier needs on each iteration */
		if (off + 8 > l3_end || off > XLB_MAX_FRAME)
			return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_TRUNCATED);
		h = data + off;
		if (h + 8 > (__u8 *)data_end)
			return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_TRUNCATED);
		pkt->ext_hdrs = 1;
		if (nh == IPPROTO_FRAGMENT) {
			/* all fragments carry the same next header here:
			 * steer them all by the 3-tuple, ports unknown */
			pkt->frag = 1;
			nh = h[0];
			off += 8;
			break;
		}
		off += nh == IPPROTO_AH ? ((__u32)h[1] + 2) * 4 : ((__u32)h[1] + 1) * 8;
		nh = h[0];
	}
	if (!pkt->frag && xlb_ipv6_is_ext(nh))
		return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_IPV6_EXT_CHAIN);
	return xlb_parse_l4(pkt, data, data_end, nh, off);
}

static __always_inline int xlb_parse(struct xdp_md *xdp, struct xlb_pkt *pkt)
{
	void *data = (void *)(long)xdp->data;
	void *data_end = (void *)(long)xdp->data_end;
	struct ethhdr *eth = data;
	__be16 proto;

	if ((void *)(eth + 1) > data_end)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_TRUNCATED);
	proto = eth->h_proto;
	pkt->l3_off = sizeof(*eth);
	if (proto == bpf_htons(ETH_P_8021Q)) {
		struct xlb_vlan_hdr *vh = (void *)(eth + 1);

		if ((void *)(vh + 1) > data_end)
			return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_TRUNCATED);
		pkt->has_vlan = 1;
		pkt->vlan_tci = vh->tci;
		proto = vh->encap_proto;
		pkt->l3_off += sizeof(*vh);
	}
	if (proto == bpf_htons(ETH_P_IP))
		return xlb_parse_ipv4(pkt, data, data_end);
	if (proto == bpf_htons(ETH_P_IPV6))
		return xlb_parse_ipv6(pkt, data, data_end);
	return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_NOT_IP);
}

/* IPv4 224/4 and up (multicast, class E, broadcast); IPv6 ff00::/8. */
static __always_inline int xlb_dst_is_multicast(const struct xlb_pkt *pkt)
{
	if (xlb_is_v6(pkt))
		return (bpf_ntohl(pkt->flow.dst[0]) >> 24) == 0xff;
	return (bpf_ntohl(pkt->flow.dst[0]) >> 28) >= 0xe;
}

#endif /* XLB_BPF_PARSE_H */

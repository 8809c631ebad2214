/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * decap.h - recognise and strip one tunnel header on a real server:
 * IPv4-in-IPv4 (protocol 4), IPv6-in-IPv4 (41), IPv4-in-IPv6 (next header
 * 4) and IPv6-in-IPv6 (41), after Ethernet and at most one 802.1Q tag.
 *
 * Return convention: each helper returns an enum xlb_decap_reason to stop
 * with, or XLB_CONTINUE (-1) to go on. xlb_decap_verdict() maps a reason to
 * its verdict (only DROP_* drop). Nothing is written to the frame before
 * the last check has passed: a packet that is not decapsulated leaves
 * exactly as it came.
 */
#ifndef XLB_BPF_DECAP_H
#define XLB_BPF_DECAP_H

#include "common.h"
#include "headers.h"
#include "xlb_decap.h"

#define XLB_ECN_MASK	0x3
#define XLB_ECN_CE	0x3

/* What the outer headers say. */
struct xlb_tunnel {
	struct xlb_addr_key outer_dst;	/* allow-list key; pad zero */
	__u32 l2_len;		/* 14, or 18 with a VLAN tag */
	__u32 outer_len;	/* outer IP header bytes to strip */
	__u32 l3_len;		/* IP-declared length of the outer packet */
	__u8 inner_proto;	/* IPPROTO_IPIP (IPv4 inside) or IPPROTO_IPV6 */
	__u8 outer_ecn;
	__u8 frag;		/* outer IPv4 MF or fragment offset set */
	__u8 has_vlan;
};

static __always_inline int xlb_decap_verdict(int reason)
{
	return reason == XLB_D_DROP_TRUNCATED || reason == XLB_D_DROP_FAILED ? XDP_DROP : XDP_PASS;
}

static __always_inline int xlb_decap_is_tunnel_proto(__u8 proto)
{
	return proto == IPPROTO_IPIP || proto == IPPROTO_IPV6;
}

/* Outer L2 + L3. Anything that is not a well-formed tunnel header is
 * PASS_NOT_TUNNEL: the stack judges it as it would without xlb. */
static __always_inline int xlb_decap_parse_outer(void *data, void *data_end, struct xlb_tunnel *t)
{
	struct ethhdr *eth = data;
	__be16 proto;

	if ((void *)(eth + 1) > data_end)
		return XLB_D_PASS_NOT_TUNNEL;
	proto = eth->h_proto;
	t->l2_len = sizeof(*eth);
	if (proto == bpf_htons(ETH_P_8021Q)) {
		struct xlb_vlan_hdr *vh = (void *)(eth + 1);

		if ((void *)(vh + 1) > data_end)
			return XLB_D_PASS_NOT_TUNNEL;
		proto = vh->encap_proto;
		t->l2_len += sizeof(*vh);
		t->has_vlan = 1;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + t->l2_len;
		__u8 vihl;

		if ((void *)(ip + 1) > data_end)
			return XLB_D_PASS_NOT_TUNNEL;
		vihl = *(__u8 *)ip;
		if ((vihl >> 4) != 4 || (vihl & 0xf) < 5 || !xlb_decap_is_tunnel_proto(ip->protocol))
			return XLB_D_PASS_NOT_TUNNEL;
		t->outer_dst.family = XLB_AF_INET;
		t->outer_dst.addr[0] = ip->daddr;
		t->outer_len = (vihl & 0xf) * 4;
		t->l3_len = bpf_ntohs(ip->tot_len);
		t->inner_proto = ip->protocol;
		t->outer_ecn = ip->tos & XLB_ECN_MASK;
		t->frag = !!(ip->frag_off & bpf_htons(XLB_IP_MF | XLB_IP_OFFSET));
		return XLB_CONTINUE;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + t->l2_len;

		if ((void *)(ip6 + 1) > data_end)
			return XLB_D_PASS_NOT_TUNNEL;
		/* an outer extension header is not something xlb sends */
		if ((*(__u8 *)ip6 >> 4) != 6 || !xlb_decap_is_tunnel_proto(ip6->nexthdr))
			return XLB_D_PASS_NOT_TUNNEL;
		t->outer_dst.family = XLB_AF_INET6;
		__builtin_memcpy(t->outer_dst.addr, &ip6->daddr, 16);
		t->outer_len = sizeof(*ip6);
		t->l3_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
		t->inner_proto = ip6->nexthdr;
		t->outer_ecn = (bpf_ntohl(*(__be32 *)ip6) >> 20) & XLB_ECN_MASK;
		return XLB_CONTINUE;
	}
	return XLB_D_PASS_NOT_TUNNEL;
}

/*
 * The inner header: complete within the outer IP-declared length and
 * within the frame (else DROP_TRUNCATED), of the version the outer
 * protocol announced (else PASS_BAD_INNER). Propagates an outer ECN CE
 * mark into an ECN-capable inner header (RFC 6040), the one inner change.
 */
static __always_inline int xlb_decap_check_inner(void *data, void *data_end, const struct xlb_tunnel *t)
{
	__u32 inner_off = t->l2_len + t->outer_len;
	__u32 need = t->inner_proto == IPPROTO_IPIP ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	__u8 *inner;

	if (t->l3_len > XLB_MAX_FRAME || t->l3_len < t->outer_len + need)
		return XLB_D_DROP_TRUNCATED;
	/* l2_len + l3_len <= 18 + XLB_MAX_FRAME: the verifier accepts the
	 * bounded offset, and the frame must hold every declared byte */
	if (data + t->l2_len + t->l3_len > data_end)
		return XLB_D_DROP_TRUNCATED;
	inner = data + (inner_off & 0xff);	/* <= 18 + 60: bounded for the verifier */
	if (t->inner_proto == IPPROTO_IPIP) {
		struct iphdr *ip = (void *)inner;

		if ((void *)(ip + 1) > data_end)
			return XLB_D_DROP_TRUNCATED;
		if ((*inner >> 4) != 4)
			return XLB_D_PASS_BAD_INNER;
		if (t->outer_ecn == XLB_ECN_CE && (ip->tos & XLB_ECN_MASK) &&
		    (ip->tos & XLB_ECN_MASK) != XLB_ECN_CE) {
			__u16 old = *(__u16 *)ip;

			ip->tos |= XLB_ECN_CE;
			xlb_csum_replace16(&ip->check, old, *(__u16 *)ip);
		}
		return XLB_CONTINUE;
	}
	struct ipv6hdr *ip6 = (void *)inner;

	if ((void *)(ip6 + 1) > data_end)
		return XLB_D_DROP_TRUNCATED;
	if ((*inner >> 4) != 6)
		return XLB_D_PASS_BAD_INNER;
	/* traffic class straddles bytes 0-1; ECN = bits 4-5 of byte 1 */
	if (t->outer_ecn == XLB_ECN_CE && (inner[1] >> 4 & XLB_ECN_MASK))
		inner[1] |= XLB_ECN_CE << 4;
	return XLB_CONTINUE;
}

/*
 * Move the L2 header (with its VLAN tag) forward over the outer IP header,
 * shrink the frame from the front, and set the ethertype to the inner
 * family's. Returns XLB_D_DECAP or XLB_D_DROP_FAILED.
 */
static __always_inline int xlb_decap_strip(struct xdp_md *ctx, const struct xlb_tunnel *t)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__be16 inner_eth = t->inner_proto == IPPROTO_IPIP ? bpf_htons(ETH_P_IP) : bpf_htons(ETH_P_IPV6);
	struct ethhdr eth;
	struct xlb_vlan_hdr vh = {};

	if (data + sizeof(eth) + sizeof(vh) > data_end)
		return XLB_D_DROP_FAILED;
	__builtin_memcpy(&eth, data, sizeof(eth));
	if (t->has_vlan)
		__builtin_memcpy(&vh, data + sizeof(eth), sizeof(vh));
	if (bpf_xdp_adjust_head(ctx, (int)t->outer_len))
		return XLB_D_DROP_FAILED;
	/* the old packet pointers are invalid after adjust_head */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(eth) + sizeof(vh) > data_end)
		return XLB_D_DROP_FAILED;
	if (t->has_vlan) {
		vh.encap_proto = inner_eth;
		__builtin_memcpy(data + sizeof(eth), &vh, sizeof(vh));
	} else {
		eth.h_proto = inner_eth;
	}
	__builtin_memcpy(data, &eth, sizeof(eth));
	return XLB_D_DECAP;
}

#endif /* XLB_BPF_DECAP_H */

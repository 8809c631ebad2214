/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * headers.h - write the headers xlb sends: an L2 header (Ethernet, keeping
 * the frame's 802.1Q tag) and one IPv4 or IPv6 header (the only
 * family-specific builder), plus the checksum helpers they need.
 * Checksums here are computed over memory as it is, so values are stored
 * without byte swapping (like the kernel's csum_fold).
 */
#ifndef XLB_BPF_HEADERS_H
#define XLB_BPF_HEADERS_H

#include "common.h"

static __always_inline __u16 xlb_csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* RFC 1624 incremental update of a checksum for one 16-bit word change. */
static __always_inline void xlb_csum_replace16(__sum16 *csum, __u16 old, __u16 new)
{
	__u64 sum = (__u16)~*csum + (__u16)~old + (__u64)new;

	*csum = xlb_csum_fold(sum);
}

/*
 * Ethernet header at data: dst, src, the frame's VLAN tag if it had one,
 * ethertype of l3_proto. Returns the L2 length (14 or 18) or -1.
 */
static __always_inline int xlb_write_l2(void *data, void *data_end, const __u8 *dmac,
					const __u8 *smac, const struct xlb_pkt *pkt, __be16 l3_proto)
{
	struct ethhdr *eth = data;
	struct xlb_vlan_hdr *vh = (void *)(eth + 1);

	if ((void *)(vh + 1) > data_end)
		return -1;
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, smac, ETH_ALEN);
	if (!pkt->has_vlan) {
		eth->h_proto = l3_proto;
		return sizeof(*eth);
	}
	eth->h_proto = bpf_htons(ETH_P_8021Q);
	vh->tci = pkt->vlan_tci;
	vh->encap_proto = l3_proto;
	return sizeof(*eth) + sizeof(*vh);
}

/* What an IP header says; addresses are 16-byte xlb addresses. */
struct xlb_ip_spec {
	const __be32 *src;
	const __be32 *dst;
	__u16 payload_len;	/* bytes after this header */
	__u8 proto;		/* IPv4 protocol / IPv6 next header */
	__u8 tos;		/* TOS / traffic class */
	__u8 ttl;
	__u8 df;		/* IPv4 only */
	__u32 flow_label;	/* IPv6 only, 20 bits */
};

/* IPv4 (20 bytes, id 0, checksum) or IPv6 (40 bytes) header at ip.
 * Returns the header length, or -1 if it would pass data_end. */
static __always_inline int xlb_write_ip(void *ip, void *data_end, __u8 family,
					const struct xlb_ip_spec *s)
{
	if (family == XLB_AF_INET6) {
		struct ipv6hdr *ip6 = ip;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		*(__be32 *)ip6 = bpf_htonl(6u << 28 | (__u32)s->tos << 20 | (s->flow_label & 0xfffff));
		ip6->payload_len = bpf_htons(s->payload_len);
		ip6->nexthdr = s->proto;
		ip6->hop_limit = s->ttl;
		__builtin_memcpy(&ip6->saddr, s->src, 16);
		__builtin_memcpy(&ip6->daddr, s->dst, 16);
		return sizeof(*ip6);
	}
	struct iphdr *ip4 = ip;
	__be16 w0 = bpf_htons(0x4500 | s->tos), len = bpf_htons(s->payload_len + sizeof(*ip4));
	__be16 frag = s->df ? bpf_htons(XLB_IP_DF) : 0, w4 = bpf_htons((__u16)s->ttl << 8 | s->proto);
	__be32 saddr = s->src[0], daddr = s->dst[0];
	__u64 sum;

	if ((void *)(ip4 + 1) > data_end)
		return -1;
	/* the checksum from the values, not from the header just written:
	 * 16-bit loads over 8/16/32-bit stores stall store forwarding. The
	 * sum of the header's 16-bit words as memory holds them, either
	 * byte order (the id and checksum words are 0). */
	sum = (__u64)w0 + len + frag + w4 + (saddr & 0xffff) + (saddr >> 16) +
	      (daddr & 0xffff) + (daddr >> 16);
	*(__be16 *)ip4 = w0;
	ip4->tot_len = len;
	ip4->id = 0;
	ip4->frag_off = frag;
	*(__be16 *)&ip4->ttl = w4;
	ip4->check = xlb_csum_fold(sum);
	ip4->saddr = saddr;
	ip4->daddr = daddr;
	return sizeof(*ip4);
}

#endif /* XLB_BPF_HEADERS_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hc_tunnel.h - tunnel health checks at tc egress: a packet of xlbd's probe
 * socket (skb->mark = XLB_HC_MARK(backend_id)) is encapsulated to
 * backends[backend_id] exactly as the balancer sends data (outer header by
 * headers.h's xlb_write_ip: source backend.src, destination backend.addr,
 * IPIP / IPv6 / 4in6 / 6in4, inner DSCP, DF), with the backend's MACs, and
 * redirected out of backend.ifindex. So the probe reaches the backend's
 * service through the decap with the VIP as destination, and only a backend
 * that really serves the VIP (VIP on lo + decap) answers. Its reply goes
 * straight back (DSR) to the LB's own address.
 *
 * The mark is cleared once the packet is encapsulated, so an egress hook on
 * the next interface leaves it alone. Results are counted per CPU in
 * hc_stats[enum xlb_hc_tc]; returns a TC_ACT_* verdict.
 */
#ifndef XLB_BPF_HC_TUNNEL_H
#define XLB_BPF_HC_TUNNEL_H

#include <linux/pkt_cls.h>
#include "headers.h"

enum xlb_hc_tc {
	XLB_HC_TC_ENCAP = 0,		/* probe encapsulated and redirected */
	XLB_HC_TC_NO_BACKEND,		/* mark names no backend with a resolved next hop: dropped */
	XLB_HC_TC_NOT_IP,		/* marked, but not IPv4/IPv6: left alone */
	XLB_HC_TC_FAILED,		/* adjust_room / header write failed: dropped */
	XLB_HC_TC__COUNT
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_HC_TC__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} hc_stats SEC(".maps");

static __always_inline int xlb_hc_count(enum xlb_hc_tc what, int verdict)
{
	__u32 key = what;
	__u64 *n = bpf_map_lookup_elem(&hc_stats, &key);

	if (n)
		*n += 1;
	return verdict;
}

/* Inner TOS/traffic class and DF of the probe packet at L3 offset ETH_HLEN. */
static __always_inline int xlb_hc_inner(struct __sk_buff *skb, int inner6, __u8 *tos, __u8 *df)
{
	__u8 b[8];

	if (bpf_skb_load_bytes(skb, ETH_HLEN, b, sizeof(b)) < 0)
		return -1;
	if (inner6) {
		*tos = (__u8)((b[0] << 4) | (b[1] >> 4));
		*df = 1;	/* IPv6 never fragments on the way */
	} else {
		*tos = b[1];
		*df = (b[6] & 0x40) != 0;
	}
	return 0;
}

static __always_inline int xlb_hc_encap(struct __sk_buff *skb, const struct xlb_backend *be)
{
	int inner6 = skb->protocol == bpf_htons(ETH_P_IPV6);
	int outer6 = be->family == XLB_AF_INET6;
	__u32 olen = outer6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	__u32 inner_len = skb->len - ETH_HLEN;
	__u64 flags = outer6 ? BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 : BPF_F_ADJ_ROOM_ENCAP_L3_IPV4;
	struct xlb_ip_spec s = {
		.src = be->src,
		.dst = be->addr,
		.payload_len = (__u16)inner_len,
		.proto = inner6 ? IPPROTO_IPV6 : IPPROTO_IPIP,
		.ttl = XLB_DEFAULT_TTL,
	};
	void *data, *data_end;
	struct ethhdr *eth;

	if (!inner6 && skb->protocol != bpf_htons(ETH_P_IP))
		return xlb_hc_count(XLB_HC_TC_NOT_IP, TC_ACT_OK);
	if (xlb_hc_inner(skb, inner6, &s.tos, &s.df) < 0)
		return xlb_hc_count(XLB_HC_TC_FAILED, TC_ACT_SHOT);
	s.tos &= ~3;	/* DSCP copied, ECN not (as the balancer) */
	if (bpf_skb_adjust_room(skb, olen, BPF_ADJ_ROOM_MAC, flags))
		return xlb_hc_count(XLB_HC_TC_FAILED, TC_ACT_SHOT);
	if (bpf_skb_pull_data(skb, ETH_HLEN + olen))
		return xlb_hc_count(XLB_HC_TC_FAILED, TC_ACT_SHOT);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return xlb_hc_count(XLB_HC_TC_FAILED, TC_ACT_SHOT);
	__builtin_memcpy(eth->h_dest, be->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, be->smac, ETH_ALEN);
	eth->h_proto = outer6 ? bpf_htons(ETH_P_IPV6) : bpf_htons(ETH_P_IP);
	if (xlb_write_ip(data + ETH_HLEN, data_end, be->family, &s) < 0)
		return xlb_hc_count(XLB_HC_TC_FAILED, TC_ACT_SHOT);
	skb->mark = 0;	/* encapsulated once: the next egress hook lets it pass */
	xlb_hc_count(XLB_HC_TC_ENCAP, 0);
	if (!be->ifindex || be->ifindex == skb->ifindex)
		return TC_ACT_OK;
	return bpf_redirect(be->ifindex, 0);
}

#endif /* XLB_BPF_HC_TUNNEL_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * encap.h - send a balanced packet to its backend: next-hop check, path MTU,
 * then one outer IP header in front of the packet's L3 header.
 *
 * Tunnel by VIP family x backend family: IPv4-in-IPv4 (protocol 4),
 * IPv6-in-IPv6 (next header 41), IPv4-in-IPv6 (next header 4), IPv6-in-IPv4
 * (protocol 41). Outer header:
 *   source   config prefix | (flow hash & ~mask) when XLB_CFG_F_SRC4/6_PREFIX
 *            (IPv6: the same 32-bit hash in each word, under each word's
 *            mask), else backend.src. One flow, one source: RSS entropy on
 *            the real server without reordering.
 *   TTL      config.ttl (IPv6 hop limit too)
 *   TOS/TC   inner DSCP; ECN 0 (Not-ECT): the decap does not propagate CE
 *            (RFC 6040 compatibility mode)
 *   IPv4     id 0; DF copied from an IPv4 inner header, set for an IPv6
 *            inner one; checksum computed
 *   IPv6     flow label = low 20 bits of the flow hash (ECMP entropy)
 *   L2       src backend.smac, dst backend.dmac, the frame's VLAN tag kept
 * Path MTU: mtu = backend.mtu ?: config.default_mtu (0 = no check). If the
 * L3 length + tunnel overhead > mtu and the packet is IPv6 or IPv4 with DF
 * (and is not a steered ICMP error): ICMP PTB to the client instead. IPv4
 * without DF is forwarded anyway with outer DF clear (XDP cannot fragment;
 * a router on the way may, and such traffic is rare).
 * Egress: backend.ifindex 0 or the ingress one -> XDP_TX (TX); else
 * bpf_redirect_map(tx_ports[backend.tx_port]) (REDIRECT), an empty devmap
 * slot drops (DROP_NO_NEXTHOP).
 */
#ifndef XLB_BPF_ENCAP_H
#define XLB_BPF_ENCAP_H

#include "headers.h"
#include "icmp.h"

static __always_inline void xlb_outer_src(__u32 hash, const struct xlb_backend *be,
					  const struct xlb_config *cfg, int outer6, __be32 *src)
{
	__be32 h = bpf_htonl(hash);

	if (!(cfg->flags & (outer6 ? XLB_CFG_F_SRC6_PREFIX : XLB_CFG_F_SRC4_PREFIX))) {
		__builtin_memcpy(src, be->src, 16);
		return;
	}
	if (!outer6) {
		src[0] = cfg->src4_prefix | (h & ~cfg->src4_mask);
		src[1] = src[2] = src[3] = 0;
		return;
	}
#pragma unroll
	for (int i = 0; i < 4; i++)
		src[i] = cfg->src6_prefix[i] | (h & ~cfg->src6_mask[i]);
}

static __always_inline int xlb_forward(struct xdp_md *xdp, struct xlb_pkt *pkt,
				       const struct xlb_backend *be, const struct xlb_config *cfg)
{
	void *data, *data_end;
	int outer6 = be->family == XLB_AF_INET6;
	__u32 overhead = outer6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	__u32 mtu = be->mtu ? be->mtu : cfg->default_mtu;
	__be32 src[4];
	/* known by now: from the conn entry, or computed for Maglev */
	__u32 hash = pkt->hash;
	struct xlb_ip_spec s = {
		.src = src,
		.dst = be->addr,
		.payload_len = pkt->l3_len,
		.proto = xlb_is_v6(pkt) ? IPPROTO_IPV6 : IPPROTO_IPIP,
		.tos = pkt->tos & ~3,
		.ttl = cfg->ttl,
		.df = pkt->df,
	};
	int l2, rc;

	if (!(be->flags & XLB_BE_F_NEXTHOP) || (be->family != XLB_AF_INET && !outer6))
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_NO_NEXTHOP);
	if (mtu && pkt->l3_len + overhead > mtu && pkt->df && !pkt->icmp_err)
		return xlb_send_ptb(xdp, pkt, cfg, mtu > overhead ? mtu - overhead : 0);
	xlb_outer_src(hash, be, cfg, outer6, src);
	s.flow_label = hash;

	if (bpf_xdp_adjust_head(xdp, -(int)overhead))
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_ENCAP_FAILED);
	data = (void *)(long)xdp->data;
	data_end = (void *)(long)xdp->data_end;
	l2 = xlb_write_l2(data, data_end, be->dmac, be->smac, pkt,
			  outer6 ? bpf_htons(ETH_P_IPV6) : bpf_htons(ETH_P_IP));
	if (l2 < 0 || xlb_write_ip(data + l2, data_end, be->family, &s) < 0)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_ENCAP_FAILED);

	if (!be->ifindex || be->ifindex == xdp->ingress_ifindex)
		return xlb_verdict(pkt, XDP_TX, XLB_R_TX);
	rc = bpf_redirect_map(&tx_ports, be->tx_port, XDP_DROP);
	return xlb_verdict(pkt, rc, rc == XDP_REDIRECT ? XLB_R_REDIRECT : XLB_R_DROP_NO_NEXTHOP);
}

#endif /* XLB_BPF_ENCAP_H */

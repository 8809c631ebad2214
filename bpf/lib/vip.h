/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vip.h - which VIP a packet belongs to.
 *
 * Key (dst address, dst port, proto, family); a miss retries with port 0
 * (a port-less VIP). Address markers ({addr, 0, IPPROTO_ICMP(V6)},
 * XLB_VIP_F_ADDR_MARKER) say "this address is a VIP address" and are never
 * balanced to: they answer pings and tell fragments to a VIP address from
 * fragments to the host.
 */
#ifndef XLB_BPF_VIP_H
#define XLB_BPF_VIP_H

#include "maps.h"
#include "stats.h"

static __always_inline struct xlb_vip *xlb_vip_get(const struct xlb_pkt *pkt, __be16 port, __u8 proto)
{
	struct xlb_vip_key key = {};

	__builtin_memcpy(key.addr, pkt->flow.dst, sizeof(key.addr));
	key.port = port;
	key.proto = proto;
	key.family = pkt->flow.family;
	return bpf_map_lookup_elem(&vips, &key);
}

/* 0 when no VIP key has the packet's destination address (one array read). */
static __always_inline int xlb_vip_addr_maybe(const struct xlb_pkt *pkt)
{
	__u32 slot = xlb_vip_filter_slot(pkt->flow.dst, pkt->flow.family);
	__u32 *count = bpf_map_lookup_elem(&vip_filter, &slot);

	return count && *count;
}

/* Service VIP for the flow: exact port, then port 0. NULL if none. */
static __always_inline struct xlb_vip *xlb_vip_lookup(const struct xlb_pkt *pkt)
{
	struct xlb_vip *vip = xlb_vip_get(pkt, pkt->flow.dport, pkt->flow.proto);

	if (!vip)
		vip = xlb_vip_get(pkt, 0, pkt->flow.proto);
	if (vip && (vip->flags & XLB_VIP_F_ADDR_MARKER))
		return NULL;
	return vip;
}

static __always_inline struct xlb_vip *xlb_vip_marker(const struct xlb_pkt *pkt)
{
	struct xlb_vip *m = xlb_vip_get(pkt, 0, xlb_is_v6(pkt) ? IPPROTO_ICMPV6 : IPPROTO_ICMP);

	return m && (m->flags & XLB_VIP_F_ADDR_MARKER) ? m : NULL;
}

/*
 * Fragments: every fragment of a datagram must reach the same backend and
 * only the first has ports, so all go by the 3-tuple through the port-less
 * VIP (addr, 0, proto), without the conn table. To a VIP address (marker)
 * with no port-less VIP: DROP_FRAG_NO_VIP; to any other address: the host's.
 */
static __always_inline int xlb_frag_vip(struct xlb_pkt *pkt, struct xlb_vip **out)
{
	struct xlb_vip *vip = xlb_vip_get(pkt, 0, pkt->flow.proto);

	if (vip && !(vip->flags & XLB_VIP_F_ADDR_MARKER)) {
		xlb_event(XLB_E_FRAGMENT);
		*out = vip;
		return XLB_CONTINUE;
	}
	if (xlb_vip_marker(pkt))
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_FRAG_NO_VIP);
	return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_NOT_VIP);
}

/* Events the parser noted, counted once the packet is known to be balanced. */
static __always_inline void xlb_count_parse_events(const struct xlb_pkt *pkt)
{
	if (pkt->has_vlan)
		xlb_event(XLB_E_VLAN);
	if (pkt->ip_opts)
		xlb_event(XLB_E_IPV4_OPTIONS);
	if (pkt->ext_hdrs)
		xlb_event(XLB_E_IPV6_EXT_HDRS);
}

/* The flow hash this VIP steers by (computed once per packet). */
static __always_inline __u32 xlb_pkt_hash(struct xlb_pkt *pkt, const struct xlb_vip *vip)
{
	if (!pkt->have_hash) {
		pkt->hash = pkt->frag ? xlb_hash_3tuple(&pkt->flow) : xlb_flow_hash(&pkt->flow, vip->flags);
		pkt->have_hash = 1;
	}
	return pkt->hash;
}

#endif /* XLB_BPF_VIP_H */

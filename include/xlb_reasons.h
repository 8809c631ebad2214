/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * xlb_reasons.h - why the datapath did what it did.
 *
 * enum xlb_reason: exactly one per packet the balancer sees, indexing the
 * per-CPU array "reasons" (exported as xlb_datapath_packets_total{reason}).
 * enum xlb_event: things that happen on the way (may be 0..n per packet),
 * indexing "events" (xlb_datapath_events_total{event}).
 * enum xlb_decap_reason: one per packet the real-server decap sees.
 *
 * All three only grow: a retired value keeps its number and is renamed
 * *_UNUSEDn, so dashboards and old daemons keep meaning the same thing.
 * Each has a *_str() with a switch and no default, so a missing case is a
 * compiler warning. The strings are metric label values: a contract.
 */
#ifndef XLB_REASONS_H
#define XLB_REASONS_H

enum xlb_reason {
	XLB_R_TX = 0,			/* encapsulated, XDP_TX out the ingress interface */
	XLB_R_REDIRECT,			/* encapsulated, redirected through the devmap */
	XLB_R_PASS_NOT_IP,		/* ethertype is not IPv4/IPv6 (ARP, LLDP, ...) */
	XLB_R_PASS_NOT_VIP,		/* IP, but no VIP for (addr, port, proto) */
	XLB_R_PASS_UNKNOWN_PROTO,	/* L4 protocol xlb does not balance */
	XLB_R_PASS_IPV6_EXT_CHAIN,	/* more than XLB_MAX_IPV6_EXT_HDRS extension headers */
	XLB_R_PASS_ICMP,		/* ICMP not for a VIP flow: the host handles it */
	XLB_R_DROP_TRUNCATED,		/* frame ends inside a header */
	XLB_R_DROP_BAD_L3,		/* bad IP version, IHL or length */
	XLB_R_DROP_NO_BACKEND,		/* VIP has no table or an empty slot */
	XLB_R_DROP_NO_NEXTHOP,		/* backend's next hop not resolved yet */
	XLB_R_DROP_ENCAP_FAILED,	/* bpf_xdp_adjust_head/tail failed */
	XLB_R_ICMP_PTB_SENT,		/* too big after encap: ICMP frag-needed / PTB sent back (XDP_TX) */
	XLB_R_ICMP_ECHO_REPLY,		/* ping to a VIP address answered (XDP_TX) */
	XLB_R_DROP_FRAG_NO_VIP,		/* fragment to a VIP address with no port-less VIP */
	XLB_R_DROP_NO_TABLE_SLOT,	/* vip table smaller than its table_size (never in a correct setup) */
	XLB_R_PASS_MULTICAST,		/* IPv6 ND / multicast / broadcast destinations */
	XLB_R__COUNT
};

static inline const char *xlb_reason_str(enum xlb_reason r)
{
	switch (r) {
	case XLB_R_TX: return "tx";
	case XLB_R_REDIRECT: return "redirect";
	case XLB_R_PASS_NOT_IP: return "pass_not_ip";
	case XLB_R_PASS_NOT_VIP: return "pass_not_vip";
	case XLB_R_PASS_UNKNOWN_PROTO: return "pass_unknown_proto";
	case XLB_R_PASS_IPV6_EXT_CHAIN: return "pass_ipv6_ext_chain";
	case XLB_R_PASS_ICMP: return "pass_icmp";
	case XLB_R_DROP_TRUNCATED: return "drop_truncated";
	case XLB_R_DROP_BAD_L3: return "drop_bad_l3";
	case XLB_R_DROP_NO_BACKEND: return "drop_no_backend";
	case XLB_R_DROP_NO_NEXTHOP: return "drop_no_nexthop";
	case XLB_R_DROP_ENCAP_FAILED: return "drop_encap_failed";
	case XLB_R_ICMP_PTB_SENT: return "icmp_ptb_sent";
	case XLB_R_ICMP_ECHO_REPLY: return "icmp_echo_reply";
	case XLB_R_DROP_FRAG_NO_VIP: return "drop_frag_no_vip";
	case XLB_R_DROP_NO_TABLE_SLOT: return "drop_no_table_slot";
	case XLB_R_PASS_MULTICAST: return "pass_multicast";
	case XLB_R__COUNT: break;
	}
	return "unknown";
}

enum xlb_event {
	XLB_E_NEW_FLOW = 0,		/* conn-table miss: backend chosen by Maglev */
	XLB_E_CONN_HIT,			/* conn-table hit, backend still in service */
	XLB_E_CONN_STALE,		/* conn-table hit, backend out of service: re-hashed */
	XLB_E_UDP_EXPIRED,		/* UDP entry idle too long: re-hashed */
	XLB_E_RATE_LIMITED,		/* new flow not inserted: per-CPU new-flow rate exceeded */
	XLB_E_IPV4_OPTIONS,		/* IPv4 header with options (forwarded as is) */
	XLB_E_IPV6_EXT_HDRS,		/* IPv6 extension headers walked */
	XLB_E_FRAGMENT,			/* fragment steered by the 3-tuple hash */
	XLB_E_ICMP_STEERED,		/* ICMP error steered to the flow's backend */
	XLB_E_VLAN,			/* 802.1Q-tagged frame */
	XLB_E__COUNT
};

static inline const char *xlb_event_str(enum xlb_event e)
{
	switch (e) {
	case XLB_E_NEW_FLOW: return "new_flow";
	case XLB_E_CONN_HIT: return "conn_hit";
	case XLB_E_CONN_STALE: return "conn_stale";
	case XLB_E_UDP_EXPIRED: return "udp_expired";
	case XLB_E_RATE_LIMITED: return "rate_limited";
	case XLB_E_IPV4_OPTIONS: return "ipv4_options";
	case XLB_E_IPV6_EXT_HDRS: return "ipv6_ext_hdrs";
	case XLB_E_FRAGMENT: return "fragment";
	case XLB_E_ICMP_STEERED: return "icmp_steered";
	case XLB_E_VLAN: return "vlan";
	case XLB_E__COUNT: break;
	}
	return "unknown";
}

enum xlb_decap_reason {
	XLB_D_DECAP = 0,		/* outer header stripped, inner passed up */
	XLB_D_PASS_NOT_TUNNEL,		/* not IPIP/IP6IP6/4in6/6in4: untouched */
	XLB_D_PASS_NOT_LOCAL,		/* tunnel, but outer destination not in the allow-list */
	XLB_D_DROP_TRUNCATED,		/* tunnel packet cut inside the inner header */
	XLB_D_DROP_FAILED,		/* bpf_xdp_adjust_head failed */
	XLB_D_PASS_FRAGMENT,		/* tunnel to a local address, but the outer IPv4 packet is a fragment */
	XLB_D_PASS_BAD_INNER,		/* tunnel to a local address, inner header of the wrong IP version */
	XLB_D__COUNT
};

static inline const char *xlb_decap_reason_str(enum xlb_decap_reason r)
{
	switch (r) {
	case XLB_D_DECAP: return "decap";
	case XLB_D_PASS_NOT_TUNNEL: return "pass_not_tunnel";
	case XLB_D_PASS_NOT_LOCAL: return "pass_not_local";
	case XLB_D_DROP_TRUNCATED: return "drop_truncated";
	case XLB_D_DROP_FAILED: return "drop_failed";
	case XLB_D_PASS_FRAGMENT: return "pass_fragment";
	case XLB_D_PASS_BAD_INNER: return "pass_bad_inner";
	case XLB_D__COUNT: break;
	}
	return "unknown";
}

#endif /* XLB_REASONS_H */

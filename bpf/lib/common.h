/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * common.h - what every balancer helper shares: includes, the parsed packet
 * (struct xlb_pkt) and the one return convention.
 *
 * Return convention: a helper returns an XDP verdict (XDP_PASS, XDP_DROP,
 * XDP_TX, XDP_REDIRECT) after recording why in pkt->reason with
 * xlb_verdict(), or XLB_CONTINUE (-1) to let the caller go on. The entry
 * program counts pkt->reason exactly once, where the verdict leaves it.
 */
#ifndef XLB_BPF_COMMON_H
#define XLB_BPF_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xlb_types.h"
#include "xlb_reasons.h"
#include "xlb_hash.h"

#define XLB_CONTINUE	(-1)

/*
 * Largest frame offset the parser accepts. XDP without multi-buffer
 * support sees at most one page, so anything past this is outside the
 * frame anyway; the bound also keeps every packet-pointer offset provably
 * below the verifier's MAX_PACKET_OFF (0xffff) when lengths are added.
 */
#define XLB_MAX_FRAME	0x3fff

#define XLB_NSEC_PER_SEC 1000000000ull

/* ICMPv4 numbers: <linux/icmp.h> drags in libc socket headers that do not
 * build for -target bpf */
#define ICMP_ECHOREPLY		0
#define ICMP_DEST_UNREACH	3
#define ICMP_ECHO		8
#define ICMP_TIME_EXCEEDED	11
#define ICMP_FRAG_NEEDED	4

/* IPv4 frag_off bits (host order; not in the UAPI headers) */
#define XLB_IP_DF	0x4000
#define XLB_IP_MF	0x2000
#define XLB_IP_OFFSET	0x1fff

#define XLB_TCP_FIN	0x01	/* TCP flags byte (<linux/tcp.h> has only bitfields) */
#define XLB_TCP_SYN	0x02
#define XLB_TCP_RST	0x04

struct xlb_vlan_hdr {		/* 802.1Q tag after the MAC addresses */
	__be16 tci;
	__be16 encap_proto;
};

/* Everything the parser learns, so no later step re-reads a header. */
struct xlb_pkt {
	struct xlb_flow flow;	/* also the conn-table key: pad stays zero */
	__u32 l3_off;		/* 14, or 18 with a VLAN tag */
	__u32 l4_off;		/* after IPv4 options / IPv6 extension headers */
	__u32 l3_len;		/* IP-declared length of the whole L3 packet */
	__be16 vlan_tci;
	__u8 has_vlan;
	__u8 tos;		/* IPv4 TOS / IPv6 traffic class */
	__u8 df;		/* IPv4 DF bit set (IPv6: always 1, routers never fragment) */
	__u8 frag;		/* IPv4 MF/offset or an IPv6 fragment header */
	__u8 icmp_err;		/* flow is the reversed header quoted by an ICMP error */
	__u8 icmp_type;
	__u8 ip_opts;		/* IPv4 header with options */
	__u8 ext_hdrs;		/* IPv6 extension headers walked */
	__u8 tcp_flags;		/* TCP header byte 13 (FIN..CWR); 0 for other protocols */
	__u8 pad;
	__u32 reason;		/* enum xlb_reason, set with the verdict */
	__u32 hash;		/* flow hash, valid when have_hash (a conn hit sets it) */
	__u32 have_hash;
};

static __always_inline int xlb_verdict(struct xlb_pkt *pkt, int verdict, enum xlb_reason reason)
{
	pkt->reason = reason;
	return verdict;
}

static __always_inline int xlb_is_v6(const struct xlb_pkt *pkt)
{
	return pkt->flow.family == XLB_AF_INET6;
}

#endif /* XLB_BPF_COMMON_H */

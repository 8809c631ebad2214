/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pkt.h - packet builder for the BPF tests: frames from named fields, never
 * hand-written hex. Used by every tests/bpf program (balancer, decap, fuzz).
 *
 * Contract (API stable; only additions):
 *   - Layers are appended outermost first: pkt_eth, pkt_vlan, pkt_ipv4/pkt_ipv6
 *     (repeat for tunnels: IPIP, IPv6-in-IPv6, 4in6, 6in4), pkt_ip6_ext /
 *     pkt_ip6_frag, then pkt_tcp / pkt_udp / pkt_icmp / pkt_icmp6, then
 *     pkt_payload / pkt_bytes / pkt_pattern.
 *   - pkt_finish() fills what depends on later layers, innermost first:
 *     each "next protocol" field (ethertype, IPv4 protocol, IPv6 next header)
 *     from the following layer unless set explicitly (pkt_set_next, or the
 *     .proto field), IPv4 total length / IPv6 payload length = to the end of
 *     the packet, IPv4 header checksum, TCP/UDP/ICMP/ICMPv6 checksums with
 *     the pseudo header of the closest enclosing IP layer.
 *   - Host-order values in the option structs (ports, ids, flags, offsets);
 *     the builder writes network byte order. Addresses are text
 *     ("198.18.0.1", "2001:db8::1"), MACs "02:00:00:00:00:01".
 *   - Malformed frames: build a good one, pkt_finish(), then change bytes at
 *     pkt_layer_off() or cut p->len. pkt_finish() may be called again after
 *     changing fields through the pointers (it recomputes everything).
 *   - Errors (bad address text, overflow) abort the test program with a
 *     message: a test with a broken packet must not silently pass.
 */
#ifndef XLB_TEST_PKT_H
#define XLB_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX		4096	/* largest frame the builder makes */
#define PKT_MAX_LAYERS	32

enum pkt_layer_type {
	PKT_L_ETH = 1,
	PKT_L_VLAN,
	PKT_L_IPV4,
	PKT_L_IPV6,
	PKT_L_IP6_EXT,		/* hop-by-hop, routing, destination options, ... */
	PKT_L_IP6_FRAG,
	PKT_L_TCP,
	PKT_L_UDP,
	PKT_L_ICMP,
	PKT_L_ICMP6,
	PKT_L_DATA,		/* payload / raw bytes (e.g. an ICMP error's quote) */
};

struct pkt_layer {
	enum pkt_layer_type type;
	uint32_t off;		/* offset of the layer in data[] */
	uint32_t len;		/* header length (whole data for PKT_L_DATA) */
	int next;		/* explicit next protocol, -1 = from the next layer */
	bool no_csum;		/* leave the checksum/length as written */
	uint8_t ext_type;	/* PKT_L_IP6_EXT: its protocol number */
};

struct pkt {
	uint8_t data[PKT_MAX];
	uint32_t len;
	int nlayers;
	struct pkt_layer layers[PKT_MAX_LAYERS];
};

/* IPv4 frag_off flags (host order, OR with offset in 8-byte units). */
#define PKT_IP4_DF	0x4000
#define PKT_IP4_MF	0x2000

/* TCP flags */
#define PKT_TCP_FIN	0x01
#define PKT_TCP_SYN	0x02
#define PKT_TCP_RST	0x04
#define PKT_TCP_PSH	0x08
#define PKT_TCP_ACK	0x10

/* IPv4 or IPv6 header fields. Zero fields take the default shown. */
struct pkt_ip {
	const char *src, *dst;	/* text addresses of the layer's family */
	uint8_t ttl;		/* TTL / hop limit; 0 = 64 */
	uint8_t tos;		/* IPv4 TOS / IPv6 traffic class (DSCP << 2 | ECN) */
	uint8_t proto;		/* IPv4 protocol / IPv6 next header; 0 = from the next layer */
	uint16_t id;		/* IPv4 identification */
	uint16_t frag_off;	/* IPv4: PKT_IP4_DF | PKT_IP4_MF | offset/8 */
	uint32_t flow_label;	/* IPv6 (20 bits) */
	const void *options;	/* IPv4 options, options_len a multiple of 4 (<= 40) */
	uint8_t options_len;
};

struct pkt_tcp_hdr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;		/* PKT_TCP_*; 0 = ACK */
	uint16_t window;	/* 0 = 65535 */
};

void pkt_init(struct pkt *p);

/* L2. ethertype from the next layer (IPv4, IPv6, VLAN) unless pkt_set_next. */
void pkt_eth(struct pkt *p, const char *src_mac, const char *dst_mac);
void pkt_vlan(struct pkt *p, uint16_t tci);	/* one 802.1Q tag: PCP/DEI/VID */

/* L3 */
void pkt_ipv4(struct pkt *p, const struct pkt_ip *ip);
void pkt_ipv6(struct pkt *p, const struct pkt_ip *ip);
void pkt_ip(struct pkt *p, const struct pkt_ip *ip);	/* family from ip->src text */
/* IPv6 extension header of `type` (0 hop-by-hop, 43 routing, 60 dest opts, ...),
 * len bytes (multiple of 8, >= 8), padded with PadN. */
void pkt_ip6_ext(struct pkt *p, uint8_t type, uint32_t len);
/* IPv6 fragment header: offset in bytes (multiple of 8), M flag, id. */
void pkt_ip6_frag(struct pkt *p, uint16_t offset, bool more, uint32_t id);

/* L4 (ports host order) */
void pkt_tcp(struct pkt *p, const struct pkt_tcp_hdr *t);
void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport);
/* ICMP / ICMPv6 header; rest = the 4 bytes after the checksum (host order:
 * echo: id << 16 | seq; frag-needed: next-hop MTU; PTB: MTU). */
void pkt_icmp(struct pkt *p, uint8_t type, uint8_t code, uint32_t rest);
void pkt_icmp6(struct pkt *p, uint8_t type, uint8_t code, uint32_t rest);

/* Data */
void pkt_bytes(struct pkt *p, const void *data, uint32_t len);
void pkt_pattern(struct pkt *p, uint32_t len, uint8_t seed);	/* seed, seed+1, ... */
#define pkt_payload pkt_bytes

/* Override the most recent layer's next-protocol field (ethertype / proto / nexthdr). */
void pkt_set_next(struct pkt *p, int next);
/* Keep the most recent layer's checksum (and, for IP, length) as written by later edits. */
void pkt_no_csum(struct pkt *p);

/* Fill lengths, next-protocol fields and checksums. Returns p->len. */
uint32_t pkt_finish(struct pkt *p);

/* Offset of the n-th (0-based) layer of `type`; aborts when missing. */
uint32_t pkt_layer_off(const struct pkt *p, enum pkt_layer_type type, int n);
/* Offset of the first L3 header (after Ethernet/VLAN). */
uint32_t pkt_l3_off(const struct pkt *p);

/* Helpers */
void pkt_parse_mac(const char *text, uint8_t mac[6]);
/* family 4 or 6; addr written in network order into 16 bytes (IPv4 in the first 4). */
int pkt_parse_addr(const char *text, uint8_t addr[16]);
uint16_t pkt_csum(const void *data, uint32_t len, uint32_t sum);	/* one's complement, folded, inverted */
uint32_t pkt_csum_partial(const void *data, uint32_t len, uint32_t sum);
void pkt_hexdump(const char *prefix, const void *data, uint32_t len);

#endif /* XLB_TEST_PKT_H */

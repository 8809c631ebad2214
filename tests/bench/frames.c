/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * frames.c - the benchmark's packet builder: Ethernet + IPv4/IPv6 +
 * TCP/UDP from named fields, checksums computed, and the ICMP error a
 * router sends about a VIP flow. Returns 0 or -errno (-EINVAL: bad address
 * or family, -ENOSPC: buffer too small).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/icmp.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include "bench.h"

/* Lab MACs: client-side router -> LB. Locally administered. */
static const uint8_t mac_router[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t mac_lb[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* L4 checksum over the pseudo header of either family. */
static uint16_t l4_csum(int family, const uint8_t *saddr, const uint8_t *daddr, uint8_t proto,
			const uint8_t *l4, size_t l4_len)
{
	size_t alen = family == 4 ? 4 : 16;
	uint32_t sum = 0;

	sum = csum_add(sum, saddr, alen);
	sum = csum_add(sum, daddr, alen);
	sum += proto;
	sum += (uint32_t)l4_len;
	sum = csum_add(sum, l4, l4_len);
	return csum_fold(sum);
}

static int parse_addr(int family, const char *s, uint8_t *out)
{
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, s, out) != 1) {
		fprintf(stderr, "frames: bad IPv%d address '%s'\n", family, s);
		return -EINVAL;
	}
	return 0;
}

/* Writes L3 + L4 of s at buf (no Ethernet). Returns the length or -errno. */
static int build_l3(const struct frame_spec *s, uint8_t *buf, size_t cap, struct frame_layout *lay,
		    uint16_t base)
{
	size_t l3_len = s->family == 4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	size_t l4_len = (s->proto == IPPROTO_TCP ? sizeof(struct tcphdr) : sizeof(struct udphdr)) +
			s->payload_len;
	uint8_t saddr[16], daddr[16], *l4 = buf + l3_len;
	size_t i;

	if (s->family != 4 && s->family != 6)
		return -EINVAL;
	if (s->proto != IPPROTO_TCP && s->proto != IPPROTO_UDP)
		return -EINVAL;
	if (l3_len + l4_len > cap)
		return -ENOSPC;
	if (parse_addr(s->family, s->src, saddr) || parse_addr(s->family, s->dst, daddr))
		return -EINVAL;
	memset(buf, 0, l3_len + l4_len);
	for (i = 0; i < s->payload_len; i++)
		l4[l4_len - s->payload_len + i] = (uint8_t)('a' + i % 26);

	if (s->proto == IPPROTO_TCP) {
		struct tcphdr *th = (struct tcphdr *)l4;

		th->source = htons(s->sport);
		th->dest = htons(s->dport);
		th->seq = htonl(1000);
		th->ack_seq = htonl(s->tcp_flags & 0x10 ? 2000 : 0);
		th->doff = sizeof(*th) / 4;
		((uint8_t *)th)[13] = s->tcp_flags;
		th->window = htons(65535);
		th->check = l4_csum(s->family, saddr, daddr, IPPROTO_TCP, l4, l4_len);
	} else {
		struct udphdr *uh = (struct udphdr *)l4;

		uh->source = htons(s->sport);
		uh->dest = htons(s->dport);
		uh->len = htons((uint16_t)l4_len);
		uh->check = l4_csum(s->family, saddr, daddr, IPPROTO_UDP, l4, l4_len);
	}

	if (s->family == 4) {
		struct iphdr *ip = (struct iphdr *)buf;

		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons((uint16_t)(l3_len + l4_len));
		ip->id = htons(s->ip_id);
		ip->ttl = 64;
		ip->protocol = s->proto;
		memcpy(&ip->saddr, saddr, 4);
		memcpy(&ip->daddr, daddr, 4);
		ip->check = csum_fold(csum_add(0, ip, sizeof(*ip)));
	} else {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)buf;

		ip6->version = 6;
		ip6->payload_len = htons((uint16_t)l4_len);
		ip6->nexthdr = s->proto;
		ip6->hop_limit = 64;
		memcpy(&ip6->saddr, saddr, 16);
		memcpy(&ip6->daddr, daddr, 16);
	}
	if (lay) {
		lay->l3_off = base;
		lay->l4_off = (uint16_t)(base + l3_len);
		lay->sport_off = lay->l4_off;	/* source port opens TCP and UDP headers */
		lay->src_lo16_off = (uint16_t)(base + (s->family == 4 ? 12 + 2 : 8 + 14));
		lay->ip_id_off = s->family == 4 ? (uint16_t)(base + 4) : 0;
	}
	return (int)(l3_len + l4_len);
}

static void put_eth(uint8_t *buf, int family)
{
	struct ethhdr *eth = (struct ethhdr *)buf;

	memcpy(eth->h_dest, mac_lb, ETH_ALEN);
	memcpy(eth->h_source, mac_router, ETH_ALEN);
	eth->h_proto = htons(family == 4 ? ETH_P_IP : ETH_P_IPV6);
}

int frame_build(const struct frame_spec *s, uint8_t *buf, size_t cap, size_t *len,
		struct frame_layout *lay)
{
	int n;

	if (cap < ETH_HLEN)
		return -ENOSPC;
	n = build_l3(s, buf + ETH_HLEN, cap - ETH_HLEN, lay, ETH_HLEN);
	if (n < 0)
		return n;
	put_eth(buf, s->family);
	*len = ETH_HLEN + (size_t)n;
	return 0;
}

int frame_build_icmp4_frag_needed(const char *router, const struct frame_spec *inner, uint16_t mtu,
				  uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t quoted[128];
	size_t hdrs = ETH_HLEN + sizeof(struct iphdr) + sizeof(struct icmphdr);
	size_t quote_len = sizeof(struct iphdr) + 8;
	struct iphdr *ip = (struct iphdr *)(buf + ETH_HLEN);
	struct icmphdr *ic = (struct icmphdr *)(ip + 1);
	struct iphdr *qip = (struct iphdr *)quoted;
	int n;

	if (inner->family != 4)
		return -EINVAL;
	n = build_l3(inner, quoted, sizeof(quoted), NULL, 0);
	if (n < 0)
		return n;
	if (cap < hdrs + quote_len)
		return -ENOSPC;
	memset(buf, 0, hdrs);
	put_eth(buf, 4);
	ic->type = ICMP_DEST_UNREACH;
	ic->code = ICMP_FRAG_NEEDED;
	ic->un.frag.mtu = htons(mtu);
	memcpy(ic + 1, quoted, quote_len);
	ic->checksum = csum_fold(csum_add(0, ic, sizeof(*ic) + quote_len));

	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + sizeof(*ic) + quote_len));
	ip->ttl = 64;
	ip->protocol = IPPROTO_ICMP;
	if (parse_addr(4, router, (uint8_t *)&ip->saddr))
		return -EINVAL;
	ip->daddr = qip->saddr;	/* to the VIP that sent the quoted packet */
	ip->check = csum_fold(csum_add(0, ip, sizeof(*ip)));
	*len = hdrs + quote_len;
	return 0;
}

int frame_to_bench(const uint8_t *buf, size_t len, const struct frame_layout *lay, bool vary,
		   struct bench_frame *out)
{
	memset(out, 0, sizeof(*out));
	if (len < BENCH_FRAME_MIN || len > BENCH_FRAME_MAX)
		return -EINVAL;
	memcpy(out->data, buf, len);
	out->len = (uint32_t)len;
	if (!vary)
		return 0;
	if (!lay)
		return -EINVAL;
	/* new flow every repetition: port = c & 0xffff, address word = c >> 16 */
	out->vary_port_off = lay->sport_off;
	out->port_mask = 0xffff;
	out->vary_addr_off = lay->src_lo16_off;
	out->addr_mask = 0xffff;
	out->vary_csum_off = lay->ip_id_off;
	/* template: address word 0 and, for IPv4, identification 0xffff, so
	 * that word + ~word stays 0xffff and the header checksum stays valid */
	out->data[lay->src_lo16_off] = 0;
	out->data[lay->src_lo16_off + 1] = 0;
	if (lay->ip_id_off) {
		struct iphdr *ip = (struct iphdr *)(out->data + lay->l3_off);

		ip->id = 0xffff;
		ip->check = 0;
		ip->check = csum_fold(csum_add(0, ip, sizeof(*ip)));
	}
	return 0;
}

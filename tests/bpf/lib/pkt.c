/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* pkt.c - packet builder for the BPF tests; contract in pkt.h. */
#include "pkt.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void pkt_die(const char *what, const char *detail)
{
	fprintf(stderr, "pkt builder: %s: %s\n", what, detail ? detail : "");
	printf("Bail out! pkt builder: %s %s\n", what, detail ? detail : "");
	exit(1);
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b + 2, v & 0xffff);
}

void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
}

/* Append a zeroed header of len bytes as a new layer; returns its bytes. */
static uint8_t *pkt_push(struct pkt *p, enum pkt_layer_type type, uint32_t len)
{
	struct pkt_layer *l;

	if (p->nlayers >= PKT_MAX_LAYERS)
		pkt_die("too many layers", NULL);
	if (p->len + len > PKT_MAX)
		pkt_die("frame larger than PKT_MAX", NULL);
	l = &p->layers[p->nlayers++];
	l->type = type;
	l->off = p->len;
	l->len = len;
	l->next = -1;
	l->no_csum = false;
	memset(p->data + p->len, 0, len);
	p->len += len;
	return p->data + l->off;
}

void pkt_parse_mac(const char *text, uint8_t mac[6])
{
	unsigned int b[6];

	if (sscanf(text, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		pkt_die("bad MAC", text);
	for (int i = 0; i < 6; i++)
		mac[i] = b[i];
}

int pkt_parse_addr(const char *text, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, text, addr) == 1)
		return 4;
	if (inet_pton(AF_INET6, text, addr) == 1)
		return 6;
	pkt_die("bad address", text);
	return 0;
}

void pkt_eth(struct pkt *p, const char *src_mac, const char *dst_mac)
{
	uint8_t *h = pkt_push(p, PKT_L_ETH, 14);

	pkt_parse_mac(dst_mac, h);
	pkt_parse_mac(src_mac, h + 6);
}

void pkt_vlan(struct pkt *p, uint16_t tci)
{
	put16(pkt_push(p, PKT_L_VLAN, 4), tci);
}

void pkt_ipv4(struct pkt *p, const struct pkt_ip *ip)
{
	uint32_t olen = ip->options_len;
	uint8_t a[16];
	uint8_t *h;

	if (olen % 4 || olen > 40)
		pkt_die("IPv4 options length must be a multiple of 4, <= 40", NULL);
	h = pkt_push(p, PKT_L_IPV4, 20 + olen);
	h[0] = 0x40 | ((20 + olen) / 4);
	h[1] = ip->tos;
	put16(h + 4, ip->id);
	put16(h + 6, ip->frag_off);
	h[8] = ip->ttl ? ip->ttl : 64;
	if (ip->proto)
		p->layers[p->nlayers - 1].next = ip->proto;
	if (pkt_parse_addr(ip->src, a) != 4)
		pkt_die("IPv4 layer needs IPv4 addresses", ip->src);
	memcpy(h + 12, a, 4);
	if (pkt_parse_addr(ip->dst, a) != 4)
		pkt_die("IPv4 layer needs IPv4 addresses", ip->dst);
	memcpy(h + 16, a, 4);
	if (olen)
		memcpy(h + 20, ip->options, olen);
}

void pkt_ipv6(struct pkt *p, const struct pkt_ip *ip)
{
	uint8_t *h = pkt_push(p, PKT_L_IPV6, 40);

	put32(h, 6u << 28 | (uint32_t)ip->tos << 20 | (ip->flow_label & 0xfffff));
	h[7] = ip->ttl ? ip->ttl : 64;
	if (ip->proto)
		p->layers[p->nlayers - 1].next = ip->proto;
	if (pkt_parse_addr(ip->src, h + 8) != 6)
		pkt_die("IPv6 layer needs IPv6 addresses", ip->src);
	if (pkt_parse_addr(ip->dst, h + 24) != 6)
		pkt_die("IPv6 layer needs IPv6 addresses", ip->dst);
}

void pkt_ip(struct pkt *p, const struct pkt_ip *ip)
{
	if (strchr(ip->src, ':'))
		pkt_ipv6(p, ip);
	else
		pkt_ipv4(p, ip);
}

void pkt_ip6_ext(struct pkt *p, uint8_t type, uint32_t len)
{
	uint8_t *h;

	if (len < 8 || len % 8 || len > 2048)
		pkt_die("IPv6 extension header length must be a multiple of 8 in [8, 2048]", NULL);
	h = pkt_push(p, PKT_L_IP6_EXT, len);
	h[1] = len / 8 - 1;
	p->layers[p->nlayers - 1].ext_type = type;
	for (uint32_t o = 2; o < len;) {	/* PadN options over the rest */
		uint32_t n = len - o - 2 > 254 ? 254 : len - o - 2;	/* even: o stays even */

		h[o] = 1;
		h[o + 1] = n;
		o += 2 + n;
	}
	if (type == 43) {	/* routing: type 0-like, segments left 0 */
		h[2] = 0;
		h[3] = 0;
	}
}

void pkt_ip6_frag(struct pkt *p, uint16_t offset, bool more, uint32_t id)
{
	uint8_t *h = pkt_push(p, PKT_L_IP6_FRAG, 8);

	put16(h + 2, (offset & 0xfff8) | (more ? 1 : 0));
	put32(h + 4, id);
}

void pkt_tcp(struct pkt *p, const struct pkt_tcp_hdr *t)
{
	uint8_t *h = pkt_push(p, PKT_L_TCP, 20);

	put16(h, t->sport);
	put16(h + 2, t->dport);
	put32(h + 4, t->seq);
	put32(h + 8, t->ack);
	h[12] = 5 << 4;
	h[13] = t->flags ? t->flags : PKT_TCP_ACK;
	put16(h + 14, t->window ? t->window : 65535);
}

void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	uint8_t *h = pkt_push(p, PKT_L_UDP, 8);

	put16(h, sport);
	put16(h + 2, dport);
}

void pkt_icmp(struct pkt *p, uint8_t type, uint8_t code, uint32_t rest)
{
	uint8_t *h = pkt_push(p, PKT_L_ICMP, 8);

	h[0] = type;
	h[1] = code;
	put32(h + 4, rest);
}

void pkt_icmp6(struct pkt *p, uint8_t type, uint8_t code, uint32_t rest)
{
	uint8_t *h = pkt_push(p, PKT_L_ICMP6, 8);

	h[0] = type;
	h[1] = code;
	put32(h + 4, rest);
}

void pkt_bytes(struct pkt *p, const void *data, uint32_t len)
{
	memcpy(pkt_push(p, PKT_L_DATA, len), data, len);
}

void pkt_pattern(struct pkt *p, uint32_t len, uint8_t seed)
{
	uint8_t *b = pkt_push(p, PKT_L_DATA, len);

	for (uint32_t i = 0; i < len; i++)
		b[i] = seed + i;
}

void pkt_set_next(struct pkt *p, int next)
{
	if (p->nlayers)
		p->layers[p->nlayers - 1].next = next;
}

void pkt_no_csum(struct pkt *p)
{
	if (p->nlayers)
		p->layers[p->nlayers - 1].no_csum = true;
}

uint32_t pkt_csum_partial(const void *data, uint32_t len, uint32_t sum)
{
	const uint8_t *b = data;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint16_t pkt_csum(const void *data, uint32_t len, uint32_t sum)
{
	return ~pkt_csum_partial(data, len, sum) & 0xffff;
}

/* The next-protocol value layer `cur` should carry for the layer after it. */
static int next_proto(const struct pkt *p, int i)
{
	const struct pkt_layer *cur = &p->layers[i];
	bool l2 = cur->type == PKT_L_ETH || cur->type == PKT_L_VLAN;

	if (cur->next >= 0)
		return cur->next;
	if (i + 1 >= p->nlayers)
		return l2 ? 0x88b5 : 59;
	switch (p->layers[i + 1].type) {
	case PKT_L_VLAN: return 0x8100;
	case PKT_L_IPV4: return l2 ? 0x0800 : 4;
	case PKT_L_IPV6: return l2 ? 0x86dd : 41;
	case PKT_L_IP6_EXT: return p->layers[i + 1].ext_type;
	case PKT_L_IP6_FRAG: return 44;
	case PKT_L_TCP: return 6;
	case PKT_L_UDP: return 17;
	case PKT_L_ICMP: return 1;
	case PKT_L_ICMP6: return 58;
	case PKT_L_ETH: case PKT_L_DATA: break;
	}
	return l2 ? 0x88b5 : 59;
}

/* Pseudo-header sum for an L4 layer at index i with `len` bytes, proto. */
static uint32_t pseudo_sum(const struct pkt *p, int i, uint32_t len, uint8_t proto)
{
	for (int j = i - 1; j >= 0; j--) {
		const struct pkt_layer *l = &p->layers[j];
		const uint8_t *h = p->data + l->off;
		uint8_t tail[8] = { 0 };

		if (l->type == PKT_L_IPV4) {
			uint32_t s = pkt_csum_partial(h + 12, 8, 0);

			return s + proto + len;
		}
		if (l->type == PKT_L_IPV6) {
			uint32_t s = pkt_csum_partial(h + 8, 32, 0);

			put32(tail, len);
			tail[7] = proto;
			return pkt_csum_partial(tail, 8, s);
		}
	}
	return 0;	/* no IP layer: plain sum */
}

uint32_t pkt_finish(struct pkt *p)
{
	for (int i = p->nlayers - 1; i >= 0; i--) {
		struct pkt_layer *l = &p->layers[i];
		uint8_t *h = p->data + l->off;
		uint32_t rest = p->len - l->off;
		int nx = next_proto(p, i);
		uint16_t c;

		switch (l->type) {
		case PKT_L_ETH:
			put16(h + 12, nx);
			break;
		case PKT_L_VLAN:
			put16(h + 2, nx);
			break;
		case PKT_L_IPV4:
			h[9] = nx;
			if (l->no_csum)
				break;
			put16(h + 2, rest);
			put16(h + 10, 0);
			put16(h + 10, pkt_csum(h, (h[0] & 0xf) * 4, 0));
			break;
		case PKT_L_IPV6:
			h[6] = nx;
			if (!l->no_csum)
				put16(h + 4, rest - 40);
			break;
		case PKT_L_IP6_EXT:
		case PKT_L_IP6_FRAG:
			h[0] = nx;
			break;
		case PKT_L_TCP:
		case PKT_L_UDP:
		case PKT_L_ICMP6:
			if (l->no_csum)
				break;
			if (l->type == PKT_L_UDP)
				put16(h + 4, rest);
			{
				int off = l->type == PKT_L_TCP ? 16 : l->type == PKT_L_UDP ? 6 : 2;
				uint8_t proto = l->type == PKT_L_TCP ? 6 : l->type == PKT_L_UDP ? 17 : 58;

				put16(h + off, 0);
				c = pkt_csum(h, rest, pseudo_sum(p, i, rest, proto));
				if (l->type == PKT_L_UDP && c == 0)
					c = 0xffff;
				put16(h + off, c);
			}
			break;
		case PKT_L_ICMP:
			if (l->no_csum)
				break;
			put16(h + 2, 0);
			put16(h + 2, pkt_csum(h, rest, 0));
			break;
		case PKT_L_DATA:
			break;
		}
	}
	return p->len;
}

uint32_t pkt_layer_off(const struct pkt *p, enum pkt_layer_type type, int n)
{
	for (int i = 0; i < p->nlayers; i++)
		if (p->layers[i].type == type && n-- == 0)
			return p->layers[i].off;
	pkt_die("no such layer", NULL);
	return 0;
}

uint32_t pkt_l3_off(const struct pkt *p)
{
	for (int i = 0; i < p->nlayers; i++)
		if (p->layers[i].type == PKT_L_IPV4 || p->layers[i].type == PKT_L_IPV6)
			return p->layers[i].off;
	pkt_die("no L3 layer", NULL);
	return 0;
}

void pkt_hexdump(const char *prefix, const void *data, uint32_t len)
{
	const uint8_t *b = data;

	for (uint32_t i = 0; i < len; i += 16) {
		printf("%s%04x:", prefix, i);
		for (uint32_t j = i; j < i + 16 && j < len; j++)
			printf(" %02x", b[j]);
		printf("\n");
	}
}

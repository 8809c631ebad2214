/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * xlb_hash.h - the flow hash and the Maglev slot choice, shared by the XDP
 * balancer and userspace (xlbctl trace, tests' oracle), so both always agree.
 *
 * The hash is MurmurHash3's 32-bit body over the flow's words with a fixed
 * seed: every xlb host of an ECMP group computes the same value, so a flow
 * (or an ICMP error about it) lands on the same backend whichever host gets
 * it. Inputs are in network byte order as they sit in the packet.
 */
#ifndef XLB_HASH_H
#define XLB_HASH_H

#include "xlb_types.h"

#ifdef __bpf__
#define XLB_INLINE static __always_inline
#else
#define XLB_INLINE static inline
#endif

XLB_INLINE __u32 xlb_rotl32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

XLB_INLINE __u32 xlb_mix(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51u;
	k = xlb_rotl32(k, 15);
	k *= 0x1b873593u;
	h ^= k;
	h = xlb_rotl32(h, 13);
	return h * 5 + 0xe6546b64u;
}

XLB_INLINE __u32 xlb_fmix(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* Hash of the source address only (per-VIP "hash: src" affinity). */
XLB_INLINE __u32 xlb_hash_src(const struct xlb_flow *f)
{
	__u32 h = XLB_HASH_SEED;

	h = xlb_mix(h, f->src[0]);
	if (f->family == XLB_AF_INET6) {
		h = xlb_mix(h, f->src[1]);
		h = xlb_mix(h, f->src[2]);
		h = xlb_mix(h, f->src[3]);
	}
	return xlb_fmix(h ^ f->family);
}

/* h mixed with both addresses: src[0], dst[0], then IPv6's remaining words (the hashes' common part). */
XLB_INLINE __u32 xlb_mix_addrs(__u32 h, const struct xlb_flow *f)
{
	h = xlb_mix(h, f->src[0]);
	h = xlb_mix(h, f->dst[0]);
	if (f->family == XLB_AF_INET6) {
		h = xlb_mix(h, f->src[1]);
		h = xlb_mix(h, f->src[2]);
		h = xlb_mix(h, f->src[3]);
		h = xlb_mix(h, f->dst[1]);
		h = xlb_mix(h, f->dst[2]);
		h = xlb_mix(h, f->dst[3]);
	}
	return h;
}

/* Hash of (src, dst, proto): fragments, where ports are unknown. */
XLB_INLINE __u32 xlb_hash_3tuple(const struct xlb_flow *f)
{
	__u32 h = xlb_mix_addrs(XLB_HASH_SEED, f);

	h = xlb_mix(h, f->proto);
	return xlb_fmix(h ^ f->family);
}

/* Hash of the 5-tuple (the default). */
XLB_INLINE __u32 xlb_hash_5tuple(const struct xlb_flow *f)
{
	__u32 h = xlb_mix_addrs(XLB_HASH_SEED, f);

	h = xlb_mix(h, ((__u32)f->sport << 16) | f->dport);
	h = xlb_mix(h, f->proto);
	return xlb_fmix(h ^ f->family);
}

/* The hash a VIP with these flags uses for a (non-fragment) flow. */
XLB_INLINE __u32 xlb_flow_hash(const struct xlb_flow *f, __u32 vip_flags)
{
	if (vip_flags & XLB_VIP_F_HASH_SRC)
		return xlb_hash_src(f);
	return xlb_hash_5tuple(f);
}

/*
 * Slot of a destination address in the VIP address filter ("vip_filter",
 * XLB_VIP_FILTER_SLOTS counters of vips keys per slot): a zero slot means
 * "no VIP on this address", so non-VIP traffic passes after one inlined
 * array read instead of two hash-map lookups. Every packet pays this, so it
 * is one multiply (Fibonacci hashing of the address words folded together),
 * not the flow hash: a collision only costs a VIP lookup.
 */
XLB_INLINE __u32 xlb_vip_filter_slot(const __be32 *addr, __u8 family)
{
	__u32 x = addr[0] ^ family;

	if (family == XLB_AF_INET6)
		x ^= xlb_rotl32(addr[1], 8) ^ xlb_rotl32(addr[2], 16) ^ xlb_rotl32(addr[3], 24);
	return (x * 0x9e3779b1u) >> (32 - __builtin_ctz(XLB_VIP_FILTER_SLOTS));
}

/* Maglev slot of a hash in a table of table_size entries. */
XLB_INLINE __u32 xlb_maglev_slot(__u32 hash, __u32 table_size)
{
	return hash % table_size;
}

/*
 * The oracle: the backend a new flow gets from a VIP's table.
 * table[] holds backend ids (XLB_BACKEND_NONE for an empty slot).
 */
XLB_INLINE __u32 xlb_predict_backend(const __u32 *table, __u32 table_size,
				     const struct xlb_flow *f, __u32 vip_flags)
{
	return table[xlb_maglev_slot(xlb_flow_hash(f, vip_flags), table_size)];
}

#endif /* XLB_HASH_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * stats.h - per-CPU counters: one reason per packet (xlb_count_reason, from
 * the entry program only), events on the way, per-VIP / per-backend
 * packets, bytes (IP-declared L3 length, as received) and new flows.
 * Per-CPU maps: plain increments, no atomics; userspace sums the CPUs.
 */
#ifndef XLB_BPF_STATS_H
#define XLB_BPF_STATS_H

#include "maps.h"

static __always_inline int xlb_count_reason(const struct xlb_pkt *pkt, int verdict)
{
	__u32 key = pkt->reason;
	__u64 *v = bpf_map_lookup_elem(&reasons, &key);

	if (v)
		*v += 1;
	return verdict;
}

static __always_inline void xlb_event(enum xlb_event e)
{
	__u32 key = e;
	__u64 *v = bpf_map_lookup_elem(&events, &key);

	if (v)
		*v += 1;
}

static __always_inline void xlb_count_flow(__u32 vip_id, __u32 backend_id, __u32 bytes, int new_flow)
{
	struct xlb_counters *c = bpf_map_lookup_elem(&vip_stats, &vip_id);

	if (c) {
		c->packets++;
		c->bytes += bytes;
		c->new_flows += new_flow;
	}
	c = bpf_map_lookup_elem(&backend_stats, &backend_id);
	if (c) {
		c->packets++;
		c->bytes += bytes;
		c->new_flows += new_flow;
	}
}

#endif /* XLB_BPF_STATS_H */

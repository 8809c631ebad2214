// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * healthcheck.bpf.c - tc egress program of xlbd's tunnel health checks
 * (attached by userspace/xlbd/health_tunnel.c on the balancer's
 * interfaces). Packets that do not carry an xlb probe mark pass untouched;
 * marked ones are encapsulated to their backend (bpf/lib/hc_tunnel.h).
 *
 * `backends` is the balancer's map: the loader hands its fd over
 * (bpf_map__reuse_fd) so both programs read the same entries.
 */
#include "lib/hc_tunnel.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_backend);
} backends SEC(".maps");

SEC("tc")
int xlb_healthcheck(struct __sk_buff *skb)
{
	__u32 mark = skb->mark, id;
	struct xlb_backend *be;

	if ((mark & XLB_HC_MARK_MASK) != XLB_HC_MARK_BASE)
		return TC_ACT_OK;
	id = XLB_HC_MARK_ID(mark);
	be = bpf_map_lookup_elem(&backends, &id);
	if (!be || !(be->flags & XLB_BE_F_NEXTHOP) ||
	    (be->family != XLB_AF_INET && be->family != XLB_AF_INET6))
		return xlb_hc_count(XLB_HC_TC_NO_BACKEND, TC_ACT_SHOT);
	return xlb_hc_encap(skb, be);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

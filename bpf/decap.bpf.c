// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * decap.bpf.c - XDP program of a real server (loaded by xlb-decap): strips
 * the tunnel header xlb's balancer added (IPIP, IPv6-in-IPv6, 4in6, 6in4)
 * when the outer destination is one of this host's addresses, and passes
 * the inner packet to the stack, whose VIP sits on lo (direct server
 * return). Everything else passes untouched. One reason counted per packet.
 * Maps and their pins: include/xlb_decap.h.
 */
#include "lib/decap.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_MAX_LOCAL_ADDRS);
	__type(key, struct xlb_addr_key);
	__type(value, __u8);
} local_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_DECAP_CFG__COUNT);
	__type(key, __u32);
	__type(value, __u32);
} decap_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_D__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} decap_reasons SEC(".maps");

static __always_inline int count(int reason)
{
	__u32 key = reason;
	__u64 *v = bpf_map_lookup_elem(&decap_reasons, &key);

	if (v)
		*v += 1;
	return xlb_decap_verdict(reason);
}

/* An empty allow-list accepts every destination (one array lookup). */
static __always_inline int is_local(const struct xlb_addr_key *dst)
{
	__u32 key = XLB_DECAP_CFG_N_LOCAL;
	__u32 *n = bpf_map_lookup_elem(&decap_cfg, &key);

	if (!n || *n == 0)
		return 1;
	return bpf_map_lookup_elem(&local_addrs, dst) != NULL;
}

SEC("xdp")
int xlb_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xlb_tunnel t = {};
	int r;

	r = xlb_decap_parse_outer(data, data_end, &t);
	if (r != XLB_CONTINUE)
		return count(r);
	if (!is_local(&t.outer_dst))
		return count(XLB_D_PASS_NOT_LOCAL);
	if (t.frag)
		return count(XLB_D_PASS_FRAGMENT);
	r = xlb_decap_check_inner(data, data_end, &t);
	if (r != XLB_CONTINUE)
		return count(r);
	return count(xlb_decap_strip(ctx, &t));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

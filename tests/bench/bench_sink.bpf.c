/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_sink.bpf.c - XDP_DROP sink on the far end of the end-to-end veth.
 * Counts every frame, and separately the frames that arrive encapsulated
 * (outer IPv4 protocol IPIP/IPv6, or outer IPv6 next header IPv6/IPIP), so
 * the benchmark can check that the balancer really encapsulated them.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum sink_stat { SINK_FRAMES = 0, SINK_ENCAP, SINK__COUNT };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SINK__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} sink_stats SEC(".maps");

static __always_inline void sink_count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&sink_stats, &stat);

	if (v)
		*v += 1;
}

static __always_inline int is_tunnel_proto(__u8 proto)
{
	return proto == IPPROTO_IPIP || proto == IPPROTO_IPV6;
}

SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 proto = 0;

	sink_count(SINK_FRAMES);
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) <= data_end)
			proto = ip->protocol;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) <= data_end)
			proto = ip6->nexthdr;
	}
	if (is_tunnel_proto(proto))
		sink_count(SINK_ENCAP);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

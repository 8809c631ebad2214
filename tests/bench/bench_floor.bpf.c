/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_floor.bpf.c - reference programs the benchmark compares xlb with.
 *
 * bench_macswap: the floor. Swaps the Ethernet addresses and returns
 * XDP_TX: the least an XDP program that sends a packet back can do. Timed
 * through the same wrapper as the balancer (datapath rows) and attached in
 * its place (end-to-end rows).
 * bench_drop: returns XDP_DROP at once; through the wrapper it measures the
 * harness alone (frame restore + tail call), reported so that readers can
 * see what every row carries.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_macswap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char tmp[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return XDP_TX;
}

SEC("xdp")
int bench_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_wrap.bpf.c - the BPF_PROG_TEST_RUN wrapper of the datapath benchmark.
 *
 * A plain test run with a large repeat hands the program the buffer it
 * rewrote on the previous repetition (an encapsulating program then sees
 * its own output). This wrapper runs first on every repetition: it restores
 * the saved frame (frames[0]) into the packet, applies the optional
 * per-repetition flow variation, and tail-calls progs[0], the program under
 * test (the balancer, or the MAC-swap floor). The timed cost is therefore
 * wrapper + tail call + program, for every row alike.
 */
#include "bench_frame_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_frame);
} frames SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} progs SEC(".maps");

/* Per-CPU flow counter: survives between runs, so new flows stay new. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} flow_ctr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BENCH_WS__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} wrap_stats SEC(".maps");

static __always_inline int wrap_fail(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&wrap_stats, &stat);

	if (v)
		*v += 1;
	return XDP_ABORTED;
}

SEC("xdp")
int bench_wrap(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct bench_frame *f = bpf_map_lookup_elem(&frames, &zero);
	__u32 *ctr = NULL;
	int err;

	if (!f)
		return wrap_fail(BENCH_WS_COPY_FAILED);
	if (f->vary_port_off)
		ctr = bpf_map_lookup_elem(&flow_ctr, &zero);
	err = bench_frame_write(ctx, f, ctr);
	if (err)
		return wrap_fail(err);
	bpf_tail_call(ctx, &progs, 0);
	return wrap_fail(BENCH_WS_TAIL_MISSED);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

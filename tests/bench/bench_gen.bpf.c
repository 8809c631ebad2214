/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_gen.bpf.c - live-frames packet generator for the end-to-end rate.
 *
 * Run with BPF_PROG_TEST_RUN and BPF_F_TEST_XDP_LIVE_FRAMES: every
 * repetition writes the template frame (frames[0]) with the next flow of
 * the per-CPU counter and redirects it into the veth named by
 * target_ifindex (set before load). Live frames are recycled without their
 * content being reset, so the frame is rewritten every time (DESIGN.md 7).
 */
#include "bench_frame_bpf.h"

const volatile __u32 target_ifindex = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_frame);
} frames SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} flow_ctr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BENCH_GS__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} gen_stats SEC(".maps");

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	__u32 zero = 0, stat = BENCH_GS_FAILED;
	struct bench_frame *f = bpf_map_lookup_elem(&frames, &zero);
	__u32 *ctr = bpf_map_lookup_elem(&flow_ctr, &zero);
	__u64 *v;
	int act = XDP_DROP;

	if (f && ctr && !bench_frame_write(ctx, f, ctr)) {
		act = bpf_redirect(target_ifindex, 0);
		if (act == XDP_REDIRECT)
			stat = BENCH_GS_SENT;
	}
	v = bpf_map_lookup_elem(&gen_stats, &stat);
	if (v)
		*v += 1;
	return act;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

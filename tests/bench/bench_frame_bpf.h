/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_frame_bpf.h - BPF side of struct bench_frame: write the saved frame
 * into the packet before a repetition (restoring its length first) and
 * apply the per-repetition flow variation. Used by the test-run wrapper and
 * the live-frames generator.
 *
 * Returns 0, or an enum bench_wrap_stat index saying what failed.
 */
#ifndef XLB_BENCH_FRAME_BPF_H
#define XLB_BENCH_FRAME_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bench_shared.h"

/* Store a __be16 at a variable offset of the packet. */
static __always_inline int bench_put16(struct xdp_md *ctx, __u32 off, __u16 host_val)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p;

	/* the verifier needs a bound on a variable packet offset */
	off &= BENCH_FRAME_MAX - 1;
	p = (__u8 *)data + off;
	if ((void *)(p + 2) > data_end)
		return -1;
	*(__be16 *)p = bpf_htons(host_val);
	return 0;
}

/*
 * Copy len (>= 8) bytes of src over the packet: whole 8-byte words, then
 * the last 8 bytes as one (overlapping) word. Cheaper than
 * bpf_xdp_store_bytes (a helper call and a generic copy); the wrapper's
 * cost is in every row, so it is kept small.
 */
static __always_inline int bench_copy(struct xdp_md *ctx, const __u8 *src, __u32 len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 i, words = len / 8, last;
	__u64 *dst = data;

	/* unrolled: a guard instead of a break lets clang unroll it */
#pragma unroll
	for (i = 0; i < BENCH_FRAME_MAX / 8; i++) {
		if (i < words) {
			if ((void *)(dst + i + 1) > data_end)
				return -1;
			dst[i] = ((const __u64 *)src)[i];
		}
	}
	last = (len - 8) & (BENCH_FRAME_MAX - 1);	/* bound for the verifier */
	if (last > BENCH_FRAME_MAX - 8 || (void *)((__u8 *)data + last + 8) > data_end)
		return -1;
	*(__u64 *)((__u8 *)data + last) = *(const __u64 *)(src + last);
	return 0;
}

/*
 * Make the packet equal to f (plus the variation when f asks for it).
 * Length restore: the programs benchmarked only prepend (encapsulation,
 * bpf_xdp_adjust_head(-n)) or leave the length alone, so moving the start
 * back by the difference puts data/data_end exactly where the test run
 * first placed them. A failure is reported, never hidden.
 */
static __always_inline int bench_frame_write(struct xdp_md *ctx, const struct bench_frame *f,
					     __u32 *ctr)
{
	long cur = (long)ctx->data_end - (long)ctx->data;
	__u32 len = f->len;
	__u32 c, hi;

	if (len < BENCH_FRAME_MIN || len > BENCH_FRAME_MAX)
		return BENCH_WS_COPY_FAILED;
	if (cur != (long)len && bpf_xdp_adjust_head(ctx, (int)(cur - (long)len)))
		return BENCH_WS_RESTORE_FAILED;
	if (bench_copy(ctx, f->data, len))
		return BENCH_WS_COPY_FAILED;
	if (!f->vary_port_off || !ctr)
		return 0;
	c = (*ctr)++;
	if (bench_put16(ctx, f->vary_port_off, c & f->port_mask))
		return BENCH_WS_COPY_FAILED;
	if (f->vary_addr_off) {
		hi = (c >> 16) & f->addr_mask;
		if (bench_put16(ctx, f->vary_addr_off, hi))
			return BENCH_WS_COPY_FAILED;
		if (f->vary_csum_off && bench_put16(ctx, f->vary_csum_off, (__u16)~hi))
			return BENCH_WS_COPY_FAILED;
	}
	return 0;
}

#endif /* XLB_BENCH_FRAME_BPF_H */

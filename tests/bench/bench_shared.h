/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_shared.h - types shared by the benchmark's helper XDP programs
 * (the tests/bench XDP programs) and the benchmark driver (tests/bench C files).
 *
 * struct bench_frame is the frame the wrapper (bench_wrap.bpf.c) and the
 * generator (bench_gen.bpf.c) write into the packet before every
 * repetition, so the program under test always sees the same input and
 * never its own output (DESIGN.md section 7). Offsets are from the start of
 * the Ethernet header; 0 means "not used" (offset 0 is the destination MAC,
 * never varied).
 *
 * Per-repetition variation (new-flow scenarios): a per-CPU counter c is
 * incremented every repetition; the __be16 at vary_port_off gets (c & mask)
 * and the __be16 at vary_addr_off gets (c >> 16) & mask16, so up to 2^32
 * distinct flows. The __be16 at vary_csum_off gets the ones' complement of
 * the address word: with that word 0 and the compensating word 0xffff in
 * the template, their sum stays 0xffff and the IPv4 header checksum stays
 * valid without recomputing it.
 */
#ifndef XLB_BENCH_SHARED_H
#define XLB_BENCH_SHARED_H

#include <linux/types.h>

#define BENCH_FRAME_MAX		256	/* template bytes; larger frames are not benchmarked */
#define BENCH_FRAME_MIN		14	/* an Ethernet header */

struct bench_frame {
	__u32 len;		/* bytes of data[] that make the frame */
	__u32 port_mask;	/* host order; mask on c for the port word (0xffff = all) */
	__u16 vary_port_off;
	__u16 vary_addr_off;
	__u16 vary_csum_off;
	__u16 pad;
	__u32 addr_mask;	/* host order; mask on c >> 16 for the address word */
	__u32 pad2;
	__u8 data[BENCH_FRAME_MAX] __attribute__((aligned(8)));	/* copied in 8-byte words */
};
_Static_assert(sizeof(struct bench_frame) == 24 + BENCH_FRAME_MAX, "bench_frame layout");

/* Indexes of the per-CPU "wrap_stats" array of the wrapper (u64 each). */
enum bench_wrap_stat {
	BENCH_WS_RESTORE_FAILED = 0,	/* bpf_xdp_adjust_head could not restore the length */
	BENCH_WS_COPY_FAILED,		/* bpf_xdp_store_bytes failed */
	BENCH_WS_TAIL_MISSED,		/* tail call to the program under test did not happen */
	BENCH_WS__COUNT
};

/* Indexes of the per-CPU "gen_stats" array of the generator (u64 each). */
enum bench_gen_stat {
	BENCH_GS_SENT = 0,		/* frames redirected */
	BENCH_GS_FAILED,		/* frame could not be written or redirected */
	BENCH_GS__COUNT
};

#endif /* XLB_BENCH_SHARED_H */

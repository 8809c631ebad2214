/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfrun.h - running XDP programs through BPF_PROG_TEST_RUN and reading
 * their per-CPU maps, for tests/bpf. Loading is done by each test through
 * its skeleton (build/skel/NAME.skel.h); these helpers take fds.
 * Functions return 0 or -errno.
 */
#ifndef XLB_TEST_BPFRUN_H
#define XLB_TEST_BPFRUN_H

#include <stdint.h>

struct bpfrun_result {
	uint32_t verdict;		/* XDP_* returned by the program */
	uint8_t out[4096 + 512];	/* frame after the program */
	uint32_t out_len;
	uint32_t duration_ns;		/* average per repetition, from the kernel */
};

/*
 * Run prog_fd once (repeat = 1) on frame[0..len). ingress_ifindex != 0 sets
 * xdp_md.ingress_ifindex (the kernel then needs a real device with that
 * index in the calling thread's network namespace; XDP rx_queue_index 0).
 */
int bpfrun_xdp(int prog_fd, const void *frame, uint32_t len, uint32_t ingress_ifindex,
	       struct bpfrun_result *res);

/*
 * Run prog_fd `repeat` times on the same buffer; res->duration_ns is the
 * kernel's average. Only meaningful for paths that leave the frame as it
 * was (XDP_PASS): a program that rewrites it sees its own output next time.
 */
int bpfrun_xdp_repeat(int prog_fd, const void *frame, uint32_t len, uint32_t repeat,
		      struct bpfrun_result *res);

/* Number of possible CPUs (per-CPU map value count). */
int bpfrun_ncpus(void);

/* Sum of one u64 slot of a PERCPU_ARRAY over all CPUs. */
int bpfrun_percpu_u64(int map_fd, uint32_t index, uint64_t *sum);
/* Zero every slot 0..n-1 of a PERCPU_ARRAY whose value is value_size bytes. */
int bpfrun_percpu_zero(int map_fd, uint32_t n, uint32_t value_size);

/* Raise RLIMIT_MEMLOCK (old kernels) and route libbpf logs to stderr as TAP diagnostics. */
void bpfrun_setup(void);

/* Verifier statistics of a loaded program: xlated / jited instruction bytes. */
int bpfrun_prog_sizes(int prog_fd, uint32_t *xlated_insns, uint32_t *jited_bytes);

#endif /* XLB_TEST_BPFRUN_H */

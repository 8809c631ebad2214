/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpfrun.c - BPF_PROG_TEST_RUN and per-CPU map helpers; contract in bpfrun.h. */
#include "bpfrun.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

int bpfrun_xdp(int prog_fd, const void *frame, uint32_t len, uint32_t ingress_ifindex,
	       struct bpfrun_result *res)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ingress_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = frame, .data_size_in = len,
		    .data_out = res->out, .data_size_out = sizeof(res->out),
		    .repeat = 1);
	int err;

	if (ingress_ifindex) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return -errno;
	res->verdict = opts.retval;
	res->out_len = opts.data_size_out;
	res->duration_ns = opts.duration;
	return 0;
}

int bpfrun_xdp_repeat(int prog_fd, const void *frame, uint32_t len, uint32_t repeat,
		      struct bpfrun_result *res)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = frame, .data_size_in = len,
		    .data_out = res->out, .data_size_out = sizeof(res->out),
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	res->verdict = opts.retval;
	res->out_len = opts.data_size_out;
	res->duration_ns = opts.duration;
	return 0;
}

int bpfrun_ncpus(void)
{
	return libbpf_num_possible_cpus();
}

int bpfrun_percpu_u64(int map_fd, uint32_t index, uint64_t *sum)
{
	int n = bpfrun_ncpus();
	uint64_t *vals;

	if (n <= 0)
		return n ? n : -EINVAL;
	vals = calloc(n, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, &index, vals)) {
		int err = -errno;

		free(vals);
		return err;
	}
	*sum = 0;
	for (int i = 0; i < n; i++)
		*sum += vals[i];
	free(vals);
	return 0;
}

int bpfrun_percpu_zero(int map_fd, uint32_t n, uint32_t value_size)
{
	int ncpu = bpfrun_ncpus();
	size_t stride = (value_size + 7) & ~7u;	/* per-CPU values are 8-byte aligned */
	void *zero = calloc(ncpu, stride);
	int err = 0;

	if (!zero)
		return -ENOMEM;
	for (uint32_t i = 0; i < n && !err; i++)
		if (bpf_map_update_elem(map_fd, &i, zero, BPF_ANY))
			err = -errno;
	free(zero);
	return err;
}

static int bpfrun_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* TAP: diagnostics are "# " lines on stdout so they stay next to the failure */
	for (char *s = line, *nl; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		if (nl)
			*nl = 0;
		printf("# libbpf: %s\n", s);
		if (!nl)
			break;
	}
	return 0;
}

void bpfrun_setup(void)
{
	struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };

	setrlimit(RLIMIT_MEMLOCK, &r);
	libbpf_set_print(bpfrun_libbpf_print);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

int bpfrun_prog_sizes(int prog_fd, uint32_t *xlated_insns, uint32_t *jited_bytes)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	*xlated_insns = info.xlated_prog_len / 8;
	*jited_bytes = info.jited_prog_len;
	return 0;
}

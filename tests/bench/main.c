/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * main.c - xlb-bench: the benchmark driver scripts/bench.sh runs, one
 * command per part. Every command appends its rows to the results file
 * (--results); `report` prints them as one table. `smoke` checks the
 * paths only (TAP), with no timing assertions.
 *
 * Exit status: 0 when the command ran (missed targets are reported, not
 * errors), 1 on a failed check or setup error, 2 on bad usage.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "bench.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xlb-bench [options] COMMAND\n"
		"commands:\n"
		"  reset                    start a new results file\n"
		"  datapath                 BPF_PROG_TEST_RUN cost per packet, every scenario\n"
		"  e2e                      packet rate through veth (needs --gen-ns --lb-ns --gen-if --lb-if)\n"
		"  maglev                   Maglev build times beside the textbook baseline\n"
		"  cp apply|change|health   control plane through xlbd (--socket, --pid, --pin-dir)\n"
		"  na SECTION NAME REASON   record a row that could not be measured\n"
		"  listen PORT              accept-and-close TCP listener (health-check target)\n"
		"  report                   print the results as a table\n"
		"  smoke                    every datapath path and the Maglev builders, TAP, no timing\n"
		"options:\n"
		"  --results FILE     results file (default build/bench/results.json)\n"
		"  --balancer FILE    balancer object (default build/bpf/balancer.bpf.o)\n"
		"  --runs N           timed runs per row, median reported (default 9)\n"
		"  --run-ms MS        length of one timed datapath run (default 40)\n"
		"  --e2e-sec S        seconds per end-to-end measurement (default 2)\n"
		"  --flows N          end-to-end: flows cycled, a power of 2 <= 65536 (default 65536)\n"
		"  --hold-ns NS --hold-if IF  idle veth the datapath wrapper is attached to\n"
		"  --only KEY         datapath: one scenario only (e.g. under perf record)\n"
		"  --no-path-check    datapath: skip the counter check (ablation builds only)\n"
		"  --gen-ns NS --lb-ns NS --gen-if IF --lb-if IF\n"
		"  --socket PATH --pid PID --pin-dir DIR --backends N --window S --count-file F\n");
}

int bench_listen(int port);	/* cp_http.c */

static int libbpf_verbose(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "results", required_argument, NULL, 'r' },
		{ "balancer", required_argument, NULL, 'b' },
		{ "runs", required_argument, NULL, 'n' },
		{ "run-ms", required_argument, NULL, 'm' },
		{ "e2e-sec", required_argument, NULL, 'e' },
		{ "gen-ns", required_argument, NULL, 1 },
		{ "lb-ns", required_argument, NULL, 2 },
		{ "gen-if", required_argument, NULL, 3 },
		{ "lb-if", required_argument, NULL, 4 },
		{ "socket", required_argument, NULL, 5 },
		{ "pid", required_argument, NULL, 6 },
		{ "pin-dir", required_argument, NULL, 7 },
		{ "backends", required_argument, NULL, 8 },
		{ "window", required_argument, NULL, 9 },
		{ "hold-ns", required_argument, NULL, 10 },
		{ "hold-if", required_argument, NULL, 11 },
		{ "only", required_argument, NULL, 12 },
		{ "no-path-check", no_argument, NULL, 13 },
		{ "flows", required_argument, NULL, 14 },
		{ "count-file", required_argument, NULL, 15 },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct bench_opts o = {
		.results = "build/bench/results.json",
		.balancer_obj = "build/bpf/balancer.bpf.o",
		.runs = 9, .run_ms = 40, .e2e_sec = 2, .e2e_flows = 65536,
		.pin_dir = "/sys/fs/bpf/xlb-bench", .hc_backends = 1000, .cpu_window_sec = 10,
	};
	const char *cmd;
	int c, err = 0;

	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'r': o.results = optarg; break;
		case 'b': o.balancer_obj = optarg; break;
		case 'n': o.runs = atoi(optarg); break;
		case 'm': o.run_ms = atof(optarg); break;
		case 'e': o.e2e_sec = atof(optarg); break;
		case 1: o.gen_ns = optarg; break;
		case 2: o.lb_ns = optarg; break;
		case 3: o.gen_if = optarg; break;
		case 4: o.lb_if = optarg; break;
		case 5: o.xlbd_socket = optarg; break;
		case 6: o.xlbd_pid = atoi(optarg); break;
		case 7: o.pin_dir = optarg; break;
		case 8: o.hc_backends = atoi(optarg); break;
		case 9: o.cpu_window_sec = atof(optarg); break;
		case 10: o.hold_ns = optarg; break;
		case 11: o.hold_if = optarg; break;
		case 12: o.only = optarg; break;
		case 13: o.no_path_check = true; break;
		case 14: o.e2e_flows = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 15: o.count_file = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc || o.runs < 1 || o.runs > 15 || o.run_ms <= 0) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind++];
	libbpf_set_print(NULL);	/* our own errors name what failed; libbpf's noise hides them */
	if (getenv("XLB_BENCH_VERBOSE"))
		libbpf_set_print(libbpf_verbose);

	if (!strcmp(cmd, "reset")) {
		err = bench_results_reset(o.results);
	} else if (!strcmp(cmd, "datapath")) {
		err = bench_datapath(&o);
	} else if (!strcmp(cmd, "e2e")) {
		if (!o.gen_ns || !o.lb_ns || !o.gen_if || !o.lb_if) {
			fprintf(stderr, "xlb-bench e2e: --gen-ns, --lb-ns, --gen-if and --lb-if are required\n");
			return 2;
		}
		if (!o.e2e_flows || o.e2e_flows > 65536 || (o.e2e_flows & (o.e2e_flows - 1))) {
			fprintf(stderr, "xlb-bench e2e: --flows must be a power of 2 up to 65536\n");
			return 2;
		}
		err = bench_e2e(&o);
	} else if (!strcmp(cmd, "maglev")) {
		err = bench_maglev(o.results, false);
	} else if (!strcmp(cmd, "cp")) {
		if (optind >= argc) {
			usage(stderr);
			return 2;
		}
		o.cp_what = argv[optind];
		err = bench_cp(&o);
	} else if (!strcmp(cmd, "na")) {
		struct bench_row r;

		if (argc - optind != 3) {
			usage(stderr);
			return 2;
		}
		bench_row_init(&r, argv[optind], argv[optind + 1], NULL);
		r.na = argv[optind + 2];
		err = bench_results_add(o.results, &r);
	} else if (!strcmp(cmd, "listen")) {
		if (optind >= argc) {
			usage(stderr);
			return 2;
		}
		err = bench_listen(atoi(argv[optind]));
	} else if (!strcmp(cmd, "report")) {
		err = bench_results_print(o.results) < 0 ? -EIO : 0;
	} else if (!strcmp(cmd, "smoke")) {
		o.smoke = true;
		err = bench_datapath(&o);
		if (bench_maglev(o.results, true))
			err = err ? err : -EIO;
		return tap_failures() || err ? 1 : 0;
	} else {
		fprintf(stderr, "xlb-bench: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}
	return err ? 1 : 0;
}

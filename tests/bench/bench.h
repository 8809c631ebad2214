/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench.h - the xlb benchmark driver (build/bench/xlb-bench): shared
 * declarations of its parts. One file per part: main.c (commands),
 * report.c (results file, table, TAP), frames.c (packet builder), lb.c
 * (loading and configuring the balancer), dp.c (BPF_PROG_TEST_RUN rows),
 * e2e.c (veth packet rate), maglev_bench.c (Maglev build times), cp.c and
 * cp_http.c (control plane through xlbd's API).
 *
 * Functions return 0 or a negative errno unless said otherwise; they print
 * their own error once, naming what failed.
 */
#ifndef XLB_BENCH_H
#define XLB_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bench_shared.h"

/* ---- report.c: results (JSON file), the table, TAP ---- */

/* One row of the results. Unset numbers are NAN; na != NULL means "n/a". */
struct bench_row {
	const char *section;	/* "datapath", "end-to-end", "maglev", "control plane" */
	const char *name;
	double value;
	const char *unit;	/* "ns/pkt", "Mpps", "ms", "s", "MiB", "% of a core" */
	double baseline;	/* floor / textbook / MAC-swap value, same unit */
	const char *baseline_name;
	double ratio;		/* value / baseline (or its inverse where said) */
	const char *target;	/* text, e.g. "<= 3x floor"; NULL = none */
	int met;		/* 1 met, 0 missed, -1 no target or n/a */
	const char *na;		/* reason the row has no number */
	const char *note;	/* method detail for the JSON */
	double extra;		/* optional secondary number (see extra_name) */
	const char *extra_name;
	double extra2;		/* and a third (see extra2_name) */
	const char *extra2_name;
};

void bench_row_init(struct bench_row *r, const char *section, const char *name, const char *unit);
/* Append a row to the results file (created when missing). */
int bench_results_add(const char *path, const struct bench_row *r);
/* Start a new results file (meta: kernel, CPU, date). */
int bench_results_reset(const char *path);
/* Print the table of a results file to stdout. Returns the number of missed targets. */
int bench_results_print(const char *path);

/* TAP on stdout, numbered within this process. */
void tap_ok(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_skip(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tap_failures(void);

/* ---- timing helpers ---- */
uint64_t bench_now_ns(void);		/* CLOCK_MONOTONIC */
double bench_median(double *v, size_t n);	/* sorts v */
int bench_pin_cpu(int cpu);
/* Enter network namespace /run/netns/NAME (the thread's; mounts untouched). */
int bench_enter_ns(const char *name);

/* ---- frames.c: packet builder ---- */

struct frame_spec {
	int family;		/* 4 or 6 */
	uint8_t proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	const char *src, *dst;	/* text addresses of the family */
	uint16_t sport, dport;	/* host order */
	uint8_t tcp_flags;	/* TH_SYN, TH_ACK ... */
	uint16_t payload_len;
	uint16_t ip_id;		/* IPv4 only */
};

/* Where the variable fields sit in a built frame (offsets from the Ethernet header). */
struct frame_layout {
	uint16_t l3_off, l4_off;
	uint16_t sport_off;	/* source port */
	uint16_t src_lo16_off;	/* last 16 bits of the source address */
	uint16_t ip_id_off;	/* IPv4 identification; 0 for IPv6 */
};

/* Build eth/IP/L4 with correct checksums. MACs are fixed lab values. */
int frame_build(const struct frame_spec *s, uint8_t *buf, size_t cap, size_t *len,
		struct frame_layout *lay);
/*
 * An ICMP (v4) destination-unreachable/fragmentation-needed from router to
 * the VIP about the packet `inner` (the backend's direct reply, VIP -> client),
 * quoting its IP header and first 8 L4 bytes.
 */
int frame_build_icmp4_frag_needed(const char *router, const struct frame_spec *inner, uint16_t mtu,
				  uint8_t *buf, size_t cap, size_t *len);
/* struct bench_frame from a built frame; vary = set the new-flow variation from lay. */
int frame_to_bench(const uint8_t *buf, size_t len, const struct frame_layout *lay, bool vary,
		   struct bench_frame *out);

/* ---- maglev_bench.c ---- */

/* The paper's POPULATE (Eisenbud et al., NSDI'16, pseudocode 1), modulo per probe. */
int maglev_textbook_build(const uint8_t (*keys)[20], const uint32_t *ids, size_t n,
			  uint32_t *table, uint32_t size);
/* Maglev build-time rows (smoke: tiny sizes, TAP checks, no rows). */
int bench_maglev(const char *results, bool smoke);

/* ---- lb.c: the balancer under test, loaded from its object file ---- */

struct lb {
	struct bpf_object *obj;
	int prog_fd;
	int vips_fd, backends_fd, tables_fd, conns_fd, config_fd, reasons_fd, events_fd;
	bool vip_filter;	/* the build has the VIP address filter, and it is on */
};

struct lb_nexthop {
	uint32_t ifindex;	/* egress = ingress: the balancer XDP_TXes */
	uint8_t smac[6], dmac[6];
};

/* A VIP and its generated backends (ids first_backend .. + n_backends - 1). */
struct lb_vip_def {
	int family;		/* 4 or 6; backends are of the same family */
	const char *addr;
	uint16_t port;		/* host order */
	uint8_t proto;
	uint32_t vip_id;
	uint32_t n_backends;
	uint32_t first_backend;
	uint32_t table_size;
};

struct lb_counts {
	uint64_t reasons[32];	/* enum xlb_reason */
	uint64_t events[32];	/* enum xlb_event */
};

/* Open and load the balancer, conn table of conn_entries; no pinning. */
int lb_open(struct lb *lb, const char *obj_path, uint32_t conn_entries);
void lb_close(struct lb *lb);
/* Config: defaults, new-flow guard off (every new flow is inserted). */
int lb_configure(struct lb *lb);
int lb_add_vip(struct lb *lb, const struct lb_vip_def *v, const struct lb_nexthop *nh);
int lb_read_counts(struct lb *lb, struct lb_counts *c);

/* ---- dp.c / e2e.c / cp.c ---- */

struct bench_opts {
	const char *results;		/* results file */
	const char *balancer_obj;	/* build/bpf/balancer.bpf.o */
	bool smoke;
	int runs;			/* timed runs per row (median) */
	double run_ms;			/* target length of one timed run */
	/* end-to-end */
	const char *gen_ns, *lb_ns;	/* network namespace names */
	const char *gen_if, *lb_if;	/* veth names in them */
	const char *hold_ns, *hold_if;	/* idle veth holding the wrapper (see dp.c) */
	const char *only;		/* datapath: run only this scenario key (profiling) */
	bool no_path_check;		/* datapath: ablation builds whose counters differ */
	double e2e_sec;			/* seconds per end-to-end measurement */
	uint32_t e2e_flows;		/* distinct flows the generator cycles (power of 2) */
	/* control plane */
	const char *xlbd_socket;
	int xlbd_pid;
	const char *pin_dir;
	const char *cp_what;		/* apply | change | health */
	int hc_backends;
	const char *count_file;		/* listener's accepted-connections file */
	double cpu_window_sec;
	const char *na;			/* print the row(s) as n/a with this reason */
};

int bench_datapath(const struct bench_opts *o);
int bench_e2e(const struct bench_opts *o);
int bench_cp(const struct bench_opts *o);

#endif /* XLB_BENCH_H */

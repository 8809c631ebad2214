/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dp.c - datapath cost per packet with BPF_PROG_TEST_RUN.
 *
 * Method (README "Performance"): the wrapper (bench_wrap.bpf.c) restores
 * the scenario's frame before every repetition and tail-calls the program
 * under test. Each row times the balancer and, in the same process and
 * alternating run by run, the MAC-swap XDP_TX floor through the same
 * wrapper with the same frame and the same per-repetition variation. Time
 * per packet = wall time of the test-run syscall / repetitions; the median
 * of --runs runs is reported. Nothing is subtracted from the headline
 * ratio; the harness alone (wrapper + tail call + XDP_DROP) is timed in
 * the same alternation and xlb minus harness is in the JSON.
 *
 * After every balancer run the balancer's reasons/events counters must
 * show that every repetition took the scenario's path, else the row fails.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "bench_wrap.skel.h"
#include "bench_floor.skel.h"
#include "xlb_reasons.h"
#include "xlb_types.h"

#define CONN_ENTRIES	XLB_CONN_DEFAULT_ENTRIES	/* the daemon's default, 1,048,576 */
#define TCP_SYN		0x02
#define TCP_ACK		0x10
#define SMOKE_REPS	8
#define NO_EVENT	(-1)

struct dp_case {
	const char *key, *name;
	struct frame_spec spec;
	bool vary;		/* a new flow every repetition */
	bool icmp;		/* an ICMP frag-needed about the spec's flow (reversed) */
	bool warm;		/* one repetition first, so the flow is in the conn table */
	bool full_table;	/* timed against a conn table filled first (LRU evicts) */
	enum xlb_reason reason;
	int event;		/* expected once per repetition, or NO_EVENT */
	const char *target;
	double max_ratio;
};

static const struct dp_case cases[] = {
	{ "ipv4_tcp_established", "IPv4 TCP established (conn hit)",
	  { 4, IPPROTO_TCP, "198.18.0.10", "203.0.113.10", 40000, 80, TCP_ACK, 10, 1 },
	  false, false, true, false, XLB_R_TX, XLB_E_CONN_HIT, "<= 3x floor", 3 },
	{ "ipv4_tcp_syn_new_flow", "IPv4 TCP SYN, new flow each packet",
	  { 4, IPPROTO_TCP, "198.18.0.0", "203.0.113.10", 0, 80, TCP_SYN, 10, 1 },
	  true, false, false, false, XLB_R_TX, XLB_E_NEW_FLOW, "<= 8x floor", 8 },
	{ "ipv4_udp", "IPv4 UDP (conn hit)",
	  { 4, IPPROTO_UDP, "198.18.0.10", "203.0.113.10", 40000, 53, 0, 18, 1 },
	  false, false, true, false, XLB_R_TX, XLB_E_CONN_HIT, "<= 3x floor", 3 },
	{ "ipv6_tcp_established", "IPv6 TCP established (conn hit)",
	  { 6, IPPROTO_TCP, "2001:db8:c::10", "2001:db8::10", 40000, 80, TCP_ACK, 10, 0 },
	  false, false, true, false, XLB_R_TX, XLB_E_CONN_HIT, "<= 3x floor", 3 },
	{ "ipv6_tcp_syn_new_flow", "IPv6 TCP SYN, new flow each packet",
	  { 6, IPPROTO_TCP, "2001:db8:c::", "2001:db8::10", 0, 80, TCP_SYN, 10, 0 },
	  true, false, false, false, XLB_R_TX, XLB_E_NEW_FLOW, "<= 8x floor", 8 },
	{ "not_a_vip_pass", "not a VIP: XDP_PASS",
	  { 4, IPPROTO_TCP, "198.18.0.10", "203.0.113.99", 40000, 80, TCP_ACK, 10, 1 },
	  false, false, false, false, XLB_R_PASS_NOT_VIP, NO_EVENT, "<= 2x floor", 2 },
	{ "icmp_error_steered", "ICMP frag-needed steered to its backend",
	  /* the quoted packet: the backend's direct reply VIP -> client */
	  { 4, IPPROTO_TCP, "203.0.113.10", "198.18.0.10", 80, 40000, TCP_ACK, 0, 1 },
	  false, true, false, false, XLB_R_TX, XLB_E_ICMP_STEERED, NULL, 0 },
	{ "vip_1000_backends_new_flow", "VIP with 1,000 backends, new flow each packet",
	  { 4, IPPROTO_TCP, "198.18.0.0", "203.0.113.20", 0, 80, TCP_SYN, 10, 1 },
	  true, false, false, false, XLB_R_TX, XLB_E_NEW_FLOW, "<= 8x floor", 8 },
	{ "ipv4_tcp_syn_table_full", "IPv4 TCP SYN, new flow, conn table full",
	  { 4, IPPROTO_TCP, "198.18.0.0", "203.0.113.10", 0, 80, TCP_SYN, 10, 1 },
	  true, false, false, true, XLB_R_TX, XLB_E_NEW_FLOW, NULL, 0 },
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* verdicts by number, avoiding a dependency on the order above */
static int case_verdict(const struct dp_case *c)
{
	return c->reason == XLB_R_TX ? XDP_TX : XDP_PASS;
}

struct dp {
	const struct bench_opts *o;
	struct lb lb;
	struct bench_wrap *wrap;
	struct bench_floor *floor;
	int wrap_fd, progs_fd, frames_fd;
	int hold_ifindex;	/* idle veth the wrapper is attached to, 0 = none */
	bool wall;		/* time by wall clock (dispatcher held), else the kernel's ns */
	uint8_t frame[BENCH_FRAME_MAX];
	size_t frame_len;
};

static int dp_set_target(struct dp *d, int prog_fd)
{
	uint32_t zero = 0;

	if (bpf_map_update_elem(d->progs_fd, &zero, &prog_fd, BPF_ANY)) {
		int err = -errno;

		fprintf(stderr, "dp: cannot put the program under test into the prog array: %s\n",
			strerror(-err));
		return err;
	}
	return 0;
}

static int dp_set_case(struct dp *d, const struct dp_case *c)
{
	struct frame_layout lay;
	struct bench_frame bf;
	uint32_t zero = 0;
	int err;

	if (c->icmp)
		err = frame_build_icmp4_frag_needed("198.18.0.254", &c->spec, 1400, d->frame,
						    sizeof(d->frame), &d->frame_len);
	else
		err = frame_build(&c->spec, d->frame, sizeof(d->frame), &d->frame_len, &lay);
	if (!err)
		err = frame_to_bench(d->frame, d->frame_len, &lay, c->vary, &bf);
	if (err) {
		fprintf(stderr, "dp: cannot build the frame of '%s': %s\n", c->name, strerror(-err));
		return err;
	}
	memcpy(d->frame, bf.data, d->frame_len);	/* the template, as the wrapper writes it */
	if (bpf_map_update_elem(d->frames_fd, &zero, &bf, BPF_ANY))
		return -errno;
	return 0;
}

/* One test run of reps repetitions; ns per packet by wall clock. */
static int dp_run(struct dp *d, uint32_t reps, double *ns, uint32_t *retval, uint8_t *out,
		  uint32_t *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = d->frame,
		    .data_size_in = (uint32_t)d->frame_len, .repeat = reps);
	uint64_t t0;
	int err;

	if (out) {
		opts.data_out = out;
		opts.data_size_out = *out_len;
	}
	t0 = bench_now_ns();
	err = bpf_prog_test_run_opts(d->wrap_fd, &opts);
	if (ns)
		*ns = d->wall ? (double)(bench_now_ns() - t0) / reps : (double)opts.duration;
	if (err) {
		err = -errno;
		fprintf(stderr, "dp: BPF_PROG_TEST_RUN failed: %s\n", strerror(-err));
		return err;
	}
	*retval = opts.retval;
	if (out)
		*out_len = opts.data_size_out;
	return 0;
}

static uint64_t wrap_stat_sum(struct dp *d)
{
	int ncpu = libbpf_num_possible_cpus(), cpu;
	uint64_t vals[ncpu], sum = 0;
	uint32_t i;

	for (i = 0; i < BENCH_WS__COUNT; i++)
		if (!bpf_map_lookup_elem(bpf_map__fd(d->wrap->maps.wrap_stats), &i, vals))
			for (cpu = 0; cpu < ncpu; cpu++)
				sum += vals[cpu];
	return sum;
}

/*
 * The balancer's counters over a run of reps: the expected reason reps
 * times and no other, the expected event reps times, and the events of the
 * other path never. why gets the first mismatch.
 */
static bool dp_path_ok(const struct dp_case *c, const struct lb_counts *a, const struct lb_counts *b,
		       uint64_t reps, char *why, size_t len)
{
	uint64_t total = 0, d;
	int i;

	for (i = 0; i < XLB_R__COUNT; i++) {
		d = b->reasons[i] - a->reasons[i];
		total += d;
		if (d && i != (int)c->reason) {
			snprintf(why, len, "%llu of %llu took reason %s", (unsigned long long)d,
				 (unsigned long long)reps, xlb_reason_str(i));
			return false;
		}
	}
	if (total != reps) {
		snprintf(why, len, "%llu reasons counted for %llu repetitions",
			 (unsigned long long)total, (unsigned long long)reps);
		return false;
	}
	if (c->event != NO_EVENT) {
		d = b->events[c->event] - a->events[c->event];
		if (d != reps) {
			snprintf(why, len, "event %s %llu times for %llu repetitions",
				 xlb_event_str(c->event), (unsigned long long)d, (unsigned long long)reps);
			return false;
		}
	}
	for (i = 0; i < XLB_E__COUNT; i++) {
		bool wrong = (c->vary && (i == XLB_E_CONN_HIT || i == XLB_E_RATE_LIMITED)) ||
			     (c->event == XLB_E_CONN_HIT && i == XLB_E_NEW_FLOW);

		d = b->events[i] - a->events[i];
		if (wrong && d) {
			snprintf(why, len, "event %s %llu times", xlb_event_str(i),
				 (unsigned long long)d);
			return false;
		}
	}
	return true;
}

/* Run the balancer reps times and check the path. */
static int dp_run_checked(struct dp *d, const struct dp_case *c, uint32_t reps, double *ns,
			  char *why, size_t len)
{
	struct lb_counts a, b;
	uint64_t ws = wrap_stat_sum(d);
	uint32_t retval;
	int err;

	if ((err = lb_read_counts(&d->lb, &a)) || (err = dp_run(d, reps, ns, &retval, NULL, NULL)) ||
	    (err = lb_read_counts(&d->lb, &b))) {
		snprintf(why, len, "test run failed: %s", strerror(-err));
		return err;
	}
	if (wrap_stat_sum(d) != ws) {
		snprintf(why, len, "the wrapper could not restore the frame or tail-call");
		return -EIO;
	}
	if ((int)retval != case_verdict(c)) {
		snprintf(why, len, "verdict %u, expected %d", retval, case_verdict(c));
		return -EIO;
	}
	if (!d->o->no_path_check && !dp_path_ok(c, &a, &b, reps, why, len))
		return -EIO;
	return 0;
}

/* A freshly loaded balancer (empty conn table) with the benchmark's VIPs. */
static int dp_lb_fresh(struct dp *d)
{
	struct lb_nexthop nh = { .ifindex = 1,	/* test runs arrive on lo: XDP_TX */
				 .smac = { 0x02, 0, 0, 0, 0, 0x02 }, .dmac = { 0x02, 0, 0, 0, 0, 0x03 } };
	const struct lb_vip_def vips[] = {
		{ 4, "203.0.113.10", 80, IPPROTO_TCP, 0, 10, 0, 0 },
		{ 4, "203.0.113.10", 53, IPPROTO_UDP, 1, 10, 10, 0 },
		{ 6, "2001:db8::10", 80, IPPROTO_TCP, 2, 10, 20, 0 },
		{ 4, "203.0.113.20", 80, IPPROTO_TCP, 3, 1000, 100, 0 },
	};
	size_t i;
	int err;

	lb_close(&d->lb);
	err = lb_open(&d->lb, d->o->balancer_obj, CONN_ENTRIES);
	if (!err)
		err = lb_configure(&d->lb);
	for (i = 0; !err && i < sizeof(vips) / sizeof(vips[0]); i++)
		err = lb_add_vip(&d->lb, &vips[i], &nh);
	return err;
}

/*
 * A test run with repeat > 1 adds its program to the kernel's XDP
 * dispatcher and removes it afterwards: a text patch and an RCU grace
 * period, ~0.5 ms of fixed cost per syscall that wall-clock timing would
 * spread over the repetitions. Attached to an idle veth (both ends down,
 * no traffic), the wrapper stays in the dispatcher and a run costs only its
 * repetitions, timed by wall clock to sub-ns resolution. Without the veth
 * the kernel's own per-repetition time is used (whole ns).
 */
static void dp_hold(struct dp *d)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), err;

	if (!d->o->hold_ns || !d->o->hold_if || self < 0) {
		if (self >= 0)
			close(self);
		return;
	}
	err = bench_enter_ns(d->o->hold_ns);
	if (!err) {
		d->hold_ifindex = (int)if_nametoindex(d->o->hold_if);
		err = d->hold_ifindex ? bpf_xdp_attach(d->hold_ifindex, d->wrap_fd,
						       XDP_FLAGS_DRV_MODE, NULL) : -ENODEV;
		if (err) {
			fprintf(stderr, "dp: cannot hold the wrapper on %s: %s; timing with the "
				"kernel's whole-ns figure\n", d->o->hold_if, strerror(-err));
			d->hold_ifindex = 0;
		}
	}
	if (setns(self, CLONE_NEWNET))
		fprintf(stderr, "dp: cannot return to the original network namespace\n");
	close(self);
	d->wall = d->hold_ifindex != 0;
}

static void dp_unhold(struct dp *d)
{
	int self;

	if (!d->hold_ifindex)
		return;
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self >= 0 && !bench_enter_ns(d->o->hold_ns)) {
		bpf_xdp_detach(d->hold_ifindex, XDP_FLAGS_DRV_MODE, NULL);
		if (setns(self, CLONE_NEWNET))
			fprintf(stderr, "dp: cannot return to the original network namespace\n");
	}
	if (self >= 0)
		close(self);
	d->hold_ifindex = 0;
}

static int dp_open(struct dp *d, const struct bench_opts *o)
{
	memset(d, 0, sizeof(*d));
	d->o = o;
	d->wrap = bench_wrap__open_and_load();
	d->floor = bench_floor__open_and_load();
	if (!d->wrap || !d->floor) {
		fprintf(stderr, "dp: cannot load the benchmark's wrapper/floor programs\n");
		return -EINVAL;
	}
	d->wrap_fd = bpf_program__fd(d->wrap->progs.bench_wrap);
	d->progs_fd = bpf_map__fd(d->wrap->maps.progs);
	d->frames_fd = bpf_map__fd(d->wrap->maps.frames);
	if (!o->smoke)
		dp_hold(d);
	return dp_lb_fresh(d);
}

static void dp_close(struct dp *d)
{
	if (d->wrap)
		dp_unhold(d);
	bench_wrap__destroy(d->wrap);
	bench_floor__destroy(d->floor);
	lb_close(&d->lb);
}

/* Output of one balancer repetition: encapsulated (len + outer header, tunnel protocol)? */
static bool dp_output_ok(struct dp *d, const struct dp_case *c, char *why, size_t len)
{
	uint8_t out[512];
	uint32_t out_len = sizeof(out), retval, want;
	int err = dp_run(d, 1, NULL, &retval, out, &out_len);
	uint16_t proto;

	if (err) {
		snprintf(why, len, "test run failed");
		return false;
	}
	if (c->reason != XLB_R_TX)
		return out_len == d->frame_len && !memcmp(out, d->frame, d->frame_len);
	want = (uint32_t)d->frame_len + (c->spec.family == 4 || c->icmp ? 20 : 40);
	proto = (uint16_t)(out[12] << 8 | out[13]);
	if (out_len != want) {
		snprintf(why, len, "output %u bytes, expected %u", out_len, want);
		return false;
	}
	if (!((proto == ETH_P_IP && out[14 + 9] == IPPROTO_IPIP) ||
	      (proto == ETH_P_IPV6 && out[14 + 6] == IPPROTO_IPV6))) {
		snprintf(why, len, "output is not IPIP/IP6IP6");
		return false;
	}
	return true;
}

static int dp_smoke(struct dp *d)
{
	uint8_t out[512];
	uint32_t out_len = sizeof(out), retval;
	char why[160] = "";
	size_t i;
	int err;

	/* the floor through the wrapper: XDP_TX, addresses swapped */
	err = dp_set_case(d, &cases[0]);
	if (!err)
		err = dp_set_target(d, bpf_program__fd(d->floor->progs.bench_macswap));
	if (!err)
		err = dp_run(d, SMOKE_REPS, NULL, &retval, out, &out_len);
	tap_ok(!err && retval == XDP_TX && out_len == d->frame_len &&
	       !memcmp(out, d->frame + 6, 6) && !memcmp(out + 6, d->frame, 6) &&
	       !memcmp(out + 12, d->frame + 12, d->frame_len - 12) && wrap_stat_sum(d) == 0,
	       "datapath floor: wrapper + MAC-swap returns XDP_TX, %d repetitions", SMOKE_REPS);

	err = dp_set_target(d, d->lb.prog_fd);
	for (i = 0; !err && i < N_CASES; i++) {
		const struct dp_case *c = &cases[i];

		why[0] = 0;
		err = dp_set_case(d, c);
		if (!err && c->warm)
			err = dp_run(d, 1, NULL, &retval, NULL, NULL);
		if (err)
			break;
		tap_ok(dp_run_checked(d, c, SMOKE_REPS, NULL, why, sizeof(why)) == 0,
		       "datapath %s: every one of %d repetitions took reason %s%s%s %s", c->key,
		       SMOKE_REPS, xlb_reason_str(c->reason), c->event != NO_EVENT ? " + " : "",
		       c->event != NO_EVENT ? xlb_event_str(c->event) : "", why);
		why[0] = 0;
		tap_ok(dp_output_ok(d, c, why, sizeof(why)), "datapath %s: output %s %s", c->key,
		       c->reason == XLB_R_TX ? "encapsulated" : "unchanged", why);
	}
	return err;
}

/* Repetitions for a run of about run_ms, from a short calibration run. */
static uint32_t dp_calibrate(struct dp *d, double run_ms, uint32_t probe)
{
	double v[3] = { 100, 100, 100 }, ns, reps;
	uint32_t retval;
	int i;

	for (i = 0; i < 3; i++)
		dp_run(d, probe, &v[i], &retval, NULL, NULL);
	ns = bench_median(v, 3);
	reps = run_ms * 1e6 / (ns > 1 ? ns : 1);
	return (uint32_t)(reps < 2000 ? 2000 : reps > 50e6 ? 50e6 : reps);
}

/* Harness-only and floor rows, with the IPv4 established frame. */
static double dp_time_prog(struct dp *d, int prog_fd, uint32_t reps, int runs)
{
	double v[16];
	uint32_t retval;
	int i;

	dp_set_target(d, prog_fd);
	for (i = 0; i < runs; i++)
		if (dp_run(d, reps, &v[i], &retval, NULL, NULL))
			return NAN;
	return bench_median(v, (size_t)runs);
}

static int dp_timed(struct dp *d)
{
	const struct bench_opts *o = d->o;
	int floor_fd = bpf_program__fd(d->floor->progs.bench_macswap);
	int drop_fd = bpf_program__fd(d->floor->progs.bench_drop);
	double harness, xs[16], fs[16], hs[16], h, xmin;
	struct bench_row r;
	char why[160];
	uint32_t reps;
	size_t i;
	int run, err = 0, failed = 0;

	dp_set_case(d, &cases[0]);
	dp_set_target(d, drop_fd);
	reps = dp_calibrate(d, o->run_ms, 20000);
	harness = dp_time_prog(d, drop_fd, reps, o->runs);
	bench_row_init(&r, "datapath", "harness alone (wrapper + tail call + XDP_DROP)", "ns/pkt");
	r.value = harness;
	r.note = "included in every datapath row, floor and xlb alike; not subtracted";
	bench_results_add(o->results, &r);
	printf("datapath harness: %.1f ns/pkt\n", harness);

	for (i = 0; i < N_CASES; i++) {
		const struct dp_case *c = &cases[i];

		if (o->only && strcmp(o->only, c->key))
			continue;
		bench_row_init(&r, "datapath", c->name, "ns/pkt");
		why[0] = 0;
		/* every row starts from an empty conn table */
		err = dp_lb_fresh(d);
		if (!err)
			err = dp_set_case(d, c);
		if (!err && c->full_table) {
			/* fill it: now every new flow evicts (the kernel's LRU shrink) */
			err = dp_set_target(d, d->lb.prog_fd);
			if (!err)
				err = dp_run_checked(d, c, CONN_ENTRIES, NULL, why, sizeof(why));
		}
		if (!err && c->warm) {
			uint32_t rv;

			err = dp_set_target(d, d->lb.prog_fd);
			if (!err)
				err = dp_run(d, 1, NULL, &rv, NULL, NULL);
		}
		if (!err)
			err = dp_set_target(d, d->lb.prog_fd);
		reps = err ? 0 : dp_calibrate(d, o->run_ms, c->vary ? 5000 : 20000);
		/* new-flow rows on an empty table must never evict: all their
		 * inserts stay under half of this CPU's share of the
		 * preallocated LRU (entries / possible CPUs) */
		if (c->vary && !c->full_table &&
		    reps > (uint32_t)(CONN_ENTRIES / libbpf_num_possible_cpus() / 2 / o->runs))
			reps = CONN_ENTRIES / libbpf_num_possible_cpus() / 2 / o->runs;
		for (run = 0; !err && run < o->runs; run++) {
			uint32_t rv;

			/* harness, floor and xlb alternate so that drift hits all */
			err = dp_set_target(d, drop_fd);
			if (!err)
				err = dp_run(d, reps, &hs[run], &rv, NULL, NULL);
			if (!err)
				err = dp_set_target(d, floor_fd);
			if (!err)
				err = dp_run(d, reps, &fs[run], &rv, NULL, NULL);
			if (!err)
				err = dp_set_target(d, d->lb.prog_fd);
			if (!err)
				err = dp_run_checked(d, c, reps, &xs[run], why, sizeof(why));
		}
		if (err) {
			static char na[200];

			snprintf(na, sizeof(na), "path check failed: %s", why[0] ? why : strerror(-err));
			r.na = strdup(na);
			fprintf(stderr, "dp: %s: %s\n", c->name, r.na);
			failed++;
			err = 0;
		} else {
			r.value = bench_median(xs, (size_t)o->runs);
			r.baseline = bench_median(fs, (size_t)o->runs);
			r.baseline_name = "MAC-swap";
			r.ratio = r.value / r.baseline;
			/* medians sort the arrays: the minima (least disturbed) for the log */
			h = bench_median(hs, (size_t)o->runs);
			xmin = xs[0] - hs[0];
			r.extra_name = "xlb_minus_harness_ns";
			r.extra = r.value - h;
			r.extra2_name = "xlb_min_ns";	/* least disturbed run, for noisy hosts */
			r.extra2 = xs[0];
			r.target = c->target;
			if (c->target)
				r.met = r.ratio <= c->max_ratio;
			r.note = d->wall ? "wall clock per test run / repetitions (wrapper held in the dispatcher)"
					 : "kernel's per-repetition time (whole ns)";
			printf("datapath %-26s xlb %6.1f ns  floor %5.1f ns  harness %5.1f ns  ratio %5.2fx  xlb-harness %5.1f ns (min-min %5.1f)  (%u reps x %d)\n",
			       c->key, r.value, r.baseline, h, r.ratio, r.extra, xmin, reps, o->runs);
		}
		bench_results_add(o->results, &r);
	}
	return failed ? -EIO : 0;
}

int bench_datapath(const struct bench_opts *o)
{
	struct dp d;
	int err;
	size_t i;

	if (access(o->balancer_obj, R_OK)) {
		for (i = 0; i < N_CASES; i++) {
			if (o->smoke) {
				tap_skip("balancer object not built", "datapath %s", cases[i].key);
			} else {
				struct bench_row r;

				bench_row_init(&r, "datapath", cases[i].name, "ns/pkt");
				r.na = "balancer object not built";
				bench_results_add(o->results, &r);
			}
		}
		return 0;
	}
	bench_pin_cpu((int)sysconf(_SC_NPROCESSORS_ONLN) - 1);
	err = dp_open(&d, o);
	if (err) {
		if (o->smoke)
			tap_ok(false, "datapath: balancer loads and its maps take the benchmark's VIPs");
		dp_close(&d);
		return err;
	}
	err = o->smoke ? dp_smoke(&d) : dp_timed(&d);
	dp_close(&d);
	return err;
}

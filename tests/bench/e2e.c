/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * e2e.c - end-to-end packet rate through a veth pair (bench.sh makes the
 * namespaces and the veth; this attaches the programs and measures).
 *
 *   gen ns: [bench_gen, live frames] --redirect--> gen_if ==veth== lb_if (lb ns)
 *           gen_if runs bench_sink (XDP_DROP, counts) <--XDP_TX-- lb_if runs
 *           the balancer (encapsulates) or, in its place, the MAC-swap floor.
 *
 * The generator writes every frame from its template with the next of
 * 65,536 flows (source ports), so after the first pass every packet is a
 * conn-table hit. The whole chain runs on one pinned CPU (the veth NAPI
 * polls run in the generator's softirq), so the rate is that of one core
 * doing generator + balancer + sink. Mpps = frames counted by the sink /
 * wall time of the generator run; xlb and MAC-swap alternate, --runs of
 * each (at most 5), median reported.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "bench_floor.skel.h"
#include "bench_gen.skel.h"
#include "bench_sink.skel.h"
#include "xlb_reasons.h"
#include "xlb_types.h"

struct e2e {
	const struct bench_opts *o;
	struct lb lb;
	struct bench_floor *floor;
	struct bench_gen *gen;
	struct bench_sink *sink;
	int gen_ifindex, lb_ifindex;
	uint8_t gen_mac[6], lb_mac[6];
	uint8_t frame[BENCH_FRAME_MAX];
	size_t frame_len;
};

/* ifindex and MAC of ifname in namespace ns. */
static int if_info(const char *ns, const char *ifname, int *ifindex, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int s, err = bench_enter_ns(ns);

	if (err)
		return err;
	*ifindex = (int)if_nametoindex(ifname);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!*ifindex || s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr)) {
		err = -errno;
		fprintf(stderr, "e2e: no interface %s in %s: %s\n", ifname, ns, strerror(-err));
	} else {
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	}
	if (s >= 0)
		close(s);
	return err;
}

static int attach(const char *ns, int ifindex, int prog_fd, const char *what)
{
	int err = bench_enter_ns(ns);

	if (!err)
		err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		fprintf(stderr, "e2e: cannot attach %s natively in %s: %s\n", what, ns, strerror(-err));
	return err;
}

static uint64_t percpu_sum(int fd, uint32_t key)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t vals[ncpu], sum = 0;

	if (!bpf_map_lookup_elem(fd, &key, vals))
		for (i = 0; i < ncpu; i++)
			sum += vals[i];
	return sum;
}

struct e2e_sample {
	double mpps;
	uint64_t sent, received, encapsulated, lb_tx;
};

/* One generator run of reps frames, in the generator's namespace. */
static int e2e_run(struct e2e *e, uint32_t reps, struct e2e_sample *s)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = e->frame,
		    .data_size_in = (uint32_t)e->frame_len, .repeat = reps,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	int sink_fd = bpf_map__fd(e->sink->maps.sink_stats);
	int gen_fd = bpf_map__fd(e->gen->maps.gen_stats);
	uint64_t f0 = percpu_sum(sink_fd, 0), n0 = percpu_sum(sink_fd, 1);
	uint64_t g0 = percpu_sum(gen_fd, BENCH_GS_SENT), t0;
	struct lb_counts a, b;
	int err;

	lb_read_counts(&e->lb, &a);
	t0 = bench_now_ns();
	err = bpf_prog_test_run_opts(bpf_program__fd(e->gen->progs.bench_gen), &opts);
	s->mpps = NAN;
	if (err) {
		err = -errno;
		fprintf(stderr, "e2e: live-frames generator run failed: %s\n", strerror(-err));
		return err;
	}
	/* the last batch's NAPI polls ran before the syscall returned (same CPU) */
	s->received = percpu_sum(sink_fd, 0) - f0;
	s->mpps = (double)s->received / ((double)(bench_now_ns() - t0) / 1e9) / 1e6;
	s->encapsulated = percpu_sum(sink_fd, 1) - n0;
	s->sent = percpu_sum(gen_fd, BENCH_GS_SENT) - g0;
	lb_read_counts(&e->lb, &b);
	s->lb_tx = b.reasons[XLB_R_TX] - a.reasons[XLB_R_TX];
	return 0;
}

static int e2e_setup(struct e2e *e)
{
	struct lb_vip_def vip = { 4, "203.0.113.10", 80, IPPROTO_TCP, 0, 10, 0, 0 };
	struct frame_spec spec = { 4, IPPROTO_TCP, "198.18.0.10", "203.0.113.10", 0, 80, 0x10, 10, 1 };
	struct lb_nexthop nh;
	struct frame_layout lay;
	struct bench_frame bf;
	uint32_t zero = 0;
	int err;

	if ((err = if_info(e->o->lb_ns, e->o->lb_if, &e->lb_ifindex, e->lb_mac)) ||
	    (err = if_info(e->o->gen_ns, e->o->gen_if, &e->gen_ifindex, e->gen_mac)))
		return err;
	nh.ifindex = (uint32_t)e->lb_ifindex;
	memcpy(nh.smac, e->lb_mac, 6);
	memcpy(nh.dmac, e->gen_mac, 6);
	if ((err = lb_open(&e->lb, e->o->balancer_obj, XLB_CONN_DEFAULT_ENTRIES)) ||
	    (err = lb_configure(&e->lb)) || (err = lb_add_vip(&e->lb, &vip, &nh)))
		return err;

	e->floor = bench_floor__open_and_load();
	e->sink = bench_sink__open_and_load();
	e->gen = bench_gen__open();
	if (!e->floor || !e->sink || !e->gen)
		return -EINVAL;
	e->gen->rodata->target_ifindex = (uint32_t)e->gen_ifindex;
	if ((err = bench_gen__load(e->gen)))
		return err;

	err = frame_build(&spec, e->frame, sizeof(e->frame), &e->frame_len, &lay);
	if (err)
		return err;
	memcpy(e->frame, e->lb_mac, 6);
	memcpy(e->frame + 6, e->gen_mac, 6);
	frame_to_bench(e->frame, e->frame_len, &lay, false, &bf);
	bf.vary_port_off = lay.sport_off;	/* e2e_flows flows, cycled */
	bf.port_mask = e->o->e2e_flows - 1;
	if (bpf_map_update_elem(bpf_map__fd(e->gen->maps.frames), &zero, &bf, BPF_ANY))
		return -errno;
	return attach(e->o->gen_ns, e->gen_ifindex, bpf_program__fd(e->sink->progs.bench_sink),
		      "the sink");
}

static void e2e_teardown(struct e2e *e)
{
	if (e->o->lb_ns && !bench_enter_ns(e->o->lb_ns) && e->lb_ifindex)
		bpf_xdp_detach(e->lb_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (e->o->gen_ns && !bench_enter_ns(e->o->gen_ns) && e->gen_ifindex)
		bpf_xdp_detach(e->gen_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	bench_gen__destroy(e->gen);
	bench_sink__destroy(e->sink);
	bench_floor__destroy(e->floor);
	lb_close(&e->lb);
}

/* Attach prog on the LB side, warm up, then one timed run. */
static int e2e_measure(struct e2e *e, int prog_fd, const char *what, uint32_t reps,
		       struct e2e_sample *s)
{
	struct e2e_sample warm;
	int err = attach(e->o->lb_ns, e->lb_ifindex, prog_fd, what);

	if (!err)
		err = bench_enter_ns(e->o->gen_ns);
	if (!err)
		err = e2e_run(e, 2 * e->o->e2e_flows + 65536, &warm);	/* conn table warm */
	if (!err)
		err = e2e_run(e, reps, s);
	return err;
}

int bench_e2e(const struct bench_opts *o)
{
	struct e2e e = { .o = o };
	double xlb[5], floor[5];
	struct e2e_sample s, probe;
	struct bench_row r;
	uint64_t lost = 0, not_encap = 0, not_tx = 0;
	int runs = o->runs > 5 ? 5 : o->runs, i, err;
	uint32_t reps;

	static char name[96];

	snprintf(name, sizeof(name), "veth, 1 core, %u flows: xlb encap + XDP_TX", o->e2e_flows);
	bench_row_init(&r, "end-to-end", name, "Mpps");
	if (access(o->balancer_obj, R_OK)) {
		r.na = "balancer object not built";
		return bench_results_add(o->results, &r);
	}
	bench_pin_cpu((int)sysconf(_SC_NPROCESSORS_ONLN) - 1);
	err = e2e_setup(&e);
	/* size the runs on the balancer, the slower of the two, so each of its
	 * runs lasts about --e2e-sec (the MAC-swap runs are then shorter) */
	if (!err)
		err = e2e_measure(&e, e.lb.prog_fd, "the balancer", 500000, &probe);
	reps = err || isnan(probe.mpps) ? 0 : (uint32_t)(probe.mpps * 1e6 * o->e2e_sec);
	if (reps < 500000)
		reps = 500000;
	for (i = 0; !err && i < runs; i++) {
		err = e2e_measure(&e, e.lb.prog_fd, "the balancer", reps, &s);
		if (err)
			break;
		xlb[i] = s.mpps;
		lost += s.sent - s.received;
		not_encap += s.received - s.encapsulated;
		not_tx += s.sent - s.lb_tx;
		printf("e2e run %d: xlb %.2f Mpps (sent %llu, received %llu, encapsulated %llu)\n", i,
		       s.mpps, (unsigned long long)s.sent, (unsigned long long)s.received,
		       (unsigned long long)s.encapsulated);
		err = e2e_measure(&e, bpf_program__fd(e.floor->progs.bench_macswap), "MAC-swap", reps,
				  &s);
		floor[i] = s.mpps;
		printf("e2e run %d: MAC-swap %.2f Mpps (sent %llu, received %llu)\n", i, s.mpps,
		       (unsigned long long)s.sent, (unsigned long long)s.received);
	}
	e2e_teardown(&e);
	if (err) {
		r.na = "setup or generator failed, see log";
	} else if (not_encap || not_tx) {
		static char na[160];

		snprintf(na, sizeof(na), "path check failed: %llu frames not encapsulated, %llu not XDP_TX",
			 (unsigned long long)not_encap, (unsigned long long)not_tx);
		r.na = na;
		err = -EIO;
	} else {
		static char note[200];

		r.value = bench_median(xlb, (size_t)runs);
		r.baseline = bench_median(floor, (size_t)runs);
		r.baseline_name = "MAC-swap";
		r.ratio = r.value / r.baseline;
		if (o->e2e_flows >= 1024) {	/* the target is stated for many flows */
			r.target = ">= 0.70x MAC-swap";
			r.met = r.ratio >= 0.70;
		}
		snprintf(note, sizeof(note),
			 "64-byte IPv4 TCP frames, %u flows; %u frames per run, median of %d; "
			 "%llu frames lost in the veth rings over the xlb runs",
			 o->e2e_flows, reps, runs, (unsigned long long)lost);
		r.note = note;
	}
	bench_results_add(o->results, &r);
	return err;
}

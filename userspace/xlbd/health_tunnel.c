// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * health_tunnel.c - load and attach bpf/healthcheck.bpf.c, the tc egress
 * program that encapsulates tunnel health probes (see health.h and
 * bpf/lib/hc_tunnel.h). The program shares the balancer's `backends` map
 * (its fd is reused before load), so the probe goes exactly where data for
 * that backend would.
 *
 * Attach: a clsact qdisc on the interface (created if missing, and then
 * removed again on detach), one filter at (handle XLB_HC_TC_HANDLE,
 * priority XLB_HC_TC_PRIO) on egress, replaced if a previous xlbd left one.
 * Returns 0 or -errno.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "health_probe.h"
#include "healthcheck.skel.h"
#include "log.h"

#define XLB_HC_TC_HANDLE 1
#define XLB_HC_TC_PRIO	 0x584c		/* "XL": out of the way of hand-made filters */

struct hc_tunnel_if {
	int ifindex;
	bool created_qdisc;
};

struct hc_tunnel {
	struct healthcheck *skel;
	struct hc_tunnel_if ifs[XLB_MAX_IFACES];
	int n_ifs;
};

static int load(struct hc_tunnel **out, int backends_map_fd)
{
	struct hc_tunnel *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	t->skel = healthcheck__open();
	if (!t->skel) {
		err = -errno;
		goto err_free;
	}
	err = bpf_map__reuse_fd(t->skel->maps.backends, backends_map_fd);
	if (err) {
		log_error("health: tunnel checks: cannot share the backends map: %s", strerror(-err));
		goto err_destroy;
	}
	err = healthcheck__load(t->skel);
	if (err) {
		log_error("health: tunnel checks: cannot load healthcheck.bpf.o: %s", strerror(-err));
		goto err_destroy;
	}
	*out = t;
	return 0;
err_destroy:
	healthcheck__destroy(t->skel);
err_free:
	free(t);
	return err;
}

static void detach_one(const struct hc_tunnel_if *tif)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = tif->ifindex, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XLB_HC_TC_HANDLE, .priority = XLB_HC_TC_PRIO);

	bpf_tc_detach(&hook, &opts);
	if (tif->created_qdisc) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;	/* = the clsact qdisc */
		bpf_tc_hook_destroy(&hook);
	}
}

int hc_tunnel_attach(struct hc_ctx *ctx, int backends_map_fd, const char *ifname)
{
	struct hc_tunnel **tp = hc_ctx_tunnel(ctx);
	struct hc_tunnel *t;
	int ifindex, err;

	if (!tp || backends_map_fd < 0 || !ifname)
		return -EINVAL;
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex) {
		log_error("health: tunnel checks: no interface '%s'", ifname);
		return -ENODEV;
	}
	if (!*tp && (err = load(tp, backends_map_fd)) < 0)
		return err;
	t = *tp;
	for (int i = 0; i < t->n_ifs; i++)
		if (t->ifs[i].ifindex == ifindex)
			return 0;
	if (t->n_ifs == XLB_MAX_IFACES)
		return -ENOSPC;

	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XLB_HC_TC_HANDLE, .priority = XLB_HC_TC_PRIO,
			    .flags = BPF_TC_F_REPLACE,
			    .prog_fd = bpf_program__fd(t->skel->progs.xlb_healthcheck));
	struct hc_tunnel_if *tif = &t->ifs[t->n_ifs];

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		log_error("health: tunnel checks: cannot add clsact to %s: %s", ifname, strerror(-err));
		return err;
	}
	tif->ifindex = ifindex;
	tif->created_qdisc = err == 0;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		log_error("health: tunnel checks: cannot attach to %s egress: %s", ifname, strerror(-err));
		detach_one(tif);
		return err;
	}
	t->n_ifs++;
	log_info("health: tunnel checks attached to %s egress (tc prog id %u)", ifname, opts.prog_id);
	return 0;
}

void hc_tunnel_free(struct hc_tunnel *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->n_ifs; i++)
		detach_one(&t->ifs[i]);
	healthcheck__destroy(t->skel);
	free(t);
}

int hc_tunnel_stats(const struct hc_ctx *ctx, uint64_t out[HC_TUNNEL_STATS])
{
	struct hc_tunnel **tp = hc_ctx_tunnel((struct hc_ctx *)ctx);
	int ncpu = libbpf_num_possible_cpus(), fd;
	struct hc_tunnel *t;
	uint64_t *v;

	memset(out, 0, HC_TUNNEL_STATS * sizeof(*out));
	if (!tp || !*tp)
		return -ENOENT;
	t = *tp;
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	fd = bpf_map__fd(t->skel->maps.hc_stats);
	for (uint32_t k = 0; k < HC_TUNNEL_STATS; k++) {
		if (bpf_map_lookup_elem(fd, &k, v) < 0)
			continue;
		for (int c = 0; c < ncpu; c++)
			out[k] += v[c];
	}
	free(v);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dp_bpf.c - struct dp over the balancer's real map fds (see dp_bpf.h).
 * Writes go through userspace/lib/dpmaps.c, the one place that knows how a
 * Maglev table is swapped; the few reads dpmaps lacks (one table slot, the
 * conn table by batches) are here. Returns 0 or -errno like dp.h.
 */
#include "dp_bpf.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include "dpmaps.h"

static struct dp_bpf *B(void *ctx)
{
	return ctx;
}

static int bpf_set_vip(void *ctx, const struct xlb_vip_key *key, const struct xlb_vip *val)
{
	return xlb_dp_set_vip(B(ctx)->fd.vips, key, val);
}

static int bpf_del_vip(void *ctx, const struct xlb_vip_key *key)
{
	return xlb_dp_del_vip(B(ctx)->fd.vips, key);
}

static int bpf_vip_keys(void *ctx, struct xlb_vip_key **out, size_t *n)
{
	struct xlb_vip_key key, next, *arr = NULL, *grown;
	size_t cap = 0;
	void *prev = NULL;
	int err;

	*n = 0;
	while ((err = bpf_map_get_next_key(B(ctx)->fd.vips, prev, &next)) == 0) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(arr, cap * sizeof(*arr));
			if (!grown) {
				free(arr);
				return -ENOMEM;
			}
			arr = grown;
		}
		arr[(*n)++] = next;
		key = next;
		prev = &key;
	}
	*out = arr;
	return err == -ENOENT ? 0 : err;
}

static int bpf_set_backend(void *ctx, uint32_t id, const struct xlb_backend *be)
{
	return xlb_dp_set_backend(B(ctx)->fd.backends, id, be);
}

/* The whole array in batches: 131072 single lookups take over a second. */
static int bpf_read_backends(void *ctx, struct xlb_backend *out)
{
	enum { BATCH = 8192 };
	uint32_t *keys = malloc(BATCH * sizeof(*keys)), in_batch = 0, out_batch = 0, done = 0;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	while (done < XLB_MAX_BACKENDS) {
		uint32_t count = BATCH;

		err = bpf_map_lookup_batch(B(ctx)->fd.backends, done ? &in_batch : NULL, &out_batch,
					   keys, out + done, &count, NULL);
		done += count;
		if (err == -ENOENT)	/* the end */
			err = 0;
		if (err || !count)
			break;
		in_batch = out_batch;
	}
	for (uint32_t id = 0; err == -EINVAL && id < XLB_MAX_BACKENDS; id++)	/* no batch ops */
		if (bpf_map_lookup_elem(B(ctx)->fd.backends, &id, &out[id]))
			break;
	free(keys);
	return err == -EINVAL ? 0 : err;
}

static int bpf_install_table(void *ctx, uint32_t vip_id, const uint32_t *table, uint32_t size)
{
	return xlb_dp_install_table(B(ctx)->fd.maglev_tables, vip_id, table, size);
}

static int bpf_remove_table(void *ctx, uint32_t vip_id)
{
	int err = xlb_dp_remove_table(B(ctx)->fd.maglev_tables, vip_id);

	return err == -ENOENT ? 0 : err;
}

static int bpf_table_slot(void *ctx, uint32_t vip_id, uint32_t slot, uint32_t *backend_id)
{
	uint32_t inner_id;
	int fd, err;

	err = bpf_map_lookup_elem(B(ctx)->fd.maglev_tables, &vip_id, &inner_id);
	if (err)
		return err;
	fd = bpf_map_get_fd_by_id(inner_id);
	if (fd < 0)
		return fd;
	err = bpf_map_lookup_elem(fd, &slot, backend_id);
	close(fd);
	return err;
}

static int bpf_set_config(void *ctx, const struct xlb_config *cfg)
{
	return xlb_dp_set_config(B(ctx)->fd.config, cfg);
}

static int bpf_set_tx_port(void *ctx, uint32_t slot, uint32_t ifindex)
{
	return bpf_map_update_elem(B(ctx)->fd.tx_ports, &slot, &ifindex, BPF_ANY);
}

static int bpf_vip_counters(void *ctx, uint32_t vip_id, struct xlb_counters *out)
{
	return xlb_dp_read_counters(B(ctx)->fd.vip_stats, vip_id, out);
}

static int bpf_backend_counters(void *ctx, uint32_t backend_id, struct xlb_counters *out)
{
	return xlb_dp_read_counters(B(ctx)->fd.backend_stats, backend_id, out);
}

static int bpf_reset_counters(void *ctx, bool vip, uint32_t index)
{
	int ncpu = libbpf_num_possible_cpus(), fd, err;
	struct xlb_counters *zero;

	if (ncpu < 0)
		return ncpu;
	zero = calloc((size_t)ncpu, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	fd = vip ? B(ctx)->fd.vip_stats : B(ctx)->fd.backend_stats;
	err = bpf_map_update_elem(fd, &index, zero, BPF_ANY);
	free(zero);
	return err;
}

static int bpf_reasons(void *ctx, uint64_t *out, uint32_t n)
{
	return xlb_dp_read_u64_counters(B(ctx)->fd.reasons, out, n);
}

static int bpf_events(void *ctx, uint64_t *out, uint32_t n)
{
	return xlb_dp_read_u64_counters(B(ctx)->fd.events, out, n);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* the clock bpf_ktime_get_ns reads */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void count_one(const struct xlb_flow *k, const struct xlb_conn *c, uint64_t now,
		      uint64_t *total, uint32_t *per_backend, const uint32_t *gens,
		      uint64_t udp_idle_ns)
{
	if (k->proto == IPPROTO_UDP && udp_idle_ns && now > c->last_seen_ns &&
	    now - c->last_seen_ns > udp_idle_ns)
		return;	/* expired: the datapath re-hashes it on its next packet */
	(*total)++;
	if (!per_backend || c->backend_id >= XLB_MAX_BACKENDS || !xlb_conn_is_pinned(c))
		return;	/* a FIN-marked entry is closing: not pinned (dpmaps.h) */
	if (gens && gens[c->backend_id] != c->backend_gen)
		return;
	per_backend[c->backend_id]++;
}

/* Walk the conn table by batches (one syscall per 4096 entries). */
static int bpf_count_conns(void *ctx, uint64_t *total, uint32_t *per_backend,
			   const uint32_t *gens, uint64_t udp_idle_ns)
{
	enum { BATCH = 4096 };
	int fd = B(ctx)->fd.conns, err = 0;
	struct xlb_flow *keys = calloc(BATCH, sizeof(*keys));
	struct xlb_conn *vals = calloc(BATCH, sizeof(*vals));
	struct xlb_flow in_batch, out_batch;
	uint64_t now = mono_ns();
	bool first = true;

	*total = 0;
	if (per_backend)
		memset(per_backend, 0, sizeof(*per_backend) * XLB_MAX_BACKENDS);
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out_free;
	}
	for (;;) {
		uint32_t count = BATCH;

		err = bpf_map_lookup_batch(fd, first ? NULL : &in_batch, &out_batch, keys, vals,
					   &count, NULL);
		for (uint32_t i = 0; i < count && (!err || err == -ENOENT); i++)
			count_one(&keys[i], &vals[i], now, total, per_backend, gens, udp_idle_ns);
		if (err == -ENOENT) {	/* the end */
			err = 0;
			break;
		}
		if (err)
			break;
		in_batch = out_batch;
		first = false;
	}
out_free:
	free(keys);
	free(vals);
	return err;
}

static int bpf_lookup_conn(void *ctx, const struct xlb_flow *flow, struct xlb_conn *out)
{
	return xlb_dp_lookup_conn(B(ctx)->fd.conns, flow, out);
}

static uint32_t bpf_conn_max(void *ctx)
{
	return B(ctx)->conn_max;
}

static const struct dp_ops bpf_ops = {
	.set_vip = bpf_set_vip,
	.del_vip = bpf_del_vip,
	.vip_keys = bpf_vip_keys,
	.set_backend = bpf_set_backend,
	.read_backends = bpf_read_backends,
	.install_table = bpf_install_table,
	.remove_table = bpf_remove_table,
	.table_slot = bpf_table_slot,
	.set_config = bpf_set_config,
	.set_tx_port = bpf_set_tx_port,
	.vip_counters = bpf_vip_counters,
	.backend_counters = bpf_backend_counters,
	.reset_counters = bpf_reset_counters,
	.reasons = bpf_reasons,
	.events = bpf_events,
	.count_conns = bpf_count_conns,
	.lookup_conn = bpf_lookup_conn,
	.conn_max = bpf_conn_max,
};

void dp_bpf_init(struct dp *dp, struct dp_bpf *b)
{
	dp->ops = &bpf_ops;
	dp->ctx = b;
}

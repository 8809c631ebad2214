/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fake_dp.h - struct dp (userspace/xlbd/dp.h) over plain arrays, for
 * tests of xlbd's state and API without BPF or root. Every write can be
 * made to fail (fail_install_at / fail_set_vip_at: the Nth call from now
 * returns -EIO), and the "maps" can be inspected directly.
 * Header-only: include it once per test program.
 */
#ifndef XLB_TEST_FAKE_DP_H
#define XLB_TEST_FAKE_DP_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "../../userspace/xlbd/dp.h"
#include "../../userspace/xlbd/nexthop.h"

#define FAKE_MAX_KEYS	64
#define FAKE_MAX_CONNS	64

struct fake_dp {
	struct xlb_vip_key keys[FAKE_MAX_KEYS];
	struct xlb_vip vals[FAKE_MAX_KEYS];
	size_t n_keys;
	struct xlb_backend *backends;		/* XLB_MAX_BACKENDS */
	uint32_t *tables[XLB_MAX_VIPS];
	uint32_t table_size[XLB_MAX_VIPS];
	struct xlb_config cfg;
	uint32_t tx[XLB_MAX_TX_PORTS];
	struct xlb_flow flows[FAKE_MAX_CONNS];
	struct xlb_conn conns[FAKE_MAX_CONNS];
	size_t n_conns;
	int fail_install_at;			/* 0 = never; 1 = the next install fails */
	int fail_set_vip_at;
	unsigned installs, resets;
};

static int fake_key_index(struct fake_dp *f, const struct xlb_vip_key *k)
{
	for (size_t i = 0; i < f->n_keys; i++)
		if (!memcmp(&f->keys[i], k, sizeof(*k)))
			return (int)i;
	return -1;
}

static bool fake_fail(int *at)
{
	return *at && --*at == 0;
}

static int fake_set_vip(void *ctx, const struct xlb_vip_key *key, const struct xlb_vip *val)
{
	struct fake_dp *f = ctx;
	int i = fake_key_index(f, key);

	if (fake_fail(&f->fail_set_vip_at))
		return -EIO;
	if (i < 0) {
		if (f->n_keys == FAKE_MAX_KEYS)
			return -E2BIG;
		i = (int)f->n_keys++;
		f->keys[i] = *key;
	}
	f->vals[i] = *val;
	return 0;
}

static int fake_del_vip(void *ctx, const struct xlb_vip_key *key)
{
	struct fake_dp *f = ctx;
	int i = fake_key_index(f, key);

	if (i < 0)
		return -ENOENT;
	f->keys[i] = f->keys[f->n_keys - 1];
	f->vals[i] = f->vals[f->n_keys - 1];
	f->n_keys--;
	return 0;
}

static int fake_vip_keys(void *ctx, struct xlb_vip_key **out, size_t *n)
{
	struct fake_dp *f = ctx;

	*out = malloc((f->n_keys + 1) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	memcpy(*out, f->keys, f->n_keys * sizeof(**out));
	*n = f->n_keys;
	return 0;
}

static int fake_set_backend(void *ctx, uint32_t id, const struct xlb_backend *be)
{
	((struct fake_dp *)ctx)->backends[id] = *be;
	return 0;
}

static int fake_read_backends(void *ctx, struct xlb_backend *out)
{
	memcpy(out, ((struct fake_dp *)ctx)->backends, XLB_MAX_BACKENDS * sizeof(*out));
	return 0;
}

static int fake_install_table(void *ctx, uint32_t vip_id, const uint32_t *table, uint32_t size)
{
	struct fake_dp *f = ctx;
	uint32_t *copy;

	if (fake_fail(&f->fail_install_at))
		return -EIO;
	copy = malloc(size * sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, table, size * sizeof(*copy));
	free(f->tables[vip_id]);
	f->tables[vip_id] = copy;
	f->table_size[vip_id] = size;
	f->installs++;
	return 0;
}

static int fake_remove_table(void *ctx, uint32_t vip_id)
{
	struct fake_dp *f = ctx;

	free(f->tables[vip_id]);
	f->tables[vip_id] = NULL;
	f->table_size[vip_id] = 0;
	return 0;
}

static int fake_table_slot(void *ctx, uint32_t vip_id, uint32_t slot, uint32_t *id)
{
	struct fake_dp *f = ctx;

	if (!f->tables[vip_id])
		return -ENOENT;
	if (slot >= f->table_size[vip_id])
		return -EINVAL;
	*id = f->tables[vip_id][slot];
	return 0;
}

static int fake_set_config(void *ctx, const struct xlb_config *cfg)
{
	((struct fake_dp *)ctx)->cfg = *cfg;
	return 0;
}

static int fake_set_tx_port(void *ctx, uint32_t slot, uint32_t ifindex)
{
	((struct fake_dp *)ctx)->tx[slot] = ifindex;
	return 0;
}

static int fake_counters(void *ctx, uint32_t index, struct xlb_counters *out)
{
	memset(out, 0, sizeof(*out));
	out->packets = index + 1;	/* recognisable, per id */
	return 0;
}

static int fake_reset(void *ctx, bool vip, uint32_t index)
{
	((struct fake_dp *)ctx)->resets++;
	return 0;
}

static int fake_u64s(void *ctx, uint64_t *out, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		out[i] = i;
	return 0;
}

static int fake_count_conns(void *ctx, uint64_t *total, uint32_t *per_backend, const uint32_t *gens,
			    uint64_t udp_idle_ns)
{
	struct fake_dp *f = ctx;

	*total = f->n_conns;
	if (per_backend)
		memset(per_backend, 0, sizeof(*per_backend) * XLB_MAX_BACKENDS);
	for (size_t i = 0; per_backend && i < f->n_conns; i++)
		if (!gens || gens[f->conns[i].backend_id] == f->conns[i].backend_gen)
			per_backend[f->conns[i].backend_id]++;
	return 0;
}

static int fake_lookup_conn(void *ctx, const struct xlb_flow *flow, struct xlb_conn *out)
{
	struct fake_dp *f = ctx;

	for (size_t i = 0; i < f->n_conns; i++)
		if (!memcmp(&f->flows[i], flow, sizeof(*flow))) {
			*out = f->conns[i];
			return 0;
		}
	return -ENOENT;
}

static uint32_t fake_conn_max(void *ctx)
{
	return 4096;
}

static const struct dp_ops fake_ops = {
	.set_vip = fake_set_vip, .del_vip = fake_del_vip, .vip_keys = fake_vip_keys,
	.set_backend = fake_set_backend, .read_backends = fake_read_backends,
	.install_table = fake_install_table, .remove_table = fake_remove_table,
	.table_slot = fake_table_slot, .set_config = fake_set_config, .set_tx_port = fake_set_tx_port,
	.vip_counters = fake_counters, .backend_counters = fake_counters, .reset_counters = fake_reset,
	.reasons = fake_u64s, .events = fake_u64s, .count_conns = fake_count_conns,
	.lookup_conn = fake_lookup_conn, .conn_max = fake_conn_max,
};

static void fake_dp_init(struct fake_dp *f, struct dp *dp)
{
	memset(f, 0, sizeof(*f));
	f->backends = calloc(XLB_MAX_BACKENDS, sizeof(*f->backends));
	dp->ops = &fake_ops;
	dp->ctx = f;
}

static void fake_dp_free(struct fake_dp *f)
{
	for (int i = 0; i < XLB_MAX_VIPS; i++)
		free(f->tables[i]);
	free(f->backends);
}

/* Every backend is on-link out of ifindex 7, MAC 02:00:00:00:00:<last byte>. */
static int fake_resolve(void *arg, const struct xlb_addr *dst, struct nexthop *out)
{
	memset(out, 0, sizeof(*out));
	out->state = NH_RESOLVED;
	out->ifindex = 7;
	strcpy(out->ifname, "fake0");
	out->dmac[0] = 2;
	out->dmac[5] = ((const uint8_t *)dst->addr)[dst->family == XLB_AF_INET ? 3 : 15];
	out->smac[0] = 2;
	out->smac[5] = 0xfe;
	out->mtu = 1500;
	out->src.family = dst->family;
	out->src.addr[0] = dst->family == XLB_AF_INET ? htonl(0xc6120001) : htonl(0x20010db8);
	return 0;
}

#endif /* XLB_TEST_FAKE_DP_H */

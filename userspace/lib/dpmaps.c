/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dpmaps.c - writing and reading the balancer's maps; contract in dpmaps.h.
 * libbpf 1.x low-level calls return a negative errno, which is passed on.
 */
#include "dpmaps.h"
#include "xlb_hash.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void xlb_dp_config_defaults(struct xlb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ttl = XLB_DEFAULT_TTL;
	cfg->default_mtu = XLB_DEFAULT_MTU;
	cfg->udp_idle_ns = (uint64_t)XLB_DEFAULT_UDP_IDLE_SEC * 1000000000ull;
	cfg->new_flows_per_cpu = XLB_DEFAULT_NEW_FLOWS_PER_CPU;
}

/* Copy table[0..size) into an ARRAY map created BPF_F_MMAPABLE: stores
 * instead of a syscall per batch (the map is not yet visible to packets,
 * so no tearing). The kernel lays array values out 8-byte aligned. */
static int fill_array(int fd, const uint32_t *table, uint32_t size)
{
	size_t len = (size_t)size * 8;
	uint8_t *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (mem == MAP_FAILED)
		return -errno;
	for (uint32_t i = 0; i < size; i++)
		*(uint32_t *)(mem + (size_t)i * 8) = table[i];
	munmap(mem, len);
	return 0;
}

int xlb_dp_install_table(int maglev_tables_fd, uint32_t vip_id, const uint32_t *table, uint32_t size)
{
	/* Flags must equal the BPF template's (bpf/lib/maps.h) or the swap fails. */
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	int inner, err;

	if (!table || size == 0 || size > XLB_MAGLEV_MAX_SIZE || vip_id >= XLB_MAX_VIPS)
		return -EINVAL;
	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xlb_maglev", sizeof(uint32_t),
			       sizeof(uint32_t), size, &opts);
	if (inner < 0)
		return inner;
	err = fill_array(inner, table, size);
	if (!err)	/* the one step packets can see: a pointer swap */
		err = bpf_map_update_elem(maglev_tables_fd, &vip_id, &inner, BPF_ANY);
	close(inner);	/* the outer map holds its own reference */
	return err;
}

int xlb_dp_remove_table(int maglev_tables_fd, uint32_t vip_id)
{
	return bpf_map_delete_elem(maglev_tables_fd, &vip_id);
}

int xlb_dp_read_table(int maglev_tables_fd, uint32_t vip_id, uint32_t *table, uint32_t size)
{
	struct bpf_map_info info = {};
	uint32_t info_len = sizeof(info), inner_id;
	int fd, err;

	err = bpf_map_lookup_elem(maglev_tables_fd, &vip_id, &inner_id);
	if (err)
		return err;
	fd = bpf_map_get_fd_by_id(inner_id);
	if (fd < 0)
		return fd;
	err = bpf_obj_get_info_by_fd(fd, &info, &info_len);
	if (!err && info.max_entries != size)
		err = -ERANGE;
	for (uint32_t i = 0; i < size && !err; i++)
		err = bpf_map_lookup_elem(fd, &i, &table[i]);
	close(fd);
	return err;
}

/* vips fd -> vip_filter fd, for the processes that attached a filter. */
static struct { int vips_fd, filter_fd; } filters[8];
static int nfilters;

static int filter_for(int vips_fd)
{
	for (int i = 0; i < nfilters; i++)
		if (filters[i].vips_fd == vips_fd)
			return filters[i].filter_fd;
	return -1;
}

static int filter_add(int filter_fd, const struct xlb_vip_key *key, int delta)
{
	uint32_t slot = xlb_vip_filter_slot(key->addr, key->family), count = 0;
	int err = bpf_map_lookup_elem(filter_fd, &slot, &count);

	if (err)
		return err;
	count = delta < 0 && count == 0 ? 0 : count + delta;
	return bpf_map_update_elem(filter_fd, &slot, &count, BPF_ANY);
}

int xlb_dp_vip_filter_attach(int vips_fd, int vip_filter_fd)
{
	struct xlb_vip_key key, next;
	void *prev = NULL;
	uint32_t zero = 0;
	int err, slot;

	if (filter_for(vips_fd) < 0) {
		if (nfilters == (int)(sizeof(filters) / sizeof(filters[0])))
			return -ENOSPC;
		filters[nfilters].vips_fd = vips_fd;
		filters[nfilters++].filter_fd = vip_filter_fd;
	}
	for (slot = 0; slot < XLB_VIP_FILTER_SLOTS; slot++) {
		err = bpf_map_update_elem(vip_filter_fd, &slot, &zero, BPF_ANY);
		if (err)
			return err;
	}
	while ((err = bpf_map_get_next_key(vips_fd, prev, &next)) == 0) {
		err = filter_add(vip_filter_fd, &next, 1);
		if (err)
			return err;
		key = next;
		prev = &key;
	}
	return err == -ENOENT ? 0 : err;
}

int xlb_dp_set_vip(int vips_fd, const struct xlb_vip_key *key, const struct xlb_vip *val)
{
	int ffd = filter_for(vips_fd), err, is_new;
	struct xlb_vip old;

	if (val->vip_id >= XLB_MAX_VIPS)
		return -EINVAL;
	is_new = bpf_map_lookup_elem(vips_fd, key, &old) != 0;
	if (ffd >= 0 && is_new) {	/* filter first: the VIP is never hidden */
		err = filter_add(ffd, key, 1);
		if (err)
			return err;
	}
	err = bpf_map_update_elem(vips_fd, key, val, BPF_ANY);
	if (err && ffd >= 0 && is_new)
		filter_add(ffd, key, -1);
	return err;
}

int xlb_dp_del_vip(int vips_fd, const struct xlb_vip_key *key)
{
	int ffd = filter_for(vips_fd);
	int err = bpf_map_delete_elem(vips_fd, key);

	if (!err && ffd >= 0)
		err = filter_add(ffd, key, -1);
	return err;
}

int xlb_dp_set_backend(int backends_fd, uint32_t backend_id, const struct xlb_backend *be)
{
	return bpf_map_update_elem(backends_fd, &backend_id, be, BPF_ANY);
}

int xlb_dp_set_config(int config_fd, const struct xlb_config *cfg)
{
	uint32_t key = 0;

	return bpf_map_update_elem(config_fd, &key, cfg, BPF_ANY);
}

/* Per-CPU values of one index, summed field by field as u64 words. */
static int sum_percpu(int fd, uint32_t index, uint64_t *out, uint32_t words)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;
	int err;

	if (ncpu < 0)
		return ncpu;
	vals = calloc((size_t)ncpu * words, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	err = bpf_map_lookup_elem(fd, &index, vals);
	if (!err) {
		memset(out, 0, words * sizeof(*out));
		for (int c = 0; c < ncpu; c++)
			for (uint32_t w = 0; w < words; w++)
				out[w] += vals[(size_t)c * words + w];
	}
	free(vals);
	return err;
}

int xlb_dp_read_u64_counters(int percpu_array_fd, uint64_t *out, uint32_t n)
{
	int err = 0;

	for (uint32_t i = 0; i < n && !err; i++)
		err = sum_percpu(percpu_array_fd, i, &out[i], 1);
	return err;
}

int xlb_dp_read_counters(int percpu_array_fd, uint32_t index, struct xlb_counters *out)
{
	uint64_t w[sizeof(*out) / sizeof(uint64_t)];
	int err = sum_percpu(percpu_array_fd, index, w, sizeof(*out) / sizeof(uint64_t));

	if (!err)
		memcpy(out, w, sizeof(*out));
	return err;
}

int xlb_dp_count_conns(int conns_fd, uint64_t *total, uint64_t *per_backend)
{
	struct xlb_flow key, next;
	struct xlb_conn conn;
	void *prev = NULL;
	int err;

	*total = 0;
	if (per_backend)
		memset(per_backend, 0, sizeof(*per_backend) * XLB_MAX_BACKENDS);
	while ((err = bpf_map_get_next_key(conns_fd, prev, &next)) == 0) {
		/* an entry may be evicted between the two calls: skip it */
		if (bpf_map_lookup_elem(conns_fd, &next, &conn) == 0) {
			(*total)++;
			if (per_backend && conn.backend_id < XLB_MAX_BACKENDS &&
			    xlb_conn_is_pinned(&conn))
				per_backend[conn.backend_id]++;
		}
		key = next;
		prev = &key;
	}
	return err == -ENOENT ? 0 : err;
}

int xlb_dp_lookup_conn(int conns_fd, const struct xlb_flow *flow, struct xlb_conn *out)
{
	return bpf_map_lookup_elem(conns_fd, flow, out);
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lb.c - the balancer under test, for the benchmarks: loaded from its
 * object file (so the benchmark builds, and says "n/a", before the
 * balancer exists), maps written through libxlb's dpmaps (the daemon's
 * own code path), counters read back to prove which path every packet
 * took. Nothing is pinned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "dpmaps.h"
#include "maglev.h"
#include "xlb_reasons.h"
#include "xlb_types.h"

_Static_assert(XLB_R__COUNT <= 32 && XLB_E__COUNT <= 32, "lb_counts arrays too small");

static int map_fd(struct lb *lb, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(lb->obj, name);

	if (!m) {
		fprintf(stderr, "lb: balancer object has no map '%s' (dpmaps.h contract)\n", name);
		return -ENOENT;
	}
	return bpf_map__fd(m);
}

/* Set a `const volatile __u32` of the object's .rodata before load; -ENOENT if absent. */
static int set_rodata_u32(struct bpf_object *obj, const char *var, uint32_t val)
{
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct bpf_map *map;
	size_t size;
	uint8_t *data;
	int id, i;

	if (!btf || (id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC)) < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, (uint32_t)id);
	vs = btf_var_secinfos(sec);
	bpf_object__for_each_map(map, obj) {
		if (!bpf_map__is_internal(map) || !strstr(bpf_map__name(map), ".rodata"))
			continue;
		/* libbpf 1.1 returns it const; it is the writable image skeletons set */
		data = (uint8_t *)(uintptr_t)bpf_map__initial_value(map, &size);
		for (i = 0; data && i < btf_vlen(sec); i++) {
			const struct btf_type *v = btf__type_by_id(btf, vs[i].type);

			if (!strcmp(btf__name_by_offset(btf, v->name_off), var) &&
			    vs[i].offset + sizeof(val) <= size) {
				memcpy(data + vs[i].offset, &val, sizeof(val));
				return 0;
			}
		}
	}
	return -ENOENT;
}

int lb_open(struct lb *lb, const char *obj_path, uint32_t conn_entries)
{
	struct bpf_program *prog, *xdp = NULL;
	struct bpf_map *map;
	int err;

	memset(lb, 0, sizeof(*lb));
	lb->obj = bpf_object__open_file(obj_path, NULL);
	if (!lb->obj) {
		err = -errno;
		fprintf(stderr, "lb: cannot open %s: %s\n", obj_path, strerror(-err));
		return err;
	}
	/* the one XDP entry program of the object */
	bpf_object__for_each_program(prog, lb->obj) {
		if (bpf_program__type(prog) == BPF_PROG_TYPE_XDP && !xdp)
			xdp = prog;
		else
			bpf_program__set_autoload(prog, false);
	}
	if (!xdp) {
		fprintf(stderr, "lb: %s has no XDP program\n", obj_path);
		err = -ENOENT;
		goto close_obj;
	}
	bpf_object__for_each_map(map, lb->obj)
		bpf_map__set_pin_path(map, NULL);	/* a benchmark never pins */
	map = bpf_object__find_map_by_name(lb->obj, "conns");
	if (map && conn_entries)
		bpf_map__set_max_entries(map, conn_entries);
	/* as xlbd loads it: the VIP address filter on when the build has it */
	lb->vip_filter = set_rodata_u32(lb->obj, "xlb_use_vip_filter", 1) == 0;
	err = bpf_object__load(lb->obj);
	if (err) {
		fprintf(stderr, "lb: cannot load %s: %s (XLB_BENCH_VERBOSE=1 shows the verifier log)\n",
			obj_path, strerror(-err));
		goto close_obj;
	}
	lb->prog_fd = bpf_program__fd(xdp);
	if ((lb->vips_fd = map_fd(lb, "vips")) < 0 || (lb->backends_fd = map_fd(lb, "backends")) < 0 ||
	    (lb->tables_fd = map_fd(lb, "maglev_tables")) < 0 ||
	    (lb->conns_fd = map_fd(lb, "conns")) < 0 || (lb->config_fd = map_fd(lb, "config")) < 0 ||
	    (lb->reasons_fd = map_fd(lb, "reasons")) < 0 ||
	    (lb->events_fd = map_fd(lb, "events")) < 0) {
		err = -ENOENT;
		goto close_obj;
	}
	if (lb->vip_filter) {
		int ffd = map_fd(lb, "vip_filter");

		err = ffd < 0 ? ffd : xlb_dp_vip_filter_attach(lb->vips_fd, ffd);
		if (err) {
			fprintf(stderr, "lb: cannot attach the VIP filter: %s\n", strerror(-err));
			goto close_obj;
		}
	}
	return 0;

close_obj:
	bpf_object__close(lb->obj);
	lb->obj = NULL;
	return err;
}

void lb_close(struct lb *lb)
{
	if (lb->obj)
		bpf_object__close(lb->obj);
	lb->obj = NULL;
}

int lb_configure(struct lb *lb)
{
	struct xlb_config cfg;
	int err;

	xlb_dp_config_defaults(&cfg);
	/* the new-flow rows time the insert path: the flood guard would skip it */
	cfg.new_flows_per_cpu = UINT32_MAX;
	err = xlb_dp_set_config(lb->config_fd, &cfg);
	if (err)
		fprintf(stderr, "lb: cannot write config: %s\n", strerror(-err));
	return err;
}

/* Backend i of a VIP: 198.18.(1 + i / 250).(1 + i % 250) or 2001:db8:b::(i + 1). */
static void backend_addr(int family, uint32_t i, __be32 addr[4])
{
	memset(addr, 0, 16);
	if (family == 4) {
		uint8_t *a = (uint8_t *)addr;

		a[0] = 198, a[1] = 18, a[2] = (uint8_t)(1 + i / 250), a[3] = (uint8_t)(1 + i % 250);
	} else {
		inet_pton(AF_INET6, "2001:db8:b::", addr);
		addr[3] = htonl(i + 1);
	}
}

int lb_add_vip(struct lb *lb, const struct lb_vip_def *v, const struct lb_nexthop *nh)
{
	uint32_t size = v->table_size ? v->table_size : XLB_MAGLEV_DEFAULT_SIZE;
	struct maglev_backend *mb = calloc(v->n_backends, sizeof(*mb));
	uint32_t *table = calloc(size, sizeof(*table));
	struct xlb_vip_key key = { 0 };
	struct xlb_vip val = { 0 };
	uint32_t i;
	int err = -ENOMEM;

	if (!mb || !table)
		goto out;
	for (i = 0; i < v->n_backends; i++) {
		struct xlb_backend be = { 0 };

		backend_addr(v->family, i, be.addr);
		if (v->family == 4)
			inet_pton(AF_INET, "198.18.0.1", be.src);
		else
			inet_pton(AF_INET6, "2001:db8:a::1", be.src);
		memcpy(be.dmac, nh->dmac, 6);
		memcpy(be.smac, nh->smac, 6);
		be.family = v->family == 4 ? XLB_AF_INET : XLB_AF_INET6;
		be.flags = XLB_BE_F_ACTIVE | XLB_BE_F_NEXTHOP | XLB_BE_F_VIP_ID;
		be.vip_id = v->vip_id;
		be.gen = 1;
		be.ifindex = nh->ifindex;
		err = xlb_dp_set_backend(lb->backends_fd, v->first_backend + i, &be);
		if (err) {
			fprintf(stderr, "lb: cannot set backend %u: %s\n", v->first_backend + i,
				strerror(-err));
			goto out;
		}
		maglev_key_from_addr(mb[i].key, be.family, be.addr);
		mb[i].weight = 100;
		mb[i].id = v->first_backend + i;
	}
	err = maglev_build(mb, v->n_backends, table, size);
	if (!err)
		err = xlb_dp_install_table(lb->tables_fd, v->vip_id, table, size);
	if (err) {
		fprintf(stderr, "lb: cannot build/install the table of VIP %s: %s\n", v->addr,
			strerror(-err));
		goto out;
	}
	if (inet_pton(v->family == 4 ? AF_INET : AF_INET6, v->addr, key.addr) != 1) {
		fprintf(stderr, "lb: bad VIP address %s\n", v->addr);
		err = -EINVAL;
		goto out;
	}
	key.port = htons(v->port);
	key.proto = v->proto;
	key.family = v->family == 4 ? XLB_AF_INET : XLB_AF_INET6;
	val.vip_id = v->vip_id;
	val.table_size = size;
	err = xlb_dp_set_vip(lb->vips_fd, &key, &val);
	if (err)
		fprintf(stderr, "lb: cannot set VIP %s: %s\n", v->addr, strerror(-err));
out:
	free(mb);
	free(table);
	return err;
}

int lb_read_counts(struct lb *lb, struct lb_counts *c)
{
	int err;

	memset(c, 0, sizeof(*c));
	err = xlb_dp_read_u64_counters(lb->reasons_fd, c->reasons, XLB_R__COUNT);
	if (!err)
		err = xlb_dp_read_u64_counters(lb->events_fd, c->events, XLB_E__COUNT);
	if (err)
		fprintf(stderr, "lb: cannot read counters: %s\n", strerror(-err));
	return err;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dp.h - the datapath as xlbd's state sees it: a small table of operations
 * over the balancer's maps. dp_bpf.c implements it over the real (pinned)
 * map fds; the unit tests implement it over plain arrays, so the state, the
 * API handlers and the apply diff run without root or BPF.
 *
 * Every operation returns 0 or a negative errno. Counters are summed over
 * CPUs. Key and value layouts are the ones in include/xlb_types.h.
 */
#ifndef XLBD_DP_H
#define XLBD_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xlb_types.h"

struct dp_ops {
	int (*set_vip)(void *ctx, const struct xlb_vip_key *key, const struct xlb_vip *val);
	int (*del_vip)(void *ctx, const struct xlb_vip_key *key);
	/* Every key of the vips map, in a malloc'd array (restart: prune stale keys). */
	int (*vip_keys)(void *ctx, struct xlb_vip_key **out, size_t *n);
	int (*set_backend)(void *ctx, uint32_t id, const struct xlb_backend *be);
	/* All XLB_MAX_BACKENDS entries into out[] (restart: gens, stale entries). */
	int (*read_backends)(void *ctx, struct xlb_backend *out);
	int (*install_table)(void *ctx, uint32_t vip_id, const uint32_t *table, uint32_t size);
	int (*remove_table)(void *ctx, uint32_t vip_id);
	/* One slot of the installed table; -ENOENT when vip_id has none. */
	int (*table_slot)(void *ctx, uint32_t vip_id, uint32_t slot, uint32_t *backend_id);
	int (*set_config)(void *ctx, const struct xlb_config *cfg);
	int (*set_tx_port)(void *ctx, uint32_t slot, uint32_t ifindex);
	int (*vip_counters)(void *ctx, uint32_t vip_id, struct xlb_counters *out);
	int (*backend_counters)(void *ctx, uint32_t backend_id, struct xlb_counters *out);
	/* Zero a reused id's counters (vip = true: vip_stats, else backend_stats). */
	int (*reset_counters)(void *ctx, bool vip, uint32_t index);
	/* Summed per-CPU u64 arrays: reasons[XLB_R__COUNT], events[XLB_E__COUNT]. */
	int (*reasons)(void *ctx, uint64_t *out, uint32_t n);
	int (*events)(void *ctx, uint64_t *out, uint32_t n);
	/*
	 * Live conn-table entries: total, and per backend_id (array of
	 * XLB_MAX_BACKENDS, may be NULL) counting only entries whose gen matches
	 * gens[backend_id] (gens may be NULL: no check). UDP entries idle longer
	 * than udp_idle_ns are not counted.
	 */
	int (*count_conns)(void *ctx, uint64_t *total, uint32_t *per_backend,
			   const uint32_t *gens, uint64_t udp_idle_ns);
	int (*lookup_conn)(void *ctx, const struct xlb_flow *flow, struct xlb_conn *out);
	uint32_t (*conn_max)(void *ctx);
};

struct dp {
	const struct dp_ops *ops;
	void *ctx;
};

#endif /* XLBD_DP_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dpmaps.h - writing the balancer's maps from userspace: the one place that
 * knows how a Maglev table is swapped in. Used by xlbd, the BPF tests and
 * the benchmarks. All functions take map fds and return 0 or -errno.
 *
 * Balancer maps (names are the pin names under the pin dir, a contract):
 *   vips           HASH  xlb_vip_key -> xlb_vip
 *   backends       ARRAY backend_id -> xlb_backend
 *   maglev_tables  ARRAY_OF_MAPS vip_id -> inner ARRAY(u32 slot -> u32 backend_id)
 *   conns          LRU_HASH (BPF_F_NO_COMMON_LRU) xlb_flow -> xlb_conn
 *   config         ARRAY[1] xlb_config
 *   reasons        PERCPU_ARRAY[XLB_R__COUNT] u64 packets
 *   events         PERCPU_ARRAY[XLB_E__COUNT] u64
 *   vip_stats      PERCPU_ARRAY[XLB_MAX_VIPS] xlb_counters
 *   backend_stats  PERCPU_ARRAY[XLB_MAX_BACKENDS] xlb_counters
 *   rate           PERCPU_ARRAY[1] xlb_rate
 *   tx_ports       DEVMAP[XLB_MAX_TX_PORTS] ifindex
 *   vip_filter     ARRAY[XLB_VIP_FILTER_SLOTS] u32: vips keys per address slot
 *
 * VIP address filter: when the loader sets the balancer's .rodata knob
 * xlb_use_vip_filter = 1 before load, a packet whose destination's slot
 * (xlb_vip_filter_slot) counts 0 passes as not-a-VIP after one array read.
 * The filter must then be attached (xlb_dp_vip_filter_attach) before traffic,
 * and every VIP change must go through xlb_dp_set_vip / xlb_dp_del_vip in
 * this process, which keep it counted (the slot is raised before a VIP is
 * added and lowered after it is deleted, so a VIP is never hidden). With the
 * knob at 0 (the default) the filter is not read.
 *
 * Atomic table switch: a new inner map is created (BPF_F_INNER_MAP so its
 * size may differ from the template), filled with one batch update, then
 * put into maglev_tables[vip_id] with one update: the kernel swaps the
 * pointer under RCU, so a packet sees the whole old or the whole new table.
 */
#ifndef XLB_DPMAPS_H
#define XLB_DPMAPS_H

#include <stdint.h>
#include "xlb_types.h"

/* Create, fill and swap in vip_id's table. */
int xlb_dp_install_table(int maglev_tables_fd, uint32_t vip_id, const uint32_t *table, uint32_t size);
/* Remove vip_id's table (packets to it then drop as XLB_R_DROP_NO_BACKEND). */
int xlb_dp_remove_table(int maglev_tables_fd, uint32_t vip_id);
/* Read vip_id's current table into table[0..size); -ENOENT if none. */
int xlb_dp_read_table(int maglev_tables_fd, uint32_t vip_id, uint32_t *table, uint32_t size);

/* Recount vip_filter from the vips map and keep it updated by xlb_dp_set_vip /
 * xlb_dp_del_vip on this vips_fd from now on. */
int xlb_dp_vip_filter_attach(int vips_fd, int vip_filter_fd);
int xlb_dp_set_vip(int vips_fd, const struct xlb_vip_key *key, const struct xlb_vip *val);
int xlb_dp_del_vip(int vips_fd, const struct xlb_vip_key *key);
int xlb_dp_set_backend(int backends_fd, uint32_t backend_id, const struct xlb_backend *be);
int xlb_dp_set_config(int config_fd, const struct xlb_config *cfg);
void xlb_dp_config_defaults(struct xlb_config *cfg);

/* Sum per-CPU values. out must hold n elements (n = XLB_R__COUNT etc.). */
int xlb_dp_read_u64_counters(int percpu_array_fd, uint64_t *out, uint32_t n);
int xlb_dp_read_counters(int percpu_array_fd, uint32_t index, struct xlb_counters *out);

/* Does a conn-table entry pin its backend? Not once the client sent FIN
 * (XLB_CONN_F_FIN): the connection is closing, its last ACKs still reach the
 * backend through the entry, but a drain need not wait for LRU eviction. */
static inline int xlb_conn_is_pinned(const struct xlb_conn *c)
{
	return !(c->flags & XLB_CONN_F_FIN);
}

/* Count conn-table entries: *total = all of them (table occupancy);
 * per_backend (when != NULL, an array of XLB_MAX_BACKENDS) = the pinned ones
 * per backend_id (xlb_conn_is_pinned). Walks the map: O(entries). */
int xlb_dp_count_conns(int conns_fd, uint64_t *total, uint64_t *per_backend);
/* Look a flow up in the conn table. */
int xlb_dp_lookup_conn(int conns_fd, const struct xlb_flow *flow, struct xlb_conn *out);

#endif /* XLB_DPMAPS_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maps.h - the balancer's maps. Names are pin names (a contract, listed in
 * userspace/lib/dpmaps.h). No pinning attribute here: the daemon pins
 * them (bpf_map__set_pin_path) so tests never touch /sys/fs/bpf.
 */
#ifndef XLB_BPF_MAPS_H
#define XLB_BPF_MAPS_H

#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * XLB_MAX_VIPS);	/* services + address markers */
	__type(key, struct xlb_vip_key);
	__type(value, struct xlb_vip);
} vips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_backend);
} backends SEC(".maps");

/*
 * Maglev tables, one inner ARRAY per VIP. The template carries
 * BPF_F_INNER_MAP, so each inner map the daemon creates (with the same
 * flag) may have its own max_entries = the VIP's table_size. See maglev.h
 * for how a table is swapped atomically.
 */
struct xlb_maglev_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	__uint(max_entries, XLB_MAGLEV_DEFAULT_SIZE);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XLB_MAX_VIPS);
	__type(key, __u32);
	__array(values, struct xlb_maglev_inner);
} maglev_tables SEC(".maps");

/* One shared hash, one LRU list per CPU (BPF_F_NO_COMMON_LRU): every CPU
 * sees every flow (RSS or ECMP changes move flows between CPUs), and an
 * insert takes only its CPU's list lock (measured: a common LRU's insert is
 * ~15% slower, lookups equal). LRU_PERCPU_HASH would keep a backend per CPU:
 * a flow moved to another CPU would miss. Userspace sets max_entries before
 * load (all CPUs together; each CPU evicts within its share). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, XLB_CONN_DEFAULT_ENTRIES);
	__type(key, struct xlb_flow);
	__type(value, struct xlb_conn);
} conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_R__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} reasons SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_E__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct xlb_counters);
} vip_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_counters);
} backend_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_rate);
} rate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, XLB_MAX_TX_PORTS);
	__type(key, __u32);
	__type(value, __u32);	/* ifindex */
} tx_ports SEC(".maps");

/* VIP address filter: vips keys per xlb_vip_filter_slot(); see dpmaps.h */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_VIP_FILTER_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} vip_filter SEC(".maps");

#endif /* XLB_BPF_MAPS_H */

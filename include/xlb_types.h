/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * xlb_types.h - every map key, map value and limit shared by the XDP
 * programs (bpf/) and userspace (userspace/, tests/).
 *
 * Rules: fixed-width types only, network byte order marked with __be*,
 * explicit padding, and a _Static_assert on every size so that
 * `clang -target bpf` and gcc agree on the layout. IPv4 addresses are stored
 * in word 0 of a 16-byte address with words 1..3 zero, so one struct serves
 * both families.
 */
#ifndef XLB_TYPES_H
#define XLB_TYPES_H

#include <linux/types.h>

/* ---- limits (README "Limits" documents these) ---- */
#define XLB_MAX_VIPS		1024	/* vip_id in [0, XLB_MAX_VIPS) */
#define XLB_MAX_BACKENDS	131072	/* backend_id in [0, XLB_MAX_BACKENDS); one per (VIP, real server) */
#define XLB_MAX_TX_PORTS	64	/* devmap slots for egress interfaces */
#define XLB_MAX_LOCAL_ADDRS	64	/* decap allow-list entries */
#define XLB_MAGLEV_DEFAULT_SIZE	65537	/* prime; per-VIP table size */
#define XLB_MAGLEV_MAX_SIZE	1048573	/* largest accepted prime */
#define XLB_CONN_DEFAULT_ENTRIES 1048576 /* connection table, all CPUs together */
#define XLB_MAX_IPV6_EXT_HDRS	8	/* extension headers walked before giving up */
#define XLB_VIP_FILTER_SLOTS	4096	/* power of 2; VIP address filter (dpmaps.h) */

#define XLB_BACKEND_NONE	0xffffffffu	/* empty Maglev slot */

/* Defaults the daemon writes into struct xlb_config. */
#define XLB_DEFAULT_TTL		64
#define XLB_DEFAULT_MTU		1500
#define XLB_DEFAULT_UDP_IDLE_SEC 30
#define XLB_DEFAULT_NEW_FLOWS_PER_CPU 250000	/* per second, then no conn-table insert */

/* Hash seed shared by every xlb host so that an ECMP group agrees. */
#define XLB_HASH_SEED		0x786c6201u

/*
 * Tunnel health checks: xlbd's probe socket carries SO_MARK =
 * XLB_HC_MARK(backend_id); bpf/healthcheck.bpf.c (tc egress) encapsulates
 * packets whose (mark & XLB_HC_MARK_MASK) == XLB_HC_MARK_BASE to that backend.
 * The low 24 bits hold the backend_id (XLB_MAX_BACKENDS fits).
 */
#define XLB_HC_MARK_BASE	0x58000000u	/* 'X' in the top byte */
#define XLB_HC_MARK_MASK	0xff000000u	/* bits that say "an xlb health probe" */
#define XLB_HC_MARK(backend_id)	(XLB_HC_MARK_BASE | ((backend_id) & ~XLB_HC_MARK_MASK))
#define XLB_HC_MARK_ID(mark)	((mark) & ~XLB_HC_MARK_MASK)

/* Pin paths (contract: operators' scripts use them). */
#define XLB_PIN_DIR_DEFAULT	"/sys/fs/bpf/xlb"
#define XLB_DECAP_PIN_DIR	"/sys/fs/bpf/xlb-decap"

enum xlb_family {
	XLB_AF_INET = 4,
	XLB_AF_INET6 = 6,
};

/*
 * struct xlb_flow - one parsed flow; also the connection-table key.
 * Addresses and ports in network byte order. For ICMP, ports are 0.
 */
struct xlb_flow {
	__be32 src[4];
	__be32 dst[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;		/* IPPROTO_TCP / IPPROTO_UDP / ... */
	__u8 family;		/* enum xlb_family */
	__u8 pad[2];
};
_Static_assert(sizeof(struct xlb_flow) == 40, "xlb_flow layout");

/* Connection-table value: which backend a flow is pinned to. */
struct xlb_conn {
	__u32 backend_id;
	__u32 backend_gen;	/* must equal xlb_backend.gen, else stale */
	__u64 last_seen_ns;	/* CLOCK_MONOTONIC (coarse: one kernel tick behind at most);
				 * UDP: refreshed at most once a second; TCP: insert time, or
				 * 0 when the rate guard is off (never read for TCP) */
	__u32 hash;		/* the flow hash the VIP steers by (outer source, flow label) */
	__u32 flags;		/* enum xlb_conn_flags (was pad: 0 = an open flow) */
};
_Static_assert(sizeof(struct xlb_conn) == 24, "xlb_conn layout");

enum xlb_conn_flags {
	XLB_CONN_F_FIN = 1 << 0,	/* TCP: the client sent FIN; the entry still steers the
					 * flow's last packets but no longer counts as pinned */
};

/* VIP map key. port 0 = every port of (addr, proto). */
struct xlb_vip_key {
	__be32 addr[4];
	__be16 port;
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP; IPPROTO_ICMP(V6) for an address marker */
	__u8 family;		/* enum xlb_family */
};
_Static_assert(sizeof(struct xlb_vip_key) == 20, "xlb_vip_key layout");

enum xlb_vip_flags {
	XLB_VIP_F_HASH_SRC = 1 << 0,	/* hash on source address only (affinity) */
	XLB_VIP_F_ADDR_MARKER = 1 << 1,	/* not a service: marks a VIP address (ICMP echo replies) */
};

/*
 * VIP map value. vip_id indexes maglev_tables, vip_stats. table_size is the
 * size of the inner map at maglev_tables[vip_id]; the daemon never changes
 * one without the other: a VIP whose table size changes gets a new vip_id
 * and this value (one hash element, replaced atomically) flips to it.
 */
struct xlb_vip {
	__u32 vip_id;
	__u32 table_size;
	__u32 flags;		/* enum xlb_vip_flags */
	__u32 pad;
};
_Static_assert(sizeof(struct xlb_vip) == 16, "xlb_vip layout");

enum xlb_backend_flags {
	XLB_BE_F_ACTIVE = 1 << 0,	/* in service: established flows keep using it */
	XLB_BE_F_NEXTHOP = 1 << 1,	/* dmac/smac/ifindex resolved */
	XLB_BE_F_VIP_ID = 1 << 2,	/* vip_id is set: conn-table hits skip the VIP lookup */
};

/*
 * Backend map value, indexed by backend_id (one per VIP x real server).
 * Filled by the daemon from its state and the kernel's routes/neighbours.
 */
struct xlb_backend {
	__be32 addr[4];		/* real server (outer destination) */
	__be32 src[4];		/* outer source when no per-flow prefix is configured */
	__u8 dmac[6];		/* next hop's MAC */
	__u8 smac[6];		/* egress interface's MAC */
	__u8 family;		/* enum xlb_family of addr and src */
	__u8 flags;		/* enum xlb_backend_flags */
	__u16 mtu;		/* egress MTU (host order); 0 = config default */
	__u32 gen;		/* bumped when backend_id is reused; see xlb_conn */
	__u32 ifindex;		/* egress interface; XDP_TX when it is the ingress one */
	__u32 tx_port;		/* devmap slot for ifindex (redirect) */
	__u32 vip_id;		/* the VIP this backend serves (vip_stats index); valid with
				 * XLB_BE_F_VIP_ID, without it hits fall back to the VIP lookup */
};
_Static_assert(sizeof(struct xlb_backend) == 64, "xlb_backend layout");

enum xlb_config_flags {
	XLB_CFG_F_SRC4_PREFIX = 1 << 0,	/* derive the IPv4 outer source from src4_prefix */
	XLB_CFG_F_SRC6_PREFIX = 1 << 1,	/* derive the IPv6 outer source from src6_prefix */
};

/* Global runtime settings: array map "config", one element (key 0). */
struct xlb_config {
	__be32 src4_prefix;	/* per-flow outer source = prefix | (hash & ~mask) */
	__be32 src4_mask;
	__be32 src6_prefix[4];
	__be32 src6_mask[4];
	__u64 udp_idle_ns;	/* UDP conn entries older than this re-hash */
	__u32 new_flows_per_cpu; /* per second; beyond it new flows skip the conn table */
	__u32 flags;		/* enum xlb_config_flags */
	__u16 default_mtu;	/* host order */
	__u8 ttl;		/* outer TTL / hop limit */
	__u8 pad[5];
};
_Static_assert(sizeof(struct xlb_config) == 64, "xlb_config layout");

/* Per-CPU counters for a VIP or a backend (summed in userspace). */
struct xlb_counters {
	__u64 packets;
	__u64 bytes;
	__u64 new_flows;
	__u64 pad;
};
_Static_assert(sizeof(struct xlb_counters) == 32, "xlb_counters layout");

/* New-flow rate guard state, per CPU (array map, one element). */
struct xlb_rate {
	__u64 window_start_ns;
	__u64 count;
};
_Static_assert(sizeof(struct xlb_rate) == 16, "xlb_rate layout");

/* Decap allow-list key: a local address of the real server. */
struct xlb_addr_key {
	__be32 addr[4];
	__u8 family;
	__u8 pad[3];
};
_Static_assert(sizeof(struct xlb_addr_key) == 20, "xlb_addr_key layout");

#endif /* XLB_TYPES_H */

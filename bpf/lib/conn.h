/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * conn.h - pick the backend for a flow: connection table first, Maglev for
 * new flows, and the new-flow rate guard.
 *
 * Rules:
 *  - A conns[flow] hit is used only while backends[id] is ACTIVE and its gen
 *    equals the entry's (a reused backend_id bumps gen): else CONN_STALE and
 *    re-hash, overwriting the entry. Established flows so keep their backend
 *    when other backends come and go; a removed backend's flows re-hash.
 *  - UDP: an entry idle longer than config.udp_idle_ns (0 = never) re-hashes
 *    (UDP_EXPIRED); last_seen is refreshed at most once a second, so a busy
 *    UDP flow does not write the entry on every packet. TCP entries are never
 *    refreshed: the LRU keeps busy flows and evicts idle ones.
 *  - Any packet of a flow missing from the table inserts it (not only SYNs),
 *    so flows survive an LB restart or an ECMP reshuffle as well as Maglev
 *    allows.
 *  - Rate guard: per CPU, a window of 1 s counts new-flow inserts; once the
 *    count passes config.new_flows_per_cpu (0 = no limit), further new flows
 *    in that window are still forwarded by Maglev but NOT inserted
 *    (RATE_LIMITED), so a SYN flood cannot evict established flows from the
 *    LRU. Their later packets re-hash to the same backend while the table is
 *    unchanged.
 *  - Fragments skip the table (no ports); ICMP errors read it but never
 *    write it (a spoofed error must not create or refresh state).
 *
 * Returns XLB_CONTINUE with *backend_id, *be and *new_flow set, or a
 * verdict (DROP_NO_BACKEND, DROP_NO_TABLE_SLOT).
 */
#ifndef XLB_BPF_CONN_H
#define XLB_BPF_CONN_H

#include "maglev.h"
#include "stats.h"
#include "vip.h"

static __always_inline int xlb_rate_allow(const struct xlb_config *cfg, __u64 now)
{
	__u32 key = 0;
	struct xlb_rate *r = bpf_map_lookup_elem(&rate, &key);

	if (!r || !cfg->new_flows_per_cpu)
		return 1;
	if (now - r->window_start_ns >= XLB_NSEC_PER_SEC) {
		r->window_start_ns = now;
		r->count = 0;
	}
	return ++r->count <= cfg->new_flows_per_cpu;
}

/* Conn-table hit still valid? Refreshes UDP last_seen. 1 = use it. */
static __always_inline int xlb_conn_valid(const struct xlb_pkt *pkt, struct xlb_conn *conn,
					  const struct xlb_backend *be, const struct xlb_config *cfg)
{
	__u64 now;

	if (!be || !(be->flags & XLB_BE_F_ACTIVE) || be->gen != conn->backend_gen) {
		xlb_event(XLB_E_CONN_STALE);
		return 0;
	}
	if (pkt->flow.proto != IPPROTO_UDP || !cfg->udp_idle_ns)
		return 1;
	now = bpf_ktime_get_ns();
	if (now - conn->last_seen_ns > cfg->udp_idle_ns) {
		xlb_event(XLB_E_UDP_EXPIRED);
		return 0;
	}
	if (!pkt->icmp_err && now - conn->last_seen_ns >= XLB_NSEC_PER_SEC)
		conn->last_seen_ns = now;
	return 1;
}

static __always_inline int xlb_pick_backend(struct xlb_pkt *pkt, const struct xlb_vip *vip,
					    const struct xlb_config *cfg, __u32 *backend_id,
					    struct xlb_backend **be_out, int *new_flow)
{
	struct xlb_conn *conn = NULL, entry = {};
	struct xlb_backend *be;
	__u32 id = 0;
	int rc;

	if (!pkt->frag) {
		conn = bpf_map_lookup_elem(&conns, &pkt->flow);
		if (conn) {
			id = conn->backend_id;
			be = bpf_map_lookup_elem(&backends, &id);
			if (xlb_conn_valid(pkt, conn, be, cfg)) {
				xlb_event(XLB_E_CONN_HIT);
				*backend_id = id;
				*be_out = be;
				*new_flow = 0;
				return XLB_CONTINUE;
			}
		} else if (!pkt->icmp_err) {
			xlb_event(XLB_E_NEW_FLOW);
		}
	}

	rc = xlb_maglev_pick(pkt, vip, xlb_pkt_hash(pkt, vip), &id);
	if (rc != XLB_CONTINUE)
		return rc;
	be = bpf_map_lookup_elem(&backends, &id);
	if (!be)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_NO_BACKEND);
	*backend_id = id;
	*be_out = be;
	*new_flow = !pkt->icmp_err && !pkt->frag;

	if (pkt->frag || pkt->icmp_err)
		return XLB_CONTINUE;
	entry.backend_id = id;
	entry.backend_gen = be->gen;
	entry.last_seen_ns = bpf_ktime_get_ns();
	if (xlb_rate_allow(cfg, entry.last_seen_ns))
		bpf_map_update_elem(&conns, &pkt->flow, &entry, BPF_ANY);
	else
		xlb_event(XLB_E_RATE_LIMITED);
	return XLB_CONTINUE;
}

#endif /* XLB_BPF_CONN_H */

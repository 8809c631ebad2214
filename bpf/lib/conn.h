/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * conn.h - pick the backend for a flow: connection table first, Maglev for
 * new flows, and the new-flow rate guard.
 *
 * Rules:
 *  - A conns[flow] hit is used only while backends[id] is ACTIVE and its gen
 *    equals the entry's (a reused backend_id bumps gen): else CONN_STALE and
 *    re-hash. Established flows so keep their backend when other backends
 *    come and go; a removed backend's flows re-hash.
 *  - Established fast path: the entry is looked up before the VIP. A valid
 *    hit whose backend carries its vip_id (XLB_BE_F_VIP_ID) is forwarded
 *    without the VIP lookup (the entry keeps the flow hash for the outer
 *    header); a backend without it falls back to the VIP lookup. The daemon
 *    clears ACTIVE on the backends of a removed VIP, so their hits go stale.
 *  - TCP: a SYN never writes the table. It is steered by Maglev (a hit is
 *    still honoured: same 5-tuple as a live entry), and the first packet
 *    without SYN that misses (the handshake's ACK, or a flow picked up
 *    mid-way after a restart or an ECMP change) inserts the entry. A SYN
 *    flood so never touches the table; the cost: a backend-set change
 *    between a SYN and its ACK moves that flow (one RTT), like a
 *    rate-limited flow.
 *  - UDP: any packet that misses inserts. An entry idle longer than
 *    config.udp_idle_ns (0 = never) re-hashes (UDP_EXPIRED); last_seen is
 *    refreshed at most once a second, so a busy UDP flow does not write the
 *    entry on every packet. TCP entries are never refreshed: the LRU keeps
 *    busy flows and evicts idle ones.
 *  - Rate guard (every insert: UDP, TCP without SYN): per CPU, a window of
 *    1 s counts inserts; past config.new_flows_per_cpu (0 = no limit),
 *    further flows in that window are forwarded by Maglev but NOT inserted
 *    (RATE_LIMITED), so a flood cannot evict established flows from the
 *    LRU. Their later packets re-hash to the same backend while the table
 *    is unchanged.
 *  - new_flows (vip_stats, backend_stats) counts insert candidates: the
 *    first packet of a UDP flow, the first non-SYN packet of a TCP flow. The
 *    NEW_FLOW event counts every miss steered by Maglev (SYNs included).
 *  - TCP close tracking (after a hit is forwarded, xlb_conn_close): a
 *    client RST deletes the entry (the backend got the RST first); a client
 *    FIN sets XLB_CONN_F_FIN (written once) and the entry keeps steering the
 *    last ACKs to the same backend, but userspace no longer counts it as
 *    pinned, so a drain completes. A SYN on a FIN-marked entry (port reuse)
 *    clears the mark. A non-SYN miss inserts with the mark when it carries
 *    FIN, and an RST miss inserts nothing. One byte-test of the parsed
 *    flags on the hit path; UDP has tcp_flags 0.
 *  - Fragments skip the table (no ports); ICMP errors read it but never
 *    write it (a spoofed error must not create or refresh state).
 *  - Time is bpf_ktime_get_coarse_ns (CLOCK_MONOTONIC at tick resolution):
 *    read only for UDP hits and inserts, never on a TCP hit.
 *
 * Returns XLB_CONTINUE with struct xlb_pick filled, or a verdict
 * (DROP_NO_BACKEND, DROP_NO_TABLE_SLOT).
 */
#ifndef XLB_BPF_CONN_H
#define XLB_BPF_CONN_H

#include "maglev.h"
#include "stats.h"
#include "vip.h"

/* What the backend choice decided. */
struct xlb_pick {
	struct xlb_conn *conn;	/* the flow's entry, NULL on a miss or no lookup */
	struct xlb_backend *be;
	__u32 backend_id;
	__u32 vip_id;		/* vip_stats index */
	__u8 looked_up;		/* conns was consulted for pkt->flow */
	__u8 hit;		/* conn is valid: its backend is used */
	__u8 new_flow;		/* counted in new_flows */
	__u8 pad;
};

static __always_inline __u64 xlb_now(void)
{
	return bpf_ktime_get_coarse_ns();
}

static __always_inline int xlb_rate_allow(const struct xlb_config *cfg, __u64 now)
{
	__u32 key = 0;
	struct xlb_rate *r = bpf_map_lookup_elem(&rate, &key);

	if (!r)
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
	now = xlb_now();
	if (now - conn->last_seen_ns > cfg->udp_idle_ns) {
		xlb_event(XLB_E_UDP_EXPIRED);
		return 0;
	}
	if (!pkt->icmp_err && now - conn->last_seen_ns >= XLB_NSEC_PER_SEC)
		conn->last_seen_ns = now;
	return 1;
}

/*
 * Look pkt->flow up (not for fragments) and check the hit. A valid hit
 * fills pick->be / backend_id, and pkt->hash from the entry. Returns
 * pick->hit.
 */
static __always_inline int xlb_conn_get(struct xlb_pkt *pkt, const struct xlb_config *cfg,
					struct xlb_pick *pick)
{
	struct xlb_conn *conn;
	struct xlb_backend *be;
	__u32 id;

	pick->looked_up = 1;
	if (pkt->frag)
		return 0;
	conn = bpf_map_lookup_elem(&conns, &pkt->flow);
	if (!conn)
		return 0;
	pick->conn = conn;
	id = conn->backend_id;
	be = bpf_map_lookup_elem(&backends, &id);
	if (!xlb_conn_valid(pkt, conn, be, cfg))
		return 0;
	pick->be = be;
	pick->backend_id = id;
	pkt->hash = conn->hash;
	pkt->have_hash = 1;
	pick->hit = 1;
	return 1;
}

/* A valid hit that needs no VIP lookup: its backend names the VIP. */
static __always_inline int xlb_conn_fast(struct xlb_pick *pick)
{
	if (!pick->hit || !(pick->be->flags & XLB_BE_F_VIP_ID))
		return 0;
	pick->vip_id = pick->be->vip_id;
	xlb_event(XLB_E_CONN_HIT);
	return 1;
}

/* Pin the flow: insert (or overwrite a stale entry), within the rate guard. */
static __always_inline void xlb_conn_insert(struct xlb_pkt *pkt, const struct xlb_config *cfg,
					    const struct xlb_pick *pick)
{
	struct xlb_conn entry = {
		.backend_id = pick->backend_id,
		.backend_gen = pick->be->gen,
		.hash = pkt->hash,
	};
	int udp = pkt->flow.proto == IPPROTO_UDP;

	if (pkt->tcp_flags & XLB_TCP_RST)
		return;			/* the flow is gone: nothing to pin */
	if (pkt->tcp_flags & XLB_TCP_FIN)
		entry.flags = XLB_CONN_F_FIN;
	if (cfg->new_flows_per_cpu || udp)
		entry.last_seen_ns = xlb_now();
	if (cfg->new_flows_per_cpu && !xlb_rate_allow(cfg, entry.last_seen_ns)) {
		xlb_event(XLB_E_RATE_LIMITED);
		return;
	}
	bpf_map_update_elem(&conns, &pkt->flow, &entry, BPF_ANY);
}

/*
 * After a hit was forwarded: TCP close tracking (rules above). pkt->tcp_flags
 * is 0 for UDP; ICMP errors quote the reversed flow and never write.
 */
static __always_inline void xlb_conn_close(const struct xlb_pkt *pkt, const struct xlb_pick *pick)
{
	struct xlb_conn *conn = pick->conn;
	__u8 f = pkt->tcp_flags;

	if (!(f & (XLB_TCP_FIN | XLB_TCP_RST | XLB_TCP_SYN)) || !pick->hit || !conn || pkt->icmp_err)
		return;
	if (f & XLB_TCP_RST)
		bpf_map_delete_elem(&conns, &pkt->flow);
	else if (f & XLB_TCP_SYN) {
		if (conn->flags & XLB_CONN_F_FIN)
			conn->flags &= ~(__u32)XLB_CONN_F_FIN;	/* tuple reused: open again */
	} else if (!(conn->flags & XLB_CONN_F_FIN)) {
		conn->flags |= XLB_CONN_F_FIN;
	}
}

/* The slow path: after the VIP is known (a hit whose backend lacks vip_id, a miss, a stale entry). */
static __always_inline int xlb_pick_backend(struct xlb_pkt *pkt, const struct xlb_vip *vip,
					    const struct xlb_config *cfg, struct xlb_pick *pick)
{
	struct xlb_backend *be;
	__u32 id = 0;
	int rc;

	if (!pick->looked_up)		/* ICMP errors: the quoted flow is known only now */
		xlb_conn_get(pkt, cfg, pick);
	pick->vip_id = vip->vip_id;
	if (pick->hit) {
		xlb_event(XLB_E_CONN_HIT);
		return XLB_CONTINUE;
	}
	if (!pick->conn && !pkt->icmp_err && !pkt->frag)
		xlb_event(XLB_E_NEW_FLOW);

	rc = xlb_maglev_pick(pkt, vip, xlb_pkt_hash(pkt, vip), &id);
	if (rc != XLB_CONTINUE)
		return rc;
	be = bpf_map_lookup_elem(&backends, &id);
	if (!be)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_NO_BACKEND);
	pick->backend_id = id;
	pick->be = be;

	if (pkt->frag || pkt->icmp_err)
		return XLB_CONTINUE;
	if (pkt->flow.proto == IPPROTO_TCP && (pkt->tcp_flags & XLB_TCP_SYN))
		return XLB_CONTINUE;	/* the handshake's ACK inserts */
	pick->new_flow = 1;
	xlb_conn_insert(pkt, cfg, pick);
	return XLB_CONTINUE;
}

#endif /* XLB_BPF_CONN_H */

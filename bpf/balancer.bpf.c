// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * balancer.bpf.c - the xlb XDP balancer: parse, VIP address filter, conn
 * table (a hit goes straight to encap), else find the VIP and pick the
 * backend (conn table, then Maglev), encapsulate, send. This file only
 * dispatches; the rules live in bpf/lib/ headers (one role per header):
 *   parse.h   frame -> struct xlb_pkt          vip.h    VIP, marker, fragments
 *   icmp.h    echo reply, ICMP error steering, PTB generation
 *   conn.h    conn table, rate guard           maglev.h table lookup, atomic swap
 *   encap.h   next hop, MTU, tunnel header     stats.h  counters
 * Every packet leaves with one verdict and exactly one reason counted
 * (reasons[]); helpers return a verdict or XLB_CONTINUE (common.h).
 */
#include "lib/common.h"
#include "lib/maps.h"
#include "lib/stats.h"
#include "lib/parse.h"
#include "lib/vip.h"
#include "lib/icmp.h"
#include "lib/conn.h"
#include "lib/encap.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Load-time knob (.rodata, set before load): consult the VIP address
 * filter first, so non-VIP traffic costs one array read, not a conn-table
 * miss and two VIP lookups. Only with a filter kept by dpmaps.c (see
 * dpmaps.h): xlbd and the benchmark set it; 0 stays the default so that a
 * loader that does not keep the filter still balances. */
const volatile __u32 xlb_use_vip_filter = 0;

/* Which VIP a parsed packet is for: fragments, ICMP, then data. */
static __always_inline int xlb_find_vip(struct xdp_md *xdp, struct xlb_pkt *pkt,
					struct xlb_vip **vip)
{
	if (pkt->frag)
		return xlb_frag_vip(pkt, vip);
	if (pkt->flow.proto == IPPROTO_ICMP || pkt->flow.proto == IPPROTO_ICMPV6)
		return xlb_icmp_in(xdp, pkt, vip);
	*vip = xlb_vip_lookup(pkt);
	if (!*vip)
		return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_NOT_VIP);
	return XLB_CONTINUE;
}

/*
 * Established flows (TCP/UDP, not fragments) look the conn table up first:
 * a valid hit whose backend names its VIP goes straight to encap (conn.h).
 * Everything else finds the VIP, then the backend (conn entry or Maglev).
 */
static __always_inline int xlb_balance(struct xdp_md *xdp, struct xlb_pkt *pkt)
{
	struct xlb_pick pick = {};
	struct xlb_vip *vip = NULL;
	struct xlb_config *cfg;
	__u32 key = 0;
	int rc;

	rc = xlb_parse(xdp, pkt);
	if (rc != XLB_CONTINUE)
		return rc;
	if (xlb_dst_is_multicast(pkt))
		return xlb_verdict(pkt, XDP_PASS, XLB_R_PASS_MULTICAST);
	if (xlb_use_vip_filter && !xlb_vip_addr_maybe(pkt))	/* same reasons as without the filter */
		return xlb_verdict(pkt, XDP_PASS, pkt->flow.proto == IPPROTO_ICMP ||
				   pkt->flow.proto == IPPROTO_ICMPV6 ? XLB_R_PASS_ICMP : XLB_R_PASS_NOT_VIP);
	cfg = bpf_map_lookup_elem(&config, &key);
	if (!cfg)	/* cannot happen (array map), but the verifier needs the check */
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_NO_BACKEND);

	/* conn table first (without the filter, TCP/UDP to the host pays a
	 * conn-table miss too: run with the filter) */
	if (pkt->flow.proto == IPPROTO_TCP || pkt->flow.proto == IPPROTO_UDP) {
		xlb_conn_get(pkt, cfg, &pick);
		if (xlb_conn_fast(&pick)) {
			xlb_count_parse_events(pkt);
			goto forward;
		}
	}
	rc = xlb_find_vip(xdp, pkt, &vip);
	if (rc != XLB_CONTINUE)
		return rc;
	xlb_count_parse_events(pkt);
	rc = xlb_pick_backend(pkt, vip, cfg, &pick);
	if (rc != XLB_CONTINUE)
		return rc;
forward:
	rc = xlb_forward(xdp, pkt, pick.be, cfg);
	if (pkt->reason == XLB_R_TX || pkt->reason == XLB_R_REDIRECT) {
		xlb_count_flow(pick.vip_id, pick.backend_id, pkt->l3_len, pick.new_flow);
		xlb_conn_close(pkt, &pick);	/* FIN marks, RST deletes (conn.h) */
	}
	return rc;
}

SEC("xdp")
int xlb_balancer(struct xdp_md *xdp)
{
	struct xlb_pkt pkt = {};

	return xlb_count_reason(&pkt, xlb_balance(xdp, &pkt));
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nexthop.h - how to reach a backend, from the kernel (netlink, libmnl):
 * the route's egress interface and gateway, the interface's MAC and MTU,
 * the neighbour's MAC, and the source address the route prefers.
 *
 * Resolution is synchronous (a few netlink round trips). A missing
 * neighbour is not waited for: resolution is triggered (the kernel is asked
 * to resolve it) and NH_INCOMPLETE returned; the change callback fires when
 * the neighbour appears. The callback fires (debounced, from the event loop)
 * on every route, neighbour, address or link change, so the caller
 * re-resolves everything it uses. Returns 0 or -errno.
 */
#ifndef XLB_NEXTHOP_H
#define XLB_NEXTHOP_H

#include <stdint.h>
#include <event2/event.h>
#include "model.h"

enum nexthop_state {
	NH_RESOLVED = 0,	/* dmac/smac/ifindex valid */
	NH_INCOMPLETE,		/* route found, neighbour not (yet) resolved; resolution triggered */
	NH_NO_ROUTE,		/* no route to the backend */
	NH_ERROR,		/* netlink failed */
};

struct nexthop {
	enum nexthop_state state;
	uint32_t ifindex;		/* egress interface */
	char ifname[16];
	struct xlb_addr gateway;	/* family 0 = on-link */
	struct xlb_addr src;		/* preferred source (route's prefsrc, else iface's first address) */
	uint8_t smac[6];		/* egress interface MAC */
	uint8_t dmac[6];		/* neighbour MAC (gateway's, or the backend's when on-link) */
	uint16_t mtu;			/* egress interface MTU */
};

const char *nexthop_state_str(enum nexthop_state s);

struct nexthop_ctx;
typedef void (*nexthop_changed_fn)(void *arg);

/* Open netlink sockets and subscribe to link/addr/route/neigh groups. */
struct nexthop_ctx *nexthop_open(struct event_base *base, nexthop_changed_fn changed, void *arg);
void nexthop_close(struct nexthop_ctx *ctx);
int nexthop_resolve(struct nexthop_ctx *ctx, const struct xlb_addr *dst, struct nexthop *out);

#endif /* XLB_NEXTHOP_H */

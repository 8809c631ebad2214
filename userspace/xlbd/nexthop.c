// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nexthop.c - how to reach a backend, asked of the kernel over rtnetlink
 * (libmnl), in the network namespace the process runs in.
 *
 * resolve(dst): RTM_GETROUTE (the kernel's own lookup: policy rules,
 * multipath choice, prefsrc) -> egress ifindex, gateway, source;
 * RTM_GETLINK -> MAC, MTU, name; RTM_GETADDR only when the route names no
 * source; RTM_GETNEIGH (a non-dump get, kernel >= 4.20) for the gateway, or
 * for the backend itself when it is on-link.
 *
 * A missing or unusable neighbour is never waited for. The kernel is asked
 * to resolve it with RTM_NEWNEIGH + NLM_F_CREATE + NTF_USE: the kernel
 * creates the entry if needed and runs neigh_event_send() on it, exactly as
 * if a packet were queued for it (ARP request / neighbour solicitation on
 * the right device), with no packet sent anywhere and nothing changed on an
 * existing entry (a permanent one ignores it). Verified on this kernel
 * (6.18) by tests/unit/test_nexthop.c. NH_INCOMPLETE is returned; when the
 * reply arrives the kernel's RTM_NEWNEIGH reaches the monitor socket and
 * the change callback fires. A STALE neighbour counts as resolved (its MAC
 * is known) but gets the same nudge, so the kernel re-confirms it: XDP
 * traffic never does, the kernel does not see it.
 *
 * Monitor: a second socket in RTMGRP_LINK, IPV4/6_IFADDR, IPV4/6_ROUTE and
 * NEIGH groups, read from the libevent loop. Neighbour events count only for
 * neighbours some resolve() used; every link, address and route event
 * counts. The callback runs 50 ms after the first event of a burst (one
 * callback per burst), and every 30 s anyway so stale neighbours get
 * re-confirmed. On a monitor overrun (ENOBUFS) it fires too: the caller
 * re-resolves everything, so nothing lost matters.
 *
 * Note (DESIGN.md section 7): a non-dump request gets one reply and no
 * NLMSG_DONE; only dumps are read until DONE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <net/if_arp.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <event2/event.h>
#include "log.h"
#include "nexthop.h"

#define NH_DEBOUNCE_MS		50
#define NH_REFRESH_SEC		30
#define NH_RECV_TIMEOUT_MS	1000	/* a request the kernel never answers must not hang xlbd */
#define NH_MAX_WATCH		4096	/* beyond it, every neighbour event counts */
#define NH_BUF_SIZE		32768
#define NH_MON_RCVBUF		(1 << 20)

/* The kernel's NUD_VALID (not in the UAPI): states with a usable MAC. */
#define NH_NUD_VALID (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)

struct watched {
	uint32_t ifindex;
	struct xlb_addr addr;
};

struct nexthop_ctx {
	struct mnl_socket *req;		/* requests and their replies */
	struct mnl_socket *mon;		/* multicast change events */
	uint32_t portid;
	uint32_t seq;
	struct event *mon_ev, *debounce_ev, *refresh_ev;
	nexthop_changed_fn changed;
	void *arg;
	struct watched *watch;
	size_t n_watch, cap_watch;
	bool watch_all;
	char buf[NH_BUF_SIZE];
};

const char *nexthop_state_str(enum nexthop_state s)
{
	switch (s) {
	case NH_RESOLVED: return "resolved";
	case NH_INCOMPLETE: return "incomplete";
	case NH_NO_ROUTE: return "no_route";
	case NH_ERROR: return "error";
	}
	return "unknown";
}

/* ---- address helpers ---- */

static int af_of(uint8_t xlb_family)
{
	return xlb_family == XLB_AF_INET ? AF_INET : xlb_family == XLB_AF_INET6 ? AF_INET6 : -1;
}

static size_t alen_of(uint8_t xlb_family)
{
	return xlb_family == XLB_AF_INET ? 4 : 16;
}

/* Fill an xlb_addr from an AF_* family and raw bytes; false when the length is wrong. */
static bool addr_from(struct xlb_addr *a, int af, const void *data, size_t len)
{
	memset(a, 0, sizeof(*a));
	if (af == AF_INET && len == 4)
		a->family = XLB_AF_INET;
	else if (af == AF_INET6 && len == 16)
		a->family = XLB_AF_INET6;
	else
		return false;
	memcpy(a->addr, data, len);
	return true;
}

static bool addr_equal(const struct xlb_addr *a, const struct xlb_addr *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, alen_of(a->family)) == 0;
}

/* ---- requests ---- */

/*
 * Send one request and run cb over the reply: one message for a plain get,
 * messages until NLMSG_DONE for a dump. Replies to an earlier request that
 * timed out carry an old sequence number and are skipped.
 */
static int nl_request(struct nexthop_ctx *ctx, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	bool dump = nlh->nlmsg_flags & NLM_F_DUMP;
	uint32_t seq = ++ctx->seq;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(ctx->req, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(ctx->req, ctx->buf, sizeof(ctx->buf));
		int r;

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		r = mnl_cb_run(ctx->buf, n, seq, ctx->portid, cb, data);
		if (r < 0) {
			if (errno == EPROTO)
				continue;	/* stale reply */
			return -errno;
		}
		if (r == MNL_CB_STOP || !dump)
			return 0;
	}
}

struct route_info {
	bool got;
	uint8_t type;
	uint32_t oif;
	struct xlb_addr gw;
	struct xlb_addr prefsrc;
};

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_info *ri = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	ri->got = true;
	ri->type = rtm->rtm_type;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		const void *p = mnl_attr_get_payload(a);
		size_t len = mnl_attr_get_payload_len(a);

		switch (mnl_attr_get_type(a)) {
		case RTA_OIF:
			if (len == 4)
				ri->oif = mnl_attr_get_u32(a);
			break;
		case RTA_GATEWAY:
			addr_from(&ri->gw, rtm->rtm_family, p, len);
			break;
		case RTA_VIA:	/* RFC 5549: IPv4 route with an IPv6 next hop */
			if (len >= sizeof(struct rtvia))
				addr_from(&ri->gw, ((const struct rtvia *)p)->rtvia_family,
					  ((const struct rtvia *)p)->rtvia_addr, len - sizeof(struct rtvia));
			break;
		case RTA_PREFSRC:
			addr_from(&ri->prefsrc, rtm->rtm_family, p, len);
			break;
		}
	}
	return MNL_CB_OK;
}

static int get_route(struct nexthop_ctx *ctx, const struct xlb_addr *dst, struct route_info *ri)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = af_of(dst->family);
	rtm->rtm_dst_len = alen_of(dst->family) * 8;
	mnl_attr_put(nlh, RTA_DST, alen_of(dst->family), dst->addr);
	memset(ri, 0, sizeof(*ri));
	return nl_request(ctx, nlh, route_cb, ri);
}

struct link_info {
	bool got;
	uint16_t type;		/* ARPHRD_* */
	uint8_t mac[6];
	bool mac_ok;
	uint32_t mtu;
	char name[16];
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info *li = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	li->got = true;
	li->type = ifi->ifi_type;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		size_t len = mnl_attr_get_payload_len(a);

		switch (mnl_attr_get_type(a)) {
		case IFLA_ADDRESS:
			if (len == 6) {
				memcpy(li->mac, mnl_attr_get_payload(a), 6);
				li->mac_ok = true;
			}
			break;
		case IFLA_MTU:
			if (len == 4)
				li->mtu = mnl_attr_get_u32(a);
			break;
		case IFLA_IFNAME:
			snprintf(li->name, sizeof(li->name), "%.*s", (int)len,
				 (const char *)mnl_attr_get_payload(a));
			break;
		}
	}
	return MNL_CB_OK;
}

static int get_link(struct nexthop_ctx *ctx, uint32_t ifindex, struct link_info *li)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	memset(li, 0, sizeof(*li));
	return nl_request(ctx, nlh, link_cb, li);
}

struct addr_pick {
	uint32_t ifindex;
	int af;
	int best_score;		/* -1 = none yet */
	struct xlb_addr addr;
};

/* The interface's best address of a family: global scope, not tentative/deprecated, first. */
static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_pick *ap = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct xlb_addr local = { 0 }, address = { 0 };
	uint32_t flags = ifa->ifa_flags;
	int score;

	if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_index != ap->ifindex ||
	    ifa->ifa_family != ap->af)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		const void *p = mnl_attr_get_payload(a);
		size_t len = mnl_attr_get_payload_len(a);

		switch (mnl_attr_get_type(a)) {
		case IFA_LOCAL:
			addr_from(&local, ifa->ifa_family, p, len);
			break;
		case IFA_ADDRESS:
			addr_from(&address, ifa->ifa_family, p, len);
			break;
		case IFA_FLAGS:
			if (len == 4)
				flags = mnl_attr_get_u32(a);
			break;
		}
	}
	if (!local.family)
		local = address;	/* IPv6 sends only IFA_ADDRESS */
	if (!local.family || (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
		return MNL_CB_OK;
	score = (ifa->ifa_scope == RT_SCOPE_UNIVERSE) * 2 + !(flags & IFA_F_DEPRECATED);
	if (score > ap->best_score) {
		ap->best_score = score;
		ap->addr = local;
	}
	return MNL_CB_OK;
}

static int get_first_addr(struct nexthop_ctx *ctx, uint32_t ifindex, uint8_t family,
			  struct xlb_addr *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct addr_pick ap = { .ifindex = ifindex, .af = af_of(family), .best_score = -1 };
	struct ifaddrmsg *ifa;
	int err;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = ap.af;
	err = nl_request(ctx, nlh, addr_cb, &ap);
	if (err)
		return err;
	if (ap.best_score < 0)
		return -EADDRNOTAVAIL;
	*out = ap.addr;
	return 0;
}

struct neigh_info {
	bool got;
	uint16_t state;		/* NUD_* */
	uint8_t mac[6];
	bool mac_ok;
};

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_info *ni = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return MNL_CB_OK;
	ni->got = true;
	ni->state = ndm->ndm_state;
	mnl_attr_for_each(a, nlh, sizeof(*ndm)) {
		if (mnl_attr_get_type(a) == NDA_LLADDR && mnl_attr_get_payload_len(a) == 6) {
			memcpy(ni->mac, mnl_attr_get_payload(a), 6);
			ni->mac_ok = true;
		}
	}
	return MNL_CB_OK;
}

/* 0 with ni filled, -ENOENT when the kernel has no entry, else -errno. */
static int get_neigh(struct nexthop_ctx *ctx, const struct xlb_addr *nb, uint32_t ifindex,
		     struct neigh_info *ni)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = af_of(nb->family);
	ndm->ndm_ifindex = (int)ifindex;
	mnl_attr_put(nlh, NDA_DST, alen_of(nb->family), nb->addr);
	memset(ni, 0, sizeof(*ni));
	return nl_request(ctx, nlh, neigh_cb, ni);
}

static int ack_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_OK;
}

/* Ask the kernel to (re)resolve a neighbour now; see the header comment. */
static int trigger_neigh(struct nexthop_ctx *ctx, const struct xlb_addr *nb, uint32_t ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = af_of(nb->family);
	ndm->ndm_ifindex = (int)ifindex;
	ndm->ndm_state = NUD_NONE;
	ndm->ndm_flags = NTF_USE;
	mnl_attr_put(nlh, NDA_DST, alen_of(nb->family), nb->addr);
	return nl_request(ctx, nlh, ack_cb, NULL);
}

/* Remember a neighbour resolve() used, so its events count. */
static void watch_add(struct nexthop_ctx *ctx, uint32_t ifindex, const struct xlb_addr *a)
{
	struct watched *w;

	for (size_t i = 0; i < ctx->n_watch; i++)
		if (ctx->watch[i].ifindex == ifindex && addr_equal(&ctx->watch[i].addr, a))
			return;
	if (ctx->watch_all)
		return;
	if (ctx->n_watch == NH_MAX_WATCH) {
		ctx->watch_all = true;
		return;
	}
	if (ctx->n_watch == ctx->cap_watch) {
		size_t cap = ctx->cap_watch ? ctx->cap_watch * 2 : 16;

		w = realloc(ctx->watch, cap * sizeof(*w));
		if (!w) {
			ctx->watch_all = true;
			return;
		}
		ctx->watch = w;
		ctx->cap_watch = cap;
	}
	ctx->watch[ctx->n_watch].ifindex = ifindex;
	ctx->watch[ctx->n_watch].addr = *a;
	ctx->n_watch++;
}

int nexthop_resolve(struct nexthop_ctx *ctx, const struct xlb_addr *dst, struct nexthop *out)
{
	struct route_info ri;
	struct link_info li;
	struct neigh_info ni;
	const struct xlb_addr *nb;
	int err;

	memset(out, 0, sizeof(*out));
	out->state = NH_ERROR;
	if (!ctx || !dst || af_of(dst->family) < 0)
		return -EINVAL;

	err = get_route(ctx, dst, &ri);
	/* the kernel answers a blackhole route with EINVAL (our request is well-formed) */
	if (err == -ENETUNREACH || err == -EHOSTUNREACH || err == -EACCES || err == -EINVAL ||
	    (!err && (!ri.got || ri.type != RTN_UNICAST || !ri.oif))) {
		/* unreachable, prohibit, blackhole, local: nothing XDP can send to */
		out->state = NH_NO_ROUTE;
		return 0;
	}
	if (err) {
		log_debug("nexthop: route lookup failed: %s", strerror(-err));
		return err;
	}

	err = get_link(ctx, ri.oif, &li);
	if (err) {
		log_debug("nexthop: link %u lookup failed: %s", ri.oif, strerror(-err));
		return err;
	}
	out->ifindex = ri.oif;
	memcpy(out->ifname, li.name, sizeof(out->ifname));
	out->gateway = ri.gw;
	out->mtu = li.mtu > UINT16_MAX ? UINT16_MAX : (uint16_t)li.mtu;
	if (!li.got || li.type != ARPHRD_ETHER || !li.mac_ok) {
		/* XDP encapsulation writes an Ethernet header: nothing else is usable */
		out->state = NH_NO_ROUTE;
		return 0;
	}
	memcpy(out->smac, li.mac, 6);

	if (ri.prefsrc.family) {
		out->src = ri.prefsrc;
	} else {
		err = get_first_addr(ctx, ri.oif, dst->family, &out->src);
		if (err && err != -EADDRNOTAVAIL)
			return err;
	}

	nb = ri.gw.family ? &ri.gw : dst;
	watch_add(ctx, ri.oif, nb);
	err = get_neigh(ctx, nb, ri.oif, &ni);
	if (err && err != -ENOENT)
		return err;
	if (!err && ni.got && ni.mac_ok && (ni.state & NH_NUD_VALID)) {
		memcpy(out->dmac, ni.mac, 6);
		out->state = NH_RESOLVED;
		if (ni.state & NUD_STALE)
			trigger_neigh(ctx, nb, ri.oif);	/* best effort re-confirmation */
		return 0;
	}
	err = trigger_neigh(ctx, nb, ri.oif);
	if (err)
		log_debug("nexthop: cannot ask the kernel to resolve a neighbour on %s: %s",
			  li.name, strerror(-err));
	out->state = NH_INCOMPLETE;
	return 0;
}

/* ---- change monitor ---- */

static bool neigh_watched(const struct nexthop_ctx *ctx, const struct nlmsghdr *nlh)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct xlb_addr addr = { 0 };

	if (ctx->watch_all)
		return true;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ndm)))
		return false;
	mnl_attr_for_each(a, nlh, sizeof(*ndm))
		if (mnl_attr_get_type(a) == NDA_DST)
			addr_from(&addr, ndm->ndm_family, mnl_attr_get_payload(a),
				  mnl_attr_get_payload_len(a));
	if (!addr.family)
		return false;
	for (size_t i = 0; i < ctx->n_watch; i++)
		if (ctx->watch[i].ifindex == (uint32_t)ndm->ndm_ifindex &&
		    addr_equal(&ctx->watch[i].addr, &addr))
			return true;
	return false;
}

static bool event_counts(const struct nexthop_ctx *ctx, const struct nlmsghdr *nlh)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK: case RTM_DELLINK:
	case RTM_NEWADDR: case RTM_DELADDR:
	case RTM_NEWROUTE: case RTM_DELROUTE:
		return true;
	case RTM_NEWNEIGH: case RTM_DELNEIGH:
		return neigh_watched(ctx, nlh);
	}
	return false;
}

static void schedule_changed(struct nexthop_ctx *ctx)
{
	struct timeval tv = { 0, NH_DEBOUNCE_MS * 1000 };

	/* not re-armed per event: a steady stream still gets a callback every 50 ms */
	if (!evtimer_pending(ctx->debounce_ev, NULL))
		evtimer_add(ctx->debounce_ev, &tv);
}

static void on_monitor(evutil_socket_t fd, short what, void *arg)
{
	struct nexthop_ctx *ctx = arg;
	bool relevant = false;

	for (;;) {
		ssize_t n = recv(fd, ctx->buf, sizeof(ctx->buf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh;
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {	/* overrun: events lost, so assume a change */
				relevant = true;
				continue;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("nexthop: netlink monitor: %s", strerror(errno));
			break;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)ctx->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len))
			relevant |= event_counts(ctx, nlh);
	}
	if (relevant)
		schedule_changed(ctx);
}

static void on_debounce(evutil_socket_t fd, short what, void *arg)
{
	struct nexthop_ctx *ctx = arg;

	if (ctx->changed)
		ctx->changed(ctx->arg);
}

static void on_refresh(evutil_socket_t fd, short what, void *arg)
{
	schedule_changed(arg);
}

static struct mnl_socket *open_socket(unsigned int groups)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;

		mnl_socket_close(nl);
		errno = err;
		return NULL;
	}
	return nl;
}

struct nexthop_ctx *nexthop_open(struct event_base *base, nexthop_changed_fn changed, void *arg)
{
	const unsigned int groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR |
				    RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
	struct timeval timeout = { NH_RECV_TIMEOUT_MS / 1000, (NH_RECV_TIMEOUT_MS % 1000) * 1000 };
	struct timeval refresh = { NH_REFRESH_SEC, 0 };
	struct nexthop_ctx *ctx = calloc(1, sizeof(*ctx));
	int rcvbuf = NH_MON_RCVBUF, fd;

	if (!ctx)
		return NULL;
	ctx->changed = changed;
	ctx->arg = arg;
	ctx->req = open_socket(0);
	if (!ctx->req)
		goto err_close;
	ctx->portid = mnl_socket_get_portid(ctx->req);
	setsockopt(mnl_socket_get_fd(ctx->req), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	if (!base)
		return ctx;	/* resolve only, no change events */

	ctx->mon = open_socket(groups);
	if (!ctx->mon)
		goto err_close;
	fd = mnl_socket_get_fd(ctx->mon);
	/* FORCE works as root past rmem_max; the plain one is the fallback */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	ctx->mon_ev = event_new(base, fd, EV_READ | EV_PERSIST, on_monitor, ctx);
	ctx->debounce_ev = evtimer_new(base, on_debounce, ctx);
	ctx->refresh_ev = event_new(base, -1, EV_PERSIST, on_refresh, ctx);
	if (!ctx->mon_ev || !ctx->debounce_ev || !ctx->refresh_ev ||
	    event_add(ctx->mon_ev, NULL) < 0 || event_add(ctx->refresh_ev, &refresh) < 0) {
		errno = ENOMEM;
		goto err_close;
	}
	return ctx;

err_close:
	{
		int err = errno;

		nexthop_close(ctx);
		errno = err;
	}
	return NULL;
}

void nexthop_close(struct nexthop_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->mon_ev)
		event_free(ctx->mon_ev);
	if (ctx->debounce_ev)
		event_free(ctx->debounce_ev);
	if (ctx->refresh_ev)
		event_free(ctx->refresh_ev);
	if (ctx->mon)
		mnl_socket_close(ctx->mon);
	if (ctx->req)
		mnl_socket_close(ctx->req);
	free(ctx->watch);
	free(ctx);
}

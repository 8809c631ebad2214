/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * health.h - backend health checking inside xlbd's event loop
 * (non-blocking sockets, libevent timers, monotonic clock).
 *
 * One target per (VIP, backend) with its effective spec (VIP defaults +
 * backend overrides). HAProxy semantics: `rise` consecutive successes make a
 * target up, `fall` consecutive failures make it down. A new target starts
 * HC_STATE_UNKNOWN, which the daemon treats as in service (so a restart or
 * a new backend serves at once); type none is always up. First checks are
 * spread over the interval. The change callback fires once per state change
 * (and the module logs one line: backend, old -> new, reason).
 *
 * Tunnel checks (spec.tunnel): the probe connects to the VIP address with
 * SO_MARK = XLB_HC_MARK(backend_id); the tc program bpf/healthcheck.bpf.c
 * encapsulates marked packets to that backend like data, so only a backend
 * that really serves the VIP (VIP on lo + decap) passes.
 * Returns 0 or -errno.
 */
#ifndef XLB_HEALTH_H
#define XLB_HEALTH_H

#include <stddef.h>
#include <stdint.h>
#include <event2/event.h>
#include "model.h"

enum hc_result {
	HC_OK = 0,
	HC_CONNECT_REFUSED,
	HC_CONNECT_TIMEOUT,
	HC_READ_TIMEOUT,
	HC_BAD_STATUS,		/* http: status not in the accepted list */
	HC_BAD_REPLY,		/* http: unparsable; udp: reply does not match */
	HC_RESET,		/* connection reset / closed early */
	HC_UNREACHABLE,		/* ICMP unreachable, no route */
	HC_SOCKET_ERROR,	/* local error creating/sending (fd limit, ...) */
	HC__COUNT
};
const char *hc_result_str(enum hc_result r);

enum hc_state { HC_STATE_UNKNOWN = 0, HC_STATE_UP, HC_STATE_DOWN };
const char *hc_state_str(enum hc_state s);

struct hc_target_key {
	struct xlb_vip_id vip;
	struct xlb_addr backend;
};

struct hc_status {
	enum hc_state state;
	enum hc_result last_result;
	uint64_t since_ns;		/* CLOCK_MONOTONIC of the last state change */
	uint32_t consecutive;		/* successes (up/unknown) or failures (down) in a row */
	double last_duration_sec;
	uint64_t results[HC__COUNT];	/* checks by result since the target was added */
};

typedef void (*hc_change_fn)(void *arg, const struct hc_target_key *key,
			     enum hc_state old_state, enum hc_state new_state, enum hc_result why);

struct hc_ctx;
struct hc_ctx *hc_open(struct event_base *base, hc_change_fn changed, void *arg);
void hc_close(struct hc_ctx *ctx);

/* Add a target or update its spec (state kept when only timings change). */
int hc_set_target(struct hc_ctx *ctx, const struct hc_target_key *key,
		  const struct xlb_health_spec *effective, uint32_t backend_id);
int hc_del_target(struct hc_ctx *ctx, const struct hc_target_key *key);
int hc_get_status(const struct hc_ctx *ctx, const struct hc_target_key *key, struct hc_status *out);

/* Visit every target (metrics). */
typedef void (*hc_visit_fn)(void *arg, const struct hc_target_key *key,
			    const struct xlb_health_spec *spec, const struct hc_status *st);
void hc_foreach(const struct hc_ctx *ctx, hc_visit_fn fn, void *arg);

/* Histogram of check durations (seconds), cumulative per bucket, for metrics. */
#define HC_HIST_BUCKETS 10
extern const double hc_hist_bounds[HC_HIST_BUCKETS];
void hc_histogram(const struct hc_ctx *ctx, uint64_t counts[HC_HIST_BUCKETS],
		  uint64_t *total, double *sum);

/* ---- additions (health.c) ---- */
/* Delay of a target's first check: hash(key) % interval_ms, so checks spread evenly. */
uint32_t hc_first_delay_ms(const struct hc_target_key *key, uint32_t interval_ms);
/* Key as text: vip "198.19.0.10:80/tcp", backend "198.18.1.11" (xlb_vip_id_format /
 * xlb_addr_format forms; metrics labels). */
void hc_key_format(const struct hc_target_key *key, char *vip, size_t viplen, char *be, size_t belen);
/* Number of targets. */
size_t hc_count(const struct hc_ctx *ctx);

/*
 * Tunnel checks (health_tunnel.c): load bpf/healthcheck.bpf.c sharing the
 * balancer's `backends` map and attach it at tc egress of ifname. Call once
 * per balancer interface (the first call loads the program); hc_close
 * detaches everything. The kernel must route the VIP out of one of those
 * interfaces (a default route does); the probe's source is the address the
 * route picks, and the backend's reply (from the VIP) must reach it.
 */
int hc_tunnel_attach(struct hc_ctx *ctx, int backends_map_fd, const char *ifname);
/* Probes encapsulated / dropped for want of a backend / not IP / failed
 * (bpf/lib/hc_tunnel.h enum xlb_hc_tc); -ENOENT when not attached. */
#define HC_TUNNEL_STATS 4
int hc_tunnel_stats(const struct hc_ctx *ctx, uint64_t out[HC_TUNNEL_STATS]);

#endif /* XLB_HEALTH_H */

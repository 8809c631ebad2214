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

#endif /* XLB_HEALTH_H */

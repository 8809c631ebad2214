/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * metrics.h - Prometheus exposition (text format 0.0.4) of xlbd's state:
 * GET /metrics over HTTP (libevent evhttp) on a TCP address, default
 * 127.0.0.1:9464.
 *
 * The daemon describes what there is through struct metrics_source: a set
 * of callbacks called during one render, from the event loop, so they may
 * read the daemon's state and the BPF maps directly. Every callback may be
 * NULL (its metrics are then left out). Labels are only VIP and backend
 * (never per flow); counters end in _total; units are base units.
 *
 * Metric names (a contract; README and dashboards use them):
 *   xlb_up, xlb_build_info{version}
 *   xlb_vip_packets_total, xlb_vip_bytes_total, xlb_vip_new_flows_total {vip}
 *   xlb_vip_table_info{vip,fingerprint} 1
 *   xlb_backend_packets_total, xlb_backend_bytes_total, xlb_backend_new_flows_total,
 *   xlb_backend_up, xlb_backend_weight, xlb_backend_slots, xlb_backend_pinned_flows,
 *   xlb_backend_nexthop_resolved {vip,backend}
 *   xlb_datapath_packets_total{reason}, xlb_datapath_events_total{event}
 *   xlb_conn_table_entries, xlb_conn_table_max_entries
 *   xlb_health_checks_total{vip,backend,result}, xlb_health_check_duration_seconds (histogram)
 *   xlb_health_targets{state}
 *
 * Functions return 0 or -errno.
 */
#ifndef XLB_METRICS_H
#define XLB_METRICS_H

#include <stdint.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include "xlb_reasons.h"
#include "xlb_types.h"
#include "health.h"

#define XLB_METRICS_DEFAULT_ADDR "127.0.0.1:9464"

struct metrics_vip {
	const char *vip;		/* "198.19.0.10:80/tcp" (xlb_vip_id_format) */
	uint64_t fingerprint;		/* Maglev table fingerprint (rendered %016llx) */
	uint64_t packets, bytes, new_flows;
};

struct metrics_backend {
	const char *vip;
	const char *backend;		/* "198.18.1.11" (xlb_addr_format) */
	uint64_t packets, bytes, new_flows;
	int up;				/* 1 in service (health up or unknown), 0 down */
	uint32_t weight;		/* 0 = draining */
	uint32_t slots;			/* Maglev slots it holds */
	uint64_t pinned_flows;		/* conn-table entries pointing at it; METRICS_UNKNOWN: left out */
	int nexthop_resolved;		/* 1 resolved, 0 not, -1 unknown (left out) */
};

#define METRICS_UNKNOWN UINT64_MAX

typedef void (*metrics_vip_fn)(void *cookie, const struct metrics_vip *v);
typedef void (*metrics_backend_fn)(void *cookie, const struct metrics_backend *b);

struct metrics_source {
	/* Call emit once per VIP / per backend (the strings are copied at once). */
	void (*foreach_vip)(void *arg, metrics_vip_fn emit, void *cookie);
	void (*foreach_backend)(void *arg, metrics_backend_fn emit, void *cookie);
	/* Summed per-CPU datapath counters; return 0 or -errno (then left out). */
	int (*datapath)(void *arg, uint64_t reasons[XLB_R__COUNT], uint64_t events[XLB_E__COUNT]);
	int (*conn_table)(void *arg, uint64_t *entries, uint64_t *max_entries);
	/* The health checker, for per-target results and the duration histogram. */
	const struct hc_ctx *(*health)(void *arg);
	const char *version;		/* xlb_build_info{version}; NULL = "unknown" */
};

/* Render everything into out. Pure: no I/O besides the callbacks. */
int metrics_render(struct evbuffer *out, const struct metrics_source *src, void *arg);

/*
 * Serve GET /metrics (and HEAD) on addr_port: "127.0.0.1:9464", "[::1]:9464",
 * "0.0.0.0:9464", ":9464" (all IPv4), or NULL for the default. src is copied;
 * arg must stay valid until metrics_stop. One server per process.
 * -EINVAL bad address text, -EADDRINUSE / -errno bind failure, -EALREADY.
 */
int metrics_start(struct event_base *base, const char *addr_port, const struct metrics_source *src,
		  void *arg);
void metrics_stop(void);

/* Parse "host:port" / "[v6]:port" / ":port"; host buffer >= 64 bytes. */
int metrics_parse_addr(const char *addr_port, char *host, size_t hostlen, uint16_t *port);

#endif /* XLB_METRICS_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * health_probe.h - the interface between the health scheduler (health.c)
 * and the check types (health_tcp.c, health_http.c, health_udp.c), with the
 * socket plumbing they share (health_probe.c). Internal to xlbd.
 *
 * One struct hc_probe lives in each target and is reused for every check.
 * The scheduler fills the "set by the scheduler" part and calls the type's
 * start function, which returns HC_PENDING (the probe finishes later, from
 * the event loop, by calling hc_probe_finish) or a final enum hc_result (the
 * probe is already closed). hc_probe_finish closes the socket and calls
 * p->done exactly once per started check; hc_probe_abort closes without
 * calling it (target deleted or respecified).
 *
 * Every wait is bounded by p->deadline_ns (start + timeout): a timeout while
 * connecting is HC_CONNECT_TIMEOUT, later HC_READ_TIMEOUT.
 */
#ifndef XLB_HEALTH_PROBE_H
#define XLB_HEALTH_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <event2/event.h>
#include "health.h"

#define HC_PENDING	(-1)
#define HC_HTTP_HEAD_MAX 512	/* bytes of the reply kept: enough for any sane status line */

enum hc_phase {
	HC_PHASE_IDLE = 0,
	HC_PHASE_CONNECTING,	/* TCP handshake in progress */
	HC_PHASE_SENDING,	/* http: request being written */
	HC_PHASE_READING,	/* waiting for the reply */
};

struct hc_probe;
typedef void (*hc_probe_done_fn)(struct hc_probe *p, enum hc_result r);

struct hc_probe {
	/* set by the scheduler */
	struct event_base *base;
	struct event *io;		/* allocated once per target, re-assigned per check */
	const struct xlb_health_spec *spec;
	struct sockaddr_storage dst;	/* where the probe connects (backend, or VIP for tunnel) */
	socklen_t dst_len;
	uint32_t mark;			/* SO_MARK; 0 = none */
	char host[XLB_HC_HOST_LEN + 8];	/* http Host header value */
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC */
	hc_probe_done_fn done;
	/* owned by the check type while a check runs */
	int fd;
	enum hc_phase phase;
	size_t off;			/* bytes sent (request) or kept (reply head) */
	char head[HC_HTTP_HEAD_MAX];
};

/* ---- check types: return HC_PENDING or a final enum hc_result ---- */
int hc_tcp_start(struct hc_probe *p);
int hc_http_start(struct hc_probe *p);
int hc_udp_start(struct hc_probe *p);

/*
 * Parse an HTTP/1.x status line at the start of buf[0..len):
 * HTTP-version SP 3DIGIT SP reason CRLF (bare LF accepted, reason may be empty).
 * Returns 1 and *code when complete, 0 when more bytes are needed, -EBADMSG
 * when the bytes cannot be an HTTP/1.x status line.
 */
int hc_http_parse_status(const char *buf, size_t len, int *code);

/* ---- shared plumbing (health_probe.c) ---- */
uint64_t hc_now_ns(void);
/* Non-blocking socket of type (SOCK_STREAM/SOCK_DGRAM) with SO_MARK, connect()
 * issued. Returns 0 (connected), HC_PENDING (in progress) or a result. */
int hc_probe_connect(struct hc_probe *p, int type);
/* Arm p->io for `what` (EV_READ/EV_WRITE) until the deadline. Returns
 * HC_PENDING, or HC_SOCKET_ERROR / a timeout result when it cannot wait. */
int hc_probe_wait(struct hc_probe *p, short what, event_callback_fn cb);
/* Timeout result for the probe's phase. */
enum hc_result hc_probe_timeout_result(const struct hc_probe *p);
/* errno of a failed connect/send/recv -> result. */
enum hc_result hc_errno_result(int err, bool connecting);
/* Close (abortive for TCP: no TIME_WAIT pile-up at 10k checks/s). */
void hc_probe_close(struct hc_probe *p);
void hc_probe_finish(struct hc_probe *p, enum hc_result r);
void hc_probe_abort(struct hc_probe *p);

/* ---- tunnel program (health_tunnel.c), owned by the hc_ctx ---- */
struct hc_tunnel;
struct hc_tunnel **hc_ctx_tunnel(struct hc_ctx *ctx);
void hc_tunnel_free(struct hc_tunnel *t);

#endif /* XLB_HEALTH_PROBE_H */

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * health_probe.c - socket plumbing every check type shares: open a
 * non-blocking (optionally marked) socket and connect, wait on it with the
 * check's deadline, map errno to a result, close. See health_probe.h.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include "health_probe.h"

uint64_t hc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

enum hc_result hc_errno_result(int err, bool connecting)
{
	switch (err) {
	case ECONNREFUSED:
		/* TCP: RST to our SYN. UDP: ICMP port unreachable (connected socket). */
		return connecting ? HC_CONNECT_REFUSED : HC_UNREACHABLE;
	case ECONNRESET:
	case EPIPE:
	case ECONNABORTED:
		return HC_RESET;
	case ETIMEDOUT:
		return connecting ? HC_CONNECT_TIMEOUT : HC_READ_TIMEOUT;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
	case EADDRNOTAVAIL:
	case EPROTO:
		return HC_UNREACHABLE;
	default:
		return HC_SOCKET_ERROR;
	}
}

enum hc_result hc_probe_timeout_result(const struct hc_probe *p)
{
	return p->phase == HC_PHASE_CONNECTING ? HC_CONNECT_TIMEOUT : HC_READ_TIMEOUT;
}

int hc_probe_connect(struct hc_probe *p, int type)
{
	int fd;

	fd = socket(p->dst.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return HC_SOCKET_ERROR;	/* fd limit, no memory */
	p->fd = fd;
	if (p->mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &p->mark, sizeof(p->mark)) < 0)
		return HC_SOCKET_ERROR;
	p->phase = type == SOCK_STREAM ? HC_PHASE_CONNECTING : HC_PHASE_SENDING;
	if (connect(fd, (const struct sockaddr *)&p->dst, p->dst_len) == 0)
		return 0;
	if (errno == EINPROGRESS)
		return HC_PENDING;
	return hc_errno_result(errno, type == SOCK_STREAM);
}

int hc_probe_wait(struct hc_probe *p, short what, event_callback_fn cb)
{
	uint64_t now = hc_now_ns();
	struct timeval tv;

	if (now >= p->deadline_ns)
		return hc_probe_timeout_result(p);
	tv.tv_sec = (p->deadline_ns - now) / 1000000000ull;
	tv.tv_usec = ((p->deadline_ns - now) % 1000000000ull) / 1000;
	if (event_assign(p->io, p->base, p->fd, what, cb, p) < 0 || event_add(p->io, &tv) < 0)
		return HC_SOCKET_ERROR;
	return HC_PENDING;
}

void hc_probe_close(struct hc_probe *p)
{
	if (p->fd < 0)
		return;
	if (event_initialized(p->io))
		event_del(p->io);
	if (p->phase != HC_PHASE_IDLE && p->spec->type != XLB_HC_UDP) {
		/* RST instead of FIN: the checker keeps no TIME_WAIT sockets */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(p->fd);
	p->fd = -1;
	p->phase = HC_PHASE_IDLE;
	p->off = 0;
}

void hc_probe_finish(struct hc_probe *p, enum hc_result r)
{
	hc_probe_close(p);
	p->done(p, r);
}

void hc_probe_abort(struct hc_probe *p)
{
	hc_probe_close(p);
}

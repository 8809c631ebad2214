// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * health_udp.c - the UDP request/reply check (DNS-style): send the spec's
 * payload on a connected UDP socket and wait for one reply, which must start
 * with the spec's expect bytes (any reply when expect_len is 0).
 *
 * A connected socket receives the ICMP errors about its peer, so "port
 * unreachable" is reported at once as HC_UNREACHABLE instead of waiting for
 * the timeout. A reply that does not match is HC_BAD_REPLY, none
 * HC_READ_TIMEOUT.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "health_probe.h"

static int udp_read(struct hc_probe *p);

static void udp_on_io(evutil_socket_t fd, short what, void *arg)
{
	struct hc_probe *p = arg;
	int r;

	if (what & EV_TIMEOUT) {
		hc_probe_finish(p, HC_READ_TIMEOUT);
		return;
	}
	r = udp_read(p);
	if (r != HC_PENDING)
		hc_probe_finish(p, (enum hc_result)r);
}

static int udp_read(struct hc_probe *p)
{
	const struct xlb_health_spec *s = p->spec;
	uint8_t buf[XLB_HC_PAYLOAD_LEN];
	size_t want = s->expect_len < sizeof(buf) ? s->expect_len : sizeof(buf);
	ssize_t n;

	for (;;) {
		/* MSG_TRUNC: a reply longer than buf is still one reply, only its start matters */
		n = recv(p->fd, buf, sizeof(buf), MSG_TRUNC);
		if (n >= 0)
			break;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return hc_probe_wait(p, EV_READ, udp_on_io);
		if (errno != EINTR)
			return hc_errno_result(errno, false);
	}
	if ((size_t)n < want || memcmp(buf, s->expect, want) != 0)
		return HC_BAD_REPLY;
	return HC_OK;
}

int hc_udp_start(struct hc_probe *p)
{
	const struct xlb_health_spec *s = p->spec;
	size_t len = s->payload_len < XLB_HC_PAYLOAD_LEN ? s->payload_len : XLB_HC_PAYLOAD_LEN;
	int r = hc_probe_connect(p, SOCK_DGRAM);

	if (r != 0)
		return r == HC_PENDING ? HC_SOCKET_ERROR : r;	/* UDP connect never pends */
	if (send(p->fd, s->payload, len, MSG_NOSIGNAL) < 0)
		return hc_errno_result(errno, false);
	p->phase = HC_PHASE_READING;
	return udp_read(p);
}

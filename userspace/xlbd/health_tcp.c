// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * health_tcp.c - the TCP check: a non-blocking connect() that completes
 * within the timeout is a success. Refused (RST), unreachable (ICMP / no
 * route) and timed out are told apart; see health_probe.h for the contract.
 */
#include <errno.h>
#include <sys/socket.h>
#include "health_probe.h"

/* SO_ERROR of a socket whose non-blocking connect has finished. */
static enum hc_result connect_outcome(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return HC_SOCKET_ERROR;
	return err ? hc_errno_result(err, true) : HC_OK;
}

static void tcp_on_io(evutil_socket_t fd, short what, void *arg)
{
	struct hc_probe *p = arg;

	if (what & EV_TIMEOUT) {
		hc_probe_finish(p, HC_CONNECT_TIMEOUT);
		return;
	}
	/*
	 * Writable and not readable: connected (a failed connect raises
	 * EPOLLERR|EPOLLHUP, which libevent reports as read and write). Saves a
	 * getsockopt per check; readable (error, or a server banner) asks SO_ERROR.
	 */
	if (!(what & EV_READ)) {
		hc_probe_finish(p, HC_OK);
		return;
	}
	hc_probe_finish(p, connect_outcome(fd));
}

int hc_tcp_start(struct hc_probe *p)
{
	int r = hc_probe_connect(p, SOCK_STREAM);

	if (r == 0)
		return HC_OK;	/* loopback can connect at once */
	if (r != HC_PENDING)
		return r;
	return hc_probe_wait(p, EV_READ | EV_WRITE, tcp_on_io);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * health_http.c - the HTTP check: connect, send "GET path HTTP/1.1" with a
 * Host header, read until the status line is complete, and accept it when
 * the status code is in the spec's list (default 200). Only the status line
 * is read: the connection is then reset, so a large body costs nothing.
 *
 * Results: HC_CONNECT_* / HC_UNREACHABLE while connecting, HC_READ_TIMEOUT
 * when the status line is not complete by the deadline, HC_RESET when the
 * server closes or resets before sending anything, HC_BAD_REPLY for bytes
 * that are not an HTTP/1.x status line, HC_BAD_STATUS for a code not listed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "health_probe.h"

static const char http_prefix[] = "HTTP/";

int hc_http_parse_status(const char *buf, size_t len, int *code)
{
	const size_t plen = sizeof(http_prefix) - 1;	/* "HTTP/" */
	size_t i, n;
	int c;

	/* "HTTP/" then DIGIT "." DIGIT: check what is there so far */
	for (i = 0; i < len && i < plen; i++)
		if (buf[i] != http_prefix[i])
			return -EBADMSG;
	if (len <= plen)
		return 0;
	if (buf[plen] != '1')		/* HTTP/1.x only: a check speaks HTTP/1.1 */
		return -EBADMSG;
	if (len <= plen + 1)
		return 0;
	if (buf[plen + 1] != '.')
		return -EBADMSG;
	if (len <= plen + 2)
		return 0;
	if (!isdigit((unsigned char)buf[plen + 2]))
		return -EBADMSG;
	i = plen + 3;			/* after "HTTP/1.x" */
	if (len <= i)
		return 0;
	if (buf[i] != ' ')
		return -EBADMSG;
	i++;
	/* 3DIGIT, the first 1..5 */
	for (n = 0, c = 0; n < 3; n++, i++) {
		if (len <= i)
			return 0;
		if (!isdigit((unsigned char)buf[i]) || (n == 0 && (buf[i] < '1' || buf[i] > '5')))
			return -EBADMSG;
		c = c * 10 + (buf[i] - '0');
	}
	/* then SP reason CRLF, or (lenient, as RFC 9112 allows) CRLF / LF at once */
	if (len <= i)
		return 0;
	if (buf[i] != ' ' && buf[i] != '\r' && buf[i] != '\n')
		return -EBADMSG;
	for (; i < len; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch == '\n') {
			*code = c;
			return 1;
		}
		if (ch == '\r') {
			if (i + 1 >= len)
				return 0;
			if (buf[i + 1] != '\n')
				return -EBADMSG;
			*code = c;
			return 1;
		}
		/* reason-phrase = *( HTAB / SP / VCHAR / obs-text ) */
		if (ch != '\t' && (ch < 0x20 || ch == 0x7f))
			return -EBADMSG;
	}
	return 0;
}

static bool status_accepted(const struct xlb_health_spec *spec, int code)
{
	if (spec->n_status == 0)
		return code == 200;
	for (uint8_t i = 0; i < spec->n_status && i < XLB_HC_MAX_STATUS; i++)
		if (spec->status[i] == code)
			return true;
	return false;
}

static int request_text(const struct hc_probe *p, char *buf, size_t len)
{
	const char *path = p->spec->path[0] ? p->spec->path : "/";
	int n;

	n = snprintf(buf, len,
		     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: xlb-health/1\r\n"
		     "Accept: */*\r\nConnection: close\r\n\r\n", path, p->host);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

static void http_on_io(evutil_socket_t fd, short what, void *arg);

/* Read what is there; finish, or wait for more. */
static int http_read(struct hc_probe *p)
{
	int code, r;
	ssize_t n;

	for (;;) {
		n = recv(p->fd, p->head + p->off, sizeof(p->head) - p->off, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return hc_probe_wait(p, EV_READ, http_on_io);
			if (errno == EINTR)
				continue;
			return hc_errno_result(errno, false);
		}
		if (n == 0)	/* closed: before any byte is "closed early", later a cut reply */
			return p->off == 0 ? HC_RESET : HC_BAD_REPLY;
		p->off += (size_t)n;
		r = hc_http_parse_status(p->head, p->off, &code);
		if (r < 0)
			return HC_BAD_REPLY;
		if (r > 0)
			return status_accepted(p->spec, code) ? HC_OK : HC_BAD_STATUS;
		if (p->off == sizeof(p->head))
			return HC_BAD_REPLY;	/* no line end in HC_HTTP_HEAD_MAX bytes */
	}
}

/* Send the (rest of the) request, then read. */
static int http_send(struct hc_probe *p)
{
	char req[XLB_HC_PATH_LEN + XLB_HC_HOST_LEN + 160];
	int len = request_text(p, req, sizeof(req));
	ssize_t n;

	if (len < 0)
		return HC_SOCKET_ERROR;
	p->phase = HC_PHASE_SENDING;
	while (p->off < (size_t)len) {
		n = send(p->fd, req + p->off, (size_t)len - p->off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return hc_probe_wait(p, EV_WRITE, http_on_io);
			if (errno == EINTR)
				continue;
			return hc_errno_result(errno, false);
		}
		p->off += (size_t)n;
	}
	p->phase = HC_PHASE_READING;
	p->off = 0;
	return http_read(p);
}

static void http_on_io(evutil_socket_t fd, short what, void *arg)
{
	struct hc_probe *p = arg;
	int err = 0, r;
	socklen_t len = sizeof(err);

	if (what & EV_TIMEOUT) {
		hc_probe_finish(p, hc_probe_timeout_result(p));
		return;
	}
	switch (p->phase) {
	case HC_PHASE_CONNECTING:
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			r = HC_SOCKET_ERROR;
		else if (err)
			r = hc_errno_result(err, true);
		else
			r = http_send(p);
		break;
	case HC_PHASE_SENDING:
		r = http_send(p);
		break;
	case HC_PHASE_READING:
		r = http_read(p);
		break;
	case HC_PHASE_IDLE:
	default:
		r = HC_SOCKET_ERROR;
		break;
	}
	if (r != HC_PENDING)
		hc_probe_finish(p, (enum hc_result)r);
}

int hc_http_start(struct hc_probe *p)
{
	int r = hc_probe_connect(p, SOCK_STREAM);

	if (r == 0)
		return http_send(p);
	if (r != HC_PENDING)
		return r;
	return hc_probe_wait(p, EV_WRITE, http_on_io);
}

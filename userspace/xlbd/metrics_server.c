// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * metrics_server.c - the /metrics HTTP endpoint (libevent evhttp) over
 * metrics_render(). Contract: metrics.h. The listening socket is made here
 * (so a bind error is a real errno, and an IPv6 address listens on IPv6
 * only) and handed to evhttp. Anything but GET/HEAD /metrics gets an error
 * reply; a failed render is a 500, never a crash.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include "metrics.h"
#include "log.h"

static struct {
	struct evhttp *http;
	struct metrics_source src;
	void *arg;
} srv;

int metrics_parse_addr(const char *s, char *host, size_t hostlen, uint16_t *port)
{
	const char *colon, *h = s;
	size_t hl;
	char *end;
	unsigned long p;

	if (!s || !*s)
		return -EINVAL;
	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -EINVAL;
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return -EINVAL;	/* IPv6 needs brackets */
		hl = (size_t)(colon - s);
	}
	if (hl == 0) {
		h = "0.0.0.0";
		hl = strlen(h);
	}
	if (hl >= hostlen)
		return -EINVAL;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p == 0 || p > 65535)
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (uint16_t)p;
	return 0;
}

static int listen_on(const char *host, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1, err;

	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		len = sizeof(*s6);
	} else {
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static void on_metrics(struct evhttp_request *req, void *unused)
{
	struct evbuffer *body = evbuffer_new();
	int err;

	if (!body) {
		evhttp_send_error(req, HTTP_INTERNAL, "out of memory");
		return;
	}
	err = metrics_render(body, &srv.src, srv.arg);
	if (err < 0) {
		log_warn("metrics: render failed: %s", strerror(-err));
		evhttp_send_error(req, HTTP_INTERNAL, "render failed");
		evbuffer_free(body);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", body);
	evbuffer_free(body);
}

static void on_other(struct evhttp_request *req, void *unused)
{
	const char *uri = evhttp_request_get_uri(req);

	if (uri && strcmp(uri, "/") == 0) {
		struct evbuffer *b = evbuffer_new();

		if (b) {
			evbuffer_add_printf(b, "xlbd: metrics at /metrics\n");
			evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
			evhttp_send_reply(req, HTTP_OK, "OK", b);
			evbuffer_free(b);
			return;
		}
	}
	evhttp_send_error(req, HTTP_NOTFOUND, "only /metrics here");
}

int metrics_start(struct event_base *base, const char *addr_port, const struct metrics_source *src,
		  void *arg)
{
	char host[64];
	uint16_t port;
	int fd, err;

	if (!base || !src)
		return -EINVAL;
	if (srv.http)
		return -EALREADY;
	if (!addr_port)
		addr_port = XLB_METRICS_DEFAULT_ADDR;
	err = metrics_parse_addr(addr_port, host, sizeof(host), &port);
	if (err < 0) {
		log_error("metrics: bad listen address '%s' (want ADDR:PORT or [V6]:PORT)", addr_port);
		return err;
	}
	fd = listen_on(host, port);
	if (fd < 0) {
		log_error("metrics: cannot listen on %s: %s", addr_port, strerror(-fd));
		return fd;
	}
	srv.http = evhttp_new(base);
	if (!srv.http || !evhttp_accept_socket_with_handle(srv.http, fd)) {
		if (srv.http)
			evhttp_free(srv.http);
		srv.http = NULL;
		close(fd);
		return -ENOMEM;
	}
	evhttp_set_allowed_methods(srv.http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_timeout(srv.http, 10);
	evhttp_set_max_headers_size(srv.http, 8192);
	evhttp_set_max_body_size(srv.http, 0);
	evhttp_set_cb(srv.http, "/metrics", on_metrics, NULL);
	evhttp_set_gencb(srv.http, on_other, NULL);
	srv.src = *src;
	srv.arg = arg;
	log_info("metrics: serving http://%s/metrics", addr_port);
	return 0;
}

void metrics_stop(void)
{
	if (srv.http)
		evhttp_free(srv.http);	/* closes the bound socket too */
	memset(&srv, 0, sizeof(srv));
}

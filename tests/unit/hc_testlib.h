/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hc_testlib.h - helpers for the health-check tests (test_health*.c): a
 * private network namespace, real loopback servers on the test's libevent
 * loop (TCP accept/close, HTTP with canned replies, UDP echo/mismatch/
 * silent/alternating), a recorder of state changes, and a loop runner with
 * a deadline. Header-only (static functions): each test binary is one file.
 */
#ifndef XLB_TEST_HC_TESTLIB_H
#define XLB_TEST_HC_TESTLIB_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <event2/event.h>
#include "../../userspace/xlbd/health.h"
#include "../../userspace/xlbd/health_probe.h"

/* ---- namespace: tests never touch the host's network ---- */

/* Enter a fresh network namespace and bring its lo up (127.0.0.1 and ::1). */
static inline int hct_private_netns(void)
{
	struct ifreq ifr = { 0 };
	int fd;

	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
		close(fd);
		return -errno;
	}
	close(fd);
	usleep(50000);	/* ::1 needs a moment after lo comes up */
	return 0;
}

static inline double hct_now(void)
{
	return (double)hc_now_ns() / 1e9;
}

/* ---- loop runner ---- */

static inline void hct_expire_cb(evutil_socket_t fd, short what, void *arg)
{
	*(bool *)arg = true;
}

/* Run the loop until cond(arg) is true or max_ms passed; returns cond's value. */
static inline bool hct_run_until(struct event_base *base, bool (*cond)(void *), void *arg, int max_ms)
{
	bool expired = false;
	struct timeval tv = { max_ms / 1000, (max_ms % 1000) * 1000 };
	struct event *ev = evtimer_new(base, hct_expire_cb, &expired);

	evtimer_add(ev, &tv);
	while (!(cond && cond(arg)) && !expired)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(ev);
	return cond ? cond(arg) : true;
}

static inline void hct_run_for(struct event_base *base, int ms)
{
	hct_run_until(base, NULL, NULL, ms);
}

/* ---- addresses and keys ---- */

static inline struct xlb_addr hct_addr(const char *text)
{
	struct xlb_addr a = { 0 };

	if (inet_pton(AF_INET, text, a.addr) == 1)
		a.family = XLB_AF_INET;
	else if (inet_pton(AF_INET6, text, a.addr) == 1)
		a.family = XLB_AF_INET6;
	return a;
}

static inline struct hc_target_key hct_key(const char *vip, uint16_t vport, uint8_t proto, const char *backend)
{
	struct hc_target_key k;

	memset(&k, 0, sizeof(k));
	k.vip.addr = hct_addr(vip);
	k.vip.port = vport;
	k.vip.proto = proto;
	k.backend = hct_addr(backend);
	return k;
}

/* A spec with the given type and port, fast timings for tests. */
static inline struct xlb_health_spec hct_spec(enum xlb_hc_type type, uint16_t port, uint32_t interval_ms,
				       uint32_t timeout_ms, uint8_t rise, uint8_t fall)
{
	struct xlb_health_spec s;

	memset(&s, 0, sizeof(s));
	s.type = type;
	s.port = port;
	s.interval_ms = interval_ms;
	s.timeout_ms = timeout_ms;
	s.rise = rise;
	s.fall = fall;
	return s;
}

/* ---- change recorder ---- */

#define HCT_MAX_CHANGES 64
struct hct_change {
	struct hc_target_key key;
	enum hc_state old_state, new_state;
	enum hc_result why;
	double t;
};
struct hct_changes {
	struct hct_change c[HCT_MAX_CHANGES];
	int n;
};

static inline void hct_record_change(void *arg, const struct hc_target_key *key, enum hc_state old_state,
			      enum hc_state new_state, enum hc_result why)
{
	struct hct_changes *ch = arg;

	if (ch->n < HCT_MAX_CHANGES)
		ch->c[ch->n++] = (struct hct_change){ *key, old_state, new_state, why, hct_now() };
}

/* ---- a status poller for hct_run_until ---- */

struct hct_wait {
	struct hc_ctx *ctx;
	struct hc_target_key key;
	uint64_t checks;		/* wait until this many checks completed */
	enum hc_state state;		/* or (when checks == 0) until this state */
};

static inline uint64_t hct_checks(const struct hc_status *st)
{
	uint64_t n = 0;

	for (int i = 0; i < HC__COUNT; i++)
		n += st->results[i];
	return n;
}

static inline bool hct_wait_cond(void *arg)
{
	struct hct_wait *w = arg;
	struct hc_status st;

	if (hc_get_status(w->ctx, &w->key, &st) < 0)
		return false;
	return w->checks ? hct_checks(&st) >= w->checks : st.state == w->state;
}

/* Run until the target completed `checks` checks in total; returns its status. */
static inline struct hc_status hct_wait_checks(struct event_base *base, struct hc_ctx *ctx,
					const struct hc_target_key *key, uint64_t checks, int max_ms)
{
	struct hct_wait w = { ctx, *key, checks, HC_STATE_UNKNOWN };
	struct hc_status st;

	hct_run_until(base, hct_wait_cond, &w, max_ms);
	memset(&st, 0, sizeof(st));
	hc_get_status(ctx, key, &st);
	return st;
}

static inline bool hct_wait_state(struct event_base *base, struct hc_ctx *ctx,
			   const struct hc_target_key *key, enum hc_state state, int max_ms)
{
	struct hct_wait w = { ctx, *key, 0, state };

	return hct_run_until(base, hct_wait_cond, &w, max_ms);
}

/* ---- cmocka fixture: a loop and a checker recording its state changes ---- */

struct hct_fixture {
	struct event_base *base;
	struct hc_ctx *ctx;
	struct hct_changes ch;
};

/* cmocka setup: 0, or -1 (test fails) if the checker cannot open. */
static inline int hct_fx_setup(void **state)
{
	struct hct_fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->base = event_base_new();
	f->ctx = hc_open(f->base, hct_record_change, &f->ch);
	*state = f;
	return f->ctx ? 0 : -1;
}

static inline int hct_fx_teardown(void **state)
{
	struct hct_fixture *f = *state;

	if (f->ctx)
		hc_close(f->ctx);
	event_base_free(f->base);
	free(f);
	return 0;
}

/* A cmocka test entry run with the fixture (cmocka.h included by the test). */
#define HCT_FX_TEST(fn) cmocka_unit_test_setup_teardown(fn, hct_fx_setup, hct_fx_teardown)

/* ---- servers ---- */

/* Bound (and for TCP listening) socket on addr:port (port 0 = any); returns fd, port in *port. */
static inline int hct_bind(const char *addr, int type, uint16_t *port, int backlog)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, one = 1;
	struct xlb_addr a = hct_addr(addr);

	if (a.family == XLB_AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(*port);
		memcpy(&s6->sin6_addr, a.addr, 16);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(*port);
		memcpy(&s4->sin_addr, a.addr, 4);
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, backlog) < 0)) {
		close(fd);
		return -errno;
	}
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					       : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/*
 * Bind (hct_bind) and watch the socket on the loop with cb(arg): 0, or
 * -errno from the bind (*fd holds it, *ev untouched), or event_add's -1.
 */
static inline int hct_serve(struct event_base *base, const char *addr, int type, uint16_t *port,
			    int backlog, int *fd, struct event **ev, event_callback_fn cb, void *arg)
{
	*fd = hct_bind(addr, type, port, backlog);
	if (*fd < 0)
		return *fd;
	*ev = event_new(base, *fd, EV_READ | EV_PERSIST, cb, arg);
	return event_add(*ev, NULL);
}

/* Undo hct_serve; safe to call twice. */
static inline void hct_unserve(struct event **ev, int *fd)
{
	if (*ev)
		event_free(*ev);
	if (*fd >= 0)
		close(*fd);
	*ev = NULL;
	*fd = -1;
}

/* TCP: accept and close every connection; accept times recorded. */
#define HCT_MAX_ACCEPTS 4096
struct hct_tcp {
	int fd;
	uint16_t port;
	struct event *ev;
	int accepts;
	double at[HCT_MAX_ACCEPTS];
};

static inline void hct_tcp_accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hct_tcp *s = arg;
	int c;

	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		if (s->accepts < HCT_MAX_ACCEPTS)
			s->at[s->accepts] = hct_now();
		s->accepts++;
		close(c);
	}
}

static inline int hct_tcp_open(struct event_base *base, struct hct_tcp *s, const char *addr, uint16_t port)
{
	s->port = port;
	return hct_serve(base, addr, SOCK_STREAM, &s->port, 1024, &s->fd, &s->ev, hct_tcp_accept_cb, s);
}

static inline void hct_tcp_close(struct hct_tcp *s)
{
	hct_unserve(&s->ev, &s->fd);
}

/* HTTP: read the request head, answer by mode. */
enum hct_http_mode {
	HCT_HTTP_200, HCT_HTTP_500, HCT_HTTP_204_HTTP10, HCT_HTTP_GARBAGE,
	HCT_HTTP_SILENT, HCT_HTTP_CLOSE, HCT_HTTP_SPLIT,
};
struct hct_http {
	struct hct_tcp l;
	struct event_base *base;
	enum hct_http_mode mode;
	char last_request[1024];
	int requests;
	int held[64];		/* silent connections kept open */
	int nheld;
};

static struct event_base *hct_split_base;	/* base of the split-reply server */

struct hct_http_conn {
	struct hct_http *srv;
	int fd;
	size_t len;
	char buf[1024];
	struct event *ev;
};

struct hct_split {
	int fd;
	int step;
};

static inline void hct_split_cb(evutil_socket_t unused, short what, void *arg)
{
	static const char *const parts[] = { "HTTP/1.1 2", "00 O", "K\r\n\r\n" };
	struct hct_split *sp = arg;
	struct timeval tv = { 0, 30000 };
	struct event_base *base = hct_split_base;

	send(sp->fd, parts[sp->step], strlen(parts[sp->step]), MSG_NOSIGNAL);
	if (++sp->step < 3 && base) {
		event_base_once(base, -1, EV_TIMEOUT, hct_split_cb, sp, &tv);
		return;
	}
	close(sp->fd);
	free(sp);
}

static inline void hct_http_reply(struct hct_http_conn *c)
{
	static const char *const replies[] = {
		[HCT_HTTP_200] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		[HCT_HTTP_500] = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
		[HCT_HTTP_204_HTTP10] = "HTTP/1.0 204\r\n\r\n",
		[HCT_HTTP_GARBAGE] = "SSH-2.0-OpenSSH_9.2\r\n",
	};
	struct hct_http *s = c->srv;
	const char *r;

	switch (s->mode) {
	case HCT_HTTP_SILENT:
		if (s->nheld < 64) {
			s->held[s->nheld++] = c->fd;	/* never answered; closed by hct_http_close */
			c->fd = -1;
		}
		return;
	case HCT_HTTP_CLOSE:
		return;
	case HCT_HTTP_SPLIT: {	/* the status line in pieces, 30 ms apart: the parser must wait */
		struct hct_split *sp = calloc(1, sizeof(*sp));
		struct timeval now0 = { 0, 0 };

		sp->fd = c->fd;
		c->fd = -1;
		event_base_once(s->base, -1, EV_TIMEOUT, hct_split_cb, sp, &now0);
		return;
	}
	default:
		r = replies[s->mode];
		send(c->fd, r, strlen(r), MSG_NOSIGNAL);
		return;
	}
}

static inline void hct_http_conn_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hct_http_conn *c = arg;
	ssize_t n = recv(fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);

	if (n > 0) {
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		if (!strstr(c->buf, "\r\n\r\n") && c->len < sizeof(c->buf) - 1)
			return;
		snprintf(c->srv->last_request, sizeof(c->srv->last_request), "%s", c->buf);
		c->srv->requests++;
		hct_http_reply(c);
	}
	event_free(c->ev);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static inline void hct_http_accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hct_http *s = arg;
	int cfd;

	while ((cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		struct hct_http_conn *c = calloc(1, sizeof(*c));

		s->l.accepts++;
		c->srv = s;
		c->fd = cfd;
		c->ev = event_new(s->base, cfd, EV_READ | EV_PERSIST, hct_http_conn_cb, c);
		event_add(c->ev, NULL);
	}
}

static inline int hct_http_open(struct event_base *base, struct hct_http *s, const char *addr,
			 enum hct_http_mode mode)
{
	memset(s, 0, sizeof(*s));
	s->base = base;
	s->mode = mode;
	hct_split_base = base;
	return hct_serve(base, addr, SOCK_STREAM, &s->l.port, 64, &s->l.fd, &s->l.ev, hct_http_accept_cb, s);
}

static inline void hct_http_close(struct hct_http *s)
{
	hct_tcp_close(&s->l);
	for (int i = 0; i < s->nheld; i++)
		close(s->held[i]);
	s->nheld = 0;
}

/* UDP: reply by mode. */
enum hct_udp_mode { HCT_UDP_ECHO, HCT_UDP_MISMATCH, HCT_UDP_SILENT, HCT_UDP_ALTERNATE };
struct hct_udp {
	int fd;
	uint16_t port;
	struct event *ev;
	enum hct_udp_mode mode;
	int requests;
};

static inline void hct_udp_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hct_udp *s = arg;
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	char buf[512];
	ssize_t n;

	while ((n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen)) >= 0) {
		bool good;

		s->requests++;
		if (s->mode == HCT_UDP_SILENT)
			continue;
		good = s->mode == HCT_UDP_ECHO || (s->mode == HCT_UDP_ALTERNATE && s->requests % 2);
		if (!good && n > 0)
			buf[0] ^= 0xff;	/* first byte differs: the expect prefix fails */
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
		flen = sizeof(from);
	}
}

static inline int hct_udp_open(struct event_base *base, struct hct_udp *s, const char *addr,
			enum hct_udp_mode mode)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	return hct_serve(base, addr, SOCK_DGRAM, &s->port, 0, &s->fd, &s->ev, hct_udp_cb, s);
}

static inline void hct_udp_close(struct hct_udp *s)
{
	hct_unserve(&s->ev, &s->fd);
}

/* A port nobody listens on (bound then closed). */
static inline uint16_t hct_free_port(const char *addr, int type)
{
	uint16_t port = 0;
	int fd = hct_bind(addr, type, &port, 1);

	if (fd >= 0)
		close(fd);
	return port;
}

#endif /* XLB_TEST_HC_TESTLIB_H */

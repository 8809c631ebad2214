// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_health.c - health.c and the check types against real servers on
 * loopback (127.0.0.1 and ::1) in a private network namespace: every result
 * code, the HTTP status-line parser, rise/fall, no flapping, timings.
 * (Spread of first checks, down-detection timing and CPU: test_health_sched.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "hc_testlib.h"
#include "log.h"

/* One check of `spec` against backend addr (VIP = same addr, port of the spec). */
static struct hc_status check_once(struct hct_fixture *f, const char *addr, const struct xlb_health_spec *spec)
{
	struct hc_target_key k = hct_key(addr, spec->port, IPPROTO_TCP, addr);
	struct hc_status st;

	assert_int_equal(hc_set_target(f->ctx, &k, spec, 1), 0);
	st = hct_wait_checks(f->base, f->ctx, &k, 1, spec->interval_ms + 3 * spec->timeout_ms);
	assert_int_equal(hct_checks(&st), 1);
	assert_int_equal(hc_del_target(f->ctx, &k), 0);
	return st;
}

/* ---- strings ---- */

static void test_strings(void **state)
{
	const char *seen[HC__COUNT];

	for (int r = 0; r < HC__COUNT; r++) {
		seen[r] = hc_result_str((enum hc_result)r);
		assert_string_not_equal(seen[r], "unknown");
		for (int q = 0; q < r; q++)
			assert_string_not_equal(seen[r], seen[q]);
	}
	assert_string_equal(hc_result_str(HC_CONNECT_REFUSED), "connect_refused");
	assert_string_equal(hc_state_str(HC_STATE_UNKNOWN), "unknown");
	assert_string_equal(hc_state_str(HC_STATE_UP), "up");
	assert_string_equal(hc_state_str(HC_STATE_DOWN), "down");
}

/* ---- HTTP status-line parser ---- */

static void test_http_parser(void **state)
{
	static const struct { const char *in; int ret, code; } cases[] = {
		{ "HTTP/1.1 200 OK\r\n", 1, 200 },
		{ "HTTP/1.0 503 Service Unavailable\r\nServer: x\r\n", 1, 503 },
		{ "HTTP/1.1 204\r\n", 1, 204 },		/* no reason phrase */
		{ "HTTP/1.1 404 \r\n", 1, 404 },	/* empty reason phrase */
		{ "HTTP/1.1 200 OK\n", 1, 200 },	/* bare LF */
		{ "HTTP/1.1 301 Moved\tPermanently\r\n", 1, 301 },
		{ "", 0, 0 }, { "H", 0, 0 }, { "HTTP/", 0, 0 }, { "HTTP/1.1", 0, 0 },
		{ "HTTP/1.1 2", 0, 0 }, { "HTTP/1.1 200", 0, 0 }, { "HTTP/1.1 200 OK", 0, 0 },
		{ "HTTP/1.1 200 OK\r", 0, 0 },
		{ "SSH-2.0-OpenSSH\r\n", -EBADMSG, 0 }, { "http/1.1 200 OK\r\n", -EBADMSG, 0 },
		{ "HTTP/2 200\r\n", -EBADMSG, 0 }, { "HTTP/1.x 200\r\n", -EBADMSG, 0 },
		{ "HTTP/1.1  200 OK\r\n", -EBADMSG, 0 }, { "HTTP/1.1 20 OK\r\n", -EBADMSG, 0 },
		{ "HTTP/1.1 2000 OK\r\n", -EBADMSG, 0 }, { "HTTP/1.1 600 X\r\n", -EBADMSG, 0 },
		{ "HTTP/1.1 099 X\r\n", -EBADMSG, 0 }, { "HTTP/1.1 200 O\x01K\r\n", -EBADMSG, 0 },
		{ "HTTP/1.1 200 OK\rX", -EBADMSG, 0 }, { "X", -EBADMSG, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int code = -1, r = hc_http_parse_status(cases[i].in, strlen(cases[i].in), &code);

		if (r != cases[i].ret)
			fail_msg("parse \"%s\": got %d, want %d", cases[i].in, r, cases[i].ret);
		if (r == 1)
			assert_int_equal(code, cases[i].code);
	}
}

/* ---- TCP ---- */

static void tcp_ok_refused(struct hct_fixture *f, const char *addr)
{
	struct hct_tcp srv = { .fd = -1 };
	struct xlb_health_spec spec;
	struct hc_status st;

	assert_int_equal(hct_tcp_open(f->base, &srv, addr, 0), 0);
	spec = hct_spec(XLB_HC_TCP, srv.port, 100, 500, 2, 3);
	st = check_once(f, addr, &spec);
	assert_int_equal(st.last_result, HC_OK);
	assert_int_equal(st.results[HC_OK], 1);
	assert_true(st.last_duration_sec >= 0 && st.last_duration_sec < 0.5);
	hct_run_for(f->base, 20);
	assert_int_equal(srv.accepts, 1);

	hct_tcp_close(&srv);
	st = check_once(f, addr, &spec);
	assert_int_equal(st.last_result, HC_CONNECT_REFUSED);
	assert_int_equal(st.results[HC_CONNECT_REFUSED], 1);
}

static void test_tcp_ipv4(void **state) { tcp_ok_refused(*state, "127.0.0.1"); }
static void test_tcp_ipv6(void **state) { tcp_ok_refused(*state, "::1"); }

/* A SYN that is dropped (nft blackhole in our namespace): connect_timeout after `timeout`. */
static void test_tcp_timeout(void **state)
{
	struct hct_fixture *f = *state;
	struct hct_tcp srv = { .fd = -1 };
	struct xlb_health_spec spec;
	struct hc_status st;
	char cmd[256];

	assert_int_equal(hct_tcp_open(f->base, &srv, "127.0.0.1", 0), 0);
	snprintf(cmd, sizeof(cmd),
		 "nft add table inet hctest && nft add chain inet hctest in "
		 "'{ type filter hook input priority 0; }' && "
		 "nft add rule inet hctest in tcp dport %u drop", srv.port);
	if (system(cmd) != 0)
		fail_msg("nft blackhole rule failed: %s", cmd);
	spec = hct_spec(XLB_HC_TCP, srv.port, 100, 300, 2, 3);
	st = check_once(f, "127.0.0.1", &spec);
	assert_int_equal(system("nft delete table inet hctest"), 0);
	assert_int_equal(st.last_result, HC_CONNECT_TIMEOUT);
	assert_true(st.last_duration_sec >= 0.29 && st.last_duration_sec < 0.45);
	assert_int_equal(srv.accepts, 0);
	hct_tcp_close(&srv);
}

/* No route in our namespace: unreachable at once, for TCP, HTTP and UDP. */
static void test_unreachable(void **state)
{
	struct hct_fixture *f = *state;
	enum xlb_hc_type types[] = { XLB_HC_TCP, XLB_HC_HTTP, XLB_HC_UDP };

	for (size_t i = 0; i < 3; i++) {
		struct xlb_health_spec spec = hct_spec(types[i], 80, 100, 500, 2, 3);
		struct hc_status st = check_once(f, "198.18.255.1", &spec);

		assert_int_equal(st.last_result, HC_UNREACHABLE);
		assert_true(st.last_duration_sec < 0.1);
	}
}

/* ---- HTTP ---- */

static struct hc_status http_check(struct hct_fixture *f, const char *addr, enum hct_http_mode mode,
				   struct xlb_health_spec *spec, char *request, size_t reqlen)
{
	struct hct_http srv;
	struct hc_status st;

	assert_int_equal(hct_http_open(f->base, &srv, addr, mode), 0);
	spec->port = srv.l.port;
	st = check_once(f, addr, spec);
	if (request)
		snprintf(request, reqlen, "%s", srv.last_request);
	hct_http_close(&srv);
	return st;
}

static void test_http_results(void **state)
{
	struct hct_fixture *f = *state;
	struct xlb_health_spec spec = hct_spec(XLB_HC_HTTP, 0, 100, 300, 2, 3);
	char req[1024], want[256];
	struct hc_status st;

	st = http_check(f, "127.0.0.1", HCT_HTTP_200, &spec, req, sizeof(req));
	assert_int_equal(st.last_result, HC_OK);
	/* default path "/" and Host = backend address (with the port: not 80) */
	snprintf(want, sizeof(want), "GET / HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n", spec.port);
	assert_memory_equal(req, want, strlen(want));

	st = http_check(f, "127.0.0.1", HCT_HTTP_500, &spec, NULL, 0);
	assert_int_equal(st.last_result, HC_BAD_STATUS);
	st = http_check(f, "127.0.0.1", HCT_HTTP_204_HTTP10, &spec, NULL, 0);
	assert_int_equal(st.last_result, HC_BAD_STATUS);	/* 204 not in the default {200} */
	st = http_check(f, "127.0.0.1", HCT_HTTP_GARBAGE, &spec, NULL, 0);
	assert_int_equal(st.last_result, HC_BAD_REPLY);
	st = http_check(f, "127.0.0.1", HCT_HTTP_CLOSE, &spec, NULL, 0);
	assert_int_equal(st.last_result, HC_RESET);
	st = http_check(f, "127.0.0.1", HCT_HTTP_SPLIT, &spec, NULL, 0);
	assert_int_equal(st.last_result, HC_OK);		/* status line in 3 pieces, 30 ms apart */
	assert_true(st.last_duration_sec >= 0.05);
	st = http_check(f, "127.0.0.1", HCT_HTTP_SILENT, &spec, NULL, 0);
	assert_int_equal(st.last_result, HC_READ_TIMEOUT);
	assert_true(st.last_duration_sec >= 0.29 && st.last_duration_sec < 0.45);
}

static void test_http_spec(void **state)
{
	struct hct_fixture *f = *state;
	struct xlb_health_spec spec = hct_spec(XLB_HC_HTTP, 0, 100, 300, 2, 3);
	char req[1024];
	struct hc_status st;

	snprintf(spec.path, sizeof(spec.path), "/healthz?full=1");
	snprintf(spec.host, sizeof(spec.host), "www.example.test");
	spec.status[0] = 200;
	spec.status[1] = 204;
	spec.n_status = 2;
	st = http_check(f, "::1", HCT_HTTP_204_HTTP10, &spec, req, sizeof(req));
	assert_int_equal(st.last_result, HC_OK);
	assert_non_null(strstr(req, "GET /healthz?full=1 HTTP/1.1\r\n"));
	assert_non_null(strstr(req, "\r\nHost: www.example.test\r\n"));
	st = http_check(f, "::1", HCT_HTTP_500, &spec, NULL, 0);
	assert_int_equal(st.last_result, HC_BAD_STATUS);

	spec.host[0] = '\0';	/* default Host for IPv6: [addr]:port */
	st = http_check(f, "::1", HCT_HTTP_200, &spec, req, sizeof(req));
	assert_int_equal(st.last_result, HC_OK);
	assert_non_null(strstr(req, "\r\nHost: [::1]:"));
}

/* ---- UDP ---- */

static struct hc_status udp_check(struct hct_fixture *f, const char *addr, enum hct_udp_mode mode,
				  const char *payload, const char *expect)
{
	struct xlb_health_spec spec = hct_spec(XLB_HC_UDP, 0, 100, 300, 2, 3);
	struct hct_udp srv;
	struct hc_status st;

	assert_int_equal(hct_udp_open(f->base, &srv, addr, mode), 0);
	spec.port = srv.port;
	spec.payload_len = strlen(payload);
	memcpy(spec.payload, payload, spec.payload_len);
	spec.expect_len = strlen(expect);
	memcpy(spec.expect, expect, spec.expect_len);
	st = check_once(f, addr, &spec);
	assert_int_equal(srv.requests, 1);
	hct_udp_close(&srv);
	return st;
}

static void test_udp_results(void **state)
{
	struct hct_fixture *f = *state;
	struct xlb_health_spec spec = hct_spec(XLB_HC_UDP, 0, 100, 300, 2, 3);
	struct hc_status st;

	st = udp_check(f, "127.0.0.1", HCT_UDP_ECHO, "PING xlb", "PING");
	assert_int_equal(st.last_result, HC_OK);
	st = udp_check(f, "::1", HCT_UDP_ECHO, "PING xlb", "PING xlb");
	assert_int_equal(st.last_result, HC_OK);
	st = udp_check(f, "127.0.0.1", HCT_UDP_MISMATCH, "PING xlb", "PING");
	assert_int_equal(st.last_result, HC_BAD_REPLY);
	st = udp_check(f, "127.0.0.1", HCT_UDP_MISMATCH, "PING xlb", "");
	assert_int_equal(st.last_result, HC_OK);		/* no expect: any reply */
	st = udp_check(f, "127.0.0.1", HCT_UDP_ECHO, "PI", "PING");
	assert_int_equal(st.last_result, HC_BAD_REPLY);	/* reply shorter than expect */
	st = udp_check(f, "127.0.0.1", HCT_UDP_SILENT, "PING", "PING");
	assert_int_equal(st.last_result, HC_READ_TIMEOUT);
	assert_true(st.last_duration_sec >= 0.29);

	/* closed port: ICMP port unreachable reaches the connected socket at once */
	spec.port = hct_free_port("127.0.0.1", SOCK_DGRAM);
	spec.payload_len = 4;
	memcpy(spec.payload, "PING", 4);
	st = check_once(f, "127.0.0.1", &spec);
	assert_int_equal(st.last_result, HC_UNREACHABLE);
	assert_true(st.last_duration_sec < 0.1);
	spec.port = hct_free_port("::1", SOCK_DGRAM);
	st = check_once(f, "::1", &spec);
	assert_int_equal(st.last_result, HC_UNREACHABLE);
}

/* ---- state machine ---- */

/* rise 2 / fall 3: unknown -> up after 2 successes, up -> down after exactly 3 failures, back after 2. */
static void test_rise_fall(void **state)
{
	struct hct_fixture *f = *state;
	struct hct_tcp srv = { .fd = -1 };
	struct xlb_health_spec spec;
	struct hc_target_key k;
	struct hc_status st;
	uint16_t port;

	assert_int_equal(hct_tcp_open(f->base, &srv, "127.0.0.1", 0), 0);
	port = srv.port;
	spec = hct_spec(XLB_HC_TCP, port, 50, 200, 2, 3);
	k = hct_key("198.19.0.10", 80, IPPROTO_TCP, "127.0.0.1");
	assert_int_equal(hc_set_target(f->ctx, &k, &spec, 7), 0);
	assert_int_equal(hc_get_status(f->ctx, &k, &st), 0);
	assert_int_equal(st.state, HC_STATE_UNKNOWN);

	st = hct_wait_checks(f->base, f->ctx, &k, 1, 1000);
	assert_int_equal(st.state, HC_STATE_UNKNOWN);	/* one success is not enough */
	assert_int_equal(f->ch.n, 0);
	st = hct_wait_checks(f->base, f->ctx, &k, 2, 1000);
	assert_int_equal(st.state, HC_STATE_UP);
	assert_int_equal(f->ch.n, 1);
	assert_int_equal(f->ch.c[0].old_state, HC_STATE_UNKNOWN);
	assert_int_equal(f->ch.c[0].new_state, HC_STATE_UP);
	assert_int_equal(f->ch.c[0].why, HC_OK);
	assert_true(f->ch.c[0].key.vip.port == 80 && f->ch.c[0].key.backend.family == XLB_AF_INET);

	hct_tcp_close(&srv);
	st = hct_wait_checks(f->base, f->ctx, &k, 4, 1000);
	assert_int_equal(st.state, HC_STATE_UP);	/* 2 failures: still up */
	assert_int_equal(st.last_result, HC_CONNECT_REFUSED);
	st = hct_wait_checks(f->base, f->ctx, &k, 5, 1000);
	assert_int_equal(st.state, HC_STATE_DOWN);
	assert_int_equal(st.consecutive, 3);
	assert_int_equal(f->ch.n, 2);
	assert_int_equal(f->ch.c[1].new_state, HC_STATE_DOWN);
	assert_int_equal(f->ch.c[1].why, HC_CONNECT_REFUSED);

	assert_int_equal(hct_tcp_open(f->base, &srv, "127.0.0.1", port), 0);
	st = hct_wait_checks(f->base, f->ctx, &k, 6, 1000);
	assert_int_equal(st.state, HC_STATE_DOWN);
	st = hct_wait_checks(f->base, f->ctx, &k, 7, 1000);
	assert_int_equal(st.state, HC_STATE_UP);
	assert_int_equal(f->ch.n, 3);
	assert_int_equal(st.results[HC_OK], 4);
	assert_int_equal(st.results[HC_CONNECT_REFUSED], 3);
	assert_true(st.since_ns > 0 && st.since_ns <= hc_now_ns());
	hct_tcp_close(&srv);
}

/* A check that alternates pass/fail never changes state (HAProxy: no flapping). */
static void test_no_flapping(void **state)
{
	struct hct_fixture *f = *state;
	struct xlb_health_spec spec = hct_spec(XLB_HC_UDP, 0, 30, 100, 2, 3);
	struct hc_target_key k;
	struct hct_udp srv;
	struct hc_status st;

	assert_int_equal(hct_udp_open(f->base, &srv, "127.0.0.1", HCT_UDP_ECHO), 0);
	spec.port = srv.port;
	spec.payload_len = spec.expect_len = 4;
	memcpy(spec.payload, "PING", 4);
	memcpy(spec.expect, "PING", 4);
	k = hct_key("198.19.0.10", 53, IPPROTO_UDP, "127.0.0.1");
	assert_int_equal(hc_set_target(f->ctx, &k, &spec, 1), 0);
	assert_true(hct_wait_state(f->base, f->ctx, &k, HC_STATE_UP, 1000));
	assert_int_equal(f->ch.n, 1);

	srv.mode = HCT_UDP_ALTERNATE;
	st = hct_wait_checks(f->base, f->ctx, &k, 22, 3000);
	assert_int_equal(st.state, HC_STATE_UP);
	assert_true(st.results[HC_BAD_REPLY] >= 9);
	assert_int_equal(f->ch.n, 1);

	srv.mode = HCT_UDP_MISMATCH;
	assert_true(hct_wait_state(f->base, f->ctx, &k, HC_STATE_DOWN, 1000));
	assert_int_equal(f->ch.n, 2);
	srv.mode = HCT_UDP_ALTERNATE;
	st = hct_wait_checks(f->base, f->ctx, &k, 45, 3000);
	assert_int_equal(st.state, HC_STATE_DOWN);
	assert_int_equal(f->ch.n, 2);
	hct_udp_close(&srv);
}

/* Type none: up at once, no callback; respecified to tcp it is checked; back to none: up, from the loop. */
static void test_type_none_and_respec(void **state)
{
	struct hct_fixture *f = *state;
	struct xlb_health_spec spec = hct_spec(XLB_HC_NONE, 0, 50, 100, 2, 3);
	struct hc_target_key k = hct_key("198.19.0.10", 80, IPPROTO_TCP, "127.0.0.1");
	struct hc_status st;

	assert_int_equal(hc_set_target(f->ctx, &k, &spec, 1), 0);
	assert_int_equal(hc_get_status(f->ctx, &k, &st), 0);
	assert_int_equal(st.state, HC_STATE_UP);
	hct_run_for(f->base, 200);
	assert_int_equal(hc_get_status(f->ctx, &k, &st), 0);
	assert_int_equal(hct_checks(&st), 0);
	assert_int_equal(f->ch.n, 0);

	spec.type = XLB_HC_TCP;
	spec.port = hct_free_port("127.0.0.1", SOCK_STREAM);
	assert_int_equal(hc_set_target(f->ctx, &k, &spec, 1), 0);
	assert_true(hct_wait_state(f->base, f->ctx, &k, HC_STATE_DOWN, 1000));
	assert_int_equal(f->ch.n, 1);

	/* timings only: state and counters kept */
	spec.interval_ms = 60;
	spec.fall = 4;
	assert_int_equal(hc_set_target(f->ctx, &k, &spec, 1), 0);
	assert_int_equal(hc_get_status(f->ctx, &k, &st), 0);
	assert_int_equal(st.state, HC_STATE_DOWN);
	assert_int_equal(st.results[HC_CONNECT_REFUSED], 3);

	spec.type = XLB_HC_NONE;
	assert_int_equal(hc_set_target(f->ctx, &k, &spec, 1), 0);
	assert_int_equal(f->ch.n, 1);	/* never inside the setter */
	assert_true(hct_wait_state(f->base, f->ctx, &k, HC_STATE_UP, 1000));
	assert_int_equal(f->ch.n, 2);
	assert_int_equal(f->ch.c[1].old_state, HC_STATE_DOWN);
	assert_int_equal(f->ch.c[1].new_state, HC_STATE_UP);
}

/* Deleting a target whose check is in flight: no callback, socket closed, no crash. */
static void test_delete_in_flight(void **state)
{
	struct hct_fixture *f = *state;
	struct xlb_health_spec spec = hct_spec(XLB_HC_HTTP, 0, 10, 1000, 1, 1);
	struct hc_target_key k;
	struct hct_http srv;
	int before, after;

	assert_int_equal(hct_http_open(f->base, &srv, "127.0.0.1", HCT_HTTP_SILENT), 0);
	spec.port = srv.l.port;
	k = hct_key("127.0.0.1", spec.port, IPPROTO_TCP, "127.0.0.1");
	before = open("/dev/null", O_RDONLY);
	close(before);
	assert_int_equal(hc_set_target(f->ctx, &k, &spec, 1), 0);
	hct_run_until(f->base, NULL, NULL, 100);
	assert_int_equal(srv.requests, 1);		/* the probe waits for a reply */
	assert_int_equal(hc_del_target(f->ctx, &k), 0);
	assert_int_equal(hc_del_target(f->ctx, &k), -ENOENT);
	after = open("/dev/null", O_RDONLY);	/* lowest free fd: the probe's socket is closed */
	close(after);
	hct_http_close(&srv);
	assert_int_equal(after, before);
	hct_run_for(f->base, 100);
	assert_int_equal(f->ch.n, 0);
}

/* Bad arguments are refused, nothing changes. */
static void test_bad_input(void **state)
{
	struct hct_fixture *f = *state;
	struct xlb_health_spec spec = hct_spec(XLB_HC_TCP, 80, 100, 100, 2, 3);
	struct hc_target_key k = hct_key("198.19.0.10", 80, IPPROTO_TCP, "127.0.0.1");
	struct hc_status st;

	k.backend.family = 0;
	assert_int_equal(hc_set_target(f->ctx, &k, &spec, 1), -EAFNOSUPPORT);
	k.backend.family = XLB_AF_INET;
	spec.type = (enum xlb_hc_type)42;
	assert_int_equal(hc_set_target(f->ctx, &k, &spec, 1), -EINVAL);
	assert_int_equal(hc_set_target(NULL, &k, &spec, 1), -EINVAL);
	assert_int_equal(hc_get_status(f->ctx, &k, &st), -ENOENT);
	assert_int_equal(hc_count(f->ctx), 0);
}

/* The log line of a state change, exactly. */
static void test_log_line(void **state)
{
	struct hct_fixture *f = *state;
	struct xlb_health_spec spec = hct_spec(XLB_HC_TCP, 0, 30, 100, 2, 3);
	struct hc_target_key k = hct_key("198.19.0.10", 80, IPPROTO_TCP, "127.0.0.1");
	FILE *tmp = tmpfile();
	char buf[512] = "", want[256];
	int saved;
	size_t n;

	spec.port = hct_free_port("127.0.0.1", SOCK_STREAM);
	log_set_prefix("xlbd");
	log_set_level(LOG_LVL_INFO);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	assert_int_equal(hc_set_target(f->ctx, &k, &spec, 1), 0);
	hct_wait_state(f->base, f->ctx, &k, HC_STATE_DOWN, 1000);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	snprintf(want, sizeof(want),
		 "xlbd[info]: backend 127.0.0.1 of 198.19.0.10:80/tcp: unknown -> down (connect_refused, 3 failures)\n");
	assert_string_equal(buf, want);
}

/* Histogram: cumulative, total = every check, sum = their durations. */
static void test_histogram(void **state)
{
	struct hct_fixture *f = *state;
	struct hct_tcp srv = { .fd = -1 };
	struct xlb_health_spec spec;
	struct hc_target_key k = hct_key("198.19.0.10", 80, IPPROTO_TCP, "127.0.0.1");
	uint64_t counts[HC_HIST_BUCKETS], total;
	double sum;

	assert_int_equal(hct_tcp_open(f->base, &srv, "127.0.0.1", 0), 0);
	spec = hct_spec(XLB_HC_TCP, srv.port, 20, 100, 2, 3);
	assert_int_equal(hc_set_target(f->ctx, &k, &spec, 1), 0);
	hct_wait_checks(f->base, f->ctx, &k, 10, 2000);
	hc_histogram(f->ctx, counts, &total, &sum);
	assert_true(total >= 10);
	for (int b = 1; b < HC_HIST_BUCKETS; b++) {
		assert_true(counts[b] >= counts[b - 1]);
		assert_true(hc_hist_bounds[b] > hc_hist_bounds[b - 1]);
	}
	assert_int_equal(counts[HC_HIST_BUCKETS - 1], total);	/* loopback connects: all < 2.5 s */
	assert_true(sum > 0 && sum < 0.1 * (double)total);
	hct_tcp_close(&srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_http_parser),
		HCT_FX_TEST(test_tcp_ipv4),
		HCT_FX_TEST(test_tcp_ipv6),
		HCT_FX_TEST(test_tcp_timeout),
		HCT_FX_TEST(test_unreachable),
		HCT_FX_TEST(test_http_results),
		HCT_FX_TEST(test_http_spec),
		HCT_FX_TEST(test_udp_results),
		HCT_FX_TEST(test_rise_fall),
		HCT_FX_TEST(test_no_flapping),
		HCT_FX_TEST(test_type_none_and_respec),
		HCT_FX_TEST(test_delete_in_flight),
		HCT_FX_TEST(test_bad_input),
		HCT_FX_TEST(test_log_line),
		HCT_FX_TEST(test_histogram),
	};

	if (hct_private_netns() < 0) {
		printf("1..0 # SKIP cannot create a network namespace (needs root)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

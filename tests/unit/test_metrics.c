// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_metrics.c - metrics_render() over a fake source (and a real health
 * checker with results), checked line by line and by the real
 * `promtool check metrics`; the /metrics server over real HTTP (curl) on
 * loopback in a private network namespace; listen-address parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <event2/buffer.h>
#include "hc_testlib.h"
#include "../../userspace/xlbd/metrics.h"

#define PROMTOOL "/usr/bin/promtool"

/* ---- a fake daemon ---- */

struct fake {
	const char *vip_label;		/* lets a test put nasty characters in a label */
	struct hc_ctx *hc;
	bool no_datapath;
};

static void fake_vips(void *arg, metrics_vip_fn emit, void *cookie)
{
	struct fake *f = arg;
	struct metrics_vip v = { .vip = f->vip_label ? f->vip_label : "198.19.0.10:80/tcp",
				 .fingerprint = 0x00c0ffee12345678ull, .packets = 100, .bytes = 6400,
				 .new_flows = 10 };

	emit(cookie, &v);
	v = (struct metrics_vip){ .vip = "[2001:db8::10]:443/tcp", .fingerprint = 1, .packets = 7 };
	emit(cookie, &v);
}

static void fake_backends(void *arg, metrics_backend_fn emit, void *cookie)
{
	struct metrics_backend b = { .vip = "198.19.0.10:80/tcp", .backend = "198.18.1.11", .packets = 60,
				     .bytes = 3840, .new_flows = 6, .up = 1, .weight = 100, .slots = 32768,
				     .pinned_flows = 3, .nexthop_resolved = 1 };

	emit(cookie, &b);
	b = (struct metrics_backend){ .vip = "198.19.0.10:80/tcp", .backend = "198.18.1.12", .packets = 40,
				      .bytes = 2560, .new_flows = 4, .up = 0, .weight = 0, .slots = 0,
				      .pinned_flows = METRICS_UNKNOWN, .nexthop_resolved = -1 };
	emit(cookie, &b);
	b = (struct metrics_backend){ .vip = "[2001:db8::10]:443/tcp", .backend = "2001:db8:1::11",
				      .up = 1, .weight = 1, .slots = 65537, .nexthop_resolved = 0 };
	emit(cookie, &b);
}

static int fake_datapath(void *arg, uint64_t reasons[XLB_R__COUNT], uint64_t events[XLB_E__COUNT])
{
	struct fake *f = arg;

	if (f->no_datapath)
		return -ENOENT;
	for (int i = 0; i < XLB_R__COUNT; i++)
		reasons[i] = 1000 + i;
	for (int i = 0; i < XLB_E__COUNT; i++)
		events[i] = 2000 + i;
	return 0;
}

static int fake_conns(void *arg, uint64_t *n, uint64_t *max)
{
	*n = 42;
	*max = XLB_CONN_DEFAULT_ENTRIES;
	return 0;
}

static const struct hc_ctx *fake_health(void *arg)
{
	return ((struct fake *)arg)->hc;
}

static const struct metrics_source fake_src = {
	.foreach_vip = fake_vips, .foreach_backend = fake_backends, .datapath = fake_datapath,
	.conn_table = fake_conns, .health = fake_health, .version = "0.1.0-test",
};

/* Render into a malloc'd string. */
static char *render(const struct metrics_source *src, struct fake *f)
{
	struct evbuffer *b = evbuffer_new();
	size_t len;
	char *s;

	assert_int_equal(metrics_render(b, src, f), 0);
	len = evbuffer_get_length(b);
	s = malloc(len + 1);
	evbuffer_remove(b, s, len);
	s[len] = '\0';
	evbuffer_free(b);
	return s;
}

static void assert_line(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(text, want) && strncmp(text, want + 1, strlen(want + 1)) != 0)
		fail_msg("missing line: %s", line);
}

/* Run promtool check metrics on text; returns its exit status, output in out. */
static int promtool(const char *text, char *out, size_t outlen)
{
	char path[] = "/tmp/xlb-test-metrics-XXXXXX", cmd[256];
	int fd = mkstemp(path), rc;
	FILE *p;
	size_t n;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(cmd, sizeof(cmd), PROMTOOL " check metrics < %s 2>&1", path);
	p = popen(cmd, "r");
	n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	rc = pclose(p);
	unlink(path);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* ---- rendering ---- */

static void test_render_values(void **state)
{
	struct fake f = { 0 };
	char *s = render(&fake_src, &f);
	char line[256];

	assert_line(s, "xlb_up 1");
	assert_line(s, "xlb_build_info{version=\"0.1.0-test\"} 1");
	assert_line(s, "xlb_vip_packets_total{vip=\"198.19.0.10:80/tcp\"} 100");
	assert_line(s, "xlb_vip_bytes_total{vip=\"198.19.0.10:80/tcp\"} 6400");
	assert_line(s, "xlb_vip_new_flows_total{vip=\"[2001:db8::10]:443/tcp\"} 0");
	assert_line(s, "xlb_vip_table_info{vip=\"198.19.0.10:80/tcp\",fingerprint=\"00c0ffee12345678\"} 1");
	assert_line(s, "xlb_backend_packets_total{vip=\"198.19.0.10:80/tcp\",backend=\"198.18.1.11\"} 60");
	assert_line(s, "xlb_backend_new_flows_total{vip=\"198.19.0.10:80/tcp\",backend=\"198.18.1.12\"} 4");
	assert_line(s, "xlb_backend_up{vip=\"198.19.0.10:80/tcp\",backend=\"198.18.1.12\"} 0");
	assert_line(s, "xlb_backend_weight{vip=\"198.19.0.10:80/tcp\",backend=\"198.18.1.11\"} 100");
	assert_line(s, "xlb_backend_slots{vip=\"[2001:db8::10]:443/tcp\",backend=\"2001:db8:1::11\"} 65537");
	assert_line(s, "xlb_backend_pinned_flows{vip=\"198.19.0.10:80/tcp\",backend=\"198.18.1.11\"} 3");
	assert_null(strstr(s, "xlb_backend_pinned_flows{vip=\"198.19.0.10:80/tcp\",backend=\"198.18.1.12\"}"));
	assert_line(s, "xlb_backend_nexthop_resolved{vip=\"[2001:db8::10]:443/tcp\",backend=\"2001:db8:1::11\"} 0");
	assert_null(strstr(s, "xlb_backend_nexthop_resolved{vip=\"198.19.0.10:80/tcp\",backend=\"198.18.1.12\"}"));
	for (int r = 0; r < XLB_R__COUNT; r++) {
		snprintf(line, sizeof(line), "xlb_datapath_packets_total{reason=\"%s\"} %d",
			 xlb_reason_str((enum xlb_reason)r), 1000 + r);
		assert_line(s, line);
	}
	for (int e = 0; e < XLB_E__COUNT; e++) {
		snprintf(line, sizeof(line), "xlb_datapath_events_total{event=\"%s\"} %d",
			 xlb_event_str((enum xlb_event)e), 2000 + e);
		assert_line(s, line);
	}
	assert_line(s, "xlb_conn_table_entries 42");
	assert_line(s, "xlb_conn_table_max_entries 1048576");
	assert_line(s, "# TYPE xlb_backend_new_flows_total counter");
	assert_line(s, "# TYPE xlb_backend_up gauge");
	assert_null(strstr(s, "xlb_health_"));	/* no checker: no health metrics */
	free(s);
}

/* Every family: HELP and TYPE once, then its samples, contiguous. */
static void test_families_grouped(void **state)
{
	struct fake f = { 0 };
	char *s = render(&fake_src, &f), *save = NULL, seen[64][80], cur[80] = "";
	int nseen = 0;

	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[80];

		if (strncmp(l, "# HELP ", 7) == 0) {
			sscanf(l + 7, "%79s", name);
			for (int i = 0; i < nseen; i++)
				if (strcmp(seen[i], name) == 0)
					fail_msg("family %s appears twice", name);
			assert_true(nseen < 64);
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", name);
			snprintf(cur, sizeof(cur), "%s", name);
			continue;
		}
		if (l[0] == '#')
			continue;
		sscanf(l, "%79[^{ ]", name);
		if (strncmp(name, cur, strlen(cur)) != 0)
			fail_msg("sample %s outside its family block (current %s)", name, cur);
	}
	free(s);
}

static void test_label_escaping(void **state)
{
	struct fake f = { .vip_label = "we\"ird\\vip\nname" };
	char *s = render(&fake_src, &f), out[4096];

	assert_line(s, "xlb_vip_packets_total{vip=\"we\\\"ird\\\\vip\\nname\"} 100");
	if (promtool(s, out, sizeof(out)) != 0)
		fail_msg("promtool rejected escaped labels: %s", out);
	free(s);
}

/* Real health checker results, and the whole output through promtool. */
static void test_promtool_with_health(void **state)
{
	struct event_base *base = event_base_new();
	struct fake f = { 0 };
	struct hct_tcp srv = { .fd = -1 };
	struct xlb_health_spec spec;
	struct hc_target_key k1 = hct_key("198.19.0.10", 80, IPPROTO_TCP, "127.0.0.1");
	struct hc_target_key k2 = hct_key("198.19.0.10", 80, IPPROTO_TCP, "127.0.0.2");
	char *s, out[8192], line[256];

	f.hc = hc_open(base, NULL, NULL);
	assert_int_equal(hct_tcp_open(base, &srv, "127.0.0.1", 0), 0);
	spec = hct_spec(XLB_HC_TCP, srv.port, 20, 100, 2, 3);
	assert_int_equal(hc_set_target(f.hc, &k1, &spec, 1), 0);
	assert_int_equal(hc_set_target(f.hc, &k2, &spec, 2), 0);	/* 127.0.0.2: refused */
	hct_wait_checks(base, f.hc, &k1, 5, 2000);
	hct_wait_checks(base, f.hc, &k2, 5, 2000);
	s = render(&fake_src, &f);
	assert_non_null(strstr(s, "xlb_health_checks_total{vip=\"198.19.0.10:80/tcp\",backend=\"127.0.0.1\",result=\"ok\"} "));
	assert_non_null(strstr(s, "xlb_health_checks_total{vip=\"198.19.0.10:80/tcp\",backend=\"127.0.0.2\",result=\"connect_refused\"} "));
	assert_non_null(strstr(s, "xlb_health_checks_total{vip=\"198.19.0.10:80/tcp\",backend=\"127.0.0.2\",result=\"ok\"} 0\n"));
	assert_null(strstr(s, "backend=\"127.0.0.1\",result=\"connect_refused\""));
	assert_line(s, "xlb_health_targets{state=\"up\"} 1");
	assert_line(s, "xlb_health_targets{state=\"down\"} 1");
	assert_line(s, "# TYPE xlb_health_check_duration_seconds histogram");
	snprintf(line, sizeof(line), "xlb_health_check_duration_seconds_bucket{le=\"+Inf\"} ");
	assert_non_null(strstr(s, line));
	assert_non_null(strstr(s, "xlb_health_check_duration_seconds_bucket{le=\"0.0005\"} "));
	assert_non_null(strstr(s, "xlb_health_check_duration_seconds_sum "));
	if (promtool(s, out, sizeof(out)) != 0)
		fail_msg("promtool check metrics failed:\n%s\n--- output was:\n%s", out, s);
	free(s);
	hc_close(f.hc);
	hct_tcp_close(&srv);
	event_base_free(base);
}

/* A source with nothing (no callbacks, a failing datapath) still renders valid text. */
static void test_empty_source(void **state)
{
	struct metrics_source none = { 0 };
	struct metrics_source nodp = fake_src;
	struct fake f = { .no_datapath = true };
	char *s, out[4096];

	s = render(&none, &f);
	assert_line(s, "xlb_up 1");
	assert_line(s, "xlb_build_info{version=\"unknown\"} 1");
	assert_int_equal(promtool(s, out, sizeof(out)), 0);
	free(s);
	s = render(&nodp, &f);
	assert_null(strstr(s, "xlb_datapath_packets_total"));
	assert_non_null(strstr(s, "xlb_conn_table_entries 42"));
	assert_int_equal(promtool(s, out, sizeof(out)), 0);
	free(s);
	assert_int_equal(metrics_render(NULL, &none, NULL), -EINVAL);
}

/* ---- listen address ---- */

static void test_parse_addr(void **state)
{
	static const struct { const char *in; int ret; const char *host; uint16_t port; } cases[] = {
		{ "127.0.0.1:9464", 0, "127.0.0.1", 9464 }, { "[::1]:9464", 0, "::1", 9464 },
		{ ":9100", 0, "0.0.0.0", 9100 }, { "[2001:db8::1]:1", 0, "2001:db8::1", 1 },
		{ "127.0.0.1", -EINVAL, NULL, 0 }, { "::1:9464", -EINVAL, NULL, 0 },
		{ "127.0.0.1:0", -EINVAL, NULL, 0 }, { "127.0.0.1:65536", -EINVAL, NULL, 0 },
		{ "127.0.0.1:9x", -EINVAL, NULL, 0 }, { "[::1]9464", -EINVAL, NULL, 0 },
		{ "", -EINVAL, NULL, 0 }, { "127.0.0.1:", -EINVAL, NULL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char host[64] = "";
		uint16_t port = 0;
		int r = metrics_parse_addr(cases[i].in, host, sizeof(host), &port);

		if (r != cases[i].ret)
			fail_msg("parse '%s': %d, want %d", cases[i].in, r, cases[i].ret);
		if (r == 0) {
			assert_string_equal(host, cases[i].host);
			assert_int_equal(port, cases[i].port);
		}
	}
}

/* ---- server ---- */

/* Run curl ARGS in a child while the loop serves; returns curl's stdout. */
static char *curl(struct event_base *base, const char *args)
{
	char path[] = "/tmp/xlb-test-curl-XXXXXX", cmd[512];
	int fd = mkstemp(path), status = 0;
	pid_t pid;
	FILE *fp;
	char *out = calloc(1, 1 << 20);

	close(fd);
	snprintf(cmd, sizeof(cmd), "curl -s -m 5 %s > %s", args, path);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) == 0)
		event_base_loop(base, EVLOOP_NONBLOCK), usleep(1000);
	fp = fopen(path, "r");
	fread(out, 1, (1 << 20) - 1, fp);
	fclose(fp);
	unlink(path);
	return out;
}

static void test_server(void **state)
{
	struct event_base *base = event_base_new();
	struct fake f = { 0 };
	uint16_t port = hct_free_port("127.0.0.1", SOCK_STREAM), p6 = hct_free_port("::1", SOCK_STREAM);
	char addr[64], url[128], *out, pt[8192];
	int blocker;

	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	assert_int_equal(metrics_start(base, "nonsense", &fake_src, &f), -EINVAL);
	assert_int_equal(metrics_start(base, addr, &fake_src, &f), 0);
	assert_int_equal(metrics_start(base, addr, &fake_src, &f), -EALREADY);

	snprintf(url, sizeof(url), "-D - http://%s/metrics", addr);
	out = curl(base, url);
	assert_non_null(strstr(out, "HTTP/1.1 200 OK"));
	assert_non_null(strstr(out, "Content-Type: text/plain; version=0.0.4; charset=utf-8"));
	assert_non_null(strstr(out, "\nxlb_vip_packets_total{vip=\"198.19.0.10:80/tcp\"} 100\n"));
	free(out);
	snprintf(url, sizeof(url), "http://%s/metrics", addr);
	out = curl(base, url);
	assert_int_equal(promtool(out, pt, sizeof(pt)), 0);
	free(out);
	snprintf(url, sizeof(url), "-o /dev/null -w '%%{http_code}' http://%s/nope", addr);
	out = curl(base, url);
	assert_string_equal(out, "404");
	free(out);
	snprintf(url, sizeof(url), "-o /dev/null -w '%%{http_code}' -X DELETE http://%s/metrics", addr);
	out = curl(base, url);
	if (strcmp(out, "405") != 0 && strcmp(out, "501") != 0)
		fail_msg("DELETE /metrics answered %s, want 405 or 501", out);
	free(out);
	metrics_stop();

	/* IPv6 form; and a port in use is reported as such */
	snprintf(addr, sizeof(addr), "[::1]:%u", p6);
	assert_int_equal(metrics_start(base, addr, &fake_src, &f), 0);
	snprintf(url, sizeof(url), "-g http://[::1]:%u/metrics", p6);
	out = curl(base, url);
	assert_non_null(strstr(out, "xlb_up 1\n"));
	free(out);
	metrics_stop();
	blocker = hct_bind("127.0.0.1", SOCK_STREAM, &port, 1);
	assert_true(blocker >= 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	assert_int_equal(metrics_start(base, addr, &fake_src, &f), -EADDRINUSE);
	close(blocker);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_values),
		cmocka_unit_test(test_families_grouped),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_promtool_with_health),
		cmocka_unit_test(test_empty_source),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_server),
	};

	if (access(PROMTOOL, X_OK) != 0) {
		printf("1..0 # SKIP %s not installed (Debian package prometheus)\n", PROMTOOL);
		return 0;
	}
	if (hct_private_netns() < 0) {
		printf("1..0 # SKIP cannot create a network namespace (needs root)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

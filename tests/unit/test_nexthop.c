// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_nexthop.c - nexthop.c against a real kernel.
 *
 * The test process moves itself into a new network namespace (unshare), and
 * a child holds a second one (the "peer", killed with us by
 * PR_SET_PDEATHSIG), joined by a veth pair:
 *
 *   this ns: nh0 02:00:00:00:01:00 mtu 1400      peer ns: nh1 02:00:00:00:02:00
 *            198.18.0.1/24, 198.18.0.100/24               198.18.0.2/24
 *            2001:db8::1/64                               2001:db8::2/64
 *   routes:  198.18.10.0/24 via 198.18.0.2
 *            198.18.20.0/24 via 198.18.0.2 src 198.18.0.100
 *            2001:db8:10::/64 via 2001:db8::2
 *            blackhole 198.18.50.0/24
 *
 * Both namespaces are anonymous: they vanish with the processes even when
 * the test crashes, so nothing can leak. The root namespace is never touched.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <event2/event.h>
#include "../../userspace/xlbd/nexthop.h"
#include "xlb_types.h"

static const uint8_t MAC_LOCAL[6] = { 0x02, 0, 0, 0, 0x01, 0 };
static const uint8_t MAC_PEER[6] = { 0x02, 0, 0, 0, 0x02, 0 };
static const uint8_t MAC_STATIC[6] = { 0x02, 0, 0, 0, 0, 0x05 };
static const uint8_t MAC_MOVED[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };

static struct {
	pid_t peer;
	struct event_base *base;
	struct nexthop_ctx *nh;
	int changes;		/* callback count */
	int skip_reason;
} T;

/* Run a shell command; returns its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st != 0)
		fprintf(stderr, "# command failed (%d): %s\n", st, cmd);
	return st;
}

#define PEER "nsenter --net=/proc/%d/ns/net "

static struct xlb_addr A(const char *s)
{
	struct xlb_addr a = { 0 };

	if (inet_pton(AF_INET, s, a.addr) == 1)
		a.family = XLB_AF_INET;
	else if (inet_pton(AF_INET6, s, a.addr) == 1)
		a.family = XLB_AF_INET6;
	else
		fail_msg("bad test address %s", s);
	return a;
}

static void assert_addr(const struct xlb_addr *got, const char *want)
{
	struct xlb_addr w = A(want);
	char buf[INET6_ADDRSTRLEN] = "?";

	if (got->family != w.family || memcmp(got->addr, w.addr, w.family == XLB_AF_INET ? 4 : 16)) {
		if (got->family)
			inet_ntop(got->family == XLB_AF_INET ? AF_INET : AF_INET6, got->addr, buf, sizeof(buf));
		fail_msg("address: got %s (family %u), want %s", buf, got->family, want);
	}
}

static void on_changed(void *arg)
{
	T.changes++;
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	*(int *)arg = 1;
}

/* Run the event loop until the callback fires again or ms pass; true if it fired. */
static int wait_changed(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	int start = T.changes, timed_out = 0;
	struct event *to = evtimer_new(T.base, on_timeout, &timed_out);

	evtimer_add(to, &tv);
	while (T.changes == start && !timed_out)
		event_base_loop(T.base, EVLOOP_ONCE);
	event_free(to);
	return T.changes != start;
}

/* Let pending events settle, then count from zero. */
static void quiesce(void)
{
	while (wait_changed(200))
		;
	T.changes = 0;
}

static int resolve(const char *dst, struct nexthop *nh)
{
	struct xlb_addr a = A(dst);

	return nexthop_resolve(T.nh, &a, nh);
}

static int group_setup(void **state)
{
	int pfd[2];
	char c;

	if (geteuid() != 0) {
		T.skip_reason = 1;
		return 0;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "# unshare(CLONE_NEWNET): %s\n", strerror(errno));
		T.skip_reason = 2;
		return 0;
	}
	if (pipe(pfd) < 0)
		return -1;
	T.peer = fork();
	if (T.peer < 0)
		return -1;
	if (T.peer == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1)
		return -1;
	close(pfd[0]);

	/*
	 * Quiet, deterministic namespaces: no IPv6 DAD (its completion would
	 * fire address events at random moments) and neighbours that stay
	 * REACHABLE for minutes (no STALE transitions mid-test).
	 */
#define QUIET "sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 " \
	"net.ipv6.conf.default.router_solicitations=0"
#define QUIET_NEIGH(dev) "sysctl -qw net.ipv4.neigh." dev ".base_reachable_time_ms=600000 " \
	"net.ipv6.neigh." dev ".base_reachable_time_ms=600000"
	if (sh(QUIET) || sh(PEER QUIET, T.peer) ||
	    sh("ip link set lo up") ||
	    sh("ip link add nh0 address 02:00:00:00:01:00 mtu 1400 type veth "
	       "peer name nh1 address 02:00:00:00:02:00 mtu 1400 netns %d", T.peer) ||
	    sh(QUIET_NEIGH("nh0")) ||
	    sh("ip addr add 198.18.0.1/24 dev nh0 && ip addr add 198.18.0.100/24 dev nh0 && "
	       "ip -6 addr add 2001:db8::1/64 dev nh0 nodad && ip link set nh0 up") ||
	    sh(PEER "sh -c 'ip link set lo up && ip addr add 198.18.0.2/24 dev nh1 && "
	       "ip -6 addr add 2001:db8::2/64 dev nh1 nodad && ip link set nh1 up'", T.peer) ||
	    sh("ip route add 198.18.10.0/24 via 198.18.0.2 && "
	       "ip route add 198.18.20.0/24 via 198.18.0.2 src 198.18.0.100 && "
	       "ip -6 route add 2001:db8:10::/64 via 2001:db8::2 && "
	       "ip route add blackhole 198.18.50.0/24 && "
	       "ip neigh replace 198.18.0.5 lladdr 02:00:00:00:00:05 dev nh0 nud permanent"))
		return -1;

	T.base = event_base_new();
	T.nh = nexthop_open(T.base, on_changed, NULL);
	if (!T.base || !T.nh)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	nexthop_close(T.nh);
	if (T.base)
		event_base_free(T.base);
	if (T.peer > 0) {
		kill(T.peer, SIGKILL);
		waitpid(T.peer, NULL, 0);
	}
	return 0;	/* our own namespace goes with the process */
}

static int test_setup(void **state)
{
	if (T.skip_reason == 1)
		skip();		/* not root: no namespaces */
	if (T.skip_reason == 2)
		skip();
	return 0;
}

static void test_state_str(void **state)
{
	assert_string_equal(nexthop_state_str(NH_RESOLVED), "resolved");
	assert_string_equal(nexthop_state_str(NH_INCOMPLETE), "incomplete");
	assert_string_equal(nexthop_state_str(NH_NO_ROUTE), "no_route");
	assert_string_equal(nexthop_state_str(NH_ERROR), "error");
}

/* On-link backend with a permanent neighbour entry. */
static void test_onlink_static(void **state)
{
	struct nexthop nh;

	assert_int_equal(resolve("198.18.0.5", &nh), 0);
	assert_int_equal(nh.state, NH_RESOLVED);
	assert_int_equal(nh.ifindex, if_nametoindex("nh0"));
	assert_string_equal(nh.ifname, "nh0");
	assert_memory_equal(nh.smac, MAC_LOCAL, 6);
	assert_memory_equal(nh.dmac, MAC_STATIC, 6);
	assert_int_equal(nh.mtu, 1400);
	assert_int_equal(nh.gateway.family, 0);
	assert_addr(&nh.src, "198.18.0.1");
}

static void test_no_route(void **state)
{
	static const char *const dsts[] = {
		"203.0.113.9",		/* no default route here */
		"198.18.50.1",		/* blackhole */
		"198.18.0.1",		/* our own address: local, not forwardable */
		"2001:db8:99::1",
	};
	struct nexthop nh;

	for (size_t i = 0; i < sizeof(dsts) / sizeof(dsts[0]); i++) {
		assert_int_equal(resolve(dsts[i], &nh), 0);
		if (nh.state != NH_NO_ROUTE)
			fail_msg("%s: state %s, want no_route", dsts[i], nexthop_state_str(nh.state));
	}
}

/* Gateway not yet in the neighbour table: INCOMPLETE, resolution triggered, callback, RESOLVED. */
static void test_gateway_resolves(void **state)
{
	struct nexthop nh;

	assert_int_equal(sh("ip neigh del 198.18.0.2 dev nh0 2>/dev/null; true"), 0);
	quiesce();
	assert_int_equal(resolve("198.18.10.7", &nh), 0);
	assert_int_equal(nh.state, NH_INCOMPLETE);
	assert_int_equal(nh.ifindex, if_nametoindex("nh0"));
	assert_addr(&nh.gateway, "198.18.0.2");
	assert_memory_equal(nh.smac, MAC_LOCAL, 6);
	assert_addr(&nh.src, "198.18.0.1");

	/* no packet was sent by the test: the kernel resolves because we asked */
	assert_true(wait_changed(3000));
	assert_int_equal(resolve("198.18.10.7", &nh), 0);
	assert_int_equal(nh.state, NH_RESOLVED);
	assert_memory_equal(nh.dmac, MAC_PEER, 6);
	assert_addr(&nh.gateway, "198.18.0.2");
	assert_int_equal(nh.mtu, 1400);
}

/* The route's "src" wins over the interface's first address. */
static void test_prefsrc(void **state)
{
	struct nexthop nh;

	assert_int_equal(resolve("198.18.20.9", &nh), 0);
	assert_addr(&nh.src, "198.18.0.100");
	assert_addr(&nh.gateway, "198.18.0.2");
}

/* A neighbour's MAC changing fires the callback, and resolve sees the new MAC. */
static void test_mac_change(void **state)
{
	struct nexthop nh;

	assert_int_equal(resolve("198.18.10.7", &nh), 0);	/* watch the gateway */
	quiesce();
	assert_int_equal(sh("ip neigh replace 198.18.0.2 lladdr 02:aa:bb:cc:dd:ee dev nh0 nud permanent"), 0);
	assert_true(wait_changed(2000));
	assert_int_equal(resolve("198.18.10.7", &nh), 0);
	assert_int_equal(nh.state, NH_RESOLVED);
	assert_memory_equal(nh.dmac, MAC_MOVED, 6);

	/* back to a learned entry: deleting it fires too, and it re-resolves */
	quiesce();
	assert_int_equal(sh("ip neigh del 198.18.0.2 dev nh0"), 0);
	assert_true(wait_changed(2000));
	assert_int_equal(resolve("198.18.10.7", &nh), 0);
	assert_int_equal(nh.state, NH_INCOMPLETE);
	assert_true(wait_changed(3000));
	assert_int_equal(resolve("198.18.10.7", &nh), 0);
	assert_int_equal(nh.state, NH_RESOLVED);
	assert_memory_equal(nh.dmac, MAC_PEER, 6);
}

/* Neighbours nobody resolved do not wake the daemon. */
static void test_unwatched_neighbour_quiet(void **state)
{
	quiesce();
	assert_int_equal(sh("ip neigh replace 198.18.0.77 lladdr 02:00:00:00:00:77 dev nh0 nud permanent"), 0);
	assert_false(wait_changed(300));
	assert_int_equal(sh("ip neigh del 198.18.0.77 dev nh0"), 0);
	assert_false(wait_changed(300));
}

/* A burst of changes gives one callback (debounced), not one per change. */
static void test_debounce(void **state)
{
	char path[] = "/tmp/test_nexthop_batchXXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (int i = 0; i < 20; i++)
		fprintf(f, "route replace 198.18.%d.0/24 via 198.18.0.2\n", 100 + i);
	for (int i = 0; i < 20; i++)
		fprintf(f, "route del 198.18.%d.0/24\n", 100 + i);
	fclose(f);
	quiesce();
	assert_int_equal(sh("ip -batch %s", path), 0);
	unlink(path);
	assert_true(wait_changed(1000));
	wait_changed(300);
	printf("# debounce: 40 route changes in one burst -> %d callback(s)\n", T.changes);
	assert_true(T.changes >= 1 && T.changes <= 2);
}

/* Link changes (MTU) fire the callback and show in the next resolve. */
static void test_link_change(void **state)
{
	struct nexthop nh;

	quiesce();
	assert_int_equal(sh("ip link set nh0 mtu 1300"), 0);
	assert_true(wait_changed(2000));
	assert_int_equal(resolve("198.18.0.5", &nh), 0);
	assert_int_equal(nh.mtu, 1300);
	assert_int_equal(sh("ip link set nh0 mtu 1400"), 0);
	assert_true(wait_changed(2000));
}

static void test_ipv6(void **state)
{
	struct nexthop nh;

	assert_int_equal(sh("ip -6 neigh del 2001:db8::2 dev nh0 2>/dev/null; true"), 0);
	quiesce();
	assert_int_equal(resolve("2001:db8:10::7", &nh), 0);
	assert_int_equal(nh.state, NH_INCOMPLETE);
	assert_addr(&nh.gateway, "2001:db8::2");
	assert_addr(&nh.src, "2001:db8::1");
	assert_int_equal(nh.ifindex, if_nametoindex("nh0"));

	assert_true(wait_changed(3000));
	assert_int_equal(resolve("2001:db8:10::7", &nh), 0);
	assert_int_equal(nh.state, NH_RESOLVED);
	assert_memory_equal(nh.dmac, MAC_PEER, 6);
	assert_memory_equal(nh.smac, MAC_LOCAL, 6);
	assert_int_equal(nh.mtu, 1400);

	/* on-link IPv6 backend: the neighbour is the backend itself */
	assert_int_equal(resolve("2001:db8::2", &nh), 0);
	assert_int_equal(nh.state, NH_RESOLVED);
	assert_int_equal(nh.gateway.family, 0);
	assert_memory_equal(nh.dmac, MAC_PEER, 6);
	assert_addr(&nh.src, "2001:db8::1");
}

/* A neighbour that never answers stays INCOMPLETE, never blocks. */
static void test_dead_neighbour(void **state)
{
	struct nexthop nh;

	assert_int_equal(resolve("198.18.0.99", &nh), 0);
	assert_int_equal(nh.state, NH_INCOMPLETE);
	assert_int_equal(nh.gateway.family, 0);
	wait_changed(500);
	assert_int_equal(resolve("198.18.0.99", &nh), 0);
	assert_int_equal(nh.state, NH_INCOMPLETE);
}

static void test_bad_input(void **state)
{
	struct xlb_addr bad = { .family = 5 };
	struct nexthop nh;

	assert_int_equal(nexthop_resolve(T.nh, &bad, &nh), -EINVAL);
	assert_int_equal(nh.state, NH_ERROR);
	assert_int_equal(nexthop_resolve(T.nh, NULL, &nh), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_str),
		cmocka_unit_test_setup(test_onlink_static, test_setup),
		cmocka_unit_test_setup(test_no_route, test_setup),
		cmocka_unit_test_setup(test_gateway_resolves, test_setup),
		cmocka_unit_test_setup(test_prefsrc, test_setup),
		cmocka_unit_test_setup(test_mac_change, test_setup),
		cmocka_unit_test_setup(test_unwatched_neighbour_quiet, test_setup),
		cmocka_unit_test_setup(test_debounce, test_setup),
		cmocka_unit_test_setup(test_link_change, test_setup),
		cmocka_unit_test_setup(test_ipv6, test_setup),
		cmocka_unit_test_setup(test_dead_neighbour, test_setup),
		cmocka_unit_test_setup(test_bad_input, test_setup),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_addr.c - the text forms of model.h (ADDR, VIP, CLIENT, prefixes,
 * durations, enum names): parse, format, round trip, every error message,
 * ordering and the BPF key of a VIP id.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "model.h"

static void assert_vip_roundtrip(const char *text)
{
	char err[XLB_ERR_LEN] = "", buf[XLB_VIP_STRLEN];
	struct xlb_vip_id v;

	assert_int_equal(xlb_vip_id_parse(text, &v, err), 0);
	xlb_vip_id_format(&v, buf, sizeof(buf));
	assert_string_equal(buf, text);
}

/* Parse must fail with -EINVAL and err must equal want exactly. */
static void assert_vip_error(const char *text, const char *want)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_vip_id v = { .port = 1234 };

	assert_int_equal(xlb_vip_id_parse(text, &v, err), -EINVAL);
	assert_string_equal(err, want);
	assert_int_equal(v.port, 1234);	/* output untouched on error */
}

static void test_addr_v4(void **state)
{
	char err[XLB_ERR_LEN] = "", buf[XLB_ADDR_STRLEN];
	struct xlb_addr a;

	assert_int_equal(xlb_addr_parse("203.0.113.10", &a, err), 0);
	assert_int_equal(a.family, XLB_AF_INET);
	assert_int_equal(a.addr[0], htonl(0xcb00710a));
	assert_int_equal(a.addr[1] | a.addr[2] | a.addr[3], 0);
	xlb_addr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "203.0.113.10");
}

static void test_addr_v6(void **state)
{
	char err[XLB_ERR_LEN] = "", buf[XLB_ADDR_STRLEN];
	struct xlb_addr a;
	const uint8_t *b = (const uint8_t *)a.addr;

	assert_int_equal(xlb_addr_parse("2001:db8:0:0::10", &a, err), 0);
	assert_int_equal(a.family, XLB_AF_INET6);
	assert_int_equal(b[0], 0x20);
	assert_int_equal(b[1], 0x01);
	assert_int_equal(b[15], 0x10);
	xlb_addr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::10");	/* canonical form */
}

static void test_addr_errors(void **state)
{
	static const char *bad[] = { "203.0.113.300", "", "2001:db8::g", "[2001:db8::1]", "1.2.3.4 ",
				     "example.com", "1.2.3", "::ffff:1.2.3.4.5" };
	char err[XLB_ERR_LEN], want[XLB_ERR_LEN];
	struct xlb_addr a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(xlb_addr_parse(bad[i], &a, err), -EINVAL);
		snprintf(want, sizeof(want), "bad address '%s'", bad[i]);
		assert_string_equal(err, want);
	}
	assert_int_equal(xlb_addr_parse("nope", &a, NULL), -EINVAL);	/* err may be NULL */
}

static void test_vip_parse(void **state)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_vip_id v;

	assert_int_equal(xlb_vip_id_parse("203.0.113.10:80/tcp", &v, err), 0);
	assert_int_equal(v.addr.family, XLB_AF_INET);
	assert_int_equal(v.port, 80);
	assert_int_equal(v.proto, IPPROTO_TCP);
	assert_int_equal(xlb_vip_id_parse("[2001:db8::10]:53/udp", &v, err), 0);
	assert_int_equal(v.addr.family, XLB_AF_INET6);
	assert_int_equal(v.port, 53);
	assert_int_equal(v.proto, IPPROTO_UDP);
	assert_int_equal(xlb_vip_id_parse("203.0.113.10:0/udp", &v, err), 0);
	assert_int_equal(v.port, 0);
	assert_int_equal(xlb_vip_id_parse("203.0.113.10:65535/tcp", &v, err), 0);
	assert_int_equal(v.port, 65535);
}

static void test_vip_roundtrip(void **state)
{
	assert_vip_roundtrip("203.0.113.10:80/tcp");
	assert_vip_roundtrip("203.0.113.10:0/udp");
	assert_vip_roundtrip("[2001:db8::10]:443/tcp");
	assert_vip_roundtrip("[2001:db8::10]:65535/udp");
	assert_vip_roundtrip("[::]:1/tcp");
}

static void test_vip_errors(void **state)
{
	assert_vip_error("203.0.113.10:80", "bad VIP '203.0.113.10:80': expected ADDR:PORT/PROTO");
	assert_vip_error("203.0.113.10/tcp", "bad VIP '203.0.113.10/tcp': expected ADDR:PORT/PROTO");
	assert_vip_error("", "bad VIP '': expected ADDR:PORT/PROTO");
	assert_vip_error("203.0.113.10:70000/tcp", "bad port '70000' in VIP '203.0.113.10:70000/tcp'");
	assert_vip_error("203.0.113.10:-1/tcp", "bad port '-1' in VIP '203.0.113.10:-1/tcp'");
	assert_vip_error("203.0.113.10:/tcp", "bad port '' in VIP '203.0.113.10:/tcp'");
	assert_vip_error("203.0.113.10:8x/tcp", "bad port '8x' in VIP '203.0.113.10:8x/tcp'");
	assert_vip_error("203.0.113.10:80/sctp",
			 "bad VIP '203.0.113.10:80/sctp': unknown protocol 'sctp' (tcp|udp)");
	assert_vip_error("203.0.113.10:80/TCP",
			 "bad VIP '203.0.113.10:80/TCP': unknown protocol 'TCP' (tcp|udp)");
	assert_vip_error("203.0.113.300:80/tcp",
			 "bad address '203.0.113.300' in VIP '203.0.113.300:80/tcp'");
	assert_vip_error("2001:db8::10:80/tcp",
			 "bad VIP '2001:db8::10:80/tcp': IPv6 addresses go in brackets: [ADDR]:PORT");
	assert_vip_error("[2001:db8::10]80/tcp",
			 "bad VIP '[2001:db8::10]80/tcp': expected ADDR:PORT/PROTO");
	assert_vip_error("[2001:db8::10:80/tcp",
			 "bad VIP '[2001:db8::10:80/tcp': expected ADDR:PORT/PROTO");
	assert_vip_error("[203.0.113.10]:80/tcp",
			 "bad VIP '[203.0.113.10]:80/tcp': brackets are only for IPv6 addresses");
	assert_vip_error("[2001:db8::zz]:80/tcp",
			 "bad address '2001:db8::zz' in VIP '[2001:db8::zz]:80/tcp'");
}

static void test_endpoint(void **state)
{
	char err[XLB_ERR_LEN] = "", buf[XLB_ADDR_STRLEN];
	struct xlb_addr a;
	uint16_t port = 0;

	assert_int_equal(xlb_endpoint_parse("198.18.0.5:40000", &a, &port, err), 0);
	xlb_addr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "198.18.0.5");
	assert_int_equal(port, 40000);
	assert_int_equal(xlb_endpoint_parse("[2001:db8::5]:1", &a, &port, err), 0);
	assert_int_equal(a.family, XLB_AF_INET6);
	assert_int_equal(port, 1);
	assert_int_equal(xlb_endpoint_parse("198.18.0.5", &a, &port, err), -EINVAL);
	assert_string_equal(err, "bad endpoint '198.18.0.5': expected ADDR:PORT or [V6ADDR]:PORT");
	assert_int_equal(xlb_endpoint_parse("198.18.0.5:99999", &a, &port, err), -EINVAL);
	assert_string_equal(err, "bad port '99999' in endpoint '198.18.0.5:99999'");
	assert_int_equal(xlb_endpoint_parse("198.18.0.5:80/tcp", &a, &port, err), -EINVAL);
	assert_string_equal(err, "bad port '80/tcp' in endpoint '198.18.0.5:80/tcp'");
	assert_int_equal(port, 1);
}

static void test_cmp(void **state)
{
	struct xlb_addr a4, b4, a6;
	struct xlb_vip_id v1, v2, v3;

	xlb_addr_parse("198.18.0.9", &a4, NULL);
	xlb_addr_parse("198.18.0.10", &b4, NULL);
	xlb_addr_parse("::1", &a6, NULL);
	assert_true(xlb_addr_cmp(&a4, &b4) < 0);	/* numeric, not textual */
	assert_true(xlb_addr_cmp(&b4, &a4) > 0);
	assert_int_equal(xlb_addr_cmp(&a4, &a4), 0);
	assert_true(xlb_addr_cmp(&a4, &a6) < 0);	/* IPv4 first */
	xlb_vip_id_parse("203.0.113.10:80/tcp", &v1, NULL);
	xlb_vip_id_parse("203.0.113.10:80/udp", &v2, NULL);
	xlb_vip_id_parse("203.0.113.10:443/tcp", &v3, NULL);
	assert_true(xlb_vip_id_cmp(&v1, &v2) < 0);
	assert_true(xlb_vip_id_cmp(&v1, &v3) < 0);
	assert_true(xlb_vip_id_cmp(&v2, &v3) < 0);	/* port before proto */
	assert_int_equal(xlb_vip_id_cmp(&v3, &v3), 0);
}

static void test_vip_key(void **state)
{
	struct xlb_vip_key k;
	struct xlb_vip_id v;

	memset(&k, 0xaa, sizeof(k));
	xlb_vip_id_parse("203.0.113.10:8080/udp", &v, NULL);
	xlb_vip_id_to_key(&v, &k);
	assert_int_equal(k.addr[0], htonl(0xcb00710a));
	assert_int_equal(k.addr[1] | k.addr[2] | k.addr[3], 0);
	assert_int_equal(k.port, htons(8080));
	assert_int_equal(k.proto, IPPROTO_UDP);
	assert_int_equal(k.family, XLB_AF_INET);
	xlb_vip_id_parse("[2001:db8::10]:0/tcp", &v, NULL);
	xlb_vip_id_to_key(&v, &k);
	assert_memory_equal(k.addr, v.addr.addr, 16);
	assert_int_equal(k.port, 0);
	assert_int_equal(k.family, XLB_AF_INET6);
}

static void test_enum_names(void **state)
{
	enum xlb_hash_mode h;
	enum xlb_hc_type t;
	enum xlb_all_down d;

	assert_string_equal(xlb_hash_mode_str(XLB_HASH_5TUPLE), "5tuple");
	assert_string_equal(xlb_hash_mode_str(XLB_HASH_SRC), "src");
	assert_string_equal(xlb_hc_type_str(XLB_HC_NONE), "none");
	assert_string_equal(xlb_hc_type_str(XLB_HC_UDP), "udp");
	assert_string_equal(xlb_all_down_str(XLB_ALL_DOWN_DROP), "drop");
	for (int i = XLB_HASH_5TUPLE; i <= XLB_HASH_SRC; i++) {
		assert_int_equal(xlb_hash_mode_parse(xlb_hash_mode_str(i), &h), 0);
		assert_int_equal(h, i);
	}
	for (int i = XLB_HC_NONE; i <= XLB_HC_UDP; i++) {
		assert_int_equal(xlb_hc_type_parse(xlb_hc_type_str(i), &t), 0);
		assert_int_equal(t, i);
	}
	for (int i = XLB_ALL_DOWN_KEEP; i <= XLB_ALL_DOWN_DROP; i++) {
		assert_int_equal(xlb_all_down_parse(xlb_all_down_str(i), &d), 0);
		assert_int_equal(d, i);
	}
	assert_int_equal(xlb_hash_mode_parse("random", &h), -EINVAL);
	assert_int_equal(xlb_hc_type_parse("icmp", &t), -EINVAL);
	assert_int_equal(xlb_all_down_parse("", &d), -EINVAL);
}

static void test_duration(void **state)
{
	static const struct { const char *s; uint32_t ms; } good[] = {
		{ "2s", 2000 }, { "500ms", 500 }, { "1m", 60000 }, { "1h", 3600000 }, { "30", 30000 },
		{ "1.5s", 1500 }, { "0", 0 }, { "0.25m", 15000 }, { "4294967295ms", 4294967295u },
	};
	static const char *bad[] = { "", "s", "2 s", "-1s", "2x", "1.5ms", "1.0001s", "5000000h", ".5s",
				     "2.s", "4294967296ms", "2sec", " 2s" };
	char buf[XLB_DURATION_STRLEN];
	uint32_t ms;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = 7;
		assert_int_equal(xlb_duration_parse(good[i].s, &ms), 0);
		assert_int_equal(ms, good[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ms = 7;
		assert_int_equal(xlb_duration_parse(bad[i], &ms), -EINVAL);
		assert_int_equal(ms, 7);
	}
	xlb_duration_format(2000, buf, sizeof(buf));
	assert_string_equal(buf, "2s");
	xlb_duration_format(1500, buf, sizeof(buf));
	assert_string_equal(buf, "1500ms");
	xlb_duration_format(120000, buf, sizeof(buf));
	assert_string_equal(buf, "2m");
	xlb_duration_format(7200000, buf, sizeof(buf));
	assert_string_equal(buf, "2h");
	xlb_duration_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "0s");
	for (uint32_t v = 0; v < 200000; v += 777) {	/* format -> parse is exact */
		xlb_duration_format(v, buf, sizeof(buf));
		assert_int_equal(xlb_duration_parse(buf, &ms), 0);
		assert_int_equal(ms, v);
	}
}

static void test_prefix(void **state)
{
	char err[XLB_ERR_LEN] = "", buf[64];
	struct xlb_addr a;
	uint8_t len = 0;

	assert_int_equal(xlb_prefix_parse("198.18.200.0/24", &a, &len, err), 0);
	assert_int_equal(len, 24);
	xlb_prefix_format(&a, len, buf, sizeof(buf));
	assert_string_equal(buf, "198.18.200.0/24");
	assert_int_equal(xlb_prefix_parse("2001:db8:ff::/64", &a, &len, err), 0);
	assert_int_equal(a.family, XLB_AF_INET6);
	assert_int_equal(len, 64);
	assert_int_equal(xlb_prefix_parse("198.18.200.1/32", &a, &len, err), 0);
	assert_int_equal(xlb_prefix_parse("198.18.200.1/24", &a, &len, err), -EINVAL);
	assert_string_equal(err, "prefix '198.18.200.1/24' has host bits set");
	assert_int_equal(xlb_prefix_parse("198.18.200.0/33", &a, &len, err), -EINVAL);
	assert_string_equal(err, "bad length in prefix '198.18.200.0/33' (1..32)");
	assert_int_equal(xlb_prefix_parse("198.18.200.0/0", &a, &len, err), -EINVAL);
	assert_int_equal(xlb_prefix_parse("2001:db8::/129", &a, &len, err), -EINVAL);
	assert_string_equal(err, "bad length in prefix '2001:db8::/129' (1..128)");
	assert_int_equal(xlb_prefix_parse("198.18.200.0", &a, &len, err), -EINVAL);
	assert_string_equal(err, "bad prefix '198.18.200.0': expected ADDR/LEN");
	assert_int_equal(xlb_prefix_parse("198.18.300.0/24", &a, &len, err), -EINVAL);
	assert_string_equal(err, "bad address in prefix '198.18.300.0/24'");
	assert_int_equal(xlb_prefix_parse("198.18.200.0/2x", &a, &len, err), -EINVAL);
	assert_int_equal(len, 32);
}

static void test_long_input_truncated(void **state)
{
	char text[600], err[XLB_ERR_LEN] = "";
	struct xlb_vip_id v;

	memset(text, '1', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(xlb_vip_id_parse(text, &v, err), -EINVAL);
	assert_true(strlen(err) < XLB_ERR_LEN);
	assert_non_null(strstr(err, "expected ADDR:PORT/PROTO"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_v4),
		cmocka_unit_test(test_addr_v6),
		cmocka_unit_test(test_addr_errors),
		cmocka_unit_test(test_vip_parse),
		cmocka_unit_test(test_vip_roundtrip),
		cmocka_unit_test(test_vip_errors),
		cmocka_unit_test(test_endpoint),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_vip_key),
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_long_input_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_config.c - the YAML configuration: the documented example loads into
 * the expected model; every kind of bad input is rejected with a message
 * that names the place (NAME:LINE:COL: PATH: problem) and leaves the output
 * model empty.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "config.h"

/* The example of the README "Configuration reference". */
static const char example[] =
	"interfaces: [eth0]\n"
	"settings:                 # optional\n"
	"  src4_prefix: 198.18.200.0/24\n"
	"  src6_prefix: 2001:db8:ff::/64\n"
	"  udp_idle: 30s\n"
	"  new_flows_per_cpu: 250000\n"
	"  ttl: 64\n"
	"vips:\n"
	"  - vip: 203.0.113.10:80/tcp\n"
	"    hash: 5tuple            # or: src\n"
	"    table_size: 65537\n"
	"    all_down: keep          # or: drop\n"
	"    health: {type: http, path: /healthz, port: 8080, host: example.com, status: [200, 204], interval: 2s, timeout: 1s, rise: 2, fall: 3, tunnel: false}\n"
	"    backends:\n"
	"      - {address: 198.18.1.11, weight: 100}\n"
	"      - {address: 198.18.1.12, weight: 100, health: {port: 8081}}\n"
	"  - vip: \"[2001:db8::10]:53/udp\"\n"
	"    hash: src\n"
	"    table_size: 7\n"
	"    all_down: drop\n"
	"    health: {type: udp, payload: \"ping\", expect: \"pong\", interval: 500ms, timeout: 500ms}\n"
	"    backends:\n"
	"      - address: 2001:db8:1::21\n"
	"      - address: 198.18.1.22       # 6in4\n"
	"        weight: 0\n"
	"        health: {payload_hex: \"00ff10\", expect_hex: \"\", rise: 1, fall: 100, tunnel: true}\n";

static int load(const char *yaml, struct xlb_model *m, char *err)
{
	err[0] = '\0';
	return xlb_config_load_string(yaml, strlen(yaml), m, err);
}

/* Loading must fail with -EINVAL, err == want, and the model must be empty. */
static void expect_err(const char *yaml, const char *want)
{
	char err[XLB_ERR_LEN];
	struct xlb_model m;

	memset(&m, 0x5a, sizeof(m));
	assert_int_equal(load(yaml, &m, err), -EINVAL);
	assert_string_equal(err, want);
	assert_int_equal(m.n_vips, 0);
	assert_null(m.vips);
	assert_int_equal(m.settings.n_interfaces, 0);
	xlb_model_free(&m);	/* harmless on the empty model */
}

/* One VIP line with `extra` lines appended under it. */
static void expect_vip_err(const char *extra, const char *want)
{
	char yaml[1024];

	snprintf(yaml, sizeof(yaml), "vips:\n  - vip: 203.0.113.10:80/tcp\n%s", extra);
	expect_err(yaml, want);
}

static void test_example(void **state)
{
	char err[XLB_ERR_LEN], buf[64];
	struct xlb_model m;
	const struct xlb_vip_spec *v;
	const struct xlb_health_spec *h;

	assert_int_equal(load(example, &m, err), 0);
	assert_string_equal(err, "");
	assert_int_equal(m.settings.n_interfaces, 1);
	assert_string_equal(m.settings.interfaces[0], "eth0");
	xlb_prefix_format(&m.settings.src4_prefix, m.settings.src4_len, buf, sizeof(buf));
	assert_string_equal(buf, "198.18.200.0/24");
	xlb_prefix_format(&m.settings.src6_prefix, m.settings.src6_len, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8:ff::/64");
	assert_int_equal(m.settings.udp_idle_sec, 30);
	assert_int_equal(m.settings.new_flows_per_cpu, 250000);
	assert_int_equal(m.settings.ttl, 64);
	assert_int_equal(m.n_vips, 2);

	v = &m.vips[0];
	xlb_vip_id_format(&v->id, buf, sizeof(buf));
	assert_string_equal(buf, "203.0.113.10:80/tcp");
	assert_int_equal(v->hash, XLB_HASH_5TUPLE);
	assert_int_equal(v->table_size, 65537);
	assert_int_equal(v->all_down, XLB_ALL_DOWN_KEEP);
	h = &v->health;
	assert_int_equal(h->set, XLB_HCF_TYPE | XLB_HCF_PATH | XLB_HCF_PORT | XLB_HCF_HOST | XLB_HCF_STATUS |
				 XLB_HCF_INTERVAL | XLB_HCF_TIMEOUT | XLB_HCF_RISE | XLB_HCF_FALL | XLB_HCF_TUNNEL);
	assert_int_equal(h->type, XLB_HC_HTTP);
	assert_string_equal(h->path, "/healthz");
	assert_int_equal(h->port, 8080);
	assert_string_equal(h->host, "example.com");
	assert_int_equal(h->n_status, 2);
	assert_int_equal(h->status[0], 200);
	assert_int_equal(h->status[1], 204);
	assert_int_equal(h->interval_ms, 2000);
	assert_int_equal(h->timeout_ms, 1000);
	assert_int_equal(h->rise, 2);
	assert_int_equal(h->fall, 3);
	assert_false(h->tunnel);
	assert_int_equal(v->n_backends, 2);
	xlb_addr_format(&v->backends[1].addr, buf, sizeof(buf));
	assert_string_equal(buf, "198.18.1.12");
	assert_int_equal(v->backends[0].weight, 100);
	assert_int_equal(v->backends[0].health.set, 0);
	assert_int_equal(v->backends[1].health.set, XLB_HCF_PORT);
	assert_int_equal(v->backends[1].health.port, 8081);

	v = &m.vips[1];
	xlb_vip_id_format(&v->id, buf, sizeof(buf));
	assert_string_equal(buf, "[2001:db8::10]:53/udp");
	assert_int_equal(v->hash, XLB_HASH_SRC);
	assert_int_equal(v->table_size, 7);
	assert_int_equal(v->all_down, XLB_ALL_DOWN_DROP);
	assert_int_equal(v->health.type, XLB_HC_UDP);
	assert_int_equal(v->health.payload_len, 4);
	assert_memory_equal(v->health.payload, "ping", 4);
	assert_int_equal(v->health.expect_len, 4);
	assert_memory_equal(v->health.expect, "pong", 4);
	assert_int_equal(v->health.interval_ms, 500);
	assert_int_equal(v->backends[0].addr.family, XLB_AF_INET6);
	assert_int_equal(v->backends[0].weight, XLB_DEFAULT_WEIGHT);	/* default */
	assert_int_equal(v->backends[1].addr.family, XLB_AF_INET);
	assert_int_equal(v->backends[1].weight, 0);
	h = &v->backends[1].health;
	assert_int_equal(h->set, XLB_HCF_PAYLOAD | XLB_HCF_EXPECT | XLB_HCF_RISE | XLB_HCF_FALL | XLB_HCF_TUNNEL);
	assert_int_equal(h->payload_len, 3);
	assert_memory_equal(h->payload, "\x00\xff\x10", 3);
	assert_int_equal(h->expect_len, 0);
	assert_int_equal(h->rise, 1);
	assert_int_equal(h->fall, 100);
	assert_true(h->tunnel);
	xlb_model_free(&m);
}

static void test_defaults_and_empty_sections(void **state)
{
	char err[XLB_ERR_LEN];
	struct xlb_model m;

	assert_int_equal(load("vips:\n", &m, err), 0);
	assert_int_equal(m.n_vips, 0);
	assert_int_equal(m.settings.ttl, XLB_DEFAULT_TTL);
	assert_int_equal(m.settings.udp_idle_sec, XLB_DEFAULT_UDP_IDLE_SEC);
	xlb_model_free(&m);
	assert_int_equal(load("interfaces: []\nsettings: {}\nvips: []\n", &m, err), 0);
	xlb_model_free(&m);
	assert_int_equal(load("vips:\n  - vip: 203.0.113.10:0/udp\n    backends:\n    health:\n", &m, err), 0);
	assert_int_equal(m.vips[0].table_size, XLB_MAGLEV_DEFAULT_SIZE);
	assert_int_equal(m.vips[0].hash, XLB_HASH_5TUPLE);
	assert_int_equal(m.vips[0].all_down, XLB_ALL_DOWN_KEEP);
	assert_int_equal(m.vips[0].health.set, 0);
	assert_int_equal(m.vips[0].n_backends, 0);
	xlb_model_free(&m);
	/* durations: units and bare seconds */
	assert_int_equal(load("settings: {udp_idle: 2m}\nvips:\n  - vip: 203.0.113.10:1/tcp\n"
			      "    health: {interval: 3, timeout: 1500ms}\n", &m, err), 0);
	assert_int_equal(m.settings.udp_idle_sec, 120);
	assert_int_equal(m.vips[0].health.interval_ms, 3000);
	assert_int_equal(m.vips[0].health.timeout_ms, 1500);
	xlb_model_free(&m);
	assert_int_equal(load("settings: {udp_idle: 0, new_flows_per_cpu: 0}\n", &m, err), 0);
	assert_int_equal(m.settings.udp_idle_sec, 0);	/* 0 = never */
	assert_int_equal(m.settings.new_flows_per_cpu, 0);	/* 0 = no limit */
	xlb_model_free(&m);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/test_config_XXXXXX", err[XLB_ERR_LEN] = "", want[XLB_ERR_LEN];
	struct xlb_model m;
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(example, f);
	fclose(f);
	assert_int_equal(xlb_config_load_file(path, &m, err), 0);
	assert_int_equal(m.n_vips, 2);
	xlb_model_free(&m);
	/* errors name the file */
	f = fopen(path, "w");
	fputs("interfaces: [eth0]\nvips:\n  - vip: 203.0.113.10:80/tcp\n    backends:\n"
	      "      - {address: 198.18.1.11, wieght: 100}\n", f);
	fclose(f);
	assert_int_equal(xlb_config_load_file(path, &m, err), -EINVAL);
	snprintf(want, sizeof(want), "%s:5:32: vips[0].backends[0]: unexpected key 'wieght'", path);
	assert_string_equal(err, want);
	assert_int_equal(m.n_vips, 0);
	unlink(path);
	assert_int_equal(xlb_config_load_file(path, &m, err), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
	assert_int_equal(xlb_config_load_file("/", &m, err), -EISDIR);
	assert_string_equal(err, "/: Is a directory");
	assert_int_equal(xlb_config_load_named("body", "vips: 1\n", 8, &m, err), -EINVAL);
	assert_string_equal(err, "body:1:7: vips: expected a list, got a single value");
}

static void test_empty(void **state)
{
	expect_err("", "config: empty configuration (expected keys interfaces, settings, vips)");
	expect_err("# only a comment\n\n", "config: empty configuration (expected keys interfaces, settings, vips)");
	expect_err("---\n", "config: empty configuration (expected keys interfaces, settings, vips)");
	expect_err("~\n", "config: empty configuration (expected keys interfaces, settings, vips)");
}

static void test_malformed(void **state)
{
	expect_err("interfaces: [eth0\n",
		   "config:2:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)");
	expect_err("interfaces: [eth0]\n\tsettings: {}\n",
		   "config:2:1: YAML syntax error: found character that cannot start any token (while scanning for the next token)");
	expect_err("vips:\n  - vip: 203.0.113.10:80/tcp\n   hash: src\n",
		   "config:3:4: YAML syntax error: did not find expected '-' indicator (while parsing a block collection)");
	expect_err("vips:\n  - vip: [2001:db8::10]:80/tcp\n",
		   "config:2:24: YAML syntax error: did not find expected key (while parsing a block mapping) (quote IPv6 VIPs: \"[2001:db8::10]:80/tcp\")");
	expect_err("- eth0\n", "config: expected a mapping, got a list");
	expect_err("just text\n", "config: expected a mapping, got a single value");
	expect_err("interfaces: eth0\n", "config:1:13: interfaces: expected a list, got a single value");
	expect_err("vips:\n  - vip: {a: 1}\n", "config:2:10: vips[0].vip: expected a single value, got a mapping");
	expect_err("interfaces: [eth0]\ninterfaces: [eth1]\n", "config:2:1: key 'interfaces' given twice");
	expect_vip_err("    hash: src\n    table_size: 7\n    hash: 5tuple\n", "config:5:5: vips[0]: key 'hash' given twice");
	expect_vip_err("    health: {status: 200}\n",
		       "config:3:22: vips[0].health.status: expected a list, got a single value");
}

static void test_unknown_keys(void **state)
{
	expect_err("interface: [eth0]\n", "config:1:1: unexpected key 'interface'");
	expect_err("settings:\n  ttl: 64\n  mtu: 1500\n", "config:3:3: settings: unexpected key 'mtu'");
	expect_vip_err("    hashing: src\n", "config:3:5: vips[0]: unexpected key 'hashing'");
	expect_vip_err("    backends:\n      - address: 198.18.1.11\n        wieght: 7\n",
		       "config:5:9: vips[0].backends[0]: unexpected key 'wieght'");
	expect_vip_err("    health: {type: tcp, intervall: 2s}\n",
		       "config:3:25: vips[0].health: unexpected key 'intervall'");
	expect_vip_err("    backends:\n      - {address: 198.18.1.1}\n      - {address: 198.18.1.2, health: {prot: 1}}\n",
		       "config:5:40: vips[0].backends[1].health: unexpected key 'prot'");
}

static void test_missing_keys(void **state)
{
	expect_err("vips:\n  - hash: src\n", "config:2:5: vips[0]: missing required key 'vip'");
	expect_vip_err("    backends:\n      - {address: 198.18.1.1}\n      - {weight: 1}\n",
		       "config:5:9: vips[0].backends[1]: missing required key 'address'");
}

static void test_bad_addresses(void **state)
{
	expect_err("vips:\n  - vip: 203.0.113.300:80/tcp\n",
		   "config:2:10: vips[0].vip: bad address '203.0.113.300' in VIP '203.0.113.300:80/tcp'");
	expect_err("vips:\n  - vip: 203.0.113.10:80\n",
		   "config:2:10: vips[0].vip: bad VIP '203.0.113.10:80': expected ADDR:PORT/PROTO");
	expect_err("vips:\n  - vip: 203.0.113.10:70000/tcp\n",
		   "config:2:10: vips[0].vip: bad port '70000' in VIP '203.0.113.10:70000/tcp'");
	expect_err("vips:\n  - vip: 203.0.113.10:80/sctp\n",
		   "config:2:10: vips[0].vip: bad VIP '203.0.113.10:80/sctp': unknown protocol 'sctp' (tcp|udp)");
	expect_vip_err("    backends:\n      - address: 198.18.1.256\n",
		       "config:4:18: vips[0].backends[0].address: bad address '198.18.1.256'");
	expect_err("settings: {src4_prefix: 2001:db8::/64}\n",
		   "config:1:25: settings.src4_prefix: '2001:db8::/64' is not an IPv4 prefix");
	expect_err("settings: {src6_prefix: 198.18.0.0/15}\n",
		   "config:1:25: settings.src6_prefix: '198.18.0.0/15' is not an IPv6 prefix");
	expect_err("settings: {src4_prefix: 198.18.200.1/24}\n",
		   "config:1:25: settings.src4_prefix: prefix '198.18.200.1/24' has host bits set");
}

static void test_duplicates(void **state)
{
	expect_err("vips:\n  - vip: 203.0.113.10:80/tcp\n  - vip: 203.0.113.11:80/tcp\n  - vip: 203.0.113.10:80/tcp\n",
		   "config:4:10: vips[2].vip: duplicate VIP 203.0.113.10:80/tcp (also vips[0])");
	expect_err("vips:\n  - vip: \"[2001:db8::10]:80/tcp\"\n  - vip: \"[2001:db8:0::10]:80/tcp\"\n",
		   "config:3:10: vips[1].vip: duplicate VIP [2001:db8::10]:80/tcp (also vips[0])");
	expect_vip_err("    backends:\n      - address: 198.18.1.11\n      - address: 2001:db8::1\n      - address: 198.18.1.11\n",
		       "config:6:18: vips[0].backends[2].address: duplicate backend 198.18.1.11 (also backends[0])");
	expect_err("interfaces: [eth0, eth1, eth0]\n",
		   "config:1:26: interfaces[2]: duplicate interface eth0 (also interfaces[0])");
}

static void test_bad_numbers(void **state)
{
	expect_vip_err("    backends:\n      - {address: 198.18.1.11, weight: 70000}\n",
		       "config:4:40: vips[0].backends[0].weight: 70000 is out of range (0..65535)");
	expect_vip_err("    backends:\n      - {address: 198.18.1.11, weight: -1}\n",
		       "config:4:40: vips[0].backends[0].weight: '-1' is not a number (0..65535)");
	expect_vip_err("    backends:\n      - {address: 198.18.1.11, weight: 99999999999999999999999}\n",
		       "config:4:40: vips[0].backends[0].weight: 99999999999999999999999 is out of range (0..65535)");
	expect_vip_err("    backends:\n      - {address: 198.18.1.11, weight: }\n",
		       "config:4:40: vips[0].backends[0].weight: missing value (a number 0..65535)");
	expect_vip_err("    table_size: 65536\n",
		       "config:3:17: vips[0].table_size: 65536 is not prime (e.g. 65537, 131071, 262139)");
	expect_vip_err("    table_size: 2000000\n",
		       "config:3:17: vips[0].table_size: 2000000 is out of range (2..1048573)");
	expect_vip_err("    table_size: 3\n    backends: [{address: 198.18.1.1}, {address: 198.18.1.2}, {address: 198.18.1.3}, {address: 198.18.1.4}]\n",
		       "config:3:17: vips[0].table_size: 3 is smaller than the number of backends (4)");
	expect_err("settings: {ttl: 256}\n", "config:1:17: settings.ttl: 256 is out of range (1..255)");
	expect_err("settings: {new_flows_per_cpu: 4294967296}\n",
		   "config:1:31: settings.new_flows_per_cpu: 4294967296 is out of range (0..4294967295)");
}

static void test_bad_enums(void **state)
{
	expect_vip_err("    hash: random\n", "config:3:11: vips[0].hash: unknown hash 'random' (5tuple|src)");
	expect_vip_err("    all_down: panic\n", "config:3:15: vips[0].all_down: unknown policy 'panic' (keep|drop)");
	expect_vip_err("    health: {type: icmp}\n",
		       "config:3:20: vips[0].health.type: unknown type 'icmp' (none|tcp|http|udp)");
	expect_vip_err("    health: {type: tcp, tunnel: maybe}\n",
		       "config:3:33: vips[0].health.tunnel: 'maybe' is not a boolean (true|false)");
}

static void test_bad_durations(void **state)
{
	expect_vip_err("    health: {interval: 2 s}\n",
		       "config:3:24: vips[0].health.interval: bad duration '2 s' (e.g. 2s, 500ms, 1m; a bare number is seconds)");
	expect_vip_err("    health: {timeout: -1s}\n",
		       "config:3:23: vips[0].health.timeout: bad duration '-1s' (e.g. 2s, 500ms, 1m; a bare number is seconds)");
	expect_vip_err("    health: {interval: soon}\n",
		       "config:3:24: vips[0].health.interval: bad duration 'soon' (e.g. 2s, 500ms, 1m; a bare number is seconds)");
	expect_vip_err("    health: {interval: 50ms, timeout: 10ms}\n",
		       "config:3:24: vips[0].health.interval: 50ms is out of range (100ms..1h)");
	expect_vip_err("    health: {interval: 1s, timeout: 2s}\n",
		       "config:3:37: vips[0].health.timeout: 2s is longer than the interval (1s)");
	expect_err("settings: {udp_idle: 1500ms}\n",
		   "config:1:22: settings.udp_idle: '1500ms' is not a whole number of seconds");
	expect_err("settings: {udp_idle: 2d}\n",
		   "config:1:22: settings.udp_idle: bad duration '2d' (e.g. 2s, 500ms, 1m; a bare number is seconds)");
	expect_err("settings: {udp_idle: 25h}\n",
		   "config:1:22: settings.udp_idle: 90000s is out of range (0..86400s; 0 = never)");
}

static void test_bad_health(void **state)
{
	expect_vip_err("    health: {type: udp}\n",
		       "config:3:13: vips[0].health.payload: udp checks need a payload (payload or payload_hex)");
	expect_vip_err("    health: {type: udp, payload: a, payload_hex: \"61\"}\n",
		       "config:3:50: vips[0].health.payload_hex: give payload or payload_hex, not both");
	expect_vip_err("    health: {type: udp, payload_hex: \"6\"}\n",
		       "config:3:38: vips[0].health.payload_hex: odd number of hex digits");
	expect_vip_err("    health: {type: udp, payload_hex: \"zz\"}\n",
		       "config:3:38: vips[0].health.payload_hex: 'zz' is not hex");
	expect_vip_err("    health: {type: http, status: [200, 99]}\n",
		       "config:3:40: vips[0].health.status[1]: 99 is out of range (100..599)");
	expect_vip_err("    health: {type: http, status: [200, 201, 202, 203, 204, 205, 206, 207, 208]}\n",
		       "config:3:34: vips[0].health.status: 9 codes, at most 8");
	expect_vip_err("    health: {type: http, status: []}\n",
		       "config:3:34: vips[0].health.status: needs at least 1 entry");
	expect_vip_err("    health: {type: http, path: healthz}\n",
		       "config:3:32: vips[0].health.path: must start with '/' and have no spaces (at most 127 characters)");
	expect_vip_err("    health: {rise: 0}\n", "config:3:20: vips[0].health.rise: 0 is out of range (1..100)");
	expect_vip_err("    health: {fall: 101}\n", "config:3:20: vips[0].health.fall: 101 is out of range (1..100)");
	expect_vip_err("    health: {port: 65536}\n", "config:3:20: vips[0].health.port: 65536 is out of range (0..65535)");
	/* a backend override that breaks the VIP's spec is named at the backend */
	expect_vip_err("    health: {type: tcp, interval: 1s, timeout: 500ms}\n"
		       "    backends:\n      - {address: 198.18.1.1, health: {timeout: 1500ms}}\n",
		       "config:5:49: vips[0].backends[0].health.timeout: 1500ms is longer than the interval (1s)");
	/* type none with other fields is fine */
	{
		char err[XLB_ERR_LEN];
		struct xlb_model m;

		assert_int_equal(load("vips:\n  - vip: 203.0.113.10:80/tcp\n    health: {type: none, port: 80, path: /x}\n",
				      &m, err), 0);
		xlb_model_free(&m);
	}
}

static void test_interfaces(void **state)
{
	expect_err("interfaces: [eth0, averyveryverylongname]\n",
		   "config:1:20: interfaces[1]: 'averyveryverylongname' is not an interface name (1..15 characters)");
	expect_err("interfaces: [\"\"]\n", "config:1:14: interfaces[0]: '' is not an interface name (1..15 characters)");
	expect_err("interfaces: [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q]\n",
		   "config:1:13: interfaces: 17 interfaces, at most 16");
}

/* Mutated documents never crash, leak or half-fill: ok + valid, or error + empty. */
static void test_mutations(void **state)
{
	static const char alphabet[] = " :-[]{},\n\t\"'#&*!|>%@`0123456789abcxyz./";
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	char buf[sizeof(example)], err[XLB_ERR_LEN];
	struct xlb_model m;
	int ok = 0, failed = 0;

	for (int round = 0; round < 3000; round++) {
		memcpy(buf, example, sizeof(example));
		for (int k = 0; k < 1 + round % 4; k++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			buf[rng % (sizeof(example) - 1)] = alphabet[(rng >> 32) % (sizeof(alphabet) - 1)];
		}
		if (load(buf, &m, err) == 0) {
			assert_int_equal(xlb_model_validate(&m, err), 0);
			ok++;
		} else {
			assert_true(strlen(err) > 0);
			assert_int_equal(m.n_vips, 0);
			assert_null(m.vips);
			failed++;
		}
		xlb_model_free(&m);
	}
	print_message("# mutations: %d loaded, %d rejected\n", ok, failed);
	assert_true(failed > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_defaults_and_empty_sections),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_missing_keys),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_bad_enums),
		cmocka_unit_test(test_bad_durations),
		cmocka_unit_test(test_bad_health),
		cmocka_unit_test(test_interfaces),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

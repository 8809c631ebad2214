// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_model_json.c - the JSON codec: exact encoding, round trips
 * (model -> JSON -> model, YAML -> model -> JSON text -> model), the accepted
 * duration forms, and every decoding error with its path.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "config.h"
#include "model_json.h"

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);

	if (!j)
		fail_msg("test JSON does not parse: %s: %s", text, jerr.text);
	return j;
}

/* Decode text as a model; must fail with want (exact) and leave it empty. */
static void expect_err(const char *text, const char *want)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_model m;
	json_t *j = parse(text);

	memset(&m, 0x5a, sizeof(m));
	assert_int_equal(xlb_model_from_json(j, &m, err), -EINVAL);
	assert_string_equal(err, want);
	assert_int_equal(m.n_vips, 0);
	assert_null(m.vips);
	json_decref(j);
}

static void expect_vip_err(const char *vip_members, const char *want)
{
	char text[1024];

	snprintf(text, sizeof(text), "{\"vips\": [{\"vip\": \"203.0.113.10:80/tcp\"%s}]}", vip_members);
	expect_err(text, want);
}

/* A model using every field: both families, binary payload, overrides. */
static void full_model(struct xlb_model *m)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_vip_spec v;
	struct xlb_backend_spec b;

	xlb_model_init(m);
	strcpy(m->settings.interfaces[0], "eth0");
	strcpy(m->settings.interfaces[1], "ens1f0np0");
	m->settings.n_interfaces = 2;
	assert_int_equal(xlb_prefix_parse("198.18.200.0/24", &m->settings.src4_prefix, &m->settings.src4_len, err), 0);
	assert_int_equal(xlb_prefix_parse("2001:db8:ff::/64", &m->settings.src6_prefix, &m->settings.src6_len, err), 0);
	m->settings.udp_idle_sec = 90;
	m->settings.new_flows_per_cpu = 0;
	m->settings.ttl = 3;

	xlb_vip_spec_init(&v);
	xlb_vip_id_parse("203.0.113.10:80/tcp", &v.id, NULL);
	v.hash = XLB_HASH_SRC;
	v.table_size = 131071;
	v.all_down = XLB_ALL_DOWN_DROP;
	v.health.type = XLB_HC_HTTP;
	strcpy(v.health.path, "/healthz?x=1");
	strcpy(v.health.host, "example.com");
	v.health.port = 8080;
	v.health.n_status = 3;
	v.health.status[0] = 200;
	v.health.status[1] = 204;
	v.health.status[2] = 301;
	v.health.interval_ms = 1500;
	v.health.timeout_ms = 700;
	v.health.rise = 5;
	v.health.fall = 7;
	v.health.tunnel = true;
	v.health.set = XLB_HCF_TYPE | XLB_HCF_PATH | XLB_HCF_HOST | XLB_HCF_PORT | XLB_HCF_STATUS |
		       XLB_HCF_INTERVAL | XLB_HCF_TIMEOUT | XLB_HCF_RISE | XLB_HCF_FALL | XLB_HCF_TUNNEL;
	xlb_backend_spec_init(&b);
	xlb_addr_parse("198.18.1.11", &b.addr, NULL);
	assert_int_equal(xlb_vip_add_backend(&v, &b, err), 0);
	xlb_addr_parse("2001:db8:1::12", &b.addr, NULL);
	b.weight = 0;
	b.health.port = 8081;
	b.health.tunnel = false;
	b.health.set = XLB_HCF_PORT | XLB_HCF_TUNNEL;
	assert_int_equal(xlb_vip_add_backend(&v, &b, err), 0);
	assert_int_equal(xlb_model_add_vip(m, &v, err), 0);
	xlb_vip_spec_free(&v);

	xlb_vip_spec_init(&v);
	xlb_vip_id_parse("[2001:db8::10]:0/udp", &v.id, NULL);
	v.table_size = 7;
	v.health.type = XLB_HC_UDP;
	memcpy(v.health.payload, "\x00\x01\xff\n", 4);
	v.health.payload_len = 4;
	memcpy(v.health.expect, "pong", 4);
	v.health.expect_len = 4;
	v.health.set = XLB_HCF_TYPE | XLB_HCF_PAYLOAD | XLB_HCF_EXPECT;
	xlb_backend_spec_init(&b);
	xlb_addr_parse("198.18.1.21", &b.addr, NULL);
	b.weight = 65535;
	assert_int_equal(xlb_vip_add_backend(&v, &b, err), 0);
	assert_int_equal(xlb_model_add_vip(m, &v, err), 0);
	xlb_vip_spec_free(&v);
	assert_int_equal(xlb_model_validate(m, err), 0);
}

static void test_roundtrip_model(void **state)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_model a, b;
	json_t *j, *k;
	char *text;

	full_model(&a);
	j = xlb_model_to_json(&a);
	assert_non_null(j);
	assert_int_equal(xlb_model_from_json(j, &b, err), 0);
	assert_string_equal(err, "");
	assert_true(xlb_model_equal(&a, &b));
	/* through text too, and the second encoding is identical */
	text = json_dumps(j, JSON_SORT_KEYS);
	xlb_model_free(&b);
	k = parse(text);
	assert_int_equal(xlb_model_from_json(k, &b, err), 0);
	assert_true(xlb_model_equal(&a, &b));
	json_decref(k);
	k = xlb_model_to_json(&b);
	assert_true(json_equal(j, k));
	free(text);
	json_decref(j);
	json_decref(k);
	xlb_model_free(&a);
	xlb_model_free(&b);
}

static void test_roundtrip_yaml(void **state)
{
	static const char yaml[] =
		"interfaces: [eth0, eth1]\n"
		"settings: {src4_prefix: 198.18.200.0/24, udp_idle: 1m, ttl: 10}\n"
		"vips:\n"
		"  - vip: 203.0.113.10:80/tcp\n"
		"    health: {type: http, path: /healthz, port: 8080, status: [200, 204], interval: 2s, timeout: 1s}\n"
		"    backends:\n"
		"      - {address: 198.18.1.11, weight: 100}\n"
		"      - {address: 198.18.1.12, weight: 100, health: {port: 8081}}\n"
		"  - vip: \"[2001:db8::10]:53/udp\"\n"
		"    hash: src\n"
		"    table_size: 7\n"
		"    health: {type: udp, payload_hex: \"00ff\", expect: pong}\n"
		"    backends: [{address: 2001:db8:1::1}]\n";
	char err[XLB_ERR_LEN] = "";
	struct xlb_model a, b;
	json_t *j, *k;
	char *text;

	assert_int_equal(xlb_config_load_string(yaml, sizeof(yaml) - 1, &a, err), 0);
	j = xlb_model_to_json(&a);
	text = json_dumps(j, JSON_COMPACT);
	k = parse(text);
	assert_int_equal(xlb_model_from_json(k, &b, err), 0);
	assert_true(xlb_model_equal(&a, &b));
	/* the binary payload went out as hex, the text one as text */
	assert_non_null(strstr(text, "\"payload_hex\":\"00ff\""));
	assert_non_null(strstr(text, "\"expect\":\"pong\""));
	free(text);
	json_decref(j);
	json_decref(k);
	xlb_model_free(&a);
	xlb_model_free(&b);
}

static void test_encoding_exact(void **state)
{
	static const char want[] =
		"{\"interfaces\":[\"eth0\"],"
		"\"settings\":{\"new_flows_per_cpu\":250000,\"ttl\":64,\"udp_idle\":\"30s\"},"
		"\"vips\":[{\"all_down\":\"keep\",\"backends\":["
		"{\"address\":\"198.18.1.11\",\"weight\":100},"
		"{\"address\":\"198.18.1.12\",\"health\":{\"port\":8081},\"weight\":100}],"
		"\"hash\":\"5tuple\",\"health\":{\"interval\":\"1500ms\",\"type\":\"tcp\"},"
		"\"table_size\":65537,\"vip\":\"203.0.113.10:80/tcp\"}]}";
	static const char yaml[] =
		"interfaces: [eth0]\n"
		"vips:\n"
		"  - vip: 203.0.113.10:80/tcp\n"
		"    health: {type: tcp, interval: 1.5s}\n"
		"    backends:\n"
		"      - {address: 198.18.1.11}\n"
		"      - {address: 198.18.1.12, health: {port: 8081}}\n";
	char err[XLB_ERR_LEN] = "";
	struct xlb_model m;
	json_t *j;
	char *text;

	assert_int_equal(xlb_config_load_string(yaml, sizeof(yaml) - 1, &m, err), 0);
	j = xlb_model_to_json(&m);
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, want);
	free(text);
	json_decref(j);
	xlb_model_free(&m);
}

static void test_duration_forms(void **state)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_health_spec h;
	json_t *j;

	j = parse("{\"interval\": 2.5, \"timeout\": \"750ms\"}");
	assert_int_equal(xlb_health_from_json(j, &h, err), 0);
	assert_int_equal(h.interval_ms, 2500);
	assert_int_equal(h.timeout_ms, 750);
	assert_int_equal(h.set, XLB_HCF_INTERVAL | XLB_HCF_TIMEOUT);
	json_decref(j);
	j = parse("{\"interval_ms\": 3000, \"timeout_ms\": 10}");
	assert_int_equal(xlb_health_from_json(j, &h, err), 0);
	assert_int_equal(h.interval_ms, 3000);
	assert_int_equal(h.timeout_ms, 10);
	json_decref(j);
	j = parse("{\"interval\": 2, \"interval_ms\": 2000}");
	assert_int_equal(xlb_health_from_json(j, &h, err), -EINVAL);
	assert_string_equal(err, "interval: give interval or interval_ms, not both");
	json_decref(j);
	j = parse("{\"timeout\": 0.0001}");
	assert_int_equal(xlb_health_from_json(j, &h, err), -EINVAL);
	assert_string_equal(err, "timeout: bad duration 0.0001 (seconds, whole milliseconds)");
	json_decref(j);
	j = parse("{\"timeout_ms\": \"10\"}");
	assert_int_equal(xlb_health_from_json(j, &h, err), -EINVAL);
	assert_string_equal(err, "timeout_ms: expected an integer (0..4294967295)");
	json_decref(j);
}

static void test_standalone_objects(void **state)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_vip_spec v;
	struct xlb_backend_spec b;
	json_t *j;

	j = parse("{\"vip\": \"[2001:db8::1]:443/tcp\", \"backends\": [{\"address\": \"198.18.0.1\", \"weight\": 3}]}");
	assert_int_equal(xlb_vip_from_json(j, &v, err), 0);
	assert_int_equal(v.n_backends, 1);
	assert_int_equal(v.backends[0].weight, 3);
	assert_int_equal(v.table_size, XLB_MAGLEV_DEFAULT_SIZE);
	xlb_vip_spec_free(&v);
	json_decref(j);
	j = parse("{\"vip\": \"203.0.113.1:1/tcp\", \"backends\": [{\"address\": \"198.18.0.1\"}, {\"address\": \"198.18.0.1\"}]}");
	assert_int_equal(xlb_vip_from_json(j, &v, err), -EINVAL);
	assert_string_equal(err, "backends[1].address: duplicate backend 198.18.0.1 (also backends[0])");
	assert_null(v.backends);
	json_decref(j);
	j = parse("{\"vip\": \"203.0.113.1:1/tcp\", \"backends\": [{\"address\": \"198.18.0.1\", \"weight\": 1.5}]}");
	assert_int_equal(xlb_vip_from_json(j, &v, err), -EINVAL);
	assert_string_equal(err, "backends[0].weight: expected an integer (0..65535)");
	json_decref(j);
	j = parse("{\"address\": \"2001:db8::7\", \"health\": {\"type\": \"tcp\"}}");
	assert_int_equal(xlb_backend_from_json(j, &b, err), 0);
	assert_int_equal(b.weight, XLB_DEFAULT_WEIGHT);
	assert_int_equal(b.health.set, XLB_HCF_TYPE);
	json_decref(j);
	j = parse("{\"weight\": 1}");
	assert_int_equal(xlb_backend_from_json(j, &b, err), -EINVAL);
	assert_string_equal(err, "missing required key 'address'");
	json_decref(j);
	j = parse("{\"address\": \"198.18.0.1\", \"weigth\": 1}");
	assert_int_equal(xlb_backend_from_json(j, &b, err), -EINVAL);
	assert_string_equal(err, "unexpected key 'weigth'");
	json_decref(j);
	j = parse("[1]");
	assert_int_equal(xlb_backend_from_json(j, &b, err), -EINVAL);
	assert_string_equal(err, "expected an object");
	json_decref(j);
}

static void test_decode_errors(void **state)
{
	expect_err("[]", "expected a JSON object with interfaces, settings, vips");
	expect_err("{\"vip\": []}", "unexpected key 'vip'");
	expect_err("{\"settings\": {\"mtu\": 1}}", "settings: unexpected key 'mtu'");
	expect_err("{\"settings\": []}", "settings: expected an object");
	expect_err("{\"settings\": {\"ttl\": 0}}", "settings.ttl: 0 is out of range (1..255)");
	expect_err("{\"settings\": {\"udp_idle\": \"500ms\"}}", "settings.udp_idle: not a whole number of seconds");
	expect_err("{\"settings\": {\"src4_prefix\": \"2001:db8::/32\"}}",
		   "settings.src4_prefix: '2001:db8::/32' is not an IPv4 prefix");
	expect_err("{\"interfaces\": \"eth0\"}", "interfaces: expected a list of interface names");
	expect_err("{\"interfaces\": [\"eth0\", 1]}", "interfaces[1]: expected a string");
	expect_err("{\"interfaces\": [\"eth0\", \"eth0\"]}", "interfaces[1]: duplicate interface eth0 (also interfaces[0])");
	expect_err("{\"vips\": {}}", "vips: expected a list");
	expect_err("{\"vips\": [1]}", "vips[0]: expected an object");
	expect_err("{\"vips\": [{\"hash\": \"src\"}]}", "vips[0]: missing required key 'vip'");
	expect_err("{\"vips\": [{\"vip\": 80}]}", "vips[0].vip: expected a string");
	expect_err("{\"vips\": [{\"vip\": \"203.0.113.10:80/sctp\"}]}",
		   "vips[0].vip: bad VIP '203.0.113.10:80/sctp': unknown protocol 'sctp' (tcp|udp)");
	expect_err("{\"vips\": [{\"vip\": \"203.0.113.10:80/tcp\"}, {\"vip\": \"203.0.113.10:80/tcp\"}]}",
		   "vips[1].vip: duplicate VIP 203.0.113.10:80/tcp (also vips[0])");
	expect_vip_err(", \"wieght\": 1", "vips[0]: unexpected key 'wieght'");
	expect_vip_err(", \"hash\": \"rr\"", "vips[0].hash: unknown hash 'rr' (5tuple|src)");
	expect_vip_err(", \"all_down\": 1", "vips[0].all_down: expected a string");
	expect_vip_err(", \"table_size\": 65536", "vips[0].table_size: 65536 is not prime (e.g. 65537, 131071, 262139)");
	expect_vip_err(", \"table_size\": -7", "vips[0].table_size: -7 is out of range (2..1048573)");
	expect_vip_err(", \"backends\": {}", "vips[0].backends: expected a list");
	expect_vip_err(", \"backends\": [{\"address\": \"198.18.1.300\"}]",
		       "vips[0].backends[0].address: bad address '198.18.1.300'");
	expect_vip_err(", \"backends\": [{\"address\": \"198.18.1.1\", \"weight\": 70000}]",
		       "vips[0].backends[0].weight: 70000 is out of range (0..65535)");
	expect_vip_err(", \"backends\": [{\"address\": \"198.18.1.1\", \"health\": {\"prot\": 1}}]",
		       "vips[0].backends[0].health: unexpected key 'prot'");
	expect_vip_err(", \"health\": {\"type\": \"icmp\"}", "vips[0].health.type: unknown type 'icmp' (none|tcp|http|udp)");
	expect_vip_err(", \"health\": {\"type\": \"udp\"}",
		       "vips[0].health.payload: udp checks need a payload (payload or payload_hex)");
	expect_vip_err(", \"health\": {\"payload\": \"a\", \"payload_hex\": \"61\"}",
		       "vips[0].health.payload_hex: give payload or payload_hex, not both");
	expect_vip_err(", \"health\": {\"expect_hex\": \"0g\"}", "vips[0].health.expect_hex: '0g' is not hex");
	expect_vip_err(", \"health\": {\"status\": [200, 600]}",
		       "vips[0].health.status[1]: 600 is out of range (100..599)");
	expect_vip_err(", \"health\": {\"status\": []}", "vips[0].health.status: expected a list of HTTP status codes");
	expect_vip_err(", \"health\": {\"interval\": \"2 s\"}",
		       "vips[0].health.interval: bad duration '2 s' (e.g. 2s, 500ms, 1m; a bare number is seconds)");
	expect_vip_err(", \"health\": {\"interval\": true}",
		       "vips[0].health.interval: expected a duration (\"2s\", \"500ms\" or a number of seconds)");
	expect_vip_err(", \"health\": {\"interval\": \"50ms\", \"timeout\": \"10ms\"}",
		       "vips[0].health.interval: 50ms is out of range (100ms..1h)");
	expect_vip_err(", \"health\": {\"rise\": 0}", "vips[0].health.rise: 0 is out of range (1..100)");
	expect_vip_err(", \"health\": {\"tunnel\": \"yes\"}", "vips[0].health.tunnel: expected true or false");
	expect_vip_err(", \"health\": {\"path\": 5}", "vips[0].health.path: expected a string");
}

static void test_null_sections(void **state)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_model m;
	json_t *j = parse("{\"interfaces\": null, \"settings\": null, \"vips\": null}");

	assert_int_equal(xlb_model_from_json(j, &m, err), 0);
	assert_int_equal(m.n_vips, 0);
	assert_int_equal(m.settings.ttl, XLB_DEFAULT_TTL);
	json_decref(j);
	j = parse("{}");
	assert_int_equal(xlb_model_from_json(j, &m, err), 0);
	json_decref(j);
	xlb_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_model),
		cmocka_unit_test(test_roundtrip_yaml),
		cmocka_unit_test(test_encoding_exact),
		cmocka_unit_test(test_duration_forms),
		cmocka_unit_test(test_standalone_objects),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_null_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

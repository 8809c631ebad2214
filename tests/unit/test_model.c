// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_model.c - struct xlb_model: defaults, deep copy, health inheritance,
 * find/add/del (and that a failed edit changes nothing), and every
 * validation rule with its exact message.
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
#include <cmocka.h>
#include "model.h"

static struct xlb_vip_spec mkvip(const char *id)
{
	struct xlb_vip_spec v;

	xlb_vip_spec_init(&v);
	assert_int_equal(xlb_vip_id_parse(id, &v.id, NULL), 0);
	return v;
}

static struct xlb_backend_spec mkbe(const char *addr, uint32_t weight)
{
	struct xlb_backend_spec b;

	xlb_backend_spec_init(&b);
	assert_int_equal(xlb_addr_parse(addr, &b.addr, NULL), 0);
	b.weight = weight;
	return b;
}

/* Two VIPs (v4 and v6), backends of both families (4in6 / 6in4). */
static void build_model(struct xlb_model *m)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_vip_spec v;
	struct xlb_backend_spec b;

	xlb_model_init(m);
	v = mkvip("203.0.113.10:80/tcp");
	b = mkbe("198.18.1.11", 100);
	assert_int_equal(xlb_vip_add_backend(&v, &b, err), 0);
	b = mkbe("2001:db8:1::12", 50);
	assert_int_equal(xlb_vip_add_backend(&v, &b, err), 0);
	assert_int_equal(xlb_model_add_vip(m, &v, err), 0);
	xlb_vip_spec_free(&v);
	v = mkvip("[2001:db8::10]:53/udp");
	v.health.type = XLB_HC_UDP;
	v.health.payload_len = 4;
	memcpy(v.health.payload, "ping", 4);
	v.health.set = XLB_HCF_TYPE | XLB_HCF_PAYLOAD;
	b = mkbe("198.18.1.21", 1);
	assert_int_equal(xlb_vip_add_backend(&v, &b, err), 0);
	assert_int_equal(xlb_model_add_vip(m, &v, err), 0);
	xlb_vip_spec_free(&v);
	assert_int_equal(xlb_model_validate(m, err), 0);
}

/* xlb_model_validate must fail with want (exact), ret -EINVAL unless given. */
static void expect_invalid(const struct xlb_model *m, const char *want)
{
	char err[XLB_ERR_LEN] = "";

	assert_int_not_equal(xlb_model_validate(m, err), 0);
	assert_string_equal(err, want);
}

static void test_init_defaults(void **state)
{
	struct xlb_model m;
	struct xlb_health_spec h;
	struct xlb_vip_spec v;
	struct xlb_backend_spec b;
	char err[XLB_ERR_LEN] = "";

	xlb_model_init(&m);
	assert_int_equal(m.n_vips, 0);
	assert_null(m.vips);
	assert_int_equal(m.settings.udp_idle_sec, XLB_DEFAULT_UDP_IDLE_SEC);
	assert_int_equal(m.settings.new_flows_per_cpu, XLB_DEFAULT_NEW_FLOWS_PER_CPU);
	assert_int_equal(m.settings.ttl, XLB_DEFAULT_TTL);
	assert_int_equal(m.settings.src4_prefix.family, 0);
	assert_int_equal(xlb_model_validate(&m, err), 0);	/* empty model is valid */
	xlb_health_defaults(&h);
	assert_int_equal(h.set, 0);
	assert_int_equal(h.type, XLB_HC_NONE);
	assert_int_equal(h.interval_ms, 2000);
	assert_int_equal(h.timeout_ms, 1000);
	assert_int_equal(h.rise, 2);
	assert_int_equal(h.fall, 3);
	assert_string_equal(h.path, "/");
	assert_int_equal(h.n_status, 1);
	assert_int_equal(h.status[0], 200);
	xlb_vip_spec_init(&v);
	assert_int_equal(v.table_size, XLB_MAGLEV_DEFAULT_SIZE);
	assert_int_equal(v.hash, XLB_HASH_5TUPLE);
	assert_int_equal(v.all_down, XLB_ALL_DOWN_KEEP);
	xlb_backend_spec_init(&b);
	assert_int_equal(b.weight, XLB_DEFAULT_WEIGHT);
	xlb_model_free(&m);
	xlb_model_free(&m);	/* free leaves an empty model: twice is fine */
}

static void test_copy_is_deep(void **state)
{
	struct xlb_model a, b;

	build_model(&a);
	assert_int_equal(xlb_model_copy(&b, &a), 0);
	assert_true(xlb_model_equal(&a, &b));
	assert_ptr_not_equal(a.vips, b.vips);
	assert_ptr_not_equal(a.vips[0].backends, b.vips[0].backends);
	b.vips[0].backends[0].weight = 7;
	assert_int_equal(a.vips[0].backends[0].weight, 100);
	assert_false(xlb_model_equal(&a, &b));
	xlb_model_free(&a);
	xlb_model_free(&b);
}

static void test_find(void **state)
{
	struct xlb_model m;
	struct xlb_vip_id id;
	struct xlb_addr a;
	struct xlb_vip_spec *v;

	build_model(&m);
	xlb_vip_id_parse("[2001:db8::10]:53/udp", &id, NULL);
	v = xlb_model_find_vip(&m, &id);
	assert_ptr_equal(v, &m.vips[1]);
	xlb_addr_parse("198.18.1.21", &a, NULL);
	assert_ptr_equal(xlb_vip_find_backend(v, &a), &v->backends[0]);
	xlb_addr_parse("198.18.1.22", &a, NULL);
	assert_null(xlb_vip_find_backend(v, &a));
	xlb_vip_id_parse("[2001:db8::10]:53/tcp", &id, NULL);
	assert_null(xlb_model_find_vip(&m, &id));
	xlb_model_free(&m);
}

static void test_add_del_vip(void **state)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_model m, before;
	struct xlb_vip_spec v;
	struct xlb_vip_id id;

	build_model(&m);
	xlb_model_copy(&before, &m);
	v = mkvip("203.0.113.10:80/tcp");
	assert_int_equal(xlb_model_add_vip(&m, &v, err), -EEXIST);
	assert_string_equal(err, "VIP 203.0.113.10:80/tcp already exists");
	v = mkvip("203.0.113.11:80/tcp");
	v.table_size = 65536;
	assert_int_equal(xlb_model_add_vip(&m, &v, err), -EINVAL);
	assert_string_equal(err, "VIP 203.0.113.11:80/tcp: table_size: 65536 is not prime (e.g. 65537, 131071, 262139)");
	assert_true(xlb_model_equal(&m, &before));	/* failed edits change nothing */
	xlb_vip_id_parse("203.0.113.99:80/tcp", &id, NULL);
	assert_int_equal(xlb_model_del_vip(&m, &id, err), -ENOENT);
	assert_string_equal(err, "VIP 203.0.113.99:80/tcp not found");
	assert_true(xlb_model_equal(&m, &before));
	xlb_vip_id_parse("203.0.113.10:80/tcp", &id, NULL);
	assert_int_equal(xlb_model_del_vip(&m, &id, err), 0);
	assert_int_equal(m.n_vips, 1);
	assert_null(xlb_model_find_vip(&m, &id));
	assert_int_equal(m.vips[0].id.port, 53);
	xlb_model_free(&m);
	xlb_model_free(&before);
}

static void test_add_del_backend(void **state)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_vip_spec v = mkvip("203.0.113.10:80/tcp");
	struct xlb_backend_spec b = mkbe("198.18.1.11", 100);
	struct xlb_addr a;

	assert_int_equal(xlb_vip_add_backend(&v, &b, err), 0);
	assert_int_equal(xlb_vip_add_backend(&v, &b, err), -EEXIST);
	assert_string_equal(err, "VIP 203.0.113.10:80/tcp: backend 198.18.1.11 already exists");
	b = mkbe("198.18.1.12", 70000);
	assert_int_equal(xlb_vip_add_backend(&v, &b, err), -EINVAL);
	assert_string_equal(err, "VIP 203.0.113.10:80/tcp: backend 198.18.1.12: weight: 70000 is out of range (0..65535)");
	b = mkbe("198.18.1.12", 0);	/* weight 0 = drain: valid */
	b.health.timeout_ms = 5000;
	b.health.set = XLB_HCF_TIMEOUT;
	assert_int_equal(xlb_vip_add_backend(&v, &b, err), -EINVAL);
	assert_string_equal(err, "VIP 203.0.113.10:80/tcp: backend 198.18.1.12: health.timeout: 5s is longer than the interval (2s)");
	assert_int_equal(v.n_backends, 1);
	b.health.set = 0;
	assert_int_equal(xlb_vip_add_backend(&v, &b, err), 0);
	assert_int_equal(v.n_backends, 2);
	xlb_addr_parse("198.18.1.13", &a, NULL);
	assert_int_equal(xlb_vip_del_backend(&v, &a, err), -ENOENT);
	assert_string_equal(err, "VIP 203.0.113.10:80/tcp: backend 198.18.1.13 not found");
	xlb_addr_parse("198.18.1.11", &a, NULL);
	assert_int_equal(xlb_vip_del_backend(&v, &a, err), 0);
	assert_int_equal(v.n_backends, 1);
	assert_int_equal(v.backends[0].weight, 0);
	xlb_addr_parse("198.18.1.12", &a, NULL);
	assert_int_equal(xlb_vip_del_backend(&v, &a, err), 0);
	assert_int_equal(v.n_backends, 0);
	xlb_vip_spec_free(&v);
}

static void test_table_smaller_than_backends(void **state)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_vip_spec v = mkvip("203.0.113.10:80/tcp");
	struct xlb_backend_spec b;
	char a[32];

	v.table_size = 3;
	for (int i = 0; i < 3; i++) {
		snprintf(a, sizeof(a), "198.18.1.%d", i + 1);
		b = mkbe(a, 1);
		assert_int_equal(xlb_vip_add_backend(&v, &b, err), 0);
	}
	b = mkbe("198.18.1.99", 1);
	assert_int_equal(xlb_vip_add_backend(&v, &b, err), -ENOSPC);
	assert_string_equal(err, "VIP 203.0.113.10:80/tcp: more backends than table_size (3) slots");
	xlb_vip_spec_free(&v);
}

static void test_health_effective(void **state)
{
	struct xlb_vip_spec v = mkvip("203.0.113.10:80/tcp");
	struct xlb_backend_spec b = mkbe("198.18.1.11", 1);
	struct xlb_health_spec h;

	v.health.type = XLB_HC_HTTP;
	strcpy(v.health.path, "/healthz");
	v.health.port = 8080;
	v.health.interval_ms = 5000;
	v.health.set = XLB_HCF_TYPE | XLB_HCF_PATH | XLB_HCF_PORT | XLB_HCF_INTERVAL;
	b.health.port = 8081;
	b.health.interval_ms = 1;	/* not in .set: ignored */
	b.health.set = XLB_HCF_PORT;
	xlb_health_effective(&v, &b, &h);
	assert_int_equal(h.type, XLB_HC_HTTP);
	assert_string_equal(h.path, "/healthz");
	assert_int_equal(h.port, 8081);
	assert_int_equal(h.interval_ms, 5000);
	assert_int_equal(h.timeout_ms, 1000);	/* default */
	assert_int_equal(h.rise, 2);
	xlb_health_effective(&v, NULL, &h);
	assert_int_equal(h.port, 8080);
	v.health.interval_ms = 0;	/* a zeroed spec with set = 0 still means defaults */
	v.health.set = 0;
	xlb_health_effective(&v, NULL, &h);
	assert_int_equal(h.type, XLB_HC_NONE);
	assert_int_equal(h.interval_ms, 2000);
}

static void test_validate_messages(void **state)
{
	struct xlb_model m;

	build_model(&m);
	m.vips[1].backends[0].weight = 70000;
	expect_invalid(&m, "vips[1].backends[0].weight: 70000 is out of range (0..65535)");
	m.vips[1].backends[0].weight = 65535;
	assert_int_equal(xlb_model_validate(&m, NULL), 0);

	m.vips[0].table_size = 65536;
	expect_invalid(&m, "vips[0].table_size: 65536 is not prime (e.g. 65537, 131071, 262139)");
	m.vips[0].table_size = XLB_MAGLEV_MAX_SIZE + 2;
	expect_invalid(&m, "vips[0].table_size: 1048575 is out of range (a prime, 2..1048573)");
	m.vips[0].table_size = 1;
	expect_invalid(&m, "vips[0].table_size: 1 is out of range (a prime, 2..1048573)");
	m.vips[0].table_size = 7;	/* small primes are fine */
	assert_int_equal(xlb_model_validate(&m, NULL), 0);

	m.vips[1].id = m.vips[0].id;
	expect_invalid(&m, "vips[1].vip: duplicate VIP 203.0.113.10:80/tcp (also vips[0])");
	xlb_vip_id_parse("203.0.113.10:80/udp", &m.vips[1].id, NULL);	/* other proto: distinct */
	assert_int_equal(xlb_model_validate(&m, NULL), 0);

	m.vips[0].backends[1].addr = m.vips[0].backends[0].addr;
	expect_invalid(&m, "vips[0].backends[1].address: duplicate backend 198.18.1.11 (also backends[0])");
	xlb_model_free(&m);
}

static void test_validate_health(void **state)
{
	struct xlb_model m;
	struct xlb_health_spec *h, *bh;

	build_model(&m);
	h = &m.vips[0].health;
	bh = &m.vips[0].backends[1].health;
	h->set = XLB_HCF_INTERVAL;
	h->interval_ms = 50;
	expect_invalid(&m, "vips[0].health.interval: 50ms is out of range (100ms..1h)");
	h->interval_ms = 100;
	expect_invalid(&m, "vips[0].health.timeout: 1s is longer than the interval (100ms)");
	h->set |= XLB_HCF_TIMEOUT;
	h->timeout_ms = 100;	/* timeout == interval is fine */
	assert_int_equal(xlb_model_validate(&m, NULL), 0);
	h->timeout_ms = 0;
	expect_invalid(&m, "vips[0].health.timeout: must be more than 0");
	h->set = XLB_HCF_RISE;
	h->rise = 0;
	expect_invalid(&m, "vips[0].health.rise: 0 is out of range (1..100)");
	h->rise = 101;
	expect_invalid(&m, "vips[0].health.rise: 101 is out of range (1..100)");
	h->set = XLB_HCF_FALL;
	h->fall = 0;
	expect_invalid(&m, "vips[0].health.fall: 0 is out of range (1..100)");
	h->set = XLB_HCF_TYPE | XLB_HCF_STATUS;
	h->type = XLB_HC_HTTP;
	h->n_status = 2;
	h->status[0] = 200;
	h->status[1] = 99;
	expect_invalid(&m, "vips[0].health.status[1]: 99 is not an HTTP status (100..599)");
	h->status[1] = 600;
	expect_invalid(&m, "vips[0].health.status[1]: 600 is not an HTTP status (100..599)");
	h->n_status = 0;
	expect_invalid(&m, "vips[0].health.status: needs at least one code");
	h->n_status = 1;
	h->set |= XLB_HCF_PATH;
	strcpy(h->path, "healthz");
	expect_invalid(&m, "vips[0].health.path: must start with '/' and have no spaces (at most 127 characters)");
	strcpy(h->path, "/a b");
	expect_invalid(&m, "vips[0].health.path: must start with '/' and have no spaces (at most 127 characters)");
	strcpy(h->path, "/ok");
	h->set |= XLB_HCF_HOST;
	strcpy(h->host, "a\r\nb");
	expect_invalid(&m, "vips[0].health.host: must have no spaces or control characters (at most 127 characters)");
	h->set = XLB_HCF_TYPE;
	h->type = XLB_HC_UDP;
	expect_invalid(&m, "vips[0].health.payload: udp checks need a payload (payload or payload_hex)");
	h->type = (enum xlb_hc_type)9;
	expect_invalid(&m, "vips[0].health.type: unknown type 9 (none|tcp|http|udp)");
	/* type none with other fields is fine */
	h->type = XLB_HC_NONE;
	h->set = XLB_HCF_TYPE | XLB_HCF_PORT | XLB_HCF_PATH;
	assert_int_equal(xlb_model_validate(&m, NULL), 0);
	/* a backend override that breaks the combination is named at the backend */
	h->set = XLB_HCF_INTERVAL | XLB_HCF_TIMEOUT;
	h->interval_ms = 1000;
	h->timeout_ms = 500;
	bh->set = XLB_HCF_TIMEOUT;
	bh->timeout_ms = 1500;
	expect_invalid(&m, "vips[0].backends[1].health.timeout: 1500ms is longer than the interval (1s)");
	bh->set = XLB_HCF_TYPE;
	bh->type = XLB_HC_UDP;
	expect_invalid(&m, "vips[0].backends[1].health.payload: udp checks need a payload (payload or payload_hex)");
	xlb_model_free(&m);
}

static void test_validate_settings(void **state)
{
	struct xlb_model m;
	struct xlb_settings *s;

	build_model(&m);
	s = &m.settings;
	strcpy(s->interfaces[0], "eth0");
	strcpy(s->interfaces[1], "eth1");
	s->n_interfaces = 2;
	assert_int_equal(xlb_model_validate(&m, NULL), 0);
	strcpy(s->interfaces[1], "eth0");
	expect_invalid(&m, "interfaces[1]: duplicate interface eth0 (also interfaces[0])");
	strcpy(s->interfaces[1], "a/b");
	expect_invalid(&m, "interfaces[1]: 'a/b' is not an interface name (1..15 characters, no spaces or '/')");
	s->interfaces[1][0] = '\0';
	expect_invalid(&m, "interfaces[1]: '' is not an interface name (1..15 characters, no spaces or '/')");
	memset(s->interfaces[1], 'x', 16);	/* not NUL-terminated */
	assert_int_equal(xlb_model_validate(&m, NULL), -EINVAL);
	strcpy(s->interfaces[1], "eth1");
	s->n_interfaces = XLB_MAX_IFACES + 1;
	expect_invalid(&m, "interfaces: 17 interfaces, at most 16");
	s->n_interfaces = 2;
	s->ttl = 0;
	expect_invalid(&m, "settings.ttl: 0 is out of range (1..255)");
	s->ttl = 1;
	s->udp_idle_sec = 86401;
	expect_invalid(&m, "settings.udp_idle: 86401s is out of range (0..86400s; 0 = never)");
	s->udp_idle_sec = 0;
	xlb_addr_parse("2001:db8::", &s->src4_prefix, NULL);
	s->src4_len = 64;
	expect_invalid(&m, "settings.src4_prefix: needs an IPv4 prefix, length 1..32");
	s->src4_prefix.family = 0;
	assert_int_equal(xlb_model_validate(&m, NULL), 0);
	xlb_model_free(&m);
}

static void test_limits(void **state)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_model m;
	struct xlb_vip_spec v;
	size_t n_b = XLB_MAX_BACKENDS / 2 + 1;

	xlb_model_init(&m);
	for (int i = 0; i < XLB_MAX_VIPS; i++) {
		char id[64];

		snprintf(id, sizeof(id), "203.0.113.%d:%d/tcp", i % 256, i / 256);
		v = mkvip(id);
		assert_int_equal(xlb_model_add_vip(&m, &v, err), 0);
	}
	v = mkvip("203.0.113.1:9999/tcp");
	assert_int_equal(xlb_model_add_vip(&m, &v, err), -ENOSPC);
	assert_string_equal(err, "VIP 203.0.113.1:9999/tcp: too many VIPs (at most 1024)");
	assert_int_equal(xlb_model_validate(&m, err), 0);
	/* total backends across VIPs: two VIPs with half + 1 each is one too many */
	for (int k = 0; k < 2; k++) {
		struct xlb_vip_spec *t = &m.vips[k];

		t->table_size = 262139;
		t->backends = calloc(n_b, sizeof(*t->backends));
		assert_non_null(t->backends);
		t->n_backends = n_b;
		for (size_t i = 0; i < n_b; i++) {
			t->backends[i] = mkbe("2001:db8::", 1);
			t->backends[i].addr.addr[3] = (uint32_t)i + 1;	/* distinct */
		}
	}
	expect_invalid(&m, "vips: 131074 backends in total, at most 131072");
	xlb_vip_spec_free(&m.vips[1]);
	assert_int_equal(xlb_model_validate(&m, err), 0);	/* fast duplicate check on 65k */
	xlb_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_defaults),
		cmocka_unit_test(test_copy_is_deep),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_add_del_vip),
		cmocka_unit_test(test_add_del_backend),
		cmocka_unit_test(test_table_smaller_than_backends),
		cmocka_unit_test(test_health_effective),
		cmocka_unit_test(test_validate_messages),
		cmocka_unit_test(test_validate_health),
		cmocka_unit_test(test_validate_settings),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_api.c - xlbd's API handlers, state and apply diff over a fake
 * datapath (fake_dp.h): what each route replies AND what it leaves in the
 * "maps" (VIP keys, markers, backend entries, Maglev tables), rollback on
 * a failed map write, ids and gens across a restart, drain, all-down.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../userspace/xlbd/api.h"
#include "../../userspace/xlbd/apply.h"
#include "fake_dp.h"
#include "../../userspace/xlbd/persist.h"
#include "../../userspace/xlbd/state.h"
#include "xlb_hash.h"
#include "xlb_reasons.h"

#define VIP	"203.0.113.10:80/tcp"
#define VIP_U	"/v1/vips/203.0.113.10%3A80%2Ftcp"

struct env {
	struct fake_dp f;
	struct state st;
	struct api api;
	char dir[64];
};

static int setup(void **s)
{
	struct env *e = calloc(1, sizeof(*e));
	struct dp dp;

	assert_non_null(e);
	fake_dp_init(&e->f, &dp);
	assert_int_equal(state_init(&e->st, &dp), 0);
	e->st.resolve = fake_resolve;
	strcpy(e->dir, "/tmp/xlb-test-api-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	e->api = (struct api){ .st = &e->st, .state_dir = e->dir };
	*s = e;
	return 0;
}

static int teardown(void **s)
{
	struct env *e = *s;
	char cmd[128];

	state_free(&e->st);
	fake_dp_free(&e->f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

/* One request; *out gets the reply (caller decrefs) unless out is NULL. Returns the status. */
static int call(struct env *e, const char *method, const char *uri, const char *body, json_t **out)
{
	struct api_reply r;

	api_dispatch(&e->api, method, uri, NULL, body, body ? strlen(body) : 0, &r);
	assert_non_null(r.body);
	if (r.status >= 400)	/* every error names something */
		assert_non_null(json_string_value(json_object_get(r.body, "error")));
	if (out)
		*out = r.body;
	else
		json_decref(r.body);
	return r.status;
}

static void add_vip_with(struct env *e, int n_backends)
{
	char uri[128], body[128];

	assert_int_equal(call(e, "POST", "/v1/vips", "{\"vip\":\"" VIP "\"}", NULL), 201);
	for (int i = 1; i <= n_backends; i++) {
		snprintf(uri, sizeof(uri), "%s/backends", VIP_U);
		snprintf(body, sizeof(body), "{\"address\":\"198.18.1.%d\",\"weight\":100}", 10 + i);
		assert_int_equal(call(e, "POST", uri, body, NULL), 201);
	}
}

static const struct xlb_vip *dp_vip(struct env *e, const char *vip)
{
	struct xlb_vip_id id;
	struct xlb_vip_key k;
	char err[XLB_ERR_LEN];
	int i;

	assert_int_equal(xlb_vip_id_parse(vip, &id, err), 0);
	xlb_vip_id_to_key(&id, &k);
	i = fake_key_index(&e->f, &k);
	return i < 0 ? NULL : &e->f.vals[i];
}

static uint32_t slots_of(struct env *e, uint32_t vip_id, uint32_t backend_id)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < e->f.table_size[vip_id]; i++)
		n += e->f.tables[vip_id][i] == backend_id;
	return n;
}

/* backend_id of (VIP, address) from the API's view. */
static uint32_t be_id(struct env *e, const char *addr)
{
	char uri[160];
	json_t *b;
	uint32_t id;

	snprintf(uri, sizeof(uri), "%s/backends/%s", VIP_U, addr);
	assert_int_equal(call(e, "GET", uri, NULL, &b), 200);
	id = (uint32_t)json_integer_value(json_object_get(b, "backend_id"));
	json_decref(b);
	return id;
}

static void test_vip_add_writes_maps(void **s)
{
	struct env *e = *s;
	const struct xlb_vip *v;
	struct xlb_vip_key marker = { .addr = { htonl(0xcb00710a) }, .proto = IPPROTO_ICMP,
				      .family = XLB_AF_INET };
	uint32_t total = 0;

	add_vip_with(e, 3);
	v = dp_vip(e, VIP);
	assert_non_null(v);
	assert_int_equal(v->table_size, XLB_MAGLEV_DEFAULT_SIZE);
	assert_int_equal(e->f.table_size[v->vip_id], XLB_MAGLEV_DEFAULT_SIZE);
	assert_true(fake_key_index(&e->f, &marker) >= 0);	/* ICMP address marker */
	assert_true(e->f.vals[fake_key_index(&e->f, &marker)].flags & XLB_VIP_F_ADDR_MARKER);
	for (int i = 1; i <= 3; i++) {
		char a[32];
		uint32_t id, n;

		snprintf(a, sizeof(a), "198.18.1.%d", 10 + i);
		id = be_id(e, a);
		n = slots_of(e, v->vip_id, id);
		/* equal weights: within 2% of a third each */
		assert_in_range(n, XLB_MAGLEV_DEFAULT_SIZE / 3 - 1300, XLB_MAGLEV_DEFAULT_SIZE / 3 + 1300);
		total += n;
		assert_int_equal(e->f.backends[id].flags, XLB_BE_F_ACTIVE | XLB_BE_F_NEXTHOP | XLB_BE_F_VIP_ID);
		assert_int_equal(e->f.backends[id].vip_id, v->vip_id);	/* conn hits skip the VIP lookup */
		assert_int_equal(e->f.backends[id].ifindex, 7);
		assert_int_equal(e->f.backends[id].dmac[5], 10 + i);
		assert_int_equal(e->f.tx[e->f.backends[id].tx_port], 7);
	}
	assert_int_equal(total, XLB_MAGLEV_DEFAULT_SIZE);	/* no empty slot */
}

static void test_errors_are_json(void **s)
{
	struct env *e = *s;
	char *big = malloc(API_MAX_BODY + 2);

	add_vip_with(e, 1);
	assert_int_equal(call(e, "POST", "/v1/vips", "{\"vip\":\"" VIP "\"}", NULL), 409);
	assert_int_equal(call(e, "POST", "/v1/vips", "{\"vip\":", NULL), 400);
	assert_int_equal(call(e, "POST", "/v1/vips", "[1,2]", NULL), 400);
	assert_int_equal(call(e, "POST", "/v1/vips", "{\"vip\":\"203.0.113.300:80/tcp\"}", NULL), 400);
	assert_int_equal(call(e, "GET", "/v1/nope", NULL, NULL), 404);
	assert_int_equal(call(e, "GET", "/v2/status", NULL, NULL), 404);
	assert_int_equal(call(e, "PUT", "/v1/status", NULL, NULL), 405);
	assert_int_equal(call(e, "GET", "/v1/vips/203.0.113.99%3A80%2Ftcp", NULL, NULL), 404);
	assert_int_equal(call(e, "GET", "/v1/vips/garbage", NULL, NULL), 400);
	assert_int_equal(call(e, "PATCH", VIP_U "/backends/198.18.1.11", "{\"weight\":70000}", NULL), 400);
	assert_int_equal(call(e, "PATCH", VIP_U "/backends/198.18.1.11", "{\"wieght\":1}", NULL), 400);
	assert_int_equal(call(e, "PATCH", VIP_U "/backends/198.18.9.9", "{\"weight\":1}", NULL), 404);
	assert_int_equal(call(e, "GET", "/v1/trace?client=1.2.3.4", NULL, NULL), 400);
	memset(big, ' ', API_MAX_BODY + 1);
	big[API_MAX_BODY + 1] = '\0';
	assert_int_equal(call(e, "POST", "/v1/vips", big, NULL), 413);
	free(big);
	/* nothing above changed the state */
	assert_int_equal(e->st.n_vips, 1);
	assert_int_equal(e->st.vips[0].n_be, 1);
}

static void test_unencoded_vip_path(void **s)
{
	struct env *e = *s;
	json_t *v;

	add_vip_with(e, 1);
	assert_int_equal(call(e, "GET", "/v1/vips/203.0.113.10:80/tcp", NULL, &v), 200);
	assert_string_equal(json_string_value(json_object_get(v, "vip")), VIP);
	json_decref(v);
	assert_int_equal(call(e, "GET", "/v1/vips/203.0.113.10:80/tcp/backends/198.18.1.11", NULL, NULL), 200);
}

static void test_drain_keeps_active(void **s)
{
	struct env *e = *s;
	uint32_t vip_id, id;
	json_t *b;

	add_vip_with(e, 2);
	vip_id = dp_vip(e, VIP)->vip_id;
	id = be_id(e, "198.18.1.11");
	assert_int_equal(call(e, "POST", VIP_U "/backends/198.18.1.11/drain", NULL, &b), 200);
	assert_string_equal(json_string_value(json_object_get(b, "state")), "drain");
	assert_int_equal(json_integer_value(json_object_get(b, "slots")), 0);
	json_decref(b);
	assert_int_equal(slots_of(e, vip_id, id), 0);
	assert_true(e->f.backends[id].flags & XLB_BE_F_ACTIVE);	/* established flows continue */
	assert_int_equal(slots_of(e, vip_id, be_id(e, "198.18.1.12")), XLB_MAGLEV_DEFAULT_SIZE);
}

static void test_rollback_on_map_failure(void **s)
{
	struct env *e = *s;
	uint32_t vip_id, *before;
	json_t *cfg_before, *cfg_after;

	add_vip_with(e, 2);
	vip_id = dp_vip(e, VIP)->vip_id;
	before = malloc(XLB_MAGLEV_DEFAULT_SIZE * sizeof(*before));
	memcpy(before, e->f.tables[vip_id], XLB_MAGLEV_DEFAULT_SIZE * sizeof(*before));
	assert_int_equal(call(e, "GET", "/v1/config", NULL, &cfg_before), 200);
	e->f.fail_install_at = 1;
	assert_int_equal(call(e, "POST", VIP_U "/backends", "{\"address\":\"198.18.1.13\"}", NULL), 500);
	assert_int_equal(call(e, "GET", "/v1/config", NULL, &cfg_after), 200);
	assert_true(json_equal(cfg_before, cfg_after));
	assert_memory_equal(before, e->f.tables[vip_id], XLB_MAGLEV_DEFAULT_SIZE * sizeof(*before));
	/* a new VIP whose key write fails leaves no table, key or marker behind */
	e->f.fail_set_vip_at = 1;
	assert_int_equal(call(e, "POST", "/v1/vips", "{\"vip\":\"203.0.113.20:53/udp\"}", NULL), 500);
	assert_null(dp_vip(e, "203.0.113.20:53/udp"));
	assert_int_equal(e->f.n_keys, 2);	/* the VIP and its marker */
	assert_int_equal(e->st.n_vips, 1);
	json_decref(cfg_before);
	json_decref(cfg_after);
	free(before);
}

static void test_health_and_all_down(void **s)
{
	struct env *e = *s;
	struct hc_target_key k = { 0 };
	char err[XLB_ERR_LEN];
	uint32_t vip_id, a, b;

	add_vip_with(e, 2);
	vip_id = dp_vip(e, VIP)->vip_id;
	a = be_id(e, "198.18.1.11");
	b = be_id(e, "198.18.1.12");
	assert_int_equal(xlb_vip_id_parse(VIP, &k.vip, err), 0);
	assert_int_equal(xlb_addr_parse("198.18.1.11", &k.backend, err), 0);
	state_health_event(&e->st, &k, HC_STATE_DOWN, HC_CONNECT_REFUSED);
	assert_int_equal(slots_of(e, vip_id, a), 0);
	assert_int_equal(slots_of(e, vip_id, b), XLB_MAGLEV_DEFAULT_SIZE);
	assert_false(e->f.backends[a].flags & XLB_BE_F_ACTIVE);	/* its flows re-hash */
	/* the last one down too: all_down keep serves the last set (198.18.1.12) */
	assert_int_equal(xlb_addr_parse("198.18.1.12", &k.backend, err), 0);
	state_health_event(&e->st, &k, HC_STATE_DOWN, HC_CONNECT_TIMEOUT);
	assert_int_equal(slots_of(e, vip_id, b), XLB_MAGLEV_DEFAULT_SIZE);
	assert_true(e->f.backends[b].flags & XLB_BE_F_ACTIVE);
	/* all_down drop: empty table */
	assert_int_equal(call(e, "POST", "/v1/apply?dry_run=0",
			      "{\"vips\":[{\"vip\":\"" VIP "\",\"all_down\":\"drop\",\"backends\":["
			      "{\"address\":\"198.18.1.11\"},{\"address\":\"198.18.1.12\"}]}]}", NULL), 200);
	assert_int_equal(slots_of(e, vip_id, XLB_BACKEND_NONE), XLB_MAGLEV_DEFAULT_SIZE);
	/* one back up: it gets every slot */
	state_health_event(&e->st, &k, HC_STATE_UP, HC_OK);
	assert_int_equal(slots_of(e, vip_id, b), XLB_MAGLEV_DEFAULT_SIZE);
}

static void test_delete_and_readd_bumps_gen(void **s)
{
	struct env *e = *s;
	uint32_t id, gen, id2;

	add_vip_with(e, 2);
	id = be_id(e, "198.18.1.11");
	gen = e->f.backends[id].gen;
	assert_int_equal(call(e, "DELETE", VIP_U "/backends/198.18.1.11", NULL, NULL), 200);
	assert_int_equal(e->f.backends[id].flags & ~XLB_BE_F_VIP_ID, 0);	/* out of service */
	assert_int_equal(e->f.backends[id].gen, gen);		/* its conn entries stay stale */
	assert_int_equal(call(e, "POST", VIP_U "/backends", "{\"address\":\"198.18.1.13\"}", NULL), 201);
	id2 = be_id(e, "198.18.1.13");
	assert_true(id2 != id || e->f.backends[id2].gen != gen);
	assert_true(e->f.backends[id2].gen > gen);
}

static void test_apply_dry_run_and_moved(void **s)
{
	struct env *e = *s;
	const char *yaml4 = "{\"vips\":[{\"vip\":\"" VIP "\",\"backends\":[{\"address\":\"198.18.1.11\"},"
			    "{\"address\":\"198.18.1.12\"},{\"address\":\"198.18.1.13\"},{\"address\":\"198.18.1.14\"}]}]}";
	const char *yaml3 = "{\"vips\":[{\"vip\":\"" VIP "\",\"backends\":[{\"address\":\"198.18.1.11\"},"
			    "{\"address\":\"198.18.1.12\"},{\"address\":\"198.18.1.13\"}]},"
			    "{\"vip\":\"203.0.113.11:443/tcp\"}]}";
	json_t *r, *ch, *mv;
	double share;

	assert_int_equal(call(e, "POST", "/v1/apply", yaml4, &r), 200);
	assert_true(json_is_true(json_object_get(r, "applied")));
	json_decref(r);
	assert_int_equal(call(e, "POST", "/v1/apply?dry_run=1", yaml3, &r), 200);
	assert_true(json_is_false(json_object_get(r, "applied")));
	ch = json_object_get(r, "changes");
	assert_int_equal(json_array_size(ch), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ch, 0), "op")), "change");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(ch, 0), "detail")),
			       "backend 198.18.1.14 removed"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(ch, 1), "op")), "add");
	mv = json_array_get(json_object_get(r, "moved"), 0);
	share = json_real_value(json_object_get(mv, "share"));
	assert_true(share > 0.22 && share < 0.30);	/* a quarter of the flows, plus Maglev's few */
	json_decref(r);
	assert_int_equal(e->st.n_vips, 1);		/* dry run: nothing changed */
	assert_int_equal(e->st.vips[0].n_be, 4);
	assert_int_equal(call(e, "POST", "/v1/apply", "vips: [", NULL), 400);	/* bad YAML */
	assert_int_equal(e->st.n_vips, 1);
}

static void test_trace(void **s)
{
	struct env *e = *s;
	struct xlb_flow fl = { .src = { htonl(0xc6120005) }, .dst = { htonl(0xcb00710a) },
			       .sport = htons(40000), .dport = htons(80), .proto = IPPROTO_TCP,
			       .family = XLB_AF_INET };
	uint32_t vip_id, slot, want;
	json_t *r;

	add_vip_with(e, 3);
	vip_id = dp_vip(e, VIP)->vip_id;
	slot = xlb_maglev_slot(xlb_flow_hash(&fl, 0), XLB_MAGLEV_DEFAULT_SIZE);
	want = e->f.tables[vip_id][slot];
	assert_int_equal(call(e, "GET", "/v1/trace?client=198.18.0.5%3A40000&vip=" "203.0.113.10%3A80%2Ftcp",
			      NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r, "via")), "maglev");
	assert_int_equal(json_integer_value(json_object_get(r, "slot")), slot);
	assert_int_equal(want, be_id(e, json_string_value(json_object_get(r, "backend"))));
	json_decref(r);
	/* a conn entry to another (valid) backend wins */
	want = be_id(e, "198.18.1.11") == want ? be_id(e, "198.18.1.12") : be_id(e, "198.18.1.11");
	e->f.flows[0] = fl;
	e->f.conns[0] = (struct xlb_conn){ .backend_id = want, .backend_gen = e->f.backends[want].gen };
	e->f.n_conns = 1;
	assert_int_equal(call(e, "GET", "/v1/trace?client=198.18.0.5:40000&vip=" VIP, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r, "via")), "conn_table");
	assert_int_equal(want, be_id(e, json_string_value(json_object_get(r, "backend"))));
	json_decref(r);
}

/* Persist, then a second state over the same "maps" (a restart): same ids, gens, tables. */
static void test_restart_keeps_ids(void **s)
{
	struct env *e = *s;
	struct state st2;
	struct xlb_model m;
	struct dp dp = { &fake_ops, &e->f };
	char err[XLB_ERR_LEN] = "";
	uint32_t vip_id, id, gen, installs;
	uint64_t fp;

	add_vip_with(e, 3);
	/* make ids non-trivial: delete the first backend, so ids are not 0.. in order */
	assert_int_equal(call(e, "DELETE", VIP_U "/backends/198.18.1.11", NULL, NULL), 200);
	vip_id = dp_vip(e, VIP)->vip_id;
	id = be_id(e, "198.18.1.13");
	gen = e->f.backends[id].gen;
	fp = e->st.vips[0].fingerprint;
	installs = e->f.installs;

	assert_int_equal(state_init(&st2, &dp), 0);
	st2.resolve = fake_resolve;
	xlb_model_init(&m);
	assert_int_equal(persist_load(e->dir, &st2, &m, err), 0);
	state_scan_gens(&st2);
	assert_int_equal(state_commit(&st2, &m, err), 0);
	assert_int_equal(st2.vips[0].vip_id, vip_id);
	assert_int_equal(st2.vips[0].be[state_backend_index(&st2, 0, &e->st.vips[0].be[1].addr)].id, id);
	assert_int_equal(e->f.backends[id].gen, gen);
	assert_int_equal(st2.vips[0].fingerprint, fp);		/* identical table */
	assert_int_equal(e->f.installs, installs + 1);
	assert_int_equal(state_prune_stale(&st2), 0);		/* nothing stale */
	xlb_model_free(&m);
	state_free(&st2);
}

/* The fingerprint depends on addresses, not on ids or insertion order. */
static void test_fingerprint_order_independent(void **s)
{
	struct env *e = *s;
	uint64_t fp1;

	assert_int_equal(call(e, "POST", "/v1/apply", "{\"vips\":[{\"vip\":\"" VIP "\",\"backends\":["
			      "{\"address\":\"198.18.1.11\"},{\"address\":\"198.18.1.12\",\"weight\":50}]}]}", NULL), 200);
	fp1 = e->st.vips[0].fingerprint;
	assert_int_equal(call(e, "DELETE", VIP_U, NULL, NULL), 200);
	assert_int_equal(call(e, "POST", "/v1/vips", "{\"vip\":\"203.0.113.77:80/tcp\"}", NULL), 201);
	assert_int_equal(call(e, "POST", "/v1/apply", "{\"vips\":[{\"vip\":\"203.0.113.77:80/tcp\"},"
			      "{\"vip\":\"" VIP "\",\"backends\":["
			      "{\"address\":\"198.18.1.12\",\"weight\":50},{\"address\":\"198.18.1.11\"}]}]}", NULL), 200);
	assert_int_equal(e->st.vips[1].fingerprint, fp1);
	assert_int_equal(e->f.n_keys, 4);	/* two VIPs, two markers */
}

static void test_delete_after_drain(void **s)
{
	struct env *e = *s;
	uint32_t id;
	json_t *r;

	add_vip_with(e, 2);
	id = be_id(e, "198.18.1.11");
	e->f.conns[0] = (struct xlb_conn){ .backend_id = id, .backend_gen = e->f.backends[id].gen };
	e->f.n_conns = 1;
	assert_int_equal(call(e, "DELETE", VIP_U "/backends/198.18.1.11?after_drain=1&timeout=60", NULL, &r), 202);
	assert_int_equal(json_integer_value(json_object_get(r, "pinned_flows")), 1);
	json_decref(r);
	assert_int_equal(e->st.model.vips[0].backends[0].weight, 0);
	state_drain_tick(&e->st);
	assert_int_equal(e->st.vips[0].n_be, 2);		/* still pinned */
	e->f.n_conns = 0;
	e->st.pinned_at_ns = 0;					/* no cached count */
	state_drain_tick(&e->st);
	assert_int_equal(e->st.vips[0].n_be, 1);
	assert_int_equal(e->f.backends[id].flags & ~XLB_BE_F_VIP_ID, 0);
}

static void test_status_and_stats(void **s)
{
	struct env *e = *s;
	json_t *r;

	add_vip_with(e, 2);
	assert_int_equal(call(e, "GET", "/v1/status", NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r, "vips")), 1);
	assert_int_equal(json_integer_value(json_object_get(r, "backends")), 2);
	json_decref(r);
	assert_int_equal(call(e, "GET", "/v1/stats", NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(r, "datapath"),
			 "reasons"), "pass_not_vip")), XLB_R_PASS_NOT_VIP);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "conn_table"), "max")), 4096);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vip_add_writes_maps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_are_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unencoded_vip_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drain_keeps_active, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_on_map_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_health_and_all_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_and_readd_bumps_gen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_dry_run_and_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_keeps_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fingerprint_order_independent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_after_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_and_stats, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * api_view.c - JSON views of the state for the API; contract in api_view.h.
 * Counters come from the datapath at the time of the request; pinned flows
 * from a conn-table walk at most once a second (state_refresh_pinned).
 */
#include "api_view.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "model_json.h"
#include "xlb_hash.h"
#include "xlb_reasons.h"

#define PINNED_MAX_AGE_NS 1000000000ull

static void put_counters(json_t *o, const struct xlb_counters *c)
{
	json_object_set_new(o, "packets", json_integer((json_int_t)c->packets));
	json_object_set_new(o, "bytes", json_integer((json_int_t)c->bytes));
	json_object_set_new(o, "new_flows", json_integer((json_int_t)c->new_flows));
}

static json_t *addr_json(const struct xlb_addr *a)
{
	char buf[XLB_ADDR_STRLEN];

	if (!a->family)
		return json_null();
	xlb_addr_format(a, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *nexthop_json(const struct nexthop *nh)
{
	char mac[18];

	if (!nh)
		return json_pack("{s:s}", "state", nexthop_state_str(NH_ERROR));
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", nh->dmac[0], nh->dmac[1],
		 nh->dmac[2], nh->dmac[3], nh->dmac[4], nh->dmac[5]);
	return json_pack("{s:s,s:I,s:s,s:s,s:o,s:o,s:I}", "state", nexthop_state_str(nh->state),
			 "ifindex", (json_int_t)nh->ifindex, "ifname", nh->ifname,
			 "dmac", nh->state == NH_RESOLVED ? mac : "", "gateway", addr_json(&nh->gateway),
			 "src", addr_json(&nh->src), "mtu", (json_int_t)nh->mtu);
}

static json_t *health_json(struct api *api, size_t vi, size_t bi)
{
	const struct xlb_vip_spec *v = &api->st->model.vips[vi];
	const struct state_backend *b = &api->st->vips[vi].be[bi];
	struct xlb_health_spec eff;
	struct hc_target_key k;
	struct hc_status hs;
	uint64_t since = b->health_since_ns, now = state_now_ns();
	enum hc_result last = b->last_result;
	bool checked = false;

	xlb_health_effective(v, &v->backends[bi], &eff);
	memset(&k, 0, sizeof(k));
	k.vip = v->id;
	k.backend = b->addr;
	if (api->st->hc && !hc_get_status(api->st->hc, &k, &hs)) {
		since = hs.since_ns ? hs.since_ns : since;
		last = hs.last_result;	/* the latest check, not the last state change's */
		for (int r = 0; r < HC__COUNT; r++)
			checked |= hs.results[r] != 0;
	}
	return json_pack("{s:s,s:s,s:o,s:I}", "type", xlb_hc_type_str(eff.type),
			 "state", hc_state_str(b->health),
			 "last_result", checked ? json_string(hc_result_str(last)) : json_null(),
			 "since_sec", (json_int_t)(now > since ? (now - since) / 1000000000ull : 0));
}

json_t *view_backend(struct api *api, size_t vi, size_t bi)
{
	struct state *st = api->st;
	const struct xlb_backend_spec *spec = &st->model.vips[vi].backends[bi];
	const struct state_backend *b = &st->vips[vi].be[bi];
	struct xlb_counters c = { 0 };
	json_t *o;

	state_refresh_pinned(st, PINNED_MAX_AGE_NS);
	st->dp.ops->backend_counters(st->dp.ctx, b->id, &c);
	o = json_pack("{s:o,s:I,s:s,s:I,s:I,s:o,s:o,s:I,s:I}", "address", addr_json(&b->addr),
		      "weight", (json_int_t)spec->weight, "state", state_backend_str(spec, b),
		      "slots", (json_int_t)b->slots, "pinned_flows", (json_int_t)st->pinned[b->id],
		      "nexthop", nexthop_json(state_nexthop(st, &b->addr)), "health", health_json(api, vi, bi),
		      "backend_id", (json_int_t)b->id, "gen", (json_int_t)b->gen);
	if (o)
		put_counters(o, &c);
	return o;
}

json_t *view_vip(struct api *api, size_t vi)
{
	struct state *st = api->st;
	const struct xlb_vip_spec *v = &st->model.vips[vi];
	const struct state_vip *rt = &st->vips[vi];
	struct xlb_counters c = { 0 };
	char vip[XLB_VIP_STRLEN], fp[24];
	json_t *o, *bes = json_array();

	for (size_t i = 0; i < rt->n_be; i++)
		json_array_append_new(bes, view_backend(api, vi, i));
	st->dp.ops->vip_counters(st->dp.ctx, rt->vip_id, &c);
	xlb_vip_id_format(&v->id, vip, sizeof(vip));
	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)rt->fingerprint);
	o = json_pack("{s:s,s:s,s:I,s:s,s:s,s:o,s:o,s:I,s:b}", "vip", vip, "hash", xlb_hash_mode_str(v->hash),
		      "table_size", (json_int_t)v->table_size, "all_down", xlb_all_down_str(v->all_down),
		      "fingerprint", fp, "health", xlb_health_to_json(&v->health), "backends", bes,
		      "vip_id", (json_int_t)rt->vip_id, "all_backends_down", rt->all_down);
	if (o)
		put_counters(o, &c);
	return o;
}

json_t *view_vips(struct api *api)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < api->st->n_vips; i++)
		json_array_append_new(arr, view_vip(api, i));
	return json_pack("{s:o}", "vips", arr);
}

json_t *view_status(struct api *api)
{
	const struct api_info *in = api->info;
	json_t *ifs = json_array();
	size_t backends = 0;
	uint64_t now = state_now_ns();

	for (size_t i = 0; i < api->st->n_vips; i++)
		backends += api->st->vips[i].n_be;
	for (size_t i = 0; in && i < in->n_ifaces; i++)
		json_array_append_new(ifs, json_pack("{s:s,s:I,s:s,s:I}", "name", in->ifaces[i].name,
						     "ifindex", (json_int_t)in->ifaces[i].ifindex,
						     "mode", in->ifaces[i].mode,
						     "prog_id", (json_int_t)in->ifaces[i].prog_id));
	return json_pack("{s:s,s:I,s:s,s:s,s:o,s:I,s:I}", "version", XLBD_VERSION,
			 "uptime_sec", (json_int_t)(in && now > in->start_ns ? (now - in->start_ns) / 1000000000ull : 0),
			 "pin_dir", in ? in->pin_dir : "", "xdp_mode", in ? in->xdp_mode : "", "interfaces", ifs,
			 "vips", (json_int_t)api->st->n_vips, "backends", (json_int_t)backends);
}

json_t *view_stats(struct api *api)
{
	struct state *st = api->st;
	const struct dp_ops *ops = st->dp.ops;
	uint64_t reasons[XLB_R__COUNT] = { 0 }, events[XLB_E__COUNT] = { 0 };
	json_t *vips = json_array(), *jr = json_object(), *je = json_object();
	char vip[XLB_VIP_STRLEN];

	for (size_t i = 0; i < st->n_vips; i++) {
		const struct state_vip *rt = &st->vips[i];
		struct xlb_counters c = { 0 };
		json_t *bes = json_array(), *v;

		for (size_t j = 0; j < rt->n_be; j++) {
			json_t *b = json_pack("{s:o}", "address", addr_json(&rt->be[j].addr));

			memset(&c, 0, sizeof(c));
			ops->backend_counters(st->dp.ctx, rt->be[j].id, &c);
			put_counters(b, &c);
			json_array_append_new(bes, b);
		}
		memset(&c, 0, sizeof(c));
		ops->vip_counters(st->dp.ctx, rt->vip_id, &c);
		xlb_vip_id_format(&rt->id, vip, sizeof(vip));
		v = json_pack("{s:s,s:o}", "vip", vip, "backends", bes);
		put_counters(v, &c);
		json_array_append_new(vips, v);
	}
	ops->reasons(st->dp.ctx, reasons, XLB_R__COUNT);
	ops->events(st->dp.ctx, events, XLB_E__COUNT);
	for (int r = 0; r < XLB_R__COUNT; r++)
		json_object_set_new(jr, xlb_reason_str((enum xlb_reason)r), json_integer((json_int_t)reasons[r]));
	for (int e = 0; e < XLB_E__COUNT; e++)
		json_object_set_new(je, xlb_event_str((enum xlb_event)e), json_integer((json_int_t)events[e]));
	state_refresh_pinned(st, PINNED_MAX_AGE_NS);
	return json_pack("{s:o,s:{s:o,s:o},s:{s:I,s:I}}", "vips", vips, "datapath", "reasons", jr,
			 "events", je, "conn_table", "entries", (json_int_t)st->pinned_total,
			 "max", (json_int_t)ops->conn_max(st->dp.ctx));
}

/* Which backend of VIP vi has this id (and gen, unless gen is NULL); -1 if none. */
static int backend_by_id(const struct state_vip *rt, uint32_t id, const uint32_t *gen)
{
	for (size_t i = 0; i < rt->n_be; i++)
		if (rt->be[i].id == id && (!gen || rt->be[i].gen == *gen))
			return (int)i;
	return -1;
}

int view_trace(struct api *api, const char *client, const char *vip, json_t **out, char *err)
{
	struct state *st = api->st;
	char e[XLB_ERR_LEN] = "", cbuf[XLB_VIP_STRLEN], vbuf[XLB_VIP_STRLEN], abuf[XLB_ADDR_STRLEN];
	struct xlb_flow flow = { 0 };
	struct xlb_vip_id id;
	struct xlb_addr ca;
	struct xlb_conn conn;
	const struct state_vip *rt;
	const char *via = "maglev", *entry = "none";
	uint32_t hash, slot, be_id = XLB_BACKEND_NONE;
	uint16_t port;
	int vi, bi = -1;

	if (!client || !vip) {
		snprintf(err, XLB_ERR_LEN, "query: client=ADDR:PORT and vip=VIP are required");
		return 400;
	}
	if (xlb_endpoint_parse(client, &ca, &port, e)) {
		snprintf(err, XLB_ERR_LEN, "client '%s': %s", client, e[0] ? e : "expected ADDR:PORT");
		return 400;
	}
	if (xlb_vip_id_parse(vip, &id, e)) {
		snprintf(err, XLB_ERR_LEN, "vip '%s': %s", vip, e[0] ? e : "expected ADDR:PORT/PROTO");
		return 400;
	}
	if (ca.family != id.addr.family) {
		snprintf(err, XLB_ERR_LEN, "client %s and vip %s: different address families", client, vip);
		return 400;
	}
	vi = state_vip_index(st, &id);
	if (vi < 0) {
		snprintf(err, XLB_ERR_LEN, "vip %s: no such VIP", vip);
		return 404;
	}
	rt = &st->vips[vi];
	memcpy(flow.src, ca.addr, sizeof(flow.src));
	memcpy(flow.dst, id.addr.addr, sizeof(flow.dst));
	flow.sport = htons(port);
	flow.dport = htons(id.port);
	flow.proto = id.proto;
	flow.family = id.addr.family;
	hash = xlb_flow_hash(&flow, rt->flags);
	slot = xlb_maglev_slot(hash, rt->table_size);
	if (!st->dp.ops->lookup_conn(st->dp.ctx, &flow, &conn)) {
		bi = backend_by_id(rt, conn.backend_id, &conn.backend_gen);
		entry = bi >= 0 && rt->be[bi].active ? "valid" : "stale";
		if (bi >= 0 && !rt->be[bi].active)
			bi = -1;
		if (bi >= 0)
			via = "conn_table";
	}
	if (bi < 0 && !st->dp.ops->table_slot(st->dp.ctx, rt->vip_id, slot, &be_id))
		bi = backend_by_id(rt, be_id, NULL);
	xlb_addr_format(&ca, abuf, sizeof(abuf));
	snprintf(cbuf, sizeof(cbuf), ca.family == XLB_AF_INET6 ? "[%s]:%u" : "%s:%u", abuf, port);
	xlb_vip_id_format(&id, vbuf, sizeof(vbuf));
	*out = json_pack("{s:s,s:s,s:o,s:s,s:I,s:I,s:o,s:s}", "vip", vbuf, "client", cbuf,
			 "backend", bi >= 0 ? addr_json(&rt->be[bi].addr) : json_null(), "via", via,
			 "slot", (json_int_t)slot, "hash", (json_int_t)hash,
			 "backend_state", bi >= 0 ? json_string(state_backend_str(&st->model.vips[vi].backends[bi],
										 &rt->be[bi])) : json_null(),
			 "conn_entry", entry);
	return 200;
}

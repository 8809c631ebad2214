// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * metrics_source.c - the daemon's side of metrics.h: struct metrics_source
 * callbacks that read xlbd's state and the datapath's counters during one
 * /metrics render (from the event loop, so no locking).
 */
#include "metrics_source.h"

#include "api.h"

static void foreach_vip(void *arg, metrics_vip_fn emit, void *cookie)
{
	struct state *st = arg;
	char vip[XLB_VIP_STRLEN];

	for (size_t i = 0; i < st->n_vips; i++) {
		const struct state_vip *rt = &st->vips[i];
		struct xlb_counters c = { 0 };
		struct metrics_vip m = { .vip = vip, .fingerprint = rt->fingerprint };

		st->dp.ops->vip_counters(st->dp.ctx, rt->vip_id, &c);
		m.packets = c.packets;
		m.bytes = c.bytes;
		m.new_flows = c.new_flows;
		xlb_vip_id_format(&rt->id, vip, sizeof(vip));
		emit(cookie, &m);
	}
}

static void foreach_backend(void *arg, metrics_backend_fn emit, void *cookie)
{
	struct state *st = arg;
	char vip[XLB_VIP_STRLEN], addr[XLB_ADDR_STRLEN];
	bool pinned_ok = state_refresh_pinned(st, 1000000000ull) == 0;

	for (size_t i = 0; i < st->n_vips; i++) {
		const struct state_vip *rt = &st->vips[i];

		xlb_vip_id_format(&rt->id, vip, sizeof(vip));
		for (size_t j = 0; j < rt->n_be; j++) {
			const struct state_backend *b = &rt->be[j];
			const struct nexthop *nh = state_nexthop(st, &b->addr);
			struct xlb_counters c = { 0 };
			struct metrics_backend m = {
				.vip = vip, .backend = addr,
				.up = b->health != HC_STATE_DOWN,
				.weight = st->model.vips[i].backends[j].weight,
				.slots = b->slots,
				.pinned_flows = pinned_ok ? st->pinned[b->id] : METRICS_UNKNOWN,
				.nexthop_resolved = nh ? nh->state == NH_RESOLVED : -1,
			};

			st->dp.ops->backend_counters(st->dp.ctx, b->id, &c);
			m.packets = c.packets;
			m.bytes = c.bytes;
			m.new_flows = c.new_flows;
			xlb_addr_format(&b->addr, addr, sizeof(addr));
			emit(cookie, &m);
		}
	}
}

static int datapath(void *arg, uint64_t reasons[XLB_R__COUNT], uint64_t events[XLB_E__COUNT])
{
	struct state *st = arg;
	int err = st->dp.ops->reasons(st->dp.ctx, reasons, XLB_R__COUNT);

	return err ? err : st->dp.ops->events(st->dp.ctx, events, XLB_E__COUNT);
}

static int conn_table(void *arg, uint64_t *entries, uint64_t *max_entries)
{
	struct state *st = arg;
	int err = state_refresh_pinned(st, 1000000000ull);

	*entries = st->pinned_total;
	*max_entries = st->dp.ops->conn_max(st->dp.ctx);
	return err;
}

static const struct hc_ctx *health(void *arg)
{
	return ((struct state *)arg)->hc;
}

void metrics_source_init(struct metrics_source *src)
{
	*src = (struct metrics_source){
		.foreach_vip = foreach_vip,
		.foreach_backend = foreach_backend,
		.datapath = datapath,
		.conn_table = conn_table,
		.health = health,
		.version = XLBD_VERSION,
	};
}

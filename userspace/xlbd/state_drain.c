// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * state_drain.c - DELETE ...?after_drain=1: a drained backend (weight 0)
 * is deleted once no conn-table entry points at it any more, or at its
 * timeout; and the state's timers (drain watcher, next-hop retry).
 * Contract in state.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "state_int.h"

#define NSEC 1000000000ull

/* ---- drains ---- */

static void drain_remove(struct state *st, size_t i)
{
	st->drains[i] = st->drains[--st->n_drains];
}

int state_drain_add(struct state *st, const struct xlb_vip_id *vip, const struct xlb_addr *addr,
		    uint32_t timeout_sec)
{
	struct state_drain d = { .vip = *vip, .addr = *addr,
				 .deadline_ns = state_now_ns() + (uint64_t)timeout_sec * NSEC };
	struct state_drain *grown;

	for (size_t i = 0; i < st->n_drains; i++)
		if (!xlb_vip_id_cmp(&st->drains[i].vip, vip) && !xlb_addr_cmp(&st->drains[i].addr, addr)) {
			st->drains[i] = d;
			return 0;
		}
	grown = realloc(st->drains, (st->n_drains + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	st->drains = grown;
	st->drains[st->n_drains++] = d;
	return 0;
}

/* Delete one drained backend through a normal commit. */
static int drain_finish(struct state *st, const struct state_drain *d, uint32_t left)
{
	char err[XLB_ERR_LEN] = "", vip[XLB_VIP_STRLEN], addr[XLB_ADDR_STRLEN];
	struct xlb_model m;
	struct xlb_vip_spec *v;
	int ret;

	xlb_vip_id_format(&d->vip, vip, sizeof(vip));
	xlb_addr_format(&d->addr, addr, sizeof(addr));
	xlb_model_init(&m);
	ret = xlb_model_copy(&m, &st->model);
	v = ret ? NULL : xlb_model_find_vip(&m, &d->vip);
	if (!v)
		ret = ret ? ret : -ENOENT;
	if (!ret)
		ret = xlb_vip_del_backend(v, &d->addr, err);
	if (!ret)
		ret = xlb_model_validate(&m, err);
	if (!ret)
		ret = state_commit(st, &m, err);
	xlb_model_free(&m);
	if (ret) {
		log_error("vip %s: deleting drained backend %s failed: %s", vip, addr,
			  err[0] ? err : strerror(-ret));
		return ret;
	}
	log_info("vip %s: backend %s deleted after drain (%s)", vip, addr,
		 left ? "timeout" : "no pinned flows left");
	if (st->persist)
		st->persist(st->persist_arg);
	return 0;
}

void state_drain_tick(struct state *st)
{
	uint64_t now = state_now_ns();

	if (!st->n_drains || state_refresh_pinned(st, NSEC / 2))
		return;
	for (size_t i = 0; i < st->n_drains;) {
		struct state_drain d = st->drains[i];
		int vi = state_vip_index(st, &d.vip);
		int bi = vi < 0 ? -ENOENT : state_backend_index(st, (size_t)vi, &d.addr);
		uint32_t left;

		if (bi < 0) {
			drain_remove(st, i);
			continue;
		}
		if (st->model.vips[vi].backends[bi].weight != 0) {
			char a[XLB_ADDR_STRLEN];

			xlb_addr_format(&d.addr, a, sizeof(a));
			log_info("backend %s: weight set again: delete after drain cancelled", a);
			drain_remove(st, i);
			continue;
		}
		left = st->pinned[st->vips[vi].be[bi].id];
		if (left && now < d.deadline_ns) {
			i++;
			continue;
		}
		drain_remove(st, i);
		drain_finish(st, &d, left);
	}
}

/* ---- timers ---- */

static void on_drain_timer(evutil_socket_t fd, short what, void *arg)
{
	state_drain_tick(arg);
}

static void on_nh_timer(evutil_socket_t fd, short what, void *arg)
{
	struct state *st = arg;

	for (size_t i = 0; i < st->n_nh; i++)
		if (st->nh[i].nh.state != NH_RESOLVED) {
			state_nexthop_changed(st);
			return;
		}
}

void state_timers_start(struct state *st)
{
	struct timeval one = { 1, 0 }, nh = { 2, 0 };

	if (!st->base)
		return;
	st->drain_timer = event_new(st->base, -1, EV_PERSIST, on_drain_timer, st);
	st->nh_timer = event_new(st->base, -1, EV_PERSIST, on_nh_timer, st);
	if (st->drain_timer)
		event_add(st->drain_timer, &one);
	if (st->nh_timer)
		event_add(st->nh_timer, &nh);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * state_sync.c - what xlbd's state writes into the datapath, and in which
 * order (state.h explains why): backend entries, then Maglev tables (one
 * atomic swap each), then VIP keys and address markers, then removals.
 * Each write is skipped when the value last written is unchanged, unless
 * `force` (rollback: the cache may not match the maps any more).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "dpmaps.h"
#include "log.h"
#include "state_int.h"
#include "tables.h"

#define DP(st, op, ...) ((st)->dp.ops->op((st)->dp.ctx, __VA_ARGS__))

static void be_mask(uint8_t len, uint32_t *mask, int words)
{
	for (int w = 0; w < words; w++) {
		int bits = len > 32 * w ? (int)len - 32 * w : 0;

		bits = bits > 32 ? 32 : bits;
		mask[w] = bits ? htonl(~0u << (32 - bits)) : 0;
	}
}

void state_settings_to_config(const struct xlb_settings *s, struct xlb_config *c)
{
	xlb_dp_config_defaults(c);
	c->ttl = s->ttl ? s->ttl : XLB_DEFAULT_TTL;
	c->udp_idle_ns = (uint64_t)s->udp_idle_sec * 1000000000ull;
	c->new_flows_per_cpu = s->new_flows_per_cpu;
	if (s->src4_prefix.family == XLB_AF_INET) {
		be_mask(s->src4_len, &c->src4_mask, 1);
		c->src4_prefix = s->src4_prefix.addr[0] & c->src4_mask;
		c->flags |= XLB_CFG_F_SRC4_PREFIX;
	}
	if (s->src6_prefix.family == XLB_AF_INET6) {
		be_mask(s->src6_len, c->src6_mask, 4);
		for (int w = 0; w < 4; w++)
			c->src6_prefix[w] = s->src6_prefix.addr[w] & c->src6_mask[w];
		c->flags |= XLB_CFG_F_SRC6_PREFIX;
	}
}

/* ---- next hops ---- */

static int cmp_nh(const void *a, const void *b)
{
	return xlb_addr_cmp(&((const struct state_nh *)a)->addr, &((const struct state_nh *)b)->addr);
}

/* st->nh is sorted by address. */
static struct state_nh *nh_find(const struct state *st, const struct xlb_addr *a)
{
	struct state_nh k = { .addr = *a };

	return st->n_nh ? bsearch(&k, st->nh, st->n_nh, sizeof(*st->nh), cmp_nh) : NULL;
}

const struct nexthop *state_nexthop(const struct state *st, const struct xlb_addr *a)
{
	const struct state_nh *e = nh_find(st, a);

	return e ? &e->nh : NULL;
}

static void nh_resolve_one(struct state *st, struct state_nh *e)
{
	char a[XLB_ADDR_STRLEN];
	struct nexthop nh;
	int err;

	memset(&nh, 0, sizeof(nh));
	nh.state = NH_ERROR;
	if (!st->resolve) {
		e->nh = nh;
		return;
	}
	err = st->resolve(st->resolve_arg, &e->addr, &nh);
	if (err && nh.state == NH_RESOLVED)
		nh.state = NH_ERROR;
	if (nh.state != e->nh.state || nh.ifindex != e->nh.ifindex ||
	    memcmp(nh.dmac, e->nh.dmac, 6)) {
		xlb_addr_format(&e->addr, a, sizeof(a));
		log_info("next hop of %s: %s%s%s", a, nexthop_state_str(nh.state),
			 nh.ifname[0] ? " via " : "", nh.ifname);
	}
	e->nh = nh;
}

void state_sync_resolve(struct state *st, const struct xlb_model *m, bool refresh)
{
	size_t total = 0, n_missing = 0, keep = 0;
	struct state_nh *missing, *grown;
	bool *used;

	for (size_t v = 0; v < m->n_vips; v++)
		total += m->vips[v].n_backends;
	used = calloc(st->n_nh + 1, sizeof(*used));
	missing = calloc(total + 1, sizeof(*missing));
	if (!used || !missing)
		goto out;	/* unresolved ones are retried by the timer */
	for (size_t v = 0; v < m->n_vips; v++) {
		for (size_t b = 0; b < m->vips[v].n_backends; b++) {
			const struct xlb_addr *a = &m->vips[v].backends[b].addr;
			struct state_nh *e = nh_find(st, a);

			if (e)
				used[e - st->nh] = true;
			else
				missing[n_missing++].addr = *a;
		}
	}
	for (size_t i = 0; i < st->n_nh; i++)	/* drop what no backend uses; order kept */
		if (used[i])
			st->nh[keep++] = st->nh[i];
	st->n_nh = keep;
	if (refresh)
		for (size_t i = 0; i < st->n_nh; i++)
			nh_resolve_one(st, &st->nh[i]);
	if (!n_missing)
		goto out;
	qsort(missing, n_missing, sizeof(*missing), cmp_nh);
	grown = realloc(st->nh, (st->n_nh + n_missing) * sizeof(*st->nh));
	if (!grown)
		goto out;
	st->nh = grown;
	for (size_t i = 0; i < n_missing; i++) {
		struct state_nh *e;

		if (i && !cmp_nh(&missing[i - 1], &missing[i]))
			continue;	/* same address in several VIPs: resolved once */
		e = &st->nh[st->n_nh++];
		memset(e, 0, sizeof(*e));
		e->addr = missing[i].addr;
		e->nh.state = NH_ERROR;
		nh_resolve_one(st, e);
	}
	qsort(st->nh, st->n_nh, sizeof(*st->nh), cmp_nh);
out:
	free(used);
	free(missing);
}

/* devmap slot of an egress interface, written on first use; -1 when full. */
static int tx_slot(struct state *st, uint32_t ifindex)
{
	int free_slot = -1, err;

	for (int i = 0; i < XLB_MAX_TX_PORTS; i++) {
		if (st->tx_ifindex[i] == ifindex)
			return i;
		if (!st->tx_ifindex[i] && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0) {
		log_warn("tx_ports full (%d interfaces): ifindex %u not usable", XLB_MAX_TX_PORTS, ifindex);
		return -1;
	}
	err = DP(st, set_tx_port, (uint32_t)free_slot, ifindex);
	if (err) {
		log_warn("tx_ports[%d] = ifindex %u: %s", free_slot, ifindex, strerror(-err));
		return -1;
	}
	st->tx_ifindex[free_slot] = ifindex;
	return free_slot;
}

static void backend_value(struct state *st, uint32_t vip_id, const struct state_backend *b,
			  struct xlb_backend *v)
{
	const struct nexthop *nh = state_nexthop(st, &b->addr);
	int slot;

	memset(v, 0, sizeof(*v));
	memcpy(v->addr, b->addr.addr, sizeof(v->addr));
	v->family = b->addr.family;
	v->gen = b->gen;
	/* Lets a conn-table hit skip the VIP lookup: safe because a removed
	 * VIP's backends lose XLB_BE_F_ACTIVE first (remove_gone). */
	v->vip_id = vip_id;
	v->flags |= XLB_BE_F_VIP_ID;
	if (b->active)
		v->flags |= XLB_BE_F_ACTIVE;
	if (!nh || nh->state != NH_RESOLVED)
		return;
	slot = tx_slot(st, nh->ifindex);
	if (slot < 0)
		return;
	memcpy(v->dmac, nh->dmac, 6);
	memcpy(v->smac, nh->smac, 6);
	v->ifindex = nh->ifindex;
	v->tx_port = (uint32_t)slot;
	v->mtu = nh->mtu;
	if (nh->src.family == b->addr.family)
		memcpy(v->src, nh->src.addr, sizeof(v->src));
	v->flags |= XLB_BE_F_NEXTHOP;
}

/* ---- serving set ---- */

static bool in_last_set(const struct state_vip *rt, const struct xlb_addr *a)
{
	for (size_t i = 0; i < rt->n_last_set; i++)
		if (!xlb_addr_cmp(&rt->last_set[i], a))
			return true;
	return false;
}

void state_sync_decide(struct state *st, const struct xlb_vip_spec *spec, struct state_vip *rt)
{
	size_t weighted = 0, eligible = 0, kept = 0;
	char vip[XLB_VIP_STRLEN];

	for (size_t i = 0; i < rt->n_be; i++) {
		const struct xlb_backend_spec *bs = &spec->backends[i];
		struct state_backend *b = &rt->be[i];

		weighted += bs->weight > 0;
		b->serving = bs->weight > 0 && b->health != HC_STATE_DOWN;
		eligible += b->serving;
	}
	xlb_vip_id_format(&spec->id, vip, sizeof(vip));
	if (eligible) {
		struct xlb_addr *set = malloc(eligible * sizeof(*set));

		if (set) {	/* remember it for the all-down policy */
			size_t n = 0;

			for (size_t i = 0; i < rt->n_be; i++)
				if (rt->be[i].serving)
					set[n++] = rt->be[i].addr;
			free(rt->last_set);
			rt->last_set = set;
			rt->n_last_set = n;
		}
		if (rt->all_down)
			log_info("vip %s: %zu of %zu backends in service again", vip, eligible, weighted);
		rt->all_down = false;
	} else if (weighted && spec->all_down == XLB_ALL_DOWN_KEEP) {
		for (size_t i = 0; i < rt->n_be; i++) {
			rt->be[i].serving = spec->backends[i].weight > 0 && in_last_set(rt, &rt->be[i].addr);
			kept += rt->be[i].serving;
		}
		if (!kept)	/* the last set is gone from the config: serve every weighted one */
			for (size_t i = 0; i < rt->n_be; i++)
				kept += rt->be[i].serving = spec->backends[i].weight > 0;
		if (!rt->all_down)
			log_warn("vip %s: every backend is down: keeping the last set (%zu backends; all_down keep)",
				 vip, kept);
		rt->all_down = true;
	} else if (weighted) {
		if (!rt->all_down)
			log_warn("vip %s: every backend is down: table emptied, packets dropped (all_down drop)", vip);
		rt->all_down = true;
	} else {
		rt->all_down = false;
	}
	for (size_t i = 0; i < rt->n_be; i++) {
		struct state_backend *b = &rt->be[i];

		b->active = b->serving || (spec->backends[i].weight == 0 && b->health != HC_STATE_DOWN);
	}
}

/* ---- one VIP: backends, then its table ---- */

static int write_backend(struct state *st, uint32_t vip_id, struct state_backend *b, bool force)
{
	struct xlb_backend v;
	int err;

	backend_value(st, vip_id, b, &v);
	if (!force && b->written_valid && !memcmp(&v, &b->written, sizeof(v)))
		return 0;
	if (b->fresh) {
		err = DP(st, reset_counters, false, b->id);
		if (err)
			log_warn("backend_stats[%u] reset: %s", b->id, strerror(-err));
	}
	err = DP(st, set_backend, b->id, &v);
	if (err)
		return err;
	b->written = v;
	b->written_valid = true;
	return 0;
}

/* Slots per backend in one pass (st->scratch is id-indexed, returned zeroed). */
static void count_slots(struct state *st, struct state_vip *rt, const uint32_t *table)
{
	for (uint32_t i = 0; i < rt->table_size; i++)
		if (table[i] < XLB_MAX_BACKENDS)
			st->scratch[table[i]]++;
	for (size_t i = 0; i < rt->n_be; i++)
		rt->be[i].slots = st->scratch[rt->be[i].id];
	for (uint32_t i = 0; i < rt->table_size; i++)
		if (table[i] < XLB_MAX_BACKENDS)
			st->scratch[table[i]] = 0;
}

static int install_table(struct state *st, const struct xlb_vip_spec *spec, struct state_vip *rt,
			 bool force)
{
	struct table_input *in = malloc((rt->n_be ? rt->n_be : 1) * sizeof(*in));
	uint32_t *table = NULL;
	uint64_t sig;
	int err = -ENOMEM;

	if (!in)
		return err;
	for (size_t i = 0; i < rt->n_be; i++)
		in[i] = (struct table_input){ rt->be[i].addr, rt->be[i].serving ? spec->backends[i].weight : 0,
					      rt->be[i].id };
	sig = table_input_sig(in, rt->n_be, rt->table_size);
	if (!force && rt->table_installed && sig == rt->input_sig) {
		err = 0;
		goto out;
	}
	table = malloc((size_t)rt->table_size * sizeof(*table));
	if (!table)
		goto out;
	err = table_build(in, rt->n_be, rt->table_size, table);
	if (err)
		goto out;
	if (rt->fresh) {
		int e = DP(st, reset_counters, true, rt->vip_id);

		if (e)
			log_warn("vip_stats[%u] reset: %s", rt->vip_id, strerror(-e));
	}
	err = DP(st, install_table, rt->vip_id, table, rt->table_size);
	if (err)
		goto out;
	rt->table_installed = true;
	rt->input_sig = sig;
	rt->fingerprint = table_fingerprint(table, rt->table_size, in, rt->n_be);
	count_slots(st, rt, table);
out:
	free(table);
	free(in);
	return err;
}

int state_sync_vip(struct state *st, const struct xlb_vip_spec *spec, struct state_vip *rt, bool force)
{
	int err = 0;

	state_sync_decide(st, spec, rt);
	for (size_t i = 0; i < rt->n_be && !err; i++)
		err = write_backend(st, rt->vip_id, &rt->be[i], force);
	return err ? err : install_table(st, spec, rt, force);
}

/* ---- keys, markers, removals ---- */

static int write_key(struct state *st, struct state_vip *rt, bool force)
{
	struct xlb_vip_key key;
	struct xlb_vip val = { .vip_id = rt->vip_id, .table_size = rt->table_size, .flags = rt->flags };
	int err;

	if (!force && rt->key_installed && !memcmp(&val, &rt->key_val, sizeof(val)))
		return 0;
	xlb_vip_id_to_key(&rt->id, &key);
	err = DP(st, set_vip, &key, &val);
	if (!err) {
		rt->key_val = val;
		rt->key_installed = true;
	}
	return err;
}

static void marker_key(const struct xlb_addr *a, struct xlb_vip_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->addr, a->addr, sizeof(k->addr));
	k->family = a->family;
	k->proto = a->family == XLB_AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
}

static struct state_marker *marker_find(struct state_marker *ms, size_t n, const struct xlb_vip_key *k)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(&ms[i].key, k, sizeof(*k)))
			return &ms[i];
	return NULL;
}

/* One marker per VIP address (ICMP echo, fragments), pointing at its first VIP's id. */
static int sync_markers(struct state *st, struct state_vip *nvs, size_t nn, bool force)
{
	struct state_marker *want = calloc(nn ? nn : 1, sizeof(*want)), *old;
	size_t n = 0;
	int err = 0;

	if (!want)
		return -ENOMEM;
	for (size_t i = 0; i < nn; i++) {
		struct xlb_vip_key k;

		marker_key(&nvs[i].id.addr, &k);
		if (marker_find(want, n, &k))
			continue;
		want[n].key = k;
		want[n].val = (struct xlb_vip){ .vip_id = nvs[i].vip_id, .flags = XLB_VIP_F_ADDR_MARKER };
		n++;
	}
	for (size_t i = 0; i < n && !err; i++) {
		old = marker_find(st->markers, st->n_markers, &want[i].key);
		if (force || !old || memcmp(&old->val, &want[i].val, sizeof(want[i].val)))
			err = DP(st, set_vip, &want[i].key, &want[i].val);
	}
	for (size_t i = 0; i < st->n_markers && !err; i++)
		if (!marker_find(want, n, &st->markers[i].key)) {
			err = DP(st, del_vip, &st->markers[i].key);
			err = err == -ENOENT ? 0 : err;
		}
	if (err) {
		free(want);
		return err;
	}
	free(st->markers);
	st->markers = want;
	st->n_markers = n;
	return 0;
}

static bool vip_id_in(const struct state_vip *vs, size_t n, uint32_t vip_id)
{
	for (size_t i = 0; i < n; i++)
		if (vs[i].vip_id == vip_id)
			return true;
	return false;
}

static bool vip_in(const struct state_vip *vs, size_t n, const struct xlb_vip_id *id)
{
	for (size_t i = 0; i < n; i++)
		if (!xlb_vip_id_cmp(&vs[i].id, id))
			return true;
	return false;
}

/* Bitmap of the backend ids vs uses (XLB_MAX_BACKENDS bits). */
static uint8_t *backend_ids_of(const struct state_vip *vs, size_t n)
{
	uint8_t *bm = calloc(XLB_MAX_BACKENDS / 8, 1);

	for (size_t i = 0; bm && i < n; i++)
		for (size_t j = 0; j < vs[i].n_be; j++)
			bm[vs[i].be[j].id / 8] |= (uint8_t)(1u << (vs[i].be[j].id % 8));
	return bm;
}

/* What (ovs) had and (nvs) has not: keys, tables, backend entries (inactive, gen kept). */
static int remove_gone(struct state *st, struct state_vip *ovs, size_t on, struct state_vip *nvs,
		       size_t nn)
{
	uint8_t *kept = backend_ids_of(nvs, nn);
	int err = 0;

	if (!kept)
		return -ENOMEM;
	for (size_t i = 0; i < on && !err; i++) {
		struct xlb_vip_key key;

		if (vip_in(nvs, nn, &ovs[i].id))
			continue;
		xlb_vip_id_to_key(&ovs[i].id, &key);
		err = DP(st, del_vip, &key);
		err = err == -ENOENT ? 0 : err;
	}
	for (size_t i = 0; i < on && !err; i++)
		if (!vip_id_in(nvs, nn, ovs[i].vip_id))
			err = DP(st, remove_table, ovs[i].vip_id);
	for (size_t i = 0; i < on && !err; i++) {
		for (size_t j = 0; j < ovs[i].n_be && !err; j++) {
			struct state_backend *b = &ovs[i].be[j];
			struct xlb_backend v = { .family = b->addr.family, .gen = b->gen };

			if (kept[b->id / 8] & (1u << (b->id % 8)))
				continue;
			memcpy(v.addr, b->addr.addr, sizeof(v.addr));
			err = DP(st, set_backend, b->id, &v);
		}
	}
	free(kept);
	return err;
}

int state_sync_all(struct state *st, struct state_vip *ovs, size_t on, struct state_vip *nvs,
	     const struct xlb_model *m, bool force, char *err)
{
	char vip[XLB_VIP_STRLEN];
	struct xlb_config cfg;
	int ret = 0;

	state_settings_to_config(&m->settings, &cfg);
	if (force || !st->cfg_written || memcmp(&cfg, &st->cfg, sizeof(cfg))) {
		ret = DP(st, set_config, &cfg);
		if (ret) {
			snprintf(err, XLB_ERR_LEN, "datapath: config map update failed: %s", strerror(-ret));
			return ret;
		}
		st->cfg = cfg;
		st->cfg_written = true;
	}
	state_sync_resolve(st, m, false);
	for (size_t i = 0; i < m->n_vips; i++) {
		ret = state_sync_vip(st, &m->vips[i], &nvs[i], force);
		if (ret) {
			xlb_vip_id_format(&nvs[i].id, vip, sizeof(vip));
			snprintf(err, XLB_ERR_LEN, "datapath: vip %s: backend/table update failed: %s",
				 vip, strerror(-ret));
			return ret;
		}
	}
	for (size_t i = 0; i < m->n_vips; i++) {
		ret = write_key(st, &nvs[i], force);
		if (ret) {
			xlb_vip_id_format(&nvs[i].id, vip, sizeof(vip));
			snprintf(err, XLB_ERR_LEN, "datapath: vip %s: vips map update failed: %s",
				 vip, strerror(-ret));
			return ret;
		}
	}
	ret = sync_markers(st, nvs, m->n_vips, force);
	if (!ret)
		ret = remove_gone(st, ovs, on, nvs, m->n_vips);
	if (ret)
		snprintf(err, XLB_ERR_LEN, "datapath: address markers/removals failed: %s", strerror(-ret));
	return ret;
}

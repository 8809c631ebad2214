// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * state.c - xlbd's runtime state: ids, commits with rollback, health and
 * next-hop events, drains. Contract in state.h; the datapath writes
 * themselves are in state_sync.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "state_int.h"

#define NSEC 1000000000ull

uint64_t state_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

static bool bit_get(const uint8_t *bm, uint32_t i)
{
	return bm[i / 8] & (1u << (i % 8));
}

static void bit_set(uint8_t *bm, uint32_t i, bool on)
{
	if (on)
		bm[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		bm[i / 8] &= (uint8_t)~(1u << (i % 8));
}

int state_init(struct state *st, const struct dp *dp)
{
	memset(st, 0, sizeof(*st));
	xlb_model_init(&st->model);
	st->dp = *dp;
	st->next_gen = 1;
	st->be_used = calloc(XLB_MAX_BACKENDS / 8, 1);
	st->gens = calloc(XLB_MAX_BACKENDS, sizeof(*st->gens));
	st->pinned = calloc(XLB_MAX_BACKENDS, sizeof(*st->pinned));
	st->scratch = calloc(XLB_MAX_BACKENDS, sizeof(*st->scratch));
	if (!st->be_used || !st->gens || !st->pinned || !st->scratch) {
		state_free(st);
		return -ENOMEM;
	}
	return 0;
}

static void free_runtime(struct state_vip *vs, size_t n)
{
	for (size_t i = 0; vs && i < n; i++) {
		free(vs[i].be);
		free(vs[i].last_set);
	}
	free(vs);
}

void state_free(struct state *st)
{
	if (st->drain_timer)
		event_free(st->drain_timer);
	if (st->nh_timer)
		event_free(st->nh_timer);
	free_runtime(st->vips, st->n_vips);
	xlb_model_free(&st->model);
	free(st->be_used);
	free(st->gens);
	free(st->pinned);
	free(st->scratch);
	free(st->nh);
	free(st->markers);
	free(st->hints);
	free(st->drains);
	memset(st, 0, sizeof(*st));
}

int state_vip_index(const struct state *st, const struct xlb_vip_id *id)
{
	for (size_t i = 0; i < st->n_vips; i++)
		if (!xlb_vip_id_cmp(&st->vips[i].id, id))
			return (int)i;
	return -ENOENT;
}

int state_backend_index(const struct state *st, size_t vi, const struct xlb_addr *a)
{
	const struct state_vip *v = &st->vips[vi];

	for (size_t i = 0; i < v->n_be; i++)
		if (!xlb_addr_cmp(&v->be[i].addr, a))
			return (int)i;
	return -ENOENT;
}

const char *state_backend_str(const struct xlb_backend_spec *spec, const struct state_backend *b)
{
	if (b->health == HC_STATE_DOWN)
		return "down";
	if (spec->weight == 0)
		return "drain";
	return b->health == HC_STATE_UP ? "up" : "unknown";
}

/* ---- ids ---- */

static const struct state_hint *hint_find(const struct state *st, const struct xlb_vip_id *vip,
					  const struct xlb_addr *addr)
{
	for (size_t i = 0; i < st->n_hints; i++) {
		const struct state_hint *h = &st->hints[i];

		if (xlb_vip_id_cmp(&h->vip, vip))
			continue;
		if (!addr ? h->addr.family == 0 : (h->addr.family && !xlb_addr_cmp(&h->addr, addr)))
			return h;
	}
	return NULL;
}

static int add_hint(struct state *st, const struct state_hint *h)
{
	struct state_hint *grown = realloc(st->hints, (st->n_hints + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	st->hints = grown;
	st->hints[st->n_hints++] = *h;
	return 0;
}

int state_hint_vip(struct state *st, const struct xlb_vip_id *vip, uint32_t vip_id)
{
	struct state_hint h = { .vip = *vip, .id = vip_id };

	return vip_id < XLB_MAX_VIPS ? add_hint(st, &h) : -EINVAL;
}

int state_hint_backend(struct state *st, const struct xlb_vip_id *vip, const struct xlb_addr *addr,
		       uint32_t id, uint32_t gen)
{
	struct state_hint h = { .vip = *vip, .addr = *addr, .id = id, .gen = gen };

	if (id >= XLB_MAX_BACKENDS || !addr->family)
		return -EINVAL;
	if (gen >= st->next_gen)
		st->next_gen = gen + 1;
	return add_hint(st, &h);
}

void state_hint_next_gen(struct state *st, uint32_t next_gen)
{
	if (next_gen > st->next_gen)
		st->next_gen = next_gen;
}

void state_scan_gens(struct state *st)
{
	struct xlb_backend *all = calloc(XLB_MAX_BACKENDS, sizeof(*all));

	if (all && !st->dp.ops->read_backends(st->dp.ctx, all))
		for (uint32_t id = 0; id < XLB_MAX_BACKENDS; id++)
			if (all[id].gen >= st->next_gen)
				st->next_gen = all[id].gen + 1;
	free(all);
}

/* Ids handed out by the commit in progress, released if it fails. */
struct allocs {
	uint32_t vip_ids[XLB_MAX_VIPS];
	size_t n_vip;
	uint32_t *be_ids;
	size_t n_be;
	uint32_t gen_before;
};

static int alloc_vip_id(struct state *st, const struct xlb_vip_id *vip, struct allocs *a, uint32_t *out)
{
	const struct state_hint *h = hint_find(st, vip, NULL);
	uint32_t id = XLB_MAX_VIPS;

	if (h && !bit_get(st->vip_used, h->id))
		id = h->id;
	for (uint32_t i = 0; id == XLB_MAX_VIPS && i < XLB_MAX_VIPS; i++)
		if (!bit_get(st->vip_used, i))
			id = i;
	if (id == XLB_MAX_VIPS)
		return -ENOSPC;
	bit_set(st->vip_used, id, true);
	a->vip_ids[a->n_vip++] = id;
	*out = id;
	return 0;
}

static int alloc_backend_id(struct state *st, const struct xlb_vip_id *vip, const struct xlb_addr *addr,
			    struct allocs *a, struct state_backend *b)
{
	const struct state_hint *h = hint_find(st, vip, addr);
	uint32_t id = XLB_MAX_BACKENDS;

	if (h && !bit_get(st->be_used, h->id)) {
		id = h->id;
		b->gen = h->gen;
	}
	/* lowest free id: small ids keep `bpftool map dump` short */
	for (uint32_t i = 0; id == XLB_MAX_BACKENDS && i < XLB_MAX_BACKENDS; i++) {
		if (st->be_used[i / 8] == 0xff) {
			i += 7;
			continue;
		}
		if (!bit_get(st->be_used, i)) {
			id = i;
			b->gen = st->next_gen++;
		}
	}
	if (id == XLB_MAX_BACKENDS)
		return -ENOSPC;
	bit_set(st->be_used, id, true);
	a->be_ids[a->n_be++] = id;
	b->id = id;
	b->fresh = !h || h->id != id;
	return 0;
}

static void release_allocs(struct state *st, struct allocs *a)
{
	for (size_t i = 0; i < a->n_vip; i++)
		bit_set(st->vip_used, a->vip_ids[i], false);
	for (size_t i = 0; i < a->n_be; i++)
		bit_set(st->be_used, a->be_ids[i], false);
	st->next_gen = a->gen_before;
}

/* New runtime for one VIP: carry what stays from the old one, allocate the rest. */
static int plan_vip(struct state *st, const struct xlb_vip_spec *spec, struct state_vip *nv,
		    struct allocs *a)
{
	int oi = state_vip_index(st, &spec->id), err;
	struct state_vip *ov = oi >= 0 ? &st->vips[oi] : NULL;

	nv->id = spec->id;
	nv->table_size = spec->table_size;
	nv->flags = spec->hash == XLB_HASH_SRC ? XLB_VIP_F_HASH_SRC : 0;
	nv->be = calloc(spec->n_backends ? spec->n_backends : 1, sizeof(*nv->be));
	if (!nv->be)
		return -ENOMEM;
	nv->n_be = spec->n_backends;
	if (ov) {
		nv->key_val = ov->key_val;
		nv->key_installed = ov->key_installed;
		nv->all_down = ov->all_down;
		if (ov->n_last_set) {
			nv->last_set = malloc(ov->n_last_set * sizeof(*nv->last_set));
			if (!nv->last_set)
				return -ENOMEM;
			memcpy(nv->last_set, ov->last_set, ov->n_last_set * sizeof(*nv->last_set));
			nv->n_last_set = ov->n_last_set;
		}
	}
	if (ov && ov->table_size == spec->table_size) {
		nv->vip_id = ov->vip_id;
		nv->fingerprint = ov->fingerprint;
		nv->input_sig = ov->input_sig;
		nv->table_installed = ov->table_installed;
	} else {
		/* a new table size gets a new vip_id: the key then flips atomically */
		err = alloc_vip_id(st, &spec->id, a, &nv->vip_id);
		if (err)
			return err;
		const struct state_hint *h = hint_find(st, &spec->id, NULL);

		nv->fresh = !h || h->id != nv->vip_id;	/* a restored id keeps its counters */
	}
	for (size_t i = 0; i < spec->n_backends; i++) {
		const struct xlb_addr *addr = &spec->backends[i].addr;
		int bi = ov ? state_backend_index(st, (size_t)oi, addr) : -ENOENT;

		if (bi >= 0) {
			nv->be[i] = ov->be[bi];
			nv->be[i].fresh = false;
			continue;
		}
		nv->be[i].addr = *addr;
		nv->be[i].health = HC_STATE_UNKNOWN;
		nv->be[i].health_since_ns = state_now_ns();
		err = alloc_backend_id(st, &spec->id, addr, a, &nv->be[i]);
		if (err)
			return err;
	}
	return 0;
}

/* After a successful commit: free the ids nothing uses any more. */
static void release_gone(struct state *st, struct state_vip *nvs, size_t nn)
{
	for (size_t i = 0; i < nn; i++) {
		for (size_t j = 0; j < nvs[i].n_be; j++)
			st->gens[nvs[i].be[j].id] = nvs[i].be[j].gen;
	}
	for (size_t i = 0; i < st->n_vips; i++) {
		struct state_vip *ov = &st->vips[i];
		bool vip_kept = false;

		for (size_t k = 0; k < nn && !vip_kept; k++)
			vip_kept = nvs[k].vip_id == ov->vip_id;
		if (!vip_kept)
			bit_set(st->vip_used, ov->vip_id, false);
		int ni = -1;

		for (size_t k = 0; k < nn && ni < 0; k++)
			if (!xlb_vip_id_cmp(&nvs[k].id, &ov->id))
				ni = (int)k;
		for (size_t j = 0; j < ov->n_be; j++) {
			bool kept = false;

			for (size_t k = 0; ni >= 0 && k < nvs[ni].n_be && !kept; k++)
				kept = nvs[ni].be[k].id == ov->be[j].id;
			if (!kept)
				bit_set(st->be_used, ov->be[j].id, false);
		}
	}
}

static void hc_key(struct hc_target_key *k, const struct xlb_vip_id *vip, const struct xlb_addr *a)
{
	memset(k, 0, sizeof(*k));
	k->vip = *vip;
	k->backend = *a;
}

/* Health targets follow the committed model; statuses are read back (type none is up at once). */
static void sync_health(struct state *st, const struct xlb_model *old)
{
	struct hc_target_key k;
	struct hc_status hs;

	if (!st->hc)
		return;
	for (size_t i = 0; i < old->n_vips; i++) {
		const struct xlb_vip_spec *ov = &old->vips[i];
		const struct xlb_vip_spec *nv = xlb_model_find_vip(&st->model, &ov->id);

		for (size_t j = 0; j < ov->n_backends; j++) {
			if (nv && xlb_vip_find_backend(nv, &ov->backends[j].addr))
				continue;
			hc_key(&k, &ov->id, &ov->backends[j].addr);
			hc_del_target(st->hc, &k);
		}
	}
	for (size_t i = 0; i < st->model.n_vips; i++) {
		const struct xlb_vip_spec *v = &st->model.vips[i];

		for (size_t j = 0; j < v->n_backends; j++) {
			struct state_backend *b = &st->vips[i].be[j];
			struct xlb_health_spec eff;
			int err;

			xlb_health_effective(v, &v->backends[j], &eff);
			hc_key(&k, &v->id, &b->addr);
			err = hc_set_target(st->hc, &k, &eff, b->id);
			if (err)
				log_warn("health target %u: %s", b->id, strerror(-err));
			if (!err && !hc_get_status(st->hc, &k, &hs) && hs.state != b->health &&
			    hs.state != HC_STATE_DOWN) {
				b->health = hs.state;	/* unknown -> up: both in service, no rebuild */
				b->last_result = hs.last_result;
			}
		}
	}
}

int state_commit(struct state *st, struct xlb_model *m, char *err)
{
	struct state_vip *nvs = calloc(m->n_vips ? m->n_vips : 1, sizeof(*nvs));
	struct allocs a = { .gen_before = st->next_gen };
	struct xlb_model old;
	char rb_err[XLB_ERR_LEN];
	int ret = -ENOMEM;

	err[0] = '\0';
	a.be_ids = malloc(sizeof(*a.be_ids) * XLB_MAX_BACKENDS);
	if (!nvs || !a.be_ids) {
		snprintf(err, XLB_ERR_LEN, "out of memory");
		goto out_free;
	}
	for (size_t i = 0; i < m->n_vips; i++) {
		ret = plan_vip(st, &m->vips[i], &nvs[i], &a);
		if (ret) {
			snprintf(err, XLB_ERR_LEN, "%s", ret == -ENOSPC ?
				 "no free vip_id/backend_id (limits: 1024 VIPs, 131072 backends)" :
				 "out of memory");
			goto out_release;
		}
	}
	ret = state_sync_all(st, st->vips, st->n_vips, nvs, m, false, err);
	if (ret) {
		log_error("%s: rolling back", err);
		if (state_sync_all(st, nvs, m->n_vips, st->vips, &st->model, true, rb_err))
			log_error("rollback incomplete: %s", rb_err);
		goto out_release;
	}
	release_gone(st, nvs, m->n_vips);
	/* hints serve the first commit only: a later re-add must not revive an old gen */
	free(st->hints);
	st->hints = NULL;
	st->n_hints = 0;
	for (size_t i = 0; i < m->n_vips; i++) {
		nvs[i].fresh = false;
		for (size_t j = 0; j < nvs[i].n_be; j++)
			nvs[i].be[j].fresh = false;
	}
	free_runtime(st->vips, st->n_vips);
	st->vips = nvs;
	st->n_vips = m->n_vips;
	old = st->model;
	st->model = *m;
	xlb_model_init(m);
	sync_health(st, &old);
	xlb_model_free(&old);
	free(a.be_ids);
	return 0;

out_release:
	release_allocs(st, &a);
out_free:
	free_runtime(nvs, m->n_vips);
	free(a.be_ids);
	return ret;
}

/* ---- events ---- */

void state_health_event(struct state *st, const struct hc_target_key *key,
			enum hc_state new_state, enum hc_result why)
{
	int vi = state_vip_index(st, &key->vip), bi, err;
	char vip[XLB_VIP_STRLEN];
	struct state_vip *rt;
	uint32_t slots_before;

	if (vi < 0 || (bi = state_backend_index(st, (size_t)vi, &key->backend)) < 0)
		return;
	rt = &st->vips[vi];
	slots_before = rt->be[bi].slots;
	rt->be[bi].health = new_state;
	rt->be[bi].last_result = why;
	rt->be[bi].health_since_ns = state_now_ns();
	err = state_sync_vip(st, &st->model.vips[vi], rt, false);
	xlb_vip_id_format(&rt->id, vip, sizeof(vip));
	if (err)
		log_error("vip %s: datapath update after health change failed: %s", vip, strerror(-err));
	else if (slots_before != rt->be[bi].slots)
		log_info("vip %s: table %016llx rebuilt (backend %u: %u -> %u slots)", vip,
			 (unsigned long long)rt->fingerprint, rt->be[bi].id, slots_before, rt->be[bi].slots);
}

void state_nexthop_changed(struct state *st)
{
	int err;

	state_sync_resolve(st, &st->model, true);
	for (size_t i = 0; i < st->n_vips; i++) {
		err = state_sync_vip(st, &st->model.vips[i], &st->vips[i], false);
		if (err)
			log_error("backend update after next-hop change failed: %s", strerror(-err));
	}
}

int state_refresh_pinned(struct state *st, uint64_t max_age_ns)
{
	uint64_t now = state_now_ns();
	int err;

	if (st->pinned_at_ns && now - st->pinned_at_ns < max_age_ns)
		return 0;
	err = st->dp.ops->count_conns(st->dp.ctx, &st->pinned_total, st->pinned, st->gens,
				      st->cfg.udp_idle_ns);
	if (!err)
		st->pinned_at_ns = now;
	return err;
}

/* ---- restart ---- */

static bool key_is_ours(const struct state *st, const struct xlb_vip_key *k)
{
	struct xlb_vip_key mine;

	for (size_t i = 0; i < st->n_vips; i++) {
		xlb_vip_id_to_key(&st->vips[i].id, &mine);
		if (!memcmp(&mine, k, sizeof(mine)))
			return true;
	}
	for (size_t i = 0; i < st->n_markers; i++)
		if (!memcmp(&st->markers[i].key, k, sizeof(*k)))
			return true;
	return false;
}

int state_prune_stale(struct state *st)
{
	const struct dp_ops *ops = st->dp.ops;
	struct xlb_vip_key *keys = NULL;
	struct xlb_backend *all = calloc(XLB_MAX_BACKENDS, sizeof(*all));
	size_t n = 0;
	int removed = 0;

	if (ops->vip_keys && !ops->vip_keys(st->dp.ctx, &keys, &n))
		for (size_t i = 0; i < n; i++)
			if (!key_is_ours(st, &keys[i]) && !ops->del_vip(st->dp.ctx, &keys[i]))
				removed++;
	free(keys);
	for (uint32_t id = 0; id < XLB_MAX_VIPS; id++)
		if (!bit_get(st->vip_used, id) && !ops->table_slot(st->dp.ctx, id, 0, &(uint32_t){ 0 }) &&
		    !ops->remove_table(st->dp.ctx, id))
			removed++;
	if (all && ops->read_backends(st->dp.ctx, all)) {
		free(all);
		all = NULL;
	}
	for (uint32_t id = 0; all && id < XLB_MAX_BACKENDS; id++) {
		if (bit_get(st->be_used, id) || !all[id].flags)
			continue;
		all[id].flags = 0;	/* gen kept: its conn entries stay stale */
		if (!ops->set_backend(st->dp.ctx, id, &all[id]))
			removed++;
	}
	free(all);
	if (removed)
		log_info("restart: removed %d stale datapath entries the state does not have", removed);
	return removed;
}

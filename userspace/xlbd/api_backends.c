// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * api_backends.c - /v1/vips/{vip}/backends[/{addr}[/drain]]: add, get,
 * patch (weight, health), drain, delete now or after drain. Each change is
 * a api_mutate() (api_int.h): copy, edit, validate, commit, persist.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api_int.h"
#include "api_view.h"
#include "log.h"
#include "model_json.h"

/* ---- backends ---- */

struct be_edit {
	struct xlb_vip_id vip;
	struct xlb_addr addr;
	struct xlb_backend_spec spec;	/* add */
	bool set_weight, set_health;	/* patch */
	uint32_t weight;
	struct xlb_health_spec health;
};

static struct xlb_vip_spec *find_vip(struct xlb_model *m, const struct xlb_vip_id *id, char *err)
{
	struct xlb_vip_spec *v = xlb_model_find_vip(m, id);
	char vip[XLB_VIP_STRLEN];

	if (!v) {
		xlb_vip_id_format(id, vip, sizeof(vip));
		snprintf(err, XLB_ERR_LEN, "vip %s: no such VIP", vip);
	}
	return v;
}

static int edit_add_backend(struct xlb_model *m, void *arg, char *err)
{
	struct be_edit *e = arg;
	struct xlb_vip_spec *v = find_vip(m, &e->vip, err);

	return v ? xlb_vip_add_backend(v, &e->spec, err) : -ENOENT;
}

static int edit_patch_backend(struct xlb_model *m, void *arg, char *err)
{
	struct be_edit *e = arg;
	struct xlb_vip_spec *v = find_vip(m, &e->vip, err);
	struct xlb_backend_spec *b = v ? xlb_vip_find_backend(v, &e->addr) : NULL;
	char a[XLB_ADDR_STRLEN];

	if (!v)
		return -ENOENT;
	if (!b) {
		xlb_addr_format(&e->addr, a, sizeof(a));
		snprintf(err, XLB_ERR_LEN, "backend %s: not a backend of this VIP", a);
		return -ENOENT;
	}
	if (e->set_weight)
		b->weight = e->weight;
	if (e->set_health)
		b->health = e->health;
	return 0;
}

static int edit_del_backend(struct xlb_model *m, void *arg, char *err)
{
	struct be_edit *e = arg;
	struct xlb_vip_spec *v = find_vip(m, &e->vip, err);

	return v ? xlb_vip_del_backend(v, &e->addr, err) : -ENOENT;
}

static void reply_backend(struct api *api, struct be_edit *e, int status, struct api_reply *out)
{
	int vi = state_vip_index(api->st, &e->vip);
	int bi = vi < 0 ? -1 : state_backend_index(api->st, (size_t)vi, &e->addr);

	if (bi < 0)
		api_fail(out, 500, "backend vanished after the change");
	else
		api_reply_set(out, status, view_backend(api, (size_t)vi, (size_t)bi));
}

static void h_backend_add(struct api *api, struct req *r, struct api_reply *out)
{
	char err[XLB_ERR_LEN] = "", vip[XLB_VIP_STRLEN], a[XLB_ADDR_STRLEN];
	struct be_edit e;
	json_t *j;

	memset(&e, 0, sizeof(e));
	if (!api_parse_vip_seg(r->seg[1], &e.vip, out) || !(j = api_parse_body(r, out)))
		return;
	if (xlb_backend_from_json(j, &e.spec, err)) {
		json_decref(j);
		api_fail(out, 400, "%s", err[0] ? err : "body: invalid backend");
		return;
	}
	json_decref(j);
	e.addr = e.spec.addr;
	if (api_mutate(api, edit_add_backend, &e, out))
		return;
	xlb_vip_id_format(&e.vip, vip, sizeof(vip));
	xlb_addr_format(&e.addr, a, sizeof(a));
	log_info("api: vip %s: backend %s added (weight %u)", vip, a, e.spec.weight);
	reply_backend(api, &e, 201, out);
}

/* {"weight": N, "health": {...}}: anything else is an error naming the field. */
static bool parse_patch(const json_t *j, struct be_edit *e, struct api_reply *out)
{
	char err[XLB_ERR_LEN] = "";
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)j, key, v) {
		if (!strcmp(key, "weight")) {
			json_int_t w = json_integer_value(v);

			if (!json_is_integer(v) || w < 0 || w > XLB_MAX_WEIGHT) {
				api_fail(out, 400, "weight: must be an integer 0..%d", XLB_MAX_WEIGHT);
				return false;
			}
			e->set_weight = true;
			e->weight = (uint32_t)w;
		} else if (!strcmp(key, "health")) {
			if (xlb_health_from_json(v, &e->health, err)) {
				api_fail(out, 400, "health: %s", err[0] ? err : "invalid");
				return false;
			}
			e->set_health = true;
		} else {
			api_fail(out, 400, "%s: unknown field (weight, health)", key);
			return false;
		}
	}
	if (!e->set_weight && !e->set_health) {
		api_fail(out, 400, "body: nothing to change (weight, health)");
		return false;
	}
	return true;
}

static void h_backend_patch(struct api *api, struct be_edit *e, struct req *r, struct api_reply *out,
			    bool drain)
{
	char vip[XLB_VIP_STRLEN], a[XLB_ADDR_STRLEN];
	json_t *j;

	if (drain) {
		e->set_weight = true;
		e->weight = 0;
	} else {
		if (!(j = api_parse_body(r, out)))
			return;
		if (!parse_patch(j, e, out)) {
			json_decref(j);
			return;
		}
		json_decref(j);
	}
	if (api_mutate(api, edit_patch_backend, e, out))
		return;
	xlb_vip_id_format(&e->vip, vip, sizeof(vip));
	xlb_addr_format(&e->addr, a, sizeof(a));
	if (e->set_weight)
		log_info("api: vip %s: backend %s weight %u%s", vip, a, e->weight, e->weight ? "" : " (drain)");
	if (e->set_health)
		log_info("api: vip %s: backend %s health spec changed", vip, a);
	reply_backend(api, e, 200, out);
}

static void h_backend_del(struct api *api, struct be_edit *e, struct req *r, struct api_reply *out)
{
	const char *ad = evhttp_find_header(&r->query, "after_drain");
	const char *to = evhttp_find_header(&r->query, "timeout");
	char vip[XLB_VIP_STRLEN], a[XLB_ADDR_STRLEN], *end;
	unsigned long timeout = 300;
	int vi, bi;

	xlb_vip_id_format(&e->vip, vip, sizeof(vip));
	xlb_addr_format(&e->addr, a, sizeof(a));
	if (to) {
		timeout = strtoul(to, &end, 10);
		if (!*to || *end || timeout < 1 || timeout > 86400) {
			api_fail(out, 400, "timeout '%s': expected seconds 1..86400", to);
			return;
		}
	}
	if (ad && strcmp(ad, "1") && strcmp(ad, "0") && strcmp(ad, "true") && strcmp(ad, "false")) {
		api_fail(out, 400, "after_drain '%s': expected 1 or 0", ad);
		return;
	}
	if (ad && (!strcmp(ad, "1") || !strcmp(ad, "true"))) {
		e->set_weight = true;	/* drain first (a no-op when already drained) */
		if (api_mutate(api, edit_patch_backend, e, out))
			return;
		vi = state_vip_index(api->st, &e->vip);
		bi = state_backend_index(api->st, (size_t)vi, &e->addr);
		state_refresh_pinned(api->st, 0);
		uint32_t left = api->st->pinned[api->st->vips[vi].be[bi].id];

		if (left) {
			if (state_drain_add(api->st, &e->vip, &e->addr, (uint32_t)timeout)) {
				api_fail(out, 500, "out of memory");
				return;
			}
			log_info("api: vip %s: backend %s draining, deleted when %u pinned flows end (timeout %lus)",
				 vip, a, left, timeout);
			api_reply_set(out, 202, json_pack("{s:s,s:s,s:I,s:I}", "draining", a, "vip", vip,
						  "pinned_flows", (json_int_t)left, "timeout_sec", (json_int_t)timeout));
			return;
		}
	}
	if (api_mutate(api, edit_del_backend, e, out))
		return;
	log_info("api: vip %s: backend %s deleted", vip, a);
	api_reply_set(out, 200, json_pack("{s:s,s:s}", "deleted", a, "vip", vip));
}

/* /v1/vips/{vip}/backends[/{addr}[/drain]] */
void api_h_backends(struct api *api, struct req *r, struct api_reply *out)
{
	struct be_edit e;

	memset(&e, 0, sizeof(e));
	if (r->n_seg == 3) {
		if (strcmp(r->method, "POST"))
			api_fail(out, 405, "%s /v1/vips/{vip}/backends: method not allowed (POST)", r->method);
		else
			h_backend_add(api, r, out);
		return;
	}
	if (!api_parse_vip_seg(r->seg[1], &e.vip, out) || !api_parse_addr_seg(r->seg[3], &e.addr, out))
		return;
	if (r->n_seg == 5) {
		if (strcmp(r->seg[4], "drain"))
			api_fail(out, 404, "no such route: .../backends/{addr}/%s", r->seg[4]);
		else if (strcmp(r->method, "POST"))
			api_fail(out, 405, "%s .../drain: method not allowed (POST)", r->method);
		else
			h_backend_patch(api, &e, r, out, true);
	} else if (!strcmp(r->method, "PATCH")) {
		h_backend_patch(api, &e, r, out, false);
	} else if (!strcmp(r->method, "DELETE")) {
		h_backend_del(api, &e, r, out);
	} else if (!strcmp(r->method, "GET")) {
		int vi = state_vip_index(api->st, &e.vip);
		int bi = vi < 0 ? -1 : state_backend_index(api->st, (size_t)vi, &e.addr);

		if (bi < 0)
			api_fail(out, 404, "%s/%s: no such VIP backend", r->seg[1], r->seg[3]);
		else
			api_reply_set(out, 200, view_backend(api, (size_t)vi, (size_t)bi));
	} else {
		api_fail(out, 405, "%s /v1/vips/{vip}/backends/{addr}: method not allowed (GET, PATCH, DELETE)",
		     r->method);
	}
}


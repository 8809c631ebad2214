// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * apply.c - parse, diff and moved-share of a new model; contract in apply.h.
 */
#include "apply.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "maglev.h"
#include "model_json.h"
#include "tables.h"
#include "xlb_hash.h"

int apply_parse(const char *body, size_t len, const char *content_type, struct xlb_model *out, char *err)
{
	size_t i = 0;
	bool json;
	int ret;

	while (i < len && isspace((unsigned char)body[i]))
		i++;
	if (i == len) {
		snprintf(err, XLB_ERR_LEN, "body: empty (expected a YAML config or model JSON)");
		return -EINVAL;
	}
	json = body[i] == '{' || (content_type && strcasestr(content_type, "json"));
	if (json) {
		json_error_t jerr;
		json_t *j = json_loadb(body, len, 0, &jerr);
		char e[XLB_ERR_LEN] = "";

		if (!j) {
			snprintf(err, XLB_ERR_LEN, "body: invalid JSON at line %d column %d: %s",
				 jerr.line, jerr.column, jerr.text);
			return -EINVAL;
		}
		ret = xlb_model_from_json(j, out, e);
		json_decref(j);
		if (ret)
			snprintf(err, XLB_ERR_LEN, "%s", e[0] ? e : "body: invalid model");
		return ret;
	}
	ret = xlb_config_load_string(body, len, out, err);
	if (ret && !err[0])
		snprintf(err, XLB_ERR_LEN, "body: invalid YAML config");
	return ret;
}

/* ---- changes ---- */

struct detail {
	char text[1024];
	size_t len;
};

static void add_detail(struct detail *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_detail(struct detail *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (d->len + 8 >= sizeof(d->text))
		return;
	if (d->len)
		d->len += (size_t)snprintf(d->text + d->len, sizeof(d->text) - d->len, "; ");
	va_start(ap, fmt);
	n = vsnprintf(d->text + d->len, sizeof(d->text) - d->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		d->len = d->len + (size_t)n < sizeof(d->text) ? d->len + (size_t)n : sizeof(d->text) - 1;
}

static bool health_equal(const struct xlb_health_spec *a, const struct xlb_health_spec *b)
{
	json_t *ja = xlb_health_to_json(a), *jb = xlb_health_to_json(b);
	bool eq = json_equal(ja, jb);

	json_decref(ja);
	json_decref(jb);
	return eq;
}

static void vip_detail(const struct xlb_vip_spec *o, const struct xlb_vip_spec *n, struct detail *d)
{
	char a[XLB_ADDR_STRLEN];

	if (o->hash != n->hash)
		add_detail(d, "hash %s -> %s", xlb_hash_mode_str(o->hash), xlb_hash_mode_str(n->hash));
	if (o->table_size != n->table_size)
		add_detail(d, "table_size %u -> %u", o->table_size, n->table_size);
	if (o->all_down != n->all_down)
		add_detail(d, "all_down %s -> %s", xlb_all_down_str(o->all_down), xlb_all_down_str(n->all_down));
	if (!health_equal(&o->health, &n->health))
		add_detail(d, "health changed");
	for (size_t i = 0; i < o->n_backends; i++) {
		const struct xlb_backend_spec *ob = &o->backends[i];
		const struct xlb_backend_spec *nb = xlb_vip_find_backend(n, &ob->addr);

		xlb_addr_format(&ob->addr, a, sizeof(a));
		if (!nb) {
			add_detail(d, "backend %s removed", a);
			continue;
		}
		if (ob->weight != nb->weight)
			add_detail(d, "backend %s weight %u -> %u", a, ob->weight, nb->weight);
		if (!health_equal(&ob->health, &nb->health))
			add_detail(d, "backend %s health changed", a);
	}
	for (size_t i = 0; i < n->n_backends; i++) {
		if (xlb_vip_find_backend(o, &n->backends[i].addr))
			continue;
		xlb_addr_format(&n->backends[i].addr, a, sizeof(a));
		add_detail(d, "backend %s added (weight %u)", a, n->backends[i].weight);
	}
}

static void push_change(json_t *arr, const char *op, const char *vip, const char *detail)
{
	json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "op", op, "vip", vip, "detail", detail));
}

static void settings_detail(const struct xlb_settings *o, const struct xlb_settings *n, struct detail *d)
{
	char a[XLB_ADDR_STRLEN], b[XLB_ADDR_STRLEN];
	bool ifs = o->n_interfaces != n->n_interfaces;

	for (size_t i = 0; !ifs && i < o->n_interfaces; i++)
		ifs = strcmp(o->interfaces[i], n->interfaces[i]) != 0;
	if (ifs)
		add_detail(d, "interfaces changed (attach takes effect when xlbd restarts)");
	if (xlb_addr_cmp(&o->src4_prefix, &n->src4_prefix) || o->src4_len != n->src4_len) {
		xlb_addr_format(&o->src4_prefix, a, sizeof(a));
		xlb_addr_format(&n->src4_prefix, b, sizeof(b));
		add_detail(d, "src4_prefix %s/%u -> %s/%u", o->src4_prefix.family ? a : "-", o->src4_len,
			   n->src4_prefix.family ? b : "-", n->src4_len);
	}
	if (xlb_addr_cmp(&o->src6_prefix, &n->src6_prefix) || o->src6_len != n->src6_len) {
		xlb_addr_format(&o->src6_prefix, a, sizeof(a));
		xlb_addr_format(&n->src6_prefix, b, sizeof(b));
		add_detail(d, "src6_prefix %s/%u -> %s/%u", o->src6_prefix.family ? a : "-", o->src6_len,
			   n->src6_prefix.family ? b : "-", n->src6_len);
	}
	if (o->udp_idle_sec != n->udp_idle_sec)
		add_detail(d, "udp_idle_sec %u -> %u", o->udp_idle_sec, n->udp_idle_sec);
	if (o->new_flows_per_cpu != n->new_flows_per_cpu)
		add_detail(d, "new_flows_per_cpu %u -> %u", o->new_flows_per_cpu, n->new_flows_per_cpu);
	if (o->ttl != n->ttl)
		add_detail(d, "ttl %u -> %u", o->ttl, n->ttl);
}

json_t *apply_changes(const struct xlb_model *cur, const struct xlb_model *next)
{
	json_t *arr = json_array();
	char vip[XLB_VIP_STRLEN], text[64];
	struct detail d = { .len = 0 };

	settings_detail(&cur->settings, &next->settings, &d);
	if (d.len)
		push_change(arr, "change", "settings", d.text);
	for (size_t i = 0; i < cur->n_vips; i++) {
		const struct xlb_vip_spec *o = &cur->vips[i];
		const struct xlb_vip_spec *n = xlb_model_find_vip(next, &o->id);

		xlb_vip_id_format(&o->id, vip, sizeof(vip));
		if (!n) {
			snprintf(text, sizeof(text), "%zu backends", o->n_backends);
			push_change(arr, "del", vip, text);
			continue;
		}
		d.len = 0;
		d.text[0] = '\0';
		vip_detail(o, n, &d);
		if (d.len)
			push_change(arr, "change", vip, d.text);
	}
	for (size_t i = 0; i < next->n_vips; i++) {
		const struct xlb_vip_spec *n = &next->vips[i];

		if (xlb_model_find_vip(cur, &n->id))
			continue;
		xlb_vip_id_format(&n->id, vip, sizeof(vip));
		snprintf(text, sizeof(text), "%zu backends, table_size %u", n->n_backends, n->table_size);
		push_change(arr, "add", vip, text);
	}
	return arr;
}

/* ---- moved share ---- */

/* Current health of (vip, addr), unknown when the state has none. */
static enum hc_state health_of(const struct state *st, const struct xlb_vip_id *vip,
			       const struct xlb_addr *a)
{
	int vi = st ? state_vip_index(st, vip) : -ENOENT;
	int bi = vi < 0 ? -ENOENT : state_backend_index(st, (size_t)vi, a);

	return bi < 0 ? HC_STATE_UNKNOWN : st->vips[vi].be[bi].health;
}

/*
 * Table inputs of a VIP labelled by position in labels[] (ids are per host
 * and new backends have none yet). Serving = weighted and not down; if that
 * leaves none, every weighted backend (the all-down keep policy, roughly).
 */
static struct table_input *inputs_of(const struct state *st, const struct xlb_vip_spec *v,
				     const struct xlb_addr *labels, size_t n_labels)
{
	struct table_input *in = calloc(v->n_backends ? v->n_backends : 1, sizeof(*in));
	size_t serving = 0;

	if (!in)
		return NULL;
	for (int pass = 0; pass < 2 && !serving; pass++) {
		for (size_t i = 0; i < v->n_backends; i++) {
			const struct xlb_backend_spec *b = &v->backends[i];
			bool up = pass || health_of(st, &v->id, &b->addr) != HC_STATE_DOWN;

			in[i].addr = b->addr;
			in[i].weight = up && (pass == 0 || v->all_down == XLB_ALL_DOWN_KEEP) ? b->weight : 0;
			serving += in[i].weight > 0;
			for (size_t l = 0; l < n_labels; l++)
				if (!xlb_addr_cmp(&labels[l], &b->addr))
					in[i].id = (uint32_t)l;
		}
	}
	return in;
}

static int cmp_addr(const void *a, const void *b)
{
	return xlb_addr_cmp(a, b);
}

/* Share of new flows that would change backend, by sampling hashes (table sizes differ). */
static double sampled_share(const uint32_t *a, uint32_t as, const uint32_t *b, uint32_t bs)
{
	enum { SAMPLES = 1 << 17 };
	uint32_t moved = 0;

	for (uint32_t i = 0; i < SAMPLES; i++) {
		uint32_t h = xlb_fmix(i * 0x9e3779b9u + 1);

		moved += a[h % as] != b[h % bs];
	}
	return (double)moved / SAMPLES;
}

static json_t *moved_one(const struct state *st, const struct xlb_vip_spec *o, const struct xlb_vip_spec *n)
{
	size_t nl = 0;
	struct xlb_addr *labels = calloc(o->n_backends + n->n_backends + 1, sizeof(*labels));
	struct table_input *oi = NULL, *ni = NULL;
	uint32_t *ot = NULL, *nt = NULL, moved;
	char vip[XLB_VIP_STRLEN];
	json_t *r = NULL;
	double share;

	if (!labels)
		return NULL;
	for (size_t i = 0; i < o->n_backends; i++)
		labels[nl++] = o->backends[i].addr;
	for (size_t i = 0; i < n->n_backends; i++)
		labels[nl++] = n->backends[i].addr;
	qsort(labels, nl, sizeof(*labels), cmp_addr);
	oi = inputs_of(st, o, labels, nl);
	ni = inputs_of(st, n, labels, nl);
	ot = malloc((size_t)o->table_size * sizeof(*ot));
	nt = malloc((size_t)n->table_size * sizeof(*nt));
	if (!oi || !ni || !ot || !nt || table_build(oi, o->n_backends, o->table_size, ot) ||
	    table_build(ni, n->n_backends, n->table_size, nt))
		goto out;
	if (o->table_size == n->table_size) {
		moved = maglev_diff(ot, nt, n->table_size);
		share = (double)moved / n->table_size;
	} else {
		share = sampled_share(ot, o->table_size, nt, n->table_size);
		moved = (uint32_t)(share * n->table_size + 0.5);
	}
	if (!moved)
		goto out;
	xlb_vip_id_format(&n->id, vip, sizeof(vip));
	r = json_pack("{s:s,s:I,s:I,s:f}", "vip", vip, "moved_slots", (json_int_t)moved,
		      "table_size", (json_int_t)n->table_size, "share", share);
out:
	free(labels);
	free(oi);
	free(ni);
	free(ot);
	free(nt);
	return r;
}

json_t *apply_moved(const struct state *st, const struct xlb_model *cur, const struct xlb_model *next)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < next->n_vips; i++) {
		const struct xlb_vip_spec *n = &next->vips[i];
		const struct xlb_vip_spec *o = xlb_model_find_vip(cur, &n->id);
		json_t *m;

		if (!o)
			continue;
		m = moved_one(st, o, n);
		if (m)
			json_array_append_new(arr, m);
	}
	return arr;
}

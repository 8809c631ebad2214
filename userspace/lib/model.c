// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * model.c - lifecycle, lookup, editing and validation of struct xlb_model.
 *
 * Returns 0 or a negative errno: -EINVAL (bad value), -EEXIST (duplicate),
 * -ENOENT (not found), -ENOSPC (a limit), -ENOMEM. Every error but -ENOMEM
 * writes a message into err (XLB_ERR_LEN; may be NULL) that names the field by
 * its path: "vips[1].backends[0].weight: 70000 is out of range (0..65535)".
 * Edit functions change nothing when they fail.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "maglev.h"
#include "model.h"

int xlb_errf(char *err, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err, XLB_ERR_LEN, fmt, ap);
		va_end(ap);
	}
	return ret;
}

void xlb_strf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

#define fail(err, ret, ...) xlb_errf(err, ret, __VA_ARGS__)

/* ---- lifecycle ---- */

void xlb_health_defaults(struct xlb_health_spec *h)
{
	memset(h, 0, sizeof(*h));
	h->type = XLB_HC_NONE;
	strcpy(h->path, "/");
	h->status[0] = 200;
	h->n_status = 1;
	h->interval_ms = 2000;
	h->timeout_ms = 1000;
	h->rise = 2;
	h->fall = 3;
}

void xlb_backend_spec_init(struct xlb_backend_spec *b)
{
	memset(b, 0, sizeof(*b));
	b->weight = XLB_DEFAULT_WEIGHT;
	xlb_health_defaults(&b->health);
}

void xlb_vip_spec_init(struct xlb_vip_spec *v)
{
	memset(v, 0, sizeof(*v));
	v->hash = XLB_HASH_5TUPLE;
	v->table_size = XLB_MAGLEV_DEFAULT_SIZE;
	v->all_down = XLB_ALL_DOWN_KEEP;
	xlb_health_defaults(&v->health);
}

void xlb_vip_spec_free(struct xlb_vip_spec *v)
{
	free(v->backends);
	v->backends = NULL;
	v->n_backends = 0;
}

int xlb_vip_spec_copy(struct xlb_vip_spec *dst, const struct xlb_vip_spec *src)
{
	struct xlb_backend_spec *bs = NULL;

	if (src->n_backends) {
		bs = malloc(src->n_backends * sizeof(*bs));
		if (!bs)
			return -ENOMEM;
		memcpy(bs, src->backends, src->n_backends * sizeof(*bs));
	}
	*dst = *src;
	dst->backends = bs;
	return 0;
}

void xlb_settings_defaults(struct xlb_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->udp_idle_sec = XLB_DEFAULT_UDP_IDLE_SEC;
	s->new_flows_per_cpu = XLB_DEFAULT_NEW_FLOWS_PER_CPU;
	s->ttl = XLB_DEFAULT_TTL;
}

void xlb_model_init(struct xlb_model *m)
{
	memset(m, 0, sizeof(*m));
	xlb_settings_defaults(&m->settings);
}

void xlb_model_free(struct xlb_model *m)
{
	for (size_t i = 0; i < m->n_vips; i++)
		xlb_vip_spec_free(&m->vips[i]);
	free(m->vips);
	xlb_model_init(m);
}

/* dst's old contents are not freed: pass an empty or uninitialised model. */
int xlb_model_copy(struct xlb_model *dst, const struct xlb_model *src)
{
	struct xlb_model m;

	xlb_model_init(&m);
	m.settings = src->settings;
	if (src->n_vips) {
		m.vips = calloc(src->n_vips, sizeof(*m.vips));
		if (!m.vips)
			return -ENOMEM;
	}
	for (; m.n_vips < src->n_vips; m.n_vips++) {
		if (xlb_vip_spec_copy(&m.vips[m.n_vips], &src->vips[m.n_vips])) {
			xlb_model_free(&m);
			return -ENOMEM;
		}
	}
	*dst = m;
	return 0;
}

/* Copy the fields of `from` that from->set names into `to`, and mark them set. */
void xlb_health_overlay(struct xlb_health_spec *to, const struct xlb_health_spec *from)
{
	uint32_t s = from->set;

	if (s & XLB_HCF_TYPE)
		to->type = from->type;
	if (s & XLB_HCF_PORT)
		to->port = from->port;
	if (s & XLB_HCF_PATH)
		memcpy(to->path, from->path, sizeof(to->path));
	if (s & XLB_HCF_HOST)
		memcpy(to->host, from->host, sizeof(to->host));
	if (s & XLB_HCF_STATUS) {
		memcpy(to->status, from->status, sizeof(to->status));
		to->n_status = from->n_status;
	}
	if (s & XLB_HCF_PAYLOAD) {
		memcpy(to->payload, from->payload, sizeof(to->payload));
		to->payload_len = from->payload_len;
	}
	if (s & XLB_HCF_EXPECT) {
		memcpy(to->expect, from->expect, sizeof(to->expect));
		to->expect_len = from->expect_len;
	}
	if (s & XLB_HCF_INTERVAL)
		to->interval_ms = from->interval_ms;
	if (s & XLB_HCF_TIMEOUT)
		to->timeout_ms = from->timeout_ms;
	if (s & XLB_HCF_RISE)
		to->rise = from->rise;
	if (s & XLB_HCF_FALL)
		to->fall = from->fall;
	if (s & XLB_HCF_TUNNEL)
		to->tunnel = from->tunnel;
	to->set |= s;
}

/* Defaults, then the VIP's set fields, then the backend's (b may be NULL). */
void xlb_health_effective(const struct xlb_vip_spec *v, const struct xlb_backend_spec *b,
			  struct xlb_health_spec *out)
{
	xlb_health_defaults(out);
	xlb_health_overlay(out, &v->health);
	if (b)
		xlb_health_overlay(out, &b->health);
}

/* ---- lookup and edit ---- */

struct xlb_vip_spec *xlb_model_find_vip(const struct xlb_model *m, const struct xlb_vip_id *id)
{
	for (size_t i = 0; i < m->n_vips; i++)
		if (!xlb_vip_id_cmp(&m->vips[i].id, id))
			return &m->vips[i];
	return NULL;
}

struct xlb_backend_spec *xlb_vip_find_backend(const struct xlb_vip_spec *v, const struct xlb_addr *a)
{
	for (size_t i = 0; i < v->n_backends; i++)
		if (!xlb_addr_cmp(&v->backends[i].addr, a))
			return &v->backends[i];
	return NULL;
}

static size_t total_backends(const struct xlb_model *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n_vips; i++)
		n += m->vips[i].n_backends;
	return n;
}

int xlb_model_add_vip(struct xlb_model *m, const struct xlb_vip_spec *v, char *err)
{
	char name[XLB_VIP_STRLEN], sub[XLB_ERR_LEN];
	struct xlb_vip_spec copy, *grown;
	int ret;

	xlb_vip_id_format(&v->id, name, sizeof(name));
	if (xlb_model_find_vip(m, &v->id))
		return fail(err, -EEXIST, "VIP %s already exists", name);
	if (m->n_vips >= XLB_MAX_VIPS)
		return fail(err, -ENOSPC, "VIP %s: too many VIPs (at most %d)", name, XLB_MAX_VIPS);
	if (total_backends(m) + v->n_backends > XLB_MAX_BACKENDS)
		return fail(err, -ENOSPC, "VIP %s: too many backends in total (at most %d)", name,
			    XLB_MAX_BACKENDS);
	ret = xlb_vip_validate(v, sub);
	if (ret)
		return fail(err, ret, "VIP %s: %s", name, sub);
	grown = realloc(m->vips, (m->n_vips + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	m->vips = grown;
	if (xlb_vip_spec_copy(&copy, v))
		return -ENOMEM;
	m->vips[m->n_vips++] = copy;
	return 0;
}

int xlb_model_del_vip(struct xlb_model *m, const struct xlb_vip_id *id, char *err)
{
	struct xlb_vip_spec *v = xlb_model_find_vip(m, id);
	char name[XLB_VIP_STRLEN];
	size_t i;

	if (!v) {
		xlb_vip_id_format(id, name, sizeof(name));
		return fail(err, -ENOENT, "VIP %s not found", name);
	}
	i = (size_t)(v - m->vips);
	xlb_vip_spec_free(v);
	memmove(&m->vips[i], &m->vips[i + 1], (m->n_vips - i - 1) * sizeof(*v));
	m->n_vips--;
	return 0;
}

int xlb_vip_add_backend(struct xlb_vip_spec *v, const struct xlb_backend_spec *b, char *err)
{
	char name[XLB_VIP_STRLEN], addr[XLB_ADDR_STRLEN], sub[XLB_ERR_LEN];
	struct xlb_backend_spec *grown;
	int ret;

	xlb_vip_id_format(&v->id, name, sizeof(name));
	xlb_addr_format(&b->addr, addr, sizeof(addr));
	if (xlb_vip_find_backend(v, &b->addr))
		return fail(err, -EEXIST, "VIP %s: backend %s already exists", name, addr);
	if (v->n_backends >= XLB_MAX_BACKENDS)
		return fail(err, -ENOSPC, "VIP %s: too many backends (at most %d)", name, XLB_MAX_BACKENDS);
	if (v->n_backends + 1 > v->table_size)
		return fail(err, -ENOSPC, "VIP %s: more backends than table_size (%u) slots", name,
			    v->table_size);
	ret = xlb_backend_validate(v, b, sub);
	if (ret)
		return fail(err, ret, "VIP %s: backend %s: %s", name, addr, sub);
	grown = realloc(v->backends, (v->n_backends + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	v->backends = grown;
	v->backends[v->n_backends++] = *b;
	return 0;
}

int xlb_vip_del_backend(struct xlb_vip_spec *v, const struct xlb_addr *a, char *err)
{
	struct xlb_backend_spec *b = xlb_vip_find_backend(v, a);
	char name[XLB_VIP_STRLEN], addr[XLB_ADDR_STRLEN];
	size_t i;

	if (!b) {
		xlb_vip_id_format(&v->id, name, sizeof(name));
		xlb_addr_format(a, addr, sizeof(addr));
		return fail(err, -ENOENT, "VIP %s: backend %s not found", name, addr);
	}
	i = (size_t)(b - v->backends);
	memmove(&v->backends[i], &v->backends[i + 1], (v->n_backends - i - 1) * sizeof(*b));
	v->n_backends--;
	if (!v->n_backends) {
		free(v->backends);
		v->backends = NULL;
	}
	return 0;
}

/* ---- equality (tests, reload diffs) ---- */

static bool health_equal(const struct xlb_health_spec *a, const struct xlb_health_spec *b)
{
	struct xlb_health_spec x, y;

	if (a->set != b->set)
		return false;
	/* only set fields count: overlay both onto the same base */
	xlb_health_defaults(&x);
	xlb_health_defaults(&y);
	xlb_health_overlay(&x, a);
	xlb_health_overlay(&y, b);
	return x.type == y.type && x.port == y.port && !strcmp(x.path, y.path) &&
	       !strcmp(x.host, y.host) && x.n_status == y.n_status &&
	       !memcmp(x.status, y.status, x.n_status * sizeof(x.status[0])) &&
	       x.payload_len == y.payload_len && !memcmp(x.payload, y.payload, x.payload_len) &&
	       x.expect_len == y.expect_len && !memcmp(x.expect, y.expect, x.expect_len) &&
	       x.interval_ms == y.interval_ms && x.timeout_ms == y.timeout_ms &&
	       x.rise == y.rise && x.fall == y.fall && x.tunnel == y.tunnel;
}

bool xlb_vip_spec_equal(const struct xlb_vip_spec *a, const struct xlb_vip_spec *b)
{
	if (xlb_vip_id_cmp(&a->id, &b->id) || a->hash != b->hash || a->table_size != b->table_size ||
	    a->all_down != b->all_down || !health_equal(&a->health, &b->health) ||
	    a->n_backends != b->n_backends)
		return false;
	for (size_t i = 0; i < a->n_backends; i++) {
		const struct xlb_backend_spec *x = &a->backends[i], *y = &b->backends[i];

		if (xlb_addr_cmp(&x->addr, &y->addr) || x->weight != y->weight ||
		    !health_equal(&x->health, &y->health))
			return false;
	}
	return true;
}

bool xlb_settings_equal(const struct xlb_settings *a, const struct xlb_settings *b)
{
	if (a->n_interfaces != b->n_interfaces)
		return false;
	for (size_t i = 0; i < a->n_interfaces; i++)
		if (strcmp(a->interfaces[i], b->interfaces[i]))
			return false;
	return a->src4_prefix.family == b->src4_prefix.family &&
	       (!a->src4_prefix.family ||
		(!xlb_addr_cmp(&a->src4_prefix, &b->src4_prefix) && a->src4_len == b->src4_len)) &&
	       a->src6_prefix.family == b->src6_prefix.family &&
	       (!a->src6_prefix.family ||
		(!xlb_addr_cmp(&a->src6_prefix, &b->src6_prefix) && a->src6_len == b->src6_len)) &&
	       a->udp_idle_sec == b->udp_idle_sec && a->new_flows_per_cpu == b->new_flows_per_cpu &&
	       a->ttl == b->ttl;
}

bool xlb_model_equal(const struct xlb_model *a, const struct xlb_model *b)
{
	if (!xlb_settings_equal(&a->settings, &b->settings) || a->n_vips != b->n_vips)
		return false;
	for (size_t i = 0; i < a->n_vips; i++)
		if (!xlb_vip_spec_equal(&a->vips[i], &b->vips[i]))
			return false;
	return true;
}

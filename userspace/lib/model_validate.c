// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * model_validate.c - every rule a desired state must satisfy before the
 * daemon applies it: ranges, duplicates, primes, limits, health specs.
 *
 * Returns 0 or -EINVAL (-ENOSPC for limits, -ENOMEM). err (XLB_ERR_LEN, may
 * be NULL) gets the field's path and the problem:
 *   "vips[1].backends[0].weight: 70000 is out of range (0..65535)"
 * Partial validators (xlb_vip_validate, ...) write paths relative to their
 * object; xlb_model_validate prefixes them with "vips[N].".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "maglev.h"
#include "model.h"

#define fail(err, ret, ...) xlb_errf(err, ret, __VA_ARGS__)	/* model.c */

/* Run a partial validator into a scratch buffer, then prefix its path. */
#define PREFIXED(err, call, fmt, ...)                                          \
	({                                                                     \
		char _sub[XLB_ERR_LEN] = "";                                     \
		int _r = (call);                                               \
		if (_r)                                                        \
			fail(err, _r, fmt "%s", __VA_ARGS__, _sub);            \
		_r;                                                            \
	})

/* A NUL-terminated printable string without spaces within n bytes. */
static bool token_ok(const char *s, size_t n)
{
	const char *end = memchr(s, '\0', n);

	if (!end)
		return false;
	for (; s < end; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

int xlb_health_validate(const struct xlb_health_spec *h, char *err)
{
	char a[XLB_DURATION_STRLEN], b[XLB_DURATION_STRLEN];

	switch (h->type) {
	case XLB_HC_NONE:
	case XLB_HC_TCP:
	case XLB_HC_HTTP:
	case XLB_HC_UDP:
		break;
	default:
		return fail(err, -EINVAL, "health.type: unknown type %d (none|tcp|http|udp)", (int)h->type);
	}
	xlb_duration_format(h->interval_ms, a, sizeof(a));
	if (h->interval_ms < XLB_HC_MIN_INTERVAL_MS || h->interval_ms > XLB_HC_MAX_INTERVAL_MS)
		return fail(err, -EINVAL, "health.interval: %s is out of range (100ms..1h)", a);
	xlb_duration_format(h->timeout_ms, b, sizeof(b));
	if (h->timeout_ms == 0)
		return fail(err, -EINVAL, "health.timeout: must be more than 0");
	if (h->timeout_ms > h->interval_ms)
		return fail(err, -EINVAL, "health.timeout: %s is longer than the interval (%s)", b, a);
	if (h->rise < 1 || h->rise > XLB_HC_MAX_RISE_FALL)
		return fail(err, -EINVAL, "health.rise: %u is out of range (1..%d)", h->rise,
			    XLB_HC_MAX_RISE_FALL);
	if (h->fall < 1 || h->fall > XLB_HC_MAX_RISE_FALL)
		return fail(err, -EINVAL, "health.fall: %u is out of range (1..%d)", h->fall,
			    XLB_HC_MAX_RISE_FALL);
	if (!token_ok(h->path, sizeof(h->path)) || h->path[0] != '/')
		return fail(err, -EINVAL, "health.path: must start with '/' and have no spaces (at most %d characters)",
			    XLB_HC_PATH_LEN - 1);
	if (!token_ok(h->host, sizeof(h->host)))
		return fail(err, -EINVAL, "health.host: must have no spaces or control characters (at most %d characters)",
			    XLB_HC_HOST_LEN - 1);
	if (h->n_status > XLB_HC_MAX_STATUS)
		return fail(err, -EINVAL, "health.status: at most %d codes", XLB_HC_MAX_STATUS);
	if (h->type == XLB_HC_HTTP && h->n_status == 0)
		return fail(err, -EINVAL, "health.status: needs at least one code");
	for (unsigned i = 0; i < h->n_status; i++)
		if (h->status[i] < 100 || h->status[i] > 599)
			return fail(err, -EINVAL, "health.status[%u]: %u is not an HTTP status (100..599)", i,
				    h->status[i]);
	if (h->payload_len > XLB_HC_PAYLOAD_LEN)
		return fail(err, -EINVAL, "health.payload: longer than %d bytes", XLB_HC_PAYLOAD_LEN);
	if (h->expect_len > XLB_HC_PAYLOAD_LEN)
		return fail(err, -EINVAL, "health.expect: longer than %d bytes", XLB_HC_PAYLOAD_LEN);
	if (h->type == XLB_HC_UDP && h->payload_len == 0)
		return fail(err, -EINVAL, "health.payload: udp checks need a payload (payload or payload_hex)");
	return 0;
}

int xlb_backend_validate(const struct xlb_vip_spec *v, const struct xlb_backend_spec *b, char *err)
{
	struct xlb_health_spec eff;

	if (b->addr.family != XLB_AF_INET && b->addr.family != XLB_AF_INET6)
		return fail(err, -EINVAL, "address: missing or bad address family");
	if (b->weight > XLB_MAX_WEIGHT)
		return fail(err, -EINVAL, "weight: %u is out of range (0..%d)", b->weight, XLB_MAX_WEIGHT);
	xlb_health_effective(v, b, &eff);
	return xlb_health_validate(&eff, err);
}

/* find_dup's qsort state (qsort has no context argument). */
static const char *sort_items;
static size_t sort_size;
static int (*sort_cmp)(const void *a, const void *b);

/* Order indexes by their items, ties by index: equal items end up adjacent, lowest index first. */
static int cmp_idx(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int r = sort_cmp(sort_items + i * sort_size, sort_items + j * sort_size);

	return r ? r : (i < j ? -1 : 1);
}

/*
 * First pair of equal items (by cmp) in sorted order, in O(n log n): VIPs
 * may have many backends. Returns 1 with *dup and *also (the other index),
 * 0 if all differ, -ENOMEM.
 */
static int find_dup(const void *items, size_t n, size_t size, int (*cmp)(const void *a, const void *b),
		    size_t *dup, size_t *also)
{
	size_t *idx;
	int found = 0;

	if (n < 2)
		return 0;
	idx = malloc(n * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	sort_items = items;
	sort_size = size;
	sort_cmp = cmp;
	qsort(idx, n, sizeof(*idx), cmp_idx);
	for (size_t i = 1; i < n && !found; i++) {
		if (!cmp(sort_items + idx[i - 1] * size, sort_items + idx[i] * size)) {
			*dup = idx[i];
			*also = idx[i - 1];
			found = 1;
		}
	}
	free(idx);
	return found;
}

static int cmp_backend_addr(const void *a, const void *b)
{
	return xlb_addr_cmp(&((const struct xlb_backend_spec *)a)->addr, &((const struct xlb_backend_spec *)b)->addr);
}

static int check_dup_backends(const struct xlb_vip_spec *v, char *err)
{
	char addr[XLB_ADDR_STRLEN];
	size_t dup, also;
	int ret = find_dup(v->backends, v->n_backends, sizeof(*v->backends), cmp_backend_addr, &dup, &also);

	if (ret <= 0)
		return ret;
	xlb_addr_format(&v->backends[dup].addr, addr, sizeof(addr));
	return fail(err, -EINVAL, "backends[%zu].address: duplicate backend %s (also backends[%zu])", dup, addr,
		    also);
}

int xlb_vip_validate(const struct xlb_vip_spec *v, char *err)
{
	const struct xlb_vip_id *id = &v->id;
	struct xlb_health_spec eff;
	int ret;

	if (id->addr.family != XLB_AF_INET && id->addr.family != XLB_AF_INET6)
		return fail(err, -EINVAL, "vip: missing or bad address family");
	if (id->proto != 6 && id->proto != 17)
		return fail(err, -EINVAL, "vip: protocol %u is not tcp or udp", id->proto);
	if (v->hash != XLB_HASH_5TUPLE && v->hash != XLB_HASH_SRC)
		return fail(err, -EINVAL, "hash: unknown mode %d (5tuple|src)", (int)v->hash);
	if (v->all_down != XLB_ALL_DOWN_KEEP && v->all_down != XLB_ALL_DOWN_DROP)
		return fail(err, -EINVAL, "all_down: unknown policy %d (keep|drop)", (int)v->all_down);
	if (v->table_size < 2 || v->table_size > XLB_MAGLEV_MAX_SIZE)
		return fail(err, -EINVAL, "table_size: %u is out of range (a prime, 2..%d)", v->table_size,
			    XLB_MAGLEV_MAX_SIZE);
	if (!maglev_is_prime(v->table_size))
		return fail(err, -EINVAL, "table_size: %u is not prime (e.g. 65537, 131071, 262139)",
			    v->table_size);
	if (v->n_backends > XLB_MAX_BACKENDS)
		return fail(err, -ENOSPC, "backends: %zu backends, at most %d", v->n_backends, XLB_MAX_BACKENDS);
	if (v->n_backends > v->table_size)
		return fail(err, -EINVAL, "table_size: %u is smaller than the number of backends (%zu)",
			    v->table_size, v->n_backends);
	xlb_health_effective(v, NULL, &eff);
	ret = xlb_health_validate(&eff, err);
	if (ret)
		return ret;
	for (size_t i = 0; i < v->n_backends; i++) {
		ret = PREFIXED(err, xlb_backend_validate(v, &v->backends[i], _sub), "backends[%zu].", i);
		if (ret)
			return ret;
	}
	return check_dup_backends(v, err);
}

int xlb_settings_validate(const struct xlb_settings *s, char *err)
{
	if (s->n_interfaces > XLB_MAX_IFACES)
		return fail(err, -ENOSPC, "interfaces: %zu interfaces, at most %d", s->n_interfaces,
			    XLB_MAX_IFACES);
	for (size_t i = 0; i < s->n_interfaces; i++) {
		const char *name = s->interfaces[i];

		if (!token_ok(name, sizeof(s->interfaces[i])) || !name[0] || strchr(name, '/') ||
		    !strcmp(name, ".") || !strcmp(name, ".."))
			return fail(err, -EINVAL, "interfaces[%zu]: '%.16s' is not an interface name (1..15 characters, no spaces or '/')",
				    i, name);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(name, s->interfaces[j]))
				return fail(err, -EINVAL, "interfaces[%zu]: duplicate interface %s (also interfaces[%zu])",
					    i, name, j);
	}
	if (s->src4_prefix.family && (s->src4_prefix.family != XLB_AF_INET || s->src4_len < 1 ||
				      s->src4_len > 32))
		return fail(err, -EINVAL, "settings.src4_prefix: needs an IPv4 prefix, length 1..32");
	if (s->src6_prefix.family && (s->src6_prefix.family != XLB_AF_INET6 || s->src6_len < 1 ||
				      s->src6_len > 128))
		return fail(err, -EINVAL, "settings.src6_prefix: needs an IPv6 prefix, length 1..128");
	if (s->udp_idle_sec > XLB_MAX_UDP_IDLE_SEC)
		return fail(err, -EINVAL, "settings.udp_idle: %us is out of range (0..%ds; 0 = never)",
			    s->udp_idle_sec, XLB_MAX_UDP_IDLE_SEC);
	if (s->ttl < 1)
		return fail(err, -EINVAL, "settings.ttl: 0 is out of range (1..255)");
	return 0;
}

static int cmp_vip_id(const void *a, const void *b)
{
	return xlb_vip_id_cmp(&((const struct xlb_vip_spec *)a)->id, &((const struct xlb_vip_spec *)b)->id);
}

static int check_dup_vips(const struct xlb_model *m, char *err)
{
	char name[XLB_VIP_STRLEN];
	size_t dup, also;
	int ret = find_dup(m->vips, m->n_vips, sizeof(*m->vips), cmp_vip_id, &dup, &also);

	if (ret <= 0)
		return ret;
	xlb_vip_id_format(&m->vips[dup].id, name, sizeof(name));
	return fail(err, -EINVAL, "vips[%zu].vip: duplicate VIP %s (also vips[%zu])", dup, name, also);
}

int xlb_model_validate(const struct xlb_model *m, char *err)
{
	size_t total = 0;
	int ret;

	ret = xlb_settings_validate(&m->settings, err);
	if (ret)
		return ret;
	if (m->n_vips > XLB_MAX_VIPS)
		return fail(err, -ENOSPC, "vips: %zu VIPs, at most %d", m->n_vips, XLB_MAX_VIPS);
	for (size_t i = 0; i < m->n_vips; i++) {
		ret = PREFIXED(err, xlb_vip_validate(&m->vips[i], _sub), "vips[%zu].", i);
		if (ret)
			return ret;
		total += m->vips[i].n_backends;
	}
	if (total > XLB_MAX_BACKENDS)
		return fail(err, -ENOSPC, "vips: %zu backends in total, at most %d", total, XLB_MAX_BACKENDS);
	return check_dup_vips(m, err);
}

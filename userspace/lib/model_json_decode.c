// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * model_json_decode.c - JSON (jansson) -> struct xlb_model and its parts,
 * the inverse of model_json.c and the twin of the YAML loader (config.c):
 * same keys, same text forms, same messages. Also takes a duration as a
 * number of seconds (2, 0.5) or as "<field>_ms" (interval_ms: 2000).
 * Unknown keys are errors. err names the field:
 * "vips[0].backends[1].weight: 70000 is out of range (0..65535)"; the
 * standalone decoders (vip, backend, health) use paths relative to their
 * object. Decoders fill `out` (old contents not freed) and leave it empty
 * on error. Returns 0 or -EINVAL / -ENOMEM.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model_json.h"


/* ---- decode helpers: every one names the path ---- */

static int bad(char *err, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int bad(char *err, const char *path, const char *fmt, ...)
{
	int n = 0;
	va_list ap;

	if (!err)
		return -EINVAL;
	if (path[0])
		n = snprintf(err, XLB_ERR_LEN, "%.120s: ", path);
	va_start(ap, fmt);
	vsnprintf(err + n, XLB_ERR_LEN - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* path of a member: "at.key" (or "key" at the top) */
static void sub(char *out, size_t n, const char *at, const char *key)
{
	xlb_strf(out, n, "%.150s%s%.60s", at, at[0] ? "." : "", key);
}

/* Every key of o must be in the NULL-terminated list. */
static int known_keys(const json_t *o, const char *at, const char *const *keys, char *err)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)o, k, v) {
		size_t i;

		for (i = 0; keys[i] && strcmp(keys[i], k); i++)
			;
		if (!keys[i])
			return at[0] ? bad(err, at, "unexpected key '%.60s'", k) : bad(err, "", "unexpected key '%.60s'", k);
	}
	return 0;
}

static int get_str(const json_t *j, const char *path, const char **out, char *err)
{
	if (!json_is_string(j))
		return bad(err, path, "expected a string");
	*out = json_string_value(j);
	return 0;
}

static int get_uint(const json_t *j, const char *path, json_int_t lo, json_int_t hi, json_int_t *out, char *err)
{
	json_int_t v;

	if (!json_is_integer(j))
		return bad(err, path, "expected an integer (%lld..%lld)", (long long)lo, (long long)hi);
	v = json_integer_value(j);
	if (v < lo || v > hi)
		return bad(err, path, "%lld is out of range (%lld..%lld)", (long long)v, (long long)lo, (long long)hi);
	*out = v;
	return 0;
}

/* "2s" / 2 / 0.5 (seconds); *_ms keys take integer milliseconds. */
static int get_duration(const json_t *j, const char *path, bool ms_key, uint32_t *out, char *err)
{
	json_int_t v;
	double d;

	if (ms_key) {
		if (get_uint(j, path, 0, 0xffffffffLL, &v, err))
			return -EINVAL;
		*out = (uint32_t)v;
		return 0;
	}
	if (json_is_string(j)) {
		if (xlb_duration_parse(json_string_value(j), out))
			return bad(err, path, "bad duration '%.40s' (e.g. 2s, 500ms, 1m; a bare number is seconds)",
				   json_string_value(j));
		return 0;
	}
	if (!json_is_number(j))
		return bad(err, path, "expected a duration (\"2s\", \"500ms\" or a number of seconds)");
	d = json_number_value(j) * 1000.0;
	if (!(d >= 0 && d <= 4294967295.0) || fabs(d - round(d)) > 1e-6)
		return bad(err, path, "bad duration %g (seconds, whole milliseconds)", json_number_value(j));
	*out = (uint32_t)llround(d);
	return 0;
}

static int get_bytes(const json_t *text, const json_t *hex, const char *at, const char *key, uint8_t *buf,
		     uint16_t *len, char *err)
{
	char p[200], ph[200];
	size_t n;

	sub(p, sizeof(p), at, key);
	xlb_strf(ph, sizeof(ph), "%s_hex", p);
	if (text && hex)
		return bad(err, ph, "give %s or %s_hex, not both", key, key);
	if (text) {
		if (!json_is_string(text))
			return bad(err, p, "expected a string");
		n = json_string_length(text);
		if (n > XLB_HC_PAYLOAD_LEN)
			return bad(err, p, "%zu bytes, at most %d", n, XLB_HC_PAYLOAD_LEN);
		memcpy(buf, json_string_value(text), n);
		*len = (uint16_t)n;
		return 0;
	}
	if (!json_is_string(hex))
		return bad(err, ph, "expected a string of hex digits");
	const char *h = json_string_value(hex);

	n = strlen(h);
	if (n % 2)
		return bad(err, ph, "odd number of hex digits");
	if (n / 2 > XLB_HC_PAYLOAD_LEN)
		return bad(err, ph, "%zu bytes, at most %d", n / 2, XLB_HC_PAYLOAD_LEN);
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", h[i]))
			return bad(err, ph, "'%.40s' is not hex", h);
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		sscanf(h + 2 * i, "%2x", &v);
		buf[i] = (uint8_t)v;
	}
	*len = (uint16_t)(n / 2);
	return 0;
}

/* ---- decode ---- */

static const char *const health_keys[] = {
	"type", "port", "path", "host", "status", "payload", "payload_hex", "expect", "expect_hex",
	"interval", "interval_ms", "timeout", "timeout_ms", "rise", "fall", "tunnel", NULL
};

static int health_from(const json_t *j, const char *at, struct xlb_health_spec *h, char *err)
{
	char p[200];
	const char *s = "";
	json_int_t v;
	json_t *x, *y;

	xlb_health_defaults(h);
	if (!json_is_object(j))
		return bad(err, at, "expected an object");
	if (known_keys(j, at, health_keys, err))
		return -EINVAL;
#define FIELD(key) (sub(p, sizeof(p), at, key), json_object_get(j, key))
	if ((x = FIELD("type"))) {
		if (get_str(x, p, &s, err))
			return -EINVAL;
		if (xlb_hc_type_parse(s, &h->type))
			return bad(err, p, "unknown type '%.40s' (none|tcp|http|udp)", s);
		h->set |= XLB_HCF_TYPE;
	}
	if ((x = FIELD("port"))) {
		if (get_uint(x, p, 0, 65535, &v, err))
			return -EINVAL;
		h->port = (uint16_t)v;
		h->set |= XLB_HCF_PORT;
	}
	if ((x = FIELD("path"))) {
		if (get_str(x, p, &s, err))
			return -EINVAL;
		if (strlen(s) >= sizeof(h->path))
			return bad(err, p, "longer than %zu characters", sizeof(h->path) - 1);
		strcpy(h->path, s);
		h->set |= XLB_HCF_PATH;
	}
	if ((x = FIELD("host"))) {
		if (get_str(x, p, &s, err))
			return -EINVAL;
		if (strlen(s) >= sizeof(h->host))
			return bad(err, p, "longer than %zu characters", sizeof(h->host) - 1);
		strcpy(h->host, s);
		h->set |= XLB_HCF_HOST;
	}
	if ((x = FIELD("status"))) {
		size_t i;

		if (!json_is_array(x) || !json_array_size(x))
			return bad(err, p, "expected a list of HTTP status codes");
		if (json_array_size(x) > XLB_HC_MAX_STATUS)
			return bad(err, p, "%zu codes, at most %d", json_array_size(x), XLB_HC_MAX_STATUS);
		json_array_foreach(x, i, y) {
			char q[220];

			xlb_strf(q, sizeof(q), "%s[%zu]", p, i);
			if (get_uint(y, q, 100, 599, &v, err))
				return -EINVAL;
			h->status[i] = (uint16_t)v;
		}
		h->n_status = (uint8_t)json_array_size(x);
		h->set |= XLB_HCF_STATUS;
	}
	x = json_object_get(j, "payload");
	y = json_object_get(j, "payload_hex");
	if (x || y) {
		if (get_bytes(x, y, at, "payload", h->payload, &h->payload_len, err))
			return -EINVAL;
		h->set |= XLB_HCF_PAYLOAD;
	}
	x = json_object_get(j, "expect");
	y = json_object_get(j, "expect_hex");
	if (x || y) {
		if (get_bytes(x, y, at, "expect", h->expect, &h->expect_len, err))
			return -EINVAL;
		h->set |= XLB_HCF_EXPECT;
	}
	if ((x = FIELD("interval")) || (x = FIELD("interval_ms"))) {
		if (json_object_get(j, "interval") && json_object_get(j, "interval_ms"))
			return bad(err, p, "give interval or interval_ms, not both");
		if (get_duration(x, p, !json_object_get(j, "interval"), &h->interval_ms, err))
			return -EINVAL;
		h->set |= XLB_HCF_INTERVAL;
	}
	if ((x = FIELD("timeout")) || (x = FIELD("timeout_ms"))) {
		if (json_object_get(j, "timeout") && json_object_get(j, "timeout_ms"))
			return bad(err, p, "give timeout or timeout_ms, not both");
		if (get_duration(x, p, !json_object_get(j, "timeout"), &h->timeout_ms, err))
			return -EINVAL;
		h->set |= XLB_HCF_TIMEOUT;
	}
	if ((x = FIELD("rise"))) {
		if (get_uint(x, p, 1, XLB_HC_MAX_RISE_FALL, &v, err))
			return -EINVAL;
		h->rise = (uint8_t)v;
		h->set |= XLB_HCF_RISE;
	}
	if ((x = FIELD("fall"))) {
		if (get_uint(x, p, 1, XLB_HC_MAX_RISE_FALL, &v, err))
			return -EINVAL;
		h->fall = (uint8_t)v;
		h->set |= XLB_HCF_FALL;
	}
	if ((x = FIELD("tunnel"))) {
		if (!json_is_boolean(x))
			return bad(err, p, "expected true or false");
		h->tunnel = json_is_true(x);
		h->set |= XLB_HCF_TUNNEL;
	}
#undef FIELD
	return 0;
}

static int backend_from(const json_t *j, const char *at, struct xlb_backend_spec *b, char *err)
{
	static const char *const keys[] = { "address", "weight", "health", NULL };
	char p[200], e[XLB_ERR_LEN];
	const char *s = "";
	json_int_t v;
	json_t *x;

	xlb_backend_spec_init(b);
	if (!json_is_object(j))
		return bad(err, at, "expected an object");
	if (known_keys(j, at, keys, err))
		return -EINVAL;
	sub(p, sizeof(p), at, "address");
	if (!(x = json_object_get(j, "address")))
		return bad(err, at, "missing required key 'address'");
	if (get_str(x, p, &s, err))
		return -EINVAL;
	if (xlb_addr_parse(s, &b->addr, e))
		return bad(err, p, "%s", e);
	sub(p, sizeof(p), at, "weight");
	if ((x = json_object_get(j, "weight"))) {
		if (get_uint(x, p, 0, XLB_MAX_WEIGHT, &v, err))
			return -EINVAL;
		b->weight = (uint32_t)v;
	}
	sub(p, sizeof(p), at, "health");
	if ((x = json_object_get(j, "health")) && health_from(x, p, &b->health, err))
		return -EINVAL;
	return 0;
}

/* A VIP at path `at`; on error v->backends is still owned by v (free it). */
static int vip_from(const json_t *j, const char *at, struct xlb_vip_spec *v, char *err)
{
	static const char *const keys[] = { "vip", "hash", "table_size", "all_down", "health", "backends", NULL };
	char p[200], e[XLB_ERR_LEN];
	const char *s = "";
	json_int_t n;
	json_t *x, *y;
	size_t i;

	xlb_vip_spec_init(v);
	if (!json_is_object(j))
		return bad(err, at, "expected an object");
	if (known_keys(j, at, keys, err))
		return -EINVAL;
	sub(p, sizeof(p), at, "vip");
	if (!(x = json_object_get(j, "vip")))
		return bad(err, at, "missing required key 'vip'");
	if (get_str(x, p, &s, err))
		return -EINVAL;
	if (xlb_vip_id_parse(s, &v->id, e))
		return bad(err, p, "%s", e);
	sub(p, sizeof(p), at, "hash");
	if ((x = json_object_get(j, "hash"))) {
		if (get_str(x, p, &s, err))
			return -EINVAL;
		if (xlb_hash_mode_parse(s, &v->hash))
			return bad(err, p, "unknown hash '%.40s' (5tuple|src)", s);
	}
	sub(p, sizeof(p), at, "table_size");
	if ((x = json_object_get(j, "table_size"))) {
		if (get_uint(x, p, 2, XLB_MAGLEV_MAX_SIZE, &n, err))
			return -EINVAL;
		v->table_size = (uint32_t)n;
	}
	sub(p, sizeof(p), at, "all_down");
	if ((x = json_object_get(j, "all_down"))) {
		if (get_str(x, p, &s, err))
			return -EINVAL;
		if (xlb_all_down_parse(s, &v->all_down))
			return bad(err, p, "unknown policy '%.40s' (keep|drop)", s);
	}
	sub(p, sizeof(p), at, "health");
	if ((x = json_object_get(j, "health")) && health_from(x, p, &v->health, err))
		return -EINVAL;
	sub(p, sizeof(p), at, "backends");
	if (!(x = json_object_get(j, "backends")) || json_is_null(x))
		return 0;
	if (!json_is_array(x))
		return bad(err, p, "expected a list");
	if (json_array_size(x) > XLB_MAX_BACKENDS)
		return bad(err, p, "%zu backends, at most %d", json_array_size(x), XLB_MAX_BACKENDS);
	if (json_array_size(x)) {
		v->backends = calloc(json_array_size(x), sizeof(*v->backends));
		if (!v->backends)
			return -ENOMEM;
	}
	json_array_foreach(x, i, y) {
		char q[220];

		xlb_strf(q, sizeof(q), "%s[%zu]", p, i);
		if (backend_from(y, q, &v->backends[i], err))
			return -EINVAL;
		v->n_backends++;
	}
	return 0;
}

static int settings_from(const json_t *root, struct xlb_settings *s, char *err)
{
	static const char *const keys[] = { "src4_prefix", "src6_prefix", "udp_idle", "new_flows_per_cpu", "ttl", NULL };
	const json_t *ifs = json_object_get(root, "interfaces"), *j = json_object_get(root, "settings");
	char p[64], e[XLB_ERR_LEN];
	const char *str = "";
	json_int_t v;
	uint32_t ms;
	json_t *x;
	size_t i;

	if (ifs && !json_is_null(ifs)) {
		if (!json_is_array(ifs))
			return bad(err, "interfaces", "expected a list of interface names");
		if (json_array_size(ifs) > XLB_MAX_IFACES)
			return bad(err, "interfaces", "%zu interfaces, at most %d", json_array_size(ifs), XLB_MAX_IFACES);
		json_array_foreach(ifs, i, x) {
			xlb_strf(p, sizeof(p), "interfaces[%zu]", i);
			if (get_str(x, p, &str, err))
				return -EINVAL;
			if (!str[0] || strlen(str) >= sizeof(s->interfaces[i]))
				return bad(err, p, "'%.40s' is not an interface name (1..15 characters)", str);
			strcpy(s->interfaces[i], str);
			s->n_interfaces = i + 1;
		}
	}
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_object(j))
		return bad(err, "settings", "expected an object");
	if (known_keys(j, "settings", keys, err))
		return -EINVAL;
	for (int fam = 4; fam <= 6; fam += 2) {
		xlb_strf(p, sizeof(p), "settings.src%d_prefix", fam);
		if (!(x = json_object_get(j, p + 9)))
			continue;
		struct xlb_addr *a = fam == 4 ? &s->src4_prefix : &s->src6_prefix;
		uint8_t *len = fam == 4 ? &s->src4_len : &s->src6_len;

		if (get_str(x, p, &str, err))
			return -EINVAL;
		if (xlb_prefix_parse(str, a, len, e))
			return bad(err, p, "%s", e);
		if (a->family != fam) {
			memset(a, 0, sizeof(*a));
			return bad(err, p, "'%.60s' is not an IPv%d prefix", str, fam);
		}
	}
	if ((x = json_object_get(j, "udp_idle"))) {
		if (get_duration(x, "settings.udp_idle", false, &ms, err))
			return -EINVAL;
		if (ms % 1000)
			return bad(err, "settings.udp_idle", "not a whole number of seconds");
		s->udp_idle_sec = ms / 1000;
	}
	if ((x = json_object_get(j, "new_flows_per_cpu"))) {
		if (get_uint(x, "settings.new_flows_per_cpu", 0, 0xffffffffLL, &v, err))
			return -EINVAL;
		s->new_flows_per_cpu = (uint32_t)v;
	}
	if ((x = json_object_get(j, "ttl"))) {
		if (get_uint(x, "settings.ttl", 1, 255, &v, err))
			return -EINVAL;
		s->ttl = (uint8_t)v;
	}
	return 0;
}

int xlb_health_from_json(const json_t *j, struct xlb_health_spec *out, char *err)
{
	return health_from(j, "", out, err);
}

int xlb_backend_from_json(const json_t *j, struct xlb_backend_spec *out, char *err)
{
	return backend_from(j, "", out, err);
}

int xlb_vip_from_json(const json_t *j, struct xlb_vip_spec *out, char *err)
{
	int ret = vip_from(j, "", out, err);

	if (!ret)
		ret = xlb_vip_validate(out, err);
	if (ret) {
		xlb_vip_spec_free(out);
		xlb_vip_spec_init(out);
	}
	return ret;
}

int xlb_model_from_json(const json_t *j, struct xlb_model *out, char *err)
{
	static const char *const keys[] = { "interfaces", "settings", "vips", NULL };
	const json_t *vips;
	json_t *x;
	size_t i;
	int ret;

	xlb_model_init(out);
	if (!json_is_object(j))
		return bad(err, "", "expected a JSON object with interfaces, settings, vips");
	ret = known_keys(j, "", keys, err);
	if (!ret)
		ret = settings_from(j, &out->settings, err);
	vips = json_object_get(j, "vips");
	if (!ret && vips && !json_is_null(vips)) {
		if (!json_is_array(vips))
			ret = bad(err, "vips", "expected a list");
		else if (json_array_size(vips) > XLB_MAX_VIPS)
			ret = bad(err, "vips", "%zu VIPs, at most %d", json_array_size(vips), XLB_MAX_VIPS);
		else if (json_array_size(vips) && !(out->vips = calloc(json_array_size(vips), sizeof(*out->vips))))
			ret = -ENOMEM;
		json_array_foreach(vips, i, x) {
			char p[32];

			if (ret)
				break;
			xlb_strf(p, sizeof(p), "vips[%zu]", i);
			ret = vip_from(x, p, &out->vips[i], err);
			out->n_vips++;	/* counted even when failed: its backends get freed */
		}
	}
	if (!ret)
		ret = xlb_model_validate(out, err);
	if (ret)
		xlb_model_free(out);
	return ret;
}

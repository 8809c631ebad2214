// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * config.c - the YAML configuration file -> struct xlb_model.
 *
 * Two steps: libcyaml loads the document into the plain structs below (every
 * scalar kept as a string, so that xlb, not libcyaml, words the messages
 * about values), then convert() turns them into a model and
 * xlb_model_validate() checks the whole. Unknown keys are errors. Any error
 * leaves *out empty and err = "NAME:LINE:COL: PATH: problem" (config_errors.c
 * finds the line). Returns 0 or a negative errno.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cyaml/cyaml.h>
#include "config.h"
#include "config_int.h"

/* ---- the document as libcyaml loads it ---- */

struct y_health {
	char *type, *port, *path, *host;
	char **status;
	unsigned status_count;
	char *payload, *payload_hex, *expect, *expect_hex;
	char *interval, *timeout, *rise, *fall, *tunnel;
};

struct y_backend {
	char *address, *weight;
	struct y_health *health;
};

struct y_vip {
	char *vip, *hash, *table_size, *all_down;
	struct y_health *health;
	struct y_backend *backends;
	unsigned backends_count;
};

struct y_settings {
	char *src4_prefix, *src6_prefix, *udp_idle, *new_flows_per_cpu, *ttl;
};

struct y_doc {
	char **interfaces;
	unsigned interfaces_count;
	struct y_settings *settings;
	struct y_vip *vips;
	unsigned vips_count;
};

#define OPT_STR(key, st, member) \
	CYAML_FIELD_STRING_PTR(key, CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, st, member, 0, CYAML_UNLIMITED)
#define REQ_STR(key, st, member) \
	CYAML_FIELD_STRING_PTR(key, CYAML_FLAG_POINTER, st, member, 0, CYAML_UNLIMITED)
/* empty containers ("vips:" with nothing after it) load as NULL */
#define OPT_PTR (CYAML_FLAG_POINTER_NULL | CYAML_FLAG_OPTIONAL)

static const cyaml_schema_value_t string_entry = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

static const cyaml_schema_field_t health_fields[] = {
	OPT_STR("type", struct y_health, type),
	OPT_STR("port", struct y_health, port),
	OPT_STR("path", struct y_health, path),
	OPT_STR("host", struct y_health, host),
	CYAML_FIELD_SEQUENCE("status", OPT_PTR, struct y_health, status, &string_entry, 1, CYAML_UNLIMITED),
	OPT_STR("payload", struct y_health, payload),
	OPT_STR("payload_hex", struct y_health, payload_hex),
	OPT_STR("expect", struct y_health, expect),
	OPT_STR("expect_hex", struct y_health, expect_hex),
	OPT_STR("interval", struct y_health, interval),
	OPT_STR("timeout", struct y_health, timeout),
	OPT_STR("rise", struct y_health, rise),
	OPT_STR("fall", struct y_health, fall),
	OPT_STR("tunnel", struct y_health, tunnel),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t backend_fields[] = {
	REQ_STR("address", struct y_backend, address),
	OPT_STR("weight", struct y_backend, weight),
	CYAML_FIELD_MAPPING_PTR("health", OPT_PTR, struct y_backend, health, health_fields),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t backend_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct y_backend, backend_fields),
};

static const cyaml_schema_field_t vip_fields[] = {
	REQ_STR("vip", struct y_vip, vip),
	OPT_STR("hash", struct y_vip, hash),
	OPT_STR("table_size", struct y_vip, table_size),
	OPT_STR("all_down", struct y_vip, all_down),
	CYAML_FIELD_MAPPING_PTR("health", OPT_PTR, struct y_vip, health, health_fields),
	CYAML_FIELD_SEQUENCE("backends", OPT_PTR, struct y_vip, backends, &backend_entry, 0, CYAML_UNLIMITED),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t vip_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct y_vip, vip_fields),
};

static const cyaml_schema_field_t settings_fields[] = {
	OPT_STR("src4_prefix", struct y_settings, src4_prefix),
	OPT_STR("src6_prefix", struct y_settings, src6_prefix),
	OPT_STR("udp_idle", struct y_settings, udp_idle),
	OPT_STR("new_flows_per_cpu", struct y_settings, new_flows_per_cpu),
	OPT_STR("ttl", struct y_settings, ttl),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t doc_fields[] = {
	CYAML_FIELD_SEQUENCE("interfaces", OPT_PTR, struct y_doc, interfaces, &string_entry, 0, CYAML_UNLIMITED),
	CYAML_FIELD_MAPPING_PTR("settings", OPT_PTR, struct y_doc, settings, settings_fields),
	CYAML_FIELD_SEQUENCE("vips", OPT_PTR, struct y_doc, vips, &vip_entry, 0, CYAML_UNLIMITED),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t doc_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct y_doc, doc_fields),
};

/* ---- conversion: strings -> model, messages "PATH: problem" ---- */

static int bad(char *err, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int bad(char *err, const char *path, const char *fmt, ...)
{
	int n = snprintf(err, XLB_ERR_LEN, "%.120s: ", path);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err + n, XLB_ERR_LEN - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Decimal lo..hi; messages name the path. */
static int num(const char *s, const char *path, unsigned long lo, unsigned long hi, unsigned long *out,
	       char *err)
{
	unsigned long v = 0;

	if (!*s)
		return bad(err, path, "missing value (a number %lu..%lu)", lo, hi);
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return bad(err, path, "'%.40s' is not a number (%lu..%lu)", s, lo, hi);
		if (v > (0xffffffffffUL - 9) / 10) {	/* far beyond every range */
			v = 0xffffffffffUL;
			break;
		}
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < lo || v > hi)
		return bad(err, path, "%.40s is out of range (%lu..%lu)", s, lo, hi);
	*out = v;
	return 0;
}

static int duration(const char *s, const char *path, uint32_t *ms, char *err)
{
	if (xlb_duration_parse(s, ms))
		return bad(err, path, "bad duration '%.40s' (e.g. 2s, 500ms, 1m; a bare number is seconds)", s);
	return 0;
}

static int boolean(const char *s, const char *path, bool *out, char *err)
{
	static const char *yes[] = { "true", "True", "TRUE", "yes", "on" };
	static const char *no[] = { "false", "False", "FALSE", "no", "off" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
			*out = !strcmp(s, yes[i]);
			return 0;
		}
	}
	return bad(err, path, "'%.40s' is not a boolean (true|false)", s);
}

/* Text or hex (hex != NULL) into buf; at most XLB_HC_PAYLOAD_LEN bytes. */
static int bytes(const char *text, const char *hex, const char *path, const char *hexpath,
		 uint8_t *buf, uint16_t *len, char *err)
{
	size_t n;

	if (text && hex)
		return bad(err, hexpath, "give %s or %s, not both", strrchr(path, '.') + 1,
			   strrchr(hexpath, '.') + 1);
	if (text) {
		n = strlen(text);
		if (n > XLB_HC_PAYLOAD_LEN)
			return bad(err, path, "%zu bytes, at most %d", n, XLB_HC_PAYLOAD_LEN);
		memcpy(buf, text, n);
		*len = (uint16_t)n;
		return 0;
	}
	n = strlen(hex);
	if (n % 2)
		return bad(err, hexpath, "odd number of hex digits");
	if (n / 2 > XLB_HC_PAYLOAD_LEN)
		return bad(err, hexpath, "%zu bytes, at most %d", n / 2, XLB_HC_PAYLOAD_LEN);
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF", hex[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", hex[2 * i + 1]))
			return bad(err, hexpath, "'%.40s' is not hex", hex);
		buf[i] = (uint8_t)v;
	}
	*len = (uint16_t)(n / 2);
	return 0;
}

#define SUB(buf, ...) snprintf(buf, sizeof(buf), __VA_ARGS__)

/* A health mapping: the fields given set their bits in h->set. */
static int conv_health(const struct y_health *y, const char *at, struct xlb_health_spec *h, char *err)
{
	char p[160], q[160];
	unsigned long v;
	int ret;

	xlb_health_defaults(h);
	if (!y)
		return 0;
	if (y->type) {
		SUB(p, "%s.type", at);
		if (xlb_hc_type_parse(y->type, &h->type))
			return bad(err, p, "unknown type '%.40s' (none|tcp|http|udp)", y->type);
		h->set |= XLB_HCF_TYPE;
	}
	if (y->port) {
		SUB(p, "%s.port", at);
		if ((ret = num(y->port, p, 0, 65535, &v, err)))
			return ret;
		h->port = (uint16_t)v;
		h->set |= XLB_HCF_PORT;
	}
	if (y->path) {
		SUB(p, "%s.path", at);
		if (strlen(y->path) >= sizeof(h->path))
			return bad(err, p, "longer than %zu characters", sizeof(h->path) - 1);
		strcpy(h->path, y->path);
		h->set |= XLB_HCF_PATH;
	}
	if (y->host) {
		SUB(p, "%s.host", at);
		if (strlen(y->host) >= sizeof(h->host))
			return bad(err, p, "longer than %zu characters", sizeof(h->host) - 1);
		strcpy(h->host, y->host);
		h->set |= XLB_HCF_HOST;
	}
	if (y->status) {
		SUB(p, "%s.status", at);
		if (y->status_count > XLB_HC_MAX_STATUS)
			return bad(err, p, "%u codes, at most %d", y->status_count, XLB_HC_MAX_STATUS);
		for (unsigned i = 0; i < y->status_count; i++) {
			SUB(q, "%s.status[%u]", at, i);
			if ((ret = num(y->status[i], q, 100, 599, &v, err)))
				return ret;
			h->status[i] = (uint16_t)v;
		}
		h->n_status = (uint8_t)y->status_count;
		h->set |= XLB_HCF_STATUS;
	}
	if (y->payload || y->payload_hex) {
		SUB(p, "%s.payload", at);
		SUB(q, "%s.payload_hex", at);
		if ((ret = bytes(y->payload, y->payload_hex, p, q, h->payload, &h->payload_len, err)))
			return ret;
		h->set |= XLB_HCF_PAYLOAD;
	}
	if (y->expect || y->expect_hex) {
		SUB(p, "%s.expect", at);
		SUB(q, "%s.expect_hex", at);
		if ((ret = bytes(y->expect, y->expect_hex, p, q, h->expect, &h->expect_len, err)))
			return ret;
		h->set |= XLB_HCF_EXPECT;
	}
	if (y->interval) {
		SUB(p, "%s.interval", at);
		if ((ret = duration(y->interval, p, &h->interval_ms, err)))
			return ret;
		h->set |= XLB_HCF_INTERVAL;
	}
	if (y->timeout) {
		SUB(p, "%s.timeout", at);
		if ((ret = duration(y->timeout, p, &h->timeout_ms, err)))
			return ret;
		h->set |= XLB_HCF_TIMEOUT;
	}
	if (y->rise) {
		SUB(p, "%s.rise", at);
		if ((ret = num(y->rise, p, 1, XLB_HC_MAX_RISE_FALL, &v, err)))
			return ret;
		h->rise = (uint8_t)v;
		h->set |= XLB_HCF_RISE;
	}
	if (y->fall) {
		SUB(p, "%s.fall", at);
		if ((ret = num(y->fall, p, 1, XLB_HC_MAX_RISE_FALL, &v, err)))
			return ret;
		h->fall = (uint8_t)v;
		h->set |= XLB_HCF_FALL;
	}
	if (y->tunnel) {
		SUB(p, "%s.tunnel", at);
		if ((ret = boolean(y->tunnel, p, &h->tunnel, err)))
			return ret;
		h->set |= XLB_HCF_TUNNEL;
	}
	return 0;
}

static int conv_vip(const struct y_vip *y, size_t i, struct xlb_vip_spec *v, char *err)
{
	char p[160], e[XLB_ERR_LEN];
	unsigned long n;
	int ret;

	xlb_vip_spec_init(v);
	SUB(p, "vips[%zu].vip", i);
	if (xlb_vip_id_parse(y->vip, &v->id, e))
		return bad(err, p, "%s", e);
	if (y->hash) {
		SUB(p, "vips[%zu].hash", i);
		if (xlb_hash_mode_parse(y->hash, &v->hash))
			return bad(err, p, "unknown hash '%.40s' (5tuple|src)", y->hash);
	}
	if (y->table_size) {
		SUB(p, "vips[%zu].table_size", i);
		if ((ret = num(y->table_size, p, 2, XLB_MAGLEV_MAX_SIZE, &n, err)))
			return ret;
		v->table_size = (uint32_t)n;
	}
	if (y->all_down) {
		SUB(p, "vips[%zu].all_down", i);
		if (xlb_all_down_parse(y->all_down, &v->all_down))
			return bad(err, p, "unknown policy '%.40s' (keep|drop)", y->all_down);
	}
	SUB(p, "vips[%zu].health", i);
	if ((ret = conv_health(y->health, p, &v->health, err)))
		return ret;
	if (y->backends_count > XLB_MAX_BACKENDS) {
		SUB(p, "vips[%zu].backends", i);
		return bad(err, p, "%u backends, at most %d", y->backends_count, XLB_MAX_BACKENDS);
	}
	if (y->backends_count) {
		v->backends = calloc(y->backends_count, sizeof(*v->backends));
		if (!v->backends)
			return -ENOMEM;
	}
	for (unsigned j = 0; j < y->backends_count; j++, v->n_backends++) {
		const struct y_backend *yb = &y->backends[j];
		struct xlb_backend_spec *b = &v->backends[j];

		xlb_backend_spec_init(b);
		SUB(p, "vips[%zu].backends[%u].address", i, j);
		if (xlb_addr_parse(yb->address, &b->addr, e))
			return bad(err, p, "%s", e);
		if (yb->weight) {
			SUB(p, "vips[%zu].backends[%u].weight", i, j);
			if ((ret = num(yb->weight, p, 0, XLB_MAX_WEIGHT, &n, err)))
				return ret;
			b->weight = (uint32_t)n;
		}
		SUB(p, "vips[%zu].backends[%u].health", i, j);
		if ((ret = conv_health(yb->health, p, &b->health, err)))
			return ret;
	}
	return 0;
}

static int conv_prefix(const char *s, const char *path, int family, struct xlb_addr *a, uint8_t *len,
		       char *err)
{
	char e[XLB_ERR_LEN];

	if (xlb_prefix_parse(s, a, len, e))
		return bad(err, path, "%s", e);
	if (a->family != family) {
		memset(a, 0, sizeof(*a));
		return bad(err, path, "'%.60s' is not an IPv%d prefix", s, family);
	}
	return 0;
}

static int conv_settings(const struct y_doc *d, struct xlb_settings *s, char *err)
{
	const struct y_settings *y = d->settings;
	unsigned long n;
	uint32_t ms;
	int ret;

	if (d->interfaces_count > XLB_MAX_IFACES)
		return bad(err, "interfaces", "%u interfaces, at most %d", d->interfaces_count, XLB_MAX_IFACES);
	for (unsigned i = 0; i < d->interfaces_count; i++) {
		char p[32];

		SUB(p, "interfaces[%u]", i);
		if (!d->interfaces[i][0] || strlen(d->interfaces[i]) >= sizeof(s->interfaces[i]))
			return bad(err, p, "'%.40s' is not an interface name (1..15 characters)", d->interfaces[i]);
		strcpy(s->interfaces[i], d->interfaces[i]);
	}
	s->n_interfaces = d->interfaces_count;
	if (!y)
		return 0;
	if (y->src4_prefix &&
	    (ret = conv_prefix(y->src4_prefix, "settings.src4_prefix", XLB_AF_INET, &s->src4_prefix,
			       &s->src4_len, err)))
		return ret;
	if (y->src6_prefix &&
	    (ret = conv_prefix(y->src6_prefix, "settings.src6_prefix", XLB_AF_INET6, &s->src6_prefix,
			       &s->src6_len, err)))
		return ret;
	if (y->udp_idle) {
		if ((ret = duration(y->udp_idle, "settings.udp_idle", &ms, err)))
			return ret;
		if (ms % 1000)
			return bad(err, "settings.udp_idle", "'%.40s' is not a whole number of seconds", y->udp_idle);
		s->udp_idle_sec = ms / 1000;
	}
	if (y->new_flows_per_cpu) {
		if ((ret = num(y->new_flows_per_cpu, "settings.new_flows_per_cpu", 0, 0xffffffffUL, &n, err)))
			return ret;
		s->new_flows_per_cpu = (uint32_t)n;
	}
	if (y->ttl) {
		if ((ret = num(y->ttl, "settings.ttl", 1, 255, &n, err)))
			return ret;
		s->ttl = (uint8_t)n;
	}
	return 0;
}

static int convert(const struct y_doc *d, struct xlb_model *m, char *err)
{
	int ret = conv_settings(d, &m->settings, err);

	if (ret)
		return ret;
	if (d->vips_count > XLB_MAX_VIPS)
		return bad(err, "vips", "%u VIPs, at most %d", d->vips_count, XLB_MAX_VIPS);
	if (d->vips_count) {
		m->vips = calloc(d->vips_count, sizeof(*m->vips));
		if (!m->vips)
			return -ENOMEM;
	}
	for (unsigned i = 0; i < d->vips_count; i++) {
		ret = conv_vip(&d->vips[i], i, &m->vips[i], err);
		m->n_vips++;	/* counted even when failed: its backends get freed */
		if (ret)
			return ret;
	}
	return xlb_model_validate(m, err);
}

/* ---- entry points ---- */

int xlb_config_load_named(const char *name, const char *yaml, size_t len, struct xlb_model *out, char *err)
{
	struct xlb_cyaml_log log = { .n = 0 };
	cyaml_config_t cfg = {
		.log_fn = xlb_cyaml_log_fn,
		.log_ctx = &log,
		.mem_fn = cyaml_mem,
		.log_level = CYAML_LOG_ERROR,
		.flags = CYAML_CFG_DEFAULT,	/* unknown keys are errors */
	};
	struct y_doc *doc = NULL;
	char msg[XLB_ERR_LEN] = "";
	cyaml_err_t cerr;
	int ret;

	xlb_model_init(out);
	cerr = cyaml_load_data((const uint8_t *)yaml, len, &cfg, &doc_schema, (cyaml_data_t **)&doc, NULL);
	if (cerr == CYAML_ERR_OOM)
		return -ENOMEM;
	if (cerr != CYAML_OK) {
		xlb_config_describe_cyaml(name, yaml, len, &log, cyaml_strerror(cerr), err);
		return -EINVAL;
	}
	if (!doc) {
		snprintf(err, XLB_ERR_LEN, "%.100s: empty configuration (expected keys interfaces, settings, vips)",
			 name);
		return -EINVAL;
	}
	ret = convert(doc, out, msg);
	cyaml_free(&cfg, &doc_schema, doc, 0);
	if (ret) {
		xlb_model_free(out);
		if (ret == -ENOMEM)
			snprintf(msg, sizeof(msg), "out of memory");
		xlb_config_describe_path(name, yaml, len, msg, err);
	}
	return ret;
}

int xlb_config_load_string(const char *yaml, size_t len, struct xlb_model *out, char *err)
{
	return xlb_config_load_named("config", yaml, len, out, err);
}

int xlb_config_load_file(const char *path, struct xlb_model *out, char *err)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int ret;

	xlb_model_init(out);
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, XLB_ERR_LEN, "%.150s: %s", path, strerror(-ret));
		return ret;
	}
	errno = 0;
	for (;;) {
		size_t n;

		if (len + 4096 > cap) {
			char *grown = realloc(buf, cap = cap ? cap * 2 : 16384);

			if (!grown) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	ret = ferror(f) ? -(errno ? errno : EIO) : 0;
	fclose(f);
	if (ret) {
		snprintf(err, XLB_ERR_LEN, "%.150s: %s", path, strerror(-ret));
	} else {
		buf[len] = '\0';
		ret = xlb_config_load_named(path, buf, len, out, err);
	}
	free(buf);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * model_json.c - struct xlb_model -> JSON (jansson), with the field names
 * and text forms of the YAML config (config.c); model_json_decode.c is the
 * other direction.
 *
 *   {"interfaces": ["eth0"],
 *    "settings": {"src4_prefix": "198.18.200.0/24", "udp_idle": "30s", ...},
 *    "vips": [{"vip": "203.0.113.10:80/tcp", "hash": "5tuple", "table_size": 65537,
 *              "all_down": "keep", "health": {"type": "http", "interval": "2s"},
 *              "backends": [{"address": "198.18.1.11", "weight": 100}]}]}
 *
 * Durations are written as strings ("2s", "1500ms"), a health object only
 * with its set fields (and only when one is set), payloads as text when
 * printable ASCII, else as "payload_hex". Returns a new reference or NULL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model_json.h"

/* ---- encode ---- */

static json_t *duration_json(uint32_t ms)
{
	char buf[XLB_DURATION_STRLEN];

	xlb_duration_format(ms, buf, sizeof(buf));
	return json_string(buf);
}

static bool printable(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] < 0x20 || b[i] > 0x7e)
			return false;
	return true;
}

/* Text when printable ASCII, else "<key>_hex". */
static void set_bytes(json_t *o, const char *key, const uint8_t *b, size_t n)
{
	char hexkey[32], *hex;

	if (printable(b, n)) {
		json_object_set_new(o, key, json_stringn((const char *)b, n));
		return;
	}
	hex = malloc(2 * n + 1);
	if (!hex)
		return;
	for (size_t i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", b[i]);
	hex[2 * n] = '\0';
	snprintf(hexkey, sizeof(hexkey), "%s_hex", key);
	json_object_set_new(o, hexkey, json_string(hex));
	free(hex);
}

json_t *xlb_health_to_json(const struct xlb_health_spec *h)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (h->set & XLB_HCF_TYPE)
		json_object_set_new(o, "type", json_string(xlb_hc_type_str(h->type)));
	if (h->set & XLB_HCF_PORT)
		json_object_set_new(o, "port", json_integer(h->port));
	if (h->set & XLB_HCF_PATH)
		json_object_set_new(o, "path", json_string(h->path));
	if (h->set & XLB_HCF_HOST)
		json_object_set_new(o, "host", json_string(h->host));
	if (h->set & XLB_HCF_STATUS) {
		json_t *a = json_array();

		for (unsigned i = 0; i < h->n_status && i < XLB_HC_MAX_STATUS; i++)
			json_array_append_new(a, json_integer(h->status[i]));
		json_object_set_new(o, "status", a);
	}
	if (h->set & XLB_HCF_PAYLOAD)
		set_bytes(o, "payload", h->payload, h->payload_len);
	if (h->set & XLB_HCF_EXPECT)
		set_bytes(o, "expect", h->expect, h->expect_len);
	if (h->set & XLB_HCF_INTERVAL)
		json_object_set_new(o, "interval", duration_json(h->interval_ms));
	if (h->set & XLB_HCF_TIMEOUT)
		json_object_set_new(o, "timeout", duration_json(h->timeout_ms));
	if (h->set & XLB_HCF_RISE)
		json_object_set_new(o, "rise", json_integer(h->rise));
	if (h->set & XLB_HCF_FALL)
		json_object_set_new(o, "fall", json_integer(h->fall));
	if (h->set & XLB_HCF_TUNNEL)
		json_object_set_new(o, "tunnel", json_boolean(h->tunnel));
	return o;
}

json_t *xlb_backend_to_json(const struct xlb_backend_spec *b)
{
	char addr[XLB_ADDR_STRLEN];
	json_t *o;

	xlb_addr_format(&b->addr, addr, sizeof(addr));
	o = json_pack("{s:s, s:I}", "address", addr, "weight", (json_int_t)b->weight);
	if (o && b->health.set)
		json_object_set_new(o, "health", xlb_health_to_json(&b->health));
	return o;
}

json_t *xlb_vip_to_json(const struct xlb_vip_spec *v)
{
	char id[XLB_VIP_STRLEN];
	json_t *o, *bs;

	xlb_vip_id_format(&v->id, id, sizeof(id));
	o = json_pack("{s:s, s:s, s:I, s:s}", "vip", id, "hash", xlb_hash_mode_str(v->hash), "table_size",
		      (json_int_t)v->table_size, "all_down", xlb_all_down_str(v->all_down));
	if (!o)
		return NULL;
	if (v->health.set)
		json_object_set_new(o, "health", xlb_health_to_json(&v->health));
	bs = json_array();
	for (size_t i = 0; i < v->n_backends; i++)
		json_array_append_new(bs, xlb_backend_to_json(&v->backends[i]));
	json_object_set_new(o, "backends", bs);
	return o;
}

json_t *xlb_model_to_json(const struct xlb_model *m)
{
	const struct xlb_settings *s = &m->settings;
	json_t *o = json_object(), *ifs = json_array(), *set = json_object(), *vips = json_array();
	char buf[XLB_ADDR_STRLEN + 8];

	if (!o || !ifs || !set || !vips) {
		json_decref(o);
		json_decref(ifs);
		json_decref(set);
		json_decref(vips);
		return NULL;
	}
	for (size_t i = 0; i < s->n_interfaces && i < XLB_MAX_IFACES; i++)
		json_array_append_new(ifs, json_string(s->interfaces[i]));
	json_object_set_new(o, "interfaces", ifs);
	if (s->src4_prefix.family) {
		xlb_prefix_format(&s->src4_prefix, s->src4_len, buf, sizeof(buf));
		json_object_set_new(set, "src4_prefix", json_string(buf));
	}
	if (s->src6_prefix.family) {
		xlb_prefix_format(&s->src6_prefix, s->src6_len, buf, sizeof(buf));
		json_object_set_new(set, "src6_prefix", json_string(buf));
	}
	json_object_set_new(set, "udp_idle", duration_json(s->udp_idle_sec * 1000u));
	json_object_set_new(set, "new_flows_per_cpu", json_integer(s->new_flows_per_cpu));
	json_object_set_new(set, "ttl", json_integer(s->ttl));
	json_object_set_new(o, "settings", set);
	for (size_t i = 0; i < m->n_vips; i++)
		json_array_append_new(vips, xlb_vip_to_json(&m->vips[i]));
	json_object_set_new(o, "vips", vips);
	return o;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * metrics.c - Prometheus text exposition 0.0.4 of xlbd's state (contract and
 * metric names: metrics.h) and the evhttp server that serves it.
 *
 * A render first copies what the source emits (VIPs, backends, health
 * targets) into arrays, then writes each metric family as one block, as the
 * format requires: "# HELP", "# TYPE", then every sample of that family.
 * Label values are escaped (\\, \", \n). The server is a plain TCP listener
 * of our own handed to evhttp, so bind errors come back as a real errno.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <event2/http.h>
#include "metrics.h"
#include "log.h"

#define VIP_LEN 64
#define BE_LEN 48

struct m_vip { char vip[VIP_LEN]; struct metrics_vip v; };
struct m_be { char vip[VIP_LEN], be[BE_LEN]; struct metrics_backend b; };
struct m_hc { char vip[VIP_LEN], be[BE_LEN]; struct hc_status st; };

struct collect {
	struct m_vip *vips; size_t n_vips, cap_vips;
	struct m_be *bes; size_t n_bes, cap_bes;
	struct m_hc *hcs; size_t n_hcs, cap_hcs;
	int err;
};

/* Grow *arr (of elem bytes) to hold one more; sets c->err on failure. */
static void *push(struct collect *c, void **arr, size_t *n, size_t *cap, size_t elem)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		void *p = realloc(*arr, nc * elem);

		if (!p) {
			c->err = -ENOMEM;
			return NULL;
		}
		*arr = p;
		*cap = nc;
	}
	return (char *)*arr + (*n)++ * elem;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void on_vip(void *cookie, const struct metrics_vip *v)
{
	struct collect *c = cookie;
	struct m_vip *m = push(c, (void **)&c->vips, &c->n_vips, &c->cap_vips, sizeof(*m));

	if (!m)
		return;
	m->v = *v;
	copy_str(m->vip, sizeof(m->vip), v->vip);
}

static void on_backend(void *cookie, const struct metrics_backend *b)
{
	struct collect *c = cookie;
	struct m_be *m = push(c, (void **)&c->bes, &c->n_bes, &c->cap_bes, sizeof(*m));

	if (!m)
		return;
	m->b = *b;
	copy_str(m->vip, sizeof(m->vip), b->vip);
	copy_str(m->be, sizeof(m->be), b->backend);
}

static void on_target(void *cookie, const struct hc_target_key *key, const struct xlb_health_spec *spec,
		      const struct hc_status *st)
{
	struct collect *c = cookie;
	struct m_hc *m;

	if (spec->type == XLB_HC_NONE)
		return;		/* never checked: nothing to count */
	m = push(c, (void **)&c->hcs, &c->n_hcs, &c->cap_hcs, sizeof(*m));
	if (!m)
		return;
	m->st = *st;
	hc_key_format(key, m->vip, sizeof(m->vip), m->be, sizeof(m->be));
}

/* ---- text format ---- */

static void family(struct evbuffer *o, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped as the text format requires. */
static void label_value(struct evbuffer *o, const char *v)
{
	for (; *v; v++) {
		switch (*v) {
		case '\\': evbuffer_add(o, "\\\\", 2); break;
		case '"': evbuffer_add(o, "\\\"", 2); break;
		case '\n': evbuffer_add(o, "\\n", 2); break;
		default: evbuffer_add(o, v, 1); break;
		}
	}
}

/* name{k1="v1",k2="v2"} value — labels as NULL-terminated key/value pairs */
static void sample_u64(struct evbuffer *o, const char *name, const char *const *labels, uint64_t val)
{
	evbuffer_add_printf(o, "%s", name);
	if (labels && labels[0]) {
		evbuffer_add(o, "{", 1);
		for (int i = 0; labels[i]; i += 2) {
			evbuffer_add_printf(o, "%s%s=\"", i ? "," : "", labels[i]);
			label_value(o, labels[i + 1]);
			evbuffer_add(o, "\"", 1);
		}
		evbuffer_add(o, "}", 1);
	}
	evbuffer_add_printf(o, " %" PRIu64 "\n", val);
}

enum be_field { BE_PACKETS, BE_BYTES, BE_NEW_FLOWS, BE_UP, BE_WEIGHT, BE_SLOTS, BE_PINNED, BE_NEXTHOP };

static bool be_value(const struct metrics_backend *b, enum be_field f, uint64_t *v)
{
	switch (f) {
	case BE_PACKETS: *v = b->packets; return true;
	case BE_BYTES: *v = b->bytes; return true;
	case BE_NEW_FLOWS: *v = b->new_flows; return true;
	case BE_UP: *v = b->up ? 1 : 0; return true;
	case BE_WEIGHT: *v = b->weight; return true;
	case BE_SLOTS: *v = b->slots; return true;
	case BE_PINNED: *v = b->pinned_flows; return b->pinned_flows != METRICS_UNKNOWN;
	case BE_NEXTHOP: *v = b->nexthop_resolved > 0; return b->nexthop_resolved >= 0;
	}
	return false;
}

static void render_backends(struct evbuffer *o, const struct collect *c)
{
	static const struct { const char *name, *type, *help; enum be_field f; } fams[] = {
		{ "xlb_backend_packets_total", "counter", "Packets sent to the backend.", BE_PACKETS },
		{ "xlb_backend_bytes_total", "counter", "Bytes (inner packets) sent to the backend.", BE_BYTES },
		{ "xlb_backend_new_flows_total", "counter", "New flows assigned to the backend.", BE_NEW_FLOWS },
		{ "xlb_backend_up", "gauge", "1 when the backend is in service by health (up or not yet checked), 0 when down.", BE_UP },
		{ "xlb_backend_weight", "gauge", "Configured weight (0 = draining).", BE_WEIGHT },
		{ "xlb_backend_slots", "gauge", "Maglev table slots the backend holds.", BE_SLOTS },
		{ "xlb_backend_pinned_flows", "gauge", "Connection-table entries pinned to the backend (drain progress).", BE_PINNED },
		{ "xlb_backend_nexthop_resolved", "gauge", "1 when the backend's next hop (route and neighbour MAC) is resolved.", BE_NEXTHOP },
	};
	uint64_t v;

	if (!c->n_bes)
		return;
	for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		bool any = false;

		for (size_t i = 0; i < c->n_bes; i++) {
			const char *labels[] = { "vip", c->bes[i].vip, "backend", c->bes[i].be, NULL };

			if (!be_value(&c->bes[i].b, fams[f].f, &v))
				continue;
			if (!any)
				family(o, fams[f].name, fams[f].type, fams[f].help);
			any = true;
			sample_u64(o, fams[f].name, labels, v);
		}
	}
}

static void render_vips(struct evbuffer *o, const struct collect *c)
{
	char fp[24];

	if (!c->n_vips)
		return;
	family(o, "xlb_vip_packets_total", "counter", "Packets to the VIP balanced to a backend.");
	for (size_t i = 0; i < c->n_vips; i++)
		sample_u64(o, "xlb_vip_packets_total", (const char *[]){ "vip", c->vips[i].vip, NULL },
			   c->vips[i].v.packets);
	family(o, "xlb_vip_bytes_total", "counter", "Bytes (inner packets) to the VIP balanced to a backend.");
	for (size_t i = 0; i < c->n_vips; i++)
		sample_u64(o, "xlb_vip_bytes_total", (const char *[]){ "vip", c->vips[i].vip, NULL },
			   c->vips[i].v.bytes);
	family(o, "xlb_vip_new_flows_total", "counter", "New flows to the VIP (connection-table misses).");
	for (size_t i = 0; i < c->n_vips; i++)
		sample_u64(o, "xlb_vip_new_flows_total", (const char *[]){ "vip", c->vips[i].vip, NULL },
			   c->vips[i].v.new_flows);
	family(o, "xlb_vip_table_info", "gauge",
	       "Maglev table fingerprint of the VIP: equal on every xlb host with the same backends.");
	for (size_t i = 0; i < c->n_vips; i++) {
		snprintf(fp, sizeof(fp), "%016" PRIx64, c->vips[i].v.fingerprint);
		sample_u64(o, "xlb_vip_table_info",
			   (const char *[]){ "vip", c->vips[i].vip, "fingerprint", fp, NULL }, 1);
	}
}

static void render_datapath(struct evbuffer *o, const struct metrics_source *src, void *arg)
{
	uint64_t reasons[XLB_R__COUNT] = { 0 }, events[XLB_E__COUNT] = { 0 }, n, max;

	if (src->datapath && src->datapath(arg, reasons, events) == 0) {
		family(o, "xlb_datapath_packets_total", "counter",
		       "Packets seen by the XDP balancer, by what it did with them (one reason per packet).");
		for (int r = 0; r < XLB_R__COUNT; r++)
			sample_u64(o, "xlb_datapath_packets_total",
				   (const char *[]){ "reason", xlb_reason_str((enum xlb_reason)r), NULL }, reasons[r]);
		family(o, "xlb_datapath_events_total", "counter",
		       "Things that happened on the way through the balancer (0..n per packet).");
		for (int e = 0; e < XLB_E__COUNT; e++)
			sample_u64(o, "xlb_datapath_events_total",
				   (const char *[]){ "event", xlb_event_str((enum xlb_event)e), NULL }, events[e]);
	}
	if (src->conn_table && src->conn_table(arg, &n, &max) == 0) {
		family(o, "xlb_conn_table_entries", "gauge", "Live entries in the connection table (all CPUs).");
		sample_u64(o, "xlb_conn_table_entries", NULL, n);
		family(o, "xlb_conn_table_max_entries", "gauge", "Capacity of the connection table (all CPUs).");
		sample_u64(o, "xlb_conn_table_max_entries", NULL, max);
	}
}

static void render_health(struct evbuffer *o, const struct metrics_source *src, void *arg,
			  const struct collect *c)
{
	const struct hc_ctx *hc = src->health ? src->health(arg) : NULL;
	uint64_t counts[HC_HIST_BUCKETS], total, states[3] = { 0 };
	char le[32];
	double sum;

	if (!hc)
		return;
	family(o, "xlb_health_checks_total", "counter", "Health checks by result (ok, or why they failed).");
	for (size_t i = 0; i < c->n_hcs; i++) {
		for (int r = 0; r < HC__COUNT; r++) {
			/* ok always (a series to rate()), failures once they happened */
			if (r != HC_OK && !c->hcs[i].st.results[r])
				continue;
			sample_u64(o, "xlb_health_checks_total",
				   (const char *[]){ "vip", c->hcs[i].vip, "backend", c->hcs[i].be,
						     "result", hc_result_str((enum hc_result)r), NULL },
				   c->hcs[i].st.results[r]);
		}
		if (c->hcs[i].st.state <= HC_STATE_DOWN)
			states[c->hcs[i].st.state]++;
	}
	family(o, "xlb_health_targets", "gauge", "Health-checked (VIP, backend) pairs by state.");
	for (int s = HC_STATE_UNKNOWN; s <= HC_STATE_DOWN; s++)
		sample_u64(o, "xlb_health_targets", (const char *[]){ "state", hc_state_str((enum hc_state)s), NULL },
			   states[s]);

	hc_histogram(hc, counts, &total, &sum);
	family(o, "xlb_health_check_duration_seconds", "histogram",
	       "Duration of health checks, from start to result (failures included).");
	for (int b = 0; b < HC_HIST_BUCKETS; b++) {
		snprintf(le, sizeof(le), "%g", hc_hist_bounds[b]);
		sample_u64(o, "xlb_health_check_duration_seconds_bucket", (const char *[]){ "le", le, NULL },
			   counts[b]);
	}
	sample_u64(o, "xlb_health_check_duration_seconds_bucket", (const char *[]){ "le", "+Inf", NULL }, total);
	evbuffer_add_printf(o, "xlb_health_check_duration_seconds_sum %.9g\n", sum);
	sample_u64(o, "xlb_health_check_duration_seconds_count", NULL, total);
}

int metrics_render(struct evbuffer *out, const struct metrics_source *src, void *arg)
{
	struct collect c = { 0 };
	const struct hc_ctx *hc;

	if (!out || !src)
		return -EINVAL;
	if (src->foreach_vip)
		src->foreach_vip(arg, on_vip, &c);
	if (src->foreach_backend)
		src->foreach_backend(arg, on_backend, &c);
	hc = src->health ? src->health(arg) : NULL;
	if (hc)
		hc_foreach(hc, on_target, &c);
	if (c.err)
		goto out;

	family(out, "xlb_up", "gauge", "1 while xlbd runs and serves metrics.");
	sample_u64(out, "xlb_up", NULL, 1);
	family(out, "xlb_build_info", "gauge", "xlbd's version, as a label; the value is 1.");
	sample_u64(out, "xlb_build_info", (const char *[]){ "version", src->version ? src->version : "unknown", NULL }, 1);
	render_vips(out, &c);
	render_backends(out, &c);
	render_datapath(out, src, arg);
	render_health(out, src, arg, &c);
out:
	free(c.vips);
	free(c.bes);
	free(c.hcs);
	return c.err;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * render.c - xlbd's JSON replies (userspace/xlbd/API.md) as operator
 * tables, or as the reply itself with -o json. Missing or mistyped fields
 * show as "-" rather than failing: an older or newer daemon still prints.
 * Each renderer returns a CTL_EXIT_* code.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xlbctl.h"

#define S(buf) (buf), sizeof(buf)
#define VIP_TEXT 80

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

/* An integer field as text ("-" when absent). */
static const char *jnum(const json_t *o, const char *key, char *buf, size_t len)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.0f", json_real_value(v));
	else
		snprintf(buf, len, "-");
	return buf;
}

static double jdbl(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0;
}

void ctl_fmt_duration(unsigned long long sec, char *buf, size_t len)
{
	unsigned long long d = sec / 86400, h = sec / 3600 % 24, m = sec / 60 % 60, s = sec % 60;

	if (d)
		snprintf(buf, len, "%llud%02lluh%02llum%02llus", d, h, m, s);
	else if (h)
		snprintf(buf, len, "%lluh%02llum%02llus", h, m, s);
	else if (m)
		snprintf(buf, len, "%llum%02llus", m, s);
	else
		snprintf(buf, len, "%llus", s);
}

void ctl_fmt_count(double v, char *buf, size_t len)
{
	static const char unit[] = " KMGTP";
	int u = 0;

	while (fabs(v) >= 10000 && u < 5) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f%c", v, unit[u]);
}

/* "198.19.0.10:80/tcp" -> Prot "TCP", VIP "198.19.0.10:80" */
static void split_vip(const char *vip, char *prot, size_t plen, char *addr, size_t alen)
{
	const char *slash = strrchr(vip, '/');
	size_t i;

	if (!slash) {
		snprintf(prot, plen, "-");
		snprintf(addr, alen, "%s", vip);
		return;
	}
	for (i = 0; slash[1 + i] && i + 1 < plen; i++)
		prot[i] = (char)(slash[1 + i] >= 'a' && slash[1 + i] <= 'z' ? slash[1 + i] - 32 : slash[1 + i]);
	prot[i] = '\0';
	snprintf(addr, alen, "%.*s", (int)(slash - vip), vip);
}

static int print_table(struct ctl_table *t, FILE *f)
{
	if (!t) {
		fprintf(stderr, "xlbctl: out of memory\n");
		return CTL_EXIT_REFUSED;
	}
	ctl_table_print(t, f);
	ctl_table_free(t);
	return CTL_EXIT_OK;
}

static int render_status(json_t *r, FILE *f)
{
	static const char *const hdr[] = { "Interface", "Ifindex", "Mode", "Program" };
	char up[32], b1[32], b2[32];
	json_t *ifs = json_object_get(r, "interfaces"), *i;
	struct ctl_table *t;
	size_t k;

	ctl_fmt_duration((unsigned long long)jdbl(r, "uptime_sec"), S(up));
	fprintf(f, "xlbd      %s, up %s\n", jstr(r, "version"), up);
	fprintf(f, "XDP mode  %s\n", jstr(r, "xdp_mode"));
	fprintf(f, "Pin dir   %s\n", jstr(r, "pin_dir"));
	fprintf(f, "VIPs      %s\nBackends  %s\n", jnum(r, "vips", S(b1)), jnum(r, "backends", S(b2)));
	if (!json_array_size(ifs))
		return CTL_EXIT_OK;
	fprintf(f, "\n");
	t = ctl_table_new(4, hdr);
	json_array_foreach(ifs, k, i) {
		char idx[24], prog[24];
		const char *row[] = { jstr(i, "name"), jnum(i, "ifindex", S(idx)), jstr(i, "mode"),
				      jnum(i, "prog_id", S(prog)) };
		if (t)
			ctl_table_add(t, 4, row);
	}
	return print_table(t, f);
}

/* One VIPVIEW as rows of the `vip list` table. */
static void add_vip_rows(struct ctl_table *t, const json_t *v)
{
	char prot[8], addr[VIP_TEXT], size[24];
	const json_t *b;
	size_t k;

	split_vip(jstr(v, "vip"), S(prot), S(addr));
	const char *vrow[] = { prot, addr, jstr(v, "hash"), jnum(v, "table_size", S(size)) };
	ctl_table_add(t, 4, vrow);
	json_array_foreach(json_object_get(v, "backends"), k, b) {
		char be[80], w[24], slots[24], pinned[24], pk[24];
		const char *brow[] = { "", "", "", "", be, jnum(b, "weight", S(w)), jstr(b, "state"),
				       jnum(b, "slots", S(slots)), jnum(b, "pinned_flows", S(pinned)),
				       jnum(b, "packets", S(pk)) };

		snprintf(be, sizeof(be), "-> %s", jstr(b, "address"));
		ctl_table_add(t, 10, brow);
	}
}

static const char *const vip_hdr[] = { "Prot", "VIP", "Hash", "Slots", "Backend", "Weight",
				       "State", "Slots", "Pinned", "Packets" };

static int render_vips(json_t *r, bool one, FILE *f)
{
	struct ctl_table *t = ctl_table_new(10, vip_hdr);
	json_t *v;
	size_t k;

	if (!t)
		return print_table(t, f);
	if (one)
		add_vip_rows(t, r);
	else
		json_array_foreach(json_object_get(r, "vips"), k, v)
			add_vip_rows(t, v);
	return print_table(t, f);
}

static int render_backend(json_t *b, FILE *f)
{
	static const char *const hdr[] = { "Backend", "Weight", "State", "Slots", "Pinned", "Nexthop" };
	char w[24], slots[24], pinned[24];
	const char *row[] = { jstr(b, "address"), jnum(b, "weight", S(w)), jstr(b, "state"),
			      jnum(b, "slots", S(slots)), jnum(b, "pinned_flows", S(pinned)),
			      jstr(json_object_get(b, "nexthop"), "state") };
	struct ctl_table *t = ctl_table_new(6, hdr);

	if (t)
		ctl_table_add(t, 6, row);
	return print_table(t, f);
}

static int render_deleted(json_t *r, FILE *f)
{
	char n[24];

	if (json_object_get(r, "draining"))
		fprintf(f, "draining %s: %s pinned flows; deleted when they end or at the timeout\n",
			jstr(r, "draining"), jnum(r, "pinned_flows", S(n)));
	else
		fprintf(f, "deleted %s\n", jstr(r, "deleted"));
	return CTL_EXIT_OK;
}

/* Non-zero named counters of an object {name: N} as a two-column table. */
static void print_counters(const json_t *obj, const char *title, FILE *f)
{
	const char *const hdr[] = { title, "Packets" };
	struct ctl_table *t;
	const char *key;
	json_t *v;
	int rows = 0;

	t = ctl_table_new(2, hdr);
	if (!t)
		return;
	json_object_foreach((json_t *)obj, key, v) {
		char n[24];
		const char *row[] = { key, n };

		if (!json_is_integer(v) || !json_integer_value(v))
			continue;
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(v));
		ctl_table_add(t, 2, row);
		rows++;
	}
	if (rows) {
		fprintf(f, "\n");
		ctl_table_print(t, f);
	}
	ctl_table_free(t);
}

static int render_stats(json_t *r, FILE *f)
{
	static const char *const hdr[] = { "Prot", "VIP / Backend", "Packets", "Bytes", "NewFlows" };
	struct ctl_table *t = ctl_table_new(5, hdr);
	const json_t *dp = json_object_get(r, "datapath"), *ct = json_object_get(r, "conn_table");
	json_t *v, *b;
	size_t k, j;
	char n1[24], n2[24];

	if (!t)
		return print_table(t, f);
	json_array_foreach(json_object_get(r, "vips"), k, v) {
		char prot[8], addr[VIP_TEXT], p[24], by[24], nf[24];
		const char *row[] = { prot, addr, jnum(v, "packets", S(p)), jnum(v, "bytes", S(by)),
				      jnum(v, "new_flows", S(nf)) };

		split_vip(jstr(v, "vip"), S(prot), S(addr));
		ctl_table_add(t, 5, row);
		json_array_foreach(json_object_get(v, "backends"), j, b) {
			char be[80];
			const char *brow[] = { "", be, jnum(b, "packets", S(p)), jnum(b, "bytes", S(by)),
					       jnum(b, "new_flows", S(nf)) };

			snprintf(be, sizeof(be), "  -> %s", jstr(b, "address"));
			ctl_table_add(t, 5, brow);
		}
	}
	ctl_table_print(t, f);
	ctl_table_free(t);
	if (ct)
		fprintf(f, "\nConnection table: %s entries (max %s)\n", jnum(ct, "entries", S(n1)),
			jnum(ct, "max", S(n2)));
	print_counters(json_object_get(dp, "reasons"), "Datapath verdict", f);
	print_counters(json_object_get(dp, "events"), "Datapath event", f);
	return CTL_EXIT_OK;
}

/* The entry of arr whose field key equals val. */
static json_t *find_by(json_t *arr, const char *key, const char *val)
{
	json_t *e;
	size_t k;

	json_array_foreach(arr, k, e)
		if (!strcmp(jstr(e, key), val))
			return e;
	return NULL;
}

/* {"cps","pps","bps"} from the counters of an object at two times. */
static json_t *rates(const json_t *before, const json_t *after, double secs)
{
	double d[3];
	const char *keys[] = { "new_flows", "packets", "bytes" };
	int i;

	for (i = 0; i < 3; i++) {
		d[i] = before ? jdbl(after, keys[i]) - jdbl(before, keys[i]) : 0;
		if (d[i] < 0)	/* counters restarted (VIP re-added): no rate */
			d[i] = 0;
	}
	return json_pack("{s:f,s:f,s:f}", "cps", d[0] / secs, "pps", d[1] / secs, "bps", d[2] / secs);
}

int ctl_render_rate(enum ctl_output out, json_t *before, json_t *after, double secs, FILE *f)
{
	static const char *const hdr[] = { "Prot", "VIP / Backend", "CPS", "PPS", "BPS" };
	json_t *res = json_pack("{s:f,s:[]}", "interval_sec", secs, "vips"), *v, *b;
	size_t k, j;

	json_array_foreach(json_object_get(after, "vips"), k, v) {
		json_t *v0 = find_by(json_object_get(before, "vips"), "vip", jstr(v, "vip"));
		json_t *rv = rates(v0, v, secs), *bes = json_array();

		json_object_set_new(rv, "vip", json_string(jstr(v, "vip")));
		json_array_foreach(json_object_get(v, "backends"), j, b) {
			json_t *b0 = find_by(json_object_get(v0, "backends"), "address", jstr(b, "address"));
			json_t *rb = rates(b0, b, secs);

			json_object_set_new(rb, "address", json_string(jstr(b, "address")));
			json_array_append_new(bes, rb);
		}
		json_object_set_new(rv, "backends", bes);
		json_array_append_new(json_object_get(res, "vips"), rv);
	}
	if (out == CTL_OUT_JSON) {
		json_dumpf(res, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', f);
		json_decref(res);
		return CTL_EXIT_OK;
	}

	struct ctl_table *t = ctl_table_new(5, hdr);

	json_array_foreach(json_object_get(res, "vips"), k, v) {
		char prot[8], addr[VIP_TEXT], c[24], p[24], by[24];
		const char *row[] = { prot, addr, c, p, by };

		split_vip(jstr(v, "vip"), S(prot), S(addr));
		ctl_fmt_count(jdbl(v, "cps"), S(c));
		ctl_fmt_count(jdbl(v, "pps"), S(p));
		ctl_fmt_count(jdbl(v, "bps"), S(by));
		if (t)
			ctl_table_add(t, 5, row);
		json_array_foreach(json_object_get(v, "backends"), j, b) {
			char be[80];
			const char *brow[] = { "", be, c, p, by };

			snprintf(be, sizeof(be), "  -> %s", jstr(b, "address"));
			ctl_fmt_count(jdbl(b, "cps"), S(c));
			ctl_fmt_count(jdbl(b, "pps"), S(p));
			ctl_fmt_count(jdbl(b, "bps"), S(by));
			if (t)
				ctl_table_add(t, 5, brow);
		}
	}
	json_decref(res);
	fprintf(f, "Rates per second over %.1f s (CPS new flows, PPS packets, BPS bytes)\n", secs);
	return print_table(t, f);
}

static int render_apply(json_t *r, bool dry_run, FILE *f)
{
	static const char *const hdr[] = { "VIP", "Moved slots", "Share of flows moved" };
	json_t *c, *m;
	size_t k;

	if (!json_array_size(json_object_get(r, "changes")))
		fprintf(f, "no changes\n");
	json_array_foreach(json_object_get(r, "changes"), k, c) {
		const char *op = jstr(c, "op"), *detail = jstr(c, "detail");
		char sign = !strcmp(op, "add") ? '+' : !strcmp(op, "del") ? '-' : '~';

		fprintf(f, "%c %s%s%s\n", sign, jstr(c, "vip"), strcmp(detail, "-") ? ": " : "",
			strcmp(detail, "-") ? detail : "");
	}
	if (json_array_size(json_object_get(r, "moved"))) {
		struct ctl_table *t = ctl_table_new(3, hdr);

		json_array_foreach(json_object_get(r, "moved"), k, m) {
			char slots[48], share[24], a[24], b[24];
			double size = jdbl(m, "table_size"), moved = jdbl(m, "moved_slots");
			/* share from the slots when both are there: no doubt about fraction vs percent */
			double pct = size > 0 ? 100.0 * moved / size : 100.0 * jdbl(m, "share");
			const char *row[] = { jstr(m, "vip"), slots, share };

			snprintf(slots, sizeof(slots), "%s/%s", jnum(m, "moved_slots", S(a)),
				 jnum(m, "table_size", S(b)));
			snprintf(share, sizeof(share), "%.1f%%", pct);
			if (t)
				ctl_table_add(t, 3, row);
		}
		fprintf(f, "\n");
		print_table(t, f);
	}
	if (json_is_true(json_object_get(r, "applied")))
		fprintf(f, "\napplied\n");
	else
		fprintf(f, "\n%s\n", dry_run ? "dry run: nothing changed" : "not applied");
	return CTL_EXIT_OK;
}

static int render_trace(json_t *r, FILE *f)
{
	const char *via = jstr(r, "via"), *be = jstr(r, "backend");
	char slot[24], hash[24];
	const json_t *h = json_object_get(r, "hash");

	if (json_is_integer(h))
		snprintf(hash, sizeof(hash), "0x%08llx", (unsigned long long)json_integer_value(h));
	else
		snprintf(hash, sizeof(hash), "-");
	fprintf(f, "%s -> %s\n", jstr(r, "client"), jstr(r, "vip"));
	if (!strcmp(be, "-"))
		fprintf(f, "  backend: none (the VIP has no backend in service)\n");
	else
		fprintf(f, "  backend: %s (%s)\n", be, jstr(r, "backend_state"));
	if (!strcmp(via, "conn_table"))
		fprintf(f, "  why:     connection table entry (an established flow keeps its backend)\n");
	else
		fprintf(f, "  why:     Maglev slot %s (flow hash %s)\n", jnum(r, "slot", S(slot)), hash);
	return CTL_EXIT_OK;
}

int ctl_render(const struct ctl_request *req, enum ctl_output out, json_t *reply, FILE *f)
{
	if (out == CTL_OUT_JSON) {
		json_dumpf(reply, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', f);
		return CTL_EXIT_OK;
	}
	switch (req->render) {
	case CTL_R_STATUS: return render_status(reply, f);
	case CTL_R_VIP_LIST: return render_vips(reply, false, f);
	case CTL_R_VIP: return render_vips(reply, true, f);
	case CTL_R_BACKEND: return render_backend(reply, f);
	case CTL_R_DELETED: return render_deleted(reply, f);
	case CTL_R_STATS: return render_stats(reply, f);
	case CTL_R_STATS_RATE: return CTL_EXIT_OK;	/* ctl_render_rate prints it */
	case CTL_R_APPLY: return render_apply(reply, req->dry_run, f);
	case CTL_R_TRACE: return render_trace(reply, f);
	}
	return CTL_EXIT_OK;
}

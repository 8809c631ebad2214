// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * commands.c - xlbctl's command table: one handler per command that checks
 * its arguments locally (addresses with the model's own parsers, so the CLI
 * and the daemon accept exactly the same text) and fills the HTTP request
 * of userspace/xlbd/API.md. No daemon I/O here (apply reads its file), so
 * tests/unit/test_xlbctl.c includes this file with parse.c.
 * Handlers return 0, or -EINVAL with err naming the argument (usage error).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xlbctl.h"
#include "maglev.h"
#include "model.h"

#define usage_err ctl_usage_err

int ctl_url_encode(const char *in, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;
		bool plain = isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';

		if (o + (plain ? 1 : 3) >= len)
			return -ENAMETOOLONG;
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return 0;
}

/* ---- argument checks (each names the argument and the bad text) ---- */

/* The model's message when it quotes the text (it names the problem), else ours. */
static int bad_arg(char *err, const char *name, const char *text, const char *model_msg,
		   const char *expected)
{
	if (model_msg[0] && strstr(model_msg, text))
		return usage_err(err, "%s", model_msg);
	return usage_err(err, "%s '%s': %s", name, text, model_msg[0] ? model_msg : expected);
}

static int arg_vip(const char *s, char *canon, char *err)
{
	struct xlb_vip_id id;
	char e[XLB_ERR_LEN] = "";

	if (xlb_vip_id_parse(s, &id, e) < 0)
		return bad_arg(err, "VIP", s, e, "expected ADDR:PORT/PROTO or [V6ADDR]:PORT/PROTO");
	xlb_vip_id_format(&id, canon, XLB_VIP_STRLEN);
	return 0;
}

static int arg_addr(const char *s, char *canon, char *err)
{
	struct xlb_addr a;
	char e[XLB_ERR_LEN] = "";

	if (xlb_addr_parse(s, &a, e) < 0)
		return bad_arg(err, "ADDR", s, e, "expected an IPv4 or IPv6 address");
	xlb_addr_format(&a, canon, XLB_ADDR_STRLEN);
	return 0;
}

/* Unsigned decimal in [min, max]; no sign, no trailing junk. */
static int arg_uint(const char *name, const char *s, unsigned long min, unsigned long max,
		    unsigned long *out, char *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		goto bad;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return usage_err(err, "%s '%s': expected an integer %lu..%lu", name, s, min, max);
}

static int arg_seconds(const char *name, const char *s, double *out, char *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0.1 && v <= 3600))
		return usage_err(err, "%s '%s': expected seconds 0.1..3600", name, s);
	*out = v;
	return 0;
}

static int want_pos(const struct ctl_args *a, int n, const char *names, char *err)
{
	if (a->n_pos < n)
		return usage_err(err, "missing %s", names);
	if (a->n_pos > n)
		return usage_err(err, "unexpected argument '%s'", a->pos[n]);
	return 0;
}

static int set_path(struct ctl_request *req, char *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int set_path(struct ctl_request *req, char *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(req->path, sizeof(req->path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(req->path))
		return usage_err(err, "request path too long");
	return 0;
}

/* Takes ownership of j. */
static int set_json_body(struct ctl_request *req, json_t *j, char *err)
{
	if (!j)
		return usage_err(err, "out of memory");
	req->body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!req->body)
		return usage_err(err, "out of memory");
	req->body_len = strlen(req->body);
	req->content_type = "application/json";
	return 0;
}

/* "/v1/vips/ENC(vip)" (+ "/backends/ENC(addr)" when addr) from the canonical texts. */
static int vip_path(struct ctl_request *req, const char *vip, const char *addr,
		    const char *suffix, char *err)
{
	char ev[3 * XLB_VIP_STRLEN], ea[3 * XLB_ADDR_STRLEN];

	ctl_url_encode(vip, ev, sizeof(ev));
	if (!addr)
		return set_path(req, err, "/v1/vips/%s%s", ev, suffix);
	ctl_url_encode(addr, ea, sizeof(ea));
	return set_path(req, err, "/v1/vips/%s/backends/%s%s", ev, ea, suffix);
}

/* ---- handlers: one per leaf; options are indexed as in the leaf's opts ---- */

static int h_status(const struct ctl_cmd *c, const struct ctl_args *a, struct ctl_request *req, char *err)
{
	req->method = "GET";
	req->render = CTL_R_STATUS;
	return want_pos(a, 0, "", err) ?: set_path(req, err, "/v1/status");
}

enum { VIP_ADD_HASH, VIP_ADD_TABLE_SIZE };
static const struct ctl_opt vip_add_opts[] = {
	[VIP_ADD_HASH] = { "--hash", true },
	[VIP_ADD_TABLE_SIZE] = { "--table-size", true },
	{ NULL, false },
};

static int h_vip_add(const struct ctl_cmd *c, const struct ctl_args *a, struct ctl_request *req, char *err)
{
	char vip[XLB_VIP_STRLEN];
	unsigned long size;
	json_t *body;
	int ret;

	if ((ret = want_pos(a, 1, "VIP", err)) || (ret = arg_vip(a->pos[0], vip, err)))
		return ret;
	body = json_pack("{s:s}", "vip", vip);
	if (a->set[VIP_ADD_HASH]) {
		const char *h = a->val[VIP_ADD_HASH];

		if (strcmp(h, "5tuple") && strcmp(h, "src")) {
			json_decref(body);
			return usage_err(err, "--hash '%s': expected 5tuple or src", h);
		}
		json_object_set_new(body, "hash", json_string(h));
	}
	if (a->set[VIP_ADD_TABLE_SIZE]) {
		ret = arg_uint("--table-size", a->val[VIP_ADD_TABLE_SIZE], 2, XLB_MAGLEV_MAX_SIZE,
			       &size, err);
		if (!ret && !maglev_is_prime((uint32_t)size))
			ret = usage_err(err, "--table-size %lu: must be a prime (e.g. 65537, 131071)", size);
		if (ret) {
			json_decref(body);
			return ret;
		}
		json_object_set_new(body, "table_size", json_integer((json_int_t)size));
	}
	req->method = "POST";
	req->render = CTL_R_VIP;
	return set_path(req, err, "/v1/vips") ?: set_json_body(req, body, err);
}

static int h_vip_del(const struct ctl_cmd *c, const struct ctl_args *a, struct ctl_request *req, char *err)
{
	char vip[XLB_VIP_STRLEN];

	req->method = "DELETE";
	req->render = CTL_R_DELETED;
	return want_pos(a, 1, "VIP", err) ?: arg_vip(a->pos[0], vip, err) ?:
	       vip_path(req, vip, NULL, "", err);
}

static int h_vip_list(const struct ctl_cmd *c, const struct ctl_args *a, struct ctl_request *req, char *err)
{
	req->method = "GET";
	req->render = CTL_R_VIP_LIST;
	return want_pos(a, 0, "", err) ?: set_path(req, err, "/v1/vips");
}

static const struct ctl_opt weight_opts[] = { { "--weight", true }, { NULL, false } };

/* VIP ADDR into canonical texts. */
static int vip_addr_args(const struct ctl_args *a, char *vip, char *addr, char *err)
{
	return want_pos(a, 2, a->n_pos == 0 ? "VIP and ADDR" : "ADDR", err) ?:
	       arg_vip(a->pos[0], vip, err) ?: arg_addr(a->pos[1], addr, err);
}

static int weight_arg(const struct ctl_args *a, json_t *body, char *err)
{
	unsigned long w;
	int ret;

	if (!a->set[0])
		return 0;
	ret = arg_uint("--weight", a->val[0], 0, XLB_MAX_WEIGHT, &w, err);
	if (!ret)
		json_object_set_new(body, "weight", json_integer((json_int_t)w));
	return ret;
}

static int h_backend_add(const struct ctl_cmd *c, const struct ctl_args *a, struct ctl_request *req, char *err)
{
	char vip[XLB_VIP_STRLEN], addr[XLB_ADDR_STRLEN];
	json_t *body;
	int ret;

	if ((ret = vip_addr_args(a, vip, addr, err)))
		return ret;
	body = json_pack("{s:s}", "address", addr);
	if ((ret = weight_arg(a, body, err))) {
		json_decref(body);
		return ret;
	}
	req->method = "POST";
	req->render = CTL_R_BACKEND;
	return vip_path(req, vip, NULL, "/backends", err) ?: set_json_body(req, body, err);
}

static int h_backend_set(const struct ctl_cmd *c, const struct ctl_args *a, struct ctl_request *req, char *err)
{
	char vip[XLB_VIP_STRLEN], addr[XLB_ADDR_STRLEN];
	json_t *body;
	int ret;

	if ((ret = vip_addr_args(a, vip, addr, err)))
		return ret;
	if (!a->set[0])
		return usage_err(err, "missing --weight N (nothing to set)");
	body = json_object();
	if ((ret = weight_arg(a, body, err))) {
		json_decref(body);
		return ret;
	}
	req->method = "PATCH";
	req->render = CTL_R_BACKEND;
	return vip_path(req, vip, addr, "", err) ?: set_json_body(req, body, err);
}

enum { BE_DEL_AFTER_DRAIN, BE_DEL_TIMEOUT };
static const struct ctl_opt backend_del_opts[] = {
	[BE_DEL_AFTER_DRAIN] = { "--after-drain", false },
	[BE_DEL_TIMEOUT] = { "--timeout", true },
	{ NULL, false },
};

static int h_backend_del(const struct ctl_cmd *c, const struct ctl_args *a, struct ctl_request *req, char *err)
{
	char vip[XLB_VIP_STRLEN], addr[XLB_ADDR_STRLEN], query[64] = "";
	unsigned long timeout;
	int ret;

	if ((ret = vip_addr_args(a, vip, addr, err)))
		return ret;
	if (a->set[BE_DEL_TIMEOUT] && !a->set[BE_DEL_AFTER_DRAIN])
		return usage_err(err, "--timeout only goes with --after-drain");
	if (a->set[BE_DEL_AFTER_DRAIN]) {
		strcpy(query, "?after_drain=1");
		if (a->set[BE_DEL_TIMEOUT]) {
			ret = arg_uint("--timeout", a->val[BE_DEL_TIMEOUT], 1, 86400, &timeout, err);
			if (ret)
				return ret;
			snprintf(query + strlen(query), sizeof(query) - strlen(query),
				 "&timeout=%lu", timeout);
		}
	}
	req->method = "DELETE";
	req->render = CTL_R_DELETED;
	return vip_path(req, vip, addr, query, err);
}

static int h_backend_drain(const struct ctl_cmd *c, const struct ctl_args *a, struct ctl_request *req, char *err)
{
	char vip[XLB_VIP_STRLEN], addr[XLB_ADDR_STRLEN];

	req->method = "POST";
	req->render = CTL_R_BACKEND;
	return vip_addr_args(a, vip, addr, err) ?: vip_path(req, vip, addr, "/drain", err);
}

enum { STATS_RATE, STATS_INTERVAL };
static const struct ctl_opt stats_opts[] = {
	[STATS_RATE] = { "--rate", false },
	[STATS_INTERVAL] = { "--interval", true },
	{ NULL, false },
};

static int h_stats(const struct ctl_cmd *c, const struct ctl_args *a, struct ctl_request *req, char *err)
{
	int ret;

	if ((ret = want_pos(a, 0, "", err)))
		return ret;
	if (a->set[STATS_INTERVAL] && !a->set[STATS_RATE])
		return usage_err(err, "--interval only goes with --rate");
	req->method = "GET";
	req->render = a->set[STATS_RATE] ? CTL_R_STATS_RATE : CTL_R_STATS;
	req->interval_sec = 1.0;
	if (a->set[STATS_INTERVAL] &&
	    (ret = arg_seconds("--interval", a->val[STATS_INTERVAL], &req->interval_sec, err)))
		return ret;
	return set_path(req, err, "/v1/stats");
}

enum { APPLY_FILE, APPLY_FILE_LONG, APPLY_DRY_RUN };
static const struct ctl_opt apply_opts[] = {
	[APPLY_FILE] = { "-f", true },
	[APPLY_FILE_LONG] = { "--file", true },
	[APPLY_DRY_RUN] = { "--dry-run", false },
	{ NULL, false },
};

/* Whole file (or stdin for "-") into a malloc'd NUL-terminated buffer. */
static int read_all(const char *path, char **out, size_t *len, char *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 4096, n = 0;
	char *buf;

	if (!f) {
		int e = errno;

		snprintf(err, CTL_ERR_LEN, "apply: cannot open '%s': %s", path, strerror(e));
		return -e;
	}
	buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n - 1, f);
		if (n < cap - 1)
			break;
		cap *= 2;
		char *nb = realloc(buf, cap);
		if (!nb)
			free(buf);
		buf = nb;
	}
	if (!buf || ferror(f)) {
		int e = buf ? EIO : ENOMEM;

		free(buf);
		if (f != stdin)
			fclose(f);
		snprintf(err, CTL_ERR_LEN, "apply: cannot read '%s': %s", path, strerror(e));
		return -e;
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int h_apply(const struct ctl_cmd *c, const struct ctl_args *a, struct ctl_request *req, char *err)
{
	const char *file = a->set[APPLY_FILE] ? a->val[APPLY_FILE] : a->val[APPLY_FILE_LONG];
	const char *p;
	int ret;

	if ((ret = want_pos(a, 0, "", err)))
		return ret;
	if (!file)
		return usage_err(err, "missing -f FILE");
	if (a->set[APPLY_FILE] && a->set[APPLY_FILE_LONG])
		return usage_err(err, "-f given twice");
	req->dry_run = a->set[APPLY_DRY_RUN];
	req->file = file;
	if ((ret = set_path(req, err, "/v1/apply%s", req->dry_run ? "?dry_run=1" : "")))
		return ret;
	if ((ret = read_all(file, &req->body, &req->body_len, err)))
		return ret;
	/* The API takes the model as JSON too; a YAML config never starts with '{'. */
	for (p = req->body; isspace((unsigned char)*p); p++)
		;
	req->content_type = *p == '{' ? "application/json" : "application/yaml";
	req->method = "POST";
	req->render = CTL_R_APPLY;
	return 0;
}

static int h_trace(const struct ctl_cmd *c, const struct ctl_args *a, struct ctl_request *req, char *err)
{
	char vip[XLB_VIP_STRLEN], ev[3 * XLB_VIP_STRLEN], client[XLB_VIP_STRLEN], ec[3 * XLB_VIP_STRLEN];
	char addr[XLB_ADDR_STRLEN], e[XLB_ERR_LEN] = "";
	struct xlb_addr ca;
	uint16_t port;
	int ret;

	if ((ret = want_pos(a, 2, a->n_pos == 0 ? "CLIENT and VIP" : "VIP", err)))
		return ret;
	if (xlb_endpoint_parse(a->pos[0], &ca, &port, e) < 0)
		return bad_arg(err, "CLIENT", a->pos[0], e, "expected ADDR:PORT or [V6ADDR]:PORT");
	if ((ret = arg_vip(a->pos[1], vip, err)))
		return ret;
	xlb_addr_format(&ca, addr, sizeof(addr));
	snprintf(client, sizeof(client), ca.family == XLB_AF_INET6 ? "[%s]:%u" : "%s:%u",
		 addr, (unsigned)port);
	ctl_url_encode(client, ec, sizeof(ec));
	ctl_url_encode(vip, ev, sizeof(ev));
	req->method = "GET";
	req->render = CTL_R_TRACE;
	return set_path(req, err, "/v1/trace?client=%s&vip=%s", ec, ev);
}

/* ---- the command tree: help and usage come from here ---- */

static const struct ctl_cmd vip_cmds[] = {
	{ "add", h_vip_add, "VIP [--hash 5tuple|src] [--table-size PRIME]",
	  "add a VIP (flow hash; Maglev table size, default 65537)", vip_add_opts, NULL },
	{ "del", h_vip_del, "VIP", "delete a VIP and its backends", NULL, NULL },
	{ "list", h_vip_list, "",
	  "VIPs and backends: weight, state, slots, pinned flows, packets", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct ctl_cmd backend_cmds[] = {
	{ "add", h_backend_add, "VIP ADDR [--weight N]", "add a backend (weight 0..65535, default 100)",
	  weight_opts, NULL },
	{ "set", h_backend_set, "VIP ADDR --weight N", "change a backend's weight (0 = drain)",
	  weight_opts, NULL },
	{ "del", h_backend_del, "VIP ADDR [--after-drain [--timeout SEC]]",
	  "delete a backend now, or once its pinned flows end (timeout 300 s)",
	  backend_del_opts, NULL },
	{ "drain", h_backend_drain, "VIP ADDR", "weight 0: keep established flows, send no new ones",
	  NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct ctl_cmd root_cmds[] = {
	{ "status", h_status, "", "interfaces, XDP mode, program id, uptime, VIP/backend counts", NULL, NULL },
	{ "vip", NULL, "COMMAND", "manage VIPs", NULL, vip_cmds },
	{ "backend", NULL, "COMMAND", "manage a VIP's backends", NULL, backend_cmds },
	{ "stats", h_stats, "[--rate [--interval SEC]]",
	  "per VIP and backend counters; --rate: per second over SEC (1)",
	  stats_opts, NULL },
	{ "apply", h_apply, "-f FILE [--dry-run]",
	  "apply a YAML config (- = stdin) atomically; print diff, moved share",
	  apply_opts, NULL },
	{ "trace", h_trace, "CLIENT VIP", "which backend a flow goes to, and why (conn table or slot N)",
	  NULL, NULL },
	{ "help", NULL, "[COMMAND]", "this help, or a command's", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

const struct ctl_cmd ctl_root = { "xlbctl", NULL, "COMMAND", "xlb's operator CLI", NULL, root_cmds };
